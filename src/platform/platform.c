/* The platform in use, and what both platforms do the same way: host
 * process bookkeeping (kill, accounting, affinity) and guest memory through
 * process_vm_readv/writev. */
#include "platform_impl.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>
#include <cpuid.h>

static const struct platform *const platforms[] = { &systrap_platform, &ptrace_platform };
const char plat_names[] = "systrap, ptrace";
static const struct platform *cur;

int plat_select(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(platforms); i++) {
		const struct platform *p = platforms[i];
		if (name ? !strcmp(name, p->name) && p->available() : p->available()) {
			cur = p;
			return 0;
		}
	}
	return -1;
}

const char *plat_name(void)
{
	if (!cur)
		plat_select(NULL);
	return cur->name;
}

int plat_init(void)
{
	if (!cur && plat_select(NULL))
		kpanic("no platform can run guests on this host");
	return cur->init();
}

void plat_fd_ready(void) { cur->fd_ready(); }
bool plat_spin(void) { return cur->spin(); }
bool plat_sleep_begin(void) { return cur->sleep_begin(); }
void plat_sleep_end(void) { cur->sleep_end(); }

int plat_next_event(struct plat_event *ev)
{
	int got = cur->next_event(ev);
	if (got && ev->kind == PEV_EXITED)
		chan_drop(ev->tid);
	return got;
}

int plat_spawn(int *tid) { return cur->spawn(tid); }
int plat_get_regs(int tid, struct cpu_regs *r) { return cur->get_regs(tid, r); }
int plat_set_regs(int tid, const struct cpu_regs *r) { return cur->set_regs(tid, r); }
int plat_resume(int tid) { return cur->resume(tid); }
void plat_interrupt(int tid) { cur->interrupt(tid); }
size_t plat_fpstate_size(void) { return cur->fpstate_size(); }
int plat_get_fpstate(int tid, void *buf) { return cur->get_fpstate(tid, buf); }
int plat_set_fpstate(int tid, const void *buf) { return cur->set_fpstate(tid, buf); }
int plat_clone(int tid, unsigned long host_flags, int *child) { return cur->clone(tid, host_flags, child); }
void plat_exit_thread(int tid) { cur->exit_thread(tid); }
uint64_t plat_scratch(int tid) { return cur->scratch(tid); }
void *plat_scratch_ptr(int tid) { return cur->scratch_ptr ? cur->scratch_ptr(tid) : NULL; }
bool plat_has_map_fd(void) { return cur->map_sent_fd != NULL; }
long plat_map_sent_fd(int tid, const long args[6]) { return cur->map_sent_fd(tid, args); }

long plat_host_syscall(int tid, long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const long args[6] = { a0, a1, a2, a3, a4, a5 };
	return cur->host_syscall(tid, nr, args);
}

/* Signals the guest's code caused itself: these become guest signals. */
bool plat_is_fault(const siginfo_t *si)
{
	switch (si->si_signo) {
	case SIGSEGV: case SIGBUS: case SIGFPE: case SIGILL: case SIGTRAP:
	case SIGSYS:
		return si->si_code > 0 || si->si_code == SI_KERNEL;
	}
	return false;
}

size_t plat_xstate_size(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid_count(0xd, 0, &a, &b, &c, &d) || b < 512 + 64)
		return 512 + 64;	/* FXSAVE area and an XSAVE header */
	return b;
}

bool plat_patchable(void)
{
	static int on = -1;
	if (on < 0) {
		const char *e = getenv("PERSONA_PATCH");
		on = cur->patchable && !(e && strcmp(e, "0") == 0);
	}
	return on;
}

#define FP_XSTATE_MAGIC1 0x46505853U

void plat_fpstate_init(void *buf)
{
	size_t n = plat_fpstate_size();
	memset(buf, 0, n);
	*(uint16_t *)buf = 0x37f;			/* x87 control word */
	*(uint32_t *)((char *)buf + 24) = 0x1f80;	/* MXCSR */
	/* The software part of a signal frame's area (the XSAVE header's
	 * xstate_bv stays 0: every component in its initial state). */
	uint32_t *sw = (uint32_t *)((char *)buf + 464);
	sw[0] = FP_XSTATE_MAGIC1;
	sw[1] = (uint32_t)n + 4;			/* extended size */
	*(uint64_t *)&sw[2] = 3;			/* x87 and SSE */
	sw[4] = (uint32_t)n;
}

