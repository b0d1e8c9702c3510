/* The fd table's system calls: close, dup, fcntl, ioctl, ftruncate. */
#include "vfs.h"
#include <linux/falloc.h>
#include "ksyscall.h"
#include "uaccess.h"
#include "pipe.h"
#include "anon_inode.h"
#include <fcntl.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <linux/close_range.h>

long sys_close(struct task *t, const struct sysargs *a)
{
	return fd_close(t, (int)a->a[0]);
}

long sys_close_range(struct task *t, const struct sysargs *a)
{
	unsigned first = a->a[0], last = a->a[1], flags = a->a[2];
	if (flags & ~(CLOSE_RANGE_CLOEXEC | CLOSE_RANGE_UNSHARE) || first > last)
		return -EINVAL;
	struct files *fs = t->proc->files;
	if (first >= (unsigned)fs->max)
		return 0;
	for (int fd = fd_next_open(fs, first); fd < fs->max && (unsigned)fd <= last;
	     fd = fd_next_open(fs, fd + 1)) {
		if (flags & CLOSE_RANGE_CLOEXEC)
			fs->fdflags[fd] |= FD_CLOEXEC_BIT;
		else
			fd_close(t, fd);
	}
	return 0;
}

long sys_dup(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	int r = fd_install(t, f, 0, false);
	if (r < 0)
		file_put(f);
	return r;
}

static long do_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f = fd_get(t, oldfd);
	if (!f)
		return -EBADF;
	int r = fd_install_at(t, f, newfd, flags & O_CLOEXEC);
	if (r < 0)
		file_put(f);
	return r;
}

long sys_dup2(struct task *t, const struct sysargs *a)
{
	int oldfd = (int)a->a[0], newfd = (int)a->a[1];
	if (oldfd == newfd) {
		struct file *f = fd_get(t, oldfd);
		if (!f)
			return -EBADF;
		file_put(f);
		return newfd;
	}
	return do_dup3(t, oldfd, newfd, 0);
}

long sys_dup3(struct task *t, const struct sysargs *a)
{
	int oldfd = (int)a->a[0], newfd = (int)a->a[1], flags = (int)a->a[2];
	if (flags & ~O_CLOEXEC)
		return -EINVAL;
	if (oldfd == newfd)
		return -EINVAL;
	return do_dup3(t, oldfd, newfd, flags);
}

#define SETFL_MASK (O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME)

/* F_SETOWN: a process (pid > 0) or a process group (-pgrp) that is
 * there, or 0 for none. The caller's ids go with it: the signal reaches
 * only whom the caller could signal (Linux's f_modown and sigio_perm). */
long set_owner(struct task *t, struct file *f, int who)
{
	if (who > 0 && !process_by_pid(who))
		return -ESRCH;
	if (who < 0) {
		bool found = false;
		for (struct process *q = process_next(NULL); q && !found; q = process_next(q))
			found = q->pgid == -who;
		if (!found)
			return -ESRCH;
	}
	f->owner = who;
	if (who) {
		f->owner_uid = t->proc->uid;
		f->owner_euid = t->proc->euid;
	}
	return 0;
}

/* F_GETOWN_EX / F_SETOWN_EX (glibc's F_GETOWN is made of the first):
 * the owner as a type and an id. A thread owner (F_OWNER_TID) is kept
 * as its process. */
static long owner_ex(struct task *t, struct file *f, int cmd, uaddr_t arg)
{
	struct f_owner_ex ex;
	if (cmd == F_GETOWN_EX) {
		ex.type = f->owner < 0 ? F_OWNER_PGRP : F_OWNER_PID;
		ex.pid = f->owner < 0 ? -f->owner : f->owner;
		return copy_to_user(t, arg, &ex, sizeof(ex));
	}
	if (copy_from_user(t, &ex, arg, sizeof(ex)))
		return -EFAULT;
	switch (ex.type) {
	case F_OWNER_TID: {
		struct task *owner = task_by_tid(ex.pid);
		if (ex.pid && !owner)
			return -ESRCH;
		return set_owner(t, f, owner ? owner->proc->pid : 0);
	}
	case F_OWNER_PID:
		return set_owner(t, f, ex.pid);
	case F_OWNER_PGRP:
		return set_owner(t, f, -ex.pid);
	}
	return -EINVAL;
}

long sys_fcntl(struct task *t, const struct sysargs *a)
{
	int fd = (int)a->a[0], cmd = (int)a->a[1];
	uint64_t arg = a->a[2];
	struct file *f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	struct files *fs = t->proc->files;
	long r;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)arg < 0) {
			r = -EINVAL;
			break;
		}
		r = fd_install(t, file_get(f), (int)arg, cmd == F_DUPFD_CLOEXEC);
		if (r < 0)
			file_put(f);
		break;
	case F_GETFD:
		r = fs->fdflags[fd] & FD_CLOEXEC_BIT ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		fs->fdflags[fd] = arg & FD_CLOEXEC ? FD_CLOEXEC_BIT : 0;
		r = 0;
		break;
	case F_GETFL:
		r = f->flags;
		break;
	case F_SETFL:
		if (f->flags & O_PATH) {
			r = -EBADF;
			break;
		}
		f->flags = (f->flags & ~SETFL_MASK) | (arg & SETFL_MASK);
		r = 0;
		break;
	case F_GETLK: case F_SETLK: case F_SETLKW:
	case F_OFD_GETLK: case F_OFD_SETLK: case F_OFD_SETLKW:
		r = (f->flags & O_PATH) ? -EBADF : fcntl_lock(t, f, cmd, arg);
		break;
	case F_GETLEASE:
		r = F_UNLCK;
		break;
	case F_GETOWN:
		r = f->owner;
		break;
	case F_SETOWN:
		r = set_owner(t, f, (int)arg);
		break;
	case F_GETOWN_EX: case F_SETOWN_EX:
		r = owner_ex(t, f, cmd, arg);
		break;
	case F_GETSIG:
		r = f->sig;
		break;
	case F_SETSIG:
		r = arg > 64 ? -EINVAL : (f->sig = (int)arg, 0);
		break;
	case F_NOTIFY:
		r = (f->flags & O_PATH) ? -EBADF : dnotify_fcntl(t, fd, f, arg);
		break;
	case F_GETPIPE_SZ: case F_SETPIPE_SZ:
		r = pipe_fcntl(f, t, cmd, (unsigned)arg);
		break;
	case F_ADD_SEALS: case F_GET_SEALS:
		r = tmpfs_seals(f, cmd, (unsigned)arg);
		break;
	default:
		r = -EINVAL;
	}
	file_put(f);
	return r;
}

