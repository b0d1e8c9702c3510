/* AF_UNIX sockets (man 7 unix): names, connections, shutdown, poll.
 * Linux's net/unix/af_unix.c is the model for every rule here.
 *
 * Names: a filesystem name is an S_IFSOCK inode made in the directory
 * (as mknod makes it) and found again by the inode's (device, inode)
 * identity; an abstract name (leading NUL) lives in a kernel list, one
 * namespace per socket type as Linux's hash has it; an empty bind or a
 * send with SO_PASSCRED picks an autobind name "\0XXXXX".
 *
 * Stream and seqpacket connections: connect() makes the server's end at
 * once (an "embryo" in the listener's queue, already connected to the
 * client, so the client may write before accept) and accept() hands it
 * out. Closing one end marks the other shut down both ways, with
 * ECONNRESET pending if the closed end left data unread.
 *
 * Datagram sockets queue at most max_backlog (10) messages from senders
 * the receiver is not connected back to; senders wait on the receiver's
 * peer_wait. */
#include "unix.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>

static struct list_head bsd_list = LIST_HEAD_INIT(bsd_list);
static struct list_head abstract_list = LIST_HEAD_INIT(abstract_list);
static unsigned autobind_next;

static const struct proto_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

static struct unix_sock *unix_alloc(int type, const struct proto_ops *ops)
{
	struct unix_sock *u = xzalloc(sizeof(*u));
	sock_init(&u->sk, ops, AF_UNIX, type, 0);
	u->sk.max_backlog = 10;	/* net.unix.max_dgram_qlen */
	list_init(&u->bind_node);
	list_init(&u->queue);
	waitq_init(&u->peer_wait);
	return u;
}

int unix_create(int type, int protocol, struct sock **out)
{
	if (protocol && protocol != PF_UNIX)
		return -EPROTONOSUPPORT;
	const struct proto_ops *ops;
	switch (type) {
	case SOCK_STREAM:
		ops = &unix_stream_ops;
		break;
	case SOCK_RAW:		/* BSD compatibility: a datagram socket */
		type = SOCK_DGRAM;
		/* fall through */
	case SOCK_DGRAM:
		ops = &unix_dgram_ops;
		break;
	case SOCK_SEQPACKET:
		ops = &unix_seqpacket_ops;
		break;
	default:
		return -ESOCKTNOSUPPORT;
	}
	*out = &unix_alloc(type, ops)->sk;
	return 0;
}

static void unix_destroy(struct sock *sk)
{
	struct unix_sock *u = U(sk);
	wake_up(&u->peer_wait);
	unix_queue_purge(u);
	free(u);
}

/* ---- names ---- */

int unix_validate_addr(const struct linux_sockaddr_storage *a, int len)
{
	if (len <= SUN_PATH_OFFSET || len > SUN_LEN_MAX || a->family != AF_UNIX)
		return -EINVAL;
	return 0;
}

/* Ends a filesystem name at `len` and gives the length Linux keeps:
 * the path, its NUL and the family (so a 108-byte path gives 111). */
static int mkname_bsd(struct linux_sockaddr_storage *a, int len)
{
	((char *)a)[len] = 0;
	return (int)strlen(a->data) + SUN_PATH_OFFSET + 1;
}

static struct unix_sock *find_abstract(const struct linux_sockaddr_storage *a, int len, int type)
{
	struct unix_sock *u;
	list_for_each_entry(u, &abstract_list, bind_node)
		if (u->sk.type == type && u->addr.len == len && !memcmp(&u->addr.sa, a, len))
			return u;
	return NULL;
}

static void set_addr(struct unix_sock *u, const struct linux_sockaddr_storage *a, int len)
{
	u->addr.len = len;
	memcpy(&u->addr.sa, a, len);
}

int unix_autobind(struct unix_sock *u)
{
	if (u->addr.len)
		return 0;
	struct linux_sockaddr_storage a = { .family = AF_UNIX };
	for (unsigned tries = 0; tries < 0x100000; tries++) {
		unsigned n = autobind_next++ & 0xFFFFF;
		snprintf(a.data + 1, sizeof(a.data) - 1, "%05x", n);
		if (!find_abstract(&a, SUN_PATH_OFFSET + 6, u->sk.type)) {
			set_addr(u, &a, SUN_PATH_OFFSET + 6);
			list_add_tail(&u->bind_node, &abstract_list);
			return 0;
		}
	}
	return -ENOSPC;
}

