/* The network device ioctls (man 7 netdevice) on any socket: what
 * if_nametoindex, if_indextoname and ifconfig-style programs ask. They
 * read the host's interfaces, as route netlink does (inet.c), through one
 * host socket of the kernel's, with a struct ifreq copied in (its
 * name and index: no pointer) or, for SIOCGIFCONF, a buffer of persona's.
 * Those that would change an interface, an address, a route or the ARP
 * table (SIOCSIF*, SIOCADDRT, SIOCSARP, ...) never reach the host: EPERM,
 * what Linux says to a process without CAP_NET_ADMIN. Any other ioctl
 * goes to the socket's family (inet.c: a few more that read plain
 * values; the rest ENOTTY). */
#include "socket.h"
#include "uaccess.h"
#include <net/if.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <unistd.h>

#define IFCONF_MAX (64 * 1024)

static int host_sock = -1;

static int query_socket(void)
{
	if (host_sock < 0)
		host_sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return host_sock;
}

/* A struct ifreq in, the host's answer out. */
static long ifreq_get(struct task *t, unsigned long cmd, uaddr_t arg)
{
	struct ifreq req;
	if (copy_from_user(t, &req, arg, sizeof(req)))
		return -EFAULT;
	if (ioctl(query_socket(), cmd, &req))
		return -errno;
	return copy_to_user(t, arg, &req, sizeof(req));
}

/* SIOCGIFCONF: the interfaces' addresses into the caller's buffer, or
 * (no buffer) the length they need. */
static long ifconf_get(struct task *t, uaddr_t arg)
{
	struct ifconf c;
	if (copy_from_user(t, &c, arg, sizeof(c)))
		return -EFAULT;
	uaddr_t ubuf = (uaddr_t)c.ifc_buf;
	int room = c.ifc_len < 0 ? 0 : MIN(c.ifc_len, IFCONF_MAX);
	char *kbuf = ubuf ? xmalloc(room + 1) : NULL;
	c.ifc_buf = kbuf;
	c.ifc_len = room;
	long r = ioctl(query_socket(), SIOCGIFCONF, &c) ? -errno : 0;
	if (!r && kbuf && copy_to_user(t, ubuf, kbuf, c.ifc_len))
		r = -EFAULT;
	free(kbuf);
	c.ifc_buf = (char *)ubuf;
	return r ? r : copy_to_user(t, arg, &c, sizeof(c));
}

bool netdev_ioctl(struct sock *sk, struct task *t, unsigned long cmd, uaddr_t arg, long *result)
{
	/* The addresses and routes are the address families': Linux answers
	 * them on AF_INET (and some on AF_INET6) sockets only; others go on
	 * to the family's ioctl (ENOTTY). */
	bool inet = sk->family == AF_INET, inet6 = sk->family == AF_INET6;
	switch (cmd) {
	case SIOCGIFADDR: case SIOCGIFDSTADDR: case SIOCGIFBRDADDR: case SIOCGIFNETMASK:
		if (!inet)
			return false;
		/* fall through */
	case SIOCGIFNAME: case SIOCGIFINDEX: case SIOCGIFFLAGS: case SIOCGIFMETRIC:
	case SIOCGIFMTU: case SIOCGIFHWADDR: case SIOCGIFMAP: case SIOCGIFTXQLEN:
		*result = ifreq_get(t, cmd, arg);
		return true;
	case SIOCGIFCONF:
		*result = ifconf_get(t, arg);
		return true;
	/* the ones that would change the host's network: never sent */
	case SIOCSIFBRDADDR: case SIOCSIFNETMASK: case SIOCSARP: case SIOCDARP:
		if (!inet)
			return false;
		*result = -EPERM;
		return true;
	case SIOCDIFADDR:	/* IPv6's only */
		if (!inet6)
			return false;
		*result = -EPERM;
		return true;
	case SIOCSIFADDR: case SIOCSIFDSTADDR: case SIOCADDRT: case SIOCDELRT:
		if (!inet && !inet6)
			return false;
		/* fall through */
	case SIOCSIFNAME: case SIOCSIFFLAGS: case SIOCSIFMETRIC: case SIOCSIFMTU:
	case SIOCSIFHWADDR: case SIOCSIFMAP: case SIOCSIFTXQLEN: case SIOCSIFHWBROADCAST:
	case SIOCADDMULTI: case SIOCDELMULTI: case SIOCSIFLINK:
		*result = -EPERM;
		return true;
	}
	return false;
}
