/* tmpfs: files and directories in kernel memory. A regular file's data
 * lives in a host memfd (made on first write), so a guest can mmap it
 * MAP_SHARED and see the same bytes as read() and write(). Each directory
 * entry holds a reference to its inode; an unlinked file lives on while
 * it is open. A memfd is charged to the guest process that first wrote
 * the file (fdbudget.c); when the budget says no, the file system is
 * full: ENOSPC, as a tmpfs at its size limit answers.
 *
 * Each instance has a size, as Linux's tmpfs: the pages its files hold
 * (those with data: a hole costs nothing) are counted against it, and a
 * write that needs more fails with ENOSPC, or is cut where the room ends.
 * The pages a file holds are the host's count for its memfd, so pages a
 * guest dirtied through a shared mapping are counted from the file's next
 * write, truncate or stat. */
#include "vfs.h"
#include "fdbudget.h"
#include "waitq.h"
#include <fcntl.h>
#include "uapi/memfd.h"
#include <fcntl.h>
#include <linux/falloc.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* One instance: its size and the pages its files hold. */
struct tmpfs_sb {
	uint64_t max_pages, used_pages;
};

struct tmpfs_node {
	uint32_t uid, gid;
	uint64_t nlink, rdev, size;
	struct timespec atime, mtime, ctime, btime;
	int memfd;			/* regular files: -1 until data */
	uint64_t pages;			/* of the memfd, counted in the instance's */
	struct fd_account *memfd_acct;
	char *target;			/* symlinks */
	struct list_head entries;	/* directories: struct tmpfs_dirent */
	bool opaque;			/* overlay: hides the lower directory */
	bool sealable;			/* made by memfd_create: may take seals */
	unsigned seals;			/* F_SEAL_* */
	struct list_head xattrs;	/* struct xattr, by name */
};

struct tmpfs_dirent {
	char *name;
	struct inode *inode;
	struct list_head node;
};

static const struct inode_ops tmpfs_iops;
static const struct file_ops tmpfs_fops;
static uint64_t next_ino = 1000;

static struct tmpfs_node *N(struct inode *i) { return i->priv; }

static struct inode *tmpfs_inode(struct super_block *sb, uint32_t mode, uint64_t rdev)
{
	struct inode *i = inode_new(sb, &tmpfs_iops, mode, next_ino++);
	struct tmpfs_node *n = xzalloc(sizeof(*n));
	n->memfd = -1;
	n->rdev = rdev;
	n->nlink = S_ISDIR(mode) ? 2 : 1;
	n->atime = n->mtime = n->ctime = n->btime = now_real();
	if (current) {
		n->uid = current->proc->euid;
		n->gid = current->proc->egid;
	}
	list_init(&n->entries);
	list_init(&n->xattrs);
	i->priv = n;
	return i;
}

uint64_t tmpfs_default_size(void)
{
	return (uint64_t)sysconf(_SC_PHYS_PAGES) / 2 * PAGE_SIZE;
}

struct inode *tmpfs_new_root(uint32_t mode, uint64_t size)
{
	struct super_block *sb = sb_new("tmpfs");
	struct tmpfs_sb *s = xzalloc(sizeof(*s));
	s->max_pages = (size ? size : tmpfs_default_size()) / PAGE_SIZE;
	sb->priv = s;
	struct inode *i = tmpfs_inode(sb, S_IFDIR | (mode & 07777), 0);
	N(i)->uid = N(i)->gid = 0;
	return i;
}

