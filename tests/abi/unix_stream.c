/* unix_stream: AF_UNIX stream sockets. socket/socketpair flags and
 * errors, fstat and /proc/self/fd, bind/listen/connect/accept with names
 * in the scratch dir, backlog limits, shutdown, EOF, EPIPE and SIGPIPE,
 * ECONNRESET, poll masks, MSG_PEEK/DONTWAIT/WAITALL, FIONREAD, socket
 * options, timeouts, and blocking reads and writes across a fork. */
#include "abi.h"
#include "unix_common.h"
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <linux/sockios.h>

static char buf[1 << 20];
/* BADP through a volatile, so the compiler cannot see it is bad. */
static void *volatile badp = BADP;
#define BAD ((void *)badp)
static volatile int sigpipes, alarms, pipe_code = -1, pipe_from_self;

static void on_sigpipe(int s, siginfo_t *si, void *uc)
{
	(void)s;
	(void)uc;
	sigpipes++;
	pipe_code = si->si_code;
	pipe_from_self = si->si_pid == getpid();
}
static void on_alarm(int s) { (void)s; alarms++; }

static int listener(const char *path, int backlog)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, path);
	int s;
	MUST(s = socket(AF_UNIX, SOCK_STREAM, 0));
	MUST(bind(s, (struct sockaddr *)&a, len));
	MUST(listen(s, backlog));
	return s;
}

static int connect_to(const char *path, int flags)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, path);
	int c;
	MUST(c = socket(AF_UNIX, SOCK_STREAM | flags, 0));
	long r = connect(c, (struct sockaddr *)&a, len);
	if (r < 0) {
		printf("connect %s: %s\n", path, ename(errno));
		close(c);
		return -1;
	}
	return c;
}

