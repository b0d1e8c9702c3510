/* The options of host sockets (inet.c), at every level but persona's own
 * SO_RCVTIMEO / SO_SNDTIMEO.
 *
 * A host socket is persona's: the host checks an option against
 * persona's privileges (persona may be root) and follows any pointer in a
 * value through persona's memory. So an option reaches the host only if
 * it is on the list below, the options programs use at the levels of the
 * sockets persona passes on (SOL_SOCKET, SOL_IP, SOL_IPV6, SOL_TCP,
 * SOL_UDP, SOL_NETLINK), with a value persona copied from the guest (at
 * most the bytes the host reads of it; the length the host sees is the
 * guest's), that holds no pointer; and the host answers a get into
 * persona's buffer, within the length it was given.
 *
 * What needs a capability over the network (CAP_NET_ADMIN, CAP_NET_RAW:
 * the iptables interface, SO_MARK, IP_TRANSPARENT, ...) gets Linux's
 * answer to a process without it, whoever the guest is: a guest's root
 * has no power over the host's network. Other options are ENOPROTOOPT,
 * Linux's answer to an option it does not know.
 *
 * Two options carry a pointer: SO_ATTACH_FILTER and
 * SO_ATTACH_REUSEPORT_CBPF name a classic BPF program in the caller's
 * memory. persona copies the program and hands the host a struct
 * sock_fprog pointing at its copy; the host checks the program. SO_ATTACH_BPF
 * names a bpf(2) program fd, which no guest can have: it never reaches
 * the host. */
#include "inet.h"
#include "uaccess.h"
/* the C library's headers first: the linux/ ones then leave out what
 * they define */
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/socket.h>
#include <linux/filter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_arp/arp_tables.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>

/* ebtables' numbers (linux/netfilter_bridge/ebtables.h, whose includes
 * clash with the C library's) */
#define EBT_BASE_CTL	128
#define EBT_SO_GET_MAX	(EBT_BASE_CTL + 4)
#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51
#endif

#define OPT_MAX	1024		/* the longest value that goes */

enum how {
	PLAIN,		/* the value goes as it is */
	PRIV,		/* EPERM: needs CAP_NET_ADMIN or CAP_NET_RAW */
	PRIV_ON,	/* the same for turning it on; off goes */
	DEBUG_ON,	/* SO_DEBUG: on needs CAP_NET_ADMIN (EACCES) */
	PRIORITY,	/* SO_PRIORITY: 0..6 without CAP_NET_ADMIN */
	BIND_DEV,	/* SO_BINDTODEVICE, SO_BINDTOIFINDEX: a bound
			 * socket's device changes with CAP_NET_RAW only */
	CONGESTION,	/* TCP_CONGESTION: net.ipv4.tcp_allowed_congestion_control */
	IP_OPTS,	/* IP_OPTIONS: the options any process may send */
	FILTER,		/* a classic BPF program: copied */
	BPF_FD,		/* a bpf(2) program fd */
};

struct opt {
	int level, name;
	unsigned short size;	/* bytes of a set's value the host reads;
				 * 0: a get only (setting it is ENOPROTOOPT) */
	unsigned char how;
};

#define INT	sizeof(int)