static struct tmpfs_dirent *find(struct inode *dir, const char *name)
{
	struct tmpfs_dirent *e;
	list_for_each_entry(e, &N(dir)->entries, node)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static void touch_dir(struct inode *dir)
{
	N(dir)->mtime = N(dir)->ctime = now_real();
}

static void add_entry(struct inode *dir, const char *name, struct inode *i)
{
	struct tmpfs_dirent *e = xmalloc(sizeof(*e));
	e->name = xstrdup(name);
	e->inode = i;
	list_add_tail(&e->node, &N(dir)->entries);
	touch_dir(dir);
}

static void del_entry(struct inode *dir, struct tmpfs_dirent *e)
{
	list_del(&e->node);
	free(e->name);
	inode_put(e->inode);
	free(e);
	touch_dir(dir);
}

static int tmpfs_lookup(struct inode *dir, const char *name, struct inode **res)
{
	struct tmpfs_dirent *e = find(dir, name);
	if (!e)
		return -ENOENT;
	*res = inode_get(e->inode);
	return 0;
}

static int tmpfs_create(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
			struct inode **res)
{
	if (find(dir, name))
		return -EEXIST;
	struct inode *i = tmpfs_inode(dir->sb, mode, rdev);
	add_entry(dir, name, i);
	*res = inode_get(i);
	return 0;
}

static int tmpfs_mkdir(struct inode *dir, const char *name, uint32_t mode)
{
	if (find(dir, name))
		return -EEXIST;
	add_entry(dir, name, tmpfs_inode(dir->sb, S_IFDIR | (mode & 07777), 0));
	N(dir)->nlink++;
	return 0;
}

static int tmpfs_symlink(struct inode *dir, const char *name, const char *target)
{
	if (find(dir, name))
		return -EEXIST;
	struct inode *i = tmpfs_inode(dir->sb, S_IFLNK | 0777, 0);
	N(i)->target = xstrdup(target);
	N(i)->size = strlen(target);
	add_entry(dir, name, i);
	return 0;
}

static int tmpfs_link(struct inode *old, struct inode *dir, const char *name)
{
	if (old->sb != dir->sb)
		return -EXDEV;
	if (find(dir, name))
		return -EEXIST;
	N(old)->nlink++;
	N(old)->ctime = now_real();
	add_entry(dir, name, inode_get(old));
	return 0;
}

static int tmpfs_unlink(struct inode *dir, const char *name, struct inode *victim UNUSED)
{
	struct tmpfs_dirent *e = find(dir, name);
	if (!e)
		return -ENOENT;
	N(e->inode)->nlink--;
	N(e->inode)->ctime = now_real();
	del_entry(dir, e);
	return 0;
}

static bool dir_empty(struct inode *dir)
{
	return list_empty(&N(dir)->entries);
}

static int tmpfs_rmdir(struct inode *dir, const char *name, struct inode *victim UNUSED)
{
	struct tmpfs_dirent *e = find(dir, name);
	if (!e)
		return -ENOENT;
	if (!S_ISDIR(e->inode->mode))
		return -ENOTDIR;
	if (!dir_empty(e->inode))
		return -ENOTEMPTY;
	N(e->inode)->nlink = 0;
	N(dir)->nlink--;
	del_entry(dir, e);
	return 0;
}

static int tmpfs_rename(struct inode *odir, const char *oname, struct inode *ndir,
			const char *nname, unsigned flags)
{
	if (odir->sb != ndir->sb)
		return -EXDEV;
	struct tmpfs_dirent *src = find(odir, oname), *dst = find(ndir, nname);
	if (!src)
		return -ENOENT;
	bool src_dir = S_ISDIR(src->inode->mode);
	if (flags & RENAME_EXCHANGE) {
		if (!dst)
			return -ENOENT;
		bool dst_dir = S_ISDIR(dst->inode->mode);
		struct inode *tmp = src->inode;
		src->inode = dst->inode;
		dst->inode = tmp;
		if (odir != ndir && src_dir != dst_dir) {
			N(odir)->nlink += dst_dir ? 1 : -1;
			N(ndir)->nlink += src_dir ? 1 : -1;
		}
		touch_dir(odir);
		touch_dir(ndir);
		return 0;
	}
	if (dst) {
		if (flags & RENAME_NOREPLACE)
			return -EEXIST;
		if (dst->inode == src->inode)
			return 0;
		bool dst_dir = S_ISDIR(dst->inode->mode);
		if (src_dir && !dst_dir)
			return -ENOTDIR;
		if (!src_dir && dst_dir)
			return -EISDIR;
		if (dst_dir && !dir_empty(dst->inode))
			return -ENOTEMPTY;
		N(dst->inode)->nlink -= dst_dir ? 2 : 1;
		if (dst_dir)
			N(ndir)->nlink--;
		del_entry(ndir, dst);
	}
	struct inode *i = inode_get(src->inode);
	del_entry(odir, src);
	add_entry(ndir, nname, i);
	if (src_dir && odir != ndir) {
		N(odir)->nlink--;
		N(ndir)->nlink++;
	}
	N(i)->ctime = now_real();
	return 0;
}

static int tmpfs_readlink(struct inode *i, char *buf, size_t len)
{
	size_t n = MIN(len, strlen(N(i)->target));
	memcpy(buf, N(i)->target, n);
	return (int)n;
}

static struct tmpfs_sb *S(struct inode *i) { return i->sb->priv; }

/* Takes the host's count of the pages the file's memfd holds. */
static void recount(struct inode *i)
{
	struct tmpfs_node *n = N(i);
	struct stat st;
	if (n->memfd < 0 || fstat(n->memfd, &st))
		return;
	uint64_t pages = (uint64_t)st.st_blocks / (PAGE_SIZE / 512);
	S(i)->used_pages += pages - n->pages;
	n->pages = pages;
}

/* Whether the page at `off` holds no data yet. */
static bool is_hole(int fd, uint64_t off)
{
	off_t d = lseek(fd, off, SEEK_DATA);
	return d < 0 || (uint64_t)d >= off + PAGE_SIZE;
}

/* How much of a write of `len` at `pos` the instance has room for: all
 * of it, or the bytes before the first page that would not fit, as
 * Linux's tmpfs fills page after page. */
static size_t room_for(struct inode *i, uint64_t pos, size_t len)
{
	struct tmpfs_sb *s = S(i);
	uint64_t room = s->max_pages > s->used_pages ? s->max_pages - s->used_pages : 0;
	uint64_t first = pos / PAGE_SIZE, end = (pos + len + PAGE_SIZE - 1) / PAGE_SIZE;
	if (end - first <= room)
		return len;	/* even if every page were new */
	uint64_t page = first;
	for (; page < end; page++)
		if (is_hole(N(i)->memfd, page * PAGE_SIZE) && room-- == 0)
			break;
	if (page == end)
		return len;
	return page * PAGE_SIZE > pos ? MIN(len, page * PAGE_SIZE - pos) : 0;
}

bool tmpfs_statfs(struct inode *i, struct statfs *out)
{
	if (i->ops != &tmpfs_iops)
		return false;
	struct tmpfs_sb *s = S(i);
	out->f_blocks = s->max_pages;
	out->f_bfree = out->f_bavail = s->max_pages > s->used_pages ? s->max_pages - s->used_pages : 0;
	return true;
}

static int tmpfs_getattr(struct inode *i, struct kstat *st)
{
	struct tmpfs_node *n = N(i);
	recount(i);
	st->nlink = n->nlink;
	st->uid = n->uid;
	st->gid = n->gid;
	st->rdev = n->rdev;
	st->size = S_ISDIR(i->mode) ? 4096 : n->size;
	st->blocks = n->pages * (PAGE_SIZE / 512);
	st->atime = n->atime;
	st->mtime = n->mtime;
	st->ctime = n->ctime;
	st->btime = n->btime;
	return 0;
}

static int ensure_memfd(struct tmpfs_node *n)
{
	if (n->memfd >= 0)
		return 0;
	int fd = fdbudget_open(&n->memfd_acct, memfd_create("tmpfs", MFD_CLOEXEC));
	if (fd < 0)
		return fd == -ENFILE || fd == -EMFILE ? -ENOSPC : fd;
	n->memfd = fd;
	if (n->size && ftruncate(n->memfd, n->size))
		return -errno;
	return 0;
}

static int set_size(struct inode *i, uint64_t size)
{
	struct tmpfs_node *n = N(i);
	if (size > (1ULL << 40))
		return -EFBIG;
	if (((n->seals & F_SEAL_SHRINK) && size < n->size) || ((n->seals & F_SEAL_GROW) && size > n->size))
		return -EPERM;
	int err = ensure_memfd(n);
	if (err)
		return err;
	if (ftruncate(n->memfd, size))
		return -errno;
	recount(i);	/* a shrink frees pages */
	n->size = size;
	n->mtime = n->ctime = now_real();
	return 0;
}

static int tmpfs_setattr(struct inode *i, const struct iattr *ia)
{
	struct tmpfs_node *n = N(i);
	if (ia->valid & ATTR_SIZE) {
		if (!S_ISREG(i->mode))
			return -EINVAL;
		int err = set_size(i, ia->size);
		if (err)
			return err;
	}
	if (ia->valid & ATTR_MODE)
		i->mode = (i->mode & S_IFMT) | (ia->mode & 07777);
	if (ia->valid & ATTR_UID)
		n->uid = ia->uid;
	if (ia->valid & ATTR_GID)
		n->gid = ia->gid;
	if (ia->valid & ATTR_ATIME)
		n->atime = ia->atime;
	if (ia->valid & ATTR_MTIME)
		n->mtime = ia->mtime;
	n->ctime = now_real();
	return 0;
}

static int tmpfs_readdir(struct inode *dir, readdir_emit emit, void *ctx)
{
	struct tmpfs_dirent *e;
	list_for_each_entry(e, &N(dir)->entries, node)
		emit(ctx, e->name, e->inode->ino, (e->inode->mode & S_IFMT) >> 12);
	return 0;
}

static int tmpfs_open(struct inode *i UNUSED, struct file *f)
{
	f->ops = &tmpfs_fops;
	return 0;
}

static void tmpfs_destroy(struct inode *i)
{
	struct tmpfs_node *n = N(i);
	while (!list_empty(&n->entries))
		del_entry(i, list_entry(n->entries.next, struct tmpfs_dirent, node));
	if (n->memfd >= 0) {
		close(n->memfd);
		fdbudget_uncharge(n->memfd_acct);
	}
	S(i)->used_pages -= n->pages;
	xattrs_free(&n->xattrs);
	free(n->target);
	free(n);
}

static ssize_t tmpfs_getxattr(struct inode *i, const char *name, void *buf, size_t size)
{
	return xattrs_get(&N(i)->xattrs, name, buf, size);
}

static int tmpfs_setxattr(struct inode *i, const char *name, const void *value, size_t size, int flags)
{
	int err = xattrs_set(&N(i)->xattrs, name, value, size, flags);
	if (!err)
		N(i)->ctime = now_real();
	return err;
}

static ssize_t tmpfs_listxattr(struct inode *i, char *buf, size_t size)
{
	return xattrs_list(&N(i)->xattrs, buf, size);
}

static int tmpfs_removexattr(struct inode *i, const char *name)
{
	int err = xattrs_remove(&N(i)->xattrs, name);
	if (!err)
		N(i)->ctime = now_real();
	return err;
}

static ssize_t tmpfs_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
	struct tmpfs_node *n = N(f->inode);
	if (*pos >= n->size || n->memfd < 0)
		return 0;
	ssize_t r = pread(n->memfd, buf, MIN(len, n->size - *pos), *pos);
	if (r < 0)
		return -errno;
	*pos += r;
	return r;
}

