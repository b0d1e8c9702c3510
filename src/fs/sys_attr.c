/* Changing attributes: chmod, chown, utimensat and their variants. */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "waitq.h"
#include <fcntl.h>
#include <sys/time.h>
#include <utime.h>

/* The object of an attribute call: a name (following links or not), or
 * with AT_EMPTY_PATH and "" the open file `dirfd` itself. */
static int attr_target(struct task *t, int dirfd, uaddr_t uname, int flags, struct path *out)
{
	return user_path_at(t, dirfd, uname, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			    (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), out);
}

static int fd_target(struct task *t, int fd, struct path *out)
{
	struct file *f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	if (!f->path.dentry) {
		file_put(f);
		return -EBADF;
	}
	*out = path_get(f->path);
	file_put(f);
	return 0;
}

static bool owner_or_root(struct task *t, struct inode *i)
{
	struct kstat st;
	inode_stat(i, &st);
	return t->proc->euid == 0 || t->proc->euid == st.uid;
}

/* Makes the change; the caller has checked that the mount is writable,
 * first of all as Linux's mnt_want_write does. */
static int apply(struct path p, struct iattr *ia)
{
	struct inode *i = p.dentry->inode;
	int err;
	if (!i->ops->setattr)
		return -EPERM;
	if ((err = i->ops->setattr(i, ia)))
		return err;
	fsnotify_path(p, fsnotify_attr_mask(ia->valid));
	return 0;
}

static long do_chmod(struct task *t, struct path p, uint32_t mode)
{
	struct inode *i = p.dentry->inode;
	long err = path_may_write(p);
	if (!err && !owner_or_root(t, i))
		err = -EPERM;
	if (!err) {
		struct iattr ia = { .valid = ATTR_MODE, .mode = mode & 07777 };
		err = apply(p, &ia);
	}
	path_put(&p);
	return err;
}

long sys_chmod(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = attr_target(t, AT_FDCWD, a->a[0], 0, &p);
	return err ? err : do_chmod(t, p, (uint32_t)a->a[1]);
}

long sys_fchmod(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = fd_target(t, (int)a->a[0], &p);
	return err ? err : do_chmod(t, p, (uint32_t)a->a[1]);
}

long sys_fchmodat(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = attr_target(t, (int)a->a[0], a->a[1], 0, &p);
	return err ? err : do_chmod(t, p, (uint32_t)a->a[2]);
}

/* A chown of anything but a directory, by root too and even of nobody
 * (-1, -1), takes the set-user-ID bit away, and the set-group-ID bit
 * when group execute is set (without it, the bit marks mandatory
 * locking), as Linux's chown_common asks notify_change to. */
