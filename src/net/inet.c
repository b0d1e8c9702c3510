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
 * Control messages go both ways as they are (their layout is the host's).
 * Raw sockets are for a guest root only.
 *
 * Route netlink shows the host's interfaces, addresses and routes (what
 * if_nameindex and getifaddrs read), the network the guest already uses,
 * and nothing more: a request that would change them (any but RTM_GET*,
 * the test Linux itself makes for CAP_NET_ADMIN) or that goes to anyone
 * but the host kernel never leaves persona, and sendmsg fails with EPERM
 * (where Linux would answer an unprivileged process with an NLMSG_ERROR
 * of EPERM). Other netlink families are not there (EPROTONOSUPPORT). */
#include "socket.h"
#include "ksignal.h"
#include "uaccess.h"
#include "fdbudget.h"
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <linux/netlink.h>
#include <linux/sockios.h>
#include <unistd.h>

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

/* A guest socket on a new non-blocking host socket. */
static int host_socket(int family, int type, int protocol, struct sock **out)
{
	struct fd_account *acct;
	int fd = fdbudget_open(&acct, socket(family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol));
	if (fd < 0)
		return fd;
	*out = inet_wrap(fd, acct, family, type, protocol);
	return 0;
}

int inet_create(int family, int type, int protocol, struct sock **out)
{
	if ((type == SOCK_RAW || type == SOCK_PACKET) && current->proc->euid != 0)
		return -EPERM;	/* CAP_NET_RAW */
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

static int inet_bind(struct sock *sk, struct task *t UNUSED, struct linux_sockaddr_storage *a, int len)
{
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

/* The flags a guest may pass on to the host; the host call never waits. */
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
	if (is->rtnl && m->namelen && rtnl_not_kernel(m->name, m->namelen))
		return -EPERM;
	size_t cap = stream ? IO_MAX : m->len;
	char *buf = xmalloc(MIN(m->len - done, cap) + 1);
	/* control data goes as it is: its layout is the host's (SCM_RIGHTS
	 * is the host's EINVAL on these sockets, as on Linux) */
	struct msghdr h = { .msg_name = m->namelen ? m->name : NULL, .msg_namelen = m->namelen,
			    .msg_control = (void *)m->ctl, .msg_controllen = m->ctllen };
	long err = 0;
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
	case SIOCINQ: case SIOCOUTQ: case SIOCATMARK: case SIOCOUTQNSD: {
		int v;
		if (ioctl(I(sk)->fd, cmd, &v))
			return -errno;
		return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
	}
	}
	return -ENOTTY;
}

/* SO_RCVTIMEO and SO_SNDTIMEO are ours (the host socket never waits);
 * every other option is the host socket's. */
static bool timeout_option(int level, int name)
{
	return level == SOL_SOCKET && (name == SO_RCVTIMEO_OLD || name == SO_SNDTIMEO_OLD ||
				       name == SO_RCVTIMEO_NEW || name == SO_SNDTIMEO_NEW);
}

#define OPT_MAX 1024

static long inet_setsockopt(struct sock *sk, struct task *t, int level, int name, uaddr_t val, int len)
{
	if (timeout_option(level, name))
		return sock_setsockopt(sk, t, name, val, len);
	char buf[OPT_MAX];
	int n = MIN(len, OPT_MAX);
	if (n && copy_from_user(t, buf, val, n))
		return -EFAULT;
	return setsockopt(I(sk)->fd, level, name, n ? buf : NULL, n) ? -errno : 0;
}

static long inet_getsockopt(struct sock *sk, struct task *t, int level, int name, uaddr_t val,
			    uaddr_t ulen)
{
	if (timeout_option(level, name))
		return sock_getsockopt(sk, t, name, val, ulen);
	int len;
	if (copy_from_user(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	char buf[OPT_MAX];
	socklen_t n = MIN(len, OPT_MAX);
	if (getsockopt(I(sk)->fd, level, name, buf, &n))
		return -errno;
	len = (int)n;
	if (copy_to_user(t, val, buf, n) || copy_to_user(t, ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
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
