/* AF_INET and AF_INET6 (man 7 ip, man 7 ipv6, man 7 tcp, man 7 udp), and
 * AF_NETLINK's NETLINK_ROUTE (man 7 rtnetlink): each guest socket is a
 * host socket the kernel owns, as DESIGN.md plans.
 * The host stack does the networking; this file makes its answers the
 * guest's, under the one rule of the kernel loop: never block. Host
 * sockets are non-blocking, and a guest call that must wait parks its
 * task on the loop's watch of the host fd (sock_wait_hostfd), with the
 * socket's SO_RCVTIMEO / SO_SNDTIMEO, and runs again when the host says
 * the socket is ready.
 *
 * Network policy: the host's network, as a program run natively sees it.
 * The host fds live only in the kernel (never in a guest process), so
 * guests reach them only through these calls.
 *
 * A host socket acts with persona's privileges (persona may be root), and
 * the guest must never act with them: whatever the guest's ids, it can
 * do to the host's network what an unprivileged process can (a guest's
 * root is the root of a sandbox sharing the host's network, as a
 * container with the host's network is, without CAP_NET_ADMIN or
 * CAP_NET_RAW over it). So: only TCP, UDP and ICMP "ping" sockets are
 * made, raw sockets are EPERM (Linux without CAP_NET_RAW), ping sockets
 * follow net.ipv4.ping_group_range for the guest's groups; a bind to a
 * port below net.ipv4.ip_unprivileged_port_start needs the guest's
 * CAP_NET_BIND_SERVICE; options (inet_opt.c) and control messages
 * (inet_cmsg.c) reach the host only from lists, copied and checked; the
 * ioctls that reach it copy plain values. Control messages the host
 * hands back go to the guest as they are (their layout is the host's).
 *
 * Route netlink shows the host's interfaces, addresses and routes (what
 * if_nameindex and getifaddrs read), the network the guest already uses,
 * and nothing more: a request that would change them (any but RTM_GET*,
 * the test Linux itself makes for CAP_NET_ADMIN) or that goes to anyone
 * but the host kernel never leaves persona, and sendmsg fails with EPERM
 * (where Linux would answer an unprivileged process with an NLMSG_ERROR
 * of EPERM). Other netlink families are not there (EPROTONOSUPPORT). */
#include "inet.h"
#include "ksignal.h"
#include "uaccess.h"
#include "fdbudget.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <sys/fsuid.h>
#include <unistd.h>

#define SIN6_LEN_RFC2133 24	/* the shortest sockaddr_in6 Linux takes */
#define IO_MAX	(256 * 1024)	/* bytes per host call */
#define DGRAM_MAX	(1024 * 1024)

struct inet_sock {
	struct sock sk;
	int fd;			/* the host socket */
	struct fd_account *acct;	/* its charge (fdbudget.c) */
	bool connecting;	/* a blocking connect waits for the host's */
	bool rtnl;		/* route netlink: only questions go out */
};

static const struct proto_ops inet_ops;

static struct inet_sock *I(struct sock *sk) { return (struct inet_sock *)sk; }

static struct sock *inet_wrap(int fd, struct fd_account *acct, int family, int type, int protocol)
{
	struct inet_sock *is = xzalloc(sizeof(*is));
	sock_init(&is->sk, &inet_ops, family, type, protocol);
	is->fd = fd;
	is->acct = acct;
	return &is->sk;
}

/* A new non-blocking host socket. The host owns a socket by the file-system
 * uid of its maker; when persona is root, its guests' sockets are nobody's,
 * so that no guest can join a SO_REUSEPORT group of a host service (the
 * host allows that only between sockets of one owner). */
static int socket_for_guest(int family, int type, int protocol)
{
	bool root = geteuid() == 0;
	if (root)
		setfsuid(65534);
	int fd = socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol);
	int e = errno;
	if (root)
		setfsuid(0);
	errno = e;
	return fd;
}

/* A guest socket on a new host socket, charged to the caller's budget. */
static int host_socket(int family, int type, int protocol, struct sock **out)
{
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, socket_for_guest(family, type, protocol));
	if (fd < 0)
		return fd;
	*out = inet_wrap(fd, acct, family, type, protocol);
	return 0;
}

