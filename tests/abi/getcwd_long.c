/* getcwd_long: a working directory deeper than PATH_MAX, made by mkdir
 * and chdir one component at a time (each name is short, the whole is
 * 9000 bytes). Linux's getcwd answers a path of up to PATH_MAX bytes with
 * its NUL and ENAMETOOLONG past that, whatever the buffer; ERANGE for a
 * buffer too small for a path that fits. Lengths are printed from the
 * scratch directory down, which has the same length natively and under
 * persona. */
#include "abi.h"
#include <limits.h>

static char buf[16384];
static size_t lens[64];		/* the name length at each depth */
static int depth;
static size_t base;

static void show(const char *label)
{
	errno = 0;
	long r = syscall(SYS_getcwd, buf, sizeof(buf));
	if (r < 0)
		printf("%s: getcwd = -1 %s\n", label, ename(errno));
	else
		printf("%s: getcwd = base + %ld, strlen base + %zu\n", label, r - (long)base,
		       strlen(buf) - base);
}

static void name_at(int d, char *name)
{
	memset(name, 'a' + d % 26, lens[d]);
	name[lens[d]] = 0;
}

/* Goes one level down into a new directory whose name has `len` bytes. */
static void down(size_t len)
{
	char name[NAME_MAX + 1];
	lens[depth] = len;
	name_at(depth, name);
	MUST(mkdir(name, 0755));
	MUST(chdir(name));
	depth++;
}

/* Goes one level up, removing the directory it leaves. */
static void up(void)
{
	char name[NAME_MAX + 1];
	MUST(chdir(".."));
	name_at(--depth, name);
	MUST(rmdir(name));
}

int main(void)
{
	scratch();
	MUST(syscall(SYS_getcwd, buf, sizeof(buf)));
	base = strlen(buf);
	/* Down to exactly PATH_MAX - 1 bytes of path: it fits with its NUL. */
	size_t len = base;
	while (len + 1 + 255 < PATH_MAX - 1) {
		down(255);
		len += 256;
	}
	down(PATH_MAX - 1 - len - 1);
	show("PATH_MAX - 1");
	T(syscall(SYS_getcwd, buf, PATH_MAX - 1));
	T(syscall(SYS_getcwd, buf, PATH_MAX) - PATH_MAX);
	T(syscall(SYS_getcwd, buf, 1));
	/* One byte more. */
	up();
	down(PATH_MAX - len - 1);
	show("PATH_MAX");
	T(syscall(SYS_getcwd, buf, 1));
	T(syscall(SYS_getcwd, buf, 0));
	/* And on to 9000 bytes, still working relative to the cwd. */
	while (depth < 35)
		down(255);
	show("deep");
	T(access(".", F_OK));
	T(mkdir("x", 0755));
	T(rmdir("x"));
	/* Back up, removing the tree on the way (nftw can't reach it). */
	while (depth > 0) {
		up();
		if (depth == 16)
			show("on the way up");
	}
	show("scratch");
	return 0;
}