static void create(void)
{
	int s, t;
	SECTION("socket");
	T(s = socket(AF_UNIX, SOCK_STREAM, 0));
	T(fcntl(s, F_GETFL));
	T(fcntl(s, F_GETFD));
	T(t = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
	T(fcntl(t, F_GETFL));
	T(fcntl(t, F_GETFD));
	close(t);
	T(socket(AF_UNIX, SOCK_STREAM | 0x10, 0));
	T(socket(AF_UNIX, 11, 0));
	T(socket(AF_UNIX, 7, 0));
	T(socket(AF_UNIX, SOCK_STREAM, 2));
	T(t = socket(AF_UNIX, SOCK_STREAM, PF_UNIX));
	close(t);
	T(socket(-1, SOCK_STREAM, 0));
	T(socket(46, SOCK_STREAM, 0));
	T(socket(1000, SOCK_STREAM, 0));
	int type, proto;
	socklen_t l = sizeof(type);
	T(t = socket(AF_UNIX, SOCK_RAW, 0));
	T(getsockopt(t, SOL_SOCKET, SO_TYPE, &type, &l));
	P("SOCK_RAW becomes", "%d", type);
	l = sizeof(proto);
	T(getsockopt(t, SOL_SOCKET, SO_PROTOCOL, &proto, &l));
	P("protocol", "%d", proto);
	close(t);

	SECTION("fstat");
	struct stat st;
	T(fstat(s, &st));
	P("S_ISSOCK", "%d", S_ISSOCK(st.st_mode));
	P("perm", "%o", st.st_mode & 07777);
	P("nlink size blksize", "%ld %ld %ld", (long)st.st_nlink, (long)st.st_size, (long)st.st_blksize);
	char link[64], want[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", s);
	ssize_t n = readlink(link, buf, 100);
	buf[n > 0 ? n : 0] = 0;
	snprintf(want, sizeof(want), "socket:[%lu]", (unsigned long)st.st_ino);
	P("fd link is socket:[ino]", "%d", strcmp(buf, want) == 0);
	T(lseek(s, 0, SEEK_CUR));
	T(pread(s, buf, 1, 0));
	T(ftruncate(s, 0));
	close(s);

	SECTION("not a socket");
	int p[2];
	MUST(pipe(p));
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, "x");
	T(bind(p[0], (struct sockaddr *)&a, len));
	T(connect(p[0], (struct sockaddr *)&a, len));
	T(listen(p[0], 1));
	T(accept(p[0], NULL, NULL));
	T(send(p[1], "x", 1, 0));
	T(recv(p[0], buf, 1, MSG_DONTWAIT));
	T(shutdown(p[0], SHUT_RD));
	T(getsockname(p[0], (struct sockaddr *)&a, &len));
	T(getsockopt(p[0], SOL_SOCKET, SO_TYPE, &type, &l));
	T(bind(-1, (struct sockaddr *)&a, len));
	T(connect(99, (struct sockaddr *)&a, len));
	T(send(99, "x", 1, 0));
	T(accept4(99, NULL, NULL, 0));
	T(accept4(p[0], NULL, NULL, 0x1234));
	close(p[0]);
	close(p[1]);
}

static void pair(void)
{
	int sv[2];
	SECTION("socketpair");
	T(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	P("fds", "%d %d", sv[0], sv[1]);
	T(write(sv[0], "hello", 5));
	T(send(sv[0], " world", 6, 0));
	T(read(sv[1], buf, 3));
	T(recv(sv[1], buf + 3, sizeof(buf) - 3, 0));
	P("data", "%.11s", buf);
	struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	T(writev(sv[1], iov, 3));
	char x[2], y[10];
	struct iovec rv[2] = { { x, 2 }, { y, sizeof(y) } };
	T(readv(sv[0], rv, 2));
	P("readv", "%.2s|%.3s", x, y);
	T(write(sv[0], buf, 0));
	T(read(sv[1], buf, 0));
	T(recv(sv[1], buf, 1, MSG_DONTWAIT));
	T(socketpair(AF_UNIX, SOCK_STREAM | 0x40, 0, sv));
	T(socketpair(AF_UNIX, SOCK_STREAM, 0, BAD));
	T(socketpair(AF_UNIX, 12, 0, sv));
	T(socketpair(AF_UNIX, SOCK_STREAM, 5, sv));
	T(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0, sv));
	P("fds", "%d %d", sv[0], sv[1]);
	T(fcntl(sv[1], F_GETFD));
	T(fcntl(sv[1], F_GETFL));
	T(recv(sv[1], buf, 1, 0));
	T(read(sv[1], buf, 1));
	close(sv[0]);
	close(sv[1]);
	close(3);
	close(4);
}

static void names(void)
{
	struct sockaddr_un a, b;
	socklen_t len, blen;
	int s, c, t, d;
	SECTION("bind");
	MUST(s = socket(AF_UNIX, SOCK_STREAM, 0));
	len = sizeof(a);
	T(getsockname(s, (struct sockaddr *)&a, &len));
	P("unbound name", "len %d family %d", len, a.sun_family);
	len = sizeof(a);
	T(getpeername(s, (struct sockaddr *)&a, &len));
	len = mkaddr(&a, "srv");
	T(bind(s, (struct sockaddr *)&a, len));
	struct stat st;
	T(stat("srv", &st));
	P("S_ISSOCK", "%d", S_ISSOCK(st.st_mode));
	P("perm", "%o", st.st_mode & 07777);
	T(open("srv", O_RDWR));
	T(open("srv", O_PATH) >= 0);
	T(bind(s, (struct sockaddr *)&a, len));
	blen = mkaddr(&b, "other");
	T(bind(s, (struct sockaddr *)&b, blen));
	T(access("other", F_OK));
	MUST(t = socket(AF_UNIX, SOCK_STREAM, 0));
	T(bind(t, (struct sockaddr *)&a, len));
	T(bind(t, (struct sockaddr *)&a, 1));
	T(bind(t, (struct sockaddr *)&a, 2));
	close(t);
	MUST(t = socket(AF_UNIX, SOCK_STREAM, 0));
	T(bind(t, (struct sockaddr *)&a, sizeof(a) + 1));
	T(bind(t, (struct sockaddr *)&a, -1));
	T(bind(t, BAD, len));
	a.sun_family = AF_INET;
	T(bind(t, (struct sockaddr *)&a, len));
	a.sun_family = AF_UNIX;
	blen = mkaddr(&b, "nodir/x");
	T(bind(t, (struct sockaddr *)&b, blen));
	blen = mkaddr(&b, ".");
	T(bind(t, (struct sockaddr *)&b, blen));
	put_file("plain", "x");
	blen = mkaddr(&b, "plain");
	T(bind(t, (struct sockaddr *)&b, blen));
	/* no NUL in the length: the name still ends where the path does */
	blen = mkaddr(&b, "t1");
	T(bind(t, (struct sockaddr *)&b, blen - 1));
	len = sizeof(b);
	T(getsockname(t, (struct sockaddr *)&b, &len));
	P("name", "len %d %s", len, b.sun_path);
	close(t);
	len = sizeof(a);
	T(getsockname(s, (struct sockaddr *)&a, &len));
	P("name", "len %d %s", len, a.sun_path);
	len = 4;
	memset(&b, 'z', sizeof(b));
	T(getsockname(s, (struct sockaddr *)&b, &len));
	P("short name", "len %d %.2s%c", len, b.sun_path, b.sun_path[2]);
	len = -1;
	T(getsockname(s, (struct sockaddr *)&b, &len));
	T(getsockname(s, (struct sockaddr *)&b, BAD));
	len = sizeof(b);
	T(getsockname(s, BAD, &len));

	SECTION("connect refused");
	c = connect_to("srv", 0);			/* bound, not listening */
	c = connect_to("nothere", 0);
	c = connect_to("plain", 0);
	MUST(d = socket(AF_UNIX, SOCK_DGRAM, 0));
	blen = mkaddr(&b, "dg");
	MUST(bind(d, (struct sockaddr *)&b, blen));
	c = connect_to("dg", 0);
	MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
	T(connect(c, (struct sockaddr *)&a, 1));
	T(connect(c, BAD, len));
	T(connect(c, (struct sockaddr *)&a, 200));
	close(c);
	close(d);

	SECTION("listen accept");
	T(listen(s, 5));
	int v;
	socklen_t vl = sizeof(v);
	T(getsockopt(s, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	P("SO_ACCEPTCONN", "%d", v);
	P("listener poll", "%#x", pmask(s));
	int fl;
	MUST(fl = fcntl(s, F_GETFL));
	MUST(fcntl(s, F_SETFL, fl | O_NONBLOCK));
	T(accept(s, NULL, NULL));
	c = connect_to("srv", 0);
	P("listener poll", "%#x", pmask(s));
	P("client poll", "%#x", pmask(c));
	T(write(c, "early", 5));
	len = sizeof(b);
	memset(&b, 0, sizeof(b));
	T(t = accept4(s, (struct sockaddr *)&b, &len, SOCK_CLOEXEC));
	P("peer of accept", "len %d", len);
	T(fcntl(t, F_GETFD));
	T(fcntl(t, F_GETFL));
	T(read(t, buf, sizeof(buf)));
	len = sizeof(b);
	T(getsockname(t, (struct sockaddr *)&b, &len));
	P("accepted name", "len %d %s", len, b.sun_path);
	len = sizeof(b);
	T(getpeername(c, (struct sockaddr *)&b, &len));
	P("client's peer", "len %d %s", len, b.sun_path);
	len = sizeof(b);
	T(getpeername(t, (struct sockaddr *)&b, &len));
	P("server's peer", "len %d", len);
	T(connect(c, (struct sockaddr *)&a, sizeof(a)));
	blen = mkaddr(&b, "nothere");
	T(connect(c, (struct sockaddr *)&b, blen));
	T(listen(c, 1));
	T(connect(s, (struct sockaddr *)&a, sizeof(a)));
	T(accept(c, NULL, NULL));
	T(listen(t, 1));
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, len));
	T(recv(s, buf, 1, 0));
	T(send(s, "x", 1, 0));
	close(t);
	close(c);
	MUST(c = socket(AF_UNIX, SOCK_STREAM, 0));
	T(listen(c, 1));
	T(send(c, "x", 1, 0));
	T(write(c, "x", 1));
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, len));
	T(recv(c, buf, 1, 0));
	T(read(c, buf, 1));
	P("unconnected poll", "%#x", pmask(c));
	T(shutdown(c, SHUT_RDWR));
	P("unconnected poll", "%#x", pmask(c));
	close(c);

	SECTION("accept address");
	c = connect_to("srv", 0);
	len = sizeof(b);
	T(accept(s, BAD, &len));
	T(accept(s, NULL, NULL));	/* that one was lost */
	close(c);
	c = connect_to("srv", 0);
	T(accept(s, (struct sockaddr *)&b, BAD));
	len = -1;
	c = connect_to("srv", 0);
	T(accept(s, (struct sockaddr *)&b, &len));
	close(c);
	close(s);
	close(4);
	close(5);
	c = connect_to("srv", 0);	/* the listener is gone */
	T(unlink("srv"));
}

