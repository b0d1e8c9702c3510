/* links: link linkat symlink symlinkat unlink unlinkat. */
#include "abi.h"

static unsigned long nlink(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0 ? (unsigned long)st.st_nlink : 0;
}

static void t_link(void)
{
	SECTION("link");
	put_file("f", "data");
	MUST(mkdir("d", 0755));
	T(syscall(SYS_link, "f", "h1"));
	P("f nlink", "%lu", nlink("f"));
	T(link("f", "d/h2"));
	P("f nlink", "%lu", nlink("f"));
	struct stat a, b;
	MUST(stat("f", &a));
	MUST(stat("d/h2", &b));
	P("same inode", "%d", a.st_ino == b.st_ino);
	T(link("f", "h1"));
	T(link("nope", "h3"));
	T(link("d", "dlink"));
	T(link("f", "nodir/h"));
	T(link("f", "f/h"));
	T(link("f/", "h4"));
	T(link("f", "h6/"));	/* a new name with a trailing slash */
	T(link("f", "h1/"));
	T(link("f", "d/.."));
	T(link("f", ""));
	T(syscall(SYS_link, BADP, "h5"));
	T(syscall(SYS_link, "f", BADP));
}

static void t_symlink(void)
{
	SECTION("symlink");
	struct stat st;
	T(syscall(SYS_symlink, "f", "s1"));
	MUST(lstat("s1", &st));
	P("s1", "mode=%o size=%ld", st.st_mode, (long)st.st_size);
	T(symlink("f", "s1"));
	T(symlink("f", "f"));
	T(symlink("", "s2"));
	T(symlink("f", ""));
	T(symlink("anything/at/all", "s3")); /* the target is not checked */
	MUST(lstat("s3", &st));
	P("s3 size", "%ld", (long)st.st_size);
	T(symlink("f", "nodir/s"));
	T(symlink("f", "s9/"));	/* a new name with a trailing slash */
	T(symlink("f", "s1/"));
	T(symlink("f", "d/."));
	T(syscall(SYS_symlink, BADP, "s4"));
	T(syscall(SYS_symlink, "f", BADP));

	SECTION("symlinkat");
	int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
	T(symlinkat("../f", dfd, "s5"));
	T(access("d/s5", R_OK));
	T(symlinkat("x", AT_FDCWD, "s6"));
	T(symlinkat("x", 99, "s7"));
	T(symlinkat("x", 99, "/nonexistent/s7"));
	T(syscall(SYS_symlinkat, BADP, dfd, "s8"));
	T(close(dfd));
}

static void t_linkat(void)
{
	SECTION("linkat");
	int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
	T(linkat(AT_FDCWD, "f", dfd, "h6", 0));
	P("f nlink", "%lu", nlink("f"));
	/* without AT_SYMLINK_FOLLOW the link itself is linked */
	T(linkat(AT_FDCWD, "s1", AT_FDCWD, "hs", 0));
	struct stat st;
	MUST(lstat("hs", &st));
	P("hs is link", "%d", S_ISLNK(st.st_mode));
	P("s1 nlink", "%lu", nlink("s1"));
	T(linkat(AT_FDCWD, "s1", AT_FDCWD, "hf", AT_SYMLINK_FOLLOW));
	MUST(lstat("hf", &st));
	P("hf is reg", "%d", S_ISREG(st.st_mode));
	P("f nlink", "%lu", nlink("f"));
	T(linkat(AT_FDCWD, "s3", AT_FDCWD, "hx", AT_SYMLINK_FOLLOW));
	T(linkat(AT_FDCWD, "f", AT_FDCWD, "hy", 0x1));
	T(linkat(AT_FDCWD, "f", AT_FDCWD, "hy", AT_SYMLINK_NOFOLLOW));
	T(linkat(99, "f", AT_FDCWD, "hy", 0));
	T(linkat(AT_FDCWD, "f", 99, "hy", 0));
	T(linkat(dfd, "h6", dfd, "h6", 0));
	T(syscall(SYS_linkat, AT_FDCWD, BADP, AT_FDCWD, "hz", 0));
	T(close(dfd));
}

static void t_unlink(void)
{
	SECTION("unlink");
	T(syscall(SYS_unlink, "h1"));
	P("f nlink", "%lu", nlink("f"));
	T(unlink("h1"));
	T(unlink("d"));
	T(unlink("f/"));
	T(unlink("nodir/x"));
	T(unlink(""));
	T(unlink("s3"));     /* removes the link, not a target */
	T(lstat("s3", &(struct stat){0}));
	T(unlink("s1"));
	T(access("f", F_OK));
	T(syscall(SYS_unlink, BADP));
	/* data stays reachable through an open fd */
	int fd = T(open("d/h2", O_RDWR));
	T(unlink("d/h2"));
	T(unlink("d/h6"));
	T(unlink("hf"));
	T(unlink("f"));
	T(access("f", F_OK));
	char buf[8] = {0};
	T(read(fd, buf, sizeof buf));
	P("data", "%s", buf);
	T(write(fd, "more", 4));
	struct stat st;
	T(fstat(fd, &st));
	P("nlink", "%lu", (unsigned long)st.st_nlink);
	T(close(fd));

	SECTION("unlinkat");
	MUST(mkdir("e", 0755));
	put_file("e/x", "");
	int dfd = T(open("e", O_RDONLY | O_DIRECTORY));
	T(unlinkat(dfd, "x", AT_REMOVEDIR));
	T(unlinkat(dfd, "x", 0));
	T(unlinkat(dfd, "x", 0));
	T(unlinkat(AT_FDCWD, "e", 0));
	T(unlinkat(AT_FDCWD, "e", 0x1));
	T(unlinkat(AT_FDCWD, "e", AT_SYMLINK_NOFOLLOW));
	T(unlinkat(99, "e", AT_REMOVEDIR));
	T(unlinkat(AT_FDCWD, "e", AT_REMOVEDIR));
	T(access("e", F_OK));
	T(syscall(SYS_unlinkat, AT_FDCWD, BADP, 0));
	T(close(dfd));
}

int main(void)
{
	scratch();
	t_link();
	t_symlink();
	t_linkat();
	t_unlink();
	return 0;
}
