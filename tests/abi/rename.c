/* rename: rename renameat renameat2. */
#include "abi.h"
#include <linux/fs.h>

static void cat(const char *path)
{
	char buf[64] = {0};
	int fd = open(path, O_RDONLY);
	if (fd < 0) {
		printf("  %s: %s\n", path, ename(errno));
		return;
	}
	long n = read(fd, buf, sizeof buf - 1);
	close(fd);
	printf("  %s: \"%.*s\"\n", path, (int)(n > 0 ? n : 0), buf);
}

static void t_rename(void)
{
	SECTION("rename");
	put_file("a", "A");
	put_file("b", "B");
	MUST(mkdir("d", 0755));
	MUST(mkdir("e", 0755));
	MUST(mkdir("full", 0755));
	put_file("full/x", "X");
	T(syscall(SYS_rename, "a", "a2"));
	cat("a");
	cat("a2");
	T(rename("a2", "b"));          /* replaces b */
	cat("a2");
	cat("b");
	T(rename("b", "b"));           /* same name: nothing happens */
	cat("b");
	MUST(link("b", "bl"));
	T(rename("b", "bl"));          /* same inode: nothing happens */
	T(access("b", F_OK));
	T(rename("nope", "x"));
	T(rename("b", "nodir/x"));
	T(rename("b", "d"));           /* file over dir */
	T(rename("d", "b"));           /* dir over file */
	T(rename("d", "full"));        /* over a non-empty dir */
	T(rename("d", "e"));           /* over an empty dir */
	T(access("d", F_OK));
	T(rename("e", "e/sub"));       /* into itself */
	MUST(mkdir("e/in", 0755));
	T(rename("e", "e/in/deeper"));
	T(rename("e/in", "e/in2"));
	T(rename(".", "x"));
	T(rename("x", "."));
	T(rename("e/..", "x"));
	T(rename("", "x"));
	T(rename("b", ""));
	T(rename("b/", "c"));
	T(rename("e/", "e3"));         /* a trailing slash on a dir is fine */
	T(access("e3", F_OK));
	T(syscall(SYS_rename, BADP, "x"));
	T(syscall(SYS_rename, "b", BADP));
	/* an open fd follows the file to its new name */
	int fd = T(open("b", O_RDONLY));
	T(rename("b", "full/b"));
	char c = 0;
	T(read(fd, &c, 1));
	P("read", "%c", c);
	T(close(fd));
	/* a symlink is renamed, not its target */
	MUST(symlink("full/b", "sl"));
	T(rename("sl", "sl2"));
	cat("sl2");
	T(access("full/b", F_OK));
}

static void t_renameat(void)
{
	SECTION("renameat");
	int d1 = T(open("full", O_RDONLY | O_DIRECTORY));
	int d2 = T(open("e3", O_RDONLY | O_DIRECTORY));
	T(renameat(d1, "x", d2, "x2"));
	cat("e3/x2");
	T(renameat(d2, "x2", AT_FDCWD, "top"));
	cat("top");
	T(renameat(99, "top", AT_FDCWD, "t2"));
	T(renameat(AT_FDCWD, "top", 99, "t2"));
	T(renameat(d1, "nope", d2, "t2"));
	T(syscall(SYS_renameat, d1, BADP, d2, "t2"));
	T(close(d1));
	T(close(d2));
}

static void t_renameat2(void)
{
	SECTION("renameat2");
	put_file("p", "P");
	put_file("q", "Q");
	T(syscall(SYS_renameat2, AT_FDCWD, "p", AT_FDCWD, "q", RENAME_NOREPLACE));
	T(syscall(SYS_renameat2, AT_FDCWD, "p", AT_FDCWD, "r", RENAME_NOREPLACE));
	cat("r");
	T(syscall(SYS_renameat2, AT_FDCWD, "r", AT_FDCWD, "q", RENAME_EXCHANGE));
	cat("r");
	cat("q");
	T(syscall(SYS_renameat2, AT_FDCWD, "r", AT_FDCWD, "nope", RENAME_EXCHANGE));
	T(syscall(SYS_renameat2, AT_FDCWD, "r", AT_FDCWD, "q", RENAME_EXCHANGE | RENAME_NOREPLACE));
	T(syscall(SYS_renameat2, AT_FDCWD, "r", AT_FDCWD, "q", 0x100));
	/* a file and a directory can trade places */
	MUST(mkdir("dd", 0755));
	put_file("dd/in", "I");
	T(syscall(SYS_renameat2, AT_FDCWD, "q", AT_FDCWD, "dd", RENAME_EXCHANGE));
	cat("q/in");
	cat("dd");
	T(syscall(SYS_renameat2, AT_FDCWD, "r", AT_FDCWD, "s", 0));
	cat("s");
	T(syscall(SYS_renameat2, 99, "s", AT_FDCWD, "t", 0));
}

int main(void)
{
	scratch();
	t_rename();
	t_renameat();
	t_renameat2();
	return 0;
}
