/* sockopt_inet: what an unprivileged process (uid 1000, no capabilities)
 * may do to AF_INET / AF_INET6 sockets, whose options, binds, control
 * messages and ioctls reach the host's network: options programs use
 * round-trip; a classic BPF socket filter works (SO_ATTACH_FILTER, its
 * value pointing at the program); options that need CAP_NET_ADMIN or
 * CAP_NET_RAW (the iptables interface, IP_TRANSPARENT, SO_MARK,
 * SO_BINDTODEVICE, ...) fail as Linux fails them; raw and packet sockets
 * are refused; ports below net.ipv4.ip_unprivileged_port_start are
 * refused; control messages and ioctls that would change the host's
 * network are refused. The test drops root itself: natively it runs as
 * root, and a root guest may do some of these. Nothing here changes the
 * host's network when it works as Linux does. */
#include "abi.h"
#include <arpa/inet.h>
#include <grp.h>
#include <net/if.h>	/* before the linux/ headers that include linux/if.h */
#include <linux/filter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/sockios.h>
#include <net/route.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/ioctl.h>
#include <netinet/udp.h>
#include <stdbool.h>
#include <sys/socket.h>

static int one = 1;

static struct sockaddr_in loopback(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return a;
}

/* An int option set to `v`, then read back. */
static void int_opt(int s, int level, int name, const char *label, int v)
{
	int got = -1;
	socklen_t len = sizeof(got);
	printf("%s:\n", label);
	T(setsockopt(s, level, name, &v, sizeof(v)));
	T(getsockopt(s, level, name, &got, &len));
	P("  value", "%d len %u", got, len);
}
#define INT_OPT(s, level, name, v) int_opt(s, level, name, #name, v)

static void drop_root(void)
{
	SECTION("drop root");
	T(setgroups(0, NULL));
	T(setgid(1000));
	T(setuid(1000));
	P("euid", "%d", (int)geteuid());
}

static void sockets(void)
{
	SECTION("sockets");
	T(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP));
	T(socket(AF_INET, SOCK_RAW, IPPROTO_RAW));
	T(socket(AF_INET, SOCK_RAW, IPPROTO_TCP));
	T(socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6));
	T(socket(AF_PACKET, SOCK_RAW, htons(3)));	/* ETH_P_ALL */
	T(socket(AF_PACKET, SOCK_DGRAM, 0));
	T(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP));
	T(socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP));
	T(socket(AF_INET, SOCK_DGRAM, -1));
	/* ping sockets: as net.ipv4.ping_group_range says */
	int p = T(socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP));
	if (p >= 0)
		close(p);
}

