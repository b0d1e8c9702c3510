/* hostfs: a host directory, confined beneath its root.
 *
 * Every inode holds an O_PATH fd of its host object. Lookups go one
 * component at a time with openat(dir_fd, name, O_PATH|O_NOFOLLOW), names
 * never contain '/', ".." is handled by the VFS from its own dentries, and
 * symlinks are read here and resolved by the VFS against the guest's root.
 * So no host symlink is ever followed by the host and no path can leave
 * the directory. Other host operations reach the inode through the
 * /proc/self/fd/N magic link of its O_PATH fd, which names the inode
 * itself, not a path.
 *
 * Open files of one inode with the same flags share one host fd: persona
 * reads and writes at its own offsets (pread, pwrite), so the host fd's
 * offset is never the guest's, and a library mapped by every process
 * costs one host fd, not one per process. Each host fd is charged to the
 * guest process that made it (fdbudget.c). */
#include "vfs.h"
#include <fcntl.h>
#include "fdbudget.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

struct hostfs_inode {
	int fd;				/* O_PATH */
	struct fd_account *acct;
	struct list_head opens;		/* struct host_open: its open host fds */
};

/* A host fd of the inode opened with `flags`, shared by `refs` files. */
struct host_open {
	struct list_head node;
	int flags, fd, refs;
	struct fd_account *acct;
};

static const struct inode_ops hostfs_iops;
static const struct file_ops hostfs_fops;

static int hfd(struct inode *i) { return ((struct hostfs_inode *)i->priv)->fd; }

static void fd_path(int fd, char *buf, size_t n)
{
	snprintf(buf, n, "/proc/self/fd/%d", fd);
}

/* An inode on its O_PATH fd `fd` (taken over, with its charge). */
static struct inode *hostfs_inode(struct super_block *sb, int fd, struct fd_account *acct, int *err)
{
	struct stat st;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		*err = -errno;
		close(fd);
		fdbudget_uncharge(acct);
		return NULL;
	}
	struct inode *i = inode_new(sb, &hostfs_iops, st.st_mode, st.st_ino);
	struct hostfs_inode *hi = xmalloc(sizeof(*hi));
	hi->fd = fd;
	hi->acct = acct;
	list_init(&hi->opens);
	i->priv = hi;
	return i;
}

struct inode *hostfs_root(const char *host_dir, bool readonly, int *err)
{
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, open(host_dir, O_PATH | O_DIRECTORY | O_CLOEXEC));
	if (fd < 0) {
		*err = fd;
		return NULL;
	}
	struct super_block *sb = sb_new("hostfs");
	struct stat st;
	if (fstat(fd, &st) == 0)
		sb->dev = st.st_dev;
	sb->readonly = readonly;
	sb->nodev = true;
	return hostfs_inode(sb, fd, acct, err);
}

static int hostfs_lookup(struct inode *dir, const char *name, struct inode **res)
{
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, openat(hfd(dir), name, O_PATH | O_NOFOLLOW | O_CLOEXEC));
	if (fd < 0)
		return fd;
	int err = 0;
	*res = hostfs_inode(dir->sb, fd, acct, &err);
	return err;
}

