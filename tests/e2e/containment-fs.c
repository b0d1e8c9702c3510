/* containment-fs.c: the guest side of tests/e2e/containment-fs.sh, built
 * static by that script and run natively (on a read-only, nodev bind
 * mount) and under persona (on --ro-bind, --bind, --root), so the two
 * answers can be compared. Prints only return values and errno names.
 *
 *   containment-fs setup DIR     makes one file of each type in DIR
 *   containment-fs rofs DIR      tries every kind of write on them
 *   containment-fs dev NODE      opens a device node, reads and writes it
 *   containment-fs mknod PATH MAJOR MINOR   makes a block device node
 *   containment-fs fill PATH     writes 64 KiB blocks until the first error
 *   containment-fs tmpfs DIR     fills a 1 MiB tmpfs at DIR in several ways
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/xattr.h>
#include <unistd.h>

static void show(const char *what, const char *name, long r)
{
	if (r < 0)
		printf("%s %s = -1 %s\n", what, name, strerrorname_np(errno));
	else
		printf("%s %s = ok\n", what, name);
}

/* An open that worked is closed again at once. */
#define TRY(what, name, expr) do { errno = 0; long r_ = (long)(expr); \
	show(what, name, r_); \
	if (r_ >= 0 && !strncmp(what, "open", 4)) \
		close((int)r_); \
	} while (0)

static int setup(void)
{
	int fd = open("reg", O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0 || write(fd, "data\n", 5) != 5 || close(fd))
		return 1;
	if (mkdir("dir", 0755) || mkdir("emptydir", 0755) || symlink("reg", "lnk") ||
	    mkfifo("fifo", 0644) || (fd = open("dir/inner", O_WRONLY | O_CREAT, 0644)) < 0)
		return 1;
	close(fd);
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "sock" };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)))
		return 1;
	close(s);
	return 0;
}

static const char *const names[] = { "reg", "dir", "emptydir", "lnk", "fifo", "sock", "absent" };

static int rofs(void)
{
	struct timespec ts[2] = { { 1, 0 }, { 2, 0 } };
	for (size_t k = 0; k < sizeof(names) / sizeof(*names); k++) {
		const char *n = names[k];
		TRY("open-wronly", n, open(n, O_WRONLY | O_NONBLOCK));
		TRY("open-rdwr", n, open(n, O_RDWR | O_NONBLOCK));
		TRY("open-trunc", n, open(n, O_RDONLY | O_TRUNC | O_NONBLOCK));
		TRY("open-creat", n, open(n, O_WRONLY | O_CREAT | O_NONBLOCK, 0644));
		TRY("open-creat-rdonly", n, open(n, O_RDONLY | O_CREAT | O_NONBLOCK, 0644));
		TRY("open-excl", n, open(n, O_WRONLY | O_CREAT | O_EXCL, 0644));
		TRY("truncate", n, truncate(n, 0));
		TRY("chmod", n, chmod(n, 0600));
		TRY("fchmodat-nofollow", n, fchmodat(AT_FDCWD, n, 0600, AT_SYMLINK_NOFOLLOW));
		TRY("chown", n, chown(n, 0, 0));
		TRY("lchown", n, lchown(n, 0, 0));
		TRY("utimensat", n, utimensat(AT_FDCWD, n, ts, 0));
		TRY("utimensat-now", n, utimensat(AT_FDCWD, n, NULL, 0));
		TRY("utimensat-nofollow", n, utimensat(AT_FDCWD, n, ts, AT_SYMLINK_NOFOLLOW));
		TRY("setxattr", n, setxattr(n, "user.x", "v", 1, 0));
		TRY("lsetxattr", n, lsetxattr(n, "user.x", "v", 1, 0));
		TRY("removexattr", n, removexattr(n, "user.x"));
		TRY("lremovexattr", n, lremovexattr(n, "user.x"));
		TRY("mknod-fifo", n, mknod(n, S_IFIFO | 0644, 0));
		TRY("mkdir", n, mkdir(n, 0755));
		TRY("link-from", n, link(n, "newlink"));
		TRY("link-to", n, link("reg", n));
		TRY("symlink", n, symlink("target", n));
		TRY("rename-from", n, rename(n, "renamed"));
		TRY("rename-to", n, rename("reg", n));
		TRY("rename-exchange", n, renameat2(AT_FDCWD, "reg", AT_FDCWD, n, RENAME_EXCHANGE));
		TRY("unlink", n, unlink(n));
		TRY("rmdir", n, rmdir(n));
		int fd = open(n, O_RDONLY | O_NONBLOCK);
		if (fd >= 0) {
			TRY("fchmod", n, fchmod(fd, 0600));
			TRY("fchown", n, fchown(fd, 0, 0));
			TRY("futimens", n, futimens(fd, ts));
			TRY("fsetxattr", n, fsetxattr(fd, "user.x", "v", 1, 0));
			TRY("fremovexattr", n, fremovexattr(fd, "user.x"));
			TRY("ftruncate", n, ftruncate(fd, 0));
			TRY("write", n, write(fd, "x", 1));
			close(fd);
		}
	}
	TRY("mknod-reg", "new", mknod("new", S_IFREG | 0644, 0));
	TRY("mknod-sock", "new", mknod("new", S_IFSOCK | 0644, 0));
	TRY("mknod-chr", "new", mknod("new", S_IFCHR | 0644, makedev(1, 3)));
	TRY("mkfifo", "new", mkfifo("new", 0644));
	TRY("mkdir", "new/", mkdir("new/", 0755));
	TRY("symlink", "new", symlink("reg", "new"));
	TRY("link", "new", link("reg", "new"));
	TRY("rename", "new", rename("reg", "new"));
	TRY("rename-dir", "new", rename("dir", "new"));
	TRY("rmdir-full", "dir", rmdir("dir"));
	TRY("unlink-inner", "dir/inner", unlink("dir/inner"));
	TRY("rmdir-dot", ".", rmdir("."));
	TRY("rmdir-dotdot", "..", rmdir("dir/.."));
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "newsock" };
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	TRY("bind", "newsock", bind(s, (struct sockaddr *)&sa, sizeof(sa)));
	close(s);
	return 0;
}