static void allowed(void)
{
	SECTION("allowed options");
	int t = socket(AF_INET, SOCK_STREAM, 0);
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int t6 = socket(AF_INET6, SOCK_STREAM, 0);
	INT_OPT(t, SOL_SOCKET, SO_REUSEADDR, 1);
	INT_OPT(t, SOL_SOCKET, SO_REUSEPORT, 1);
	INT_OPT(t, SOL_SOCKET, SO_KEEPALIVE, 1);
	INT_OPT(t, SOL_SOCKET, SO_RCVBUF, 4096);
	INT_OPT(t, SOL_SOCKET, SO_SNDBUF, 8192);
	INT_OPT(t, SOL_SOCKET, SO_OOBINLINE, 1);
	INT_OPT(t, SOL_SOCKET, SO_PRIORITY, 6);
	INT_OPT(t, SOL_SOCKET, SO_RCVLOWAT, 10);
	INT_OPT(u, SOL_SOCKET, SO_BROADCAST, 1);
	INT_OPT(u, SOL_SOCKET, SO_TIMESTAMP, 1);
	INT_OPT(u, SOL_SOCKET, SO_TIMESTAMPNS, 1);
	INT_OPT(u, SOL_SOCKET, SO_DEBUG, 0);
	struct linger l = { 1, 5 }, lb = { 0, 0 };
	socklen_t len = sizeof(lb);
	T(setsockopt(t, SOL_SOCKET, SO_LINGER, &l, sizeof(l)));
	T(getsockopt(t, SOL_SOCKET, SO_LINGER, &lb, &len));
	P("  linger", "%d %d len %u", lb.l_onoff, lb.l_linger, len);
	INT_OPT(t, SOL_IP, IP_TOS, 0x10);
	INT_OPT(t, SOL_IP, IP_TTL, 33);
	INT_OPT(u, SOL_IP, IP_MULTICAST_TTL, 4);
	INT_OPT(u, SOL_IP, IP_MULTICAST_LOOP, 0);
	INT_OPT(u, SOL_IP, IP_RECVERR, 1);
	INT_OPT(u, SOL_IP, IP_PKTINFO, 1);
	INT_OPT(u, SOL_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DO);
	INT_OPT(u, SOL_IP, IP_FREEBIND, 1);
	struct ip_mreqn m = { .imr_ifindex = 1 };
	m.imr_multiaddr.s_addr = inet_addr("239.1.2.3");
	T(setsockopt(u, SOL_IP, IP_ADD_MEMBERSHIP, &m, sizeof(m)));
	T(setsockopt(u, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	T(setsockopt(u, SOL_IP, IP_DROP_MEMBERSHIP, &m, sizeof(m)));
	T(setsockopt(u, SOL_IP, IP_ADD_MEMBERSHIP, &m, 4));
	INT_OPT(t6, SOL_IPV6, IPV6_V6ONLY, 1);
	INT_OPT(t6, SOL_IPV6, IPV6_UNICAST_HOPS, 12);
	INT_OPT(t6, SOL_IPV6, IPV6_TCLASS, 0x20);
	INT_OPT(t6, SOL_IPV6, IPV6_RECVPKTINFO, 1);
	INT_OPT(t, SOL_TCP, TCP_NODELAY, 1);
	INT_OPT(t, SOL_TCP, TCP_KEEPIDLE, 30);
	INT_OPT(t, SOL_TCP, TCP_KEEPINTVL, 7);
	INT_OPT(t, SOL_TCP, TCP_KEEPCNT, 3);
	INT_OPT(t, SOL_TCP, TCP_CORK, 1);
	INT_OPT(t, SOL_TCP, TCP_DEFER_ACCEPT, 0);
	INT_OPT(t, SOL_TCP, TCP_USER_TIMEOUT, 1500);
	INT_OPT(t, SOL_TCP, TCP_FASTOPEN, 5);
	INT_OPT(u, IPPROTO_UDP, UDP_CORK, 1);
	T(setsockopt(t, SOL_TCP, TCP_QUICKACK, &one, sizeof(one)));
	/* an int option wants an int */
	T(setsockopt(t, SOL_TCP, TCP_NODELAY, &one, 2));
	T(setsockopt(t, SOL_SOCKET, SO_KEEPALIVE, BADP, sizeof(int)));
	struct tcp_info ti;
	len = sizeof(ti);
	T(getsockopt(t, SOL_TCP, TCP_INFO, &ti, &len));
	P("  tcp_info state", "%d len ok %d", ti.tcpi_state, len > 100 && len <= sizeof(ti));
	len = 8;
	T(getsockopt(t, SOL_TCP, TCP_INFO, &ti, &len));
	P("  short tcp_info len", "%u", len);
	close(t);
	close(u);
	close(t6);
}

/* TCP_CONGESTION: the names of net.ipv4.tcp_allowed_congestion_control
 * only (reno always is); another the kernel has is EPERM, one it lacks
 * ENOENT. Which are which is the host's configuration. */
static void congestion(void)
{
	SECTION("congestion control");
	int t = socket(AF_INET, SOCK_STREAM, 0);
	static const char *names[] = { "reno", "cubic", "bbr", "htcp", "vegas", "dctcp", "nosuch" };
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		TL(names[i], setsockopt(t, SOL_TCP, TCP_CONGESTION, names[i], strlen(names[i])));
		char back[16] = "";
		socklen_t len = sizeof(back);
		T(getsockopt(t, SOL_TCP, TCP_CONGESTION, back, &len));
		P("  now", "%s", back);
	}
	T(setsockopt(t, SOL_TCP, TCP_CONGESTION, "reno", 0));
	T(setsockopt(t, SOL_TCP, TCP_CONGESTION, "renoXXXXXXXXXXXXXXXXXXXX", 24));
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	T(setsockopt(u, SOL_TCP, TCP_CONGESTION, "nosuch", 6));
	close(u);
	close(t);
}

static void refused(void)
{
	SECTION("refused options");
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int t = socket(AF_INET, SOCK_STREAM, 0);
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	int v = 7;
	T(setsockopt(u, SOL_SOCKET, SO_PRIORITY, &v, sizeof(v)));
	v = -1;
	T(setsockopt(u, SOL_SOCKET, SO_PRIORITY, &v, sizeof(v)));
	T(setsockopt(u, SOL_SOCKET, SO_DEBUG, &one, sizeof(one)));
	T(setsockopt(u, SOL_SOCKET, SO_MARK, &one, sizeof(one)));
	int mark = -1;
	socklen_t len = sizeof(mark);
	T(getsockopt(u, SOL_SOCKET, SO_MARK, &mark, &len));
	P("  mark", "%d", mark);
	/* binding to a device is anyone's, changing it is not */
	T(setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3));
	char dev[IFNAMSIZ] = "";
	len = sizeof(dev);
	T(getsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, dev, &len));
	P("  device", "%s", dev);
	T(setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "lo", 3));
	T(setsockopt(u, SOL_SOCKET, SO_BINDTODEVICE, "", 0));
	int idx = 1;
	T(setsockopt(t, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, sizeof(idx)));
	T(setsockopt(t, SOL_SOCKET, SO_BINDTOIFINDEX, &idx, sizeof(idx)));
	T(setsockopt(u, SOL_SOCKET, SO_SNDBUFFORCE, &one, sizeof(one)));
	T(setsockopt(u, SOL_SOCKET, SO_RCVBUFFORCE, &one, sizeof(one)));
	T(setsockopt(u, SOL_IP, IP_TRANSPARENT, &one, sizeof(one)));
	T(setsockopt(u6, SOL_IPV6, IPV6_TRANSPARENT, &one, sizeof(one)));
	T(setsockopt(t, SOL_TCP, TCP_REPAIR, &one, sizeof(one)));
	/* a socket's own fast open key is anyone's; its size is exact */
	char key[40] = { 1 };
	T(setsockopt(t, SOL_TCP, TCP_FASTOPEN_KEY, key, 16));
	T(setsockopt(t, SOL_TCP, TCP_FASTOPEN_KEY, key, 20));
	T(setsockopt(t, SOL_TCP, TCP_FASTOPEN_KEY, key, 40));
	T(setsockopt(u, SOL_IP, 9999, &one, sizeof(one)));
	T(setsockopt(t, SOL_TCP, 9999, &one, sizeof(one)));
	T(setsockopt(u, SOL_SOCKET, 9999, &one, sizeof(one)));
	/* the iptables interface: a replace that would be a valid table is
	 * refused before its contents count, and so are the queries */
	static char blob[2048];
	struct ipt_replace *r = (void *)blob;
	strcpy(r->name, "filter");
	r->num_counters = 1;
	T(setsockopt(u, SOL_IP, IPT_SO_SET_REPLACE, blob, sizeof(blob)));
	T(setsockopt(t, SOL_IP, IPT_SO_SET_ADD_COUNTERS, blob, sizeof(blob)));
	T(setsockopt(u6, SOL_IPV6, IP6T_SO_SET_REPLACE, blob, sizeof(blob)));
	struct ipt_getinfo info = { .name = "filter" };
	len = sizeof(info);
	T(getsockopt(u, SOL_IP, IPT_SO_GET_INFO, &info, &len));
	len = sizeof(blob);
	T(getsockopt(u, SOL_IP, IPT_SO_GET_ENTRIES, blob, &len));
	struct ip6t_getinfo info6 = { .name = "filter" };
	len = sizeof(info6);
	T(getsockopt(u6, SOL_IPV6, IP6T_SO_GET_INFO, &info6, &len));
	/* eBPF programs come from bpf(2), which the caller cannot use: the
	 * fd names none */
	int fd = -1;
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd)));
	fd = 0;
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_BPF, &fd, sizeof(fd)));
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_BPF, &fd, 2));
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, &fd, sizeof(fd)));
	close(u);
	close(t);
	close(u6);
}

