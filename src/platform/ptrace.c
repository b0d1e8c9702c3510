/* The ptrace platform. Every guest thread is a host thread seized with
 * PTRACE_SEIZE and run with PTRACE_SYSEMU, so the host kernel stops it at
 * each system call and never executes the call itself. Host system calls
 * the kernel needs inside a guest process (mmap and friends) run on the
 * stub's "syscall; int3" gadget with PTRACE_CONT (gadget.c), under the
 * host's own fence around every stub process (confine.c).
 *
 * Host signals never reach guests as host signals: faults become events
 * for the kernel, everything else is dropped. The guests' host processes
 * ignore SIGCHLD, so host children that exit are reaped by the host at
 * once and no host zombies pile up behind the guest's own process tree. */
#include "platform_impl.h"
#include "../../stub/stub_layout.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <sys/prctl.h>
#include <sched.h>
#include <unistd.h>
#include <linux/ptrace.h>
#include <elf.h>

extern const char stub_image[], stub_image_end[];

static int stub_memfd = -1;
static int sigchld_fd = -1;

/* Events taken off waitpid() while waiting for something else. */
static struct plat_event *deferred;
static size_t ndeferred, deferred_cap;

void ptrace_defer(const struct plat_event *ev)
{
	if (ndeferred == deferred_cap) {
		deferred_cap = deferred_cap ? 2 * deferred_cap : 16;
		deferred = xrealloc(deferred, deferred_cap * sizeof(*ev));
	}
	deferred[ndeferred++] = *ev;
}

static int ptrace_init(void)
{
	stub_memfd = stub_image_fd(stub_image, stub_image_end);
	stub_namespaces_init();
	return sigchld_fd = sigchld_fd_open();
}

static void drain_sigchld(void)
{
	struct signalfd_siginfo si[8];
	while (read(sigchld_fd, si, sizeof(si)) > 0)
		;
}

/* Turns one waitpid() status into an event; returns 0 when the stop was
 * handled here (and the thread resumed), 1 when `ev` holds an event. */
static int decode(int tid, int st, struct plat_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->tid = tid;
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		ev->kind = PEV_EXITED;
		ev->status = st;
		return 1;
	}
	int sig = WSTOPSIG(st), event = st >> 16;
	if (sig == (SIGTRAP | 0x80)) {
		ev->kind = PEV_SYSCALL;
		if (ptrace(PTRACE_GETREGS, tid, 0, &ev->regs.r))
			return 0;	/* gone under us: its exit follows */
		/* The `syscall` instruction leaves the return address in rcx;
		 * int 0x80, sysenter, and anything run in a 32-bit code
		 * segment are calls into the ia32 table instead. */
		ev->compat = ev->regs.r.cs != USER_CS || ev->regs.r.rcx != ev->regs.r.rip;
		return 1;
	}
	if (event == PTRACE_EVENT_STOP) {
		ev->kind = PEV_INTERRUPTED;
		return 1;
	}
	if (event) {	/* other ptrace events: keep going */
		ptrace(PTRACE_SYSEMU, tid, 0, 0);
		return 0;
	}
	if (ptrace(PTRACE_GETSIGINFO, tid, 0, &ev->si) == 0 && plat_is_fault(&ev->si)) {
		ev->kind = PEV_SIGNAL;
		ev->sig = sig;
		return 1;
	}
	ptrace(PTRACE_SYSEMU, tid, 0, 0);	/* drop the host signal */
	return 0;
}

/* Whether the SIGCHLD fd was readable since plat_next_event last found
 * nothing: waitpid is worth asking only then. */
static bool sigchld_seen;

static int ptrace_next_event(struct plat_event *ev)
{
	if (ndeferred) {
		*ev = deferred[0];
		memmove(deferred, deferred + 1, --ndeferred * sizeof(*ev));
		return 1;
	}
	if (!sigchld_seen)
		return 0;
	bool drained = false;
	for (;;) {
		int st;
		int tid = waitpid(-1, &st, __WALL | WNOHANG);
		if (tid > 0) {
			if (decode(tid, st, ev))
				return 1;
			continue;
		}
		if (tid < 0 && errno == EINTR)
			continue;
		/* Nothing now. Drain the wakeup once, then look once more: a
		 * child that stops after the drain leaves a fresh SIGCHLD for
		 * the loop; draining again could eat that one. */
		if (drained)
			break;
		drain_sigchld();
		drained = true;
	}
	sigchld_seen = false;
	return 0;
}

