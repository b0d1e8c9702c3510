/* The socket file and the calls that make and name sockets: socket,
 * socketpair, bind, listen, accept, accept4, connect, shutdown,
 * getsockname, getpeername (man 2 of each), in the order of checks of
 * Linux's net/socket.c. A socket is a file of no filesystem whose priv is
 * its struct sock; fstat shows an S_IFSOCK inode of "sockfs" and
 * /proc/<pid>/fd shows "socket:[INO]", as in Linux. */
#include "socket.h"
#include "anon_inode.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>

static struct super_block *sockfs_sb;
static uint64_t next_ino = 10000;
static uint64_t next_cookie = 1;

void sock_init(struct sock *sk, const struct proto_ops *ops, int family, int type, int protocol)
{
	sk->refs = 1;
	sk->ops = ops;
	sk->family = family;
	sk->type = type;
	sk->protocol = protocol;
	sk->state = SK_CLOSE;
	sk->sndbuf = SOCK_DEF_BUF;
	sk->rcvbuf = SOCK_DEF_BUF;
	sk->rcvlowat = 1;
	sk->rcvtimeo = sk->sndtimeo = TIMEO_FOREVER;
	sk->peercred = (struct linux_ucred){ 0, (uint32_t)-1, (uint32_t)-1 };
	sk->cookie = next_cookie++;
	waitq_init(&sk->wait);
}

struct sock *sock_hold(struct sock *sk)
{
	sk->refs++;
	return sk;
}

void sock_put(struct sock *sk)
{
	if (!sk || --sk->refs)
		return;
	/* Nobody may stay parked on a queue that is about to go. */
	wake_up(&sk->wait);
	sk->ops->destroy(sk);
}

/* A socket that never got a file goes as a closed one does. */
static void sock_discard(struct sock *sk)
{
	if (!sk)
		return;
	sk->ops->release(sk);
	sock_put(sk);
}

int sock_error(struct sock *sk)
{
	int err = sk->err;
	sk->err = 0;
	return -err;
}

/* ---- waiting, and calls that wait part way ---- */

long sock_wait(struct task *t, struct waitq *q, int64_t timeo)
{
	if (timeo == 0)
		return -EAGAIN;
	if (timeo > 0) {
		if (!t->rerun) {
			struct timespec d = { timeo / 1000000000, timeo % 1000000000 };
			t->deadline = ts_add(mono_now(), d);
		} else if (t->timed_out || ts_cmp(mono_now(), t->deadline) >= 0) {
			return -EAGAIN;
		}
		wait_until(t, &t->deadline);
		/* A wait with a timeout ends in EINTR, not a restart (Linux's
		 * sock_intr_errno). */
		t->restart_code = EINTR;
	}
	wait_on(t, q);
	return -EWOULDBLOCK_TASK;
}

/* How far a call got before it waited: one record per waiting task,
 * valid while that task sits in the same call (as fifo.c's openers). */
struct progress {
	struct list_head node;
	struct task *t;
	int tid;
	long sysno;
	struct sysargs args;
	size_t done;
};
static struct list_head progress_list = LIST_HEAD_INIT(progress_list);

/* Whether the task of a record still sits in the call it was made in. */
static bool progress_live(struct progress *p)
{
	struct task *o = task_by_tid(p->tid);
	return o == p->t && (o->state == TASK_BLOCKED || o->state == TASK_READY) &&
	       o->sysno == p->sysno && !memcmp(&o->args, &p->args, sizeof(p->args));
}

size_t sock_progress_take(struct task *t, const struct kmsg *m)
{
	size_t done = 0;
	struct progress *p, *n;
	list_for_each_entry_safe(p, n, &progress_list, node) {
		if (p->t == t) {
			if (t->rerun && t->sysno == p->sysno && m->data.t &&
			    !memcmp(&t->args, &p->args, sizeof(p->args)))
				done = p->done;
		} else if (progress_live(p)) {
			continue;
		}
		list_del(&p->node);
		free(p);
	}
	return done;
}

