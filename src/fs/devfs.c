/* /dev: a tmpfs filled at boot with the device nodes, directories and
 * links a Linux program expects (what devtmpfs plus a usual init would
 * make). The nodes are plain tmpfs char-device inodes; opening one goes
 * through chrdev_open by its number like any device node anywhere, so
 * the guest may also mknod, rename or remove them. */
#include "vfs.h"
#include <sys/sysmacros.h>

static const struct {
	const char *name;
	uint32_t mode;
	unsigned major, minor;
} devices[] = {
	{ "null", 0666, 1, 3 },
	{ "zero", 0666, 1, 5 },
	{ "full", 0666, 1, 7 },
	{ "random", 0666, 1, 8 },
	{ "urandom", 0666, 1, 9 },
	{ "tty", 0666, 5, 0 },
	{ "console", 0600, 5, 1 },
	{ "ptmx", 0666, 5, 2 },
};

static const struct {
	const char *name;
	uint32_t mode;
} dirs[] = {
	{ "pts", 0755 },
	{ "shm", 01777 },	/* the boot code mounts a tmpfs here */
};

static const struct {
	const char *name, *target;
} links[] = {
	{ "fd", "/proc/self/fd" },
	{ "stdin", "/proc/self/fd/0" },
	{ "stdout", "/proc/self/fd/1" },
	{ "stderr", "/proc/self/fd/2" },
};

struct inode *devfs_new_root(void)
{
	struct inode *root = tmpfs_new_root(S_IFDIR | 0755, 0);
	/* A tmpfs filled with device nodes is what Linux calls devtmpfs. */
	root->sb->type = "devtmpfs";
	const struct inode_ops *ops = root->ops;
	int err = 0;
	for (size_t i = 0; i < ARRAY_SIZE(devices) && !err; i++) {
		struct inode *node;
		err = ops->create(root, devices[i].name, S_IFCHR | devices[i].mode,
				  makedev(devices[i].major, devices[i].minor), &node);
		if (!err)
			inode_put(node);
	}
	for (size_t i = 0; i < ARRAY_SIZE(dirs) && !err; i++)
		err = ops->mkdir(root, dirs[i].name, dirs[i].mode);
	for (size_t i = 0; i < ARRAY_SIZE(links) && !err; i++)
		err = ops->symlink(root, links[i].name, links[i].target);
	if (err)
		kpanic("devfs: cannot populate /dev: %s", strerror(-err));
	return root;
}
