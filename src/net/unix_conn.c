/* AF_UNIX connections (man 7 unix): listen, connect (stream and
 * datagram), accept, socketpair, shutdown, close, and poll, after
 * Linux's net/unix/af_unix.c.
 *
 * connect() on a stream or seqpacket socket makes the server's end at
 * once: an "embryo" queued at the listener, already connected to the
 * client, so the client may write before accept() hands it out. Closing
 * one end marks the other shut down both ways, with ECONNRESET pending
 * if the closed end left data unread (or was never accepted). */
#include "unix.h"
#include <poll.h>

bool unix_recvq_full(struct unix_sock *u)
{
	return u->qlen > (size_t)u->sk.max_backlog;
}

bool unix_may_send(struct unix_sock *u, struct unix_sock *other)
{
	return !other->peer || other->peer == u;
}

int unix_listen(struct sock *sk, int backlog)
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

int unix_stream_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
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

int unix_dgram_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
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

int unix_socketpair(struct sock *a, struct sock *b)
{
	struct linux_ucred cr = cred_of_task(current, true);
	U(a)->peer = U(sock_hold(b));
	U(b)->peer = U(sock_hold(a));
	a->peercred = b->peercred = cr;
	a->state = b->state = SK_ESTABLISHED;
	return 0;
}

int unix_accept(struct sock *sk, struct task *t, bool nonblock, struct sock **out)
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

int unix_shutdown(struct sock *sk, int how)
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
	/* What was queued goes; a listener's pending connections with it. */
	unix_queue_purge(u);
	wake_up(&sk->wait);
}

void unix_release_embryo(struct unix_sock *c)
{
	release_sock(c, true);
	sock_put(&c->sk);
}

void unix_release(struct sock *sk)
{
	release_sock(U(sk), false);
	unix_gc();	/* this may have been what kept a cycle alive */
}

/* ---- poll ---- */

static bool unix_writable(struct sock *sk)
{
	return sk->state != SK_LISTEN && sk->wmem * 4 <= (size_t)sk->sndbuf;
}

/* Linux's unix_poll (stream sockets). */
unsigned unix_poll(struct sock *sk, struct poll_table *pt)
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
unsigned unix_dgram_poll(struct sock *sk, struct poll_table *pt)
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
