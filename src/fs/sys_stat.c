/* stat, fstat, lstat, newfstatat, statx. */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "uapi/stat.h"
#include <fcntl.h>
#include <linux/stat.h>
#include <sys/sysmacros.h>

static int put_stat(struct task *t, uaddr_t buf, const struct kstat *k)
{
	struct linux_stat s = {
		.st_dev = k->dev, .st_ino = k->ino, .st_nlink = k->nlink,
		.st_mode = k->mode, .st_uid = k->uid, .st_gid = k->gid,
		.st_rdev = k->rdev, .st_size = k->size, .st_blksize = k->blksize,
		.st_blocks = k->blocks,
		.st_atime_sec = k->atime.tv_sec, .st_atime_nsec = k->atime.tv_nsec,
		.st_mtime_sec = k->mtime.tv_sec, .st_mtime_nsec = k->mtime.tv_nsec,
		.st_ctime_sec = k->ctime.tv_sec, .st_ctime_nsec = k->ctime.tv_nsec,
	};
	return copy_to_user(t, buf, &s, sizeof(s));
}

/* Resolves the object of a stat-like call: a name, or with AT_EMPTY_PATH
 * and "" the dirfd itself (which may be any open file). */
static int stat_target(struct task *t, int dirfd, uaddr_t uname, int flags, struct kstat *k,
		       struct path *mnt_out)
{
	int err;
	char *name = (flags & AT_EMPTY_PATH) ? getname_empty_ok(t, uname, &err) : getname(t, uname, &err);
	if (!name)
		return err;
	if (!*name && dirfd != AT_FDCWD) {
		free(name);
		struct file *f = fd_get(t, dirfd);
		if (!f)
			return -EBADF;
		err = file_stat(f, k);
		if (mnt_out)
			mnt_out->mnt = f->path.mnt;
		file_put(f);
		return err;
	}
	struct path p;
	err = path_lookup(t, dirfd, name, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) | LOOKUP_EMPTY, &p);
	free(name);
	if (err)
		return err;
	err = inode_stat(p.dentry->inode, k);
	if (mnt_out)
		mnt_out->mnt = p.mnt;
	path_put(&p);
	return err;
}

static long do_fstatat(struct task *t, int dirfd, uaddr_t uname, uaddr_t buf, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	struct kstat k;
	int err = stat_target(t, dirfd, uname, flags, &k, NULL);
	return err ? err : put_stat(t, buf, &k);
}

long sys_stat(struct task *t, const struct sysargs *a)
{
	return do_fstatat(t, AT_FDCWD, a->a[0], a->a[1], 0);
}

long sys_lstat(struct task *t, const struct sysargs *a)
{
	return do_fstatat(t, AT_FDCWD, a->a[0], a->a[1], AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(struct task *t, const struct sysargs *a)
{
	return do_fstatat(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

long sys_fstat(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	struct kstat k;
	int err = file_stat(f, &k);
	file_put(f);
	return err ? err : put_stat(t, a->a[1], &k);
}

static struct statx_timestamp sx_time(struct timespec ts)
{
	return (struct statx_timestamp){ .tv_sec = ts.tv_sec, .tv_nsec = ts.tv_nsec };
}

long sys_statx(struct task *t, const struct sysargs *a)
{
	int dirfd = (int)a->a[0], flags = (int)a->a[2];
	unsigned mask = (unsigned)a->a[3];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT | AT_STATX_SYNC_TYPE))
		return -EINVAL;
	if ((flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	if (mask & STATX__RESERVED)
		return -EINVAL;
	struct kstat k;
	struct path where = { 0 };
	int err = stat_target(t, dirfd, a->a[1], flags, &k, &where);
	if (err)
		return err;
	struct statx sx;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | STATX_MNT_ID | (k.btime.tv_sec ? STATX_BTIME : 0);
	sx.stx_blksize = k.blksize;
	sx.stx_nlink = k.nlink;
	sx.stx_uid = k.uid;
	sx.stx_gid = k.gid;
	sx.stx_mode = k.mode;
	sx.stx_ino = k.ino;
	sx.stx_size = k.size;
	sx.stx_blocks = k.blocks;
	sx.stx_atime = sx_time(k.atime);
	sx.stx_btime = sx_time(k.btime);
	sx.stx_ctime = sx_time(k.ctime);
	sx.stx_mtime = sx_time(k.mtime);
	sx.stx_rdev_major = major(k.rdev);
	sx.stx_rdev_minor = minor(k.rdev);
	sx.stx_dev_major = major(k.dev);
	sx.stx_dev_minor = minor(k.dev);
	sx.stx_mnt_id = where.mnt ? where.mnt->id : 0;
	return copy_to_user(t, a->a[4], &sx, sizeof(sx));
}