static int bind_abstract(struct unix_sock *u, const struct linux_sockaddr_storage *a, int len)
{
	if (u->addr.len)
		return -EINVAL;
	if (find_abstract(a, len, u->sk.type))
		return -EADDRINUSE;
	set_addr(u, a, len);
	list_add_tail(&u->bind_node, &abstract_list);
	return 0;
}

/* The checks of Linux's filename_create and may_create, in order (as
 * sys_mknod.c makes them); an existing name is EADDRINUSE for bind. */
static int may_create(struct path parent, const char *last, bool slash)
{
	if (!strcmp(last, "/") || !strcmp(last, ".") || !strcmp(last, ".."))
		return -EEXIST;
	struct path p;
	int err = lookup_one(parent, last, &p);
	if (err == 0) {
		path_put(&p);
		return -EEXIST;
	}
	if (err != -ENOENT)
		return err;
	if (slash || parent.dentry->deleted)
		return -ENOENT;
	if ((err = path_may_write(parent)))
		return err;
	return inode_permission(parent.dentry->inode, MAY_WRITE | MAY_EXEC);
}

/* Makes the S_IFSOCK inode (mode 0777 less the umask, as Linux's
 * SOCK_INODE mode) and records its identity. */
static int make_sock_inode(struct unix_sock *u, struct task *t, struct path parent, const char *last)
{
	struct inode *dir = parent.dentry->inode, *ni;
	if (!dir->ops->create)
		return -EPERM;
	uint32_t mode = S_IFSOCK | (0777 & ~t->proc->fs->umask);
	int err = dir->ops->create(dir, last, mode, 0, &ni);
	if (err)
		return err;
	struct kstat st;
	err = inode_stat(ni, &st);
	inode_put(ni);
	if (err)
		return err;
	u->bsd = true;
	u->bdev = st.dev;
	u->bino = st.ino;
	return 0;
}

static int bind_bsd(struct unix_sock *u, struct task *t, struct linux_sockaddr_storage *a, int len)
{
	len = mkname_bsd(a, len);
	size_t n = strlen(a->data);
	struct path parent;
	char *last, *buf;
	int err = path_parent(t, AT_FDCWD, a->data, &parent, &last, &buf);
	if (err)
		return err;
	err = may_create(parent, last, n > 1 && a->data[n - 1] == '/');
	/* Linux makes the inode, then finds the socket bound already and
	 * takes it back: a bound socket gets EINVAL only for a new name. */
	if (!err && u->addr.len)
		err = -EINVAL;
	if (!err)
		err = make_sock_inode(u, t, parent, last);
	path_put(&parent);
	free(buf);
	if (err)
		return err == -EEXIST ? -EADDRINUSE : err;
	set_addr(u, a, len);
	list_add_tail(&u->bind_node, &bsd_list);
	return 0;
}

static int unix_bind(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a, int len)
{
	struct unix_sock *u = U(sk);
	if (len == SUN_PATH_OFFSET && a->family == AF_UNIX)
		return unix_autobind(u);
	int err = unix_validate_addr(a, len);
	if (err)
		return err;
	return a->data[0] ? bind_bsd(u, t, a, len) : bind_abstract(u, a, len);
}

static struct unix_sock *find_bsd(struct task *t, struct linux_sockaddr_storage *a, int len,
				  int type, int *err)
{
	mkname_bsd(a, len);
	struct path p;
	if ((*err = path_lookup(t, AT_FDCWD, a->data, LOOKUP_FOLLOW, &p)))
		return NULL;
	struct inode *i = p.dentry->inode;
	struct kstat st;
	struct unix_sock *u = NULL, *it;
	if (!(*err = inode_permission(i, MAY_WRITE))) {
		*err = -ECONNREFUSED;
		if (S_ISSOCK(i->mode) && !inode_stat(i, &st)) {
			list_for_each_entry(it, &bsd_list, bind_node)
				if (it->bdev == st.dev && it->bino == st.ino)
					u = it;
		}
	}
	path_put(&p);
	if (u)
		*err = u->sk.type == type ? 0 : -EPROTOTYPE;
	if (*err)
		return NULL;
	return u ? U(sock_hold(&u->sk)) : NULL;
}

