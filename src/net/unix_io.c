/* AF_UNIX sending and receiving, after Linux's unix_stream_sendmsg,
 * unix_stream_read_generic, unix_dgram_sendmsg and unix_dgram_recvmsg.
 *
 * Data waits in the receiver's queue as messages; each counts its size
 * (plus Linux-like overhead) against its sender's send buffer, so a
 * sender waits while it has sndbuf bytes in flight and wakes when a
 * reader frees room. A stream write is cut into messages of at most
 * ~36 KiB as Linux's skbs are; passed files ride on the first, and a
 * stream read never joins data across a message that carried files, nor
 * (with SO_PASSCRED) across writers with different credentials.
 *
 * A blocking stream write keeps going until all is sent (and a
 * MSG_WAITALL read until all is read) across waits: handlers run again
 * from the top after a wait, so the count so far is kept in the task
 * (sock_progress_take / sock_io_end). */
#include "unix.h"
#include "ksignal.h"
#include "uaccess.h"
#include <poll.h>
#include <sys/ioctl.h>
#include <linux/sockios.h>

/* Linux's limits for one stream skb: SKB_MAX_HEAD(0) + 32 KiB of
 * fragments, and at most half the send buffer. */
#define UNIX_SKB_MAX	(3776 + 32768)

/* What Linux's skb costs beyond the data: an sk_buff and the shared
 * info, and small heads come from 512-byte slabs. */
static size_t truesize(size_t len)
{
	return len <= 192 ? 768 : ((len + 63) & ~(size_t)63) + 576;
}

struct unix_msg *unix_msg_new(struct unix_sock *from, size_t len)
{
	struct unix_msg *msg = xzalloc(sizeof(*msg));
	msg->data = len ? xmalloc(len) : NULL;
	msg->len = len;
	msg->from = U(sock_hold(&from->sk));
	msg->truesize = truesize(len);
	from->sk.wmem += msg->truesize;
	return msg;
}

void unix_msg_free(struct unix_msg *msg)
{
	struct unix_sock *from = msg->from;
	if (from) {
		from->sk.wmem -= msg->truesize;
		/* Linux's unix_write_space: writers wake once a quarter of
		 * the buffer is free again. */
		if (from->sk.wmem * 4 <= (size_t)from->sk.sndbuf)
			wake_up_key(&from->sk.wait, POLLOUT | POLLWRNORM | POLLWRBAND);
		sock_put(&from->sk);
	}
	if (msg->conn)
		unix_release_embryo(msg->conn);
	if (msg->queued)
		unix_inflight(&msg->scm, -1);
	scm_destroy(&msg->scm);
	free(msg->data);
	free(msg);
}

void unix_enqueue(struct unix_sock *to, struct unix_msg *msg)
{
	msg->queued = true;
	unix_inflight(&msg->scm, 1);
	list_add_tail(&msg->node, &to->queue);
	to->qlen++;
	wake_up_key(&to->sk.wait, POLLIN | POLLRDNORM | POLLRDBAND);
}

static void dequeue(struct unix_sock *u, struct unix_msg *msg)
{
	list_del(&msg->node);
	u->qlen--;
}

void unix_queue_purge(struct unix_sock *u)
{
	/* Take the whole queue first: dropping a passed socket may close
	 * it, and that must not find this queue half-walked. */
	struct list_head q = LIST_HEAD_INIT(q);
	if (!list_empty(&u->queue)) {
		q.next = u->queue.next;
		q.prev = u->queue.prev;
		q.next->prev = q.prev->next = &q;
		list_init(&u->queue);
	}
	u->qlen = 0;
	while (!list_empty(&q)) {
		struct unix_msg *msg = list_entry(q.next, struct unix_msg, node);
		list_del(&msg->node);
		unix_msg_free(msg);
	}
}

/* Linux's unix_scm_to_skb and unix_maybe_add_creds: credentials given
 * with SCM_CREDENTIALS, else the sender's when either end asked for
 * them (SO_PASSCRED) or the receiver is not accepted yet. */
