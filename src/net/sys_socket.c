/* The calls that make and name sockets: socket, socketpair, bind,
 * listen, accept, accept4, connect, shutdown, getsockname, getpeername
 * (man 2 of each), with the checks of Linux's net/socket.c in the same
 * order. The families answer through sk->ops (socket.h). */
#include "socket.h"
#include "anon_inode.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>

/* A socket that never got a file goes as a closed one does. */
static void sock_discard(struct sock *sk)
{
	if (!sk)
		return;
	sk->ops->release(sk);
	sock_put(sk);
}

/* ---- fds made before the socket, as Linux reserves them ---- */

/* Takes the lowest free fd for a file to come (a placeholder with no
 * ops stands in it; the guest never runs in between). */
static int fd_reserve(struct task *t, bool cloexec)
{
	struct file *f = file_alloc();
	int fd = fd_install(t, f, 0, cloexec);
	if (fd < 0)
		file_put(f);
	return fd;
}

static void fd_fill(struct task *t, int fd, struct file *f, bool cloexec)
{
	fd_install_at(t, f, fd, cloexec);
}

/* ---- socket, socketpair ---- */

static int sock_create(int family, int type, int protocol, struct sock **out)
{
	if (family < 0 || family >= LINUX_AF_MAX)
		return -EAFNOSUPPORT;
	if (type < 0 || type >= LINUX_SOCK_MAX)
		return -EINVAL;
	switch (family) {
	case AF_UNIX:
		return unix_create(type, protocol, out);
	case AF_INET:
	case AF_INET6:
		return inet_create(family, type, protocol, out);
	case AF_NETLINK:
		return netlink_create(type, protocol, out);
	case AF_PACKET:
		/* Linux's packet_create asks CAP_NET_RAW first, which no
		 * guest has over the host's network */
		return -EPERM;
	}
	/* other families never become host sockets */
	return -EAFNOSUPPORT;
}

long sys_socket(struct task *t, const struct sysargs *a)
{
	int family = (int)a->a[0], type = (int)a->a[1], protocol = (int)a->a[2];
	int flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	struct sock *sk;
	int err = sock_create(family, type & SOCK_TYPE_MASK, protocol, &sk);
	if (err)
		return err;
	struct file *f = sock_file_new(sk, flags);
	int fd = fd_install(t, f, 0, flags & SOCK_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_socketpair(struct task *t, const struct sysargs *a)
{
	int family = (int)a->a[0], type = (int)a->a[1], protocol = (int)a->a[2];
	int flags = type & ~SOCK_TYPE_MASK;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		return -EINVAL;
	bool cloexec = flags & SOCK_CLOEXEC;
	/* Linux reserves both fds and writes them out before it makes the
	 * sockets: EMFILE and EFAULT come before EAFNOSUPPORT. */
	int fds[2] = { fd_reserve(t, cloexec), -1 };
	if (fds[0] < 0)
		return fds[0];
	if ((fds[1] = fd_reserve(t, cloexec)) < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	struct sock *sa = NULL, *sb = NULL;
	long err = copy_to_user(t, a->a[3], fds, sizeof(fds)) ? -EFAULT : 0;
	if (!err)
		err = sock_create(family, type & SOCK_TYPE_MASK, protocol, &sa);
	if (!err)
		err = sock_create(family, type & SOCK_TYPE_MASK, protocol, &sb);
	if (!err)
		err = sa->ops->socketpair ? sa->ops->socketpair(sa, sb) : -EOPNOTSUPP;
	if (err) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		sock_discard(sa);
		sock_discard(sb);
		return err;
	}
	fd_fill(t, fds[0], sock_file_new(sa, flags), cloexec);
	fd_fill(t, fds[1], sock_file_new(sb, flags), cloexec);
	return 0;
}

/* ---- bind, connect, listen, shutdown, names ---- */

long sys_bind(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	struct linux_sockaddr_storage addr;
	err = move_addr_to_kernel(t, a->a[1], (int)a->a[2], &addr);
	if (!err)
		err = sk->ops->bind ? sk->ops->bind(sk, t, &addr, (int)a->a[2]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_connect(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get_io(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	struct linux_sockaddr_storage addr;
	long err = move_addr_to_kernel(t, a->a[1], (int)a->a[2], &addr);
	struct sock *sk = sock_of(f);
	if (!err && !sk)
		err = -ENOTSOCK;
	if (!err)
		err = sk->ops->connect ? sk->ops->connect(sk, t, &addr, (int)a->a[2],
							  f->flags & O_NONBLOCK) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_listen(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	int backlog = (int)a->a[1];
	if ((unsigned)backlog > LINUX_SOMAXCONN)
		backlog = LINUX_SOMAXCONN;
	err = sk->ops->listen ? sk->ops->listen(sk, backlog) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

long sys_shutdown(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	err = sk->ops->shutdown ? sk->ops->shutdown(sk, (int)a->a[1]) : -EOPNOTSUPP;
	file_put(f);
	return err;
}

static long do_getname(struct task *t, const struct sysargs *a, bool peer)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	struct sock *sk = sock_of(f);
	struct linux_sockaddr_storage addr;
	memset(&addr, 0, sizeof(addr));
	int len = sk->ops->getname(sk, &addr, peer);
	err = len < 0 ? len : move_addr_to_user(t, &addr, len, a->a[1], a->a[2]);
	file_put(f);
	return err;
}

long sys_getsockname(struct task *t, const struct sysargs *a) { return do_getname(t, a, false); }
long sys_getpeername(struct task *t, const struct sysargs *a) { return do_getname(t, a, true); }

/* ---- accept, accept4 ---- */

/* Hands out the new connection: its file at the reserved fd, and the
 * peer's name if asked (a failure there loses the connection, as in
 * Linux). */
static long accepted(struct task *t, struct sock *conn, int fd, int flags, uaddr_t uaddr,
		     uaddr_t ulen)
{
	struct file *nf = sock_file_new(conn, flags);
	if (uaddr) {
		struct linux_sockaddr_storage addr;
		memset(&addr, 0, sizeof(addr));
		int len = conn->ops->getname(conn, &addr, true);
		long err = len < 0 ? -ECONNABORTED : move_addr_to_user(t, &addr, len, uaddr, ulen);
		if (err) {
			fd_close(t, fd);
			file_put(nf);
			return err;
		}
	}
	fd_fill(t, fd, nf, flags & SOCK_CLOEXEC);
	return fd;
}

static long do_accept4(struct task *t, int lfd, uaddr_t uaddr, uaddr_t ulen, int flags)
{
	struct file *f = fd_get_io(t, lfd);
	if (!f)
		return -EBADF;
	long err = -EINVAL;
	int fd = -1;
	if (flags & ~(SOCK_CLOEXEC | SOCK_NONBLOCK))
		goto out;
	if ((err = fd = fd_reserve(t, flags & SOCK_CLOEXEC)) < 0)
		goto out;
	struct sock *sk = sock_of(f), *conn;
	err = !sk ? -ENOTSOCK : !sk->ops->accept ? -EOPNOTSUPP
	      : sk->ops->accept(sk, t, f->flags & O_NONBLOCK, &conn);
	if (err) {
		fd_close(t, fd);
		goto out;
	}
	err = accepted(t, conn, fd, flags, uaddr, ulen);
out:
	file_put(f);
	return err;
}

long sys_accept(struct task *t, const struct sysargs *a)
{
	return do_accept4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

long sys_accept4(struct task *t, const struct sysargs *a)
{
	return do_accept4(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}