char *host_sysctl(const char *name, char *buf, size_t n)
{
	char path[128];
	snprintf(path, sizeof(path), "/proc/sys/net/%s", name);
	buf[0] = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	ssize_t r = read(fd, buf, n - 1);
	close(fd);
	if (r <= 0) {
		buf[0] = 0;
		return NULL;
	}
	buf[r] = 0;
	buf[strcspn(buf, "\n")] = 0;
	return buf;
}

/* Linux's ping_init_sock: the caller's effective group or one of its
 * supplementary groups lies in net.ipv4.ping_group_range. (The host then
 * asks the same of persona's.) */
static bool ping_allowed(struct process *p)
{
	char buf[64];
	unsigned lo, hi;
	if (!host_sysctl("ipv4/ping_group_range", buf, sizeof(buf)) ||
	    sscanf(buf, "%u %u", &lo, &hi) != 2)
		return false;
	if (p->egid >= lo && p->egid <= hi)
		return true;
	for (int i = 0; i < p->ngroups; i++)
		if (p->groups[i] >= lo && p->groups[i] <= hi)
			return true;
	return false;
}

/* The sockets Linux's inet_create makes for an unprivileged process, as
 * far as persona passes them on: TCP streams, UDP and ping datagrams.
 * Other protocols are EPROTONOSUPPORT and other types ESOCKTNOSUPPORT, as
 * on a Linux without them. */
int inet_create(int family, int type, int protocol, struct sock **out)
{
	int ping = family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (protocol < 0 || protocol >= IPPROTO_MAX)
		return -EINVAL;
	switch (type) {
	case SOCK_STREAM:
		if (protocol && protocol != IPPROTO_TCP)
			return -EPROTONOSUPPORT;
		break;
	case SOCK_DGRAM:
		if (protocol == ping && !ping_allowed(current->proc))
			return -EACCES;
		if (protocol && protocol != IPPROTO_UDP && protocol != ping)
			return -EPROTONOSUPPORT;
		break;
	case SOCK_RAW:
		return -EPERM;	/* CAP_NET_RAW */
	default:
		return -ESOCKTNOSUPPORT;
	}
	return host_socket(family, type, protocol, out);
}

int netlink_create(int type, int protocol, struct sock **out)
{
	if (type != SOCK_RAW && type != SOCK_DGRAM)
		return -ESOCKTNOSUPPORT;
	if (protocol != NETLINK_ROUTE)
		return -EPROTONOSUPPORT;
	int err = host_socket(AF_NETLINK, type, protocol, out);
	if (!err)
		I(*out)->rtnl = true;
	return err;
}

/* A netlink address other than the host kernel's: another process's
 * socket, or a multicast group. */
static bool rtnl_not_kernel(const struct linux_sockaddr_storage *a, int len)
{
	const struct sockaddr_nl *nl = (const void *)a;
	return len >= (int)sizeof(*nl) && nl->nl_family == AF_NETLINK &&
	       (nl->nl_pid || nl->nl_groups);
}

/* Whether each message of a netlink request only asks. The walk stops
 * where the host's would, at a message whose length does not fit. */
static bool rtnl_only_asks(const char *buf, size_t n)
{
	for (size_t off = 0; off + sizeof(struct nlmsghdr) <= n;) {
		const struct nlmsghdr *h = (const void *)(buf + off);
		if (h->nlmsg_len < sizeof(*h) || h->nlmsg_len > n - off)
			break;
		if (h->nlmsg_type >= NLMSG_MIN_TYPE && (h->nlmsg_type & 3) != 2)
			return false;
		off += NLMSG_ALIGN(h->nlmsg_len);
	}
	return true;
}

/* Waits for the host socket; `send` picks SO_SNDTIMEO over SO_RCVTIMEO. */
static long inet_wait(struct sock *sk, struct task *t, unsigned events, bool send)
{
	return sock_wait_hostfd(t, I(sk)->fd, events, send ? sk->sndtimeo : sk->rcvtimeo);
}