static const struct opt opts[] = {
	{ SOL_SOCKET, SO_DEBUG, INT, DEBUG_ON },
	{ SOL_SOCKET, SO_REUSEADDR, INT, PLAIN },
	{ SOL_SOCKET, SO_REUSEPORT, INT, PLAIN },
	{ SOL_SOCKET, SO_TYPE, 0, PLAIN },
	{ SOL_SOCKET, SO_PROTOCOL, 0, PLAIN },
	{ SOL_SOCKET, SO_DOMAIN, 0, PLAIN },
	{ SOL_SOCKET, SO_ERROR, 0, PLAIN },
	{ SOL_SOCKET, SO_ACCEPTCONN, 0, PLAIN },
	{ SOL_SOCKET, SO_DONTROUTE, INT, PLAIN },
	{ SOL_SOCKET, SO_BROADCAST, INT, PLAIN },
	{ SOL_SOCKET, SO_SNDBUF, INT, PLAIN },
	{ SOL_SOCKET, SO_RCVBUF, INT, PLAIN },
	{ SOL_SOCKET, SO_SNDBUFFORCE, INT, PRIV },
	{ SOL_SOCKET, SO_RCVBUFFORCE, INT, PRIV },
	{ SOL_SOCKET, SO_KEEPALIVE, INT, PLAIN },
	{ SOL_SOCKET, SO_OOBINLINE, INT, PLAIN },
	{ SOL_SOCKET, SO_NO_CHECK, INT, PLAIN },
	{ SOL_SOCKET, SO_PRIORITY, INT, PRIORITY },
	{ SOL_SOCKET, SO_LINGER, sizeof(struct linger), PLAIN },
	{ SOL_SOCKET, SO_BSDCOMPAT, INT, PLAIN },
	{ SOL_SOCKET, SO_PASSCRED, INT, PLAIN },
	{ SOL_SOCKET, SO_PEERCRED, 0, PLAIN },
	{ SOL_SOCKET, SO_PEERNAME, 0, PLAIN },
	{ SOL_SOCKET, SO_RCVLOWAT, INT, PLAIN },
	{ SOL_SOCKET, SO_SNDLOWAT, 0, PLAIN },
	{ SOL_SOCKET, SO_BINDTODEVICE, IFNAMSIZ - 1, BIND_DEV },
	{ SOL_SOCKET, SO_BINDTOIFINDEX, INT, BIND_DEV },
	{ SOL_SOCKET, SO_ATTACH_FILTER, sizeof(struct sock_fprog), FILTER },
	{ SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, sizeof(struct sock_fprog), FILTER },
	{ SOL_SOCKET, SO_ATTACH_BPF, INT, BPF_FD },
	{ SOL_SOCKET, SO_ATTACH_REUSEPORT_EBPF, INT, BPF_FD },
	{ SOL_SOCKET, SO_DETACH_FILTER, INT, PLAIN },
	{ SOL_SOCKET, SO_DETACH_REUSEPORT_BPF, INT, PLAIN },
	{ SOL_SOCKET, SO_LOCK_FILTER, INT, PLAIN },
	{ SOL_SOCKET, SO_TIMESTAMP_OLD, INT, PLAIN },
	{ SOL_SOCKET, SO_TIMESTAMP_NEW, INT, PLAIN },
	{ SOL_SOCKET, SO_TIMESTAMPNS_OLD, INT, PLAIN },
	{ SOL_SOCKET, SO_TIMESTAMPNS_NEW, INT, PLAIN },
	{ SOL_SOCKET, SO_TIMESTAMPING_OLD, 2 * INT, PLAIN },	/* struct so_timestamping */
	{ SOL_SOCKET, SO_TIMESTAMPING_NEW, 2 * INT, PLAIN },
	{ SOL_SOCKET, SO_MARK, INT, PRIV },
	{ SOL_SOCKET, SO_RXQ_OVFL, INT, PLAIN },
	{ SOL_SOCKET, SO_WIFI_STATUS, INT, PLAIN },
	{ SOL_SOCKET, SO_PEEK_OFF, INT, PLAIN },
	{ SOL_SOCKET, SO_SELECT_ERR_QUEUE, INT, PLAIN },
	{ SOL_SOCKET, SO_BUSY_POLL, 0, PLAIN },
	{ SOL_SOCKET, SO_MAX_PACING_RATE, sizeof(uint64_t), PLAIN },
	{ SOL_SOCKET, SO_INCOMING_CPU, INT, PLAIN },
	{ SOL_SOCKET, SO_INCOMING_NAPI_ID, 0, PLAIN },
	{ SOL_SOCKET, SO_COOKIE, 0, PLAIN },
	{ SOL_SOCKET, SO_MEMINFO, 0, PLAIN },
	{ SOL_SOCKET, SO_ZEROCOPY, 0, PLAIN },	/* MSG_ZEROCOPY never goes (inet.c) */
	{ SOL_SOCKET, SO_TXTIME, 0, PLAIN },
	{ SOL_SOCKET, SO_NETNS_COOKIE, 0, PLAIN },
	{ SOL_SOCKET, SO_TXREHASH, INT, PLAIN },
	{ SOL_SOCKET, SO_RCVMARK, INT, PLAIN },

	{ SOL_IP, IP_TOS, INT, PLAIN },
	{ SOL_IP, IP_TTL, INT, PLAIN },
	{ SOL_IP, IP_OPTIONS, 40, IP_OPTS },
	{ SOL_IP, IP_RECVOPTS, INT, PLAIN },
	{ SOL_IP, IP_RETOPTS, INT, PLAIN },
	{ SOL_IP, IP_PKTINFO, INT, PLAIN },
	{ SOL_IP, IP_MTU_DISCOVER, INT, PLAIN },
	{ SOL_IP, IP_RECVERR, INT, PLAIN },
	{ SOL_IP, IP_RECVERR_RFC4884, INT, PLAIN },
	{ SOL_IP, IP_RECVTTL, INT, PLAIN },
	{ SOL_IP, IP_RECVTOS, INT, PLAIN },
	{ SOL_IP, IP_MTU, 0, PLAIN },
	{ SOL_IP, IP_FREEBIND, INT, PLAIN },
	{ SOL_IP, IP_TRANSPARENT, INT, PRIV_ON },
	{ SOL_IP, IP_IPSEC_POLICY, INT, PRIV },
	{ SOL_IP, IP_XFRM_POLICY, INT, PRIV },
	{ SOL_IP, IP_RECVORIGDSTADDR, INT, PLAIN },
	{ SOL_IP, IP_MINTTL, INT, PLAIN },
	{ SOL_IP, IP_CHECKSUM, INT, PLAIN },
	{ SOL_IP, IP_BIND_ADDRESS_NO_PORT, INT, PLAIN },
	{ SOL_IP, IP_RECVFRAGSIZE, INT, PLAIN },
	{ SOL_IP, IP_MULTICAST_IF, sizeof(struct ip_mreqn), PLAIN },
	{ SOL_IP, IP_MULTICAST_TTL, INT, PLAIN },
	{ SOL_IP, IP_MULTICAST_LOOP, INT, PLAIN },
	{ SOL_IP, IP_MULTICAST_ALL, INT, PLAIN },
	{ SOL_IP, IP_ADD_MEMBERSHIP, sizeof(struct ip_mreqn), PLAIN },
	{ SOL_IP, IP_DROP_MEMBERSHIP, sizeof(struct ip_mreqn), PLAIN },
	{ SOL_IP, IP_ADD_SOURCE_MEMBERSHIP, sizeof(struct ip_mreq_source), PLAIN },
	{ SOL_IP, IP_DROP_SOURCE_MEMBERSHIP, sizeof(struct ip_mreq_source), PLAIN },
	{ SOL_IP, IP_BLOCK_SOURCE, sizeof(struct ip_mreq_source), PLAIN },
	{ SOL_IP, IP_UNBLOCK_SOURCE, sizeof(struct ip_mreq_source), PLAIN },
	{ SOL_IP, MCAST_JOIN_GROUP, sizeof(struct group_req), PLAIN },
	{ SOL_IP, MCAST_LEAVE_GROUP, sizeof(struct group_req), PLAIN },
	{ SOL_IP, MCAST_JOIN_SOURCE_GROUP, sizeof(struct group_source_req), PLAIN },
	{ SOL_IP, MCAST_LEAVE_SOURCE_GROUP, sizeof(struct group_source_req), PLAIN },
	{ SOL_IP, MCAST_BLOCK_SOURCE, sizeof(struct group_source_req), PLAIN },
	{ SOL_IP, MCAST_UNBLOCK_SOURCE, sizeof(struct group_source_req), PLAIN },
	{ SOL_IP, IP_UNICAST_IF, INT, PLAIN },
	{ SOL_IP, IP_LOCAL_PORT_RANGE, INT, PLAIN },

	{ SOL_IPV6, IPV6_V6ONLY, INT, PLAIN },
	{ SOL_IPV6, IPV6_UNICAST_HOPS, INT, PLAIN },
	{ SOL_IPV6, IPV6_UNICAST_IF, INT, PLAIN },
	{ SOL_IPV6, IPV6_MULTICAST_IF, INT, PLAIN },
	{ SOL_IPV6, IPV6_MULTICAST_HOPS, INT, PLAIN },
	{ SOL_IPV6, IPV6_MULTICAST_LOOP, INT, PLAIN },
	{ SOL_IPV6, IPV6_MULTICAST_ALL, INT, PLAIN },
	{ SOL_IPV6, IPV6_ADD_MEMBERSHIP, sizeof(struct ipv6_mreq), PLAIN },
	{ SOL_IPV6, IPV6_DROP_MEMBERSHIP, sizeof(struct ipv6_mreq), PLAIN },
	{ SOL_IPV6, IPV6_JOIN_ANYCAST, sizeof(struct ipv6_mreq), PLAIN },
	{ SOL_IPV6, IPV6_LEAVE_ANYCAST, sizeof(struct ipv6_mreq), PLAIN },
	{ SOL_IPV6, MCAST_JOIN_GROUP, sizeof(struct group_req), PLAIN },
	{ SOL_IPV6, MCAST_LEAVE_GROUP, sizeof(struct group_req), PLAIN },
	{ SOL_IPV6, MCAST_JOIN_SOURCE_GROUP, sizeof(struct group_source_req), PLAIN },
	{ SOL_IPV6, MCAST_LEAVE_SOURCE_GROUP, sizeof(struct group_source_req), PLAIN },
	{ SOL_IPV6, MCAST_BLOCK_SOURCE, sizeof(struct group_source_req), PLAIN },
	{ SOL_IPV6, MCAST_UNBLOCK_SOURCE, sizeof(struct group_source_req), PLAIN },
	{ SOL_IPV6, IPV6_MTU_DISCOVER, INT, PLAIN },
	{ SOL_IPV6, IPV6_MTU, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVERR, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVERR_RFC4884, INT, PLAIN },
	{ SOL_IPV6, IPV6_2292PKTINFO, INT, PLAIN },
	{ SOL_IPV6, IPV6_2292HOPOPTS, INT, PLAIN },
	{ SOL_IPV6, IPV6_2292DSTOPTS, INT, PLAIN },
	{ SOL_IPV6, IPV6_2292RTHDR, INT, PLAIN },
	{ SOL_IPV6, IPV6_2292HOPLIMIT, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVPKTINFO, INT, PLAIN },
	{ SOL_IPV6, IPV6_PKTINFO, sizeof(struct in6_pktinfo), PLAIN },
	{ SOL_IPV6, IPV6_RECVHOPLIMIT, INT, PLAIN },
	{ SOL_IPV6, IPV6_HOPLIMIT, 0, PLAIN },
	{ SOL_IPV6, IPV6_RECVHOPOPTS, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVRTHDR, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVDSTOPTS, INT, PLAIN },
	{ SOL_IPV6, IPV6_HOPOPTS, INT, PRIV },		/* sticky headers: CAP_NET_RAW */
	{ SOL_IPV6, IPV6_DSTOPTS, INT, PRIV },
	{ SOL_IPV6, IPV6_RTHDRDSTOPTS, INT, PRIV },
	{ SOL_IPV6, IPV6_RECVPATHMTU, INT, PLAIN },
	{ SOL_IPV6, IPV6_PATHMTU, 0, PLAIN },
	{ SOL_IPV6, IPV6_DONTFRAG, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVTCLASS, INT, PLAIN },
	{ SOL_IPV6, IPV6_TCLASS, INT, PLAIN },
	{ SOL_IPV6, IPV6_FLOWINFO, INT, PLAIN },
	{ SOL_IPV6, IPV6_FLOWINFO_SEND, INT, PLAIN },
	{ SOL_IPV6, IPV6_AUTOFLOWLABEL, INT, PLAIN },
	{ SOL_IPV6, IPV6_ADDR_PREFERENCES, INT, PLAIN },
	{ SOL_IPV6, IPV6_MINHOPCOUNT, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVORIGDSTADDR, INT, PLAIN },
	{ SOL_IPV6, IPV6_RECVFRAGSIZE, INT, PLAIN },
	{ SOL_IPV6, IPV6_FREEBIND, INT, PLAIN },
	{ SOL_IPV6, IPV6_TRANSPARENT, INT, PRIV_ON },
	{ SOL_IPV6, IPV6_IPSEC_POLICY, INT, PRIV },
	{ SOL_IPV6, IPV6_XFRM_POLICY, INT, PRIV },

	{ SOL_TCP, TCP_NODELAY, INT, PLAIN },
	{ SOL_TCP, TCP_MAXSEG, INT, PLAIN },
	{ SOL_TCP, TCP_CORK, INT, PLAIN },
	{ SOL_TCP, TCP_KEEPIDLE, INT, PLAIN },
	{ SOL_TCP, TCP_KEEPINTVL, INT, PLAIN },
	{ SOL_TCP, TCP_KEEPCNT, INT, PLAIN },
	{ SOL_TCP, TCP_SYNCNT, INT, PLAIN },
	{ SOL_TCP, TCP_LINGER2, INT, PLAIN },
	{ SOL_TCP, TCP_DEFER_ACCEPT, INT, PLAIN },
	{ SOL_TCP, TCP_WINDOW_CLAMP, INT, PLAIN },
	{ SOL_TCP, TCP_INFO, 0, PLAIN },
	{ SOL_TCP, TCP_CC_INFO, 0, PLAIN },
	{ SOL_TCP, TCP_QUICKACK, INT, PLAIN },
	{ SOL_TCP, TCP_CONGESTION, 15, CONGESTION },	/* TCP_CA_NAME_MAX - 1 */
	{ SOL_TCP, TCP_THIN_LINEAR_TIMEOUTS, INT, PLAIN },
	{ SOL_TCP, TCP_THIN_DUPACK, INT, PLAIN },
	{ SOL_TCP, TCP_USER_TIMEOUT, INT, PLAIN },
	{ SOL_TCP, TCP_REPAIR, INT, PRIV },
	{ SOL_TCP, TCP_REPAIR_QUEUE, INT, PRIV },
	{ SOL_TCP, TCP_QUEUE_SEQ, INT, PRIV },
	{ SOL_TCP, TCP_REPAIR_OPTIONS, INT, PRIV },
	{ SOL_TCP, TCP_REPAIR_WINDOW, INT, PRIV },
	{ SOL_TCP, TCP_FASTOPEN, INT, PLAIN },
	{ SOL_TCP, TCP_FASTOPEN_CONNECT, INT, PLAIN },
	{ SOL_TCP, TCP_FASTOPEN_NO_COOKIE, INT, PLAIN },
	{ SOL_TCP, TCP_FASTOPEN_KEY, 32, PLAIN },	/* a socket's own keys */
	{ SOL_TCP, TCP_TIMESTAMP, INT, PLAIN },
	{ SOL_TCP, TCP_NOTSENT_LOWAT, INT, PLAIN },
	{ SOL_TCP, TCP_SAVE_SYN, INT, PLAIN },
	{ SOL_TCP, TCP_SAVED_SYN, 0, PLAIN },
	{ SOL_TCP, TCP_INQ, INT, PLAIN },

	{ SOL_UDP, UDP_CORK, INT, PLAIN },
	{ SOL_UDP, UDP_NO_CHECK6_TX, INT, PLAIN },
	{ SOL_UDP, UDP_NO_CHECK6_RX, INT, PLAIN },
	{ SOL_UDP, UDP_SEGMENT, INT, PLAIN },
	{ SOL_UDP, UDP_GRO, INT, PLAIN },

	{ SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_DROP_MEMBERSHIP, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_PKTINFO, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_BROADCAST_ERROR, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_NO_ENOBUFS, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_LISTEN_ALL_NSID, INT, PRIV },
	{ SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, 0, PLAIN },
	{ SOL_NETLINK, NETLINK_CAP_ACK, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_EXT_ACK, INT, PLAIN },
	{ SOL_NETLINK, NETLINK_GET_STRICT_CHK, INT, PLAIN },
};

