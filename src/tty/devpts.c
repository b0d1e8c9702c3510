/* /dev/pts (Linux's devpts): a slave node N for each pair whose master
 * is open, the ptmx node, and the console's own name when persona runs
 * on a host pty (so ttyname() of the console still finds it). The nodes
 * are made when looked up; opening one goes through chrdev_open by its
 * device number, as for any device node. */
#include "tty.h"
#include <dirent.h>
#include <stdio.h>
#include <sys/sysmacros.h>

static struct super_block *devpts_sb;
static struct timespec mounted_at;

#define INO_ROOT 1
#define INO_PTMX 2
#define INO_PTS(n) ((uint64_t)(n) + 3)

static const struct inode_ops devpts_dir_iops, devpts_node_iops;

uint64_t devpts_dev(void)
{
	return devpts_sb ? devpts_sb->dev : 0;
}

/* A pair number as /dev/pts names it: digits, no leading zero. */
static int parse_index(const char *name)
{
	if (!*name || (name[0] == '0' && name[1]) || strlen(name) > 6)
		return -1;
	int n = 0;
	for (const char *c = name; *c; c++) {
		if (*c < '0' || *c > '9')
			return -1;
		n = n * 10 + (*c - '0');
	}
	return n;
}

static int devpts_lookup(struct inode *dir, const char *name, struct inode **res)
{
	if (strcmp(name, "ptmx") == 0) {
		*res = inode_new(dir->sb, &devpts_node_iops, S_IFCHR, INO_PTMX);
		return 0;
	}
	int n = parse_index(name);
	if (n < 0 || (n != pts_index(console_rdev()) && !pty_lookup(n)))
		return -ENOENT;
	*res = inode_new(dir->sb, &devpts_node_iops, S_IFCHR | 0620, INO_PTS(n));
	return 0;
}

static void emit_pts(int n, readdir_emit emit, void *ctx)
{
	char name[16];
	snprintf(name, sizeof(name), "%d", n);
	emit(ctx, name, INO_PTS(n), DT_CHR);
}

static int devpts_readdir(struct inode *dir UNUSED, readdir_emit emit, void *ctx)
{
	emit(ctx, "ptmx", INO_PTMX, DT_CHR);
	int console = pts_index(console_rdev());
	for (int n = 0; n < PTY_MAX; n++)
		if (n == console || pty_lookup(n))
			emit_pts(n, emit, ctx);
	if (console >= PTY_MAX)
		emit_pts(console, emit, ctx);
	return 0;
}

static int devpts_getattr(struct inode *i, struct kstat *st)
{
	st->atime = st->mtime = st->ctime = mounted_at;
	if (i->ino == INO_ROOT) {
		st->nlink = 2;
		return 0;
	}
	if (i->ino == INO_PTMX) {
		st->rdev = makedev(5, 2);	/* mode 0000, as Debian mounts it */
		return 0;
	}
	int n = (int)(i->ino - 3);
	struct tty *tty = pty_lookup(n);
	if (tty) {
		pty_slave_stat(tty, st);
		return 0;
	}
	/* The console: what the host says of it, its identity too, so
	 * that ttyname() matches the name to the console's fstat. */
	char path[32];
	struct stat hs;
	snprintf(path, sizeof(path), "/dev/pts/%d", n);
	if (n == pts_index(console_rdev()) && stat(path, &hs) == 0)
		kstat_from_host(st, &hs);
	return 0;
}

static const struct file_ops devpts_dir_fops = { .seekable = true };

static int devpts_dir_open(struct inode *i UNUSED, struct file *f)
{
	f->ops = &devpts_dir_fops;
	return 0;
}

static const struct inode_ops devpts_dir_iops = {
	.lookup = devpts_lookup, .readdir = devpts_readdir, .getattr = devpts_getattr,
	.open = devpts_dir_open,
};

static const struct inode_ops devpts_node_iops = {
	.getattr = devpts_getattr,
};

struct inode *devpts_new_root(void)
{
	devpts_sb = sb_new("devpts");
	mounted_at = now_real();
	return inode_new(devpts_sb, &devpts_dir_iops, S_IFDIR | 0755, INO_ROOT);
}
