/* The host kernel's own fence around every guest host process: defense in
 * depth under persona's trap handling, as gVisor fences its stubs.
 *
 * Under ptrace, guest system calls never reach the filter: PTRACE_SYSEMU
 * stops the thread at syscall entry and skips the call before seccomp
 * runs. What the filter sees are the host calls made on the stub's gadget
 * under PTRACE_CONT, which persona makes for itself (memory mappings, the
 * host side of clone, a thread's exit, receiving an fd on the control
 * channel). Under systrap the filter is the trap itself: every call from
 * outside the stub's text becomes a SIGSYS for the stub to hand over, and
 * the stub's own calls meet an allowlist of the same kind. Either way, a
 * call that is not on the list kills the process. The stub process also
 * runs with no_new_privs, no capabilities, as nobody and in empty network,
 * IPC and UTS namespaces when persona is root, and with no host fd but its
 * control channel (and systrap's kick eventfd). */
#include "platform_impl.h"
#include "../../stub/stub_layout.h"
#include "../../stub/systrap_layout.h"
#include <asm/prctl.h>
#include <linux/futex.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <fcntl.h>
#include <grp.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

#define MAX_INSNS 160
#define STUB_UID 65534	/* nobody */

struct bpf_prog {
	struct sock_filter ins[MAX_INSNS];
	unsigned n;
};

static void emit(struct bpf_prog *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
	if (p->n == MAX_INSNS)
		kpanic("stub filter too long");
	p->ins[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
}

#define ARG_LO(i) (offsetof(struct seccomp_data, args) + 8 * (i))
#define ARG_HI(i) (ARG_LO(i) + 4)

/* Call `nr` is allowed outright. The accumulator holds the call number on
 * entry, and still does when the block is jumped over. */
static void allow(struct bpf_prog *p, int nr)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, nr);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/* Call `nr` is allowed when its argument `arg` (all 64 bits) is one of
 * `vals`; otherwise the process dies. */
static void allow_if(struct bpf_prog *p, int nr, int arg, const uint32_t *vals, unsigned nvals)
{
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 2 + 1 + nvals + 2, nr);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_HI(arg));
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1 + nvals, 0);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(arg));
	for (unsigned i = 0; i < nvals; i++)
		emit(p, BPF_JMP | BPF_JEQ | BPF_K, nvals - i, 0, vals[i]);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
}

/* The advice sys_madvise passes on; never MADV_HWPOISON and the
 * other privileged ones. */
static const uint32_t advice[] = {
	MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED,
	MADV_FREE, MADV_REMOVE, MADV_DONTFORK, MADV_DOFORK, MADV_MERGEABLE,
	MADV_UNMERGEABLE, MADV_HUGEPAGE, MADV_NOHUGEPAGE, MADV_DONTDUMP, MADV_DODUMP,
	MADV_WIPEONFORK, MADV_KEEPONFORK, MADV_COLD, MADV_PAGEOUT,
};