struct unix_sock *unix_find_other(struct task *t, struct linux_sockaddr_storage *a, int len,
				  int type, int *err)
{
	if (a->data[0])
		return find_bsd(t, a, len, type, err);
	struct unix_sock *u = find_abstract(a, len, type);
	*err = u ? 0 : -ECONNREFUSED;
	return u ? U(sock_hold(&u->sk)) : NULL;
}

static int unix_getname(struct sock *sk, struct linux_sockaddr_storage *a, bool peer)
{
	struct unix_sock *u = peer ? U(sk)->peer : U(sk);
	if (!u)
		return -ENOTCONN;
	if (!u->addr.len) {
		a->family = AF_UNIX;
		return SUN_PATH_OFFSET;
	}
	memcpy(a, &u->addr.sa, u->addr.len);
	return u->addr.len;
}

/* ---- connections ---- */

bool unix_recvq_full(struct unix_sock *u)
{
	return u->qlen > (size_t)u->sk.max_backlog;
}

bool unix_may_send(struct unix_sock *u, struct unix_sock *other)
{
	return !other->peer || other->peer == u;
}

static int unix_listen(struct sock *sk, int backlog)
{
	struct unix_sock *u = U(sk);
	if (!u->addr.len)
		return -EINVAL;		/* no listening on an unbound socket */
	if (sk->state != SK_CLOSE && sk->state != SK_LISTEN)
		return -EINVAL;
	if (backlog > sk->max_backlog)
		wake_up(&u->peer_wait);
	sk->max_backlog = backlog;
	sk->state = SK_LISTEN;
	sk->peercred = cred_of_task(current, true);	/* connect copies these */
	return 0;
}

/* The server's end of a new connection, connected to the client `u`. */
static struct unix_sock *embryo_new(struct unix_sock *u, struct unix_sock *listener, struct task *t)
{
	struct unix_sock *n = unix_alloc(u->sk.type, u->sk.ops);
	n->peer = U(sock_hold(&u->sk));
	n->sk.state = SK_ESTABLISHED;
	n->sk.flags = listener->sk.flags & SKF_PASSCRED;
	n->sk.peercred = cred_of_task(t, true);
	n->addr = listener->addr;
	return n;
}

static int unix_stream_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
			       int len, bool nonblock)
{
	struct unix_sock *u = U(sk);
	int err = unix_validate_addr(a, len);
	if (err)
		return err;
	if ((sk->flags & SKF_PASSCRED) && (err = unix_autobind(u)))
		return err;
	struct unix_sock *other = unix_find_other(t, a, len, sk->type, &err);
	if (!other)
		return err;
	if (other->sk.state != SK_LISTEN || (other->sk.shutdown & RCV_SHUTDOWN)) {
		err = -ECONNREFUSED;
	} else if (unix_recvq_full(other)) {
		/* The backlog is full: wait for an accept (other's release
		 * wakes peer_wait before it can go). */
		err = sock_wait(t, &other->peer_wait, nonblock ? 0 : sk->sndtimeo);
	} else if (sk->state != SK_CLOSE) {
		err = sk->state == SK_ESTABLISHED ? -EISCONN : -EINVAL;
	} else {
		struct unix_sock *n = embryo_new(u, other, t);
		sk->peercred = other->sk.peercred;
		sk->state = SK_ESTABLISHED;
		u->peer = U(sock_hold(&n->sk));
		struct unix_msg *req = xzalloc(sizeof(*req));
		req->conn = n;		/* the queue's reference */
		unix_enqueue(other, req);
		err = 0;
	}
	sock_put(&other->sk);
	return err;
}