static ssize_t tmpfs_write(struct file *f, const char *buf, size_t len, uint64_t *pos)
{
	struct tmpfs_node *n = N(f->inode);
	int err = ensure_memfd(n);
	if (err)
		return err;
	if (f->flags & O_APPEND)
		*pos = n->size;
	if (*pos + len > (1ULL << 40))
		return -EFBIG;
	if ((n->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)) ||
	    ((n->seals & F_SEAL_GROW) && *pos + len > n->size))
		return -EPERM;
	recount(f->inode);
	if (!(len = room_for(f->inode, *pos, len)))
		return -ENOSPC;
	ssize_t r = pwrite(n->memfd, buf, len, *pos);
	recount(f->inode);
	if (r < 0)
		return -errno;
	*pos += r;
	if (*pos > n->size)
		n->size = *pos;
	n->mtime = n->ctime = now_real();
	return r;
}

static int tmpfs_host_fd(struct file *f)
{
	struct tmpfs_node *n = N(f->inode);
	int err = ensure_memfd(n);
	return err ? err : n->memfd;
}

static int tmpfs_truncate(struct file *f, uint64_t size)
{
	return set_size(f->inode, size);
}

/* The memfd's own fallocate (shmem's) decides what tmpfs supports:
 * preallocation and KEEP_SIZE|PUNCH_HOLE; the rest is EOPNOTSUPP. The
 * seals, the size cap and the instance's room are persona's. */
