/* Files on host fds: persona's own stdin/stdout/stderr given to the first
 * process, and the terminal (/dev/tty). Reads wait in the event loop, so a
 * guest blocked on the terminal never blocks the kernel. Terminal ioctls
 * pass through to the host terminal with Linux's own struct layouts; the
 * foreground process group is the guest's, kept here. */
#include "vfs.h"
#include "waitq.h"
#include "uaccess.h"
#include "pipe.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>
#include <unistd.h>
#include "ksignal.h"
#include "tty.h"
#include "fdbudget.h"

/* The session of the guest's first process: the terminal's session. */
#define CONSOLE_SID 1

struct hostfile {
	int fd;
	struct fd_account *acct;	/* a guest's console open: its charge */
	bool regular;
	uint64_t host_pos;	/* the host offset as we last left it */
};

/* A regular host file's offset is shared with whoever else has it open
 * (the shell that ran `persona run ... >f`, persona's own messages): the
 * host's offset is the truth, and it moves only when the guest lseek'd. */
static void sync_in(struct hostfile *h, uint64_t pos)
{
	if (pos != h->host_pos)
		lseek(h->fd, pos, SEEK_SET);
}

static void sync_out(struct hostfile *h, uint64_t *pos)
{
	off_t p = lseek(h->fd, 0, SEEK_CUR);
	if (p >= 0)
		*pos = h->host_pos = p;
}

/* The guest's foreground process group on the console. */
int console_fg_pgrp = 1;

static struct hostfile *H(struct file *f) { return f->priv; }

bool console_is_ctty(struct process *p)
{
	return p->sid == CONSOLE_SID && console_rdev();
}

/* Job control (tty_job_control) for a process of the console's session:
 * SIGTTIN when it reads from the background, SIGTTOU when it changes the
 * terminal (or writes, with TOSTOP). */
static int job_control(struct file *f, int sig, bool is_write)
{
	struct task *t = current;
	if (!t || !isatty(H(f)->fd) || t->proc->sid != CONSOLE_SID)
		return 0;
	if (is_write) {
		struct termios tio;
		if (tcgetattr(H(f)->fd, &tio) || !(tio.c_lflag & TOSTOP))
			return 0;
	}
	return tty_job_control(t->proc, console_fg_pgrp, sig);
}

static ssize_t hostfile_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	struct hostfile *h = H(f);
	if (h->regular) {
		sync_in(h, *pos);
		ssize_t r = read(h->fd, buf, n);
		int e = errno;
		sync_out(h, pos);
		return r < 0 ? -e : r;
	}
	int jc = job_control(f, SIGTTIN, false);
	if (jc)
		return jc;
	struct pollfd p = { h->fd, POLLIN, 0 };
	if (poll(&p, 1, 0) == 0) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		wait_hostfd(current, h->fd, POLLIN);
		return -EWOULDBLOCK_TASK;
	}
	ssize_t r = read(h->fd, buf, n);
	return r < 0 ? -errno : r;
}

static ssize_t hostfile_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct hostfile *h = H(f);
	int jc = job_control(f, SIGTTOU, true);
	if (jc)
		return jc;
	if (h->regular)
		sync_in(h, *pos);
	ssize_t r = write(h->fd, buf, n);
	int e = errno;
	if (h->regular)
		sync_out(h, pos);
	/* The reader of persona's stdout is gone: the guest gets the
	 * SIGPIPE (persona itself ignores the host's). */
	if (r < 0 && e == EPIPE && current)
		send_sigpipe(current);
	return r < 0 ? -e : r;
}

/* Sizes of the structs each passed-through terminal ioctl reads or
 * writes: struct termios (kernel layout, 36 bytes), termios2 (44),
 * winsize (8), int. */
static long arg_size(unsigned long cmd)
{
	switch (cmd) {
	case TCGETS: case TCSETS: case TCSETSW: case TCSETSF: return 36;
	case K_TCGETS2: case K_TCSETS2: case K_TCSETSW2: case K_TCSETSF2: return 44;
	case TIOCGWINSZ: case TIOCSWINSZ: return 8;
	case FIONREAD: case TIOCOUTQ: return 4;
	case TCFLSH: case TCXONC: case TCSBRK: case TCSBRKP: return 0;
	}
	return -1;
}

static bool writes_arg(unsigned long cmd)
{
	return cmd == TCGETS || cmd == K_TCGETS2 || cmd == TIOCGWINSZ || cmd == FIONREAD ||
	       cmd == TIOCOUTQ;
}

static long hostfile_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	struct hostfile *h = H(f);
	int pg;
	switch (cmd) {
	case TIOCGPGRP:
	case TIOCGSID:
		if (!isatty(h->fd))
			return -ENOTTY;
		pg = cmd == TIOCGPGRP ? console_fg_pgrp : 1;
		return copy_to_user(t, arg, &pg, sizeof(pg));
	case TIOCSPGRP:
		if (!isatty(h->fd))
			return -ENOTTY;
		if ((pg = job_control(f, SIGTTOU, false)))
			return pg;
		if (copy_from_user(t, &pg, arg, sizeof(pg)))
			return -EFAULT;
		if (pg < 0)
			return -EINVAL;
		console_fg_pgrp = pg;
		return 0;
	case TIOCSCTTY: case TIOCNOTTY:
		return isatty(h->fd) ? 0 : -ENOTTY;
	}
	long size = arg_size(cmd);
	if (size < 0)
		return -ENOTTY;
	char buf[64];
	if (size == 0) {
		return ioctl(h->fd, cmd, (unsigned long)arg) < 0 ? -errno : 0;
	}
	if (!writes_arg(cmd) && copy_from_user(t, buf, arg, size))
		return -EFAULT;
	if (!writes_arg(cmd) && cmd != FIONREAD && cmd != TIOCOUTQ) {
		int jc = job_control(f, SIGTTOU, false);	/* changes the terminal */
		if (jc)
			return jc;
	}
	if (ioctl(h->fd, cmd, buf) < 0)
		return -errno;
	if (writes_arg(cmd) && copy_to_user(t, arg, buf, size))
		return -EFAULT;
	return 0;
}

