/* unix_dgram: AF_UNIX datagram and seqpacket sockets. Message
 * boundaries, MSG_TRUNC, empty datagrams, readv/writev as one message,
 * sender addresses, autobind and abstract names, the receive queue
 * limit, connected sockets and EPERM, peers that go away, shutdown,
 * poll, sendmsg/recvmsg argument checks, and seqpacket connections. */
#include "abi.h"
#include "unix_common.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

static char buf[300000];
static void *volatile badp = BADP;
#define BAD ((void *)badp)
static volatile int sigpipes;

static void on_sigpipe(int s) { (void)s; sigpipes++; }

static int bound(int type, const char *path)
{
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, path);
	int s;
	MUST(s = socket(AF_UNIX, type, 0));
	MUST(bind(s, (struct sockaddr *)&a, len));
	return s;
}

/* recvmsg into buf; prints the result, msg_flags and the name length. */
static long rmsg(int fd, size_t len, int flags, struct sockaddr_un *from)
{
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	if (from) {
		m.msg_name = from;
		m.msg_namelen = sizeof(*from);
	}
	errno = 0;
	long r = recvmsg(fd, &m, flags);
	if (r < 0)
		printf("recvmsg = -1 %s\n", ename(errno));
	else
		printf("recvmsg = %ld flags %#x namelen %d\n", r, m.msg_flags, m.msg_namelen);
	return r;
}

static void pairs(void)
{
	int sv[2];
	SECTION("dgram pair");
	T(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	P("poll", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(send(sv[0], "one", 3, 0));
	T(send(sv[0], "two!", 4, 0));
	T(send(sv[0], "", 0, 0));
	T(write(sv[0], buf, 0));
	int n;
	T(ioctl(sv[1], FIONREAD, &n));
	P("FIONREAD", "%d", n);
	P("poll", "%#x", pmask(sv[1]));
	T(recv(sv[1], buf, 100, MSG_PEEK));
	T(recv(sv[1], buf, 100, 0));
	rmsg(sv[1], 2, 0, NULL);
	P("cut", "%.2s", buf);
	T(recv(sv[1], buf, 100, 0));
	T(read(sv[1], buf, 100));
	T(recv(sv[1], buf, 100, MSG_DONTWAIT));
	T(send(sv[0], "abcdef", 6, 0));
	T(recv(sv[1], buf, 2, MSG_TRUNC));
	T(send(sv[0], "abcdef", 6, 0));
	T(recv(sv[1], buf, 0, 0));
	struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
	T(writev(sv[0], iov, 3));
	char x[2], y[10];
	struct iovec rv[2] = { { x, 2 }, { y, sizeof(y) } };
	T(readv(sv[1], rv, 2));
	P("readv", "%.2s|%.3s", x, y);
	T(send(sv[0], BAD, 3, 0));
	T(recv(sv[1], buf, 3, MSG_DONTWAIT));
	T(send(sv[0], "lost", 4, 0));
	T(recv(sv[1], BAD, 4, 0));
	T(recv(sv[1], buf, 4, MSG_DONTWAIT));
	struct sockaddr_un a;
	socklen_t len = sizeof(a);
	T(getpeername(sv[0], (struct sockaddr *)&a, &len));
	P("peer", "len %d", len);

	SECTION("sizes");
	int v;
	socklen_t l = sizeof(v);
	T(getsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, &l));
	T(send(sv[0], buf, v - 31, MSG_DONTWAIT));
	T(send(sv[0], buf, v - 32, MSG_DONTWAIT));
	T(recv(sv[1], buf, sizeof(buf), 0));
	v = 4096;
	T(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof(v)));
	T(send(sv[0], buf, 8161, 0));
	T(send(sv[0], buf, 8160, 0));
	T(recv(sv[1], buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT));

	SECTION("peer closed");
	T(send(sv[1], "to closed", 9, 0));
	close(sv[0]);
	P("poll", "%#x", pmask(sv[1]));
	T(recv(sv[1], buf, 10, MSG_DONTWAIT));
	T(send(sv[1], "x", 1, 0));
	T(send(sv[1], "x", 1, 0));
	len = sizeof(a);
	T(getpeername(sv[1], (struct sockaddr *)&a, &len));
	P("sigpipes", "%d", sigpipes);
	close(sv[1]);
}

