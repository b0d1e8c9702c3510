/* overlay: a writable upper tmpfs over a read-only lower filesystem, the
 * default world's root. As in Linux's overlayfs: a file is copied up to the
 * upper layer before its first change, a removed lower name leaves a
 * whiteout (a 0:0 character device) in the upper layer, and a directory
 * that replaces a removed one is opaque (hides what is below). Renaming a
 * directory that has lower contents is EXDEV, as overlayfs without
 * redirect_dir says; mv then falls back to copying. */
#include "vfs.h"
#include <dirent.h>
#include <fcntl.h>

struct ovl_node {
	struct inode *upper, *lower;	/* either may be NULL, not both */
	struct inode *parent;		/* the overlay directory; NULL at root */
	char *name;
};

static const struct inode_ops ovl_iops;
static struct ovl_node *N(struct inode *i) { return i->priv; }
static struct inode *real(struct inode *i) { return N(i)->upper ? N(i)->upper : N(i)->lower; }

static struct inode *ovl_inode(struct super_block *sb, struct inode *upper, struct inode *lower,
			       struct inode *parent, const char *name)
{
	struct inode *r = upper ? upper : lower;
	struct inode *i = inode_new(sb, &ovl_iops, r->mode, lower ? lower->ino : upper->ino);
	struct ovl_node *n = xzalloc(sizeof(*n));
	n->upper = upper;
	n->lower = lower;
	n->parent = parent ? inode_get(parent) : NULL;
	n->name = xstrdup(name);
	i->priv = n;
	return i;
}

struct inode *overlay_new_root(struct inode *lower, struct inode *upper)
{
	struct super_block *sb = sb_new("overlay");
	sb->nodev = lower->sb->nodev;	/* the host's nodes show through */
	sb->priv = inode_get(upper);	/* what statfs counts */
	return ovl_inode(sb, upper, lower, NULL, "/");
}

static int ovl_lookup(struct inode *dir, const char *name, struct inode **res)
{
	struct ovl_node *dn = N(dir);
	struct inode *up = NULL, *low = NULL;
	int err;
	if (dn->upper) {
		err = dn->upper->ops->lookup(dn->upper, name, &up);
		if (err && err != -ENOENT)
			return err;
		if (up && tmpfs_is_whiteout(up)) {
			inode_put(up);
			return -ENOENT;
		}
	}
	bool below = dn->lower && (!up || (S_ISDIR(up->mode) && !tmpfs_is_opaque(up)));
	if (below) {
		err = dn->lower->ops->lookup(dn->lower, name, &low);
		if (err && err != -ENOENT) {
			inode_put(up);
			return err;
		}
		if (low && up && !S_ISDIR(low->mode)) {
			inode_put(low);
			low = NULL;
		}
	}
	if (!up && !low)
		return -ENOENT;
	*res = ovl_inode(dir->sb, up, low, dir, name);
	return 0;
}

/* Copies a lower file's bytes into a new upper file. */
static int copy_data(struct inode *from, struct inode *to)
{
	struct file *in = file_alloc(), *out = file_alloc();
	in->inode = inode_get(from);
	in->flags = O_RDONLY;
	out->inode = inode_get(to);
	out->flags = O_WRONLY;
	int err = from->ops->open(from, in);
	if (!err)
		err = to->ops->open(to, out);
	char *buf = xmalloc(65536);
	uint64_t rpos = 0, wpos = 0;
	while (!err) {
		ssize_t n = in->ops->read(in, buf, 65536, &rpos);
		if (n <= 0) {
			err = (int)n;
			break;
		}
		for (ssize_t done = 0; done < n && !err;) {
			ssize_t w = out->ops->write(out, buf + done, n - done, &wpos);
			if (w <= 0)
				err = w < 0 ? (int)w : -EIO;
			done += w;
		}
	}
	free(buf);
	file_put(in);
	file_put(out);
	return err;
}