/* A datagram from a fresh socket to `to`; whether `to` receives it. */
static int delivered(int to)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	getsockname(to, (struct sockaddr *)&a, &alen);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(s, "ping", 4, 0, (struct sockaddr *)&a, sizeof(a));
	close(s);
	struct pollfd p = { to, POLLIN, 0 };
	poll(&p, 1, 200);
	char buf[8];
	return recv(to, buf, sizeof(buf), MSG_DONTWAIT) == 4;
}

static void filters(void)
{
	SECTION("socket filters");
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(0);
	MUST(bind(u, (struct sockaddr *)&a, sizeof(a)));
	P("no filter: delivered", "%d", delivered(u));
	struct sock_filter drop[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	struct sock_filter keep[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0),
		BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 1, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0xffff),
		BPF_STMT(BPF_RET | BPF_K, 0),
	};
	struct sock_fprog p = { 1, drop };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	P("drop-all filter: delivered", "%d", delivered(u));
	struct sock_filter back[8];
	socklen_t len = 0;
	T(getsockopt(u, SOL_SOCKET, SO_GET_FILTER, back, &len));
	P("  instructions", "%u", len);
	p = (struct sock_fprog){ 4, keep };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	P("keep filter: delivered", "%d", delivered(u));
	len = 8;
	memset(back, 0, sizeof(back));
	T(getsockopt(u, SOL_SOCKET, SO_GET_FILTER, back, &len));
	P("  read back", "%u same %d", len, memcmp(back, keep, sizeof(keep)) == 0);
	len = 2;
	T(getsockopt(u, SOL_SOCKET, SO_GET_FILTER, back, &len));
	T(setsockopt(u, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof(one)));
	T(setsockopt(u, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof(one)));
	P("detached: delivered", "%d", delivered(u));
	/* bad programs */
	p = (struct sock_fprog){ 0, drop };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	p = (struct sock_fprog){ 4097, drop };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	p = (struct sock_fprog){ 1, NULL };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	p = (struct sock_fprog){ 1, BADP };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	p = (struct sock_fprog){ 1, drop };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p) - 1));
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, BADP, sizeof(p)));
	struct sock_filter jump_out[] = { BPF_JUMP(BPF_JMP | BPF_JA, 5, 0, 0) };
	p = (struct sock_fprog){ 1, jump_out };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	struct sock_filter no_ret[] = { BPF_STMT(BPF_LD | BPF_W | BPF_LEN, 0) };
	p = (struct sock_fprog){ 1, no_ret };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	/* a locked filter stays */
	p = (struct sock_fprog){ 1, drop };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	T(setsockopt(u, SOL_SOCKET, SO_LOCK_FILTER, &one, sizeof(one)));
	p = (struct sock_fprog){ 4, keep };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	p = (struct sock_fprog){ 1, BADP };
	T(setsockopt(u, SOL_SOCKET, SO_ATTACH_FILTER, &p, sizeof(p)));
	T(setsockopt(u, SOL_SOCKET, SO_DETACH_FILTER, &one, sizeof(one)));
	P("locked: delivered", "%d", delivered(u));
	close(u);
	/* the reuseport group's program is a classic one too */
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	T(setsockopt(r, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)));
	struct sock_filter first[] = { BPF_STMT(BPF_RET | BPF_K, 0) };
	p = (struct sock_fprog){ 1, first };
	T(setsockopt(r, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &p, sizeof(p)));
	p = (struct sock_fprog){ 1, BADP };
	T(setsockopt(r, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, &p, sizeof(p)));
	T(setsockopt(r, SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, &one, sizeof(one)));
	close(r);
}

