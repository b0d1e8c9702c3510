/* Pipes (man 7 pipe): a ring of page-sized slots in kernel memory, as in
 * Linux's fs/pipe.c, so capacity, atomicity and FIONREAD answer as Linux
 * does. Readers wait on rd_wait for data or EOF, writers on wr_wait for
 * room or EPIPE; every change wakes the queue that cares about it.
 *
 * A blocking write of more than PIPE_BUF bytes puts what fits and waits
 * for the rest: write_from_user (sys_rw.c) keeps the count across the
 * handler's reruns. Writes of PIPE_BUF bytes or less are atomic: they
 * wait for room for the whole write.
 * writev() hands each segment over as its own write, so its segments are
 * only joined (and atomic) while they fit without waiting, and in packet
 * mode each segment is its own packet. */
#include "pipe.h"
#include "ksyscall.h"
#include "ksignal.h"
#include "uaccess.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/ioctl.h>

static struct super_block *pipefs_sb;
static uint64_t next_ino = 4096;

static struct pipe_slot *slot(struct pipe *p, unsigned i)
{
	return &p->slots[i & (p->nslots - 1)];
}

static bool pipe_empty(struct pipe *p) { return p->head == p->tail; }
static bool pipe_full(struct pipe *p) { return p->head - p->tail >= p->nslots; }

static size_t pipe_bytes(struct pipe *p)
{
	size_t n = 0;
	for (unsigned i = p->tail; i != p->head; i++)
		n += slot(p, i)->len;
	return n;
}

struct pipe *pipe_alloc(void)
{
	if (!pipefs_sb)
		pipefs_sb = sb_new("pipefs");
	struct pipe *p = xzalloc(sizeof(*p));
	p->nslots = PIPE_DEF_SLOTS;
	p->slots = xzalloc(p->nslots * sizeof(*p->slots));
	waitq_init(&p->rd_wait);
	waitq_init(&p->wr_wait);
	waitq_init(&p->open_wait);
	list_init(&p->openers);
	p->ino = next_ino++;
	if (current) {
		p->uid = current->proc->euid;
		p->gid = current->proc->egid;
	}
	p->atime = p->mtime = p->ctime = now_real();
	return p;
}

void pipe_free(struct pipe *p)
{
	/* Nobody may stay parked on a queue that is about to go. */
	wake_up(&p->rd_wait);
	wake_up(&p->wr_wait);
	wake_up(&p->open_wait);
	for (unsigned i = p->tail; i != p->head; i++)
		free(slot(p, i)->page);
	free(p->slots);
	free(p);
}

static struct pipe_end *E(struct file *f) { return f->priv; }
static bool end_reads(struct file *f) { return (f->flags & O_ACCMODE) != O_WRONLY; }
static bool end_writes(struct file *f) { return (f->flags & O_ACCMODE) != O_RDONLY; }

/* Copies out up to `n` bytes and, unless `keep`, consumes them (a NULL
 * `buf` only consumes). A packet (O_DIRECT write) is read whole or cut
 * short, never joined with the next one. */
static size_t take(struct pipe *p, char *buf, size_t n, bool keep)
{
	size_t done = 0;
	for (unsigned i = p->tail; done < n && i != p->head; i++) {
		struct pipe_slot *s = slot(p, i);
		bool packet = s->packet;
		size_t c = MIN(s->len, n - done);
		if (buf)
			memcpy(buf + done, s->page + s->off, c);
		done += c;
		if (!keep) {
			s->off += c;
			s->len = packet ? 0 : s->len - c;
			if (!s->len) {
				free(s->page);
				s->page = NULL;
				p->tail++;
			}
		}
		if (packet)
			break;
	}
	return done;
}

/* Bytes were taken: the writers wake, and as in Linux's pipe_read the
 * wake announces room (POLLOUT, a new edge for EPOLLET) only when a full
 * pipe lost a slot. */
static void taken(struct pipe *p, bool was_full)
{
	p->atime = now_real();
	wake_up_key(&p->wr_wait, was_full && !pipe_full(p) ? POLLOUT | POLLWRNORM : 0);
}

static ssize_t do_pipe_read(struct file *f, char *buf, size_t n, bool keep)
{
	struct pipe *p = E(f)->p;
	if (p->fifo)
		fifo_prune(p);
	bool was_full = pipe_full(p);
	size_t done = take(p, buf, n, keep);
	if (done) {
		if (!keep)
			taken(p, was_full);
		return done;
	}
	if (!p->writers)
		return 0;
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(current, &p->rd_wait);
	return -EWOULDBLOCK_TASK;
}

static ssize_t pipe_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	return do_pipe_read(f, buf, n, false);
}