static const struct opt *find_opt(int level, int name)
{
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (opts[i].level == level && opts[i].name == name)
			return &opts[i];
	return NULL;
}

/* The netfilter interfaces (iptables, ip6tables, arptables, ebtables,
 * ipvsadm), whose every set and get asks CAP_NET_ADMIN first: ranges of
 * option numbers at SOL_IP and SOL_IPV6 that no listed option uses (the
 * IPv6 range overlaps IPV6_RECVTCLASS and IPV6_TCLASS, found first). */
static bool netfilter_opt(int level, int name)
{
	if (level == SOL_IP)
		return (name >= IPT_BASE_CTL && name <= IPT_SO_GET_MAX) ||
		       (name >= ARPT_BASE_CTL && name <= ARPT_SO_GET_MAX) ||
		       (name >= EBT_BASE_CTL && name <= EBT_SO_GET_MAX) ||
		       (name >= IP_VS_BASE_CTL && name <= IP_VS_SO_SET_MAX);
	return level == SOL_IPV6 && name >= IP6T_BASE_CTL && name <= IP6T_SO_GET_MAX;
}

/* ---- checks of a copied value ---- */

/* An int option's value as Linux's IP levels read it: an int, or a byte
 * from a shorter value. */
static int int_value(const char *buf, int n)
{
	int v = 0;
	if (n >= (int)sizeof(v))
		memcpy(&v, buf, sizeof(v));
	else if (n >= 1)
		v = (unsigned char)buf[0];
	return v;
}