/* The port a TCP or UDP bind asks for, from an address Linux's
 * inet_bind / inet6_bind reads it from (else the host refuses the
 * address first); 0 if none. */
static int bind_port(struct sock *sk, const struct linux_sockaddr_storage *a, int len)
{
	if (I(sk)->rtnl || (sk->type == SOCK_DGRAM && sk->protocol && sk->protocol != IPPROTO_UDP))
		return 0;	/* netlink, ping: no ports */
	if (sk->family == AF_INET) {
		const struct sockaddr_in *in = (const void *)a;
		if (len < (int)sizeof(*in) || (in->sin_family != AF_INET &&
		    (in->sin_family != AF_UNSPEC || in->sin_addr.s_addr != htonl(INADDR_ANY))))
			return 0;
		return ntohs(in->sin_port);
	}
	const struct sockaddr_in6 *in6 = (const void *)a;
	if (len < SIN6_LEN_RFC2133 || in6->sin6_family != AF_INET6)
		return 0;
	return ntohs(in6->sin6_port);
}

/* A port below net.ipv4.ip_unprivileged_port_start needs the caller's
 * CAP_NET_BIND_SERVICE (EACCES), which a guest has as persona models
 * capabilities (capget): its root, if persona itself has it. A guest's
 * root may so bind them, as the root of a container sharing the host's
 * network may, and only if persona can (the host asks it of persona). */
static bool bind_allowed(struct task *t, int port)
{
	char buf[32];
	int start = 1024;
	if (!port)
		return true;
	if (host_sysctl("ipv4/ip_unprivileged_port_start", buf, sizeof(buf)))
		start = atoi(buf);
	if (port >= start)
		return true;
	struct kcaps c;
	process_caps(t->proc, &c);
	return c.eff & (1ULL << CAP_NET_BIND_SERVICE);
}

static int inet_bind(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a, int len)
{
	if (!bind_allowed(t, bind_port(sk, a, len)))
		return -EACCES;
	return bind(I(sk)->fd, (struct sockaddr *)a, len) ? -errno : 0;
}

/* A blocking connect starts the host's and waits until it is writable:
 * then connect again tells the outcome (EISCONN: done). */
static int inet_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a, int len,
			bool nonblock)
{
	struct inet_sock *is = I(sk);
	if (is->rtnl && rtnl_not_kernel(a, len))
		return -EPERM;
	if (connect(is->fd, (struct sockaddr *)a, len) == 0) {
		is->connecting = false;
		return 0;
	}
	int err = errno;
	if (err == EISCONN && is->connecting) {
		is->connecting = false;
		return 0;
	}
	if (err != EINPROGRESS && err != EALREADY) {
		is->connecting = false;
		return -err;
	}
	if (nonblock)
		return -err;
	is->connecting = true;
	long r = inet_wait(sk, t, POLLOUT, true);
	return r == -EAGAIN ? -EINPROGRESS : (int)r;	/* SO_SNDTIMEO ran out */
}

static int inet_listen(struct sock *sk, int backlog)
{
	return listen(I(sk)->fd, backlog) ? -errno : 0;
}

