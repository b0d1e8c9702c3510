/* Garbage collection of AF_UNIX sockets in flight, after the classic
 * algorithm of Linux's net/unix/garbage.c.
 *
 * A socket file passed with SCM_RIGHTS is held by the message carrying
 * it; a socket can so end up held only by messages in its own queue or
 * in the queues of other such sockets (send a socket over itself, or two
 * over each other, and close them). Reference counts never drop to zero
 * then. The collector runs when a socket is closed while sockets are in
 * flight (as Linux runs unix_gc from unix_release_sock):
 *
 *   1. candidates are sockets in flight whose every file reference is a
 *      message in some queue;
 *   2. for each candidate, references from messages queued at other
 *      candidates (and at their not yet accepted connections) are
 *      subtracted;
 *   3. a candidate with references left is held from outside: it and
 *      all it holds (transitively) stay;
 *   4. the rest is garbage: their queues are emptied, which drops the
 *      files and closes the sockets. */
#include "unix.h"

static struct list_head inflight_list = LIST_HEAD_INIT(inflight_list);
static bool gc_running;

static struct unix_sock *unix_of(struct file *f)
{
	struct sock *sk = sock_of(f);
	return sk && sk->family == AF_UNIX ? U(sk) : NULL;
}

void unix_inflight(const struct scm *scm, int delta)
{
	for (int i = 0; i < scm->nfp; i++) {
		struct unix_sock *u = unix_of(scm->fp[i]);
		if (!u)
			continue;
		if (!u->inflight)
			list_add_tail(&u->gc_node, &inflight_list);
		u->inflight += delta;
		if (!u->inflight)
			list_del(&u->gc_node);
	}
}

/* Calls fn(target) for each in-flight socket held by messages queued at
 * u, or at the connections waiting in u's backlog. */
static void for_each_held(struct unix_sock *u, void (*fn)(struct unix_sock *))
{
	struct unix_msg *msg, *m2;
	list_for_each_entry(msg, &u->queue, node) {
		for (int i = 0; i < msg->scm.nfp; i++) {
			struct unix_sock *t = unix_of(msg->scm.fp[i]);
			if (t)
				fn(t);
		}
		if (!msg->conn)
			continue;
		list_for_each_entry(m2, &msg->conn->queue, node)
			for (int i = 0; i < m2->scm.nfp; i++) {
				struct unix_sock *t = unix_of(m2->scm.fp[i]);
				if (t)
					fn(t);
			}
	}
}

static void dec_refs(struct unix_sock *t)
{
	if (t->gc_candidate)
		t->gc_refs--;
}

/* t is held from outside the garbage: so is everything it holds. */
static void keep(struct unix_sock *t)
{
	if (!t->gc_candidate || t->gc_alive)
		return;
	t->gc_alive = true;
	for_each_held(t, keep);
}

void unix_gc(void)
{
	if (gc_running || list_empty(&inflight_list))
		return;
	gc_running = true;
	size_t n = 0, cap = 16;
	struct unix_sock **cand = xmalloc(cap * sizeof(*cand)), *u;
	list_for_each_entry(u, &inflight_list, gc_node) {
		u->gc_candidate = u->sk.file && u->sk.file->refs == u->inflight;
		u->gc_alive = false;
		u->gc_refs = u->inflight;
		if (!u->gc_candidate)
			continue;
		if (n == cap)
			cand = xrealloc(cand, (cap *= 2) * sizeof(*cand));
		cand[n++] = u;
	}
	for (size_t i = 0; i < n; i++)
		for_each_held(cand[i], dec_refs);
	for (size_t i = 0; i < n; i++)
		if (cand[i]->gc_refs > 0)
			keep(cand[i]);
	/* Hold the garbage while emptying it: its files go as we do. */
	size_t g = 0;
	for (size_t i = 0; i < n; i++) {
		cand[i]->gc_candidate = false;
		if (!cand[i]->gc_alive)
			cand[g++] = U(sock_hold(&cand[i]->sk));
	}
	for (size_t i = 0; i < g; i++)
		unix_queue_purge(cand[i]);
	for (size_t i = 0; i < g; i++)
		sock_put(&cand[i]->sk);
	free(cand);
	gc_running = false;
}
