/* xattr: setxattr getxattr listxattr removexattr and their l* and f*
 * forms, on tmpfs (/dev/shm is tmpfs natively and under persona, so both
 * list names in the same order): namespaces, flags, sizes, permissions,
 * bad pointers. */
#include "abi.h"
#include <sys/wait.h>
#include <sys/xattr.h>

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names listxattr gives, sorted: their order is the filesystem's
 * own (a hash table on recent Linux), not part of the interface. */
static void show_list(const char *label, const char *path)
{
	char buf[1024], *names[32];
	int count = 0;
	ssize_t n = listxattr(path, buf, sizeof(buf));
	printf("%s:", label);
	if (n < 0)
		printf(" %s", ename(errno));
	for (ssize_t i = 0; i < n && count < 32; i += strlen(buf + i) + 1)
		names[count++] = buf + i;
	qsort(names, count, sizeof(names[0]), by_name);
	for (int i = 0; i < count; i++)
		printf(" %.20s", names[i]);
	printf("\n");
}

static void show_value(const char *path, const char *name)
{
	char buf[64] = { 0 };
	ssize_t n = getxattr(path, name, buf, sizeof(buf) - 1);
	if (n < 0)
		printf("%s %s: %s\n", path, name, ename(errno));
	else
		printf("%s %s: %zd \"%.*s\"\n", path, name, n, (int)n, buf);
}

int main(void)
{
	char dir[] = "/dev/shm/persona-abi-xattr-XXXXXX";
	MUST(mkdtemp(dir) ? 0 : -1);
	MUST(chdir(dir));
	put_file("f", "data");
	MUST(mkdir("d", 0755));
	MUST(symlink("f", "s"));
	MUST(mkfifo("fifo", 0644));

	SECTION("set and get");
	T(setxattr("f", "user.b", "two", 3, 0));
	T(setxattr("f", "user.a", "one", 3, 0));
	T(setxattr("f", "user.empty", "", 0, 0));
	T(setxattr("f", "trusted.t", "root", 4, 0));
	T(setxattr("f", "security.x", "sec", 3, 0));
	show_value("f", "user.a");
	show_value("f", "user.empty");
	show_value("f", "trusted.t");
	T(getxattr("f", "user.a", NULL, 0));
	char small[2];
	T(getxattr("f", "user.a", small, sizeof(small)));
	T(getxattr("f", "user.none", NULL, 0));
	T(syscall(SYS_getxattr, "f", "user.a", BADP, 10));
	show_list("f", "f");
	T(listxattr("f", NULL, 0));
	T(listxattr("f", small, sizeof(small)));
	T(syscall(SYS_listxattr, "f", BADP, 100));

	SECTION("flags");
	T(setxattr("f", "user.a", "ONE", 3, XATTR_CREATE));
	T(setxattr("f", "user.new", "n", 1, XATTR_REPLACE));
	T(setxattr("f", "user.a", "uno", 3, XATTR_REPLACE));
	show_value("f", "user.a");
	T(setxattr("f", "user.a", "x", 1, 4));
	T(setxattr("f", "user.c", "x", 1, XATTR_CREATE | XATTR_REPLACE));

	SECTION("names and sizes");
	char longname[300] = "user.";
	memset(longname + 5, 'n', 260);
	T(setxattr("f", "", "x", 1, 0));
	T(setxattr("f", longname, "x", 1, 0));
	longname[255] = 0;
	T(setxattr("f", longname, "x", 1, 0));
	T(setxattr("f", "unknown.x", "x", 1, 0));
	T(getxattr("f", "unknown.x", NULL, 0));
	T(syscall(SYS_setxattr, "f", "user.big", "x", 65537, 0));
	T(setxattr("f", BADP, "x", 1, 0));
	T(syscall(SYS_setxattr, "f", "user.v", BADP, 4, 0));
	T(setxattr(BADP, "user.v", "x", 1, 0));
	T(setxattr("nope", "user.v", "x", 1, 0));

	SECTION("kinds of file");
	T(setxattr("d", "user.dir", "yes", 3, 0));
	show_value("d", "user.dir");
	T(setxattr("s", "user.via", "link", 4, 0));	/* follows to f */
	show_value("f", "user.via");
	T(lsetxattr("s", "user.on", "link", 4, 0));	/* user.* not on a symlink */
	T(lgetxattr("s", "user.via", NULL, 0));
	T(llistxattr("s", NULL, 0));
	T(setxattr("fifo", "user.f", "x", 1, 0));
	T(getxattr("fifo", "user.f", NULL, 0));
	T(setxattr("fifo", "trusted.f", "x", 1, 0));

	SECTION("fd forms");
	int fd = T(open("f", O_RDONLY));
	T(fsetxattr(fd, "user.fd", "by fd", 5, 0));
	char buf[32] = { 0 };
	T(fgetxattr(fd, "user.fd", buf, sizeof(buf)));
	P("value", "%s", buf);
	T(flistxattr(fd, NULL, 0));
	T(fremovexattr(fd, "user.fd"));
	T(fremovexattr(fd, "user.fd"));
	T(fgetxattr(99, "user.fd", buf, sizeof(buf)));
	int path = T(open("f", O_PATH));
	T(fgetxattr(path, "user.a", buf, sizeof(buf)));
	int p[2];
	MUST(pipe(p));
	T(fsetxattr(p[0], "user.p", "x", 1, 0));
	T(fgetxattr(p[0], "user.p", buf, sizeof(buf)));

	SECTION("remove");
	T(removexattr("f", "user.b"));
	T(removexattr("f", "user.b"));
	T(removexattr("f", "unknown.b"));
	T(lremovexattr("s", "user.via"));
	T(removexattr("s", "user.via"));
	show_list("f", "f");

	SECTION("permissions");
	MUST(chmod(".", 0755));
	MUST(chmod("f", 0444));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		MUST(setgid(65534));
		MUST(setuid(65534));
		T(getxattr("f", "user.a", NULL, 0));
		T(setxattr("f", "user.a", "no", 2, 0));
		T(getxattr("f", "trusted.t", NULL, 0));
		T(setxattr("f", "trusted.t", "no", 2, 0));
		show_list("f as nobody", "f");
		MUST(chmod("f", 0) == -1 ? 0 : -1);
		fflush(stdout);
		_exit(0);
	}
	MUST(waitpid(c, NULL, 0));
	MUST(chmod("f", 0));
	c = fork();
	if (c == 0) {
		MUST(setgid(65534));
		MUST(setuid(65534));
		T(getxattr("f", "user.a", NULL, 0));
		T(getxattr("f", "security.x", NULL, 0));
		fflush(stdout);
		_exit(0);
	}
	MUST(waitpid(c, NULL, 0));

	MUST(unlink("f"));
	MUST(unlink("s"));
	MUST(unlink("fifo"));
	MUST(rmdir("d"));
	MUST(chdir("/"));
	MUST(rmdir(dir));
	return 0;
}