static void kill_suid(struct inode *i, struct iattr *ia)
{
	struct kstat st;
	if (inode_stat(i, &st) || S_ISDIR(st.mode))
		return;
	uint32_t mode = st.mode & 07777;
	mode &= ~S_ISUID;
	if ((mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		mode &= ~S_ISGID;
	if (mode != (st.mode & 07777)) {
		ia->valid |= ATTR_MODE;
		ia->mode = mode;
	}
}

static long do_chown(struct task *t, struct path p, uint32_t uid, uint32_t gid)
{
	struct inode *i = p.dentry->inode;
	struct iattr ia = { 0 };
	if (uid != (uint32_t)-1) {
		ia.valid |= ATTR_UID;
		ia.uid = uid;
	}
	if (gid != (uint32_t)-1) {
		ia.valid |= ATTR_GID;
		ia.gid = gid;
	}
	long err = path_may_write(p);
	if (!err && t->proc->euid != 0) {
		struct kstat st;
		inode_stat(i, &st);
		/* Only root gives files away; an owner may pick his group. */
		if (((ia.valid & ATTR_UID) && uid != st.uid) || st.uid != t->proc->euid ||
		    ((ia.valid & ATTR_GID) && gid != t->proc->egid && gid != st.gid))
			err = -EPERM;
	}
	if (!err)
		kill_suid(i, &ia);
	if (!err && ia.valid)
		err = apply(p, &ia);
	path_put(&p);
	return err;
}

long sys_chown(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = attr_target(t, AT_FDCWD, a->a[0], 0, &p);
	return err ? err : do_chown(t, p, (uint32_t)a->a[1], (uint32_t)a->a[2]);
}

long sys_lchown(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = attr_target(t, AT_FDCWD, a->a[0], AT_SYMLINK_NOFOLLOW, &p);
	return err ? err : do_chown(t, p, (uint32_t)a->a[1], (uint32_t)a->a[2]);
}

long sys_fchown(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = fd_target(t, (int)a->a[0], &p);
	return err ? err : do_chown(t, p, (uint32_t)a->a[1], (uint32_t)a->a[2]);
}

long sys_fchownat(struct task *t, const struct sysargs *a)
{
	int flags = (int)a->a[4];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	struct path p;
	int err = attr_target(t, (int)a->a[0], a->a[1], flags, &p);
	return err ? err : do_chown(t, p, (uint32_t)a->a[2], (uint32_t)a->a[3]);
}

/* Sets times; `ts` NULL means "now" for both (as utimensat(NULL)). */
static long do_utimes(struct task *t, struct path p, const struct timespec *ts)
{
	struct iattr ia = { .valid = ATTR_ATIME | ATTR_MTIME };
	long err = 0;
	ia.atime = ia.mtime = now_real();
	if (ts) {
		for (int k = 0; k < 2; k++) {
			if (ts[k].tv_nsec == UTIME_OMIT) {
				ia.valid &= ~(k ? ATTR_MTIME : ATTR_ATIME);
				continue;
			}
			if (ts[k].tv_nsec != UTIME_NOW && (ts[k].tv_nsec < 0 || ts[k].tv_nsec >= 1000000000)) {
				path_put(&p);
				return -EINVAL;
			}
			if (ts[k].tv_nsec != UTIME_NOW)
				*(k ? &ia.mtime : &ia.atime) = ts[k];
		}
	}
	bool explicit_time = ts && ((ts[0].tv_nsec != UTIME_NOW && ts[0].tv_nsec != UTIME_OMIT) ||
				    (ts[1].tv_nsec != UTIME_NOW && ts[1].tv_nsec != UTIME_OMIT));
	if ((err = path_may_write(p)))
		;
	else if (explicit_time ? !owner_or_root(t, p.dentry->inode)
			  : !owner_or_root(t, p.dentry->inode) && inode_permission(p.dentry->inode, MAY_WRITE))
		err = explicit_time ? -EPERM : -EACCES;
	if (!err && ia.valid)
		err = apply(p, &ia);
	path_put(&p);
	return err;
}

long sys_utimensat(struct task *t, const struct sysargs *a)
{
	int dirfd = (int)a->a[0], flags = (int)a->a[3];
	struct timespec ts[2];
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (a->a[2] && copy_from_user(t, ts, a->a[2], sizeof(ts)))
		return -EFAULT;
	struct path p;
	int err;
	if (!a->a[1]) {	/* utimensat(fd, NULL, ...) works on the fd */
		if (flags & AT_SYMLINK_NOFOLLOW)
			return -EINVAL;
		err = dirfd == AT_FDCWD ? -EFAULT : fd_target(t, dirfd, &p);
	} else {
		err = attr_target(t, dirfd, a->a[1], flags, &p);
	}
	return err ? err : do_utimes(t, p, a->a[2] ? ts : NULL);
}

static long timevals(struct task *t, int dirfd, uaddr_t uname, uaddr_t utv)
{
	struct timeval tv[2];
	struct timespec ts[2];
	if (utv) {
		if (copy_from_user(t, tv, utv, sizeof(tv)))
			return -EFAULT;
		for (int k = 0; k < 2; k++) {
			if (tv[k].tv_usec < 0 || tv[k].tv_usec >= 1000000)
				return -EINVAL;
			ts[k].tv_sec = tv[k].tv_sec;
			ts[k].tv_nsec = tv[k].tv_usec * 1000;
		}
	}
	struct path p;
	int err = attr_target(t, dirfd, uname, 0, &p);
	return err ? err : do_utimes(t, p, utv ? ts : NULL);
}

long sys_utimes(struct task *t, const struct sysargs *a)
{
	return timevals(t, AT_FDCWD, a->a[0], a->a[1]);
}

long sys_futimesat(struct task *t, const struct sysargs *a)
{
	return timevals(t, (int)a->a[0], a->a[1], a->a[2]);
}

long sys_utime(struct task *t, const struct sysargs *a)
{
	struct utimbuf ub;
	struct timespec ts[2];
	if (a->a[1]) {
		if (copy_from_user(t, &ub, a->a[1], sizeof(ub)))
			return -EFAULT;
		ts[0] = (struct timespec){ ub.actime, 0 };
		ts[1] = (struct timespec){ ub.modtime, 0 };
	}
	struct path p;
	int err = attr_target(t, AT_FDCWD, a->a[0], 0, &p);
	return err ? err : do_utimes(t, p, a->a[1] ? ts : NULL);
}