static int copy_up(struct inode *i)
{
	struct ovl_node *n = N(i);
	if (n->upper)
		return 0;
	int err = copy_up(n->parent);
	if (err)
		return err;
	struct inode *pu = N(n->parent)->upper, *low = n->lower, *up = NULL;
	struct kstat st;
	if ((err = inode_stat(low, &st)))
		return err;
	if (S_ISREG(st.mode)) {
		err = pu->ops->create(pu, n->name, st.mode, 0, &up);
		if (!err && (err = copy_data(low, up))) {
			pu->ops->unlink(pu, n->name, up);
			inode_put(up);
			return err;
		}
	} else if (S_ISDIR(st.mode)) {
		err = pu->ops->mkdir(pu, n->name, st.mode);
	} else if (S_ISLNK(st.mode)) {
		char target[4096];
		int len = low->ops->readlink(low, target, sizeof(target) - 1);
		if (len < 0)
			return len;
		target[len] = 0;
		err = pu->ops->symlink(pu, n->name, target);
	} else {
		err = pu->ops->create(pu, n->name, st.mode, st.rdev, &up);
	}
	if (!err && !up)
		err = pu->ops->lookup(pu, n->name, &up);
	if (err)
		return err;
	struct iattr ia = { .valid = ATTR_UID | ATTR_GID | ATTR_ATIME | ATTR_MTIME,
			    .uid = st.uid, .gid = st.gid, .atime = st.atime, .mtime = st.mtime };
	if (!S_ISLNK(st.mode)) {
		ia.valid |= ATTR_MODE;
		ia.mode = st.mode;
	}
	up->ops->setattr(up, &ia);
	n->upper = up;
	return 0;
}

/* Removes a whiteout at `name` in the upper directory; true if one was. */
static bool drop_whiteout(struct inode *pu, const char *name)
{
	struct inode *w;
	if (pu->ops->lookup(pu, name, &w))
		return false;
	bool was = tmpfs_is_whiteout(w);
	if (was)
		pu->ops->unlink(pu, name, w);
	inode_put(w);
	return was;
}

static int make_whiteout(struct inode *pu, const char *name)
{
	struct inode *w;
	int err = pu->ops->create(pu, name, S_IFCHR, 0, &w);
	if (!err)
		inode_put(w);
	return err;
}

static int ovl_create(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		      struct inode **res)
{
	int err = copy_up(dir);
	if (err)
		return err;
	struct inode *pu = N(dir)->upper, *up;
	drop_whiteout(pu, name);
	if ((err = pu->ops->create(pu, name, mode, rdev, &up)))
		return err;
	*res = ovl_inode(dir->sb, up, NULL, dir, name);
	return 0;
}

static int ovl_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	int err = copy_up(dir);
	if (err)
		return err;
	struct inode *pu = N(dir)->upper, *up;
	bool replaced = drop_whiteout(pu, name);
	if ((err = pu->ops->mkdir(pu, name, mode)))
		return err;
	if (replaced && pu->ops->lookup(pu, name, &up) == 0) {
		tmpfs_set_opaque(up);
		inode_put(up);
	}
	return 0;
}

static int ovl_symlink(struct inode *dir, const char *name, const char *target)
{
	int err = copy_up(dir);
	if (err)
		return err;
	drop_whiteout(N(dir)->upper, name);
	return N(dir)->upper->ops->symlink(N(dir)->upper, name, target);
}

static int ovl_link(struct inode *old, struct inode *dir, const char *name)
{
	int err;
	if ((err = copy_up(old)) || (err = copy_up(dir)))
		return err;
	struct inode *pu = N(dir)->upper;
	drop_whiteout(pu, name);
	return pu->ops->link(N(old)->upper, pu, name);
}

static int ovl_unlink(struct inode *dir, const char *name, struct inode *victim)
{
	int err = copy_up(dir);
	if (err)
		return err;
	struct inode *pu = N(dir)->upper;
	if (N(victim)->upper && (err = pu->ops->unlink(pu, name, N(victim)->upper)))
		return err;
	return N(victim)->lower ? make_whiteout(pu, name) : 0;
}

static void count_entry(void *ctx, const char *name UNUSED, uint64_t ino UNUSED, unsigned t UNUSED)
{
	(*(int *)ctx)++;
}

static void collect_whiteout(void *ctx, const char *name, uint64_t ino UNUSED, unsigned type)
{
	struct sbuf *b = ctx;
	if (type == DT_CHR)
		sbuf_add(b, name, strlen(name) + 1);
}

static int ovl_readdir(struct inode *dir, readdir_emit emit, void *ctx);

