/* Character devices, by (major, minor): the memory devices of Linux's
 * drivers/char/mem.c and random.c, and the terminal devices, which open
 * the terminal persona itself runs on. A device node on any filesystem
 * opens through here. */
#include "vfs.h"
#include "tty.h"
#include <sys/random.h>
#include <sys/sysmacros.h>

/* None of these move the file position: as on Linux, reads and writes
 * leave it at 0. */

static ssize_t read_eof(struct file *f UNUSED, char *buf UNUSED, size_t n UNUSED,
			uint64_t *pos UNUSED)
{
	return 0;
}

static ssize_t read_zeros(struct file *f UNUSED, char *buf, size_t n, uint64_t *pos UNUSED)
{
	memset(buf, 0, n);
	return (ssize_t)n;
}

static ssize_t read_random(struct file *f UNUSED, char *buf, size_t n, uint64_t *pos UNUSED)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = getrandom(buf + done, n - done, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return done ? (ssize_t)done : -errno;
		done += r;
	}
	return (ssize_t)done;
}

/* null, zero and random take any write whole; writing to random adds
 * nothing the guest could notice, so it is not passed to the host. */
static ssize_t write_sink(struct file *f UNUSED, const char *buf UNUSED, size_t n,
			  uint64_t *pos UNUSED)
{
	return (ssize_t)n;
}

static ssize_t write_full(struct file *f UNUSED, const char *buf UNUSED, size_t n UNUSED,
			  uint64_t *pos UNUSED)
{
	return -ENOSPC;
}

/* lseek works on all of them (Linux answers 0); mmap of /dev/zero is
 * anonymous memory, which the mmap code handles itself. */
static const struct file_ops null_ops = { .read = read_eof, .write = write_sink, .seekable = true };
static const struct file_ops zero_ops = { .read = read_zeros, .write = write_sink, .seekable = true };
static const struct file_ops full_ops = { .read = read_zeros, .write = write_full, .seekable = true };
static const struct file_ops random_ops = { .read = read_random, .write = write_sink, .seekable = true };

/* /dev/tty: the caller's controlling terminal, a pty or the console;
 * a process without one gets ENXIO. */
static int ctty_open(struct file *f)
{
	if (!current)
		return console_open(f);
	struct tty *tty = tty_of_session(current->proc);
	if (tty)
		return tty_open_ctty(tty, f);
	return console_is_ctty(current->proc) ? console_open(f) : -ENXIO;
}

static const struct chrdev {
	unsigned major, minor;
	const struct file_ops *ops;	/* a device of fixed behavior */
	int (*open)(struct file *f);	/* or one that opens something */
} devices[] = {
	{ 1, 3, &null_ops, NULL },
	{ 1, 5, &zero_ops, NULL },
	{ 1, 7, &full_ops, NULL },
	{ 1, 8, &random_ops, NULL },
	{ 1, 9, &random_ops, NULL },
	{ 5, 0, NULL, ctty_open },	/* /dev/tty */
	{ 5, 1, NULL, console_open },	/* /dev/console */
	{ 5, 2, NULL, ptmx_open },	/* /dev/ptmx */
};

int chrdev_open(uint64_t rdev, struct file *f)
{
	for (size_t i = 0; i < ARRAY_SIZE(devices); i++) {
		const struct chrdev *d = &devices[i];
		if (d->major != major(rdev) || d->minor != minor(rdev))
			continue;
		if (d->open)
			return d->open(f);
		f->ops = d->ops;
		return 0;
	}
	/* The terminal persona runs on, by its own name (/dev/pts/N), and
	 * persona's own pty slaves. Other host devices stay closed. */
	if (console_rdev() && rdev == console_rdev())
		return console_open(f);
	int pts = pts_index(rdev);
	if (pts >= 0)
		return pts_open(pts, f);
	return -ENXIO;
}