static void add_creds(struct unix_msg *msg, struct task *t, struct unix_sock *u,
		      struct unix_sock *other, const struct scm *scm)
{
	if (scm->has_creds) {
		msg->scm.has_creds = true;
		msg->scm.creds = scm->creds;
	} else if (((u->sk.flags | other->sk.flags) & SKF_PASSCRED) || !other->sk.file) {
		msg->scm.has_creds = true;
		msg->scm.creds = cred_of_task(t, false);
	}
}

static void take_fds(struct scm *dst, struct scm *src)
{
	dst->fp = src->fp;
	dst->nfp = src->nfp;
	src->fp = NULL;
	src->nfp = 0;
}

/* A receiver takes the files of a queued message: no longer in flight. */
static void detach_fds(struct scm *dst, struct unix_msg *msg)
{
	unix_inflight(&msg->scm, -1);
	take_fds(dst, &msg->scm);
}

static int64_t timeo_of(struct kmsg *m, int64_t timeo)
{
	return m->flags & MSG_DONTWAIT ? 0 : timeo;
}

static void copy_name(struct kmsg *m, struct unix_sock *from)
{
	if (m->name && from->addr.len) {
		memcpy(m->name, &from->addr.sa, from->addr.len);
		m->namelen = from->addr.len;
	}
}

/* ---- streams ---- */

/* EPIPE, and SIGPIPE unless MSG_NOSIGNAL. */
static long stream_pipe(struct task *t, struct kmsg *m, size_t sent)
{
	if (!sent && !(m->flags & MSG_NOSIGNAL))
		send_sigpipe(t);
	return sock_io_end(t, m, sent, -EPIPE);
}

long unix_stream_sendmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	struct unix_sock *u = U(sk), *other = u->peer;
	int e = scm_send(t, m->ctl, m->ctllen, &m->scm);
	if (e)
		return e;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen)
		return sk->state == SK_ESTABLISHED ? -EISCONN : -EOPNOTSUPP;
	if (!other)
		return -ENOTCONN;
	size_t sent = sock_progress_take(t, m);
	uio_skip(&m->data, sent);
	if (sk->shutdown & SEND_SHUTDOWN)
		return stream_pipe(t, m, sent);
	bool fds_sent = sent > 0;
	long err = 0;
	while (sent < m->len) {
		if (sk->wmem >= (size_t)sk->sndbuf) {
			err = sock_wait(t, &sk->wait, timeo_of(m, sk->sndtimeo));
			break;
		}
		size_t size = MIN(m->len - sent, (size_t)(sk->sndbuf / 2 - 64));
		size = MIN(size, (size_t)UNIX_SKB_MAX);
		struct unix_msg *msg = unix_msg_new(u, size);
		if (uio_copy_from(&m->data, msg->data, size)) {
			unix_msg_free(msg);
			err = -EFAULT;
			break;
		}
		if (other->sk.dead || (other->sk.shutdown & RCV_SHUTDOWN)) {
			unix_msg_free(msg);
			return stream_pipe(t, m, sent);
		}
		if (!fds_sent)
			take_fds(&msg->scm, &m->scm);
		fds_sent = true;
		add_creds(msg, t, u, other, &m->scm);
		unix_enqueue(other, msg);
		sent += size;
	}
	return sock_io_end(t, m, sent, err);
}

static bool same_creds(const struct unix_msg *msg, const struct scm *scm)
{
	if (msg->scm.has_creds != scm->has_creds)
		return false;
	return !scm->has_creds || !memcmp(&msg->scm.creds, &scm->creds, sizeof(scm->creds));
}

/* Where a stream read stops before the queue is empty: at files, at a
 * new writer's credentials, at the end of the caller's buffer. */