/* Empties a directory's upper layer of whiteouts before it goes away. */
static void clear_whiteouts(struct inode *up)
{
	struct sbuf names = { 0 };
	up->ops->readdir(up, collect_whiteout, &names);
	for (size_t off = 0; off < names.len; off += strlen(names.buf + off) + 1)
		drop_whiteout(up, names.buf + off);
	sbuf_free(&names);
}

static int ovl_rmdir(struct inode *dir, const char *name, struct inode *victim)
{
	int count = 0, err;
	ovl_readdir(victim, count_entry, &count);
	if (count)
		return -ENOTEMPTY;
	if ((err = copy_up(dir)))
		return err;
	struct inode *pu = N(dir)->upper;
	if (N(victim)->upper) {
		clear_whiteouts(N(victim)->upper);
		if ((err = pu->ops->rmdir(pu, name, N(victim)->upper)))
			return err;
	}
	return N(victim)->lower ? make_whiteout(pu, name) : 0;
}

static int ovl_rename(struct inode *odir, const char *oname, struct inode *ndir,
		      const char *nname, unsigned flags)
{
	struct inode *src, *dst = NULL;
	int err = ovl_lookup(odir, oname, &src);
	if (err)
		return err;
	err = ovl_lookup(ndir, nname, &dst);
	if (err && err != -ENOENT)
		goto out;
	err = 0;
	bool src_has_lower = N(src)->lower != NULL;
	if ((S_ISDIR(src->mode) && src_has_lower) ||
	    ((flags & RENAME_EXCHANGE) && (src_has_lower || (dst && N(dst)->lower)))) {
		err = -EXDEV;
		goto out;
	}
	if (dst && (flags & RENAME_NOREPLACE)) {
		err = -EEXIST;
		goto out;
	}
	bool dst_lower_dir = dst && N(dst)->lower && S_ISDIR(dst->mode);
	if (dst && S_ISDIR(dst->mode) && S_ISDIR(src->mode)) {
		int count = 0;
		ovl_readdir(dst, count_entry, &count);
		if (count) {
			err = -ENOTEMPTY;
			goto out;
		}
		if (N(dst)->upper)
			clear_whiteouts(N(dst)->upper);
	}
	if ((err = copy_up(src)) || (err = copy_up(odir)) || (err = copy_up(ndir)))
		goto out;
	struct inode *ou = N(odir)->upper, *nu = N(ndir)->upper;
	drop_whiteout(nu, nname);
	if ((err = ou->ops->rename(ou, oname, nu, nname, flags)))
		goto out;
	if (dst_lower_dir && S_ISDIR(src->mode))
		tmpfs_set_opaque(N(src)->upper);
	if (src_has_lower)
		err = make_whiteout(ou, oname);
out:
	inode_put(src);
	inode_put(dst);
	return err;
}

static int ovl_readlink(struct inode *i, char *buf, size_t len)
{
	return real(i)->ops->readlink(real(i), buf, len);
}

static int ovl_getattr(struct inode *i, struct kstat *st)
{
	int err = inode_stat(real(i), st);
	st->dev = i->sb->dev;
	st->ino = i->ino;
	return err;
}

static int ovl_setattr(struct inode *i, const struct iattr *ia)
{
	int err = copy_up(i);
	if (err)
		return err;
	err = N(i)->upper->ops->setattr(N(i)->upper, ia);
	if (!err && (ia->valid & ATTR_MODE))
		i->mode = N(i)->upper->mode;
	return err;
}

/* Extended attributes: read from the layer that shows, written to the
 * upper one after a copy-up (which does not carry the lower layer's). */
static ssize_t ovl_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	struct inode *r = real(i);
	return r->ops->getxattr ? r->ops->getxattr(r, name, buf, size) : -EOPNOTSUPP;
}

static ssize_t ovl_listxattr(struct inode *i, char *buf, size_t size)
{
	struct inode *r = real(i);
	return r->ops->listxattr ? r->ops->listxattr(r, buf, size) : 0;
}

static int ovl_setxattr(struct inode *i, const char *name, const void *value, size_t size, int flags)
{
	int err = copy_up(i);
	struct inode *up = N(i)->upper;
	if (err)
		return err;
	return up->ops->setxattr ? up->ops->setxattr(up, name, value, size, flags) : -EOPNOTSUPP;
}

