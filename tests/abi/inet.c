/* inet: AF_INET and AF_INET6 sockets on the loopback: TCP listen,
 * connect, accept, data both ways, shutdown and EOF, a refused connect, a
 * non-blocking connect finished through poll and SO_ERROR, UDP datagrams
 * with their senders, MSG_PEEK and MSG_TRUNC, SO_RCVTIMEO, options at
 * other levels, and bad arguments. Ports are the host's choice, so only
 * facts about them are printed. */
#include "abi.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

static int port_of(int fd)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	return getsockname(fd, (struct sockaddr *)&a, &len) ? -1 : ntohs(a.sin_port);
}

/* A listening TCP socket on 127.0.0.1 and a free port of the host's. */
static int tcp_listener(int *port)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(0);
	MUST(bind(s, (struct sockaddr *)&a, sizeof(a)));
	MUST(listen(s, 8));
	*port = port_of(s);
	return s;
}

static void tcp(void)
{
	SECTION("tcp");
	int port, l = tcp_listener(&port);
	P("listening port assigned", "%d", port > 0);
	int one = 1, v = 0;
	socklen_t vl = sizeof(v);
	T(getsockopt(l, SOL_SOCKET, SO_ACCEPTCONN, &v, &vl));
	P("SO_ACCEPTCONN", "%d", v);
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		struct sockaddr_in a = loopback(port);
		if (connect(s, (struct sockaddr *)&a, sizeof(a)))
			_exit(1);
		char buf[16];
		ssize_t n = read(s, buf, sizeof(buf));
		static char big[1 << 20];
		memset(big, 'b', sizeof(big));
		/* bigger than the socket buffers: the write waits part way */
		ssize_t w = write(s, big, sizeof(big));
		shutdown(s, SHUT_WR);
		_exit(n == 5 && w == sizeof(big) ? 0 : 2);
	}
	struct sockaddr_in peer;
	socklen_t plen = sizeof(peer);
	int s = T(accept(l, (struct sockaddr *)&peer, &plen));
	P("peer", "%s len %u", inet_ntoa(peer.sin_addr), plen);
	struct sockaddr_in me;
	socklen_t mlen = sizeof(me);
	T(getsockname(s, (struct sockaddr *)&me, &mlen));
	P("local port is the listener's", "%d", ntohs(me.sin_port) == port);
	T(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one)));
	vl = sizeof(v);
	T(getsockopt(s, IPPROTO_TCP, TCP_NODELAY, &v, &vl));
	P("TCP_NODELAY", "%d", v != 0);
	T(write(s, "hello", 5));
	static char got[1 << 20];
	size_t total = 0;
	ssize_t n;
	while ((n = read(s, got, sizeof(got))) > 0)
		total += n;
	P("read until EOF", "%zu bytes, last %zd", total, n);
	int st;
	MUST(waitpid(c, &st, 0));
	P("client", "%d", WEXITSTATUS(st));
	T(recv(s, got, 10, MSG_DONTWAIT));	/* EOF stays EOF */
	T(close(s));

	SECTION("connect refused, non-blocking connect");
	int r = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in closed = loopback(port);
	MUST(close(l));	/* nobody listens on the port now */
	T(connect(r, (struct sockaddr *)&closed, sizeof(closed)));
	T(close(r));
	l = tcp_listener(&port);
	r = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	struct sockaddr_in a = loopback(port);
	errno = 0;
	long cr = connect(r, (struct sockaddr *)&a, sizeof(a));
	P("non-blocking connect", "%s", cr == 0 || errno == EINPROGRESS ? "0 or EINPROGRESS" : ename(errno));
	struct pollfd pf = { r, POLLOUT, 0 };
	T(poll(&pf, 1, 5000));
	P("revents", "%#x", pf.revents & (POLLOUT | POLLERR | POLLHUP));
	vl = sizeof(v);
	T(getsockopt(r, SOL_SOCKET, SO_ERROR, &v, &vl));
	P("SO_ERROR", "%d", v);
	T(connect(r, (struct sockaddr *)&a, sizeof(a)));
	int s2 = T(accept4(l, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
	P("accepted flags", "%#x %d", fcntl(s2, F_GETFL) & O_NONBLOCK, fcntl(s2, F_GETFD));
	MUST(close(s2));
	MUST(close(r));
	MUST(close(l));
}

static void udp(void)
{
	SECTION("udp");
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(0);
	MUST(bind(u, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in to = loopback(port_of(u));
	int v = socket(AF_INET, SOCK_DGRAM, 0);
	T(sendto(v, "first", 5, 0, (struct sockaddr *)&to, sizeof(to)));
	T(sendto(v, "", 0, 0, (struct sockaddr *)&to, sizeof(to)));
	T(sendto(v, "third one", 9, 0, (struct sockaddr *)&to, sizeof(to)));
	char buf[16] = { 0 };
	struct sockaddr_in from;
	socklen_t flen = sizeof(from);
	int avail = 0;
	T(ioctl(u, FIONREAD, &avail));
	P("FIONREAD", "%d", avail);
	T(recv(u, buf, sizeof(buf), MSG_PEEK));
	T(recvfrom(u, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen));
	P("from", "%s, the sender's port %d", inet_ntoa(from.sin_addr), ntohs(from.sin_port) == port_of(v));
	T(recv(u, buf, sizeof(buf), 0));
	T(recv(u, buf, 3, MSG_TRUNC));
	struct iovec iov = { buf, 3 };
	struct msghdr m = { .msg_iov = &iov, .msg_iovlen = 1 };
	T(sendto(v, "truncated", 9, 0, (struct sockaddr *)&to, sizeof(to)));
	T(recvmsg(u, &m, 0));
	P("msg_flags has MSG_TRUNC", "%d", !!(m.msg_flags & MSG_TRUNC));
	T(recv(u, buf, sizeof(buf), MSG_DONTWAIT));
	struct timeval tv = { 0, 40000 };	/* whole ticks at HZ 100, 250 and 1000 */
	T(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)));
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(recv(u, buf, sizeof(buf), 0));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
	P("waited about 40 ms", "%d", ms >= 35 && ms < 2000);
	struct timeval back;
	socklen_t bl = sizeof(back);
	T(getsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &back, &bl));
	P("SO_RCVTIMEO", "%ld.%06ld", (long)back.tv_sec, (long)back.tv_usec);
	T(connect(v, (struct sockaddr *)&to, sizeof(to)));
	T(send(v, "connected", 9, 0));
	T(recv(u, buf, sizeof(buf), 0));

	/* control messages: IP_PKTINFO received, IP_TTL sent */
	int one = 1;
	T(setsockopt(u, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)));
	T(setsockopt(u, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)));
	union { struct cmsghdr h; char b[CMSG_SPACE(sizeof(int))]; } out;
	memset(&out, 0, sizeof(out));
	out.h.cmsg_level = IPPROTO_IP;
	out.h.cmsg_type = IP_TTL;
	out.h.cmsg_len = CMSG_LEN(sizeof(int));
	int ttl = 7;
	memcpy(CMSG_DATA(&out.h), &ttl, sizeof(ttl));
	struct iovec siov = { "ctl", 3 };
	struct msghdr sm = { .msg_iov = &siov, .msg_iovlen = 1, .msg_control = &out,
			     .msg_controllen = sizeof(out) };
	T(sendmsg(v, &sm, 0));
	char ctl[256];
	iov = (struct iovec){ buf, sizeof(buf) };
	m = (struct msghdr){ .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl,
			     .msg_controllen = sizeof(ctl) };
	T(recvmsg(u, &m, 0));
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&m); c; c = CMSG_NXTHDR(&m, c)) {
		if (c->cmsg_type == IP_PKTINFO) {
			struct in_pktinfo pi;
			memcpy(&pi, CMSG_DATA(c), sizeof(pi));
			P("IP_PKTINFO", "len %zu dst %s", (size_t)c->cmsg_len, inet_ntoa(pi.ipi_addr));
		} else if (c->cmsg_type == IP_TTL) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			P("IP_TTL", "len %zu ttl %d", (size_t)c->cmsg_len, ttl);
		}
	}
	m.msg_controllen = 4;	/* too small: MSG_CTRUNC */
	T(sendmsg(v, &sm, 0));
	T(recvmsg(u, &m, 0));
	P("msg_flags has MSG_CTRUNC", "%d", !!(m.msg_flags & MSG_CTRUNC));
	MUST(close(u));
	MUST(close(v));
}