static int tmpfs_fallocate(struct file *f, int mode, uint64_t off, uint64_t len)
{
	struct inode *i = f->inode;
	struct tmpfs_node *n = N(i);
	bool grows = !(mode & FALLOC_FL_KEEP_SIZE) && off + len > n->size;
	if ((mode & FALLOC_FL_PUNCH_HOLE) && (n->seals & (F_SEAL_WRITE | F_SEAL_FUTURE_WRITE)))
		return -EPERM;
	if (grows && (n->seals & F_SEAL_GROW))
		return -EPERM;
	if (off + len > (1ULL << 40))
		return -EFBIG;
	int err = ensure_memfd(n);
	if (err)
		return err;
	if (!(mode & FALLOC_FL_PUNCH_HOLE) && room_for(i, off, len) < len)
		return -ENOSPC;
	if (fallocate(n->memfd, mode, off, len))
		return -errno;
	recount(i);
	if (grows)
		n->size = off + len;
	n->ctime = now_real();
	if (mode & FALLOC_FL_PUNCH_HOLE)
		n->mtime = n->ctime;
	return 0;
}

bool tmpfs_is_whiteout(struct inode *i)
{
	return i->ops == &tmpfs_iops && S_ISCHR(i->mode) && N(i)->rdev == 0;
}