static int ovl_removexattr(struct inode *i, const char *name)
{
	struct inode *r = real(i);
	/* nothing to copy up for a name that is not there */
	if (r->ops->getxattr && r->ops->getxattr(r, name, NULL, 0) == -ENODATA)
		return -ENODATA;
	int err = copy_up(i);
	struct inode *up = N(i)->upper;
	if (err)
		return err;
	return up->ops->removexattr ? up->ops->removexattr(up, name) : -EOPNOTSUPP;
}

struct merge_ctx {
	readdir_emit emit;
	void *ctx;
	struct sbuf seen;	/* NUL-separated upper names, whiteouts too */
};

static void merge_upper(void *p, const char *name, uint64_t ino, unsigned type)
{
	struct merge_ctx *m = p;
	sbuf_add(&m->seen, name, strlen(name) + 1);
	if (type != DT_CHR)
		m->emit(m->ctx, name, ino, type);
	else
		/* A device could be a real one: only 0:0 is a whiteout, but
		 * the listing cannot tell; check the name. */
		m->emit(m->ctx, name, (uint64_t)-1, DT_CHR);
}

static void merge_lower(void *p, const char *name, uint64_t ino, unsigned type)
{
	struct merge_ctx *m = p;
	for (size_t off = 0; off < m->seen.len; off += strlen(m->seen.buf + off) + 1)
		if (strcmp(m->seen.buf + off, name) == 0)
			return;
	m->emit(m->ctx, name, ino, type);
}

struct filter_ctx { struct inode *up; readdir_emit emit; void *ctx; };

/* Drops whiteouts from the upper listing: they are character devices
 * whose device number is 0:0. */
static void filter_whiteout(void *p, const char *name, uint64_t ino, unsigned type)
{
	struct filter_ctx *f = p;
	if (ino == (uint64_t)-1) {
		struct inode *w;
		bool wo = false;
		if (f->up->ops->lookup(f->up, name, &w) == 0) {
			wo = tmpfs_is_whiteout(w);
			ino = w->ino;
			inode_put(w);
		}
		if (wo)
			return;
	}
	f->emit(f->ctx, name, ino, type);
}

static int ovl_readdir(struct inode *dir, readdir_emit emit, void *ctx)
{
	struct ovl_node *n = N(dir);
	struct filter_ctx fc = { n->upper, emit, ctx };
	struct merge_ctx m = { filter_whiteout, &fc, { 0 } };
	int err = 0;
	if (n->upper)
		err = n->upper->ops->readdir(n->upper, merge_upper, &m);
	if (!err && n->lower)
		err = n->lower->ops->readdir(n->lower, merge_lower, &m);
	sbuf_free(&m.seen);
	return err;
}

static const struct file_ops ovl_dir_fops = { .seekable = true };

static int ovl_open(struct inode *i, struct file *f)
{
	if (S_ISDIR(i->mode)) {
		f->ops = &ovl_dir_fops;
		return 0;
	}
	bool writes = (f->flags & O_ACCMODE) != O_RDONLY || (f->flags & O_TRUNC);
	if (writes) {
		int err = copy_up(i);
		if (err)
			return err;
	}
	/* The open file works on the real inode from here on. */
	struct inode *r = real(i);
	inode_put(f->inode);
	f->inode = inode_get(r);
	return r->ops->open(r, f);
}

static void ovl_destroy(struct inode *i)
{
	struct ovl_node *n = N(i);
	inode_put(n->upper);
	inode_put(n->lower);
	inode_put(n->parent);
	free(n->name);
	free(n);
}

static const struct inode_ops ovl_iops = {
	.lookup = ovl_lookup,
	.create = ovl_create,
	.mkdir = ovl_mkdir,
	.symlink = ovl_symlink,
	.link = ovl_link,
	.unlink = ovl_unlink,
	.rmdir = ovl_rmdir,
	.rename = ovl_rename,
	.readlink = ovl_readlink,
	.getattr = ovl_getattr,
	.setattr = ovl_setattr,
	.readdir = ovl_readdir,
	.open = ovl_open,
	.destroy = ovl_destroy,
	.getxattr = ovl_getxattr,
	.setxattr = ovl_setxattr,
	.listxattr = ovl_listxattr,
	.removexattr = ovl_removexattr,
};