static void names(void)
{
	struct sockaddr_un a, from;
	socklen_t len;
	SECTION("addresses");
	int s = bound(SOCK_DGRAM, "d1"), u, c;
	MUST(u = socket(AF_UNIX, SOCK_DGRAM, 0));
	len = mkaddr(&a, "d1");
	T(sendto(u, "anon", 4, 0, (struct sockaddr *)&a, len));
	memset(&from, 0x55, sizeof(from));
	len = sizeof(from);
	T(recvfrom(s, buf, 10, 0, (struct sockaddr *)&from, &len));
	P("from unbound", "len %d", len);
	c = bound(SOCK_DGRAM, "d2");
	len = mkaddr(&a, "d1");
	T(sendto(c, "named", 5, 0, (struct sockaddr *)&a, len));
	len = sizeof(from);
	T(recvfrom(s, buf, 10, 0, (struct sockaddr *)&from, &len));
	P("from", "len %d %s", len, from.sun_path);
	T(sendto(c, "named", 5, 0, (struct sockaddr *)&a, len));
	len = 3;
	T(recvfrom(s, buf, 10, 0, (struct sockaddr *)&from, &len));
	P("short from", "len %d", len);
	T(sendto(c, "named", 5, 0, (struct sockaddr *)&a, len));
	rmsg(s, 10, 0, &from);
	P("recvmsg from", "%s", from.sun_path);
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, 129));
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, 1));
	T(sendto(c, "x", 1, 0, BAD, 10));
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, 0));
	T(send(c, "x", 1, 0));
	len = mkaddr(&a, "nobody");
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, len));
	put_file("file", "x");
	len = mkaddr(&a, "file");
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, len));
	int st = bound(SOCK_STREAM, "st");
	len = mkaddr(&a, "st");
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, len));
	close(st);
	T(sendto(c, "x", 1, 0, (struct sockaddr *)&a, len));
	close(u);

	SECTION("autobind");
	MUST(u = socket(AF_UNIX, SOCK_DGRAM, 0));
	len = offsetof(struct sockaddr_un, sun_path);
	a.sun_family = AF_UNIX;
	T(bind(u, (struct sockaddr *)&a, len));
	len = sizeof(from);
	T(getsockname(u, (struct sockaddr *)&from, &len));
	P("autobound", "len %d first byte %d", len, from.sun_path[0]);
	T(bind(u, (struct sockaddr *)&a, offsetof(struct sockaddr_un, sun_path)));
	len = mkaddr(&a, "later");
	T(bind(u, (struct sockaddr *)&a, len));
	/* the autobind name works as an address */
	T(sendto(c, "to auto", 7, 0, (struct sockaddr *)&from, 8));
	T(recv(u, buf, 10, 0));
	close(u);

	SECTION("abstract");
	int ab;
	MUST(ab = socket(AF_UNIX, SOCK_DGRAM, 0));
	memset(&a, 0, sizeof(a));
	a.sun_family = AF_UNIX;
	memcpy(a.sun_path, "\0persona-abs", 12);
	socklen_t alen = offsetof(struct sockaddr_un, sun_path) + 12;
	T(bind(ab, (struct sockaddr *)&a, alen));
	len = sizeof(from);
	T(getsockname(ab, (struct sockaddr *)&from, &len));
	P("abstract name", "len %d %.11s", len, from.sun_path + 1);
	MUST(u = socket(AF_UNIX, SOCK_DGRAM, 0));
	T(bind(u, (struct sockaddr *)&a, alen));
	T(bind(u, (struct sockaddr *)&a, alen - 1));
	T(sendto(c, "abs", 3, 0, (struct sockaddr *)&a, alen));
	T(sendto(c, "abs", 3, 0, (struct sockaddr *)&a, alen + 1));
	len = sizeof(from);
	T(recvfrom(ab, buf, 10, 0, (struct sockaddr *)&from, &len));
	close(ab);
	T(sendto(c, "abs", 3, 0, (struct sockaddr *)&a, alen));
	MUST(ab = socket(AF_UNIX, SOCK_DGRAM, 0));
	T(bind(ab, (struct sockaddr *)&a, alen));	/* free again */
	close(ab);
	close(u);
	close(s);
	close(c);
}

