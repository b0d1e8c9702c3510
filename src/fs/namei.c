/* Path lookup: components, ".", "..", symlinks, mounts, dirfds. */
#include "vfs.h"
#include "uaccess.h"
#include <fcntl.h>
#include <limits.h>

#define MAXSYMLINKS 40

struct nameidata {
	struct path path;	/* where the walk is now (a reference) */
	struct path root;	/* the walker's root; ".." stops here */
	int nlinks;
	int resolve;		/* LOOKUP_RESOLVE bits */
};

static void step_into_mounts(struct path *p)
{
	struct mount *m;
	while ((m = mount_lookup(p->mnt, p->dentry))) {
		struct path next = { m, dentry_get(m->root) };
		path_put(p);
		*p = next;
	}
}

static int follow_dotdot(struct nameidata *nd)
{
	for (;;) {
		if (path_equal(nd->path, nd->root))
			return nd->resolve & LOOKUP_BENEATH ? -EXDEV : 0;
		if (nd->path.dentry != nd->path.mnt->root)
			break;
		struct mount *m = nd->path.mnt;
		if (!m->parent)
			return 0;
		if (nd->resolve & LOOKUP_NO_XDEV)
			return -EXDEV;
		struct path up = { m->parent, dentry_get(m->mountpoint) };
		path_put(&nd->path);
		nd->path = up;
	}
	struct path up = { nd->path.mnt, dentry_get(nd->path.dentry->parent) };
	path_put(&nd->path);
	nd->path = up;
	return 0;
}

int inode_permission(struct inode *i, int mask)
{
	struct kstat st;
	if (!current)
		return 0;
	if (inode_stat(i, &st))
		return 0;
	struct process *p = current->proc;
	if (p->fsuid == 0) {
		/* root may do anything but execute a file nobody may. */
		if ((mask & MAY_EXEC) && !S_ISDIR(st.mode) && !(st.mode & 0111))
			return -EACCES;
		return 0;
	}
	unsigned perm;
	bool in_group = st.gid == p->fsgid;
	for (int g = 0; g < p->ngroups && !in_group; g++)
		in_group = st.gid == p->groups[g];
	if (st.uid == p->fsuid)
		perm = st.mode >> 6;
	else if (in_group)
		perm = st.mode >> 3;
	else
		perm = st.mode;
	return (perm & mask & 7) == (unsigned)(mask & 7) ? 0 : -EACCES;
}

int path_may_write(struct path p)
{
	if (p.mnt->readonly || p.mnt->sb->readonly)
		return -EROFS;
	return 0;
}

/* The checks of Linux's filename_create and may_create, in their order:
 * the name is new ("." and ".." never are), a trailing slash on a new name
 * is ENOENT, the mount takes writes, the directory is still linked, and
 * the caller may write and search it. */
int may_create(struct path parent, const char *last, bool trailing_slash)
{
	if (!strcmp(last, "/") || !strcmp(last, ".") || !strcmp(last, ".."))
		return -EEXIST;
	struct path p;
	int err = lookup_one(parent, last, &p);
	if (err == 0) {
		path_put(&p);
		return -EEXIST;
	}
	if (err != -ENOENT)
		return err;
	if (trailing_slash)
		return -ENOENT;
	if ((err = path_may_write(parent)))
		return err;
	if (parent.dentry->deleted)
		return -ENOENT;
	return inode_permission(parent.dentry->inode, MAY_WRITE | MAY_EXEC);
}

int lookup_one(struct path dir, const char *name, struct path *out)
{
	struct inode *di = dir.dentry->inode;
	if (!S_ISDIR(di->mode))
		return -ENOTDIR;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	struct dentry *d = dentry_lookup_cached(dir.dentry, name);
	if (!d) {
		struct inode *i;
		if (!di->ops->lookup)
			return -ENOENT;
		int err = di->ops->lookup(di, name, &i);
		if (err)
			return err;
		d = dentry_child(dir.dentry, name, i);
	}
	out->mnt = dir.mnt;
	out->dentry = d;
	step_into_mounts(out);
	return 0;
}

static int walk(struct nameidata *nd, const char *name, int flags);

/* Replaces nd->path (the link's directory) with the link's target. */
static int follow_link(struct nameidata *nd, struct path *link)
{
	struct inode *i = link->dentry->inode;
	if (nd->resolve & LOOKUP_NO_SYMLINKS)
		return -ELOOP;
	if (++nd->nlinks > MAXSYMLINKS)
		return -ELOOP;
	if (i->ops->jump) {
		/* A /proc magic link, as Linux's nd_jump_link checks it. */
		if (nd->resolve & LOOKUP_NO_MAGICLINKS)
			return -ELOOP;
		if (nd->resolve & LOOKUP_SCOPED)
			return -EXDEV;
		struct path target;
		int err = i->ops->jump(i, &target);
		if (err)
			return err;
		if ((nd->resolve & LOOKUP_NO_XDEV) && target.mnt != nd->path.mnt) {
			path_put(&target);
			return -EXDEV;
		}
		path_put(&nd->path);
		nd->path = target;
		return 0;
	}
	if (!i->ops->readlink)
		return -EINVAL;
	char *buf = xmalloc(PATH_MAX);
	int n = i->ops->readlink(i, buf, PATH_MAX - 1);
	int err = n;
	if (n >= 0) {
		buf[n] = 0;
		err = n == 0 ? -ENOENT : walk(nd, buf, LOOKUP_FOLLOW);
	}
	free(buf);
	return err;
}

/* Walks `name` from nd->path. With `stop_before_last`, leaves the last
 * component unresolved (it is returned through *last). */