long sys_ioctl(struct task *t, const struct sysargs *a)
{
	int fd = (int)a->a[0];
	unsigned long cmd = a->a[1];
	uint64_t arg = a->a[2];
	struct file *f = fd_get_io(t, fd);	/* not O_PATH */
	if (!f)
		return -EBADF;
	struct files *fs = t->proc->files;
	long r;
	switch (cmd) {
	case FIOCLEX:
		fs->fdflags[fd] |= FD_CLOEXEC_BIT;
		r = 0;
		goto out;
	case FIONCLEX:
		fs->fdflags[fd] &= ~FD_CLOEXEC_BIT;
		r = 0;
		goto out;
	case FIONBIO: {
		int on;
		if (copy_from_user(t, &on, arg, sizeof(on))) {
			r = -EFAULT;
			goto out;
		}
		f->flags = on ? f->flags | O_NONBLOCK : f->flags & ~O_NONBLOCK;
		r = 0;
		goto out;
	}
	}
	if (f->ops && f->ops->ioctl) {
		r = f->ops->ioctl(f, t, cmd, arg);
		goto out;
	}
	if (cmd == FIONREAD && f->inode && S_ISREG(f->inode->mode)) {
		struct kstat st;
		r = file_stat(f, &st);
		int n = r ? 0 : (int)((int64_t)st.size - (int64_t)f->pos);
		if (!r && copy_to_user(t, arg, &n, sizeof(n)))
			r = -EFAULT;
		goto out;
	}
	r = -ENOTTY;
out:
	file_put(f);
	return r;
}

long sys_ftruncate(struct task *t, const struct sysargs *a)
{
	int64_t len = (int64_t)a->a[1];
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r;
	if (len < 0)
		r = -EINVAL;
	else if (f->flags & O_PATH)
		r = -EBADF;
	else if (!file_writable(f) || !f->inode || !S_ISREG(f->inode->mode) || !f->ops->truncate)
		r = -EINVAL;
	else if (!(r = file_size_limit(t, len)) && !(r = f->ops->truncate(f, len)))
		fsnotify_path(f->path, IN_MODIFY);
	file_put(f);
	return r;
}

/* fallocate(2): Linux's vfs_fallocate checks, in its order, before the
 * file system's own. */
#define FALLOC_FL_WRITE_ZEROES_ 0x80
#define FALLOC_MODES (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_ZERO_RANGE | \
		      FALLOC_FL_INSERT_RANGE | FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES_)

static long check_fallocate(struct file *f, int mode, int64_t off, int64_t len)
{
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & ~(FALLOC_MODES | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & FALLOC_MODES) {
	case 0: case FALLOC_FL_UNSHARE_RANGE: case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return -EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE: case FALLOC_FL_INSERT_RANGE: case FALLOC_FL_WRITE_ZEROES_:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return -EOPNOTSUPP;
		break;
	default:
		return -EOPNOTSUPP;
	}
	if (!file_writable(f))
		return -EBADF;
	struct kstat st = { 0 };
	uint32_t type = f->inode ? f->inode->mode & S_IFMT : file_stat(f, &st) ? 0 : st.mode & S_IFMT;
	if (type == S_IFIFO)
		return -ESPIPE;
	if (type == S_IFDIR)
		return -EISDIR;
	if (type != S_IFREG)
		return -ENODEV;
	if (len > INT64_MAX - off)	/* off + len past the largest offset */
		return -EFBIG;
	return f->ops->fallocate ? 0 : -EOPNOTSUPP;
}

long sys_fallocate(struct task *t, const struct sysargs *a)
{
	int mode = (int)a->a[1];
	int64_t off = (int64_t)a->a[2], len = (int64_t)a->a[3];
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r = f->flags & O_PATH ? -EBADF : check_fallocate(f, mode, off, len);
	if (!r && !(mode & FALLOC_FL_KEEP_SIZE))
		r = file_size_limit(t, off + len);
	if (!r && !(r = f->ops->fallocate(f, mode, off, len)))
		fsnotify_path(f->path, IN_MODIFY);
	file_put(f);
	return r;
}

long sys_fadvise64(struct task *t, const struct sysargs *a)
{
	int advice = (int)a->a[3];
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r = 0;
	if (!f->ops || !f->ops->seekable)
		r = -ESPIPE;
	else if (advice < POSIX_FADV_NORMAL || advice > POSIX_FADV_NOREUSE || (int64_t)a->a[2] < 0)
		r = -EINVAL;
	file_put(f);
	return r;	/* advice only: the host's page cache does its own thing */
}
