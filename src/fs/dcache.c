/* Inodes, dentries, paths and the mount table. */
#include "vfs.h"
#include <sys/sysmacros.h>

static unsigned next_dev = 0x2a;	/* anonymous device numbers, 0:N */
static struct list_head mounts = LIST_HEAD_INIT(mounts);
static int next_mount_id = 20;

struct inode *inode_new(struct super_block *sb, const struct inode_ops *ops, uint32_t mode, uint64_t ino)
{
	struct inode *i = xzalloc(sizeof(*i));
	i->refs = 1;
	i->sb = sb;
	i->ops = ops;
	i->mode = mode;
	i->ino = ino;
	return i;
}

struct inode *inode_get(struct inode *i)
{
	i->refs++;
	return i;
}

void inode_put(struct inode *i)
{
	if (!i || --i->refs)
		return;
	if (i->ops->destroy)
		i->ops->destroy(i);
	free(i);
}

int inode_stat(struct inode *i, struct kstat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = i->sb->dev;
	st->ino = i->ino;
	st->mode = i->mode;
	st->nlink = 1;
	st->blksize = 4096;
	return i->ops->getattr ? i->ops->getattr(i, st) : 0;
}

struct dentry *dentry_get(struct dentry *d)
{
	d->refs++;
	return d;
}

void dentry_put(struct dentry *d)
{
	while (d && --d->refs == 0) {
		struct dentry *parent = d->parent;
		if (parent)
			list_del(&d->sibling);
		inode_put(d->inode);
		free(d->name);
		free(d);
		d = parent;
	}
}

struct dentry *dentry_new_root(struct inode *i)
{
	struct dentry *d = xzalloc(sizeof(*d));
	d->refs = 1;
	d->name = xstrdup("/");
	d->inode = i;
	list_init(&d->children);
	list_init(&d->sibling);
	return d;
}

/* Finds or makes the child dentry `name` of `parent` for `inode` (whose
 * reference it takes). */
struct dentry *dentry_child(struct dentry *parent, const char *name, struct inode *inode)
{
	struct dentry *d = xzalloc(sizeof(*d));
	d->refs = 1;
	d->name = xstrdup(name);
	d->parent = dentry_get(parent);
	d->inode = inode;
	list_init(&d->children);
	list_add(&d->sibling, &parent->children);
	return d;
}

struct dentry *dentry_lookup_cached(struct dentry *parent, const char *name)
{
	struct dentry *d;
	list_for_each_entry(d, &parent->children, sibling)
		if (!d->deleted && strcmp(d->name, name) == 0)
			return dentry_get(d);
	return NULL;
}

/* The name is gone from its directory: later lookups must not find it. */
void dentry_delete(struct dentry *d)
{
	d->deleted = true;
}

struct path path_get(struct path p)
{
	dentry_get(p.dentry);
	return p;
}

void path_put(struct path *p)
{
	if (p->dentry)
		dentry_put(p->dentry);
	p->dentry = NULL;
	p->mnt = NULL;
}

bool path_equal(struct path a, struct path b)
{
	return a.mnt == b.mnt && a.dentry == b.dentry;
}

/* Builds the path from the leaf up into the end of a PATH_MAX buffer; a
 * path that won't fit (with its NUL) is cut at the top, and `*too_long`
 * (if given) says so. */
static char *build_path(struct path p, struct path root, bool *too_long)
{
	size_t cap = 4096, pos = cap - 1;
	char *buf = xmalloc(cap);
	buf[pos] = 0;
	bool deleted = p.dentry->deleted;
	while (!path_equal(p, root)) {
		if (p.dentry == p.mnt->root) {
			if (!p.mnt->parent)
				break;		/* outside the caller's root */
			p.dentry = p.mnt->mountpoint;
			p.mnt = p.mnt->parent;
			continue;
		}
		size_t n = strlen(p.dentry->name);
		if (n + 1 > pos) {
			if (too_long)
				*too_long = true;
			break;
		}
		pos -= n;
		memcpy(buf + pos, p.dentry->name, n);
		buf[--pos] = '/';
		p.dentry = p.dentry->parent;
	}
	if (buf[pos] == 0)
		buf[--pos] = '/';
	char *out;
	if (deleted && asprintf(&out, "%s (deleted)", buf + pos) > 0) {
		free(buf);
		return out;
	}
	memmove(buf, buf + pos, cap - pos);
	return buf;
}

char *d_path(struct path p, struct path root)
{
	return build_path(p, root, NULL);
}

char *d_path_max(struct path p, struct path root)
{
	bool too_long = false;
	char *s = build_path(p, root, &too_long);
	if (too_long) {
		free(s);
		return NULL;
	}
	return s;
}

struct super_block *sb_new(const char *type)
{
	struct super_block *sb = xzalloc(sizeof(*sb));
	sb->type = type;
	sb->dev = makedev(0, next_dev++);
	return sb;
}

struct mount *mount_add(struct path where, struct inode *root, struct super_block *sb,
			bool readonly, const char *source)
{
	struct mount *m = xzalloc(sizeof(*m));
	m->parent = where.mnt;
	m->mountpoint = where.dentry ? dentry_get(where.dentry) : NULL;
	if (m->mountpoint)
		m->mountpoint->mounted++;
	m->root = dentry_new_root(root);
	m->sb = sb;
	m->readonly = readonly;
	m->source = xstrdup(source);
	m->id = next_mount_id++;
	list_add_tail(&m->node, &mounts);
	return m;
}

/* A mount of the kernel's own, in no mount table (memfds live on one). */
struct mount *mount_internal(struct inode *root, const char *source)
{
	struct mount *m = xzalloc(sizeof(*m));
	m->root = dentry_new_root(root);
	m->sb = root->sb;
	m->source = xstrdup(source);
	m->id = next_mount_id++;
	list_init(&m->node);
	return m;
}

/* The mount sitting on (mnt, dentry), the most recent if stacked. */
struct mount *mount_lookup(struct mount *mnt, struct dentry *d)
{
	struct mount *m, *found = NULL;
	if (!d->mounted)
		return NULL;
	list_for_each_entry(m, &mounts, node)
		if (m->parent == mnt && m->mountpoint == d)
			found = m;
	return found;
}

void mounts_show(struct sbuf *out, struct path root)
{
	struct mount *m;
	list_for_each_entry(m, &mounts, node) {
		struct path p = { m, m->root };
		char *where = d_path(p, root);
		sbuf_printf(out, "%s %s %s %s 0 0\n", m->source, where, m->sb->type,
			    m->readonly ? "ro,relatime" : "rw,relatime");
		free(where);
	}
}

/* A rename moved `d` to `name` in `parent`: keep the dentry (open files,
 * cwds and mounts refer to it) and change where it hangs. */
void dentry_move(struct dentry *d, struct dentry *parent, const char *name)
{
	free(d->name);
	d->name = xstrdup(name);
	if (d->parent != parent) {
		struct dentry *old = d->parent;
		list_del(&d->sibling);
		d->parent = dentry_get(parent);
		list_add(&d->sibling, &parent->children);
		dentry_put(old);
	}
}

bool dentry_is_ancestor(struct dentry *anc, struct dentry *d)
{
	for (; d; d = d->parent)
		if (d == anc)
			return true;
	return false;
}

struct mount *mount_next(struct mount *prev)
{
	struct list_head *n = prev ? prev->node.next : mounts.next;
	return n == &mounts ? NULL : list_entry(n, struct mount, node);
}
