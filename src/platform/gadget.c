/* Host system calls inside a guest process, run on the stub's
 * "syscall; int3" gadget with PTRACE_CONT, and the per-process control
 * channels that bring host fds into guest processes for mmap.
 *
 * The guest is hostile and may leave its thread in any state before a
 * system call (a 32-bit code segment, the trap flag, an odd stack): the
 * gadget always runs with the 64-bit user segments, a fixed rip and clean
 * flags, and any stop but the gadget's own int3 ends the guest process
 * instead of being waited past. Nothing the kernel learns here comes from
 * guest-writable memory unchecked: the stub's scratch page can change
 * under us at any time, so a received fd number is verified with kcmp(2). */
#include "ptrace_impl.h"
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
#include <linux/kcmp.h>
#include <linux/ptrace.h>

/* ---- per-process control channels ---- */

struct chan {
	int kfd;	/* the kernel's end of the socket pair */
	int refs;	/* host threads naming it */
	/* A child process still holding its parent's socket (kfd is a dup
	 * of the parent's end) until chan_own() gives it one of its own. */
	bool inherited;
};

struct chan_ref {
	int tid;
	struct chan *chan;
	struct chan_ref *next;
};

#define CHAN_BUCKETS 1024
static struct chan_ref *chan_table[CHAN_BUCKETS];

static struct chan_ref **chan_slot(int tid)
{
	struct chan_ref **p = &chan_table[(unsigned)tid % CHAN_BUCKETS];
	while (*p && (*p)->tid != tid)
		p = &(*p)->next;
	return p;
}

static void chan_link(int tid, struct chan *c)
{
	chan_drop(tid);	/* a recycled host tid */
	struct chan_ref *r = xzalloc(sizeof(*r));
	r->tid = tid;
	r->chan = c;
	c->refs++;
	struct chan_ref **head = &chan_table[(unsigned)tid % CHAN_BUCKETS];
	r->next = *head;
	*head = r;
}

void chan_add(int tid, int kfd)
{
	struct chan *c = xzalloc(sizeof(*c));
	c->kfd = kfd;
	chan_link(tid, c);
}

static struct chan *chan_of(int tid)
{
	struct chan_ref *r = *chan_slot(tid);
	return r ? r->chan : NULL;
}

static void chan_share(int from_tid, int to_tid)
{
	struct chan_ref *r = *chan_slot(from_tid);
	if (r)
		chan_link(to_tid, r->chan);
}


void chan_drop(int tid)
{
	struct chan_ref **p = chan_slot(tid), *r = *p;
	if (!r)
		return;
	*p = r->next;
	if (--r->chan->refs == 0) {
		close(r->chan->kfd);
		free(r->chan);
	}
	free(r);
}

static int chan_own(int tid, struct chan *c);

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
			chan_drop(tid);
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
			if (ptrace(PTRACE_GETSIGINFO, tid, 0, &si) || ptrace_is_fault(&si))
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

long plat_host_syscall(int tid, long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	const long args[6] = { a0, a1, a2, a3, a4, a5 };
	return gadget_call(tid, nr, args, NULL);
}

int plat_clone(int tid, unsigned long host_flags, int *child)
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
	struct chan *parent = chan_of(tid);
	int kfd = parent ? fcntl(parent->kfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (kfd < 0) {
		kill(*child, SIGKILL);
		return -EAGAIN;
	}
	chan_add(*child, kfd);
	struct chan *c = chan_of(*child);
	c->inherited = true;
	/* A child sharing its parent's memory (vfork, posix_spawn) is in the
	 * parent's trust already and will exec soon: it keeps the channel
	 * until it needs one. Any other child gets its own before it runs,
	 * so that no guest ever holds a socket another guest's files pass
	 * through. */
	if (!(host_flags & CLONE_VM) && chan_own(*child, c)) {
		kill(*child, SIGKILL);
		return -EAGAIN;
	}
	return 0;
}

void plat_exit_thread(int tid)
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

/* ---- passing host fds ---- */

/* Whether fd `gfd` of guest thread `tid` is the open file `fd` of ours:
 * kcmp(2), or where the host has no kcmp, the same inode. */