static void backlog(void)
{
	SECTION("backlog");
	int s = listener("bl", 1), c[4];
	for (int i = 0; i < 4; i++) {
		c[i] = connect_to("bl", SOCK_NONBLOCK);
		P("connect", "%d: %s", i, c[i] >= 0 ? "ok" : "-");
	}
	int t;
	T(t = accept(s, NULL, NULL));
	close(t);
	int more = connect_to("bl", SOCK_NONBLOCK);
	P("after accept", "%s", more >= 0 ? "ok" : "-");
	/* The listener goes with connections never accepted. */
	T(write(c[1], "lost", 4));
	close(s);
	P("orphan poll", "%#x", pmask(c[1]));
	T(read(c[1], buf, 10));
	T(read(c[1], buf, 10));
	T(write(c[1], "x", 1));
	for (int i = 0; i < 4; i++)
		if (c[i] >= 0)
			close(c[i]);
	close(more);
	/* A blocking connect waits for room, then goes ahead. */
	s = listener("bl2", 0);
	int c1 = connect_to("bl2", 0);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		int a = accept(s, NULL, NULL);
		_exit(a < 0);
	}
	int c2 = connect_to("bl2", 0);
	P("blocking connect", "%s", c2 >= 0 ? "ok" : "-");
	int st;
	waitpid(pid, &st, 0);
	P("child", "%d", WEXITSTATUS(st));
	close(c1);
	close(c2);
	close(s);
}