static int walk_until(struct nameidata *nd, const char *name, int flags, const char **last)
{
	if (*name == '/') {
		/* An absolute name, or an absolute symlink (nd_jump_root). */
		if (nd->resolve & LOOKUP_BENEATH)
			return -EXDEV;
		if ((nd->resolve & LOOKUP_NO_XDEV) && nd->nlinks && nd->path.mnt != nd->root.mnt)
			return -EXDEV;
		path_put(&nd->path);
		nd->path = path_get(nd->root);
	}
	const char *p = name;
	char comp[NAME_MAX + 2];
	for (;;) {
		while (*p == '/')
			p++;
		if (!*p)
			break;
		const char *end = strchrnul(p, '/');
		size_t len = end - p;
		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		const char *rest = end;
		while (*rest == '/')
			rest++;
		bool is_last = *rest == 0;
		bool trailing = is_last && *end == '/';
		if (!S_ISDIR(nd->path.dentry->inode->mode))
			return -ENOTDIR;
		int err = inode_permission(nd->path.dentry->inode, MAY_EXEC);
		if (err)
			return err;
		if (is_last && last) {
			*last = p;
			return 0;
		}
		memcpy(comp, p, len);
		comp[len] = 0;
		p = end;
		if (strcmp(comp, ".") == 0)
			continue;
		if (strcmp(comp, "..") == 0) {
			if ((err = follow_dotdot(nd)))
				return err;
			continue;
		}
		struct path next;
		err = lookup_one(nd->path, comp, &next);
		if (err)
			return err;
		if ((nd->resolve & LOOKUP_NO_XDEV) && next.mnt != nd->path.mnt) {
			path_put(&next);
			return -EXDEV;
		}
		if (S_ISLNK(next.dentry->inode->mode) &&
		    (!is_last || (flags & LOOKUP_FOLLOW) || trailing)) {
			err = follow_link(nd, &next);
			path_put(&next);
			if (err)
				return err;
			continue;
		}
		path_put(&nd->path);
		nd->path = next;
	}
	if (last)
		*last = NULL;
	return 0;
}

static int walk(struct nameidata *nd, const char *name, int flags)
{
	return walk_until(nd, name, flags, NULL);
}

/* Where a relative name starts: the cwd, or a dirfd's directory. With
 * AT_EMPTY_PATH-style "" the dirfd may be any file. */
int lookup_base(struct task *t, int dirfd, const char *name, struct path *base)
{
	if (*name == '/' || dirfd == AT_FDCWD) {
		*base = path_get(t->proc->fs->cwd);
		return 0;
	}
	struct file *f = fd_get(t, dirfd);
	if (!f)
		return -EBADF;
	if (!f->path.dentry || (!S_ISDIR(f->path.dentry->inode->mode) && *name)) {
		file_put(f);
		return -ENOTDIR;
	}
	*base = path_get(f->path);
	file_put(f);
	return 0;
}

/* A scoped walk (RESOLVE_BENEATH, RESOLVE_IN_ROOT) has its base for root. */
static void nd_start(struct nameidata *nd, struct task *t, struct path base, int flags)
{
	nd->resolve = flags & LOOKUP_RESOLVE;
	nd->root = flags & LOOKUP_SCOPED ? base : t->proc->fs->root;
	nd->nlinks = 0;
	nd->path = path_get(base);
}

int path_lookup_at(struct task *t, struct path base, const char *name, int flags, struct path *out)
{
	struct nameidata nd;
	if (!*name && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	nd_start(&nd, t, base, flags);
	int err = walk(&nd, name, flags);
	size_t n = strlen(name);
	if (!err && ((flags & LOOKUP_DIRECTORY) || (n && name[n - 1] == '/')) &&
	    !S_ISDIR(nd.path.dentry->inode->mode))
		err = -ENOTDIR;
	if (err) {
		path_put(&nd.path);
		return err;
	}
	*out = nd.path;
	return 0;
}

int path_parent_at(struct task *t, struct path base, const char *name, int flags,
		   struct path *parent, char **last, char **buf)
{
	struct nameidata nd;
	const char *lp;
	if (!*name)
		return -ENOENT;
	nd_start(&nd, t, base, flags);
	int err = walk_until(&nd, name, flags & LOOKUP_RESOLVE, &lp);
	if (err) {
		path_put(&nd.path);
		return err;
	}
	/* A copy of the last component without its trailing slashes; the
	 * root itself reads as "/". */
	*buf = xstrdup(lp ? lp : "/");
	char *s = strchr(*buf, '/');
	if (s && s != *buf)
		*s = 0;
	*last = *buf;
	*parent = nd.path;
	return 0;
}

int path_lookup(struct task *t, int dirfd, const char *name, int flags, struct path *out)
{
	struct path base;
	if (!*name && !(flags & LOOKUP_EMPTY))
		return -ENOENT;
	int err = lookup_base(t, dirfd, name, &base);
	if (err)
		return err;
	err = path_lookup_at(t, base, name, flags, out);
	path_put(&base);
	return err;
}

int path_parent(struct task *t, int dirfd, const char *name, struct path *parent,
		char **last, char **buf)
{
	struct path base;
	if (!*name)
		return -ENOENT;
	int err = lookup_base(t, dirfd, name, &base);
	if (err)
		return err;
	err = path_parent_at(t, base, name, 0, parent, last, buf);
	path_put(&base);
	return err;
}

int user_path_at(struct task *t, int dirfd, uaddr_t uname, int flags, struct path *out)
{
	int err;
	char *name = (flags & LOOKUP_EMPTY) ? getname_empty_ok(t, uname, &err) : getname(t, uname, &err);
	if (!name)
		return err;
	err = path_lookup(t, dirfd, name, flags, out);
	free(name);
	return err;
}
