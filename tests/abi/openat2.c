/* openat2: struct open_how's checks (size: EINVAL, E2BIG; flags, mode,
 * resolve: EINVAL; RESOLVE_CACHED with O_CREAT: EAGAIN; EFAULT) and the
 * RESOLVE_* restrictions on the walk: NO_SYMLINKS, NO_MAGICLINKS,
 * NO_XDEV, BENEATH (EXDEV for absolute names, "..", escaping links) and
 * IN_ROOT (the dirfd is "/"). */
#include "abi.h"
#include <linux/openat2.h>
#include <stdint.h>

static int dfd;

static long o2(int dirfd, const char *path, uint64_t flags, uint64_t mode, uint64_t resolve)
{
	struct open_how how = { flags, mode, resolve };
	return syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
}

/* Opens and prints what the file holds (or the error). */
static void show(const char *label, int dirfd, const char *path, uint64_t resolve)
{
	long fd = o2(dirfd, path, O_RDONLY, 0, resolve);
	if (fd < 0) {
		printf("%s: -1 %s\n", label, ename(errno));
		return;
	}
	char buf[32] = "";
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	printf("%s: \"%s\"\n", label, n > 0 ? buf : "");
	close(fd);
}

static void sizes(void)
{
	SECTION("struct open_how");
	struct { struct open_how how; uint64_t extra; } big = { { O_RDONLY, 0, 0 }, 0 };
	T(syscall(SYS_openat2, dfd, "f", &big, 0));
	T(syscall(SYS_openat2, dfd, "f", &big, 23));
	long fd = syscall(SYS_openat2, dfd, "f", &big, 32);
	P("32 bytes, zero tail", "%s", fd >= 0 ? "opened" : ename(errno));
	if (fd >= 0)
		close(fd);
	big.extra = 1;
	T(syscall(SYS_openat2, dfd, "f", &big, 32));
	T(syscall(SYS_openat2, dfd, "f", &big, 4097));
	T(syscall(SYS_openat2, dfd, "f", BADP, 24));
	T(syscall(SYS_openat2, dfd, BADP, &big, 24));
	T(o2(dfd, "f", 1ULL << 40, 0, 0));
	T(o2(dfd, "f", O_RDONLY, 0, 0x40));
	T(o2(dfd, "f", O_RDONLY, 0, RESOLVE_BENEATH | RESOLVE_IN_ROOT));
	T(o2(dfd, "f", O_RDONLY, 0644, 0));
	T(o2(dfd, "new", O_RDWR | O_CREAT, 010644, 0));
	T(o2(dfd, "new", O_RDWR | O_CREAT | O_DIRECTORY, 0644, 0));
	T(o2(dfd, "new", O_RDWR | O_CREAT, 0644, RESOLVE_CACHED));
	T(o2(dfd, "f", O_RDWR | O_TRUNC, 0, RESOLVE_CACHED));
	fd = o2(dfd, "f", O_RDONLY, 0, RESOLVE_CACHED);
	P("RESOLVE_CACHED", "%s", fd >= 0 ? "opened" : ename(errno));
	fd = o2(dfd, "new", O_RDWR | O_CREAT | O_EXCL, 0640, 0);
	struct stat st;
	fstat(fd, &st);
	P("created", "%o", st.st_mode);
	P("O_LARGEFILE set", "%d", (fcntl(fd, F_GETFL) & 0100000) != 0);
	T(o2(dfd, "", O_RDONLY, 0, 0));
	T(o2(999, "f", O_RDONLY, 0, 0));
	T(o2(dfd, "f/x", O_RDONLY, 0, 0));
}