static int unix_dgram_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
			      int len, bool nonblock UNUSED)
{
	struct unix_sock *u = U(sk), *other = NULL;
	int err;
	if (len < (int)sizeof(a->family))
		return -EINVAL;
	if (a->family != AF_UNSPEC) {
		if ((err = unix_validate_addr(a, len)))
			return err;
		if ((sk->flags & SKF_PASSCRED) && (err = unix_autobind(u)))
			return err;
		if (!(other = unix_find_other(t, a, len, sk->type, &err)))
			return err;
		if (!unix_may_send(u, other)) {
			sock_put(&other->sk);
			return -EPERM;
		}
		sk->state = SK_ESTABLISHED;
		other->sk.state = SK_ESTABLISHED;
	}
	struct unix_sock *old = u->peer;
	u->peer = other;	/* takes the lookup's reference */
	if (!old)
		return 0;
	if (!other)
		sk->state = SK_CLOSE;
	wake_up(&sk->wait);
	if (other != old) {
		unix_dgram_disconnected(u, old);
		if (!old->peer)
			old->sk.state = SK_CLOSE;
	}
	sock_put(&old->sk);
	return 0;
}

void unix_dgram_disconnected(struct unix_sock *u, struct unix_sock *other)
{
	if (list_empty(&u->queue))
		return;
	unix_queue_purge(u);
	wake_up(&u->peer_wait);
	/* One half of a two-way datagram pair went: the other learns. */
	if (!other->sk.dead && other->peer == u) {
		other->sk.err = ECONNRESET;
		wake_up(&other->sk.wait);
	}
}

static int unix_socketpair(struct sock *a, struct sock *b)
{
	struct linux_ucred cr = cred_of_task(current, true);
	U(a)->peer = U(sock_hold(b));
	U(b)->peer = U(sock_hold(a));
	a->peercred = b->peercred = cr;
	a->state = b->state = SK_ESTABLISHED;
	return 0;
}

static int unix_accept(struct sock *sk, struct task *t, bool nonblock, struct sock **out)
{
	struct unix_sock *u = U(sk);
	if (sk->state != SK_LISTEN)
		return -EINVAL;
	if (list_empty(&u->queue)) {
		if (nonblock)
			return -EAGAIN;
		if (sk->shutdown & RCV_SHUTDOWN)
			return -EINVAL;
		return (int)sock_wait(t, &sk->wait, sk->rcvtimeo);
	}
	struct unix_msg *req = list_entry(u->queue.next, struct unix_msg, node);
	list_del(&req->node);
	u->qlen--;
	*out = &req->conn->sk;	/* the queue's reference goes to the caller */
	req->conn = NULL;
	unix_msg_free(req);
	wake_up(&u->peer_wait);	/* a connector may fit now */
	return 0;
}

static int unix_shutdown(struct sock *sk, int how)
{
	if (how < SHUT_RD || how > SHUT_RDWR)
		return -EINVAL;
	unsigned mode = how + 1;	/* SHUT_RD -> RCV_SHUTDOWN, ... */
	sk->shutdown |= mode;
	wake_up(&sk->wait);
	struct unix_sock *other = U(sk)->peer;
	if (other && sk->type != SOCK_DGRAM) {
		unsigned peer_mode = (mode & RCV_SHUTDOWN ? SEND_SHUTDOWN : 0) |
				     (mode & SEND_SHUTDOWN ? RCV_SHUTDOWN : 0);
		other->sk.shutdown |= peer_mode;
		wake_up(&other->sk.wait);
	}
	return 0;
}