static void ipv6(void)
{
	SECTION("ipv6");
	int s = socket(AF_INET6, SOCK_DGRAM, 0);
	struct sockaddr_in6 a = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	if (s < 0 || bind(s, (struct sockaddr *)&a, sizeof(a))) {
		P("no ipv6 loopback", "%d", 1);	/* the same natively */
		return;
	}
	socklen_t len = sizeof(a);
	MUST(getsockname(s, (struct sockaddr *)&a, &len));
	T(sendto(s, "six", 3, 0, (struct sockaddr *)&a, len));
	char buf[8] = { 0 };
	struct sockaddr_in6 from;
	socklen_t flen = sizeof(from);
	T(recvfrom(s, buf, sizeof(buf), 0, (struct sockaddr *)&from, &flen));
	P("from loopback", "%d len %u", IN6_IS_ADDR_LOOPBACK(&from.sin6_addr), flen);
	MUST(close(s));
}

static void errors(void)
{
	SECTION("bad arguments");
	int s = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(0);
	T(bind(s, BADP, sizeof(a)));
	T(bind(s, (struct sockaddr *)&a, 3));
	T(bind(s, (struct sockaddr *)&a, 200));
	T(connect(s, BADP, sizeof(a)));
	T(syscall(SYS_getsockopt, s, SOL_SOCKET, SO_TYPE, BADP, BADP));
	int v;
	socklen_t vl = sizeof(v);
	T(getsockopt(s, SOL_SOCKET, SO_TYPE, &v, &vl));
	P("SO_TYPE", "%d", v);
	T(getsockopt(s, SOL_SOCKET, 9999, &v, &vl));
	T(setsockopt(s, IPPROTO_TCP, TCP_NODELAY, BADP, sizeof(int)));
	T(send(s, "x", 1, 0));
	T(recv(s, &v, 1, 0));
	T(listen(s, 1));
	MUST(fcntl(s, F_SETFL, O_NONBLOCK));
	T(accept(s, BADP, BADP));	/* nothing pending: no look at the pointers */
	T(shutdown(s, 7));
	T(getpeername(s, (struct sockaddr *)&a, &vl));
	T(socket(AF_INET, SOCK_STREAM, 99));
	T(socket(AF_INET, 77, 0));
	MUST(close(s));
	int d = socket(AF_INET, SOCK_DGRAM, 0);
	T(sendto(d, "x", 1, 0, (struct sockaddr *)&a, sizeof(a)));	/* port 0 */
	struct sockaddr_in nine = loopback(9);
	T(sendto(d, BADP, 10, 0, (struct sockaddr *)&nine, sizeof(nine)));
	T(send(d, "x", 1, 0));	/* no destination */
	MUST(close(d));
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	tcp();
	udp();
	ipv6();
	errors();
	return 0;
}