/* Whether `name` is a word of the host's /proc/sys/net/ipv4/`list`. */
static bool in_sysctl_list(const char *list, const char *name)
{
	char path[64], buf[512];
	snprintf(path, sizeof(path), "ipv4/%s", list);
	if (!host_sysctl(path, buf, sizeof(buf)))
		return false;
	for (char *save, *w = strtok_r(buf, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
		if (!strcmp(w, name))
			return true;
	return false;
}

/* TCP_CONGESTION: a name of net.ipv4.tcp_allowed_congestion_control, or
 * the one the socket has; another the host has is EPERM and one it lacks
 * ENOENT, as Linux answers without CAP_NET_ADMIN (which would also load a
 * module for the name). */
static long congestion_ok(struct sock *sk, int fd, const char *buf, int n)
{
	if (sk->type != SOCK_STREAM)
		return -ENOPROTOOPT;
	if (n < 1)
		return -EINVAL;
	char name[16] = "", cur[16] = "";
	memcpy(name, buf, MIN(n, 15));
	if (in_sysctl_list("tcp_allowed_congestion_control", name))
		return 0;
	socklen_t len = sizeof(cur);
	if (!getsockopt(fd, SOL_TCP, TCP_CONGESTION, cur, &len) && !strcmp(cur, name))
		return 0;
	return in_sysctl_list("tcp_available_congestion_control", name) ? -EPERM : -ENOENT;
}

/* Whether IP options (IP_OPTIONS, an IP_RETOPTS control message) hold
 * only those Linux's ip_options_compile lets any process send: source
 * routes, record route, timestamps, router alert. The others (security
 * labels, unknown ones) need CAP_NET_RAW, and Linux's answer without it
 * is EINVAL. The walk is Linux's; a malformed list is the host's to
 * refuse. */
bool ip_options_unprivileged(const unsigned char *p, int l)
{
	while (l > 0) {
		if (p[0] == IPOPT_END)
			return true;
		if (p[0] == IPOPT_NOOP) {
			p++, l--;
			continue;
		}
		if (l < 2 || p[1] < 2 || p[1] > l)
			return true;	/* malformed: the host refuses it */
		switch (p[0]) {
		case IPOPT_LSRR: case IPOPT_SSRR: case IPOPT_RR: case IPOPT_TS: case IPOPT_RA:
			break;
		default:	/* security labels (IPOPT_SEC, IPOPT_CIPSO), unknown ones */
			return false;
		}
		l -= p[1];
		p += p[1];
	}
	return true;
}

/* SO_BINDTODEVICE, SO_BINDTOIFINDEX: an unbound socket binds (the host
 * answers); a bound one changes only with CAP_NET_RAW (EPERM, after the
 * ENODEV of a name the host lacks). */
static long bind_dev_ok(int fd, int name, const char *buf, int n)
{
	int bound = 0;
	socklen_t len = sizeof(bound);
	if (getsockopt(fd, SOL_SOCKET, SO_BINDTOIFINDEX, &bound, &len) || !bound)
		return 0;
	if (name == SO_BINDTODEVICE) {
		char dev[IFNAMSIZ] = "";
		memcpy(dev, buf, MIN(n, IFNAMSIZ - 1));
		if (dev[0] && !if_nametoindex(dev))
			return -ENODEV;
	}
	return -EPERM;
}

static bool filter_locked(int fd)
{
	int v = 0;
	socklen_t len = sizeof(v);
	return !getsockopt(fd, SOL_SOCKET, SO_LOCK_FILTER, &v, &len) && v;
}

/* SO_ATTACH_FILTER, SO_ATTACH_REUSEPORT_CBPF: the program is copied
 * (when Linux would copy it: 1 to BPF_MAXINSNS instructions) and the host
 * sees a sock_fprog pointing at the copy; other lengths and a NULL
 * program go with a NULL pointer, for the host's EPERM (a locked filter)
 * or EINVAL. */
static long attach_filter(struct task *t, int fd, int name, const char *buf, int n)
{
	struct sock_fprog guest, host;
	if (n != sizeof(guest))
		return -EINVAL;
	memcpy(&guest, buf, sizeof(guest));
	host = (struct sock_fprog){ guest.len, NULL };
	if (guest.filter && guest.len && guest.len <= BPF_MAXINSNS) {
		host.filter = xmalloc(guest.len * sizeof(struct sock_filter));
		if (copy_from_user(t, host.filter, (uaddr_t)guest.filter,
				   guest.len * sizeof(struct sock_filter))) {
			free(host.filter);
			return filter_locked(fd) ? -EPERM : -EFAULT;
		}
	}
	long r = setsockopt(fd, SOL_SOCKET, name, &host, sizeof(host)) ? -errno : 0;
	free(host.filter);
	return r;
}

/* SO_ATTACH_BPF, SO_ATTACH_REUSEPORT_EBPF: the fd would name a program
 * from bpf(2), which persona does not give; Linux's answer for an fd
 * that names none: EBADF if it is not open, EINVAL if it is another
 * file. */
static long bpf_fd(struct task *t, const char *buf, int n)
{
	int ufd;
	if (n != sizeof(ufd))
		return -EINVAL;
	memcpy(&ufd, buf, sizeof(ufd));
	struct file *f = fd_get(t, ufd);
	if (!f)
		return -EBADF;
	file_put(f);
	return -EINVAL;
}

/* An option's copied value: 0 if it may go to the host as it is, or the
 * answer. */
static long value_check(const struct opt *o, struct sock *sk, int fd, const char *buf, int n)
{
	int v = int_value(buf, n);
	switch (o->how) {
	case PRIV:
		return -EPERM;
	case PRIV_ON:
		return v ? -EPERM : 0;
	case DEBUG_ON:
		return v ? -EACCES : 0;
	case PRIORITY:
		return (unsigned)v > 6 ? -EPERM : 0;
	case BIND_DEV:
		return bind_dev_ok(fd, o->name, buf, n);
	case CONGESTION:
		return congestion_ok(sk, fd, buf, n);
	case IP_OPTS:
		return n <= 40 && !ip_options_unprivileged((const unsigned char *)buf, n) ? -EINVAL
											   : 0;
	}
	return 0;
}

long host_setsockopt(struct sock *sk, int fd, struct task *t, int level, int name, uaddr_t val,
		     int len)
{
	const struct opt *o = find_opt(level, name);
	if (!o)
		return netfilter_opt(level, name) ? -EPERM : -ENOPROTOOPT;
	if (!o->size)
		return -ENOPROTOOPT;
	/* Linux reads an int of every SOL_SOCKET value but a device name */
	if (level == SOL_SOCKET && name != SO_BINDTODEVICE && len < (int)sizeof(int))
		return -EINVAL;
	char buf[OPT_MAX];
	memset(buf, 0, sizeof(buf));
	int n = MIN(len, OPT_MAX);
	if (n && copy_from_user(t, buf, val, MIN(n, (int)o->size)))
		return -EFAULT;
	if (o->how == FILTER)
		return attach_filter(t, fd, name, buf, n);
	if (o->how == BPF_FD)
		return bpf_fd(t, buf, n);
	long err = value_check(o, sk, fd, buf, n);
	if (err)
		return err;
	return setsockopt(fd, level, name, buf, n) ? -errno : 0;
}

/* SO_GET_FILTER (SO_ATTACH_FILTER's number): the length is counted in
 * instructions, and the host writes as many as the program has. */
static long get_filter(struct task *t, int fd, uaddr_t val, uaddr_t ulen, int len)
{
	socklen_t n = MIN((unsigned)len, (unsigned)BPF_MAXINSNS);
	struct sock_filter *prog = xmalloc((n ? n : 1) * sizeof(*prog));
	socklen_t got = n;
	long r = getsockopt(fd, SOL_SOCKET, SO_GET_FILTER, prog, &got) ? -errno : 0;
	if (!r && n && got && copy_to_user(t, val, prog, MIN(got, n) * sizeof(*prog)))
		r = -EFAULT;
	int out = (int)got;
	if (!r && copy_to_user(t, ulen, &out, sizeof(out)))
		r = -EFAULT;
	free(prog);
	return r;
}

long host_getsockopt(struct sock *sk UNUSED, int fd, struct task *t, int level, int name,
		     uaddr_t val, uaddr_t ulen)
{
	int len;
	if (copy_from_user(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (!find_opt(level, name))
		return netfilter_opt(level, name) ? -EPERM : -ENOPROTOOPT;
	if (level == SOL_SOCKET && name == SO_GET_FILTER)
		return get_filter(t, fd, val, ulen, len);
	char buf[OPT_MAX];
	memset(buf, 0, sizeof(buf));
	socklen_t given = MIN(len, OPT_MAX), n = given;
	if (getsockopt(fd, level, name, buf, &n))
		return -errno;
	len = (int)n;
	if (copy_to_user(t, val, buf, MIN(n, given)) || copy_to_user(t, ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}