static void queue_limit(void)
{
	SECTION("queue limit");
	int s = bound(SOCK_DGRAM, "q"), c, n = 0;
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, "q");
	MUST(c = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
	while (sendto(c, "m", 1, 0, (struct sockaddr *)&a, len) == 1)
		n++;
	P("queued", "%d then %s", n, ename(errno));
	MUST(connect(c, (struct sockaddr *)&a, len));
	P("connected poll", "%#x", pmask(c));
	T(send(c, "m", 1, 0));
	T(recv(s, buf, 10, 0));
	P("connected poll", "%#x", pmask(c));
	T(send(c, "m", 1, 0));
	/* A blocking sender waits for the reader. */
	int fl = fcntl(c, F_GETFL);
	MUST(fcntl(c, F_SETFL, fl & ~O_NONBLOCK));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(100000);
		recv(s, buf, 10, 0);
		_exit(0);
	}
	T(send(c, "blocked", 7, 0));
	int st;
	waitpid(pid, &st, 0);
	T(send(c, "m", 1, MSG_DONTWAIT));
	close(c);
	close(s);
}

static void connected(void)
{
	SECTION("connect");
	int a = bound(SOCK_DGRAM, "ca"), b = bound(SOCK_DGRAM, "cb"), c = bound(SOCK_DGRAM, "cc");
	struct sockaddr_un sa, sb, sc;
	socklen_t la = mkaddr(&sa, "ca"), lb = mkaddr(&sb, "cb"), lc = mkaddr(&sc, "cc");
	T(connect(b, (struct sockaddr *)&sa, la));
	P("poll", "%#x", pmask(b));
	T(send(b, "b->a", 4, 0));
	T(sendto(c, "c->b", 4, 0, (struct sockaddr *)&sb, lb));
	T(sendto(a, "a->b", 4, 0, (struct sockaddr *)&sb, lb));
	T(sendto(b, "b->c", 4, 0, (struct sockaddr *)&sc, lc));
	T(recv(c, buf, 10, 0));
	P("got", "%.4s", buf);
	T(connect(c, (struct sockaddr *)&sb, lb));
	T(connect(b, (struct sockaddr *)&sa, 1));
	struct sockaddr un = { .sa_family = AF_UNSPEC };
	T(recv(b, buf, 10, MSG_DONTWAIT));
	T(connect(b, &un, sizeof(un)));
	T(send(b, "x", 1, 0));
	T(connect(b, &un, sizeof(un)));
	T(recv(a, buf, 10, MSG_DONTWAIT));

	SECTION("reconnect drops");
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	T(send(sv[0], "pending", 7, 0));
	T(connect(sv[1], (struct sockaddr *)&sa, la));
	P("poll", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(recv(sv[0], buf, 10, MSG_DONTWAIT));
	T(recv(sv[0], buf, 10, MSG_DONTWAIT));
	T(recv(sv[1], buf, 10, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);

	SECTION("dgram shutdown");
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	T(shutdown(sv[1], SHUT_RD));
	P("poll", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(recv(sv[1], buf, 10, MSG_DONTWAIT));
	T(recv(sv[1], buf, 10, 0));
	T(send(sv[0], "x", 1, 0));
	T(shutdown(sv[0], SHUT_WR));
	T(send(sv[0], "x", 1, MSG_DONTWAIT));
	T(send(sv[1], "y", 1, 0));
	T(recv(sv[0], buf, 10, 0));
	P("poll", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	P("sigpipes", "%d", sigpipes);
	close(sv[0]);
	close(sv[1]);
	close(a);
	close(b);
	close(c);
}

static void msgs(void)
{
	int sv[2];
	SECTION("msghdr checks");
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	struct iovec v = { "x", 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	T(sendmsg(sv[0], &m, 0));
	T(sendmsg(sv[0], BAD, 0));
	T(sendmsg(sv[0], &m, MSG_CMSG_CLOEXEC | 0x80000000));
	m.msg_iovlen = 1025;
	T(sendmsg(sv[0], &m, 0));
	m.msg_iovlen = 1;
	m.msg_iov = BAD;
	T(sendmsg(sv[0], &m, 0));
	struct iovec neg = { "x", (size_t)-1 };
	m.msg_iov = &neg;
	T(sendmsg(sv[0], &m, 0));
	struct iovec far = { (void *)0x800000000000UL, 1 };
	m.msg_iov = &far;
	T(sendmsg(sv[0], &m, 0));
	m.msg_iov = &v;
	m.msg_name = BAD;
	m.msg_namelen = 10;
	T(sendmsg(sv[0], &m, 0));
	m.msg_namelen = -1;
	T(sendmsg(sv[0], &m, 0));
	m.msg_name = NULL;
	m.msg_namelen = 99;
	T(sendmsg(sv[0], &m, 0));
	m.msg_iovlen = 0;
	T(sendmsg(sv[0], &m, 0));
	T(recvmsg(sv[1], BAD, 0));
	T(recvmsg(sv[1], &m, 0x80000000));
	rmsg(sv[1], 10, 0, NULL);
	rmsg(sv[1], 10, 0, NULL);
	rmsg(sv[1], 10, 0, NULL);
	rmsg(sv[1], 10, MSG_DONTWAIT, NULL);
	T(send(sv[0], "flags", 5, 0));
	rmsg(sv[1], 10, MSG_CMSG_CLOEXEC, NULL);
	T(send(sv[0], "truncated", 9, 0));
	rmsg(sv[1], 3, MSG_TRUNC, NULL);
	close(sv[0]);
	close(sv[1]);
}

static void seqpacket(void)
{
	int sv[2], st;
	SECTION("seqpacket pair");
	T(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	P("poll", "%#x", pmask(sv[0]));
	T(send(sv[0], "rec1", 4, 0));
	T(send(sv[0], "record2", 7, 0));
	int n;
	T(ioctl(sv[1], FIONREAD, &n));
	P("FIONREAD", "%d", n);
	rmsg(sv[1], 2, 0, NULL);
	rmsg(sv[1], 100, 0, NULL);
	T(send(sv[0], "last", 4, 0));
	T(shutdown(sv[0], SHUT_WR));
	T(send(sv[0], "x", 1, 0));
	P("sigpipes", "%d", sigpipes);
	P("poll", "%#x %#x", pmask(sv[0]), pmask(sv[1]));
	T(recv(sv[1], buf, 10, 0));
	T(recv(sv[1], buf, 10, 0));
	T(recv(sv[1], buf, 10, MSG_DONTWAIT));
	close(sv[0]);
	close(sv[1]);
	MUST(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
	T(send(sv[1], "unread", 6, 0));
	T(send(sv[0], "mine", 4, 0));
	close(sv[0]);
	P("poll", "%#x", pmask(sv[1]));
	T(recv(sv[1], buf, 10, 0));
	T(recv(sv[1], buf, 10, 0));
	T(recv(sv[1], buf, 10, 0));
	T(send(sv[1], "x", 1, 0));
	P("sigpipes", "%d", sigpipes);
	close(sv[1]);

	SECTION("seqpacket connect");
	int s = bound(SOCK_SEQPACKET, "sp"), c, t;
	struct sockaddr_un a;
	socklen_t len = mkaddr(&a, "sp");
	MUST(c = socket(AF_UNIX, SOCK_SEQPACKET, 0));
	T(send(c, "x", 1, 0));
	T(recv(c, buf, 1, MSG_DONTWAIT));
	P("unconnected poll", "%#x", pmask(c));
	T(connect(c, (struct sockaddr *)&a, len));
	T(listen(s, 2));
	P("listener poll", "%#x", pmask(s));
	T(connect(c, (struct sockaddr *)&a, len));
	P("listener poll", "%#x", pmask(s));
	T(send(c, "hello", 5, 0));
	T(send(c, "there", 5, 0));
	T(t = accept(s, NULL, NULL));
	T(recv(t, buf, 100, 0));
	T(recv(t, buf, 100, 0));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		send(t, "late", 4, 0);
		_exit(0);
	}
	T(recv(c, buf, 100, 0));
	waitpid(pid, &st, 0);
	close(t);
	close(c);
	close(s);

	SECTION("dgram cannot");
	int d;
	MUST(d = socket(AF_UNIX, SOCK_DGRAM, 0));
	T(listen(d, 1));
	T(accept(d, NULL, NULL));
	T(shutdown(d, SHUT_RDWR));
	P("poll", "%#x", pmask(d));
	close(d);
}

/* sendmmsg and recvmmsg: batches, counts written back, MSG_WAITFORONE,
 * the timeout (checked after each message), argument errors. */
static void mmsg(void)
{
	SECTION("sendmmsg, recvmmsg");
	int sv[2];
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	char *texts[] = { "one", "two!", "three" };
	struct iovec siov[3];
	struct mmsghdr out[3];
	memset(out, 0, sizeof(out));
	for (int i = 0; i < 3; i++) {
		siov[i] = (struct iovec){ texts[i], strlen(texts[i]) };
		out[i].msg_hdr.msg_iov = &siov[i];
		out[i].msg_hdr.msg_iovlen = 1;
	}
	T(sendmmsg(sv[0], out, 3, 0));
	P("msg_len", "%u %u %u", out[0].msg_len, out[1].msg_len, out[2].msg_len);
	char bufs[5][16];
	struct iovec riov[5];
	struct mmsghdr in[5];
	memset(in, 0, sizeof(in));
	memset(bufs, 0, sizeof(bufs));
	for (int i = 0; i < 5; i++) {
		riov[i] = (struct iovec){ bufs[i], sizeof(bufs[i]) };
		in[i].msg_hdr.msg_iov = &riov[i];
		in[i].msg_hdr.msg_iovlen = 1;
	}
	T(recvmmsg(sv[1], in, 5, MSG_DONTWAIT, NULL));
	P("received", "%u:%s %u:%s %u:%s", in[0].msg_len, bufs[0], in[1].msg_len, bufs[1],
	  in[2].msg_len, bufs[2]);
	T(recvmmsg(sv[1], in, 5, MSG_DONTWAIT, NULL));
	T(sendmmsg(sv[0], out, 2, 0));
	T(recvmmsg(sv[1], in, 5, MSG_WAITFORONE, NULL));
	T(sendmmsg(sv[0], out, 0, 0));
	T(sendmmsg(sv[0], out, 3, 0x80000000));
	T(recvmmsg(sv[1], in, 5, 0x80000000, NULL));
	T(sendmmsg(sv[0], badp, 3, 0));
	out[1].msg_hdr.msg_iov = badp;	/* the second fails: one went */
	T(sendmmsg(sv[0], out, 3, 0));
	out[1].msg_hdr.msg_iov = &siov[1];
	T(recvmmsg(sv[1], in, 5, MSG_DONTWAIT, NULL));
	struct timespec bad = { 0, 1000000000 }, one = { 1, 0 };
	T(recvmmsg(sv[1], in, 5, MSG_DONTWAIT, &bad));
	T(recvmmsg(sv[1], in, 5, MSG_DONTWAIT, badp));
	T(sendmmsg(sv[0], out, 2, 0));
	T(recvmmsg(sv[1], in, 2, 0, &one));
	P("time left", "%d", one.tv_sec == 0 || (one.tv_sec == 1 && one.tv_nsec == 0) ? 1 : 0);
	T(recvmmsg(sv[1], badp, 2, MSG_DONTWAIT, NULL));
	T(sendmmsg(99, out, 2, 0));
	/* one is there, the other comes later: the call waits for it */
	T(sendmmsg(sv[0], out, 1, 0));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		usleep(100000);
		sendmmsg(sv[0], &out[2], 1, 0);
		_exit(0);
	}
	memset(bufs, 0, sizeof(bufs));
	T(recvmmsg(sv[1], in, 2, 0, NULL));
	P("received", "%s %s", bufs[0], bufs[1]);
	MUST(waitpid(c, NULL, 0));
	MUST(close(sv[0]));
	MUST(close(sv[1]));
}

int main(void)
{
	scratch();
	signal(SIGPIPE, on_sigpipe);
	pairs();
	names();
	queue_limit();
	connected();
	msgs();
	seqpacket();
	mmsg();
	return 0;
}