static int hostfs_getattr(struct inode *i, struct kstat *k)
{
	struct statx sx;
	if (statx(hfd(i), "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx))
		return -errno;
	k->dev = makedev(sx.stx_dev_major, sx.stx_dev_minor);
	k->ino = sx.stx_ino;
	k->mode = sx.stx_mode;
	k->nlink = sx.stx_nlink;
	k->uid = sx.stx_uid;
	k->gid = sx.stx_gid;
	k->rdev = makedev(sx.stx_rdev_major, sx.stx_rdev_minor);
	k->size = sx.stx_size;
	k->blocks = sx.stx_blocks;
	k->blksize = sx.stx_blksize;
	k->atime = (struct timespec){ sx.stx_atime.tv_sec, sx.stx_atime.tv_nsec };
	k->mtime = (struct timespec){ sx.stx_mtime.tv_sec, sx.stx_mtime.tv_nsec };
	k->ctime = (struct timespec){ sx.stx_ctime.tv_sec, sx.stx_ctime.tv_nsec };
	k->btime = (struct timespec){ sx.stx_btime.tv_sec, sx.stx_btime.tv_nsec };
	return 0;
}

static int hostfs_readlink(struct inode *i, char *buf, size_t len)
{
	ssize_t n = readlinkat(hfd(i), "", buf, len);
	return n < 0 ? -errno : (int)n;
}

/* The permission bits persona writes to a host file. A guest root is root
 * of the guest only: a set-user-ID or set-group-ID program it makes would
 * run with host privileges for whoever runs it on the host, so those bits
 * never reach a host file (a directory keeps its set-group-ID, which only
 * says who owns new files). */
static mode_t host_perm(uint32_t mode)
{
	return S_ISDIR(mode) ? mode & 03777 : mode & 01777;
}

static int hostfs_create(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
			 struct inode **res)
{
	int r;
	/* nodev, and more: a host device node is never made, as for an
	 * unprivileged user of the host (bubblewrap, rootless containers). */
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return -EPERM;
	if (S_ISREG(mode)) {
		r = openat(hfd(dir), name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, host_perm(mode));
		if (r >= 0)
			close(r);
	} else {
		r = mknodat(hfd(dir), name, mode, rdev);
	}
	if (r < 0)
		return -errno;
	return hostfs_lookup(dir, name, res);
}

static int hostfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	return mkdirat(hfd(dir), name, host_perm(S_IFDIR | mode)) ? -errno : 0;
}

static int hostfs_symlink(struct inode *dir, const char *name, const char *target)
{
	return symlinkat(target, hfd(dir), name) ? -errno : 0;
}

static int hostfs_link(struct inode *old, struct inode *dir, const char *name)
{
	char p[64];
	fd_path(hfd(old), p, sizeof(p));
	return linkat(AT_FDCWD, p, hfd(dir), name, AT_SYMLINK_FOLLOW) ? -errno : 0;
}

static int hostfs_unlink(struct inode *dir, const char *name, struct inode *victim UNUSED)
{
	return unlinkat(hfd(dir), name, 0) ? -errno : 0;
}

static int hostfs_rmdir(struct inode *dir, const char *name, struct inode *victim UNUSED)
{
	return unlinkat(hfd(dir), name, AT_REMOVEDIR) ? -errno : 0;
}

static int hostfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
			 const char *nname, unsigned flags)
{
	if (odir->sb != ndir->sb)
		return -EXDEV;
	return syscall(SYS_renameat2, hfd(odir), oname, hfd(ndir), nname, flags) ? -errno : 0;
}

static int hostfs_setattr(struct inode *i, const struct iattr *ia)
{
	char p[64];
	fd_path(hfd(i), p, sizeof(p));
	if ((ia->valid & ATTR_MODE) && !S_ISLNK(i->mode) &&
	    chmod(p, host_perm((i->mode & S_IFMT) | (ia->mode & 07777))))
		return -errno;
	if ((ia->valid & (ATTR_UID | ATTR_GID)) &&
	    fchownat(hfd(i), "", ia->valid & ATTR_UID ? ia->uid : (uid_t)-1,
		     ia->valid & ATTR_GID ? ia->gid : (gid_t)-1, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	if ((ia->valid & ATTR_SIZE) && truncate(p, ia->size))
		return -errno;
	if (ia->valid & (ATTR_ATIME | ATTR_MTIME)) {
		struct timespec ts[2] = { ia->atime, ia->mtime };
		if (!(ia->valid & ATTR_ATIME))
			ts[0].tv_nsec = UTIME_OMIT;
		if (!(ia->valid & ATTR_MTIME))
			ts[1].tv_nsec = UTIME_OMIT;
		if (!S_ISLNK(i->mode) && utimensat(AT_FDCWD, p, ts, 0))
			return -errno;
	}
	return 0;
}

static int hostfs_readdir(struct inode *dir, readdir_emit emit, void *ctx)
{
	char p[64], buf[8192];
	fd_path(hfd(dir), p, sizeof(p));
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0) {
			int e = errno;
			close(fd);
			return -e;
		}
		if (n == 0)
			break;
		for (long off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(buf + off);
			off += d->d_reclen;
			if (strcmp(d->d_name, ".") && strcmp(d->d_name, ".."))
				emit(ctx, d->d_name, d->d_ino, d->d_type);
		}
	}
	close(fd);
	return 0;
}

static int hostfs_open(struct inode *i, struct file *f)
{
	f->ops = &hostfs_fops;
	if (S_ISDIR(i->mode))
		return 0;	/* listing goes through readdir */
	struct hostfs_inode *hi = i->priv;
	int fl = f->flags & (O_ACCMODE | O_APPEND | O_DIRECT | O_DSYNC | O_SYNC | O_NOATIME);
	struct host_open *o;
	list_for_each_entry(o, &hi->opens, node)
		if (o->flags == fl) {
			o->refs++;
			f->priv = o;
			return 0;
		}
	char p[64];
	fd_path(hi->fd, p, sizeof(p));
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, open(p, fl | O_CLOEXEC | O_NOCTTY));
	if (fd == -EPERM && (fl & O_NOATIME))
		fd = fdbudget_open(&acct, open(p, (fl & ~O_NOATIME) | O_CLOEXEC | O_NOCTTY));
	if (fd < 0)
		return fd;	/* the caller drops f */
	o = xzalloc(sizeof(*o));
	o->flags = fl;
	o->fd = fd;
	o->refs = 1;
	o->acct = acct;
	list_add(&o->node, &hi->opens);
	f->priv = o;
	return 0;
}

