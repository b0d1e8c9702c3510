/* unix_scm: ancillary data on AF_UNIX sockets (man 7 unix, man 3 cmsg).
 * SCM_RIGHTS: files arrive as the lowest free fds, MSG_CMSG_CLOEXEC,
 * MSG_CTRUNC when the buffer is short (the rest are closed), files
 * dropped by read() and recvmsg without a buffer, stream reads stopping
 * at a message that carries files, MSG_PEEK, files in flight keeping a
 * pipe open, passing across a fork and passing a socket. SCM_CREDENTIALS
 * with SO_PASSCRED. Malformed control data. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <sys/wait.h>

static char buf[4096];
static void *volatile badp = BADP;
#define BAD ((void *)badp)

/* Sends `len` bytes of data with `n` fds (n may be 0). */
static long send_fds(int s, const char *data, size_t len, const int *fds, int n)
{
	union { char b[CMSG_SPACE(sizeof(int) * 300)]; struct cmsghdr align; } u;
	struct iovec v = { (void *)data, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1 };
	if (n) {
		m.msg_control = u.b;
		m.msg_controllen = CMSG_SPACE(sizeof(int) * n);
		struct cmsghdr *c = CMSG_FIRSTHDR(&m);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * n);
		memcpy(CMSG_DATA(c), fds, sizeof(int) * n);
	}
	errno = 0;
	long r = sendmsg(s, &m, 0);
	if (r < 0)
		printf("sendmsg = -1 %s\n", ename(errno));
	else
		printf("sendmsg = %ld\n", r);
	return r;
}

/* Receives with `room` bytes of control buffer; prints what came. */
static long recv_fds(int s, size_t len, size_t room, int flags, int *got)
{
	union { char b[4096]; struct cmsghdr align; } u;
	memset(u.b, 0, sizeof(u.b));
	struct iovec v = { buf, len };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1,
			    .msg_control = room ? u.b : NULL, .msg_controllen = room };
	errno = 0;
	long r = recvmsg(s, &m, flags);
	if (r < 0) {
		printf("recvmsg = -1 %s\n", ename(errno));
		return r;
	}
	printf("recvmsg = %ld flags %#x controllen %zu\n", r, m.msg_flags, (size_t)m.msg_controllen);
	int k = 0;
	for (struct cmsghdr *c = room ? CMSG_FIRSTHDR(&m) : NULL; c; c = CMSG_NXTHDR(&m, c)) {
		printf("  cmsg level %d type %d len %zu\n", c->cmsg_level, c->cmsg_type, (size_t)c->cmsg_len);
		if (c->cmsg_type == SCM_RIGHTS) {
			int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (int i = 0; i < n; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(fd));
				printf("    fd %d cloexec %d\n", fd, fcntl(fd, F_GETFD));
				if (got)
					got[k++] = fd;
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			printf("    creds pid %s uid %d gid %d\n",
			       cr.pid == getpid() ? "self" : cr.pid == 0 ? "0" : "other",
			       cr.uid == getuid() ? -2 : (int)cr.uid, cr.gid == getgid() ? -2 : (int)cr.gid);
		}
	}
	return r;
}

static int hup(int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	poll(&p, 1, 0);
	return p.revents;
}

