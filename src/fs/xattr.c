/* Extended attributes (man 7 xattr; man 2 setxattr getxattr listxattr
 * removexattr): the twelve system calls, the checks Linux's fs/xattr.c
 * makes before a filesystem sees a request, and the in-memory store
 * tmpfs keeps them in (Linux's simple_xattr, names kept sorted).
 *
 * Namespaces: user.* on regular files and directories, with the file's
 * read or write permission; trusted.* for root only; security.* as the
 * filesystem allows (no security module here checks more). system.* (POSIX
 * ACLs) is not supported: EOPNOTSUPP, as for unknown prefixes. */
#include "vfs.h"
#include <sys/inotify.h>
#include "ksyscall.h"
#include "uaccess.h"
#include "anon_inode.h"
#include <fcntl.h>
#include <sys/xattr.h>

#define XATTR_NAME_MAX	255
#define XATTR_SIZE_MAX	65536
#define XATTR_LIST_MAX	65536

/* ---- the in-memory store ---- */

struct xattr {
	struct list_head node;
	char *name;
	size_t size;
	char value[];
};

static bool is_trusted(const char *name)
{
	return !strncmp(name, "trusted.", 8);
}

static bool capable_admin(void)
{
	return current && current->proc->euid == 0;
}

static struct xattr *find(struct list_head *xs, const char *name)
{
	struct xattr *x;
	list_for_each_entry(x, xs, node)
		if (!strcmp(x->name, name))
			return x;
	return NULL;
}

ssize_t xattrs_get(struct list_head *xs, const char *name, void *buf, size_t size)
{
	struct xattr *x = find(xs, name);
	if (!x)
		return -ENODATA;
	if (size) {
		if (x->size > size)
			return -ERANGE;
		memcpy(buf, x->value, x->size);
	}
	return (ssize_t)x->size;
}

int xattrs_set(struct list_head *xs, const char *name, const void *value, size_t size, int flags)
{
	struct xattr *old = find(xs, name);
	if (old && (flags & XATTR_CREATE))
		return -EEXIST;
	if (!old && (flags & XATTR_REPLACE))
		return -ENODATA;
	struct list_head *before = xs;
	if (old) {
		before = old->node.next;
		list_del(&old->node);
		free(old->name);
		free(old);
	} else {
		struct xattr *x;
		list_for_each_entry(x, xs, node)
			if (strcmp(x->name, name) > 0) {
				before = &x->node;
				break;
			}
	}
	struct xattr *x = xmalloc(sizeof(*x) + size);
	x->name = xstrdup(name);
	x->size = size;
	memcpy(x->value, value, size);
	list_add_tail(&x->node, before);
	return 0;
}

int xattrs_remove(struct list_head *xs, const char *name)
{
	struct xattr *x = find(xs, name);
	if (!x)
		return -ENODATA;
	list_del(&x->node);
	free(x->name);
	free(x);
	return 0;
}

ssize_t xattrs_list(struct list_head *xs, char *buf, size_t size)
{
	size_t total = 0;
	bool trusted = capable_admin();
	struct xattr *x;
	list_for_each_entry(x, xs, node) {
		if (is_trusted(x->name) && !trusted)
			continue;
		size_t n = strlen(x->name) + 1;
		if (size) {
			if (total + n > size)
				return -ERANGE;
			memcpy(buf + total, x->name, n);
		}
		total += n;
	}
	return (ssize_t)total;
}

void xattrs_free(struct list_head *xs)
{
	while (!list_empty(xs))
		xattrs_remove(xs, list_entry(xs->next, struct xattr, node)->name);
}

/* ---- the checks, as Linux's xattr_permission ---- */

static bool known_namespace(const char *name)
{
	return !strncmp(name, "user.", 5) || !strncmp(name, "trusted.", 8) ||
	       !strncmp(name, "security.", 9);
}

/* What a call works on: a path (following the last symlink or not) or
 * an fd; `inode` is NULL for a pipe or socket, which has only a mode. */
struct xattr_target {
	struct path path;
	struct file *file;
	struct inode *inode;
	uint32_t mode;
};

static int xattr_permission(const struct xattr_target *x, const char *name, int mask)
{
	if (!strncmp(name, "security.", 9) || !strncmp(name, "system.", 7))
		return 0;
	if (is_trusted(name))
		return capable_admin() ? 0 : (mask & MAY_WRITE) ? -EPERM : -ENODATA;
	if (!strncmp(name, "user.", 5)) {
		if (!S_ISREG(x->mode) && !S_ISDIR(x->mode))
			return (mask & MAY_WRITE) ? -EPERM : -ENODATA;
	}
	return x->inode ? inode_permission(x->inode, mask) : 0;
}

/* Before a named request reaches the filesystem: the caller's right to
 * it, then a namespace and an operation the filesystem has (else
 * EOPNOTSUPP). */
static int named_request_ok(const struct xattr_target *x, const char *name, int mask, bool has_op)
{
	int err = xattr_permission(x, name, mask);
	if (err)
		return err;
	return known_namespace(name) && has_op ? 0 : -EOPNOTSUPP;
}

/* What a get or list op put in `buf` (r bytes, or an error), to the guest. */
static long copy_out(struct task *t, uaddr_t dst, const char *buf, size_t size, long r)
{
	return r > 0 && size && copy_to_user(t, dst, buf, r) ? -EFAULT : r;
}

/* ---- the system calls ---- */

/* The attribute name argument: EFAULT, or ERANGE when empty or too long. */
static int get_name(struct task *t, uaddr_t uname, char *name)
{
	long n = strncpy_from_user(t, name, uname, XATTR_NAME_MAX + 1);
	if (n == -EFAULT)
		return -EFAULT;
	return n <= 0 ? -ERANGE : 0;	/* empty, or no NUL in 256 bytes */
}

