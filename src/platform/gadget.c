/* The ptrace platform's host system calls inside a guest process, run on
 * the stub's "syscall; int3" gadget with PTRACE_CONT.
 *
 * The guest is hostile and may leave its thread in any state before a
 * system call (a 32-bit code segment, the trap flag, an odd stack): the
 * gadget always runs with the 64-bit user segments, a fixed rip and clean
 * flags, and any stop but the gadget's own int3 ends the guest process
 * instead of being waited past. */
#include "platform_impl.h"
#include "../../stub/stub_layout.h"
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/ptrace.h>

/* ---- running the gadget ---- */

/* The guest process did something no honest stub does while the kernel
 * held it (or the host refused a call with SIGSYS): it dies. Its exit
 * reaches the kernel through the normal event path; waiting for it here
 * could block for good (a thread-group leader is reported last). */
static long gadget_abort(int tid)
{
	kill(tid, SIGKILL);
	return -ESRCH;
}

static long run_gadget(int tid, int *child)
{
	for (;;) {
		int st;
		if (waitpid(tid, &st, __WALL) < 0)
			return -ESRCH;
		if (WIFEXITED(st) || WIFSIGNALED(st)) {
			struct plat_event ev = { .kind = PEV_EXITED, .tid = tid, .status = st };
			ptrace_defer(&ev);
			return -ESRCH;
		}
		int sig = WSTOPSIG(st), event = st >> 16;
		if (child && (event == PTRACE_EVENT_FORK || event == PTRACE_EVENT_VFORK ||
			      event == PTRACE_EVENT_CLONE)) {
			unsigned long msg = 0;
			ptrace(PTRACE_GETEVENTMSG, tid, 0, &msg);
			*child = (int)msg;
		} else if (event == PTRACE_EVENT_STOP) {
			/* A plat_interrupt() sent before this call: report it
			 * so the kernel knows no interrupt is outstanding. */
			struct plat_event ev = { .kind = PEV_INTERRUPTED, .tid = tid };
			ptrace_defer(&ev);
		} else if (event == 0 && sig == SIGTRAP) {
			struct user_regs_struct r;
			if (ptrace(PTRACE_GETREGS, tid, 0, &r) || r.rip != STUB_SYSCALL_GADGET + 3)
				return gadget_abort(tid);
			return (long)r.rax;
		} else if (event) {
			return gadget_abort(tid);
		} else {
			siginfo_t si;
			if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) || plat_is_fault(&si))
				return gadget_abort(tid);
			/* A host signal (a child's SIGCHLD): dropped. */
		}
		if (ptrace(PTRACE_CONT, tid, 0, 0))
			return -ESRCH;
	}
}

/* Runs host system call `nr` in stopped thread `tid` on the stub's gadget
 * with fixed 64-bit segments and flags; *child learns a new thread made on
 * the way (clone). Anything unexpected kills the guest process. */
static long gadget_call(int tid, long nr, const long args[6], int *child)
{
	struct user_regs_struct saved, r;
	if (ptrace(PTRACE_GETREGS, tid, 0, &saved))
		return -ESRCH;
	r = saved;
	r.rax = nr;
	r.orig_rax = -1;
	r.rdi = args[0]; r.rsi = args[1]; r.rdx = args[2];
	r.r10 = args[3]; r.r8 = args[4]; r.r9 = args[5];
	r.rip = STUB_SYSCALL_GADGET;
	r.cs = USER_CS;
	r.ss = USER_DS;
	r.eflags = 0x202;	/* IF only: no trap flag, no direction flag */
	if (ptrace(PTRACE_SETREGS, tid, 0, &r) || ptrace(PTRACE_CONT, tid, 0, 0))
		return -ESRCH;
	long ret = run_gadget(tid, child);
	if (ret != -ESRCH && ptrace(PTRACE_SETREGS, tid, 0, &saved))
		return -ESRCH;
	return ret;
}

long ptrace_host_syscall(int tid, long nr, const long args[6])
{
	return gadget_call(tid, nr, args, NULL);
}

int ptrace_clone(int tid, unsigned long host_flags, int *child)
{
	/* Same stack, no tid writes: the kernel sets the child up itself. */
	const long args[6] = { (long)host_flags };
	*child = 0;
	long ret = gadget_call(tid, SYS_clone, args, child);
	if (ret < 0)
		return ret == -ESRCH ? -ESRCH : (int)ret;
	if (*child <= 0)
		return -EAGAIN;
	/* The child is auto-attached and stops before running anything. */
	for (;;) {
		int st;
		if (waitpid(*child, &st, __WALL) < 0)
			return -EAGAIN;
		if (WIFEXITED(st) || WIFSIGNALED(st))
			return -EAGAIN;
		if (WIFSTOPPED(st))
			break;
	}
	if (host_flags & CLONE_THREAD) {
		chan_share(tid, *child);
		return 0;
	}
	/* A child sharing its parent's memory (vfork, posix_spawn) is in the
	 * parent's trust already and will exec soon: it keeps the channel
	 * until it needs one. Any other child gets its own before it runs,
	 * so that no guest ever holds a socket another guest's files pass
	 * through. */
	if (chan_inherit(tid, *child) ||
	    (!(host_flags & CLONE_VM) && chan_make_own(*child))) {
		kill(*child, SIGKILL);
		return -EAGAIN;
	}
	return 0;
}

void ptrace_exit_thread(int tid)
{
	/* A thread-group leader that exits while other threads live stays a
	 * zombie the host reports only when the whole group is gone: waiting
	 * for it would block the kernel. It is left stopped instead, and dies
	 * with its process (the last thread's end kills the host process). */
	if (syscall(SYS_tgkill, tid, tid, 0) == 0)
		return;
	const long args[6] = { 0 };
	gadget_call(tid, SYS_exit, args, NULL);	/* its exit is deferred */
}