static void rights(void)
{
	int sv[2], p[2], got[8];
	SECTION("SCM_RIGHTS");
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	MUST(pipe(p));
	put_file("f", "file contents");
	int f;
	MUST(f = open("f", O_RDONLY));
	int two[2] = { p[1], f };
	send_fds(sv[0], "fds", 3, two, 2);
	recv_fds(sv[1], 10, 200, 0, got);
	T(write(got[0], "through", 7));
	T(read(p[0], buf, 10));
	T(read(got[1], buf, 20));
	P("file", "%.13s", buf);
	T(lseek(f, 0, SEEK_CUR));		/* the same open file */
	close(got[0]);
	close(got[1]);

	send_fds(sv[0], "x", 1, two, 2);
	recv_fds(sv[1], 10, 200, MSG_CMSG_CLOEXEC, got);
	close(got[0]);
	close(got[1]);

	SECTION("short control buffer");
	int q[3][2], w[3];
	for (int i = 0; i < 3; i++) {
		MUST(pipe(q[i]));
		w[i] = q[i][1];
	}
	send_fds(sv[0], "three", 5, w, 3);
	for (int i = 0; i < 3; i++)
		close(w[i]);
	recv_fds(sv[1], 10, CMSG_SPACE(sizeof(int)), 0, got);
	P("pipes hung up", "%#x %#x %#x", hup(q[0][0]), hup(q[1][0]), hup(q[2][0]));
	close(got[0]);
	P("pipe 0 now", "%#x", hup(q[0][0]));
	for (int i = 0; i < 3; i++)
		close(q[i][0]);
	send_fds(sv[0], "x", 1, two, 1);
	recv_fds(sv[1], 10, sizeof(struct cmsghdr), 0, got);
	send_fds(sv[0], "x", 1, two, 1);
	recv_fds(sv[1], 10, CMSG_LEN(sizeof(int)) - 1, 0, got);
	send_fds(sv[0], "x", 1, two, 2);
	recv_fds(sv[1], 10, CMSG_LEN(sizeof(int)), 0, got);
	close(got[0]);
	send_fds(sv[0], "x", 1, two, 1);
	recv_fds(sv[1], 10, 0, 0, got);
	send_fds(sv[0], "x", 1, two, 1);
	T(read(sv[1], buf, 10));
	send_fds(sv[0], "x", 1, two, 1);
	T(recv(sv[1], buf, 10, 0));
	send_fds(sv[0], "x", 1, two, 1);
	recv_fds(sv[1], 0, 200, 0, got);
	close(got[0]);

	SECTION("peek");
	send_fds(sv[0], "peek", 4, two, 1);
	recv_fds(sv[1], 10, 200, MSG_PEEK, got);
	close(got[0]);
	recv_fds(sv[1], 10, 200, 0, got);
	close(got[0]);

	SECTION("in flight");
	send_fds(sv[0], "held", 4, &p[1], 1);
	close(p[1]);
	P("pipe while in flight", "%#x", hup(p[0]));
	close(sv[1]);			/* the queue goes, and the file with it */
	P("pipe after", "%#x", hup(p[0]));
	close(p[0]);
	close(sv[0]);
	close(f);
}

static void stream(void)
{
	int sv[2], got[4], p[2];
	SECTION("stream boundaries");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	MUST(pipe(p));
	T(write(sv[0], "plain", 5));
	send_fds(sv[0], "withfd", 6, &p[0], 1);
	T(write(sv[0], "after", 5));
	recv_fds(sv[1], 100, 200, 0, got);
	P("data", "%.11s", buf);
	close(got[0]);
	recv_fds(sv[1], 100, 200, 0, got);
	send_fds(sv[0], "abcdef", 6, &p[0], 1);
	recv_fds(sv[1], 2, 200, 0, got);
	close(got[0]);
	recv_fds(sv[1], 100, 200, 0, got);
	send_fds(sv[0], "", 0, &p[0], 1);
	T(recv(sv[1], buf, 10, MSG_DONTWAIT));

	SECTION("passing a socket");
	int inner[2];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, inner));
	send_fds(sv[0], "sock", 4, &inner[1], 1);
	close(inner[1]);
	recv_fds(sv[1], 10, 200, 0, got);
	T(write(got[0], "via passed socket", 17));
	T(read(inner[0], buf, 100));
	close(got[0]);
	close(inner[0]);

	SECTION("across fork");
	pid_t pid = fork();
	if (pid == 0) {
		put_file("child", "from the child");
		int fd = open("child", O_RDONLY);
		send_fds(sv[0], "c", 1, &fd, 1);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	recv_fds(sv[1], 10, 200, 0, got);
	T(read(got[0], buf, 100));
	P("content", "%.14s", buf);
	close(got[0]);
	close(p[0]);
	close(p[1]);
	close(sv[0]);
	close(sv[1]);
}

static long send_ctl(int s, void *ctl, size_t len)
{
	struct iovec v = { "c", 1 };
	struct msghdr m = { .msg_iov = &v, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = len };
	return sendmsg(s, &m, 0);
}