static int target_get(struct task *t, int kind, uint64_t arg, bool write, struct xattr_target *x)
{
	int err;
	memset(x, 0, sizeof(*x));
	if (kind == 'f') {
		x->file = fd_get_io(t, (int)arg);	/* not O_PATH */
		if (!x->file)
			return -EBADF;
		x->path = x->file->path;
		/* the name's inode, as fstat reports it (overlay) */
		x->inode = x->path.dentry ? x->path.dentry->inode : x->file->inode;
		struct kstat st;
		if (!x->inode && (err = file_stat(x->file, &st)))
			return err;
		x->mode = x->inode ? x->inode->mode : st.mode;
	} else {
		if ((err = user_path_at(t, AT_FDCWD, arg, kind == 'p' ? LOOKUP_FOLLOW : 0, &x->path)))
			return err;
		x->inode = x->path.dentry->inode;
		x->mode = x->inode->mode;
	}
	if (write && x->path.mnt && (err = path_may_write(x->path)))
		return err;
	return 0;
}

static void target_put(struct xattr_target *x)
{
	if (x->file)
		file_put(x->file);
	else if (x->path.dentry)
		path_put(&x->path);
}

static long do_setxattr(struct task *t, int kind, const struct sysargs *a)
{
	int flags = (int)a->a[4];
	size_t size = a->a[3];
	char name[XATTR_NAME_MAX + 2];
	if (flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	int err = get_name(t, a->a[1], name);
	if (err)
		return err;
	if (size > XATTR_SIZE_MAX)
		return -E2BIG;
	char *value = xmalloc(size + 1);
	struct xattr_target x = { 0 };
	if (size && copy_from_user(t, value, a->a[2], size))
		err = -EFAULT;
	else if (!(err = target_get(t, kind, a->a[0], true, &x)) &&
		 !(err = named_request_ok(&x, name, MAY_WRITE, x.inode && x.inode->ops->setxattr)))
		err = x.inode->ops->setxattr(x.inode, name, value, size, flags);
	if (!err && x.path.dentry)
		fsnotify_path(x.path, IN_ATTRIB);
	target_put(&x);
	free(value);
	return err;
}

static long do_getxattr(struct task *t, int kind, const struct sysargs *a)
{
	size_t size = MIN(a->a[3], (uint64_t)XATTR_SIZE_MAX);
	char name[XATTR_NAME_MAX + 2];
	int err = get_name(t, a->a[1], name);
	if (err)
		return err;
	struct xattr_target x;
	long r = target_get(t, kind, a->a[0], false, &x);
	char *value = NULL;
	if (!r && !(r = named_request_ok(&x, name, MAY_READ, x.inode && x.inode->ops->getxattr))) {
		value = xmalloc(size + 1);
		r = copy_out(t, a->a[2], value, size, x.inode->ops->getxattr(x.inode, name, value, size));
	}
	target_put(&x);
	free(value);
	return r;
}

static long do_listxattr(struct task *t, int kind, const struct sysargs *a)
{
	size_t size = MIN(a->a[2], (uint64_t)XATTR_LIST_MAX);
	struct xattr_target x;
	long r = target_get(t, kind, a->a[0], false, &x);
	char *list = NULL;
	if (!r) {
		if (!x.inode || !x.inode->ops->listxattr) {
			r = 0;	/* Linux lists nothing where a filesystem keeps none */
		} else {
			list = xmalloc(size + 1);
			r = copy_out(t, a->a[1], list, size, x.inode->ops->listxattr(x.inode, list, size));
		}
	}
	target_put(&x);
	free(list);
	return r;
}

static long do_removexattr(struct task *t, int kind, const struct sysargs *a)
{
	char name[XATTR_NAME_MAX + 2];
	int err = get_name(t, a->a[1], name);
	if (err)
		return err;
	struct xattr_target x;
	if (!(err = target_get(t, kind, a->a[0], true, &x)) &&
	    !(err = named_request_ok(&x, name, MAY_WRITE, x.inode && x.inode->ops->removexattr)))
		err = x.inode->ops->removexattr(x.inode, name);
	if (!err && x.path.dentry)
		fsnotify_path(x.path, IN_ATTRIB);
	target_put(&x);
	return err;
}

/* 'p': a path, followed; 'l': a path, its last symlink not followed; 'f': an fd */
long sys_setxattr(struct task *t, const struct sysargs *a) { return do_setxattr(t, 'p', a); }
long sys_lsetxattr(struct task *t, const struct sysargs *a) { return do_setxattr(t, 'l', a); }
long sys_fsetxattr(struct task *t, const struct sysargs *a) { return do_setxattr(t, 'f', a); }
long sys_getxattr(struct task *t, const struct sysargs *a) { return do_getxattr(t, 'p', a); }
long sys_lgetxattr(struct task *t, const struct sysargs *a) { return do_getxattr(t, 'l', a); }
long sys_fgetxattr(struct task *t, const struct sysargs *a) { return do_getxattr(t, 'f', a); }
long sys_listxattr(struct task *t, const struct sysargs *a) { return do_listxattr(t, 'p', a); }
long sys_llistxattr(struct task *t, const struct sysargs *a) { return do_listxattr(t, 'l', a); }
long sys_flistxattr(struct task *t, const struct sysargs *a) { return do_listxattr(t, 'f', a); }
long sys_removexattr(struct task *t, const struct sysargs *a) { return do_removexattr(t, 'p', a); }
long sys_lremovexattr(struct task *t, const struct sysargs *a) { return do_removexattr(t, 'l', a); }
long sys_fremovexattr(struct task *t, const struct sysargs *a) { return do_removexattr(t, 'f', a); }