long unix_stream_recvmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	struct unix_sock *u = U(sk);
	if (sk->state != SK_ESTABLISHED)
		return -EINVAL;
	if (m->flags & MSG_OOB)
		return -EINVAL;		/* no out-of-band byte is ever queued */
	bool peek = m->flags & MSG_PEEK, check_creds = false;
	size_t size = m->len;
	size_t target = m->flags & MSG_WAITALL ? size : MIN((size_t)sk->rcvlowat, size);
	target = MAX(target, (size_t)1);
	size_t saved = sock_progress_take(t, m);
	size_t copied = peek ? 0 : saved;	/* a peek starts over each time */
	uio_skip(&m->data, copied);
	size -= copied;
	struct scm scm = { 0 };
	struct unix_msg *msg = list_empty(&u->queue) ? NULL
			       : list_entry(u->queue.next, struct unix_msg, node);
	long err = 0;
	do {
		if (!msg) {
			if (copied >= target || (err = sock_error(sk)) || (sk->shutdown & RCV_SHUTDOWN))
				break;
			err = sock_wait(t, &sk->wait, timeo_of(m, sk->rcvtimeo));
			break;
		}
		if (check_creds) {
			if (!same_creds(msg, &scm))
				break;	/* never glue messages from different writers */
		} else if (sk->flags & SKF_PASSCRED) {
			scm.has_creds = msg->scm.has_creds;
			scm.creds = msg->scm.creds;
			check_creds = true;
		}
		copy_name(m, msg->from);
		size_t chunk = MIN(msg->len - msg->off, size);
		if (uio_copy_to(&m->data, msg->data + msg->off, chunk)) {
			if (!copied)
				err = -EFAULT;
			break;
		}
		copied += chunk;
		size -= chunk;
		struct unix_msg *next = msg->node.next == &u->queue ? NULL
					: list_entry(msg->node.next, struct unix_msg, node);
		if (peek) {
			if (msg->scm.nfp) {
				struct scm dup;
				scm_dup(&dup, &msg->scm);
				take_fds(&scm, &dup);
				break;
			}
			msg = next;
			continue;
		}
		msg->off += chunk;
		if (msg->scm.nfp)
			detach_fds(&scm, msg);
		if (msg->off < msg->len)
			break;
		dequeue(u, msg);
		unix_msg_free(msg);
		if (scm.nfp)
			break;
		msg = next;
	} while (size);
	m->scm = scm;
	return sock_io_end(t, m, copied, err);
}

/* ---- datagrams and seqpackets ---- */

/* Where a datagram goes: the address given, or the peer. Held. */
static struct unix_sock *dgram_target(struct task *t, struct unix_sock *u, struct kmsg *m, int *err)
{
	if (m->namelen)
		return unix_find_other(t, m->name, m->namelen, u->sk.type, err);
	*err = -ENOTCONN;
	return u->peer ? U(sock_hold(&u->peer->sk)) : NULL;
}

/* The target is closed: a connected datagram socket drops its peer
 * (ECONNREFUSED now, ENOTCONN next time), as Linux does. */
static long dgram_dead_peer(struct unix_sock *u, struct unix_sock *other, struct kmsg *m)
{
	if (u->sk.type == SOCK_SEQPACKET)
		return -EPIPE;
	if (u->peer == other) {
		u->peer = NULL;
		u->sk.state = SK_CLOSE;
		wake_up(&u->sk.wait);
		unix_dgram_disconnected(u, other);
		sock_put(&other->sk);
		return -ECONNREFUSED;
	}
	return m->namelen ? -ECONNREFUSED : -ECONNRESET;
}

/* Checks the target and queues `msg` there (or waits for room). */
static long dgram_deliver(struct task *t, struct unix_sock *u, struct unix_sock *other,
			  struct unix_msg *msg, struct kmsg *m)
{
	if (!unix_may_send(u, other))
		return -EPERM;
	if (other->sk.dead)
		return dgram_dead_peer(u, other, m);
	if (other->sk.shutdown & RCV_SHUTDOWN)
		return -EPIPE;
	if (other != u && other->peer != u && unix_recvq_full(other))
		return sock_wait(t, &other->peer_wait, timeo_of(m, u->sk.sndtimeo));
	unix_enqueue(other, msg);
	return (long)m->len;
}

long unix_dgram_sendmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	struct unix_sock *u = U(sk);
	int err = scm_send(t, m->ctl, m->ctllen, &m->scm);
	if (err)
		return err;
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	if (m->namelen && (err = unix_validate_addr(m->name, m->namelen)))
		return err;
	if ((sk->flags & SKF_PASSCRED) && (err = unix_autobind(u)))
		return err;
	if (m->len > (size_t)sk->sndbuf - 32)
		return -EMSGSIZE;
	if (sk->wmem >= (size_t)sk->sndbuf)
		return sock_wait(t, &sk->wait, timeo_of(m, sk->sndtimeo));
	struct unix_msg *msg = unix_msg_new(u, m->len);
	if (uio_copy_from(&m->data, msg->data, m->len)) {
		unix_msg_free(msg);
		return -EFAULT;
	}
	struct unix_sock *other = dgram_target(t, u, m, &err);
	if (!other) {
		unix_msg_free(msg);
		return err;
	}
	take_fds(&msg->scm, &m->scm);
	add_creds(msg, t, u, other, &m->scm);
	long r = dgram_deliver(t, u, other, msg, m);
	if (r < 0)
		unix_msg_free(msg);
	sock_put(&other->sk);
	return r;
}