int plat_reset_fpstate(int tid)
{
	char *buf = xmalloc(plat_fpstate_size());
	plat_fpstate_init(buf);
	int err = plat_set_fpstate(tid, buf);
	free(buf);
	return err;
}

int stub_image_fd(const char *image, const char *end)
{
	int fd = memfd_create("persona-stub", MFD_CLOEXEC);
	if (fd < 0)
		kpanic("memfd_create: %s", strerror(errno));
	size_t n = end - image;
	if (write(fd, image, n) != (ssize_t)n)
		kpanic("writing the stub: %s", strerror(errno));
	return fd;
}

_Noreturn void stub_exec(int *fds, int n)
{
	/* Lift the fds clear of the low numbers first, so that placing one
	 * cannot close another. */
	for (int i = 0; i < n; i++)
		fds[i] = fcntl(fds[i], F_DUPFD_CLOEXEC, 100);
	for (int i = 0; i < n - 1; i++)
		dup2(fds[i], STUB_FIRST_FD + i);
	dup3(fds[n - 1], STUB_FIRST_FD + n - 1, O_CLOEXEC);
	syscall(SYS_close_range, STUB_FIRST_FD + n, ~0U, 0);
	for (int fd = 0; fd < STUB_FIRST_FD; fd++)
		close(fd);
	stub_drop_privileges();
	char *argv[] = { "persona-stub", NULL }, *envp[] = { NULL };
	syscall(SYS_execveat, STUB_FIRST_FD + n - 1, "", argv, envp, AT_EMPTY_PATH);
	_exit(127);
}

int sigchld_fd_open(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	int fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0)
		kpanic("signalfd: %s", strerror(errno));
	return fd;
}

int kernel_pid(void)
{
	static int pid;
	if (!pid)
		pid = getpid();
	return pid;
}

void plat_kill(int tid)
{
	if (tid > 0)	/* never a host process group or "everyone" */
		kill(tid, SIGKILL);
}

void plat_inherit(int from_tid, int to_tid)
{
	cpu_set_t set;
	if (sched_getaffinity(from_tid, sizeof(set), &set) == 0)
		sched_setaffinity(to_tid, sizeof(set), &set);
}

void plat_usage(int tid, uint64_t *utime, uint64_t *stime, uint64_t *maxrss_kb)
{
	char path[64], buf[1024];
	*utime = *stime = 0;
	if (maxrss_kb)
		*maxrss_kb = 0;
	snprintf(path, sizeof(path), "/proc/%d/stat", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	buf[n] = 0;
	/* Fields 14 and 15 (utime, stime) come after the ")" of the name. */
	char *p = strrchr(buf, ')');
	unsigned long long u, s;
	if (p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &u, &s) == 2) {
		*utime = u;
		*stime = s;
	}
	if (!maxrss_kb)
		return;
	snprintf(path, sizeof(path), "/proc/%d/status", tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return;
	char line[256];
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %llu", &u) == 1)
			*maxrss_kb = u;
	fclose(f);
}

long plat_read_mem(int tid, void *dst, uint64_t src, size_t n)
{
	struct iovec l = { dst, n }, r = { (void *)src, n };
	if (n == 0)
		return 0;
	ssize_t got = process_vm_readv(tid, &l, 1, &r, 1, 0);
	return got > 0 ? got : -EFAULT;
}

long plat_write_mem(int tid, uint64_t dst, const void *src, size_t n)
{
	struct iovec l = { (void *)src, n }, r = { (void *)dst, n };
	if (n == 0)
		return 0;
	ssize_t got = process_vm_writev(tid, &l, 1, &r, 1, 0);
	return got > 0 ? got : -EFAULT;
}

int plat_maps_fd(int tid)
{
	return cur->maps_fd ? cur->maps_fd(tid) : proc_maps_fd(tid);
}

int proc_maps_fd(int tid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/maps", tid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