static void build_filter(struct bpf_prog *p)
{
	static const uint32_t ctl_fd[] = { STUB_CTL_FD };
	/* The only host clones persona makes: a thread, a vfork-style
	 * child sharing memory, a forked child (see fork.c). */
	static const uint32_t clones[] = {
		CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_FS | CLONE_FILES,
		CLONE_VM | SIGCHLD, SIGCHLD,
	};
	p->n = 0;
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	allow(p, SYS_mmap);
	allow(p, SYS_munmap);
	allow(p, SYS_mprotect);
	allow(p, SYS_mremap);
	allow(p, SYS_close);
	allow(p, SYS_exit);
	allow_if(p, SYS_recvmsg, 0, ctl_fd, ARRAY_SIZE(ctl_fd));
	allow_if(p, SYS_dup2, 1, ctl_fd, ARRAY_SIZE(ctl_fd));
	allow_if(p, SYS_madvise, 2, advice, ARRAY_SIZE(advice));
	allow_if(p, SYS_clone, 0, clones, ARRAY_SIZE(clones));
	emit(p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
}

/* The systrap stub's filter. Every guest system call traps (SIGSYS, which
 * the stub hands to the kernel), as does any call into another table (int
 * 0x80 and friends: the kernel answers them as a kernel without IA32
 * emulation does). Calls from the stub's own text are its allowlist: the
 * memory calls the kernel asks for, its futex hand-over, the kick eventfd,
 * the control socket, clone with the kernel's flag sets (a forked child is
 * the kernel's own child, CLONE_PARENT), its signal return and exits. A
 * guest jumping into the stub can make these calls too, and they touch its
 * own process only. */
unsigned stub_filter_systrap(void *out, unsigned max)
{
	static const uint32_t kick_fd[] = { ST_KICK_FD }, ctl_fd[] = { ST_CTL_FD };
	static const uint32_t fixed_fds[] = { ST_CTL_FD, ST_KICK_FD };
	static const uint32_t futex_ops[] = { FUTEX_WAIT, FUTEX_WAKE };
	static const uint32_t arch_codes[] = { ARCH_SET_FS, ARCH_SET_GS };
	static const uint32_t pdeathsig[] = { PR_SET_PDEATHSIG };
	static const uint32_t clones[] = {
		CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_FS | CLONE_FILES,
		CLONE_VM | CLONE_PARENT | SIGCHLD, CLONE_PARENT | SIGCHLD,
	};
	struct bpf_prog p;
	p.n = 0;
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, AUDIT_ARCH_X86_64);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRAP);
	/* Is the call from the stub's text? */
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, instruction_pointer) + 4);
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, (uint32_t)(ST_TEXT >> 32));
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRAP);
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, instruction_pointer));
	emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, (uint32_t)ST_TEXT);
	emit(&p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, (uint32_t)(ST_TEXT + ST_TEXT_SIZE));
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_TRAP);
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
	allow(&p, SYS_rt_sigreturn);
	allow(&p, SYS_mmap);
	allow(&p, SYS_munmap);
	allow(&p, SYS_mprotect);
	allow(&p, SYS_mremap);
	allow(&p, SYS_close);
	allow(&p, SYS_exit);
	allow(&p, SYS_exit_group);
	allow(&p, SYS_sigaltstack);
	allow_if(&p, SYS_futex, 1, futex_ops, ARRAY_SIZE(futex_ops));
	allow_if(&p, SYS_write, 0, kick_fd, ARRAY_SIZE(kick_fd));
	allow_if(&p, SYS_recvmsg, 0, ctl_fd, ARRAY_SIZE(ctl_fd));
	allow_if(&p, SYS_dup2, 1, fixed_fds, ARRAY_SIZE(fixed_fds));
	allow_if(&p, SYS_madvise, 2, advice, ARRAY_SIZE(advice));
	allow_if(&p, SYS_clone, 0, clones, ARRAY_SIZE(clones));
	allow_if(&p, SYS_arch_prctl, 0, arch_codes, ARRAY_SIZE(arch_codes));
	/* prctl(PR_SET_PDEATHSIG, SIGKILL) only: no guest outlives persona */
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 6, SYS_prctl);
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(0));
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, pdeathsig[0]);
	emit(&p, BPF_LD | BPF_W | BPF_ABS, 0, 0, ARG_LO(1));
	emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, SIGKILL);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	emit(&p, BPF_RET | BPF_K, 0, 0, SECCOMP_RET_KILL_PROCESS);
	if (p.n > max)
		kpanic("stub filter too long");
	memcpy(out, p.ins, p.n * sizeof(p.ins[0]));
	return p.n;
}

int stub_confine(int tid)
{
	struct bpf_prog p;
	build_filter(&p);
	/* The program and its header go through the scratch page; no guest
	 * code has run in this process yet, so nothing can change them. */
	struct sock_fprog fprog = { .len = (unsigned short)p.n,
				    .filter = (struct sock_filter *)(STUB_SCRATCH + 64) };
	size_t size = p.n * sizeof(p.ins[0]);
	if (64 + size > 4096)
		kpanic("stub filter too long");
	if (plat_write_mem(tid, STUB_SCRATCH, &fprog, sizeof(fprog)) != sizeof(fprog) ||
	    plat_write_mem(tid, STUB_SCRATCH + 64, p.ins, size) != (long)size)
		return -EFAULT;
	long r = plat_host_syscall(tid, SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, STUB_SCRATCH, 0, 0, 0);
	return r < 0 ? (int)r : 0;
}