long unix_seqpacket_sendmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	int err = sock_error(sk);
	if (err)
		return err;
	if (sk->state != SK_ESTABLISHED)
		return -ENOTCONN;
	m->namelen = 0;
	return unix_dgram_sendmsg(sk, t, m);
}

/* Nothing queued: EOF once shut down, else wait (or EAGAIN). */
static long dgram_empty(struct sock *sk, struct task *t, struct kmsg *m)
{
	bool seqpacket = sk->type == SOCK_SEQPACKET;
	int64_t timeo = timeo_of(m, sk->rcvtimeo);
	if (timeo && (sk->shutdown & RCV_SHUTDOWN))
		return 0;
	if (timeo && seqpacket && sk->state != SK_ESTABLISHED && sk->state != SK_LISTEN)
		return -ENOTCONN;
	long r = sock_wait(t, &sk->wait, timeo);
	/* A disconnected non-blocking seqpacket socket reads EOF. */
	if (r == -EAGAIN && seqpacket && (sk->shutdown & RCV_SHUTDOWN))
		return 0;
	return r;
}

long unix_dgram_recvmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	struct unix_sock *u = U(sk);
	if (m->flags & MSG_OOB)
		return -EOPNOTSUPP;
	int err = sock_error(sk);
	if (err)
		return err;
	if (list_empty(&u->queue))
		return dgram_empty(sk, t, m);
	struct unix_msg *msg = list_entry(u->queue.next, struct unix_msg, node);
	bool peek = m->flags & MSG_PEEK;
	if (!peek) {
		dequeue(u, msg);
		wake_up(&u->peer_wait);	/* a sender may fit now */
	}
	copy_name(m, msg->from);
	size_t size = m->len;
	if (size > msg->len)
		size = msg->len;
	else if (size < msg->len)
		m->out_flags |= MSG_TRUNC;
	long r = uio_copy_to(&m->data, msg->data, size) ? -EFAULT
		 : (long)(m->flags & MSG_TRUNC ? msg->len : size);
	if (r >= 0) {
		m->scm.has_creds = msg->scm.has_creds;
		m->scm.creds = msg->scm.creds;
		if (peek)
			scm_dup(&m->scm, &msg->scm);
		else
			detach_fds(&m->scm, msg);
	}
	if (!peek)
		unix_msg_free(msg);	/* lost on EFAULT too, as in Linux */
	return r;
}

long unix_seqpacket_recvmsg(struct sock *sk, struct task *t, struct kmsg *m)
{
	if (sk->state != SK_ESTABLISHED)
		return -ENOTCONN;
	return unix_dgram_recvmsg(sk, t, m);
}

/* ---- ioctl ---- */

/* SIOCINQ: unread bytes (a stream), all queued bytes (seqpacket), the
 * next datagram's size. SIOCOUTQ: our bytes not yet read. */
static long inq_len(struct unix_sock *u)
{
	if (u->sk.state == SK_LISTEN)
		return -EINVAL;
	long n = 0;
	struct unix_msg *msg;
	list_for_each_entry(msg, &u->queue, node) {
		n += msg->len - msg->off;
		if (u->sk.type == SOCK_DGRAM)
			break;
	}
	return n;
}

long unix_ioctl(struct sock *sk, struct task *t, unsigned long cmd, uint64_t arg)
{
	long n;
	switch (cmd) {
	case SIOCINQ:
		n = inq_len(U(sk));
		break;
	case SIOCOUTQ:
		n = (long)sk->wmem;
		break;
	default:
		return -ENOTTY;
	}
	if (n < 0)
		return n;
	int v = (int)n;
	return copy_to_user(t, arg, &v, sizeof(v)) ? -EFAULT : 0;
}