int main(void)
{
	scratch();
	MUST(mkdir("d", 0755));
	MUST(mkdir("d/s", 0755));
	put_file("d/f", "in d");
	put_file("f", "outside");
	MUST(symlink("f", "d/ln"));
	MUST(symlink("s", "d/lndir"));
	MUST(symlink("../f", "d/up"));
	MUST(symlink("/f", "d/abs"));
	MUST(symlink("s/../../f", "d/escape"));
	MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
	sizes();

	SECTION("RESOLVE_NO_SYMLINKS");
	show("plain", dfd, "ln", 0);
	show("link", dfd, "ln", RESOLVE_NO_SYMLINKS);
	show("link in the middle", dfd, "lndir/../f", RESOLVE_NO_SYMLINKS);
	long fd = o2(dfd, "ln", O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS);
	P("O_PATH|O_NOFOLLOW of the link", "%s", fd >= 0 ? "opened" : ename(errno));
	T(o2(dfd, "ln", O_RDONLY | O_NOFOLLOW, 0, RESOLVE_NO_SYMLINKS));

	SECTION("RESOLVE_BENEATH");
	show("f", dfd, "f", RESOLVE_BENEATH);
	show("s/../f", dfd, "s/../f", RESOLVE_BENEATH);
	show("../f", dfd, "../f", RESOLVE_BENEATH);
	show("../d/f", dfd, "../d/f", RESOLVE_BENEATH);
	show("absolute", dfd, "/etc/hostname", RESOLVE_BENEATH);
	show("link up", dfd, "up", RESOLVE_BENEATH);
	show("link abs", dfd, "abs", RESOLVE_BENEATH);
	show("link escape", dfd, "escape", RESOLVE_BENEATH);
	show("link ln", dfd, "ln", RESOLVE_BENEATH);
	show("without: link up", dfd, "up", 0);
	T(o2(dfd, "s/newfile", O_RDWR | O_CREAT, 0644, RESOLVE_BENEATH));
	T(o2(dfd, "../newfile", O_RDWR | O_CREAT, 0644, RESOLVE_BENEATH));

	SECTION("RESOLVE_IN_ROOT");
	show("/f", dfd, "/f", RESOLVE_IN_ROOT);
	show("../../f", dfd, "../../f", RESOLVE_IN_ROOT);
	show("link up", dfd, "up", RESOLVE_IN_ROOT);
	show("link abs", dfd, "abs", RESOLVE_IN_ROOT);
	show("link escape", dfd, "escape", RESOLVE_IN_ROOT);
	show("without: link abs", dfd, "abs", 0);

	SECTION("RESOLVE_NO_MAGICLINKS");
	int pfd = open("d/f", O_RDONLY);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pfd);
	show("fd link", AT_FDCWD, path, 0);
	show("fd link, no magic links", AT_FDCWD, path, RESOLVE_NO_MAGICLINKS);
	show("fd link, beneath /proc", AT_FDCWD, path, RESOLVE_IN_ROOT);
	fd = o2(AT_FDCWD, path, O_PATH | O_NOFOLLOW, 0, RESOLVE_NO_MAGICLINKS);
	P("O_PATH|O_NOFOLLOW of the magic link", "%s", fd >= 0 ? "opened" : ename(errno));
	show("/proc/self is a plain symlink", AT_FDCWD, "/proc/self/fd/../fd/../comm", RESOLVE_NO_MAGICLINKS);

	SECTION("RESOLVE_NO_XDEV");
	int root = open("/", O_RDONLY | O_DIRECTORY), proc = open("/proc", O_RDONLY | O_DIRECTORY);
	fd = o2(root, "proc", O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_XDEV);
	P("into /proc", "%s", fd >= 0 ? "opened" : ename(errno));
	fd = o2(proc, "..", O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_XDEV);
	P("up from /proc", "%s", fd >= 0 ? "opened" : ename(errno));
	fd = o2(proc, "self", O_RDONLY | O_DIRECTORY, 0, RESOLVE_NO_XDEV);
	P("/proc/self within /proc", "%s", fd >= 0 ? "opened" : ename(errno));
	show("within the scratch directory", dfd, "s/../f", RESOLVE_NO_XDEV);
	show("fd link to the same mount", proc, path + 6, RESOLVE_NO_XDEV);
	return 0;
}
