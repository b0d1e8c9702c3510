/* eventfd (man 2 eventfd): a 64-bit counter behind an fd, after the
 * behavior of Linux's fs/eventfd.c. A write adds to it, a read takes all
 * of it (or 1, in semaphore mode). Readers wait while it is 0, writers
 * while the sum would reach 2^64 - 1. One queue serves both, as in Linux:
 * every change wakes it, and each woken task looks again. */
#include "anon_inode.h"
#include "waitq.h"
#include "ksyscall.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/eventfd.h>

#define COUNT_MAX UINT64_MAX	/* never reached: the count stays below */

struct eventfd {
	uint64_t count;
	bool semaphore;
	struct waitq wq;
};

static struct eventfd *E(struct file *f) { return f->priv; }

/* The task must wait: or not, with O_NONBLOCK. */
static ssize_t must_wait(struct file *f, struct eventfd *e)
{
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(current, &e->wq);
	return -EWOULDBLOCK_TASK;
}

static ssize_t efd_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct eventfd *e = E(f);
	if (n < sizeof(uint64_t))
		return -EINVAL;
	if (!e->count)
		return must_wait(f, e);
	uint64_t v = e->semaphore ? 1 : e->count;
	e->count -= v;
	memcpy(buf, &v, sizeof(v));
	wake_up_key(&e->wq, POLLOUT | POLLWRNORM);	/* writers may fit now */
	return sizeof(v);
}

static ssize_t efd_write(struct file *f, const char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct eventfd *e = E(f);
	uint64_t v;
	if (n != sizeof(v))	/* exactly 8 bytes, where a read takes 8 or more */
		return -EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == COUNT_MAX)
		return -EINVAL;
	if (COUNT_MAX - e->count <= v)
		return must_wait(f, e);
	e->count += v;
	/* even for 0: Linux wakes, and epoll ET sees it */
	wake_up_key(&e->wq, POLLIN | POLLRDNORM);
	return sizeof(v);
}

/* Readable with a count; writable while 1 more would fit. The count can
 * never reach 2^64 - 1 here, so POLLERR (Linux's overflow mark) never
 * shows. */
static unsigned efd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd *e = E(f);
	unsigned m = 0;
	poll_wait(pt, &e->wq);
	if (e->count)
		m |= POLLIN | POLLRDNORM;
	if (e->count < COUNT_MAX - 1)
		m |= POLLOUT | POLLWRNORM;
	return m;
}

static void efd_release(struct file *f)
{
	struct eventfd *e = E(f);
	wake_up(&e->wq);	/* nobody may stay parked on a queue that goes */
	free(e);
}

static const struct file_ops eventfd_ops = {
	.anon_name = "[eventfd]",
	.read = efd_read, .write = efd_write, .poll = efd_poll,
	.release = efd_release, .getattr = anon_getattr,
};

static long do_eventfd(struct task *t, unsigned initval, int flags)
{
	if (flags & ~(EFD_SEMAPHORE | EFD_CLOEXEC | EFD_NONBLOCK))
		return -EINVAL;
	struct eventfd *e = xzalloc(sizeof(*e));
	e->count = initval;
	e->semaphore = flags & EFD_SEMAPHORE;
	waitq_init(&e->wq);
	struct file *f = anon_file_new(&eventfd_ops, e, flags & EFD_NONBLOCK);
	return anon_install(t, f, flags & EFD_CLOEXEC);
}

long sys_eventfd(struct task *t, const struct sysargs *a)
{
	return do_eventfd(t, (unsigned)a->a[0], 0);
}

long sys_eventfd2(struct task *t, const struct sysargs *a)
{
	return do_eventfd(t, (unsigned)a->a[0], (int)a->a[1]);
}
