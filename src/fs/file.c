/* Open files, the fd table, the per-process fs context, and open(). */
#include "vfs.h"
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/sysmacros.h>
#include <poll.h>
#include "waitq.h"
#include "pipe.h"
#include "ksignal.h"

struct file *file_alloc(void)
{
	struct file *f = xzalloc(sizeof(*f));
	f->refs = 1;
	return f;
}

struct file *file_get(struct file *f)
{
	f->refs++;
	return f;
}

static void dents_free(struct file *f)
{
	for (size_t i = 0; i < f->ndents; i++)
		free(f->dents[i].name);
	free(f->dents);
	f->dents = NULL;
	f->ndents = 0;
}

void file_put(struct file *f)
{
	if (!f || --f->refs)
		return;
	if (f->epoll_links)
		eventpoll_release(f);
	locks_file_gone(f);
	fsnotify_close(f);
	if (f->ops && f->ops->release)
		f->ops->release(f);
	dents_free(f);
	if (f->inode)
		inode_put(f->inode);
	path_put(&f->path);
	free(f);
}

bool file_writable(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

static bool file_readable(struct file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

int file_host_fd(struct file *f)
{
	if (!f->ops || !f->ops->host_fd)
		return -ENODEV;
	return f->ops->host_fd(f);
}

int file_check_mmap(struct file *f, int prot, int flags)
{
	if (f->flags & O_PATH)
		return -EBADF;
	if (!f->ops || !f->ops->host_fd || (f->inode && S_ISDIR(f->inode->mode)))
		return -ENODEV;
	if (!file_readable(f))
		return -EACCES;
	if (((flags & 0xf) == 1 /* MAP_SHARED */) && (prot & 2 /* PROT_WRITE */) && !file_writable(f))
		return -EACCES;
	return 0;
}

void file_describe(struct file *f, uint64_t *dev, uint64_t *ino, char **name)
{
	struct kstat st;
	if (file_stat(f, &st) == 0) {
		*dev = st.dev;
		*ino = st.ino;
	}
	if (f->path.dentry)
		*name = d_path(f->path, fs_root);
}

int file_stat(struct file *f, struct kstat *st)
{
	if (f->ops && f->ops->getattr) {
		memset(st, 0, sizeof(*st));
		return f->ops->getattr(f, st);
	}
	/* The name's inode, not the file's: an overlay file opened on its
	 * lower layer reports what stat() of its name reports. */
	struct inode *i = f->path.dentry ? f->path.dentry->inode : f->inode;
	if (!i)		/* a placeholder in a reserved fd (socketpair, accept) */
		return -EBADF;
	return inode_stat(i, st);
}

ssize_t file_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	if (!file_readable(f) || (f->flags & O_PATH))
		return -EBADF;
	if (f->inode && S_ISDIR(f->inode->mode))
		return -EISDIR;
	if (!f->ops || !f->ops->read)
		return -EINVAL;
	return f->ops->read(f, buf, n, pos);
}

ssize_t file_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	if (!file_writable(f) || (f->flags & O_PATH))
		return -EBADF;
	if (!f->ops || !f->ops->write)
		return -EINVAL;
	return f->ops->write(f, buf, n, pos);
}

/* RLIMIT_FSIZE, as Linux's generic_write_check_limits: a write of `n`
 * bytes at `pos` to a file of stored bytes (a regular file: tmpfs,
 * hostfs, a host file) that starts at or past the limit fails with EFBIG
 * and SIGXFSZ; one that starts below it is cut at the limit. Returns the
 * count that may be written. */
long file_write_limit(struct task *t, struct file *f, uint64_t pos, size_t n)
{
	rlim_t lim = t->proc->rlim[RLIMIT_FSIZE].rlim_cur;
	if (!n || lim == RLIM_INFINITY || !f->ops || !f->ops->host_fd ||
	    (f->inode && !S_ISREG(f->inode->mode)))
		return (long)n;
	struct kstat st;
	if ((f->flags & O_APPEND) && file_stat(f, &st) == 0)
		pos = st.size;
	if (pos >= lim) {
		send_sig_self(t, SIGXFSZ);
		return -EFBIG;
	}
	return (long)MIN(n, lim - pos);
}

/* RLIMIT_FSIZE for truncate and ftruncate (Linux's inode_newsize_ok). */
int file_size_limit(struct task *t, uint64_t size)
{
	rlim_t lim = t->proc->rlim[RLIMIT_FSIZE].rlim_cur;
	if (lim == RLIM_INFINITY || size <= lim)
		return 0;
	send_sig_self(t, SIGXFSZ);
	return -EFBIG;
}

static const struct file_ops path_only_ops = { 0 };
static int link_depth;	/* dangling links followed by one open() */

