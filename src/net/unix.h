/* AF_UNIX internals shared by unix.c (names, connections, poll) and
 * unix_io.c (sending and receiving). */
#pragma once
#include "socket.h"

/* A bound name: a sockaddr_un as given (len 0: unbound). */
struct unix_addr {
	int len;
	struct linux_sockaddr_storage sa;
};

struct unix_sock {
	struct sock sk;			/* first: a struct sock * is one of these */
	struct unix_sock *peer;		/* held */
	struct unix_addr addr;
	/* Bound to a filesystem name: the inode's identity, as fifo.c finds
	 * FIFOs (hostfs and overlay make a new struct inode per lookup). */
	bool bsd;
	uint64_t bdev, bino;
	struct list_head bind_node;	/* in the bsd or abstract list, or empty */
	/* Messages (struct unix_msg); a listener's are new connections. */
	struct list_head queue;
	size_t qlen;
	/* Senders waiting for room in our queue; connectors for backlog. */
	struct waitq peer_wait;
	/* Garbage collection (unix_gc.c): how many queued messages hold our
	 * file, and the collector's marks. */
	int inflight;
	struct list_head gc_node;	/* in the in-flight list while inflight */
	int gc_refs;
	bool gc_candidate, gc_alive;
};

/* A message in a receive queue (Linux's sk_buff). */
struct unix_msg {
	struct list_head node;
	struct unix_sock *from;		/* held: the sender's name, its write space */
	struct unix_sock *conn;		/* a listener's queue: the connection, held */
	char *data;
	size_t len, off;		/* off: consumed by stream reads */
	size_t truesize;		/* what it counts against from->sk.wmem */
	bool queued;			/* its files count as in flight */
	struct scm scm;
};

static inline struct unix_sock *U(struct sock *sk) { return (struct unix_sock *)sk; }

/* unix.c: sockets and names */
struct unix_sock *unix_alloc(int type, const struct proto_ops *ops);
int unix_validate_addr(const struct linux_sockaddr_storage *a, int len);
int unix_autobind(struct unix_sock *u);
/* The socket bound to a name, held; NULL with *err set. */
struct unix_sock *unix_find_other(struct task *t, struct linux_sockaddr_storage *a, int len,
				  int type, int *err);

/* unix_conn.c: connections */
bool unix_recvq_full(struct unix_sock *u);
/* A datagram may go from u to other unless other is connected elsewhere. */
bool unix_may_send(struct unix_sock *u, struct unix_sock *other);
/* A datagram socket leaves its peer `other`: what arrived is dropped. */
void unix_dgram_disconnected(struct unix_sock *u, struct unix_sock *other);
int unix_listen(struct sock *sk, int backlog);
int unix_stream_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
			int len, bool nonblock);
int unix_dgram_connect(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
		       int len, bool nonblock);
int unix_socketpair(struct sock *a, struct sock *b);
int unix_accept(struct sock *sk, struct task *t, bool nonblock, struct sock **out);
int unix_shutdown(struct sock *sk, int how);
void unix_release(struct sock *sk);
unsigned unix_poll(struct sock *sk, struct poll_table *pt);
unsigned unix_dgram_poll(struct sock *sk, struct poll_table *pt);
/* A connection never accepted goes (its listener closed). */
void unix_release_embryo(struct unix_sock *c);

/* unix_gc.c: sockets in flight */
void unix_inflight(const struct scm *scm, int delta);
void unix_gc(void);

/* unix_io.c: sending and receiving */
struct unix_msg *unix_msg_new(struct unix_sock *from, size_t len);
void unix_msg_free(struct unix_msg *msg);
void unix_enqueue(struct unix_sock *to, struct unix_msg *msg);
void unix_queue_purge(struct unix_sock *u);
long unix_stream_sendmsg(struct sock *sk, struct task *t, struct kmsg *m);
long unix_stream_recvmsg(struct sock *sk, struct task *t, struct kmsg *m);
long unix_dgram_sendmsg(struct sock *sk, struct task *t, struct kmsg *m);
long unix_dgram_recvmsg(struct sock *sk, struct task *t, struct kmsg *m);
long unix_seqpacket_sendmsg(struct sock *sk, struct task *t, struct kmsg *m);
long unix_seqpacket_recvmsg(struct sock *sk, struct task *t, struct kmsg *m);
long unix_ioctl(struct sock *sk, struct task *t, unsigned long cmd, uint64_t arg);