/* Linux's unix_release_sock; `embryo` is a connection never accepted. */
static void release_sock(struct unix_sock *u, bool embryo)
{
	struct sock *sk = &u->sk;
	list_del(&u->bind_node);
	sk->dead = true;
	sk->shutdown = SHUTDOWN_MASK;
	int state = sk->state;
	sk->state = SK_CLOSE;
	struct unix_sock *pair = u->peer;
	u->peer = NULL;
	wake_up(&u->peer_wait);
	if (pair) {
		if (sk->type != SOCK_DGRAM) {
			pair->sk.shutdown = SHUTDOWN_MASK;
			if (!list_empty(&u->queue) || embryo)
				pair->sk.err = ECONNRESET;
			wake_up(&pair->sk.wait);
		}
		sock_put(&pair->sk);
	}
	/* A listener's pending connections die with it. */
	if (state == SK_LISTEN) {
		struct unix_msg *req, *n;
		list_for_each_entry_safe(req, n, &u->queue, node) {
			list_del(&req->node);
			u->qlen--;
			struct unix_sock *c = req->conn;
			req->conn = NULL;
			unix_msg_free(req);
			release_sock(c, true);
			sock_put(&c->sk);
		}
	}
	unix_queue_purge(u);
	wake_up(&sk->wait);
}

static void unix_release(struct sock *sk)
{
	release_sock(U(sk), false);
}

/* ---- poll ---- */

static bool unix_writable(struct sock *sk)
{
	return sk->state != SK_LISTEN && sk->wmem * 4 <= (size_t)sk->sndbuf;
}

/* Linux's unix_poll (stream sockets). */
static unsigned unix_poll(struct sock *sk, struct poll_table *pt)
{
	poll_wait(pt, &sk->wait);
	unsigned mask = 0;
	if (sk->err)
		mask |= POLLERR;
	if (sk->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (sk->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (!list_empty(&U(sk)->queue))
		mask |= POLLIN | POLLRDNORM;
	if (sk->state == SK_CLOSE)
		mask |= POLLHUP;
	if (unix_writable(sk))
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

/* Linux's unix_dgram_poll (datagram and seqpacket sockets): also not
 * writable while a peer that is not connected back has a full queue. */
static unsigned unix_dgram_poll(struct sock *sk, struct poll_table *pt)
{
	struct unix_sock *u = U(sk), *other = u->peer;
	poll_wait(pt, &sk->wait);
	unsigned mask = 0;
	if (sk->err)
		mask |= POLLERR;
	if (sk->shutdown & RCV_SHUTDOWN)
		mask |= POLLRDHUP | POLLIN | POLLRDNORM;
	if (sk->shutdown == SHUTDOWN_MASK)
		mask |= POLLHUP;
	if (!list_empty(&u->queue))
		mask |= POLLIN | POLLRDNORM;
	if (sk->type == SOCK_SEQPACKET && sk->state == SK_CLOSE)
		mask |= POLLHUP;
	bool writable = unix_writable(sk);
	if (writable && other && other->peer != u && unix_recvq_full(other) && !other->sk.dead) {
		poll_wait(pt, &other->peer_wait);
		writable = false;
	}
	if (writable)
		mask |= POLLOUT | POLLWRNORM | POLLWRBAND;
	return mask;
}

static const struct proto_ops unix_stream_ops = {
	.bind = unix_bind, .connect = unix_stream_connect, .socketpair = unix_socketpair,
	.listen = unix_listen, .accept = unix_accept, .getname = unix_getname,
	.shutdown = unix_shutdown, .sendmsg = unix_stream_sendmsg,
	.recvmsg = unix_stream_recvmsg, .poll = unix_poll, .ioctl = unix_ioctl,
	.release = unix_release, .destroy = unix_destroy,
};

static const struct proto_ops unix_dgram_ops = {
	.bind = unix_bind, .connect = unix_dgram_connect, .socketpair = unix_socketpair,
	.getname = unix_getname, .shutdown = unix_shutdown, .sendmsg = unix_dgram_sendmsg,
	.recvmsg = unix_dgram_recvmsg, .poll = unix_dgram_poll, .ioctl = unix_ioctl,
	.release = unix_release, .destroy = unix_destroy,
};

static const struct proto_ops unix_seqpacket_ops = {
	.bind = unix_bind, .connect = unix_stream_connect, .socketpair = unix_socketpair,
	.listen = unix_listen, .accept = unix_accept, .getname = unix_getname,
	.shutdown = unix_shutdown, .sendmsg = unix_seqpacket_sendmsg,
	.recvmsg = unix_seqpacket_recvmsg, .poll = unix_dgram_poll, .ioctl = unix_ioctl,
	.release = unix_release, .destroy = unix_destroy,
};