struct file *file_open_path(struct path p, unsigned flags, int *err)
{
	struct inode *i = p.dentry->inode;
	struct file *f = file_alloc();
	f->path = path_get(p);
	f->inode = inode_get(i);
	f->flags = flags & ~(O_CREAT | O_EXCL | O_TRUNC);	/* O_NOCTTY: below */
	if (flags & O_PATH) {
		f->flags = O_PATH | (flags & (O_DIRECTORY | O_NOFOLLOW));
		f->ops = &path_only_ops;
		return f;
	}
	*err = 0;
	if ((S_ISCHR(i->mode) || S_ISBLK(i->mode)) && i->sb->nodev) {
		*err = -EACCES;
	} else if (S_ISCHR(i->mode)) {
		struct kstat st;
		inode_stat(i, &st);
		*err = chrdev_open(st.rdev, f);
	} else if (S_ISFIFO(i->mode)) {
		*err = fifo_open(i, f);
	} else if (S_ISSOCK(i->mode) || S_ISBLK(i->mode)) {
		*err = -ENXIO;	/* persona has no block devices */
	} else if (i->ops->open) {
		*err = i->ops->open(i, f);
	} else {
		*err = -ENXIO;
	}
	f->flags &= ~O_NOCTTY;	/* a terminal's open has seen it */
	if (*err) {
		f->ops = NULL;
		file_put(f);
		return NULL;
	}
	return f;
}

/* The part of open() after the name is resolved to `p`. */
static int open_resolved(struct path p, unsigned flags, bool created, struct file **out)
{
	struct inode *i = p.dentry->inode;
	int acc = flags & O_ACCMODE;
	bool wants_write = acc != O_RDONLY || (flags & O_TRUNC);
	if (flags & O_PATH)
		goto open;
	if (S_ISLNK(i->mode))
		return -ELOOP;
	if ((flags & O_DIRECTORY) && !S_ISDIR(i->mode))
		return -ENOTDIR;
	if (S_ISDIR(i->mode) && (acc != O_RDONLY || (flags & (O_CREAT | O_TRUNC))))
		return -EISDIR;
	if (!created) {
		int mask = (acc != O_WRONLY ? MAY_READ : 0) | (wants_write ? MAY_WRITE : 0);
		int err = inode_permission(i, mask);
		if (err)
			return err;
	}
	if (wants_write && (S_ISREG(i->mode) || S_ISDIR(i->mode))) {
		int err = path_may_write(p);
		if (err)
			return err;
	}
open:;
	int err;
	struct file *f = file_open_path(p, flags, &err);
	if (!f)
		return err;
	if (!(flags & O_PATH))
		fsnotify_open(f);
	if ((flags & O_TRUNC) && S_ISREG(i->mode) && acc != O_RDONLY && !created) {
		err = f->ops->truncate ? f->ops->truncate(f, 0) : -EINVAL;
		if (err) {
			file_put(f);
			return err;
		}
		fsnotify_path(p, IN_MODIFY);
	}
	*out = f;
	return 0;
}

static int open_create(struct task *t, struct path base, const char *name, unsigned flags,
		       uint32_t mode, int resolve, struct file **out);

/* open(O_CREAT) of a dangling symlink creates the file it points to, as
 * Linux does: the link's text, read relative to the link's directory. */
static int create_through_link(struct task *t, struct path dir, const char *last, unsigned flags,
			       uint32_t mode, struct file **out)
{
	struct path link;
	int err = lookup_one(dir, last, &link);
	if (err)
		return err;
	struct inode *li = link.dentry->inode;
	char *target = xmalloc(4096);
	int n = li->ops->readlink ? li->ops->readlink(li, target, 4095) : -EINVAL;
	path_put(&link);
	if (n <= 0 || link_depth >= 40) {
		free(target);
		return n < 0 ? n : n == 0 ? -ENOENT : -ELOOP;
	}
	target[n] = 0;
	link_depth++;
	err = open_create(t, dir, target, flags & ~O_EXCL, mode, 0, out);
	link_depth--;
	free(target);
	return err;
}

