/* paths: getcwd chdir fchdir readlink readlinkat and path walking through
 * symlinks and "..". The scratch directory's name is random, so printed
 * paths show it as "$T". */
#include "abi.h"

static char cwd[4096];

/* print a path with the scratch prefix replaced by $T */
static void show_path(const char *label, const char *p)
{
	size_t n = strlen(scratch_path);
	if (strncmp(p, scratch_path, n) == 0 && (p[n] == '/' || p[n] == 0))
		printf("%s: $T%s\n", label, p + n);
	else
		printf("%s: %s\n", label, p);
}

static void pwd(void)
{
	/* raw getcwd returns the length including the NUL */
	long r = syscall(SYS_getcwd, cwd, sizeof cwd);
	if (r < 0)
		printf("getcwd: -1 %s\n", ename(errno));
	else {
		printf("getcwd len ok: %d\n", r == (long)strlen(cwd) + 1);
		show_path("getcwd", cwd);
	}
}

static void t_getcwd(void)
{
	SECTION("getcwd");
	pwd();
	T(syscall(SYS_getcwd, cwd, 0));
	T(syscall(SYS_getcwd, cwd, 5));
	T(syscall(SYS_getcwd, cwd, strlen(scratch_path))); /* one short */
	T(syscall(SYS_getcwd, cwd, strlen(scratch_path) + 1));
	T(syscall(SYS_getcwd, BADP, sizeof cwd));
	T(syscall(SYS_getcwd, NULL, sizeof cwd));
	/* glibc's getcwd(NULL, 0) allocates */
	char *p = getcwd(NULL, 0);
	P("getcwd(NULL,0) matches", "%d", p && strcmp(p, scratch_path) == 0);
	free(p);
}

static void t_chdir(void)
{
	SECTION("chdir");
	MUST(mkdir("a", 0755));
	MUST(mkdir("a/b", 0755));
	put_file("f", "x");
	MUST(symlink("a/b", "lb"));
	MUST(symlink(scratch_path, "abs"));
	T(chdir("a/b"));
	pwd();
	T(chdir(".."));
	pwd();
	T(chdir("../lb"));        /* a symlink: the cwd is the real dir */
	pwd();
	T(chdir(".."));           /* ".." is the physical parent: a */
	pwd();
	T(chdir("/"));
	pwd();
	T(chdir(".."));           /* ".." of / is / */
	pwd();
	T(chdir(scratch_path));
	T(chdir("abs/a"));
	pwd();
	T(chdir(scratch_path));
	T(chdir("f"));
	T(chdir("nope"));
	T(chdir(""));
	T(chdir("f/.."));
	T(syscall(SYS_chdir, BADP));
	pwd();
	/* relative paths now start at the new cwd */
	T(chdir("a"));
	T(access("b", F_OK));
	T(access("../f", F_OK));
	T(chdir(scratch_path));
	/* getcwd of a removed directory */
	MUST(mkdir("gone", 0755));
	T(chdir("gone"));
	T(rmdir("../gone"));
	pwd();
	T(open(".", O_RDONLY));
	T(close(3));
	T(open("new", O_CREAT | O_WRONLY, 0644));
	T(chdir(scratch_path));
}

static void t_fchdir(void)
{
	SECTION("fchdir");
	int dfd = T(open("a/b", O_RDONLY | O_DIRECTORY));
	int ffd = T(open("f", O_RDONLY));
	T(fchdir(dfd));
	pwd();
	T(fchdir(ffd));
	T(fchdir(99));
	T(fchdir(-1));
	pwd();
	T(chdir(scratch_path));
	T(close(ffd));
	T(close(dfd));
}