static void ports(void)
{
	SECTION("privileged ports");
	int t = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = loopback(81);
	T(bind(t, (struct sockaddr *)&a, sizeof(a)));
	a.sin_port = htons(1);
	T(bind(t, (struct sockaddr *)&a, sizeof(a)));
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_port = htons(53);
	T(bind(u, (struct sockaddr *)&a, sizeof(a)));
	int t6 = socket(AF_INET6, SOCK_STREAM, 0);
	struct sockaddr_in6 a6 = { .sin6_family = AF_INET6, .sin6_port = htons(81),
				   .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	T(bind(t6, (struct sockaddr *)&a6, sizeof(a6)));
	/* the port is read only from an address Linux takes */
	T(bind(t, (struct sockaddr *)&a, sizeof(a) - 1));
	a.sin_family = AF_INET6;
	T(bind(t, (struct sockaddr *)&a, sizeof(a)));
	a = loopback(0);
	T(bind(t, (struct sockaddr *)&a, sizeof(a)));
	struct sockaddr_in me;
	socklen_t len = sizeof(me);
	T(getsockname(t, (struct sockaddr *)&me, &len));
	P("  port unprivileged", "%d", ntohs(me.sin_port) >= 1024);
	close(t);
	close(u);
	close(t6);
}

/* sendmsg with one control message of `level`, `type` and `data`. */
static long send_cmsg(int s, struct sockaddr_in *to, int level, int type, const void *data,
		      size_t dlen)
{
	union {
		char buf[CMSG_SPACE(64)];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct cmsghdr *c = (struct cmsghdr *)u.buf;
	c->cmsg_level = level;
	c->cmsg_type = type;
	c->cmsg_len = CMSG_LEN(dlen);
	memcpy(CMSG_DATA(c), data, dlen);
	struct iovec v = { "x", 1 };
	struct msghdr m = { .msg_name = to, .msg_namelen = to ? sizeof(*to) : 0, .msg_iov = &v,
			    .msg_iovlen = 1, .msg_control = u.buf,
			    .msg_controllen = CMSG_SPACE(dlen) };
	return sendmsg(s, &m, 0);
}

static void cmsgs(void)
{
	SECTION("control messages");
	int r = socket(AF_INET, SOCK_DGRAM, 0);
	struct sockaddr_in a = loopback(0);
	MUST(bind(r, (struct sockaddr *)&a, sizeof(a)));
	socklen_t alen = sizeof(a);
	MUST(getsockname(r, (struct sockaddr *)&a, &alen));
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int ttl = 9, fd = 0, mark = 1, prio = 7, tos = 0x10;
	T(send_cmsg(u, &a, SOL_IP, IP_TTL, &ttl, sizeof(ttl)));
	T(send_cmsg(u, &a, SOL_IP, IP_TOS, &tos, sizeof(tos)));
	struct in_pktinfo pi = { .ipi_spec_dst.s_addr = htonl(INADDR_LOOPBACK) };
	T(send_cmsg(u, &a, SOL_IP, IP_PKTINFO, &pi, sizeof(pi)));
	T(send_cmsg(u, &a, SOL_IP, IP_PKTINFO, &pi, 4));
	pi.ipi_spec_dst.s_addr = inet_addr("192.0.2.1");	/* not ours */
	T(send_cmsg(u, &a, SOL_IP, IP_PKTINFO, &pi, sizeof(pi)));
	T(send_cmsg(u, &a, SOL_IP, 9999, &ttl, sizeof(ttl)));
	T(send_cmsg(u, &a, SOL_SOCKET, SCM_RIGHTS, &fd, sizeof(fd)));
	T(send_cmsg(u, &a, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)));
	T(send_cmsg(u, &a, SOL_SOCKET, SO_PRIORITY, &prio, sizeof(prio)));
	T(send_cmsg(u, &a, SOL_SOCKET, 9999, &mark, sizeof(mark)));
	/* IP options: record route is anyone's; a security label is not */
	unsigned char rr[8] = { 7, 7, 4, 0, 0, 0, 0, 1 };
	unsigned char sec[12] = { 130, 11 };
	T(send_cmsg(u, &a, SOL_IP, IP_RETOPTS, rr, sizeof(rr)));
	T(send_cmsg(u, &a, SOL_IP, IP_RETOPTS, sec, sizeof(sec)));
	T(setsockopt(u, SOL_IP, IP_OPTIONS, rr, sizeof(rr)));
	T(setsockopt(u, SOL_IP, IP_OPTIONS, sec, sizeof(sec)));
	unsigned char back[40];
	socklen_t len = sizeof(back);
	T(getsockopt(u, SOL_IP, IP_OPTIONS, back, &len));
	P("  options", "%u bytes, first %d", len, back[0]);
	/* a level UDP ignores: sent */
	T(send_cmsg(u, &a, SOL_TCP, 1, &ttl, sizeof(ttl)));
	char buf[8];
	int got = 0;
	while (recv(r, buf, sizeof(buf), MSG_DONTWAIT) == 1)
		got++;
	P("datagrams received", "%d", got);
	/* TCP: any refused SOL_SOCKET message is EINVAL */
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in la = loopback(0);
	MUST(bind(l, (struct sockaddr *)&la, sizeof(la)));
	MUST(listen(l, 1));
	alen = sizeof(la);
	MUST(getsockname(l, (struct sockaddr *)&la, &alen));
	int c = socket(AF_INET, SOCK_STREAM, 0);
	MUST(connect(c, (struct sockaddr *)&la, sizeof(la)));
	T(send_cmsg(c, NULL, SOL_SOCKET, SO_MARK, &mark, sizeof(mark)));
	T(send_cmsg(c, NULL, SOL_SOCKET, SCM_RIGHTS, &fd, sizeof(fd)));
	T(send_cmsg(c, NULL, SOL_IP, 9999, &ttl, sizeof(ttl)));
	close(c);
	close(l);
	close(u);
	close(r);
}

static void ioctls(void)
{
	SECTION("ioctls");
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	int u6 = socket(AF_INET6, SOCK_DGRAM, 0);
	struct ifreq ifr = { 0 };
	strcpy(ifr.ifr_name, "lo");
	T(ioctl(u, SIOCGIFINDEX, &ifr));
	P("  lo index", "%d", ifr.ifr_ifindex);
	T(ioctl(u, SIOCGIFFLAGS, &ifr));
	P("  lo up", "%d", !!(ifr.ifr_flags & IFF_UP));
	ifr.ifr_mtu = 1280;
	T(ioctl(u, SIOCSIFMTU, &ifr));
	T(ioctl(u, SIOCSIFFLAGS, &ifr));
	T(ioctl(u, SIOCSIFADDR, &ifr));
	T(ioctl(u, SIOCDIFADDR, &ifr));
	struct rtentry rt = { 0 };
	T(ioctl(u, SIOCADDRT, &rt));
	T(ioctl(u, SIOCDELRT, &rt));
	char in6rt[128] = { 0 };
	T(ioctl(u6, SIOCADDRT, in6rt));
	T(ioctl(u6, SIOCDELRT, in6rt));
	T(ioctl(u6, SIOCSIFADDR, in6rt));
	T(ioctl(u6, SIOCDIFADDR, in6rt));
	char arp[128] = { 0 };
	T(ioctl(u, SIOCSARP, arp));
	T(ioctl(u, SIOCDARP, arp));
	int v = -1;
	T(ioctl(u, SIOCINQ, &v));
	P("  inq", "%d", v);
	struct timeval tv;
	T(ioctl(u, SIOCGSTAMP, &tv));
	T(ioctl(u, 0x89ef, &v));
	T(ioctl(u, 0x1234, &v));
	close(u);
	close(u6);
}

int main(void)
{
	drop_root();
	sockets();
	allowed();
	congestion();
	refused();
	filters();
	ports();
	cmsgs();
	ioctls();
	return 0;
}