static int open_create(struct task *t, struct path base, const char *name, unsigned flags,
		       uint32_t mode, int resolve, struct file **out)
{
	struct path parent, p;
	char *last, *buf;
	int err = path_parent_at(t, base, name, resolve, &parent, &last, &buf);
	if (err)
		return err;
	size_t n = strlen(name);
	if (!strcmp(last, "/") || !strcmp(last, ".") || !strcmp(last, "..") || name[n - 1] == '/') {
		err = -EISDIR;
		goto out;
	}
	err = lookup_one(parent, last, &p);
	if (err == 0) {
		if (flags & O_EXCL) {
			err = -EEXIST;
		} else if (S_ISLNK(p.dentry->inode->mode)) {
			path_put(&p);
			if (flags & O_NOFOLLOW) {
				err = -ELOOP;
				goto out;
			}
			err = path_lookup_at(t, base, name, LOOKUP_FOLLOW | resolve, &p);
			if (!err) {
				err = open_resolved(p, flags, false, out);
				path_put(&p);
			} else if (err == -ENOENT && (resolve & LOOKUP_SCOPED)) {
				/* persona does not scope a walk through a
				 * dangling link's text: refused. */
				err = -EXDEV;
			} else if (err == -ENOENT) {
				err = create_through_link(t, parent, last, flags, mode, out);
			}
			goto out;
		} else {
			err = open_resolved(p, flags, false, out);
		}
		path_put(&p);
		goto out;
	}
	if (err != -ENOENT)
		goto out;
	struct inode *dir = parent.dentry->inode;
	if (parent.dentry->deleted) {
		err = -ENOENT;
		goto out;
	}
	if ((err = path_may_write(parent)) || (err = inode_permission(dir, MAY_WRITE | MAY_EXEC)))
		goto out;
	if (!dir->ops->create) {
		err = -EACCES;
		goto out;
	}
	struct inode *ni;
	err = dir->ops->create(dir, last, S_IFREG | (mode & 07777 & ~t->proc->fs->umask), 0, &ni);
	if (err)
		goto out;
	fsnotify_create(dir, last, false);
	p.mnt = parent.mnt;
	p.dentry = dentry_child(parent.dentry, last, ni);
	err = open_resolved(p, flags, true, out);
	path_put(&p);
out:
	path_put(&parent);
	free(buf);
	return err;
}

int do_open(struct task *t, int dirfd, const char *name, unsigned flags, uint32_t mode,
	    struct file **out)
{
	return do_open_resolve(t, dirfd, name, flags, mode, 0, out);
}

/* Where the walk starts: a scoped one (openat2's RESOLVE_BENEATH and
 * RESOLVE_IN_ROOT) at dirfd even for an absolute name. */
static int open_base(struct task *t, int dirfd, const char *name, int resolve, struct path *base)
{
	return lookup_base(t, dirfd, (resolve & LOOKUP_SCOPED) && *name ? "." : name, base);
}

int do_open_resolve(struct task *t, int dirfd, const char *name, unsigned flags, uint32_t mode,
		    int resolve, struct file **out)
{
	if ((flags & O_TMPFILE) == O_TMPFILE)
		return -EOPNOTSUPP;
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	if (flags & O_CREAT) {
		struct path base;
		int err = *name ? open_base(t, dirfd, name, resolve, &base) : -ENOENT;
		if (err)
			return err;
		err = open_create(t, base, name, flags, mode, resolve, out);
		path_put(&base);
		return err;
	}
	struct path p;
	int lf = ((flags & O_NOFOLLOW) ? 0 : LOOKUP_FOLLOW) | resolve;
	if (flags & O_DIRECTORY)
		lf |= LOOKUP_DIRECTORY;
	struct path base;
	int err = *name ? open_base(t, dirfd, name, resolve, &base) : -ENOENT;
	if (err)
		return err;
	err = path_lookup_at(t, base, name, lf, &p);
	path_put(&base);
	if (err)
		return err;
	if (S_ISLNK(p.dentry->inode->mode) && (flags & O_PATH)) {
		/* O_PATH|O_NOFOLLOW opens the link itself. */
	}
	err = open_resolved(p, flags, false, out);
	path_put(&p);
	return err;
}

struct fs_context *fs_context_new(struct path root)
{
	struct fs_context *fs = xzalloc(sizeof(*fs));
	fs->refs = 1;
	fs->root = path_get(root);
	fs->cwd = path_get(root);
	fs->umask = 022;
	return fs;
}

void fs_context_put(struct fs_context *fs)
{
	if (--fs->refs)
		return;
	path_put(&fs->root);
	path_put(&fs->cwd);
	free(fs);
}

void poll_wait(struct poll_table *pt, struct waitq *q)
{
	if (pt && pt->task)
		wait_on_key(pt->task, q, pt->key);
}

unsigned file_poll(struct file *f, struct poll_table *pt)
{
	if (f->ops && f->ops->poll)
		return f->ops->poll(f, pt);
	return POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM;
}

struct fs_context *fs_context_dup(struct fs_context *old)
{
	struct fs_context *fs = fs_context_new(old->root);
	path_put(&fs->cwd);
	fs->cwd = path_get(old->cwd);
	fs->umask = old->umask;
	return fs;
}