ssize_t pipe_peek(struct file *f, char *buf, size_t n)
{
	return do_pipe_read(f, buf, n, true);
}

void pipe_consume(struct file *f, size_t n)
{
	struct pipe *p = E(f)->p;
	bool was_full = pipe_full(p);
	take(p, NULL, n, false);
	taken(p, was_full);
}

/* Adds what fits. As in Linux, the first n % PAGE_SIZE bytes join the
 * last page when they fit there whole, and the rest go to fresh pages:
 * so a write of PIPE_BUF bytes or less is never split. */
static size_t put(struct pipe *p, const char *buf, size_t n, bool packet)
{
	size_t done = 0, part = n & (PAGE_SIZE - 1);
	if (part && !pipe_empty(p)) {
		struct pipe_slot *s = slot(p, p->head - 1);
		if (!s->packet && !packet && s->off + s->len + part <= PAGE_SIZE) {
			memcpy(s->page + s->off + s->len, buf, part);
			s->len += part;
			done = part;
		}
	}
	while (done < n && !pipe_full(p)) {
		struct pipe_slot *s = slot(p, p->head);
		size_t c = MIN(PAGE_SIZE, n - done);
		s->page = xmalloc(PAGE_SIZE);
		memcpy(s->page, buf + done, c);
		s->off = 0;
		s->len = c;
		s->packet = packet;
		p->head++;
		done += c;
	}
	return done;
}

static ssize_t pipe_write(struct file *f, const char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct pipe *p = E(f)->p;
	if (p->fifo)
		fifo_prune(p);
	if (!p->readers) {
		send_sigpipe(current);
		return -EPIPE;
	}
	size_t done = put(p, buf, n, f->flags & O_DIRECT);
	if (done) {
		p->mtime = p->ctime = now_real();
		wake_up_key(&p->rd_wait, POLLIN | POLLRDNORM);
		return done;	/* maybe short: see the note at the top */
	}
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(current, &p->wr_wait);
	return -EWOULDBLOCK_TASK;
}

/* As Linux's pipe_poll: readable with data; POLLHUP for a reader once no
 * writer is left; writable while a slot is free; POLLERR for a writer
 * with no reader. Both queues carry changes a poller may want. */
static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe_end *e = E(f);
	struct pipe *p = e->p;
	unsigned mask = 0;
	poll_wait(pt, &p->rd_wait);
	poll_wait(pt, &p->wr_wait);
	if (end_reads(f)) {
		if (!pipe_empty(p))
			mask |= POLLIN | POLLRDNORM;
		if (!p->writers && (!e->hup_gated || e->w_seen != p->w_counter))
			mask |= POLLHUP;
	}
	if (end_writes(f)) {
		if (!pipe_full(p))
			mask |= POLLOUT | POLLWRNORM;
		if (!p->readers)
			mask |= POLLERR;
	}
	return mask;
}

static long pipe_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = (int)MIN(pipe_bytes(E(f)->p), (size_t)INT_MAX);
	return copy_to_user(t, arg, &n, sizeof(n)) ? -EFAULT : 0;
}

/* fstat of an anonymous pipe: an inode of pipefs, as Linux shows it. */
static int pipe_getattr(struct file *f, struct kstat *st)
{
	struct pipe *p = E(f)->p;
	st->dev = pipefs_sb->dev;
	st->ino = p->ino;
	st->mode = S_IFIFO | 0600;
	st->nlink = 1;
	st->uid = p->uid;
	st->gid = p->gid;
	st->blksize = PAGE_SIZE;
	st->atime = p->atime;
	st->mtime = p->mtime;
	st->ctime = p->ctime;
	return 0;
}

void pipe_drop_end(struct pipe *p, bool reader, bool writer)
{
	if (reader)
		p->readers--;
	if (writer)
		p->writers--;
	/* The last writer gone means EOF for readers; the last reader
	 * gone means EPIPE for writers; pollers see HUP/ERR. */
	wake_up(&p->rd_wait);
	wake_up(&p->wr_wait);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = E(f)->p;
	pipe_drop_end(p, end_reads(f), end_writes(f));
	free(f->priv);
	f->priv = NULL;
	if (p->fifo)
		fifo_end_closed(p);
	else if (!p->readers && !p->writers)
		pipe_free(p);
}

static const struct file_ops pipe_fops = {
	.read = pipe_read, .write = pipe_write, .ioctl = pipe_ioctl,
	.getattr = pipe_getattr, .release = pipe_release, .poll = pipe_poll,
};

/* A FIFO's stat is its inode's, from its own filesystem. */
const struct file_ops fifo_fops = {
	.read = pipe_read, .write = pipe_write, .ioctl = pipe_ioctl,
	.release = pipe_release, .poll = pipe_poll,
};