static void shutdowns(void)
{
	int sv[2];
	SECTION("shutdown");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	P("pair poll", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(shutdown(sv[0], 3));
	T(shutdown(sv[0], -1));
	T(write(sv[0], "data", 4));
	T(shutdown(sv[0], SHUT_WR));
	P("after SHUT_WR", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(write(sv[0], "x", 1));
	P("sigpipes", "%d", sigpipes);
	P("SIGPIPE", "si_code %d from self %d", pipe_code, pipe_from_self);
	T(send(sv[0], "x", 1, MSG_NOSIGNAL));
	P("sigpipes", "%d", sigpipes);
	T(read(sv[1], buf, 10));
	T(read(sv[1], buf, 10));
	T(write(sv[1], "back", 4));
	T(read(sv[0], buf, 10));
	T(shutdown(sv[0], SHUT_RD));
	P("after SHUT_RD too", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(read(sv[0], buf, 10));
	T(write(sv[1], "x", 1));
	P("sigpipes", "%d", sigpipes);
	close(sv[0]);
	close(sv[1]);

	SECTION("peer closed");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	T(write(sv[0], "bye", 3));
	close(sv[0]);
	P("poll", "%#x", pmask(sv[1]));
	T(recv(sv[1], buf, 10, MSG_PEEK));
	T(read(sv[1], buf, 10));
	T(read(sv[1], buf, 10));
	T(write(sv[1], "x", 1));
	P("sigpipes", "%d", sigpipes);
	T(write(sv[1], "x", 0));
	P("sigpipes", "%d", sigpipes);
	T(send(sv[1], "x", 1, MSG_NOSIGNAL | MSG_DONTWAIT));
	int v;
	socklen_t vl = sizeof(v);
	T(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &v, &vl));
	P("SO_ERROR", "%d", v);
	close(sv[1]);

	SECTION("reset");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	T(write(sv[1], "unread", 6));
	T(write(sv[0], "mine", 4));
	close(sv[0]);		/* with "unread" still queued */
	P("poll", "%#x", pmask(sv[1]));
	T(read(sv[1], buf, 10));
	T(read(sv[1], buf, 10));
	T(read(sv[1], buf, 10));
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	T(write(sv[1], "unread", 6));
	close(sv[0]);
	vl = sizeof(v);
	T(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &v, &vl));
	P("SO_ERROR", "%s", ename(v));
	T(getsockopt(sv[1], SOL_SOCKET, SO_ERROR, &v, &vl));
	P("SO_ERROR", "%d", v);
	T(read(sv[1], buf, 10));
	close(sv[1]);
}

static void flags(void)
{
	int sv[2], n;
	SECTION("peek dontwait inq");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	T(recv(sv[1], buf, 10, MSG_DONTWAIT));
	T(recv(sv[1], buf, 10, MSG_DONTWAIT | MSG_PEEK));
	T(send(sv[0], "abc", 3, 0));
	T(send(sv[0], "def", 3, 0));
	T(ioctl(sv[1], FIONREAD, &n));
	P("FIONREAD", "%d", n);
	T(ioctl(sv[1], SIOCINQ, &n));
	P("SIOCINQ", "%d", n);
	T(recv(sv[1], buf, 4, MSG_PEEK));
	P("peeked", "%.4s", buf);
	T(recv(sv[1], buf, 10, MSG_PEEK));
	T(recv(sv[1], buf, 10, 0));
	P("read", "%.6s", buf);
	T(ioctl(sv[0], SIOCOUTQ, &n));
	P("SIOCOUTQ", "%d", n);
	T(ioctl(sv[1], FIONREAD, BAD));
	T(ioctl(sv[1], TIOCGWINSZ, buf));
	T(recv(sv[1], buf, 0, MSG_DONTWAIT));
	T(send(sv[0], "z", 1, 0));
	T(recv(sv[1], buf, 0, 0));
	T(recv(sv[1], buf, 10, MSG_OOB));
	T(recv(sv[1], buf, 10, 0));
	SECTION("efault");
	T(send(sv[0], BAD, 5, 0));
	T(send(sv[0], "12345", 5, 0));
	T(recv(sv[1], BAD, 5, 0));
	T(recv(sv[1], buf, 5, 0));
	P("still there", "%.5s", buf);
	T(recvfrom(sv[1], buf, 5, MSG_DONTWAIT, BAD, BAD));
	T(send(sv[0], (void *)-4096L, 1, 0));
	close(sv[0]);
	close(sv[1]);
}

static void opts(void)
{
	int s, sv[2], v;
	socklen_t l = sizeof(v);
	SECTION("options");
	MUST(s = socket(AF_UNIX, SOCK_STREAM, 0));
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	static const struct { int opt; const char *name; } ints[] = {
		{ SO_TYPE, "SO_TYPE" }, { SO_DOMAIN, "SO_DOMAIN" }, { SO_PROTOCOL, "SO_PROTOCOL" },
		{ SO_ERROR, "SO_ERROR" }, { SO_SNDBUF, "SO_SNDBUF" }, { SO_RCVBUF, "SO_RCVBUF" },
		{ SO_PASSCRED, "SO_PASSCRED" }, { SO_ACCEPTCONN, "SO_ACCEPTCONN" },
		{ SO_REUSEADDR, "SO_REUSEADDR" }, { SO_KEEPALIVE, "SO_KEEPALIVE" },
		{ SO_RCVLOWAT, "SO_RCVLOWAT" }, { SO_SNDLOWAT, "SO_SNDLOWAT" },
		{ SO_BROADCAST, "SO_BROADCAST" }, { SO_OOBINLINE, "SO_OOBINLINE" },
		{ SO_PRIORITY, "SO_PRIORITY" },
	};
	for (size_t i = 0; i < sizeof(ints) / sizeof(ints[0]); i++) {
		l = sizeof(v);
		v = -7;
		long r = getsockopt(s, SOL_SOCKET, ints[i].opt, &v, &l);
		printf("%s = %ld: %d (len %d)\n", ints[i].name, r, v, l);
	}
	v = 4096;
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	v = 1;
	T(setsockopt(s, SOL_SOCKET, SO_RCVBUF, &v, sizeof(v)));
	T(setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &v, sizeof(v)));
	T(setsockopt(s, SOL_SOCKET, SO_PASSCRED, &v, sizeof(v)));
	T(setsockopt(s, SOL_SOCKET, SO_KEEPALIVE, &v, sizeof(v)));
	for (int opt = SO_SNDBUF; opt <= SO_KEEPALIVE; opt++) {
		l = sizeof(v);
		T(getsockopt(s, SOL_SOCKET, opt, &v, &l));
		printf("  opt %d: %d\n", opt, v);
	}
	l = sizeof(v);
	T(getsockopt(s, SOL_SOCKET, SO_PASSCRED, &v, &l));
	P("SO_PASSCRED", "%d", v);
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, 2));
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, BAD, 4));
	T(setsockopt(s, SOL_SOCKET, SO_SNDBUF, &v, -1));
	T(setsockopt(s, SOL_SOCKET, SO_TYPE, &v, sizeof(v)));
	T(setsockopt(s, SOL_SOCKET, 9999, &v, sizeof(v)));
	T(setsockopt(s, IPPROTO_TCP, 1, &v, sizeof(v)));
	T(getsockopt(s, IPPROTO_TCP, 1, &v, &l));
	T(getsockopt(s, SOL_SOCKET, 9999, &v, &l));
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, BAD, &l));
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, BAD));
	l = -1;
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	l = 2;
	v = 0;
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	P("short", "len %d val %d", l, v);
	l = 100;
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &l));
	P("long", "len %d", l);

	struct linger lg = { 1, 7 };
	T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)));
	memset(&lg, 0, sizeof(lg));
	l = sizeof(lg);
	T(getsockopt(s, SOL_SOCKET, SO_LINGER, &lg, &l));
	P("linger", "%d %d len %d", lg.l_onoff, lg.l_linger, l);
	T(setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, 4));
	struct timeval tv = { 2, 500000 };
	T(setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	memset(&tv, 0, sizeof(tv));
	l = sizeof(tv);
	T(getsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, &l));
	P("rcvtimeo", "%ld %ld len %d", (long)tv.tv_sec, (long)tv.tv_usec, l);
	l = sizeof(tv);
	T(getsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, &l));
	P("sndtimeo", "%ld %ld", (long)tv.tv_sec, (long)tv.tv_usec);
	tv.tv_usec = 1000000;
	T(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	T(setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, 8));

	struct ucred cr;
	l = sizeof(cr);
	T(getsockopt(s, SOL_SOCKET, SO_PEERCRED, &cr, &l));
	P("unconnected peercred", "%d %d %d len %d", cr.pid, (int)cr.uid, (int)cr.gid, l);
	l = sizeof(cr);
	T(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cr, &l));
	P("pair peercred", "pid %d uid %d gid %d", cr.pid == getpid(), cr.uid == geteuid(),
	  cr.gid == getegid());
	struct sockaddr_un a;
	l = sizeof(a);
	T(getsockopt(sv[0], SOL_SOCKET, SO_PEERNAME, &a, &l));
	l = 2;
	T(getsockopt(sv[0], SOL_SOCKET, SO_PEERNAME, &a, &l));
	P("peername", "len %d family %d", l, a.sun_family);
	l = sizeof(a);
	T(getsockopt(s, SOL_SOCKET, SO_PEERNAME, &a, &l));
	unsigned long long c1 = 0, c2 = 0;
	l = sizeof(c1);
	T(getsockopt(sv[0], SOL_SOCKET, SO_COOKIE, &c1, &l));
	T(getsockopt(sv[1], SOL_SOCKET, SO_COOKIE, &c2, &l));
	P("cookies", "%d %d", c1 != 0, c1 != c2);
	close(s);
	close(sv[0]);
	close(sv[1]);
}

