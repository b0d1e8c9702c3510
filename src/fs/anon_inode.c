/* Anonymous files: Linux gives epoll, eventfd, timerfd and signalfd fds
 * one shared inode of anon_inodefs, whose fstat shows mode 0600 and no
 * file type bits, so a program cannot mistake them for anything else. */
#include "anon_inode.h"
#include <fcntl.h>

static struct super_block *anon_sb;

struct file *anon_file_new(const struct file_ops *ops, void *priv, unsigned flags)
{
	struct file *f = file_alloc();
	f->ops = ops;
	f->priv = priv;
	f->flags = O_RDWR | (flags & O_NONBLOCK);
	return f;
}

long anon_install(struct task *t, struct file *f, bool cloexec)
{
	int fd = fd_install(t, f, 0, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

int anon_getattr(struct file *f UNUSED, struct kstat *st)
{
	if (!anon_sb)
		anon_sb = sb_new("anon_inodefs");
	st->dev = anon_sb->dev;
	st->ino = 1;		/* the one inode every such file shares */
	st->mode = 0600;
	st->nlink = 1;
	st->blksize = PAGE_SIZE;
	return 0;
}

struct file *fd_get_io(struct task *t, int fd)
{
	struct file *f = fd_get(t, fd);
	if (f && (f->flags & O_PATH)) {
		file_put(f);
		return NULL;
	}
	return f;
}

struct file *anon_fd_get(struct task *t, int fd, const struct file_ops *ops, long *err)
{
	struct file *f = fd_get_io(t, fd);
	*err = f ? -EINVAL : -EBADF;
	if (f && f->ops != ops) {
		file_put(f);
		return NULL;
	}
	return f;
}
