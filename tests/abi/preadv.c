/* preadv: preadv, pwritev, preadv2 and pwritev2 in the order of Linux's
 * checks: a negative offset (EINVAL, before the fd), the fd (EBADF), a
 * file with no position (ESPIPE), the fd's mode (EBADF), the vector
 * (count over IOV_MAX or a negative length EINVAL, a bad pointer EFAULT,
 * a total past MAX_RW_COUNT cut), then the RWF_* flags (EOPNOTSUPP for
 * unknown ones and for those tmpfs can't do, EINVAL for APPEND with
 * NOAPPEND) only when there is something to move. The *2 forms take
 * offset -1 as "the file position", which pipes and sockets accept too. */
#include "abi.h"
#include <limits.h>
#include <sys/socket.h>
#include <sys/uio.h>

#ifndef RWF_HIPRI
#define RWF_HIPRI 0x1
#define RWF_DSYNC 0x2
#define RWF_SYNC 0x4
#define RWF_NOWAIT 0x8
#define RWF_APPEND 0x10
#endif
#ifndef RWF_NOAPPEND
#define RWF_NOAPPEND 0x20
#endif
#define RWF_ATOMIC_ 0x40
#define RWF_DONTCACHE_ 0x80
#define RWF_NOSIGNAL_ 0x100

#define PRV(fd, iov, n, off) syscall(SYS_preadv, fd, iov, n, (long)(off), 0L)
#define PWV(fd, iov, n, off) syscall(SYS_pwritev, fd, iov, n, (long)(off), 0L)
#define PRV2(fd, iov, n, off, fl) syscall(SYS_preadv2, fd, iov, n, (long)(off), 0L, fl)
#define PWV2(fd, iov, n, off, fl) syscall(SYS_pwritev2, fd, iov, n, (long)(off), 0L, fl)

static char a[8], b[8];
static struct iovec two[2] = { { a, 3 }, { b, 4 } };

static void show(const char *label)
{
	printf("%s: [%.*s][%.*s]\n", label, (int)two[0].iov_len, a, (int)two[1].iov_len, b);
	memset(a, '.', sizeof(a));
	memset(b, '.', sizeof(b));
}

static void contents(const char *path)
{
	char buf[128];
	int fd;
	MUST(fd = open(path, O_RDONLY));
	long n = read(fd, buf, sizeof(buf));
	close(fd);
	for (long i = 0; i < n; i++)
		if (!buf[i])
			buf[i] = '_';
	printf("%s holds \"%.*s\"\n", path, (int)(n < 0 ? 0 : n), buf);
}

static long pos(int fd) { return lseek(fd, 0, SEEK_CUR); }

