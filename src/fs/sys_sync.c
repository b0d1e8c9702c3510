/* fsync and friends, statfs, chroot. */
#include "vfs.h"
#include "anon_inode.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/sysinfo.h>
#include <linux/magic.h>
#include <unistd.h>

/* Data reaches the host's page cache at write(); a host file is synced
 * through its own fd, memory needs nothing. */
long file_fsync(struct file *f, bool data_only)
{
	if (!f->inode || (!S_ISREG(f->inode->mode) && !S_ISDIR(f->inode->mode) && !S_ISBLK(f->inode->mode)))
		return f->inode && S_ISCHR(f->inode->mode) ? 0 : -EINVAL;
	if (f->ops && f->ops->host_fd && strcmp(f->inode->sb->type, "hostfs") == 0) {
		int hfd = f->ops->host_fd(f);
		if (hfd >= 0 && (data_only ? fdatasync(hfd) : fsync(hfd)))
			return -errno;
	}
	return 0;
}

static long do_fsync(struct task *t, int fd, bool data_only)
{
	struct file *f = fd_get_io(t, fd);
	if (!f)
		return -EBADF;
	long r = file_fsync(f, data_only);
	file_put(f);
	return r;
}

long sys_fsync(struct task *t, const struct sysargs *a) { return do_fsync(t, (int)a->a[0], false); }
long sys_fdatasync(struct task *t, const struct sysargs *a) { return do_fsync(t, (int)a->a[0], true); }

long sys_syncfs(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	file_put(f);
	return 0;
}

long sys_sync(struct task *t UNUSED, const struct sysargs *a UNUSED)
{
	return 0;
}

/* In the order of Linux's ksys_sync_file_range: the fd, the flags and
 * range, then the kind of file (only files with pages to write back:
 * ESPIPE for pipes, sockets, devices and anonymous files). */
long sys_sync_file_range(struct task *t, const struct sysargs *a)
{
	int64_t off = (int64_t)a->a[1], n = (int64_t)a->a[2];
	unsigned flags = (unsigned)a->a[3];
	struct file *f = fd_get_io(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	uint64_t end = (uint64_t)off + (uint64_t)n;
	uint32_t mode = f->inode ? f->inode->mode : 0;
	long r = 0;
	if ((flags & ~7U) || off < 0 || (int64_t)end < 0 || (int64_t)end < off)
		r = -EINVAL;
	else if (!S_ISREG(mode) && !S_ISBLK(mode) && !S_ISDIR(mode) && !S_ISLNK(mode))
		r = -ESPIPE;
	else
		r = file_fsync(f, true);
	file_put(f);
	return r;
}

/* What statfs says of a filesystem: a host directory reports the host's
 * figures; the kernel's own filesystems their Linux magic and, for the
 * memory ones, the machine's memory as tmpfs does. */
static int fs_statfs(struct path p, struct statfs *out)
{
	struct super_block *sb = p.dentry->inode->sb;
	memset(out, 0, sizeof(*out));
	out->f_bsize = out->f_frsize = 4096;
	out->f_namelen = 255;
	if (!strcmp(sb->type, "hostfs")) {
		hostfs_statfs(p.dentry->inode, out);
	} else {
		struct sysinfo si;
		sysinfo(&si);
		uint64_t pages = (uint64_t)si.totalram * si.mem_unit / 2 / 4096;
		out->f_type = !strcmp(sb->type, "proc") ? PROC_SUPER_MAGIC :
			      !strcmp(sb->type, "overlay") ? OVERLAYFS_SUPER_MAGIC :
			      !strcmp(sb->type, "pipefs") ? PIPEFS_MAGIC : TMPFS_MAGIC;
		/* Memory filesystems (an overlay's changes live in memory too,
		 * in the tmpfs that is its upper layer). */
		if (out->f_type == TMPFS_MAGIC || out->f_type == OVERLAYFS_SUPER_MAGIC) {
			out->f_blocks = pages;
			out->f_bfree = out->f_bavail = pages;
			out->f_files = out->f_ffree = pages;
			tmpfs_statfs(out->f_type == TMPFS_MAGIC ? p.dentry->inode : sb->priv, out);
		}
	}
	/* statvfs's flag bits are statfs's. */
	out->f_flags = (p.mnt && (p.mnt->readonly || sb->readonly)) ? ST_RDONLY : 0;
	out->f_fsid.__val[0] = (int)sb->dev;
	return 0;
}

long sys_statfs(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = user_path_at(t, AT_FDCWD, a->a[0], LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct statfs s;
	fs_statfs(p, &s);
	path_put(&p);
	return copy_to_user(t, a->a[1], &s, sizeof(s));
}

long sys_fstatfs(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	struct statfs s;
	if (f->path.dentry) {
		fs_statfs(f->path, &s);
	} else {
		memset(&s, 0, sizeof(s));	/* pipes, sockets, anonymous files */
		s.f_type = PIPEFS_MAGIC;
		s.f_bsize = s.f_frsize = 4096;
		s.f_namelen = 255;
	}
	file_put(f);
	return copy_to_user(t, a->a[1], &s, sizeof(s));
}

long sys_chroot(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = user_path_at(t, AT_FDCWD, a->a[0], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	if (!(err = inode_permission(p.dentry->inode, MAY_EXEC)) && t->proc->euid != 0)
		err = -EPERM;
	if (!err) {
		struct fs_context *fs = t->proc->fs;
		path_put(&fs->root);
		fs->root = path_get(p);
	}
	path_put(&p);
	return err;
}