static int dev(const char *node)
{
	char buf[16];
	int fd;
	TRY("open-rdonly", node, fd = open(node, O_RDONLY));
	if (fd >= 0 && (fd = open(node, O_RDONLY)) >= 0) {
		TRY("read", node, read(fd, buf, sizeof(buf)));
		close(fd);
	}
	TRY("open-wronly", node, fd = open(node, O_WRONLY));
	if (fd >= 0 && (fd = open(node, O_WRONLY)) >= 0) {
		memset(buf, 'X', sizeof(buf));
		TRY("write", node, write(fd, buf, sizeof(buf)));
		fsync(fd);
		close(fd);
	}
	TRY("open-rdwr", node, open(node, O_RDWR));
	TRY("open-path", node, open(node, O_PATH));
	return 0;
}

static int fill(const char *path)
{
	static char buf[65536];
	memset(buf, 'f', sizeof(buf));
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return 1;
	long total = 0, r;
	while ((r = write(fd, buf, sizeof(buf))) > 0)
		total += r;
	printf("wrote %ld then %s\n", total, r < 0 ? strerrorname_np(errno) : "0");
	return 0;
}

/* What statfs and stat say of the tmpfs and of one of its files. */
static void usage_of(const char *label, const char *path)
{
	struct statfs sf;
	struct stat st;
	if (statfs(".", &sf) == 0)
		printf("%s: blocks %ld free %ld avail %ld", label, (long)sf.f_blocks,
		       (long)sf.f_bfree, (long)sf.f_bavail);
	if (path && stat(path, &st) == 0)
		printf(", %s size %ld st_blocks %ld", path, (long)st.st_size, (long)st.st_blocks);
	printf("\n");
}

static int tmpfs(void)
{
	static char buf[1 << 20];
	memset(buf, 't', sizeof(buf));
	usage_of("empty", NULL);
	int fd = open("sparse", O_RDWR | O_CREAT, 0644);
	TRY("pwrite", "sparse@512K", pwrite(fd, buf, 1, 512 << 10));
	TRY("pwrite", "sparse@8K", pwrite(fd, buf, 5000, 8 << 10));
	usage_of("sparse", "sparse");
	TRY("seek-data", "0", lseek(fd, 0, SEEK_DATA) == 8192 ? 0 : -1);
	TRY("seek-hole", "8K", lseek(fd, 8192, SEEK_HOLE) == 16384 ? 0 : -1);
	TRY("ftruncate", "100M", ftruncate(fd, 100 << 20));
	usage_of("grown", "sparse");
	TRY("ftruncate", "4K", ftruncate(fd, 4096));
	usage_of("shrunk", "sparse");
	close(fd);
	int a = open("a", O_RDWR | O_CREAT, 0644), b = open("b", O_RDWR | O_CREAT, 0644);
	printf("a: wrote %ld\n", (long)write(a, buf, (600 << 10) - 1000));
	usage_of("a", "a");
	printf("b: wrote %ld\n", (long)write(b, buf, 600 << 10));	/* cut at the size */
	usage_of("b", "b");
	TRY("write", "b 10", write(b, buf, 10));
	printf("a: wrote %ld\n", (long)write(a, buf, 5000));	/* the rest of its last page */
	TRY("write", "a 5000", write(a, buf, 5000));
	TRY("pwrite", "a@0", pwrite(a, buf, 4096, 0));
	TRY("unlink", "b", unlink("b"));
	usage_of("b unlinked, open", "a");
	close(b);
	usage_of("b closed", "a");
	TRY("truncate", "a", truncate("a", 100 << 10));
	usage_of("a truncated", "a");
	close(a);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "setup"))
		return chdir(argv[2]) || setup();
	if (argc == 3 && !strcmp(argv[1], "rofs"))
		return chdir(argv[2]) || rofs();
	if (argc == 3 && !strcmp(argv[1], "dev"))
		return dev(argv[2]);
	if (argc == 5 && !strcmp(argv[1], "mknod")) {
		TRY("mknod-blk", argv[2], mknod(argv[2], S_IFBLK | 0600,
						makedev(atoi(argv[3]), atoi(argv[4]))));
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "fill"))
		return fill(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "tmpfs"))
		return chdir(argv[2]) || tmpfs();
	fprintf(stderr, "usage: see the comment at the top of containment-fs.c\n");
	return 2;
}