static void t_readlink(void)
{
	SECTION("readlink");
	char buf[256];
	long n;
	MUST(symlink("target/of/link", "l"));
	memset(buf, 0, sizeof buf);
	n = T(syscall(SYS_readlink, "l", buf, sizeof buf));
	P("l", "%.*s", (int)(n > 0 ? n : 0), buf);
	memset(buf, 'X', sizeof buf);
	n = T(readlink("l", buf, 6));      /* truncated, no NUL */
	P("l[0:7]", "%.7s", buf);
	T(readlink("l", buf, 0));
	T(syscall(SYS_readlink, "l", buf, -1));
	T(readlink("f", buf, sizeof buf));
	T(readlink("a", buf, sizeof buf));
	T(readlink("nope", buf, sizeof buf));
	T(readlink("", buf, sizeof buf));
	T(readlink("l/", buf, sizeof buf));
	T(syscall(SYS_readlink, "l", BADP, sizeof buf));
	T(syscall(SYS_readlink, BADP, buf, sizeof buf));
	/* only the last component is not followed */
	MUST(symlink("a", "la"));
	MUST(symlink("../f", "a/up"));
	n = T(readlink("la/up", buf, sizeof buf));
	P("la/up", "%.*s", (int)(n > 0 ? n : 0), buf);
	n = T(readlink("abs", buf, sizeof buf));
	if (n > 0) {
		buf[n] = 0;
		show_path("abs", buf);
	}

	SECTION("readlinkat");
	int dfd = T(open("a", O_RDONLY | O_DIRECTORY));
	n = T(readlinkat(dfd, "up", buf, sizeof buf));
	P("up", "%.*s", (int)(n > 0 ? n : 0), buf);
	n = T(readlinkat(AT_FDCWD, "l", buf, sizeof buf));
	T(readlinkat(99, "up", buf, sizeof buf));
	T(readlinkat(dfd, "b", buf, sizeof buf));
	T(readlinkat(dfd, "", buf, sizeof buf));
	T(syscall(SYS_readlinkat, dfd, BADP, buf, sizeof buf));
	T(syscall(SYS_readlinkat, dfd, "up", buf, 0));
	T(close(dfd));

	SECTION("/proc/self/cwd");
	n = T(readlink("/proc/self/cwd", buf, sizeof buf));
	if (n > 0) {
		buf[n] = 0;
		show_path("cwd link", buf);
	}
	T(access("/proc/self/cwd/f", F_OK));
}

static void t_walk(void)
{
	SECTION("walk");
	char name[16], target[16];
	MUST(mkdir("chain", 0755));
	MUST(chdir("chain"));
	/* l0 -> l1 -> ... -> l40 -> end: 40 links followed is the limit */
	put_file("end", "e");
	for (int i = 0; i <= 40; i++) {
		snprintf(name, sizeof name, "l%d", i);
		if (i == 40)
			strcpy(target, "end");
		else
			snprintf(target, sizeof target, "l%d", i + 1);
		MUST(symlink(target, name));
	}
	T(access("l1", F_OK));   /* 40 links */
	T(access("l0", F_OK));   /* 41 links */
	MUST(symlink("self", "self"));
	T(access("self", F_OK));
	T(open("self", O_RDONLY));
	T(open("l40", O_RDONLY | O_NOFOLLOW));
	T(open("end", O_RDONLY | O_NOFOLLOW));
	T(close(3));
	MUST(chdir(scratch_path));
	/* creating through a dangling link creates its target */
	MUST(symlink("created", "dang"));
	T(open("dang", O_CREAT | O_EXCL | O_WRONLY, 0644));
	T(open("dang", O_CREAT | O_WRONLY, 0644));
	T(close(3));
	T(access("created", F_OK));
	/* "." and ".." and repeated slashes */
	T(access("a/./b/../b//.", F_OK));
	T(access("a/b/../../f", F_OK));
	T(access("f/..", F_OK));
	T(access("f/.", F_OK));
	T(access(".//a///b", F_OK));
	/* ".." after a link goes to the target's parent: lb -> a/b, so
	 * lb/../g is a/g, and lb/../f (a lexical answer) does not exist */
	put_file("a/g", "g");
	T(access("lb/../g", F_OK));
	T(access("lb/../f", F_OK));
	T(access("lb/../../f", F_OK));
	T(access("/../../..", F_OK));
	T(access("/..", F_OK));
	/* a path longer than PATH_MAX */
	char *longp = malloc(5000);
	memset(longp, 0, 5000);
	for (int i = 0; i < 2400; i++)
		memcpy(longp + 2 * i, "./", 2);
	T(access(longp, F_OK));
	free(longp);
	/* O_PATH on a symlink, then readlinkat with an empty path */
	int fd = T(open("l", O_PATH | O_NOFOLLOW));
	char buf[64];
	long n = T(readlinkat(fd, "", buf, sizeof buf));
	P("via O_PATH", "%.*s", (int)(n > 0 ? n : 0), buf);
	T(close(fd));
}

int main(void)
{
	scratch();
	t_getcwd();
	t_chdir();
	t_fchdir();
	t_readlink();
	t_walk();
	return 0;
}