static bool same_file(int tid, int gfd, int fd)
{
	long r = syscall(SYS_kcmp, getpid(), tid, KCMP_FILE, fd, gfd);
	if (r >= 0 || errno != ENOSYS)
		return r == 0;
	char path[64];
	struct stat theirs, ours;
	snprintf(path, sizeof(path), "/proc/%d/fd/%d", tid, gfd);
	return stat(path, &theirs) == 0 && fstat(fd, &ours) == 0 &&
	       theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino;
}

/* Runs recvmsg on the control channel in guest thread `tid`; returns the
 * fd number the guest's memory then shows, or -errno. */
static int recv_fd(int tid)
{
	struct { struct msghdr mh; struct iovec iov; char data[8];
		 union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } ctl; } g;
	memset(&g, 0, sizeof(g));
	uint64_t base = STUB_SCRATCH;
	g.iov.iov_base = (void *)(base + offsetof(__typeof__(g), data));
	g.iov.iov_len = 1;
	g.mh.msg_iov = (void *)(base + offsetof(__typeof__(g), iov));
	g.mh.msg_iovlen = 1;
	g.mh.msg_control = (void *)(base + offsetof(__typeof__(g), ctl));
	g.mh.msg_controllen = sizeof(g.ctl.buf);
	if (plat_write_mem(tid, base, &g, sizeof(g)) != sizeof(g))
		return -EFAULT;
	long r = plat_host_syscall(tid, SYS_recvmsg, STUB_CTL_FD, base,
				   MSG_CMSG_CLOEXEC | MSG_DONTWAIT, 0, 0, 0);
	if (r < 0)
		return (int)r;
	if (plat_read_mem(tid, &g, base, sizeof(g)) != sizeof(g))
		return -EFAULT;
	int gfd;
	memcpy(&gfd, CMSG_DATA((struct cmsghdr *)g.ctl.buf), sizeof(int));
	return gfd;
}

/* Sends `fd` over channel `kfd` and receives it in guest thread `tid`;
 * returns its number there. */
static int pass_fd_over(int kfd, int tid, int fd)
{
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = sizeof(u.buf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	if (sendmsg(kfd, &mh, MSG_DONTWAIT) != 1)
		return -errno;

	/* Receive in the guest until this very file comes out. The scratch
	 * page is the guest's and may change at any moment: a number read
	 * from it counts only if kcmp says it is our file, and a message an
	 * earlier receive left behind (a guest can make the host refuse a
	 * receive before it takes the message) is taken and closed. */
	for (int tries = 0; tries < 16; tries++) {
		int gfd = recv_fd(tid);
		if (gfd == -EAGAIN)
			break;	/* the queue is empty: ours is gone */
		if (gfd >= 0 && same_file(tid, gfd, fd))
			return gfd;
		if (gfd > STUB_CTL_FD)
			plat_host_syscall(tid, SYS_close, gfd, 0, 0, 0, 0, 0);
	}
	return -EFAULT;
}

/* Gives the forked process of `tid`, which still holds a copy of its
 * parent's socket, a channel of its own. */
static int chan_own(int tid, struct chan *c)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv))
		return -errno;
	int gfd = pass_fd_over(c->kfd, tid, sv[1]);
	close(sv[1]);
	if (gfd < 0) {
		close(sv[0]);
		return gfd;
	}
	/* dup2 drops the copy of the parent's channel in one step. */
	long r = plat_host_syscall(tid, SYS_dup2, gfd, STUB_CTL_FD, 0, 0, 0, 0);
	if (r == STUB_CTL_FD)
		r = plat_host_syscall(tid, SYS_close, gfd, 0, 0, 0, 0, 0);
	if (r < 0) {
		close(sv[0]);
		return (int)r;
	}
	close(c->kfd);
	c->kfd = sv[0];
	c->inherited = false;
	return 0;
}

int plat_pass_fd(int tid, int fd)
{
	struct chan *c = chan_of(tid);
	if (!c)
		return -ESRCH;
	int err = c->inherited ? chan_own(tid, c) : 0;
	return err ? err : pass_fd_over(c->kfd, tid, fd);
}