static int file_fd(struct file *f) { return f->priv ? ((struct host_open *)f->priv)->fd : -1; }

static ssize_t hostfs_read(struct file *f, char *buf, size_t n, uint64_t *pos)
{
	ssize_t r = pread(file_fd(f), buf, n, *pos);
	if (r < 0)
		return -errno;
	*pos += r;
	return r;
}

/* The file's O_APPEND of now decides, not the host fd's of its open:
 * F_SETFL and RWF_APPEND/RWF_NOAPPEND change it after. */
static ssize_t hostfs_write(struct file *f, const char *buf, size_t n, uint64_t *pos)
{
	struct iovec v = { (void *)buf, n };
	struct host_open *o = f->priv;
	bool host_append = o && (o->flags & O_APPEND);
	ssize_t r;
	if (f->flags & O_APPEND) {
		/* the host appends atomically, at its fd's position, which
		 * no positioned call uses */
		r = pwritev2(file_fd(f), &v, 1, -1, host_append ? 0 : RWF_APPEND);
		if (r >= 0)
			*pos = lseek(file_fd(f), 0, SEEK_CUR);
	} else {
		r = pwritev2(file_fd(f), &v, 1, *pos, host_append ? RWF_NOAPPEND : 0);
		if (r >= 0)
			*pos += r;
	}
	return r < 0 ? -errno : r;
}

static int hostfs_host_fd(struct file *f)
{
	return file_fd(f) >= 0 ? file_fd(f) : -ENODEV;
}

static int hostfs_truncate(struct file *f, uint64_t size)
{
	return ftruncate(file_fd(f), size) ? -errno : 0;
}

/* The host file system decides what it supports; persona checked the
 * mode and the range (sys_fallocate) before anything reaches it. */
static int hostfs_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	return fallocate(file_fd(f), mode, (off_t)off, (off_t)len) ? -errno : 0;
}

static void hostfs_release(struct file *f)
{
	struct host_open *o = f->priv;
	if (o && --o->refs == 0) {
		close(o->fd);
		fdbudget_uncharge(o->acct);
		list_del(&o->node);
		free(o);
	}
}

static void hostfs_destroy(struct inode *i)
{
	close(hfd(i));
	fdbudget_uncharge(((struct hostfs_inode *)i->priv)->acct);
	free(i->priv);
}

/* statfs of the host filesystem the inode is on. */
int hostfs_statfs(struct inode *i, struct statfs *out)
{
	return fstatfs(hfd(i), out) ? -errno : 0;
}

/* Extended attributes of the host file, through its /proc/self/fd link
 * (which jumps to the inode itself). Not for a symlink: following the
 * link would follow the host symlink too, so a symlink shows none. */
static ssize_t hostfs_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	char p[64];
	if (S_ISLNK(i->mode))
		return -ENODATA;
	fd_path(hfd(i), p, sizeof(p));
	ssize_t r = getxattr(p, name, buf, size);
	return r < 0 ? -errno : r;
}

static ssize_t hostfs_listxattr(struct inode *i, char *buf, size_t size)
{
	char p[64];
	if (S_ISLNK(i->mode))
		return 0;
	fd_path(hfd(i), p, sizeof(p));
	ssize_t r = listxattr(p, buf, size);
	return r < 0 ? -errno : r;
}

static int hostfs_setxattr(struct inode *i, const char *name, const void *value, size_t size, int flags)
{
	char p[64];
	if (S_ISLNK(i->mode))
		return -EPERM;
	fd_path(hfd(i), p, sizeof(p));
	return setxattr(p, name, value, size, flags) ? -errno : 0;
}

static int hostfs_removexattr(struct inode *i, const char *name)
{
	char p[64];
	if (S_ISLNK(i->mode))
		return -ENODATA;
	fd_path(hfd(i), p, sizeof(p));
	return removexattr(p, name) ? -errno : 0;
}

static const struct inode_ops hostfs_iops = {
	.lookup = hostfs_lookup,
	.create = hostfs_create,
	.mkdir = hostfs_mkdir,
	.symlink = hostfs_symlink,
	.link = hostfs_link,
	.unlink = hostfs_unlink,
	.rmdir = hostfs_rmdir,
	.rename = hostfs_rename,
	.readlink = hostfs_readlink,
	.getattr = hostfs_getattr,
	.setattr = hostfs_setattr,
	.readdir = hostfs_readdir,
	.open = hostfs_open,
	.destroy = hostfs_destroy,
	.getxattr = hostfs_getxattr,
	.setxattr = hostfs_setxattr,
	.listxattr = hostfs_listxattr,
	.removexattr = hostfs_removexattr,
};

static const struct file_ops hostfs_fops = {
	.read = hostfs_read,
	.write = hostfs_write,
	.host_fd = hostfs_host_fd,
	.truncate = hostfs_truncate,
	.fallocate = hostfs_fallocate,
	.release = hostfs_release,
	.seekable = true,
};