static void bad_control(void)
{
	int sv[2];
	SECTION("bad control data");
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	union { char b[CMSG_SPACE(sizeof(int) * 300)]; struct cmsghdr align; } u;
	struct cmsghdr *c = &u.align;
	memset(u.b, 0, sizeof(u.b));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = 8;
	T(send_ctl(sv[0], u.b, CMSG_SPACE(4)));
	c->cmsg_len = CMSG_LEN(8);
	T(send_ctl(sv[0], u.b, CMSG_LEN(4)));
	int fds[300];
	for (int i = 0; i < 300; i++)
		fds[i] = 0;
	memcpy(CMSG_DATA(c), fds, sizeof(fds));
	c->cmsg_len = CMSG_LEN(sizeof(int) * 254);
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(int) * 254)));
	c->cmsg_len = CMSG_LEN(sizeof(int) * 253);
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(int) * 253)));
	T(recv(sv[1], buf, 10, 0));	/* the 253 fds are dropped */
	fds[0] = 77;
	memcpy(CMSG_DATA(c), fds, sizeof(int));
	c->cmsg_len = CMSG_LEN(sizeof(int));
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(int))));
	fds[0] = -1;
	memcpy(CMSG_DATA(c), fds, sizeof(int));
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(int))));
	c->cmsg_type = 99;
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(int))));
	c->cmsg_level = 99;		/* other levels are skipped */
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(int))));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(0);
	T(send_ctl(sv[0], u.b, CMSG_SPACE(0)));
	T(send_ctl(sv[0], u.b, 8));
	T(send_ctl(sv[0], BAD, 16));
	T(send_ctl(sv[0], BAD, 1 << 20));
	T(send_ctl(sv[0], NULL, 0));
	c->cmsg_type = SCM_CREDENTIALS;
	c->cmsg_len = CMSG_LEN(4);
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(struct ucred))));
	struct ucred cr = { getpid(), getuid(), getgid() };
	c->cmsg_len = CMSG_LEN(sizeof(cr));
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(cr))));
	cr.uid = -1;
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(cr))));
	cr.uid = getuid();
	cr.pid = 999999;
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	T(send_ctl(sv[0], u.b, CMSG_SPACE(sizeof(cr))));
	int n = 0;
	while (recv(sv[1], buf, 10, MSG_DONTWAIT) >= 0)
		n++;
	P("delivered", "%d", n);
	close(sv[0]);
	close(sv[1]);
}

static void creds(void)
{
	int sv[2], on = 1;
	SECTION("SCM_CREDENTIALS");
	MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
	T(send(sv[0], "before", 6, 0));
	T(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	recv_fds(sv[1], 10, 200, 0, NULL);
	T(send(sv[0], "after", 5, 0));
	recv_fds(sv[1], 10, 200, 0, NULL);
	T(send(sv[0], "short", 5, 0));
	recv_fds(sv[1], 10, CMSG_LEN(4), 0, NULL);
	T(send(sv[0], "none", 4, 0));
	recv_fds(sv[1], 10, 0, 0, NULL);
	pid_t pid = fork();
	if (pid == 0) {
		send(sv[0], "child", 5, 0);
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	recv_fds(sv[1], 10, 200, 0, NULL);
	int p[2];
	MUST(pipe(p));
	send_fds(sv[0], "both", 4, p, 1);
	recv_fds(sv[1], 10, 200, 0, NULL);
	close(sv[0]);
	close(sv[1]);

	SECTION("passcred stream");
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
	T(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	T(write(sv[0], "one", 3));
	T(write(sv[0], "two", 3));
	pid = fork();
	if (pid == 0) {
		write(sv[0], "kid", 3);
		_exit(0);
	}
	waitpid(pid, &st, 0);
	T(write(sv[0], "me", 2));
	recv_fds(sv[1], 100, 200, 0, NULL);	/* one writer at a time */
	recv_fds(sv[1], 100, 200, 0, NULL);
	recv_fds(sv[1], 100, 200, 0, NULL);
	close(sv[0]);
	close(sv[1]);

	SECTION("passcred autobind");
	int d, r;
	MUST(d = socket(AF_UNIX, SOCK_DGRAM, 0));
	MUST(r = socket(AF_UNIX, SOCK_DGRAM, 0));
	struct sockaddr_un a = { .sun_family = AF_UNIX, .sun_path = "rcv" };
	MUST(bind(r, (struct sockaddr *)&a, sizeof(a)));
	T(setsockopt(d, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)));
	T(sendto(d, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_un n;
	socklen_t len = sizeof(n);
	T(getsockname(d, (struct sockaddr *)&n, &len));
	P("autobound", "len %d", len);
	len = sizeof(n);
	T(recvfrom(r, buf, 10, 0, (struct sockaddr *)&n, &len));
	P("from", "len %d", len);
	close(d);
	close(r);
}

int main(void)
{
	scratch();
	rights();
	stream();
	bad_control();
	creds();
	return 0;
}