static void timeouts(void)
{
	int sv[2];
	SECTION("timeouts");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	struct timeval tv = { 0, 100000 };
	MUST(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	T(recv(sv[0], buf, 10, 0));
	T(read(sv[0], buf, 10));
	tv.tv_sec = -1;
	MUST(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	T(read(sv[0], buf, 10));
	/* A full send buffer with a send timeout: what went, then EAGAIN. */
	tv = (struct timeval){ 0, 100000 };
	MUST(setsockopt(sv[0], SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)));
	long r = write(sv[0], buf, sizeof(buf));
	P("partial write", "%d", r > 0 && r < (long)sizeof(buf));
	T(write(sv[0], buf, sizeof(buf)));
	close(sv[0]);
	close(sv[1]);
}

static void blocking(void)
{
	int sv[2], st;
	SECTION("blocking");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		write(sv[1], "wake", 4);
		usleep(50000);
		write(sv[1], "1234", 4);
		usleep(50000);
		write(sv[1], "5678", 4);
		/* then read a big write whole */
		long total = 0, n;
		while (total < (long)sizeof(buf) && (n = read(sv[1], buf, sizeof(buf))) > 0)
			total += n;
		_exit(total == (long)sizeof(buf) ? 0 : 1);
	}
	T(read(sv[0], buf, 100));
	T(recv(sv[0], buf, 8, MSG_WAITALL));
	P("waitall", "%.8s", buf);
	memset(buf, 'b', sizeof(buf));
	T(write(sv[0], buf, sizeof(buf)));
	waitpid(pid, &st, 0);
	P("child read it all", "%d", WEXITSTATUS(st) == 0);

	SECTION("signals");
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	T(read(sv[0], buf, 10));
	P("alarms", "%d", alarms);
	sa.sa_flags = SA_RESTART;
	sigaction(SIGALRM, &sa, NULL);
	pid = fork();
	if (pid == 0) {
		usleep(150000);
		write(sv[1], "late", 4);
		_exit(0);
	}
	setitimer(ITIMER_REAL, &it, NULL);
	T(read(sv[0], buf, 10));
	P("alarms", "%d", alarms);
	waitpid(pid, &st, 0);
	/* With a timeout a signal ends the wait even under SA_RESTART. */
	struct timeval tv = { 5, 0 };
	MUST(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	setitimer(ITIMER_REAL, &it, NULL);
	T(read(sv[0], buf, 10));
	P("alarms", "%d", alarms);
	/* A MSG_WAITALL read cut short by a signal: what it got. */
	pid = fork();
	if (pid == 0) {
		write(sv[1], "half", 4);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	setitimer(ITIMER_REAL, &it, NULL);
	T(recv(sv[0], buf, 8, MSG_WAITALL));
	P("alarms", "%d", alarms);
	/* A signal part way through a big write: the count so far. */
	setitimer(ITIMER_REAL, &it, NULL);
	long r = write(sv[0], buf, sizeof(buf));
	P("interrupted write", "%d", r > 0 && r < (long)sizeof(buf));
	P("alarms", "%d", alarms);
	close(sv[0]);
	close(sv[1]);
}

static void epolls(void)
{
	int sv[2], ep;
	struct epoll_event ev, out[4];
	SECTION("epoll");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	MUST(ep = epoll_create1(0));
	ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
	ev.data.fd = sv[1];
	T(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
	ev.events = EPOLLOUT;
	ev.data.fd = sv[0];
	T(epoll_ctl(ep, EPOLL_CTL_ADD, sv[0], &ev));
	int n = epoll_wait(ep, out, 4, 0);
	P("ready", "%d: fd %d %#x", n, out[0].data.fd, out[0].events);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, sv[0], NULL));
	T(write(sv[0], "abc", 3));
	n = epoll_wait(ep, out, 4, 0);
	for (int i = 0; i < n; i++)
		P("ready", "fd %d %#x", out[i].data.fd, out[i].events);
	T(read(sv[1], buf, 1));
	n = epoll_wait(ep, out, 4, 0);
	P("after a read (edge gone)", "%d", n);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		close(sv[0]);
		_exit(0);
	}
	close(sv[0]);
	n = epoll_wait(ep, out, 4, 2000);
	P("peer closed", "%d: fd %d %#x", n, out[0].data.fd, out[0].events);
	int st;
	waitpid(pid, &st, 0);
	close(sv[1]);
	close(ep);
}

int main(void)
{
	scratch();
	struct sigaction sa = { .sa_sigaction = on_sigpipe, .sa_flags = SA_SIGINFO };
	sigaction(SIGPIPE, &sa, NULL);
	create();
	pair();
	names();
	backlog();
	shutdowns();
	flags();
	opts();
	timeouts();
	blocking();
	epolls();
	return 0;
}
