/* mknod, mknodat (man 2 mknod): FIFOs, sockets, device nodes and plain
 * regular files, in the order of checks of Linux's do_mknodat. */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>

/* Linux's may_mknod: which types mknod makes at all. */
static int mknod_type_ok(uint32_t mode)
{
	switch (mode & S_IFMT) {
	case 0: case S_IFREG: case S_IFCHR: case S_IFBLK: case S_IFIFO: case S_IFSOCK:
		return 0;
	case S_IFDIR:
		return -EPERM;
	}
	return -EINVAL;
}

static long do_mknodat(struct task *t, int dirfd, uaddr_t uname, uint32_t mode, unsigned dev)
{
	int err = mknod_type_ok(mode);
	if (err)
		return err;
	char *name = getname(t, uname, &err);
	if (!name)
		return err;
	size_t len = strlen(name);
	bool slash = len > 1 && name[len - 1] == '/';
	struct path parent;
	char *last, *buf;
	err = path_parent(t, dirfd, name, &parent, &last, &buf);
	free(name);
	if (err)
		return err;
	err = may_create(parent, last, slash);
	uint32_t type = mode & S_IFMT ? mode & S_IFMT : S_IFREG;
	if (!err && (type == S_IFCHR || type == S_IFBLK) && t->proc->euid != 0)
		err = -EPERM;	/* CAP_MKNOD */
	struct inode *dir = parent.dentry->inode, *ni;
	if (!err && !dir->ops->create)
		err = -EPERM;
	if (!err) {
		uint32_t perm = mode & 07777 & ~t->proc->fs->umask;
		/* The device number in Linux's "new" 32-bit encoding, which
		 * is also what makedev() gives for numbers that small. */
		uint64_t rdev = type == S_IFCHR || type == S_IFBLK ? dev : 0;
		err = dir->ops->create(dir, last, type | perm, rdev, &ni);
		if (!err) {
			inode_put(ni);
			fsnotify_create(dir, last, false);
		}
	}
	path_put(&parent);
	free(buf);
	return err;
}

long sys_mknod(struct task *t, const struct sysargs *a)
{
	return do_mknodat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1], (unsigned)a->a[2]);
}

long sys_mknodat(struct task *t, const struct sysargs *a)
{
	return do_mknodat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2], (unsigned)a->a[3]);
}
