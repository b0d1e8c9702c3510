/* dirs: mkdir mkdirat rmdir getdents64. Directory order is fs-specific,
 * so listings are sorted before printing. */
#include "abi.h"
#include <dirent.h>

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* List a directory with getdents64 through a buffer of bufsz bytes;
 * print the sorted "name type" pairs (or just the count if quiet). */
static void list(const char *path, size_t bufsz, int quiet)
{
	static char buf[65536];
	char *names[512];
	int n = 0, calls = 0, fd;
	long r;
	MUST(fd = open(path, O_RDONLY | O_DIRECTORY));
	while ((r = syscall(SYS_getdents64, fd, buf, bufsz)) > 0) {
		calls++;
		for (long off = 0; off < r;) {
			struct linux_dirent64 *d = (void *)(buf + off);
			if (n < 512 && asprintf(&names[n], "%s %d", d->d_name, d->d_type) > 0)
				n++;
			off += d->d_reclen;
		}
	}
	/* a buffer too small for all entries needs several calls; how a large
	 * one is filled is the filesystem's business */
	printf("list %s: last=%ld entries=%d", path, r, n);
	if (bufsz <= 512)
		printf(" several_calls=%d", calls > 1);
	printf("\n");
	qsort(names, n, sizeof *names, cmp);
	for (int i = 0; i < n; i++) {
		if (!quiet)
			printf("  %s\n", names[i]);
		free(names[i]);
	}
	close(fd);
}

static void t_mkdir(void)
{
	SECTION("mkdir");
	struct stat st;
	T(syscall(SYS_mkdir, "a", 0755));
	T(mkdir("a", 0755));
	T(mkdir("a/b", 0700));
	T(mkdir("a/b/c/", 0755)); /* a trailing slash is fine */
	T(mkdir("nope/x", 0755));
	T(mkdir("", 0755));
	T(syscall(SYS_mkdir, BADP, 0755));
	put_file("f", "x");
	T(mkdir("f", 0755));
	T(mkdir("f/x", 0755));
	MUST(symlink("a", "la"));
	T(mkdir("la", 0755));
	MUST(symlink("target", "dangling"));
	T(mkdir("dangling", 0755)); /* mkdir never follows the last link */
	T(access("target", F_OK));
	T(mkdir("sticky", 01777));
	MUST(stat("sticky", &st));
	P("sticky mode", "%o", st.st_mode);
	MUST(stat("a", &st));
	P("a nlink", "%lu", (unsigned long)st.st_nlink);
}

static void t_mkdirat(void)
{
	SECTION("mkdirat");
	int dfd = T(open("a", O_RDONLY | O_DIRECTORY));
	T(mkdirat(dfd, "x", 0755));
	T(access("a/x", F_OK));
	T(mkdirat(dfd, "x", 0755));
	T(mkdirat(AT_FDCWD, "y", 0755));
	T(mkdirat(99, "z", 0755));
	T(mkdirat(99, "/tmp", 0755));
	int ffd = T(open("f", O_RDONLY));
	T(mkdirat(ffd, "z", 0755));
	T(syscall(SYS_mkdirat, dfd, BADP, 0755));
	T(close(ffd));
	T(close(dfd));
}

static void t_rmdir(void)
{
	SECTION("rmdir");
	T(rmdir("a"));        /* not empty */
	T(rmdir("f"));
	T(rmdir("nope"));
	T(rmdir("."));
	T(rmdir(".."));
	T(rmdir("a/."));
	T(rmdir("la"));       /* a symlink to a dir: not followed */
	T(rmdir("y"));
	T(access("y", F_OK));
	T(rmdir("a/b/c/"));
	T(rmdir("a/b/c"));
	T(rmdir(""));
	T(syscall(SYS_rmdir, BADP));
	/* the fd of a removed directory stays, empty and unusable */
	MUST(mkdir("gone", 0755));
	int fd = T(open("gone", O_RDONLY | O_DIRECTORY));
	T(rmdir("gone"));
	struct stat st;
	T(fstat(fd, &st));
	P("gone nlink", "%lu", (unsigned long)st.st_nlink);
	T(openat(fd, "new", O_CREAT | O_WRONLY, 0644));
	T(mkdirat(fd, "new", 0755));
	char buf[1024];
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	T(close(fd));
}

static void t_getdents(void)
{
	SECTION("getdents64");
	MUST(mkdir("g", 0755));
	MUST(mkdir("g/sub", 0755));
	put_file("g/file", "data");
	MUST(symlink("file", "g/link"));
	list("g", 4096, 0);
	list("g", 64, 0);   /* one entry per call */
	/* many entries through a small buffer */
	MUST(mkdir("many", 0755));
	char name[32];
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof name, "many/entry-%03d", i);
		put_file(name, "");
	}
	list("many", 512, 1);
	list("many", 32768, 1);

	int fd = T(open("g", O_RDONLY | O_DIRECTORY));
	char buf[4096];
	long n1 = T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	T(lseek(fd, 0, SEEK_SET));
	long n2 = T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	P("same after rewind", "%d", n1 == n2);
	T(lseek(fd, 0, SEEK_SET));
	T(syscall(SYS_getdents64, fd, buf, 1));   /* too small for one entry */
	T(syscall(SYS_getdents64, fd, buf, 0));
	T(syscall(SYS_getdents64, fd, BADP, sizeof buf));
	T(syscall(SYS_getdents64, 99, buf, sizeof buf));
	T(close(fd));
	fd = T(open("g/file", O_RDONLY));
	T(syscall(SYS_getdents64, fd, buf, sizeof buf));
	T(close(fd));
	/* an entry removed between two listings is gone */
	T(unlink("g/file"));
	list("g", 4096, 0);
}

int main(void)
{
	scratch();
	t_mkdir();
	t_mkdirat();
	t_rmdir();
	t_getdents();
	return 0;
}
