/* Pseudo-terminals (man 7 pty, man 4 ptmx): opening /dev/ptmx makes a
 * pair, the master on the fd it returns and the slave as /dev/pts/N,
 * locked until unlockpt (TIOCSPTLCK). The terminal ioctls, the
 * controlling terminal of a session and job control are Linux's
 * (drivers/tty/tty_io.c, tty_jobctrl.c, pty.c).
 *
 * The pair lives while either side is open. Closing the master hangs the
 * slave up: its reads see end of file, its writes EIO, the session
 * leader gets SIGHUP and SIGCONT, and /dev/pts/N goes. Closing the last
 * slave makes the master's reads fail with EIO once the output is read.
 *
 * Not done: packet mode (TIOCPKT), TIOCSTI, exclusive mode (TIOCEXCL),
 * and line disciplines other than n_tty (TIOCSETD). A process that is
 * not its session's leader cannot give up the terminal alone
 * (TIOCNOTTY is a no-op for it): the terminal belongs to the session. */
#include "tty.h"
#include "ksignal.h"
#include "uaccess.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

#define TTY_GID 5	/* the "tty" group devpts gives the slaves */

static struct tty *ptys[PTY_MAX];

static struct tty *T(struct file *f) { return f->priv; }

int pts_index(uint64_t rdev)
{
	if (!rdev || major(rdev) < PTS_MAJOR || major(rdev) >= PTS_MAJOR + 8)
		return -1;
	return (int)((major(rdev) - PTS_MAJOR) * 256 + minor(rdev));
}

struct tty *tty_of_session(struct process *p)
{
	for (int i = 0; i < PTY_MAX; i++)
		if (ptys[i] && ptys[i]->sid == p->sid)
			return ptys[i];
	return NULL;
}

static void pty_free_if_unused(struct tty *tty)
{
	if (tty->master_open || tty->slaves)
		return;
	ptys[tty->index] = NULL;
	free(tty);
}

/* ---- the master ---- */

static ssize_t master_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct tty *tty = T(f);
	if (tty->out_len) {
		size_t c = MIN(n, tty->out_len);
		memcpy(buf, tty->out, c);
		memmove(tty->out, tty->out + c, tty->out_len - c);
		tty->out_len -= c;
		wake_up(&tty->out_wait);
		return c;
	}
	if (tty->slave_closed)
		return -EIO;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(current, &tty->out_wait);
	return -EWOULDBLOCK_TASK;
}

/* A write that took `done` of `n` bytes: the count, or (none taken) a
 * wait on `room` for the reader to make some. */
static ssize_t written(struct file *f, size_t done, size_t n, struct waitq *room)
{
	struct tty *tty = T(f);
	if (done || !n) {
		tty->mtime = tty->ctime = now_real();
		return done;
	}
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(current, room);
	return -EWOULDBLOCK_TASK;
}

static ssize_t master_write(struct file *f, const char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct tty *tty = T(f);
	return written(f, n_tty_receive(tty, (const unsigned char *)buf, n), n, &tty->in_wait);
}

static unsigned master_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = T(f);
	unsigned mask = 0;
	poll_wait(pt, &tty->out_wait);
	poll_wait(pt, &tty->in_wait);
	if (tty->out_len)
		mask |= POLLIN | POLLRDNORM;
	if (tty->slave_closed)
		mask |= POLLHUP;
	if (tty->in_len < TTY_IN_SIZE)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void master_release(struct file *f)
{
	struct tty *tty = T(f);
	tty->master_open = false;
	tty_hangup(tty);
	wake_up(&tty->in_wait);
	wake_up(&tty->out_wait);
	pty_free_if_unused(tty);
}

/* ---- the slave ---- */

static ssize_t slave_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct tty *tty = T(f);
	if (!tty->master_open)
		return 0;
	int jc = tty_check_change(tty, SIGTTIN);
	if (jc)
		return jc;
	ssize_t r = n_tty_read(tty, f, (unsigned char *)buf, n);
	if (r > 0)
		tty->atime = now_real();
	return r;
}

static ssize_t slave_write(struct file *f, const char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct tty *tty = T(f);
	if (!tty->master_open)
		return -EIO;
	if (tty->tio.lflag & TOSTOP) {
		int jc = tty_check_change(tty, SIGTTOU);
		if (jc)
			return jc;
	}
	return written(f, n_tty_write(tty, (const unsigned char *)buf, n), n, &tty->out_wait);
}