/* Namespaces of the stubs' own (network, SysV IPC, host name): empty,
 * made once, entered by every stub. A stub needs none of the host's, and
 * a bug that let guest code make a host call would find no network to
 * reach there. Only where persona may make them (as root); -1 otherwise. */
static const struct { int type; const char *name; } stub_ns[] = {
	{ CLONE_NEWNET, "net" }, { CLONE_NEWIPC, "ipc" }, { CLONE_NEWUTS, "uts" },
};
static int stub_ns_fd[ARRAY_SIZE(stub_ns)] = { -1, -1, -1 };

void stub_namespaces_init(void)
{
	int mine[ARRAY_SIZE(stub_ns)];
	char path[64];
	if (geteuid() != 0)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(stub_ns); i++) {
		snprintf(path, sizeof(path), "/proc/self/ns/%s", stub_ns[i].name);
		mine[i] = open(path, O_RDONLY | O_CLOEXEC);
	}
	/* persona is one thread: it may step into new namespaces, keep a
	 * handle on each, and step back into its own. */
	if (unshare(CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS) == 0) {
		for (size_t i = 0; i < ARRAY_SIZE(stub_ns); i++) {
			snprintf(path, sizeof(path), "/proc/self/ns/%s", stub_ns[i].name);
			stub_ns_fd[i] = open(path, O_RDONLY | O_CLOEXEC);
			if (mine[i] < 0 || setns(mine[i], stub_ns[i].type))
				kpanic("cannot return to persona's own %s namespace", stub_ns[i].name);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(stub_ns); i++)
		if (mine[i] >= 0)
			close(mine[i]);
}

/* In the new stub process, first. */
void stub_enter_namespaces(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(stub_ns); i++)
		if (stub_ns_fd[i] >= 0 && setns(stub_ns_fd[i], stub_ns[i].type))
			_exit(127);
}

/* In the new stub process, before it execs the stub: no way to gain
 * privileges, no capabilities left to gain on exec, few fds, and when
 * persona is root, not root either (a root without capabilities still owns
 * root's files): the stub runs as nobody. persona reaches it all the same
 * through ptrace and the fds it passes. */
void stub_drop_privileges(void)
{
	if (prctl(PR_CAPBSET_READ, CAP_SETPCAP, 0, 0, 0) == 1) {
		for (int cap = 0; cap <= 63; cap++)
			if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) && errno == EINVAL)
				break;
	}
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	if (geteuid() == 0) {
		/* A root without CAP_SETUID (some containers) stays root here,
		 * fenced all the same by the rest. */
		if (setgroups(0, NULL) == 0 && setresgid(STUB_UID, STUB_UID, STUB_UID) == 0)
			setresuid(STUB_UID, STUB_UID, STUB_UID);
		/* A change of ids clears the parent-death signal. */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
	}
	prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2] = { { 0 } };
	syscall(SYS_capset, &h, d);
	struct rlimit nofile = { 16, 16 };
	setrlimit(RLIMIT_NOFILE, &nofile);
	/* A guest can make host processes through the systrap stub's own
	 * clone, past persona's count of its processes: the host's count
	 * stops them at a quarter of the machine's pids. */
	struct rlimit nproc;
	long pid_max = 32768;
	FILE *f = fopen("/proc/sys/kernel/pid_max", "re");
	if (f) {
		if (fscanf(f, "%ld", &pid_max) != 1)
			pid_max = 32768;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NPROC, &nproc) == 0) {
		rlim_t cap = (rlim_t)MAX(pid_max / 4, 1024);
		nproc.rlim_cur = MIN(nproc.rlim_cur, cap);
		nproc.rlim_max = MIN(nproc.rlim_max, cap);
		setrlimit(RLIMIT_NPROC, &nproc);
	}
}