static struct pipe *pipe_of(struct file *f)
{
	return f->ops == &pipe_fops || f->ops == &fifo_fops ? E(f)->p : NULL;
}

void pipe_attach(struct file *f, struct pipe *p, const struct file_ops *ops, bool hup_gated)
{
	struct pipe_end *e = xzalloc(sizeof(*e));
	e->p = p;
	e->hup_gated = hup_gated;
	e->w_seen = p->w_counter;
	f->priv = e;
	f->ops = ops;
}

/* ---- F_GETPIPE_SZ / F_SETPIPE_SZ ---- */

/* Linux's round_pipe_size: at least a page, a power of two, 0 (invalid)
 * past 2^31. */
static unsigned long round_pipe_size(unsigned arg)
{
	if (arg > (1U << 31))
		return 0;
	unsigned long size = PAGE_SIZE;
	while (size < arg)
		size <<= 1;
	return size;
}

static long pipe_set_size(struct pipe *p, struct task *t, unsigned arg)
{
	unsigned long size = round_pipe_size(arg);
	unsigned n = size / PAGE_SIZE;
	if (!n)
		return -EINVAL;
	/* Growing past pipe-max-size takes CAP_SYS_RESOURCE (root here). */
	if (n > p->nslots && size > PIPE_MAX_SIZE && t->proc->euid != 0)
		return -EPERM;
	unsigned used = p->head - p->tail;
	if (n < used)
		return -EBUSY;
	struct pipe_slot *s = xzalloc(n * sizeof(*s));
	for (unsigned i = 0; i < used; i++)
		s[i] = *slot(p, p->tail + i);
	free(p->slots);
	p->slots = s;
	p->nslots = n;
	p->tail = 0;
	p->head = used;
	wake_up(&p->wr_wait);	/* there may be room now */
	return (long)n * PAGE_SIZE;
}

long pipe_fcntl(struct file *f, struct task *t, int cmd, unsigned arg)
{
	struct pipe *p = pipe_of(f);
	if (!p)
		return -EBADF;
	if (cmd == F_GETPIPE_SZ)
		return (long)p->nslots * PAGE_SIZE;
	return pipe_set_size(p, t, arg);
}

char *pipe_link_name(struct file *f)
{
	if (f->ops != &pipe_fops)
		return NULL;
	char buf[48];
	snprintf(buf, sizeof(buf), "pipe:[%lu]", (unsigned long)E(f)->p->ino);
	return xstrdup(buf);
}

/* ---- pipe(2), pipe2(2) ---- */

static struct file *pipe_file(struct pipe *p, unsigned flags)
{
	struct file *f = file_alloc();
	f->flags = flags;
	pipe_attach(f, p, &pipe_fops, false);
	return f;
}

/* O_NOTIFICATION_PIPE (watch queues) is O_EXCL. */
#define PIPE2_FLAGS (O_CLOEXEC | O_NONBLOCK | O_DIRECT | O_EXCL)

static long do_pipe2(struct task *t, uaddr_t ufds, unsigned flags)
{
	if (flags & ~PIPE2_FLAGS)
		return -EINVAL;
	if (flags & O_EXCL)
		return -ENOPKG;	/* as a kernel built without watch queues */
	struct pipe *p = pipe_alloc();
	p->readers = p->writers = 1;
	p->w_counter = 1;
	unsigned common = flags & (O_NONBLOCK | O_DIRECT);
	struct file *rd = pipe_file(p, O_RDONLY | common);
	struct file *wr = pipe_file(p, O_WRONLY | common);
	bool cloexec = flags & O_CLOEXEC;
	int fds[2] = { fd_install(t, rd, 0, cloexec), -1 };
	if (fds[0] < 0) {
		file_put(rd);
		file_put(wr);
		return fds[0];
	}
	fds[1] = fd_install(t, wr, 0, cloexec);
	if (fds[1] < 0) {
		file_put(wr);
		fd_close(t, fds[0]);
		return fds[1];
	}
	/* The guest never ran in between: undoing is as good as never
	 * having made the fds visible. */
	if (copy_to_user(t, ufds, fds, sizeof(fds))) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

long sys_pipe(struct task *t, const struct sysargs *a)
{
	return do_pipe2(t, a->a[0], 0);
}

long sys_pipe2(struct task *t, const struct sysargs *a)
{
	return do_pipe2(t, a->a[0], (unsigned)a->a[1]);
}

bool file_is_pipe(struct file *f)
{
	return f->ops == &pipe_fops || f->ops == &fifo_fops;
}