static int inet_accept(struct sock *sk, struct task *t, bool nonblock, struct sock **out)
{
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, accept4(I(sk)->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
	if (fd >= 0) {
		*out = inet_wrap(fd, acct, sk->family, sk->type, sk->protocol);
		return 0;
	}
	if (fd != -EAGAIN)
		return fd;
	return nonblock ? -EAGAIN : (int)inet_wait(sk, t, POLLIN, false);
}

static int inet_getname(struct sock *sk, struct linux_sockaddr_storage *a, bool peer)
{
	socklen_t len = sizeof(*a);
	int r = peer ? getpeername(I(sk)->fd, (struct sockaddr *)a, &len)
		     : getsockname(I(sk)->fd, (struct sockaddr *)a, &len);
	return r ? -errno : (int)len;
}

static int inet_shutdown(struct sock *sk, int how)
{
	return shutdown(I(sk)->fd, how) ? -errno : 0;
}

/* A send's control messages as they go to the host: on route netlink,
 * none (the guest's SCM_RIGHTS and SCM_CREDENTIALS get Linux's checks
 * against the guest's own fds and ids, and the kernel's route netlink
 * would not read them); on the others, those inet_cmsg.c lets through. */
static long send_cmsgs(struct sock *sk, struct task *t, struct kmsg *m, char **ctl, size_t *len)
{
	if (!I(sk)->rtnl)
		return host_cmsgs(sk, m->ctl, m->ctllen, ctl, len);
	struct scm scm;
	long err = scm_send(t, m->ctl, m->ctllen, &scm);
	scm_destroy(&scm);
	return err;
}

/* The flags a guest may pass on to the host; the host call never waits.
 * (MSG_ZEROCOPY is not one: the host would keep reading persona's
 * buffer after the call.) */
#define SEND_FLAGS (MSG_OOB | MSG_DONTROUTE | MSG_EOR | MSG_MORE | MSG_CONFIRM | MSG_FASTOPEN)
#define RECV_FLAGS (MSG_OOB | MSG_PEEK | MSG_TRUNC | MSG_ERRQUEUE)

static long inet_sendmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	struct inet_sock *is = I(sk);
	bool stream = sk->type == SOCK_STREAM;
	size_t done = stream ? sock_progress_take(t, m) : 0;
	uio_skip(&m->data, done);
	/* a datagram goes whole: one buffer of all of it (none is bigger
	 * than 64 KiB; the cap only keeps a huge length from the heap) */
	if (!stream && m->len > DGRAM_MAX)
		return -EMSGSIZE;
	/* the control data goes with the first part, checked */
	char *ctl = NULL;
	size_t ctllen = 0;
	long err = done || !m->ctllen ? 0 : send_cmsgs(sk, t, m, &ctl, &ctllen);
	if (err)
		return err;
	if (is->rtnl && m->namelen && rtnl_not_kernel(m->name, m->namelen)) {
		free(ctl);
		return -EPERM;
	}
	size_t cap = stream ? IO_MAX : m->len;
	char *buf = xmalloc(MIN(m->len - done, cap) + 1);
	struct msghdr h = { .msg_name = m->namelen ? m->name : NULL, .msg_namelen = m->namelen,
			    .msg_control = ctl, .msg_controllen = ctllen };
	do {
		size_t n = MIN(m->len - done, cap);
		if (uio_copy_from(&m->data, buf, n)) {
			err = -EFAULT;
			break;
		}
		if (is->rtnl && !rtnl_only_asks(buf, n)) {
			err = -EPERM;
			break;
		}
		if (done)	/* the control data went with the first part */
			h.msg_control = NULL, h.msg_controllen = 0;
		struct iovec v = { buf, n };
		h.msg_iov = &v;
		h.msg_iovlen = 1;
		ssize_t w = sendmsg(is->fd, &h, (m->flags & SEND_FLAGS) | MSG_DONTWAIT | MSG_NOSIGNAL);
		if (w < 0) {
			err = -errno;
			break;
		}
		done += w;
		if ((size_t)w < n) {
			err = -EAGAIN;	/* the buffer is full: the rest waits */
			break;
		}
	} while (done < m->len);
	free(buf);
	free(ctl);
	if (err == -EPIPE && !(m->flags & MSG_NOSIGNAL))
		send_sigpipe(t);
	if (err == -EAGAIN && !(m->flags & MSG_DONTWAIT))
		err = inet_wait(sk, t, POLLOUT, true);
	return sock_io_end(t, m, done, err);
}

