/* The socket file, and what every family shares: reference counting,
 * waiting with SO_RCVTIMEO/SO_SNDTIMEO, calls that wait part way, and
 * addresses in and out. A socket is a file of no filesystem whose priv
 * is its struct sock; fstat shows an S_IFSOCK inode of "sockfs" and
 * /proc/<pid>/fd shows "socket:[INO]", as in Linux. */
#include "socket.h"
#include "anon_inode.h"
#include "uaccess.h"
#include <fcntl.h>

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


int sock_error(struct sock *sk)
{
	int err = sk->err;
	sk->err = 0;
	return -err;
}

/* ---- waiting, and calls that wait part way ---- */

/* The timeout part of a socket wait: arms the deadline on the first
 * try; -EAGAIN when the call must not wait or its time is up. */
static long sock_wait_timeo(struct task *t, int64_t timeo)
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
	return 0;
}

long sock_wait(struct task *t, struct waitq *q, int64_t timeo)
{
	long err = sock_wait_timeo(t, timeo);
	if (err)
		return err;
	wait_on(t, q);
	return -EWOULDBLOCK_TASK;
}

long sock_wait_hostfd(struct task *t, int fd, unsigned events, int64_t timeo)
{
	long err = sock_wait_timeo(t, timeo);
	if (err)
		return err;
	wait_hostfd(t, fd, events);
	return -EWOULDBLOCK_TASK;
}

/* progress_take / progress_end (waitq.h) for a send or receive; calls
 * on kernel buffers (sendfile) come back short rather than wait. */
size_t sock_progress_take(struct task *t, const struct kmsg *m)
{
	return m->data.t ? progress_take(t) : 0;
}

long sock_io_end(struct task *t, const struct kmsg *m, size_t done, long err)
{
	return progress_end(t, done, err, m->data.t != NULL);
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
	long r;
	if (netdev_ioctl(sk, t, cmd, arg, &r))
		return r;
	return sk->ops->ioctl ? sk->ops->ioctl(sk, t, cmd, arg) : -ENOTTY;
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
	sk->time = now_real();
	return f;
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