static unsigned slave_poll(struct file *f, struct poll_table *pt)
{
	struct tty *tty = T(f);
	if (!tty->master_open)	/* hung up */
		return POLLIN | POLLOUT | POLLHUP | POLLERR | POLLRDNORM | POLLWRNORM;
	unsigned mask = 0;
	poll_wait(pt, &tty->in_wait);
	poll_wait(pt, &tty->out_wait);
	if (n_tty_readable(tty))
		mask |= POLLIN | POLLRDNORM;
	if (!tty->flow_stopped && tty->out_len + 2 <= TTY_OUT_SIZE)
		mask |= POLLOUT | POLLWRNORM;
	return mask;
}

static void slave_release(struct file *f)
{
	struct tty *tty = T(f);
	if (--tty->slaves == 0) {
		tty->slave_closed = true;
		wake_up(&tty->out_wait);
		wake_up(&tty->in_wait);
	}
	pty_free_if_unused(tty);
}

void pty_slave_stat(struct tty *tty, struct kstat *st)
{
	st->mode = S_IFCHR | 0620;
	st->rdev = makedev(PTS_MAJOR + tty->index / 256, tty->index % 256);
	st->nlink = 1;
	st->uid = tty->uid;
	st->gid = tty->gid;
	st->blksize = 1024;
	st->atime = tty->atime;
	st->mtime = tty->mtime;
	st->ctime = tty->ctime;
}

/* fstat of a slave opened without a name (TIOCGPTPEER) is its devpts
 * node's; one opened by a name (/dev/pts/N, /dev/tty) is that name's. */
static int slave_getattr(struct file *f, struct kstat *st)
{
	if (f->path.dentry)
		return inode_stat(f->path.dentry->inode, st);
	st->dev = devpts_dev();
	st->ino = T(f)->index + 3;
	pty_slave_stat(T(f), st);
	return 0;
}

static char *slave_link_name(struct file *f)
{
	char *s;
	if (asprintf(&s, "/dev/pts/%d", T(f)->index) < 0)
		return NULL;
	return s;
}

static long slave_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	if (cmd == TIOCGPTPEER)	/* a master's only */
		return -EIO;
	return tty_ioctl(T(f), t, cmd, arg, false);
}

static long master_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct tty *tty = T(f);
	int v;
	switch (cmd) {
	case TIOCGPTN:
		v = tty->index;
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCSPTLCK:
		if (copy_from_user(t, &v, arg, sizeof(v)))
			return -EFAULT;
		tty->locked = v != 0;
		return 0;
	case TIOCGPTLCK:
		v = tty->locked;
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCGPTPEER: {
		/* The slave, opened as by its name, without the name. */
		struct file *s = file_alloc();
		s->flags = arg & (O_ACCMODE | O_NONBLOCK | O_NOCTTY);
		int err = pts_open(tty->index, s);
		s->flags &= ~O_NOCTTY;
		if (err) {
			s->ops = NULL;
			file_put(s);
			return err;
		}
		int fd = fd_install(t, s, 0, arg & O_CLOEXEC);
		if (fd < 0)
			file_put(s);
		return fd;
	}
	}
	return tty_ioctl(tty, t, cmd, arg, true);
}

static const struct file_ops master_ops = {
	.read = master_read, .write = master_write, .ioctl = master_ioctl,
	.poll = master_poll, .release = master_release,
};

static const struct file_ops slave_ops = {
	.read = slave_read, .write = slave_write, .ioctl = slave_ioctl,
	.poll = slave_poll, .release = slave_release, .getattr = slave_getattr,
	.link_name = slave_link_name,
};

/* ---- opening ---- */

int ptmx_open(struct file *f)
{
	int skip = pts_index(console_rdev()), index = 0;	/* the console's */
	while (index < PTY_MAX && (ptys[index] || index == skip))
		index++;
	if (index == PTY_MAX)
		return -ENOSPC;
	struct tty *tty = xzalloc(sizeof(*tty));
	n_tty_init(tty);
	tty->index = index;
	tty->master_open = true;
	tty->locked = true;
	tty->uid = current ? current->proc->fsuid : 0;
	tty->gid = TTY_GID;
	tty->atime = tty->mtime = tty->ctime = now_real();
	ptys[index] = tty;
	f->ops = &master_ops;
	f->priv = tty;
	return 0;
}

struct tty *pty_lookup(unsigned index)
{
	return index < PTY_MAX && ptys[index] && ptys[index]->master_open ? ptys[index] : NULL;
}

int pts_open(unsigned index, struct file *f)
{
	struct tty *tty = pty_lookup(index);
	if (!tty || tty->locked)
		return -EIO;
	tty_open_ctty(tty, f);
	if (!(f->flags & O_NOCTTY) && current)
		tty_open_make_ctty(tty, f->flags, current->proc);
	return 0;
}

int tty_open_ctty(struct tty *tty, struct file *f)
{
	tty->slaves++;
	tty->slave_closed = false;
	f->ops = &slave_ops;
	f->priv = tty;
	return 0;
}