int main(void)
{
	/* /dev/shm is tmpfs natively and under persona: the flags whose
	 * answer depends on the filesystem are asked of tmpfs. */
	strcpy(scratch_path, "/dev/shm/persona-abi-XXXXXX");
	MUST(mkdtemp(scratch_path) ? 0 : -1);
	MUST(chdir(scratch_path));
	atexit(scratch_cleanup);
	put_file("f", "0123456789abcdef");
	int f, ro, wo, p[2], s[2], opath, d;
	MUST(f = open("f", O_RDWR));
	MUST(ro = open("f", O_RDONLY));
	MUST(wo = open("f", O_WRONLY));
	MUST(opath = open("f", O_PATH));
	MUST(d = open(".", O_RDONLY | O_DIRECTORY));
	MUST(pipe(p));
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	MUST(fcntl(p[0], F_SETFL, O_NONBLOCK));
	int h;
	MUST(h = open("h", O_RDWR | O_CREAT, 0644));
	show("start");

	SECTION("preadv, pwritev");
	T(PRV(f, two, 2, 2));
	show("read at 2");
	P("position", "%ld", pos(f));
	T(PRV(f, two, 2, 12));
	show("read at 12");
	T(PRV(f, two, 2, 100));
	T(PRV(f, two, 0, 0));
	T(PRV(f, NULL, 0, 0));
	memcpy(a, "ABC", 3);
	memcpy(b, "DEFG", 4);
	T(PWV(f, two, 2, 4));
	contents("f");
	P("position", "%ld", pos(f));
	T(PWV(f, two, 1, 20));
	contents("f");
	T(PWV(f, two, 0, 0));
	T(PRV(ro, two, 1, 0));
	T(PWV(ro, two, 1, 0));
	T(PRV(wo, two, 1, 0));
	T(PWV(wo, two, 1, 0));
	T(PRV(opath, two, 1, 0));
	T(PRV(d, two, 1, 0));
	show("after modes");

	SECTION("errors and their order");
	T(PRV(f, two, 2, -1));
	T(PRV(99, two, 2, -1));
	T(PRV(99, two, 2, 0));
	T(PRV(p[0], two, 2, 0));
	T(PWV(p[1], two, 2, 0));
	T(PRV(s[0], two, 2, 0));
	T(PRV(p[0], BADP, 2, 0));
	T(PRV(f, BADP, 2, 0));
	T(PWV(f, BADP, 2, 0));
	T(PRV(f, BADP, 0, 0));
	T(PRV(f, two, IOV_MAX + 1, 0));
	T(PRV(f, two, -1, 0));
	T(PRV(f, BADP, IOV_MAX + 1, 0));
	T(PRV(ro, BADP, 1, 0));
	T(PWV(ro, BADP, 1, 0));
	T(PWV(ro, two, IOV_MAX + 1, 0));
	struct iovec neg[2] = { { a, 1 }, { b, (size_t)-1 } };
	T(PRV(f, neg, 2, 0));
	struct iovec big[2] = { { a, SSIZE_MAX }, { b, SSIZE_MAX } };
	T(PRV(f, big, 2, 0));
	struct iovec past[2] = { { a, 1 }, { b, 1UL << 47 } };
	T(PRV(f, past, 2, 0));
	struct iovec negafter[2] = { { BADP, 1UL << 50 }, { b, (size_t)-1 } };
	T(PRV(f, negafter, 2, 0));
	struct iovec huge[3] = { { a, 0x7ffff000 }, { b, 0x7ffff000 }, { a, 1 } };
	T(PWV(p[1], huge, 3, 0));
	struct iovec badbuf[2] = { { a, 2 }, { BADP, 4 } };
	T(PRV(f, badbuf, 2, 0));
	show("partial");
	badbuf[0].iov_base = BADP;
	T(PRV(f, badbuf, 2, 0));
	T(PWV(f, badbuf, 2, 0));
	struct iovec many[IOV_MAX];
	for (int i = 0; i < IOV_MAX; i++)
		many[i] = (struct iovec){ a, 0 };
	many[IOV_MAX - 1].iov_len = 1;
	T(PRV(f, many, IOV_MAX, 0));
	show("IOV_MAX");
	T(PRV(f, two, 2, LONG_MAX));
	T(PWV(f, two, 2, LONG_MAX - 2));

	SECTION("preadv2, pwritev2: offsets");
	MUST(lseek(f, 1, SEEK_SET));
	T(PRV2(f, two, 2, 0, 0));
	show("at 0");
	P("position", "%ld", pos(f));
	T(PRV2(f, two, 2, -1, 0));
	show("at -1");
	P("position", "%ld", pos(f));
	T(PRV2(f, two, 2, -2, 0));
	T(PRV2(99, two, 2, -2, 0));
	T(PRV2(99, two, 2, -1, 0));
	T(PRV2(p[0], two, 2, 0, 0));
	MUST(write(p[1], "pipedata", 8));
	T(PRV2(p[0], two, 2, -1, 0));
	show("pipe at -1");
	T(PWV2(s[0], two, 1, -1, 0));
	T(PRV2(s[1], two, 1, -1, 0));
	show("socket at -1");
	memcpy(a, "xyz", 3);
	T(PWV2(f, two, 1, -1, 0));
	P("position", "%ld", pos(f));
	contents("f");

	SECTION("flags");
	static const struct { const char *name; int fl; } flags[] = {
		{ "HIPRI", RWF_HIPRI }, { "DSYNC", RWF_DSYNC }, { "SYNC", RWF_SYNC },
		{ "NOWAIT", RWF_NOWAIT }, { "APPEND", RWF_APPEND }, { "NOAPPEND", RWF_NOAPPEND },
		{ "ATOMIC", RWF_ATOMIC_ }, { "DONTCACHE", RWF_DONTCACHE_ },
		{ "NOSIGNAL", RWF_NOSIGNAL_ }, { "0x200", 0x200 }, { "1<<31", 1 << 31 },
		{ "APPEND|NOAPPEND", RWF_APPEND | RWF_NOAPPEND },
	};
	for (unsigned i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		char label[64];
		snprintf(label, sizeof(label), "preadv2 %s", flags[i].name);
		TL(label, PRV2(f, two, 1, 0, flags[i].fl));
		snprintf(label, sizeof(label), "preadv2 %s, nothing to read", flags[i].name);
		TL(label, PRV2(f, two, 0, 0, flags[i].fl));
		snprintf(label, sizeof(label), "pwritev2 %s at 1", flags[i].name);
		TL(label, PWV2(h, two, 1, 1, flags[i].fl));
		snprintf(label, sizeof(label), "pwritev2 %s, nothing to write", flags[i].name);
		TL(label, PWV2(h, two, 0, 1, flags[i].fl));
		snprintf(label, sizeof(label), "pwritev2 %s on a pipe", flags[i].name);
		TL(label, PWV2(p[1], two, 1, -1, flags[i].fl));
		snprintf(label, sizeof(label), "preadv2 %s on a pipe", flags[i].name);
		TL(label, PRV2(p[0], two, 1, -1, flags[i].fl));
	}
	show("after flags");
	contents("h");
	T(PRV2(99, two, 1, 0, 0x200));
	T(PRV2(f, BADP, 1, 0, 0x200));
	T(PRV2(p[0], two, 1, 0, 0x200));
	T(PRV2(p[0], two, 1, -1, RWF_NOWAIT));
	T(PRV2(p[0], two, 1, -1, 0x200));
	int q[2];
	MUST(pipe(q));
	T(PRV2(q[0], two, 1, -1, RWF_NOWAIT));
	T(PRV2(q[0], two, 0, -1, RWF_NOWAIT));
	T(PWV2(q[1], two, 1, -1, RWF_NOWAIT));
	T(PRV2(q[0], two, 1, -1, RWF_NOWAIT));
	MUST(close(q[0]));
	T(PWV2(q[1], two, 1, -1, RWF_NOSIGNAL_));
	MUST(close(s[1]));
	T(PWV2(s[0], two, 1, -1, RWF_NOSIGNAL_));

	SECTION("append");
	put_file("g", "0123456789");
	int g;
	MUST(g = open("g", O_RDWR));
	memcpy(a, "APP", 3);
	T(PWV2(g, two, 1, 2, RWF_APPEND));
	contents("g");
	P("position", "%ld", pos(g));
	T(PWV2(g, two, 1, -1, RWF_APPEND));
	contents("g");
	P("position", "%ld", pos(g));
	int ga;
	MUST(ga = open("g", O_RDWR | O_APPEND));
	memcpy(a, "pwv", 3);
	T(PWV(ga, two, 1, 0));
	contents("g");
	memcpy(a, "NOA", 3);
	T(PWV2(ga, two, 1, 1, RWF_NOAPPEND));
	contents("g");
	P("position", "%ld", pos(ga));
	T(PWV2(ga, two, 1, -1, RWF_NOAPPEND));
	contents("g");
	P("position", "%ld", pos(ga));
	T(fcntl(ga, F_GETFL) & O_APPEND);
	return 0;
}