long sock_io_end(struct task *t, const struct kmsg *m, size_t done, long err)
{
	if (!done)
		return err;
	/* Kernel buffers (sendfile) come back short rather than wait. */
	if (err != -EWOULDBLOCK_TASK || !m->data.t) {
		if (err == -EWOULDBLOCK_TASK)
			task_unwait(t);
		return done;
	}
	/* Interrupted after some went: the count, as Linux returns it. */
	if (signal_pending(t)) {
		task_unwait(t);
		return done;
	}
	struct progress *p = xzalloc(sizeof(*p));
	p->t = t;
	p->tid = t->tid;
	p->sysno = t->sysno;
	p->args = t->args;
	p->done = done;
	list_add_tail(&p->node, &progress_list);
	return err;
}

/* ---- the socket file ---- */

static const struct file_ops sock_fops;

struct sock *sock_of(struct file *f)
{
	return f && f->ops == &sock_fops ? f->priv : NULL;
}

struct file *sockfd_get(struct task *t, int fd, long *err)
{
	struct file *f = fd_get_io(t, fd);
	*err = f ? -ENOTSOCK : -EBADF;
	if (f && !sock_of(f)) {
		file_put(f);
		return NULL;
	}
	return f;
}

char *sock_link_name(struct file *f)
{
	char buf[48];
	snprintf(buf, sizeof(buf), "socket:[%lu]", (unsigned long)sock_of(f)->ino);
	return xstrdup(buf);
}

/* read() and write() with kernel buffers (sendfile, splice). */
static ssize_t sock_kio(struct file *f, char *buf, size_t n, bool write)
{
	struct sock *sk = f->priv;
	struct iovec v = { buf, n };
	struct kmsg m = { .len = n, .no_cmsg = true };
	uio_init(&m.data, NULL, &v, 1);
	m.flags = f->flags & O_NONBLOCK ? MSG_DONTWAIT : 0;
	long r = write ? sk->ops->sendmsg(sk, current, &m) : sk->ops->recvmsg(sk, current, &m);
	scm_destroy(&m.scm);
	return r;
}

static ssize_t sock_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	return sock_kio(f, buf, n, false);
}

static ssize_t sock_write(struct file *f, const char *buf, size_t n, uint64_t *pos UNUSED)
{
	return sock_kio(f, (char *)buf, n, true);
}

/* read, write, readv, writev: one message of the whole vector, as
 * Linux's sock_read_iter and sock_write_iter make it. */
static long sock_rw_iov(struct file *f, struct task *t, const struct iovec *iov, int cnt, bool write)
{
	struct sock *sk = f->priv;
	struct kmsg m = { .no_cmsg = true };
	uio_init(&m.data, t, iov, cnt);
	m.len = m.data.left;
	m.flags = f->flags & O_NONBLOCK ? MSG_DONTWAIT : 0;
	if (write)
		return sk->ops->sendmsg(sk, t, &m);
	if (!m.len)
		return 0;	/* as Linux: a zero read asks nothing */
	long r = sk->ops->recvmsg(sk, t, &m);
	scm_destroy(&m.scm);	/* read() drops passed files */
	return r;
}

static unsigned sock_poll(struct file *f, struct poll_table *pt)
{
	struct sock *sk = f->priv;
	return sk->ops->poll(sk, pt);
}

static long sock_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct sock *sk = f->priv;
	long r = sk->ops->ioctl ? sk->ops->ioctl(sk, t, cmd, arg) : -ENOTTY;
	return r;
}

static int sock_getattr(struct file *f, struct kstat *st)
{
	struct sock *sk = f->priv;
	st->dev = sockfs_sb->dev;
	st->ino = sk->ino;
	st->mode = S_IFSOCK | 0777;
	st->nlink = 1;
	st->uid = sk->uid;
	st->gid = sk->gid;
	st->blksize = PAGE_SIZE;
	st->atime = st->mtime = st->ctime = sk->time;
	return 0;
}

static void sock_release(struct file *f)
{
	struct sock *sk = f->priv;
	sk->file = NULL;
	sk->ops->release(sk);
	sock_put(sk);
}

