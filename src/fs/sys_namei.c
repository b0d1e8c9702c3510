/* System calls on names: open, mkdir, unlink, rmdir, rename, link,
 * symlink, readlink, truncate, chdir, getcwd, umask, access. */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <sys/inotify.h>
#include <limits.h>
#include <unistd.h>

/* Linux sets O_LARGEFILE on every open of a 64-bit process; glibc
 * spells it 0 on x86_64, so name the kernel's bit here. */
#define K_O_LARGEFILE 0100000
#define OPEN_FLAGS_KNOWN (O_ACCMODE | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | \
			  O_NONBLOCK | O_DSYNC | O_ASYNC | O_DIRECT | O_LARGEFILE | O_DIRECTORY | \
			  O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_SYNC | O_PATH | O_TMPFILE)

/* Opens the guest's name and gives the file an fd. */
static long open_install(struct task *t, int dirfd, uaddr_t uname, unsigned flags, uint32_t mode,
			 int resolve)
{
	int err;
	char *name = getname(t, uname, &err);
	if (!name)
		return err;
	struct file *f;
	err = do_open_resolve(t, dirfd, name, flags, mode, resolve, &f);
	free(name);
	if (err)
		return err;
	int fd = fd_install(t, f, 0, flags & O_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

static long do_openat(struct task *t, int dirfd, uaddr_t uname, unsigned flags, uint32_t mode)
{
	/* Unknown bits are ignored by open(2), as Linux does. */
	flags &= OPEN_FLAGS_KNOWN;
	return open_install(t, dirfd, uname, flags | K_O_LARGEFILE, mode, 0);
}

long sys_open(struct task *t, const struct sysargs *a)
{
	return do_openat(t, AT_FDCWD, a->a[0], (unsigned)a->a[1], (uint32_t)a->a[2]);
}

/* creat(2) is open(O_CREAT | O_WRONLY | O_TRUNC). */
long sys_creat(struct task *t, const struct sysargs *a)
{
	return do_openat(t, AT_FDCWD, a->a[0], O_CREAT | O_WRONLY | O_TRUNC, (uint32_t)a->a[1]);
}

long sys_openat(struct task *t, const struct sysargs *a)
{
	return do_openat(t, (int)a->a[0], a->a[1], (unsigned)a->a[2], (uint32_t)a->a[3]);
}

/* ---- openat2: struct open_how, checked whole (Linux's build_open_flags) ---- */

#define RESOLVE_NO_XDEV		0x01
#define RESOLVE_NO_MAGICLINKS	0x02
#define RESOLVE_NO_SYMLINKS	0x04
#define RESOLVE_BENEATH		0x08
#define RESOLVE_IN_ROOT		0x10
#define RESOLVE_CACHED		0x20
#define OPEN_HOW_SIZE_VER0	24

struct open_how { uint64_t flags, mode, resolve; };

static int resolve_lookup_flags(uint64_t resolve)
{
	return (resolve & RESOLVE_NO_XDEV ? LOOKUP_NO_XDEV : 0) |
	       (resolve & RESOLVE_NO_MAGICLINKS ? LOOKUP_NO_MAGICLINKS : 0) |
	       (resolve & RESOLVE_NO_SYMLINKS ? LOOKUP_NO_SYMLINKS : 0) |
	       (resolve & RESOLVE_BENEATH ? LOOKUP_BENEATH : 0) |
	       (resolve & RESOLVE_IN_ROOT ? LOOKUP_IN_ROOT : 0);
}

static int check_open_how(const struct open_how *how)
{
	uint64_t flags = how->flags;
	if (flags & ~(uint64_t)(OPEN_FLAGS_KNOWN | K_O_LARGEFILE))
		return -EINVAL;
	if (how->resolve & ~(uint64_t)(RESOLVE_NO_XDEV | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS |
				       RESOLVE_BENEATH | RESOLVE_IN_ROOT | RESOLVE_CACHED))
		return -EINVAL;
	if ((how->resolve & RESOLVE_BENEATH) && (how->resolve & RESOLVE_IN_ROOT))
		return -EINVAL;
	bool creates = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
	if (creates ? (how->mode & ~07777ULL) != 0 : how->mode != 0)
		return -EINVAL;
	if ((flags & (O_DIRECTORY | O_CREAT)) == (O_DIRECTORY | O_CREAT))
		return -EINVAL;
	if ((flags & O_TMPFILE) == O_TMPFILE && (flags & O_ACCMODE) == O_RDONLY)
		return -EINVAL;
	/* Every lookup counts as cached (persona's dentries are all in
	 * memory); what would write cannot be done from the cache only. */
	if ((how->resolve & RESOLVE_CACHED) && (flags & (O_TRUNC | O_CREAT | O_TMPFILE)))
		return -EAGAIN;
	return 0;
}

long sys_openat2(struct task *t, const struct sysargs *a)
{
	size_t usize = a->a[3];
	struct open_how how;
	if (usize < OPEN_HOW_SIZE_VER0)
		return -EINVAL;
	if (usize > PAGE_SIZE)
		return -E2BIG;
	int err = copy_struct_from_user(t, &how, sizeof(how), a->a[2], usize);
	if (err)
		return err;
	if ((err = check_open_how(&how)))
		return err;
	unsigned flags = (unsigned)how.flags;
	if (!(flags & O_PATH))
		flags |= K_O_LARGEFILE;
	return open_install(t, (int)a->a[0], a->a[1], flags, (uint32_t)how.mode,
			    resolve_lookup_flags(how.resolve));
}

/* The shared start of every call that makes or removes a name: the parent
 * directory (writable) and the last component. */
struct namewrite {
	struct path parent;
	char *last, *buf;
	bool trailing_slash;
};

static int begin_namewrite(struct task *t, int dirfd, uaddr_t uname, struct namewrite *nw)
{
	int err;
	char *name = getname(t, uname, &err);
	if (!name)
		return err;
	size_t n = strlen(name);
	nw->trailing_slash = n > 1 && name[n - 1] == '/';
	err = path_parent(t, dirfd, name, &nw->parent, &nw->last, &nw->buf);
	free(name);
	return err;
}

static void end_namewrite(struct namewrite *nw)
{
	path_put(&nw->parent);
	free(nw->buf);
}

static bool is_dots(const char *s)
{
	return !strcmp(s, "/") || !strcmp(s, ".") || !strcmp(s, "..");
}

static int may_change_dir(struct path dir)
{
	if (dir.dentry->deleted)
		return -ENOENT;
	int err = path_may_write(dir);
	return err ? err : inode_permission(dir.dentry->inode, MAY_WRITE | MAY_EXEC);
}

static long do_mkdirat(struct task *t, int dirfd, uaddr_t uname, uint32_t mode)
{
	struct namewrite nw;
	int err = begin_namewrite(t, dirfd, uname, &nw);
	if (err)
		return err;
	struct inode *dir = nw.parent.dentry->inode;
	/* mkdir asks for a directory: a trailing slash is fine */
	if (!(err = may_create(nw.parent, nw.last, false)))
		err = dir->ops->mkdir ? dir->ops->mkdir(dir, nw.last, mode & 07777 & ~t->proc->fs->umask)
				      : -EPERM;
	if (!err)
		fsnotify_create(dir, nw.last, true);
	end_namewrite(&nw);
	return err;
}

long sys_mkdir(struct task *t, const struct sysargs *a)
{
	return do_mkdirat(t, AT_FDCWD, a->a[0], (uint32_t)a->a[1]);
}

long sys_mkdirat(struct task *t, const struct sysargs *a)
{
	return do_mkdirat(t, (int)a->a[0], a->a[1], (uint32_t)a->a[2]);
}

static bool is_busy(struct path p)
{
	return p.dentry->mounted || p.dentry == p.mnt->root;
}

static long do_unlinkat(struct task *t, int dirfd, uaddr_t uname, bool rmdir)
{
	struct namewrite nw;
	int err = begin_namewrite(t, dirfd, uname, &nw);
	if (err)
		return err;
	struct path victim;
	struct inode *dir = nw.parent.dentry->inode;
	if (is_dots(nw.last)) {
		err = !rmdir ? -EISDIR : !strcmp(nw.last, ".") ? -EINVAL :
		      !strcmp(nw.last, "..") ? -ENOTEMPTY : -EBUSY;
		goto out;
	}
	/* A read-only mount refuses before the name is looked at, as
	 * Linux's mnt_want_write comes first. */
	if ((err = path_may_write(nw.parent)) || (err = lookup_one(nw.parent, nw.last, &victim)))
		goto out;
	/* lookup_one crossed into a mount on the victim: it's busy. */
	bool mounted = victim.mnt != nw.parent.mnt;
	struct inode *vi = victim.dentry->inode;
	if (rmdir && !S_ISDIR(vi->mode))
		err = -ENOTDIR;
	else if (!rmdir && S_ISDIR(vi->mode))
		err = -EISDIR;
	else if (!rmdir && nw.trailing_slash)
		err = -ENOTDIR;
	else if (mounted || is_busy(victim))
		err = -EBUSY;
	else if (!(err = may_change_dir(nw.parent))) {
		struct fsn_victim v;
		fsnotify_victim(vi, &v);
		if (rmdir)
			err = dir->ops->rmdir ? dir->ops->rmdir(dir, nw.last, vi) : -EPERM;
		else
			err = dir->ops->unlink ? dir->ops->unlink(dir, nw.last, vi) : -EPERM;
		if (!err) {
			dentry_delete(victim.dentry);
			fsnotify_delete(dir, nw.last, &v);
		}
	}
	path_put(&victim);
out:
	end_namewrite(&nw);
	return err;
}

long sys_unlink(struct task *t, const struct sysargs *a)
{
	return do_unlinkat(t, AT_FDCWD, a->a[0], false);
}

long sys_rmdir(struct task *t, const struct sysargs *a)
{
	return do_unlinkat(t, AT_FDCWD, a->a[0], true);
}

long sys_unlinkat(struct task *t, const struct sysargs *a)
{
	int flags = (int)a->a[2];
	if (flags & ~AT_REMOVEDIR)
		return -EINVAL;
	return do_unlinkat(t, (int)a->a[0], a->a[1], flags & AT_REMOVEDIR);
}

static long do_renameat2(struct task *t, int odfd, uaddr_t oname, int ndfd, uaddr_t nname,
			 unsigned flags)
{
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	if ((flags & RENAME_EXCHANGE) && (flags & (RENAME_NOREPLACE | RENAME_WHITEOUT)))
		return -EINVAL;
	if (flags & RENAME_WHITEOUT)
		return -EPERM;
	struct namewrite o, n;
	int err = begin_namewrite(t, odfd, oname, &o);
	if (err)
		return err;
	if ((err = begin_namewrite(t, ndfd, nname, &n))) {
		end_namewrite(&o);
		return err;
	}
	struct path src = { 0 }, dst = { 0 };
	/* Linux's order: the mounts, the names, a read-only mount, then
	 * the files. */
	if (o.parent.mnt != n.parent.mnt)
		err = -EXDEV;
	else if (is_dots(o.last) || is_dots(n.last))
		err = -EBUSY;
	else if (!(err = path_may_write(o.parent)))
		err = lookup_one(o.parent, o.last, &src);
	if (err)
		goto out;
	err = lookup_one(n.parent, n.last, &dst);
	if (err && (err != -ENOENT || (flags & RENAME_EXCHANGE)))
		goto out;
	err = 0;
	struct inode *si = src.dentry->inode;
	bool src_dir = S_ISDIR(si->mode);
	if ((o.trailing_slash || (n.trailing_slash && !dst.dentry)) && !src_dir) {
		err = -ENOTDIR;
		goto out;
	}
	if (dst.dentry && dst.dentry->inode == si && !(flags & RENAME_EXCHANGE))
		goto out;	/* the same file: nothing to do */
	if (dst.dentry && !(flags & RENAME_EXCHANGE)) {
		if (flags & RENAME_NOREPLACE) {
			err = -EEXIST;
			goto out;
		}
		bool dst_dir = S_ISDIR(dst.dentry->inode->mode);
		if (src_dir != dst_dir) {
			err = src_dir ? -ENOTDIR : -EISDIR;
			goto out;
		}
	}
	/* A directory can't move into itself, nor replace an ancestor. */
	if ((src_dir && dentry_is_ancestor(src.dentry, n.parent.dentry)) ||
	    ((flags & RENAME_EXCHANGE) && S_ISDIR(dst.dentry->inode->mode) &&
	     dentry_is_ancestor(dst.dentry, o.parent.dentry))) {
		err = -EINVAL;
		goto out;
	}
	if (dst.dentry && dentry_is_ancestor(dst.dentry, o.parent.dentry)) {
		err = -ENOTEMPTY;
		goto out;
	}
	if (is_busy(src) || src.mnt != o.parent.mnt || (dst.dentry && (is_busy(dst) || dst.mnt != n.parent.mnt))) {
		err = -EBUSY;
		goto out;
	}
	if ((err = may_change_dir(o.parent)) || (err = may_change_dir(n.parent)))
		goto out;
	struct inode *od = o.parent.dentry->inode, *nd = n.parent.dentry->inode;
	if (!od->ops->rename) {
		err = -EPERM;
		goto out;
	}
	struct fsn_victim moved, other;
	fsnotify_victim(si, &moved);
	if (dst.dentry)
		fsnotify_victim(dst.dentry->inode, &other);
	if ((err = od->ops->rename(od, o.last, nd, n.last, flags)))
		goto out;
	if (flags & RENAME_EXCHANGE) {
		fsnotify_move(od, o.last, nd, n.last, &moved, NULL);
		fsnotify_move(nd, n.last, od, o.last, &other, NULL);
	} else
		fsnotify_move(od, o.last, nd, n.last, &moved, dst.dentry ? &other : NULL);
	if (flags & RENAME_EXCHANGE) {
		char *tmp = xstrdup(dst.dentry->name);
		struct dentry *dparent = dentry_get(dst.dentry->parent);
		dentry_move(dst.dentry, src.dentry->parent, src.dentry->name);
		dentry_move(src.dentry, dparent, tmp);
		dentry_put(dparent);
		free(tmp);
	} else {
		if (dst.dentry)
			dentry_delete(dst.dentry);
		dentry_move(src.dentry, n.parent.dentry, n.last);
	}
out:
	path_put(&src);
	path_put(&dst);
	end_namewrite(&o);
	end_namewrite(&n);
	return err;
}

long sys_rename(struct task *t, const struct sysargs *a)
{
	return do_renameat2(t, AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

long sys_renameat(struct task *t, const struct sysargs *a)
{
	return do_renameat2(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], 0);
}

long sys_renameat2(struct task *t, const struct sysargs *a)
{
	return do_renameat2(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (unsigned)a->a[4]);
}

static long do_linkat(struct task *t, int odfd, uaddr_t oname, int ndfd, uaddr_t nname, int flags)
{
	if (flags & ~(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int err;
	char *name = (flags & AT_EMPTY_PATH) ? getname_empty_ok(t, oname, &err) : getname(t, oname, &err);
	if (!name)
		return err;
	struct path old;
	err = path_lookup(t, odfd, name, (flags & AT_SYMLINK_FOLLOW ? LOOKUP_FOLLOW : 0) |
			  (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &old);
	free(name);
	if (err)
		return err;
	struct namewrite nw;
	if ((err = begin_namewrite(t, ndfd, nname, &nw))) {
		path_put(&old);
		return err;
	}
	struct inode *dir = nw.parent.dentry->inode;
	if ((err = may_create(nw.parent, nw.last, nw.trailing_slash)))
		;
	else if (old.mnt != nw.parent.mnt)
		err = -EXDEV;
	else if (S_ISDIR(old.dentry->inode->mode))
		err = -EPERM;
	else
		err = dir->ops->link ? dir->ops->link(old.dentry->inode, dir, nw.last) : -EPERM;
	if (!err)
		fsnotify_link(dir, nw.last, old.dentry->inode);
	end_namewrite(&nw);
	path_put(&old);
	return err;
}

long sys_link(struct task *t, const struct sysargs *a)
{
	return do_linkat(t, AT_FDCWD, a->a[0], AT_FDCWD, a->a[1], 0);
}

long sys_linkat(struct task *t, const struct sysargs *a)
{
	return do_linkat(t, (int)a->a[0], a->a[1], (int)a->a[2], a->a[3], (int)a->a[4]);
}

static long do_symlinkat(struct task *t, uaddr_t utarget, int dirfd, uaddr_t uname)
{
	int err;
	char *target = getname(t, utarget, &err);
	if (!target)
		return err;
	struct namewrite nw;
	if ((err = begin_namewrite(t, dirfd, uname, &nw))) {
		free(target);
		return err;
	}
	struct inode *dir = nw.parent.dentry->inode;
	if (!(err = may_create(nw.parent, nw.last, nw.trailing_slash)))
		err = dir->ops->symlink ? dir->ops->symlink(dir, nw.last, target) : -EPERM;
	if (!err)
		fsnotify_create(dir, nw.last, false);
	end_namewrite(&nw);
	free(target);
	return err;
}

long sys_symlink(struct task *t, const struct sysargs *a)
{
	return do_symlinkat(t, a->a[0], AT_FDCWD, a->a[1]);
}

long sys_symlinkat(struct task *t, const struct sysargs *a)
{
	return do_symlinkat(t, a->a[0], (int)a->a[1], a->a[2]);
}

/* The text of a symlink; for a magic link, the path it jumps to. */
int link_text(struct task *t, struct inode *i, char *buf, size_t len)
{
	if (i->ops->jump) {
		struct path p;
		int err = i->ops->jump(i, &p);
		if (err)
			return i->ops->readlink ? i->ops->readlink(i, buf, len) : err;
		char *s = d_path(p, t->proc->fs->root);
		path_put(&p);
		size_t n = MIN(strlen(s), len);
		memcpy(buf, s, n);
		free(s);
		return (int)n;
	}
	return i->ops->readlink ? i->ops->readlink(i, buf, len) : -EINVAL;
}

static long do_readlinkat(struct task *t, int dirfd, uaddr_t uname, uaddr_t ubuf, int size)
{
	if (size <= 0)
		return -EINVAL;
	int err;
	char *name = getname_empty_ok(t, uname, &err);
	if (!name)
		return err;
	struct path p;
	bool empty = !*name;
	err = empty && dirfd == AT_FDCWD ? -ENOENT : path_lookup(t, dirfd, name, LOOKUP_EMPTY, &p);
	free(name);
	if (err)
		return err;
	long r = empty ? -ENOENT : -EINVAL;
	if (S_ISLNK(p.dentry->inode->mode)) {
		char *buf = xmalloc(PATH_MAX);
		r = link_text(t, p.dentry->inode, buf, PATH_MAX);
		if (r >= 0) {
			r = MIN(r, size);
			if (copy_to_user(t, ubuf, buf, r))
				r = -EFAULT;
		}
		free(buf);
	}
	path_put(&p);
	return r;
}

long sys_readlink(struct task *t, const struct sysargs *a)
{
	return do_readlinkat(t, AT_FDCWD, a->a[0], a->a[1], (int)a->a[2]);
}

long sys_readlinkat(struct task *t, const struct sysargs *a)
{
	return do_readlinkat(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}

long sys_truncate(struct task *t, const struct sysargs *a)
{
	int64_t len = (int64_t)a->a[1];
	struct path p;
	int err = user_path_at(t, AT_FDCWD, a->a[0], LOOKUP_FOLLOW, &p);
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	if (len < 0)
		err = -EINVAL;
	else if (S_ISDIR(i->mode))
		err = -EISDIR;
	else if (!S_ISREG(i->mode))
		err = -EINVAL;
	else if (!(err = path_may_write(p)) && !(err = inode_permission(i, MAY_WRITE)) &&
		 !(err = file_size_limit(t, len))) {
		struct iattr ia = { .valid = ATTR_SIZE, .size = len };
		err = i->ops->setattr ? i->ops->setattr(i, &ia) : -EPERM;
		if (!err)
			fsnotify_path(p, IN_MODIFY);
	}
	path_put(&p);
	return err;
}

static long set_cwd(struct task *t, struct path p)
{
	if (!S_ISDIR(p.dentry->inode->mode))
		return -ENOTDIR;
	int err = inode_permission(p.dentry->inode, MAY_EXEC);
	if (err)
		return err;
	struct fs_context *fs = t->proc->fs;
	path_put(&fs->cwd);
	fs->cwd = path_get(p);
	return 0;
}

long sys_chdir(struct task *t, const struct sysargs *a)
{
	struct path p;
	int err = user_path_at(t, AT_FDCWD, a->a[0], LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	err = set_cwd(t, p);
	path_put(&p);
	return err;
}

long sys_fchdir(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long err = f->path.dentry ? set_cwd(t, f->path) : -ENOTDIR;
	file_put(f);
	return err;
}

long sys_getcwd(struct task *t, const struct sysargs *a)
{
	struct fs_context *fs = t->proc->fs;
	if (fs->cwd.dentry->deleted)
		return -ENOENT;
	char *s = d_path_max(fs->cwd, fs->root);
	if (!s)
		return -ENAMETOOLONG;	/* Linux gives no part of it */
	size_t n = strlen(s) + 1;
	long r = n;
	if (a->a[1] < n)
		r = -ERANGE;
	else if (copy_to_user(t, a->a[0], s, n))
		r = -EFAULT;
	free(s);
	return r;
}

long sys_umask(struct task *t, const struct sysargs *a)
{
	uint32_t old = t->proc->fs->umask;
	t->proc->fs->umask = a->a[0] & 0777;
	return old;
}

static long do_faccessat(struct task *t, int dirfd, uaddr_t uname, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	if (flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	int err;
	char *name = (flags & AT_EMPTY_PATH) ? getname_empty_ok(t, uname, &err) : getname(t, uname, &err);
	if (!name)
		return err;
	struct path p;
	err = path_lookup(t, dirfd, name, (flags & AT_SYMLINK_NOFOLLOW ? 0 : LOOKUP_FOLLOW) |
			  (flags & AT_EMPTY_PATH ? LOOKUP_EMPTY : 0), &p);
	free(name);
	if (err)
		return err;
	struct inode *i = p.dentry->inode;
	if ((mode & W_OK) && (S_ISREG(i->mode) || S_ISDIR(i->mode) || S_ISLNK(i->mode)))
		err = path_may_write(p);
	if (!err && mode)
		err = inode_permission(i, (mode & R_OK ? MAY_READ : 0) | (mode & W_OK ? MAY_WRITE : 0) |
				       (mode & X_OK ? MAY_EXEC : 0));
	path_put(&p);
	return err;
}

long sys_access(struct task *t, const struct sysargs *a)
{
	return do_faccessat(t, AT_FDCWD, a->a[0], (int)a->a[1], 0);
}

long sys_faccessat(struct task *t, const struct sysargs *a)
{
	return do_faccessat(t, (int)a->a[0], a->a[1], (int)a->a[2], 0);
}

long sys_faccessat2(struct task *t, const struct sysargs *a)
{
	return do_faccessat(t, (int)a->a[0], a->a[1], (int)a->a[2], (int)a->a[3]);
}
