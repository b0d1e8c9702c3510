/* Per-process control channels: a socket pair per guest process over
 * which the kernel passes host fds into it (for file-backed mappings); the
 * guest's end is its fd STUB_CTL_FD. Shared by both platforms: the receive
 * is a host call made through the platform.
 *
 * Nothing the kernel learns here comes from guest-writable memory
 * unchecked: the scratch memory can change under us at any time, so a
 * received fd number is verified with kcmp(2). */
#include "platform_impl.h"
#include "../../stub/stub_layout.h"
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kcmp.h>

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

void chan_share(int from_tid, int to_tid)
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
/* Whether fd `gfd` of guest thread `tid` is the open file `fd` of ours:
 * kcmp(2), or where the host has no kcmp, the same inode. */
static bool same_file(int tid, int gfd, int fd)
{
	long r = syscall(SYS_kcmp, kernel_pid(), tid, KCMP_FILE, fd, gfd);
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
	uint64_t base = plat_scratch(tid);
	g.iov.iov_base = (void *)(base + offsetof(__typeof__(g), data));
	g.iov.iov_len = 1;
	g.mh.msg_iov = (void *)(base + offsetof(__typeof__(g), iov));
	g.mh.msg_iovlen = 1;
	g.mh.msg_control = (void *)(base + offsetof(__typeof__(g), ctl));
	g.mh.msg_controllen = sizeof(g.ctl.buf);
	/* systrap's scratch is in memory the kernel maps too */
	void *direct = plat_scratch_ptr(tid);
	if (direct)
		memcpy(direct, &g, sizeof(g));
	else if (plat_write_mem(tid, base, &g, sizeof(g)) != sizeof(g))
		return -EFAULT;
	long r = plat_host_syscall(tid, SYS_recvmsg, STUB_CTL_FD, base,
				   MSG_CMSG_CLOEXEC | MSG_DONTWAIT, 0, 0, 0);
	if (r < 0)
		return (int)r;
	if (direct)
		memcpy(&g, direct, sizeof(g));
	else if (plat_read_mem(tid, &g, base, sizeof(g)) != sizeof(g))
		return -EFAULT;
	int gfd;
	memcpy(&gfd, CMSG_DATA((struct cmsghdr *)g.ctl.buf), sizeof(int));
	return gfd;
}

/* Sends `fd` over channel `kfd`. */
static int send_fd(int kfd, int fd)
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
	return sendmsg(kfd, &mh, MSG_DONTWAIT) == 1 ? 0 : -errno;
}

/* Sends `fd` over channel `kfd` and receives it in guest thread `tid`;
 * returns its number there. */
static int pass_fd_over(int kfd, int tid, int fd)
{
	int err = send_fd(kfd, fd);
	if (err)
		return err;

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

/* The channel of `tid`, its own (not one it shares with its parent). */
static struct chan *own_chan(int tid, int *err)
{
	struct chan *c = chan_of(tid);
	*err = !c ? -ESRCH : c->inherited ? chan_own(tid, c) : 0;
	return *err ? NULL : c;
}

long plat_map_fd(int tid, int fd, uint64_t addr, size_t len, int prot, int flags, uint64_t off)
{
	int err;
	struct chan *c = own_chan(tid, &err);
	if (!c)
		return err;
	const long args[6] = { (long)addr, (long)len, prot, flags, (long)off };
	if (plat_has_map_fd())	/* one hand-over: receive, map, close */
		return (err = send_fd(c->kfd, fd)) ? err : plat_map_sent_fd(tid, args);
	int gfd = pass_fd_over(c->kfd, tid, fd);
	if (gfd < 0)
		return gfd;
	long r = plat_host_syscall(tid, SYS_mmap, addr, len, prot, flags, gfd, off);
	plat_host_syscall(tid, SYS_close, gfd, 0, 0, 0, 0, 0);
	return r;
}

int chan_inherit(int parent_tid, int child_tid)
{
	struct chan *parent = chan_of(parent_tid);
	int kfd = parent ? fcntl(parent->kfd, F_DUPFD_CLOEXEC, 0) : -1;
	if (kfd < 0)
		return -EAGAIN;
	chan_add(child_tid, kfd);
	chan_of(child_tid)->inherited = true;
	return 0;
}

int chan_make_own(int tid)
{
	struct chan *c = chan_of(tid);
	return c ? chan_own(tid, c) : -ESRCH;
}

int chan_kfd(int tid)
{
	struct chan *c = chan_of(tid);
	return c ? c->kfd : -1;
}