void kstat_from_host(struct kstat *k, const struct stat *st)
{
	k->dev = st->st_dev;
	k->ino = st->st_ino;
	k->mode = st->st_mode;
	k->nlink = st->st_nlink;
	k->uid = st->st_uid;
	k->gid = st->st_gid;
	k->rdev = st->st_rdev;
	k->size = st->st_size;
	k->blksize = st->st_blksize;
	k->blocks = st->st_blocks;
	k->atime = st->st_atim;
	k->mtime = st->st_mtim;
	k->ctime = st->st_ctim;
}

static int hostfile_getattr(struct file *f, struct kstat *k)
{
	struct stat st;
	if (fstat(H(f)->fd, &st))
		return -errno;
	kstat_from_host(k, &st);
	return 0;
}

static int hostfile_host_fd(struct file *f)
{
	return H(f)->regular ? H(f)->fd : -ENODEV;
}

static int hostfile_truncate(struct file *f, uint64_t size)
{
	return ftruncate(H(f)->fd, size) ? -errno : 0;
}

static void hostfile_release(struct file *f)
{
	hostfd_unwatch(H(f)->fd);
	close(H(f)->fd);
	fdbudget_uncharge(H(f)->acct);
	free(f->priv);
}

unsigned hostfd_poll(int fd, struct poll_table *pt)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLPRI | POLLRDNORM | POLLWRNORM |
			    POLLRDBAND | POLLWRBAND | POLLRDHUP, 0 };
	if (poll(&p, 1, 0) < 0)
		return POLLERR;
	unsigned missing = ~p.revents & (POLLIN | POLLOUT);
	if (pt && pt->task && missing && !(p.revents & (POLLHUP | POLLERR | POLLNVAL)))
		wait_hostfd(pt->task, fd, missing);
	return p.revents;
}

static unsigned hostfile_poll(struct file *f, struct poll_table *pt)
{
	return hostfd_poll(H(f)->fd, pt);
}

static const struct file_ops stream_ops = {
	.read = hostfile_read, .write = hostfile_write, .ioctl = hostfile_ioctl,
	.getattr = hostfile_getattr, .release = hostfile_release, .poll = hostfile_poll,
};
static const struct file_ops regular_ops = {
	.read = hostfile_read, .write = hostfile_write, .ioctl = hostfile_ioctl,
	.getattr = hostfile_getattr, .host_fd = hostfile_host_fd, .truncate = hostfile_truncate,
	.release = hostfile_release, .seekable = true,
};

/* Fills `f` to work on host fd `fd` (which it takes over, with its
 * charge). */
static void hostfile_init(struct file *f, int fd, struct fd_account *acct)
{
	struct stat st;
	struct hostfile *h = xmalloc(sizeof(*h));
	h->fd = fd;
	h->acct = acct;
	h->regular = fstat(fd, &st) == 0 && S_ISREG(st.st_mode);
	f->priv = h;
	f->ops = h->regular ? &regular_ops : &stream_ops;
}

struct file *hostfile_new(int host_fd, unsigned flags)
{
	int fd = fcntl(host_fd, F_DUPFD_CLOEXEC, 10);
	if (fd < 0)
		return NULL;
	struct file *f = file_alloc();
	f->flags = flags;
	hostfile_init(f, fd, NULL);	/* the console at boot: persona's own */
	off_t pos = lseek(fd, 0, SEEK_CUR);
	f->pos = pos > 0 ? pos : 0;
	((struct hostfile *)f->priv)->host_pos = f->pos;
	return f;
}

uint64_t console_rdev(void)
{
	static uint64_t rdev = (uint64_t)-1;
	if (rdev == (uint64_t)-1) {
		struct stat st;
		rdev = 0;
		for (int fd = 0; fd < 3 && !rdev; fd++)
			if (isatty(fd) && fstat(fd, &st) == 0)
				rdev = st.st_rdev;
	}
	return rdev;
}

int console_open(struct file *f)
{
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC));
	if (fd < 0)
		return fd == -ENFILE ? fd : -ENXIO;
	hostfile_init(f, fd, acct);
	return 0;
}

/* What /proc/pid/fd/N shows for a file without a name in the VFS: the
 * host's name for the terminal or pipe behind it. */
char *hostfile_link_name(struct file *f)
{
	char p[64], buf[256];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", H(f)->fd);
	ssize_t n = readlink(p, buf, sizeof(buf) - 1);
	if (n < 0)
		return xstrdup("anon_inode:[unknown]");
	buf[n] = 0;
	return xstrdup(buf);
}

char *file_link_name(struct file *f)
{
	if (f->path.dentry)
		return d_path(f->path, current ? current->proc->fs->root : fs_root);
	if (f->ops == &stream_ops || f->ops == &regular_ops)
		return hostfile_link_name(f);
	char *pipe_name = pipe_link_name(f);
	if (pipe_name)
		return pipe_name;
	if (f->ops && f->ops->link_name)
		return f->ops->link_name(f);
	char *s;
	if (f->ops && f->ops->anon_name && asprintf(&s, "anon_inode:%s", f->ops->anon_name) > 0)
		return s;
	return xstrdup("anon_inode:[unknown]");
}