static const struct file_ops sock_fops = {
	.read = sock_read, .write = sock_write, .rw_iov = sock_rw_iov,
	.ioctl = sock_ioctl, .getattr = sock_getattr, .release = sock_release,
	.poll = sock_poll, .link_name = sock_link_name,
};

struct file *sock_file_new(struct sock *sk, unsigned flags)
{
	if (!sockfs_sb)
		sockfs_sb = sb_new("sockfs");
	struct file *f = file_alloc();
	f->ops = &sock_fops;
	f->priv = sk;
	f->flags = O_RDWR | (flags & SOCK_NONBLOCK ? O_NONBLOCK : 0);
	sk->file = f;
	sk->ino = next_ino++;
	if (current) {
		sk->uid = current->proc->euid;
		sk->gid = current->proc->egid;
	}
	clock_gettime(CLOCK_REALTIME, &sk->time);
	return f;
}

/* ---- fds made before the socket, as Linux reserves them ---- */

/* Takes the lowest free fd for a file to come (a placeholder with no
 * ops stands in it; the guest never runs in between). */
static int fd_reserve(struct task *t, bool cloexec)
{
	struct file *f = file_alloc();
	int fd = fd_install(t, f, 0, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

static void fd_fill(struct task *t, int fd, struct file *f, bool cloexec)
{
	fd_install_at(t, f, fd, cloexec);
}

/* ---- addresses ---- */

int move_addr_to_kernel(struct task *t, uaddr_t uaddr, int len, struct linux_sockaddr_storage *a)
{
	memset(a, 0, sizeof(*a));
	if (len < 0 || len > (int)sizeof(*a))
		return -EINVAL;
	if (len && copy_from_user(t, a, uaddr, len))
		return -EFAULT;
	return 0;
}

/* Linux's move_addr_to_user: copies what fits, reports the full length. */
int move_addr_to_user(struct task *t, const struct linux_sockaddr_storage *a, int klen,
		      uaddr_t uaddr, uaddr_t ulen)
{
	int len;
	if (copy_from_user(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len > klen)
		len = klen;
	if (len < 0)
		return -EINVAL;
	if (len && copy_to_user(t, uaddr, a, len))
		return -EFAULT;
	return copy_to_user(t, ulen, &klen, sizeof(klen)) ? -EFAULT : 0;
}

/* ---- socket, socketpair ---- */

static int sock_create(int family, int type, int protocol, struct sock **out)
{
	if (family < 0 || family >= LINUX_AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= LINUX_SOCK_MAX)
		return -EINVAL;
	switch (family) {
	case AF_UNIX:
		return unix_create(type, protocol, out);
	}
	return -EAFNOSUPPORT;	/* AF_INET, AF_NETLINK, ...: not yet */
}

long sys_socket(struct task *t, const struct sysargs *a)
{
	int family = (int)a->a[0], type = (int)a->a[1], protocol = (int)a->a[2];
	int flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct sock *sk;
	int err = sock_create(family, type & SOCK_TYPE_MASK, protocol, &sk);
	if (err)
		return err;
	struct file *f = sock_file_new(sk, flags);
	int fd = fd_install(t, f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_socketpair(struct task *t, const struct sysargs *a)
{
	int family = (int)a->a[0], type = (int)a->a[1], protocol = (int)a->a[2];
	int flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	bool cloexec = flags & SOCK_CLOEXEC;
	/* Linux reserves both fds and writes them out before it makes the
	 * sockets: EMFILE and EFAULT come before EAFNOSUPPORT. */
	int fds[2] = { fd_reserve(t, cloexec), -1 };
	if (fds[0] < 0)
		return fds[0];
	if ((fds[1] = fd_reserve(t, cloexec)) < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	struct sock *sa = NULL, *sb = NULL;
	long err = copy_to_user(t, a->a[3], fds, sizeof(fds)) ? -EFAULT : 0;
	if (!err)
		err = sock_create(family, type & SOCK_TYPE_MASK, protocol, &sa);
	if (!err)
		err = sock_create(family, type & SOCK_TYPE_MASK, protocol, &sb);
	if (!err)
		err = sa->ops->socketpair ? sa->ops->socketpair(sa, sb) : -EOPNOTSUPP;
	if (err) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		sock_discard(sa);
		sock_discard(sb);
		return err;
	}
	fd_fill(t, fds[0], sock_file_new(sa, flags), cloexec);
	fd_fill(t, fds[1], sock_file_new(sb, flags), cloexec);
	return 0;
}

/* ---- bind, connect, listen, shutdown, names ---- */

long sys_bind(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	struct linux_sockaddr_storage addr;
	err = move_addr_to_kernel(t, a->a[1], (int)a->a[2], &addr);
	if (!err)
		err = sk->ops->bind ? sk->ops->bind(sk, t, &addr, (int)a->a[2]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_connect(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get_io(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	struct linux_sockaddr_storage addr;
	long err = move_addr_to_kernel(t, a->a[1], (int)a->a[2], &addr);
	struct sock *sk = sock_of(f);
	if (!err && !sk)
		err = -ENOTSOCK;
	if (!err)
		err = sk->ops->connect ? sk->ops->connect(sk, t, &addr, (int)a->a[2],
							  f->flags & O_NONBLOCK) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_listen(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	int backlog = (int)a->a[1];
	if ((unsigned)backlog > LINUX_SOMAXCONN)
		backlog = LINUX_SOMAXCONN;
	err = sk->ops->listen ? sk->ops->listen(sk, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_shutdown(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	err = sk->ops->shutdown ? sk->ops->shutdown(sk, (int)a->a[1]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long do_getname(struct task *t, const struct sysargs *a, bool peer)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	struct linux_sockaddr_storage addr;
	memset(&addr, 0, sizeof(addr));
	int len = sk->ops->getname(sk, &addr, peer);
	err = len < 0 ? len : move_addr_to_user(t, &addr, len, a->a[1], a->a[2]);
	file_put(f);
	return err;
}

long sys_getsockname(struct task *t, const struct sysargs *a) { return do_getname(t, a, false); }
long sys_getpeername(struct task *t, const struct sysargs *a) { return do_getname(t, a, true); }

/* ---- accept, accept4 ---- */

/* Hands out the new connection: its file at the reserved fd, and the
 * peer's name if asked (a failure there loses the connection, as in
 * Linux). */
static long accepted(struct task *t, struct sock *conn, int fd, int flags, uaddr_t uaddr,
		     uaddr_t ulen)
{
	struct file *nf = sock_file_new(conn, flags);
	if (uaddr) {
		struct linux_sockaddr_storage addr;
		memset(&addr, 0, sizeof(addr));
		int len = conn->ops->getname(conn, &addr, true);
		long err = len < 0 ? -ECONNABORTED : move_addr_to_user(t, &addr, len, uaddr, ulen);
		if (err) {
			fd_close(t, fd);
			file_put(nf);
			return err;
		}
	}
	fd_fill(t, fd, nf, flags & SOCK_CLOEXEC);
	return fd;
}

static long do_accept4(struct task *t, int lfd, uaddr_t uaddr, uaddr_t ulen, int flags)
{
	struct file *f = fd_get_io(t, lfd);
	if (!f)
		return -EBADF;
	long err = -EINVAL;
	int fd = -1;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		goto out;
	if ((err = fd = fd_reserve(t, flags & SOCK_CLOEXEC)) < 0)
		goto out;
	struct sock *sk = sock_of(f), *conn;
	err = !sk ? -ENOTSOCK : !sk->ops->accept ? -EOPNOTSUPP
	      : sk->ops->accept(sk, t, f->flags & O_NONBLOCK, &conn);
	if (err) {
		fd_close(t, fd);
		goto out;
	}
	err = accepted(t, conn, fd, flags, uaddr, ulen);
out:
	file_put(f);
	return err;
}

long sys_accept(struct task *t, const struct sysargs *a)
{
	return do_accept4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

long sys_accept4(struct task *t, const struct sysargs *a)
{
	return do_accept4(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}