bool tmpfs_is_opaque(struct inode *i)
{
	return i->ops == &tmpfs_iops && N(i)->opaque;
}

void tmpfs_set_opaque(struct inode *i)
{
	N(i)->opaque = true;
}

static const struct inode_ops tmpfs_iops = {
	.lookup = tmpfs_lookup,
	.create = tmpfs_create,
	.mkdir = tmpfs_mkdir,
	.symlink = tmpfs_symlink,
	.link = tmpfs_link,
	.unlink = tmpfs_unlink,
	.rmdir = tmpfs_rmdir,
	.rename = tmpfs_rename,
	.readlink = tmpfs_readlink,
	.getattr = tmpfs_getattr,
	.setattr = tmpfs_setattr,
	.readdir = tmpfs_readdir,
	.open = tmpfs_open,
	.destroy = tmpfs_destroy,
	.getxattr = tmpfs_getxattr,
	.setxattr = tmpfs_setxattr,
	.listxattr = tmpfs_listxattr,
	.removexattr = tmpfs_removexattr,
};

static const struct file_ops tmpfs_fops = {
	.read = tmpfs_read,
	.write = tmpfs_write,
	.host_fd = tmpfs_host_fd,
	.truncate = tmpfs_truncate,
	.fallocate = tmpfs_fallocate,
	.seekable = true,
};

/* ---- memfd_create: a tmpfs file with no name, on a mount of its own ---- */

static struct mount *memfd_mnt;

struct file *tmpfs_anon_new(const char *label, uint32_t mode, int *err)
{
	if (!memfd_mnt)
		memfd_mnt = mount_internal(tmpfs_new_root(01777, 0), "memfd");
	struct inode *dir = memfd_mnt->root->inode, *i;
	static unsigned long serial;
	char slot[32];
	snprintf(slot, sizeof(slot), "%lu", serial++);
	if ((*err = tmpfs_create(dir, slot, S_IFREG | mode, 0, &i)))
		return NULL;
	tmpfs_unlink(dir, slot, i);	/* it lives on by its references */
	struct path p = { memfd_mnt, dentry_child(memfd_mnt->root, label, i) };
	dentry_delete(p.dentry);	/* /proc shows "/LABEL (deleted)" */
	struct file *f = file_open_path(p, O_RDWR | 0100000 /* O_LARGEFILE */, err);
	path_put(&p);
	return f;
}

struct file *memfd_new(const char *name, unsigned flags, int *err)
{
	char *label;
	if (asprintf(&label, "memfd:%s", name) < 0)
		kpanic("out of memory");
	struct file *f = tmpfs_anon_new(label, (flags & MFD_NOEXEC_SEAL) ? 0666 : 0777, err);
	free(label);
	if (!f)
		return NULL;
	struct tmpfs_node *n = N(f->inode);
	n->sealable = true;
	n->seals = (flags & (MFD_ALLOW_SEALING | MFD_NOEXEC_SEAL)) ? 0 : F_SEAL_SEAL;
	if (flags & MFD_NOEXEC_SEAL)
		n->seals |= F_SEAL_EXEC;
	return f;
}

long tmpfs_seals(struct file *f, int cmd, unsigned arg)
{
	if (!f->inode || f->inode->ops != &tmpfs_iops || !N(f->inode)->sealable)
		return -EINVAL;
	struct tmpfs_node *n = N(f->inode);
	if (cmd == F_GET_SEALS)
		return n->seals;
	if (arg & ~(F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_FUTURE_WRITE | F_SEAL_EXEC))
		return -EINVAL;
	if (!file_writable(f))
		return -EPERM;
	if (n->seals & F_SEAL_SEAL)
		return -EPERM;
	n->seals |= arg;
	return 0;
}