static long inet_recvmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	struct inet_sock *is = I(sk);
	bool waitall = (m->flags & MSG_WAITALL) && sk->type == SOCK_STREAM &&
		       !(m->flags & (MSG_PEEK | MSG_DONTWAIT));
	size_t done = sock_progress_take(t, m);
	uio_skip(&m->data, done);
	char *buf = xmalloc(MIN(m->len - done, (size_t)IO_MAX) + 1);
	long err = 0;
	for (;;) {
		size_t n = MIN(m->len - done, (size_t)IO_MAX);
		struct iovec v = { buf, n };
		struct msghdr h = { .msg_iov = &v, .msg_iovlen = 1 };
		if (m->ctl_room && !m->raw_ctl) {
			m->raw_ctl = xmalloc(m->ctl_room);
			h.msg_control = m->raw_ctl;
			h.msg_controllen = m->ctl_room;
		}
		if (m->name) {
			h.msg_name = m->name;
			h.msg_namelen = sizeof(*m->name);
		}
		ssize_t r = recvmsg(is->fd, &h, (m->flags & RECV_FLAGS) | MSG_DONTWAIT);
		if (r < 0) {
			err = -errno;
			break;
		}
		/* MSG_TRUNC may report more than the buffer took */
		size_t got = MIN((size_t)r, n);
		if (uio_copy_to(&m->data, buf, got)) {
			err = -EFAULT;
			break;
		}
		if (m->name)
			m->namelen = (int)h.msg_namelen;
		if (h.msg_control)
			m->raw_ctllen = h.msg_controllen;
		m->out_flags |= h.msg_flags & (MSG_TRUNC | MSG_EOR | MSG_OOB | MSG_CTRUNC);
		if (!waitall || r == 0 || done + got >= m->len) {
			done += (size_t)r;	/* a datagram's MSG_TRUNC length too */
			break;
		}
		done += got;
	}
	free(buf);
	if (err == -EAGAIN && !(m->flags & MSG_DONTWAIT) && (!done || waitall))
		err = inet_wait(sk, t, POLLIN, false);
	return sock_io_end(t, m, done, err);
}

static unsigned inet_poll(struct sock *sk, struct poll_table *pt)
{
	return hostfd_poll(I(sk)->fd, pt);
}

static long inet_ioctl(struct sock *sk, struct task *t, unsigned long cmd, uint64_t arg)
{
	switch (cmd) {
	/* these write a plain value of a known size: persona's copy */
	case SIOCINQ: case SIOCOUTQ: case SIOCATMARK: case SIOCOUTQNSD: {
		int v;
		if (ioctl(I(sk)->fd, cmd, &v))
			return -errno;
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	case SIOCGSTAMP_OLD: case SIOCGSTAMPNS_OLD: {
		struct timespec v;	/* a timeval or a timespec: 16 bytes */
		if (ioctl(I(sk)->fd, cmd, &v))
			return -errno;
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	}
	return -ENOTTY;	/* nothing else reaches the host */
}

/* SO_RCVTIMEO and SO_SNDTIMEO are ours (the host socket never waits);
 * the other options are the host socket's, through inet_opt.c. */
static bool timeout_option(int level, int name)
{
	return level == SOL_SOCKET && (name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD ||
				       name == SO_RCVTIMEO_NEW || name == SO_SNDTIMEO_NEW);
}

static long inet_setsockopt(struct sock *sk, struct task *t, int level, int name, uaddr_t val, int len)
{
	if (timeout_option(level, name))
		return sock_setsockopt(sk, t, name, val, len);
	return host_setsockopt(sk, I(sk)->fd, t, level, name, val, len);
}

static long inet_getsockopt(struct sock *sk, struct task *t, int level, int name, uaddr_t val,
			    uaddr_t ulen)
{
	if (timeout_option(level, name))
		return sock_getsockopt(sk, t, name, val, ulen);
	return host_getsockopt(sk, I(sk)->fd, t, level, name, val, ulen);
}

static void inet_release(struct sock *sk)
{
	struct inet_sock *is = I(sk);
	if (is->fd < 0)
		return;
	hostfd_unwatch(is->fd);
	close(is->fd);
	fdbudget_uncharge(is->acct);
	is->fd = -1;
}

static void inet_destroy(struct sock *sk)
{
	inet_release(sk);
	free(I(sk));
}

static const struct proto_ops inet_ops = {
	.bind = inet_bind,
	.connect = inet_connect,
	.listen = inet_listen,
	.accept = inet_accept,
	.getname = inet_getname,
	.shutdown = inet_shutdown,
	.sendmsg = inet_sendmsg,
	.recvmsg = inet_recvmsg,
	.poll = inet_poll,
	.ioctl = inet_ioctl,
	.setsockopt = inet_setsockopt,
	.getsockopt = inet_getsockopt,
	.release = inet_release,
	.destroy = inet_destroy,
};