static int ptrace_spawn(int *out_tid)
{
	int go[2], ctl_sock[2];	/* [0] the kernel's end, [1] the guest's */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl_sock))
		return -errno;
	if (pipe2(go, O_CLOEXEC)) {
		int e = errno;
		close(ctl_sock[0]);
		close(ctl_sock[1]);
		return -e;
	}
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]);
		close(go[1]);
		close(ctl_sock[0]);
		close(ctl_sock[1]);
		return -e;
	}
	if (pid == 0) {
		stub_enter_namespaces();
		char c;
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setsid();	/* terminal signals go to the kernel, not here */
		signal(SIGCHLD, SIG_IGN);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		_Static_assert(STUB_CTL_FD == STUB_FIRST_FD, "the channel is the stub's first fd");
		int fds[2] = { ctl_sock[1], stub_memfd };
		stub_exec(fds, 2);
	}
	close(go[0]);
	close(ctl_sock[1]);
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEEXEC |
		    PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK;
	if (ptrace(PTRACE_SEIZE, pid, 0, opts)) {
		int e = errno;
		kill(pid, SIGKILL);
		close(go[1]);
		close(ctl_sock[0]);
		waitpid(pid, NULL, 0);
		return -e;
	}
	ssize_t w = write(go[1], "g", 1);
	close(go[1]);
	(void)w;
	/* Run through the exec event to the stub's first int3. */
	for (;;) {
		int st;
		if (waitpid(pid, &st, __WALL) < 0) {
			close(ctl_sock[0]);
			return -errno;
		}
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			close(ctl_sock[0]);
			return -ENOEXEC;
		}
		if (WSTOPSIG(st) == SIGTRAP && (st >> 16) == 0)
			break;
		ptrace(PTRACE_CONT, pid, 0, 0);
	}
	chan_add(pid, ctl_sock[0]);
	int err = stub_confine(pid);
	if (err) {
		kill(pid, SIGKILL);
		return err;
	}
	*out_tid = pid;
	return 0;
}

static int ptrace_get_regs(int tid, struct cpu_regs *r)
{
	return ptrace(PTRACE_GETREGS, tid, 0, &r->r) ? -errno : 0;
}

static int ptrace_set_regs(int tid, const struct cpu_regs *r)
{
	return ptrace(PTRACE_SETREGS, tid, 0, &r->r) ? -errno : 0;
}

static int ptrace_resume(int tid)
{
	return ptrace(PTRACE_SYSEMU, tid, 0, 0) ? -errno : 0;
}

static void ptrace_interrupt(int tid)
{
	ptrace(PTRACE_INTERRUPT, tid, 0, 0);
}

static size_t xstate_size;

static size_t ptrace_fpstate_size(void)
{
	return xstate_size ? xstate_size : 65536;
}

static int ptrace_get_fpstate(int tid, void *buf)
{
	struct iovec iov = { buf, ptrace_fpstate_size() };
	if (ptrace(PTRACE_GETREGSET, tid, NT_X86_XSTATE, &iov))
		return -errno;
	if (!xstate_size)
		xstate_size = iov.iov_len;	/* the host says how big it is */
	return 0;
}

static int ptrace_set_fpstate(int tid, const void *buf)
{
	struct iovec iov = { (void *)buf, ptrace_fpstate_size() };
	return ptrace(PTRACE_SETREGSET, tid, NT_X86_XSTATE, &iov) ? -errno : 0;
}

static bool ptrace_available(void) { return true; }
static bool ptrace_spin(void) { return false; }
static bool ptrace_sleep_begin(void) { return true; }
static void ptrace_sleep_end(void) { }
static void ptrace_fd_ready(void) { sigchld_seen = true; }
static uint64_t ptrace_scratch(int tid) { (void)tid; return STUB_SCRATCH; }

const struct platform ptrace_platform = {
	.name = "ptrace",
	.available = ptrace_available,
	.init = ptrace_init,
	.fd_ready = ptrace_fd_ready,
	.spin = ptrace_spin,
	.sleep_begin = ptrace_sleep_begin,
	.sleep_end = ptrace_sleep_end,
	.next_event = ptrace_next_event,
	.spawn = ptrace_spawn,
	.get_regs = ptrace_get_regs,
	.set_regs = ptrace_set_regs,
	.resume = ptrace_resume,
	.interrupt = ptrace_interrupt,
	.fpstate_size = ptrace_fpstate_size,
	.get_fpstate = ptrace_get_fpstate,
	.set_fpstate = ptrace_set_fpstate,
	.host_syscall = ptrace_host_syscall,
	.clone = ptrace_clone,
	.exit_thread = ptrace_exit_thread,
	.scratch = ptrace_scratch,
};
