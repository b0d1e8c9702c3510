/* abi.h: helpers shared by the differential ABI tests in tests/abi/.
 *
 * Each test is run natively and under persona; the two stdouts must be
 * identical. So a test prints only what Linux defines: return values, errno
 * names, sizes, modes, fd numbers, never addresses, pids, inode numbers or
 * times. The scratch directory is the current directory, so paths printed
 * are relative and never show its random name.
 */
#ifndef ABI_H
#define ABI_H
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

/* Never mapped in a Linux process: the kernel must answer EFAULT. */
#define BADP ((void *)1)

static inline const char *ename(int e)
{
	const char *n = strerrorname_np(e);
	return n ? n : "E???";
}

static inline void abi_show(const char *label, long r, int e)
{
	if (r == -1)
		printf("%s = -1 %s\n", label, ename(e));
	else
		printf("%s = %ld\n", label, r);
}

/* T(expr): evaluate a libc or syscall() call, print "expr = result" or
 * "expr = -1 ENAME", and yield the result. TL gives the line its own label. */
#define TL(label, expr) ({ errno = 0; long r_ = (long)(expr); \
	abi_show(label, r_, errno); r_; })
#define T(expr) TL(#expr, expr)

/* What poll() says of fd for reading and writing, without waiting. */
static inline int revents(int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT, 0 };
	poll(&p, 1, 0);
	return p.revents;
}

/* Print a computed fact, e.g. P("size", "%ld", (long)st.st_size). */
#define P(label, fmt, ...) printf("%s: " fmt "\n", label, __VA_ARGS__)

#define SECTION(name) printf("== %s\n", name)

/* A setup step that must not fail; if it does, say so and stop. The line
 * differs from the native run, so the test fails visibly. */
#define MUST(expr) do { errno = 0; if ((long)(expr) == -1) { \
	printf("SETUP FAILED: %s: %s\n", #expr, ename(errno)); exit(99); } } while (0)

/* Write a whole small file (setup helper). */
static inline void put_file(const char *path, const char *data)
{
	int fd;
	MUST(fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644));
	MUST(write(fd, data, strlen(data)));
	MUST(close(fd));
}

static char scratch_path[64];

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st; (void)f;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void scratch_cleanup(void)
{
	if (chdir("/") == 0)
		nftw(scratch_path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Make a fresh directory under /tmp and chdir into it. Under persona /tmp
 * is a fresh in-memory tmpfs; natively it is the host's /tmp. */
static inline void scratch(void)
{
	strcpy(scratch_path, "/tmp/persona-abi-XXXXXX");
	MUST(mkdtemp(scratch_path) ? 0 : -1);
	MUST(chdir(scratch_path));
	atexit(scratch_cleanup);
}

/* Same start for every test, natively and under persona: no fds but 0-2
 * (a runner such as make may leak its own), a known umask, and stdout
 * flushed per line so a crash under persona shows how far the test got. */
__attribute__((constructor)) static void abi_init(void)
{
	for (int fd = 3; fd < 1024; fd++)
		close(fd);
	umask(022);
	setvbuf(stdout, NULL, _IOLBF, 0);
}

#endif
