/* Sockets (man 7 socket).
 *
 * Every socket is a struct sock: the state all families share (Linux's
 * struct sock: type, state, shutdown bits, pending error, buffer sizes,
 * timeouts, peer credentials, a wait queue), embedded first in the
 * family's own object. An open socket is a file whose priv is its sock.
 * A sock also lives without a file (an AF_UNIX connection waiting in a
 * listener's backlog; a closed sender whose data still sits at a
 * receiver), so socks are reference counted.
 *
 * socket.c: the socket file, waiting, addresses; sys_socket.c: socket,
 * bind, connect, accept and the other calls that make and name sockets;
 * sys_msg.c: send and receive calls; scm.c: control messages and the
 * data iterator; sockopt.c: SOL_SOCKET options; unix.c, unix_conn.c and
 * unix_io.c: AF_UNIX. */
#pragma once
#include "vfs.h"
#include "waitq.h"
#include "uapi/socket.h"
#include <sys/uio.h>

/* sk->shutdown bits, as Linux names them. */
#define RCV_SHUTDOWN	1
#define SEND_SHUTDOWN	2
#define SHUTDOWN_MASK	3

/* sk->state: the TCP states Linux's AF_UNIX borrows. */
enum { SK_CLOSE, SK_LISTEN, SK_ESTABLISHED };

/* Boolean SOL_SOCKET options. */
enum {
	SKF_PASSCRED = 1 << 0, SKF_REUSEADDR = 1 << 1, SKF_KEEPALIVE = 1 << 2,
	SKF_BROADCAST = 1 << 3, SKF_DONTROUTE = 1 << 4, SKF_OOBINLINE = 1 << 5,
	SKF_LINGER = 1 << 6, SKF_DEBUG = 1 << 7, SKF_NO_CHECK = 1 << 8,
	SKF_TIMESTAMP = 1 << 9, SKF_TIMESTAMPNS = 1 << 10,
};

/* Linux's defaults (net.core.wmem_default and friends). */
#define SOCK_DEF_BUF	212992
#define SOCK_MAX_BUF	212992
#define SOCK_MIN_SNDBUF	4608
#define SOCK_MIN_RCVBUF	2304
#define TIMEO_FOREVER	(-1)

struct sock;
struct kmsg;

/* What a family does; a NULL entry is Linux's sock_no_* answer. */
struct proto_ops {
	int (*bind)(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a, int len);
	int (*connect)(struct sock *sk, struct task *t, struct linux_sockaddr_storage *a,
		       int len, bool nonblock);
	int (*socketpair)(struct sock *a, struct sock *b);
	int (*listen)(struct sock *sk, int backlog);
	/* The new connection, held, or an error / -EWOULDBLOCK_TASK. */
	int (*accept)(struct sock *sk, struct task *t, bool nonblock, struct sock **out);
	/* Fills `a`; returns the address length or -ENOTCONN. */
	int (*getname)(struct sock *sk, struct linux_sockaddr_storage *a, bool peer);
	int (*shutdown)(struct sock *sk, int how);
	long (*sendmsg)(struct sock *sk, struct task *t, struct kmsg *m);
	long (*recvmsg)(struct sock *sk, struct task *t, struct kmsg *m);
	unsigned (*poll)(struct sock *sk, struct poll_table *pt);
	long (*ioctl)(struct sock *sk, struct task *t, unsigned long cmd, uint64_t arg);
	/* Options at any level: the family's own (NULL: only the SOL_SOCKET
	 * options sockopt.c keeps; other levels EOPNOTSUPP). */
	long (*setsockopt)(struct sock *sk, struct task *t, int level, int name, uaddr_t val,
			   int len);
	long (*getsockopt)(struct sock *sk, struct task *t, int level, int name, uaddr_t val,
			   uaddr_t ulen);
	/* The file is closed: the socket leaves the world. */
	void (*release)(struct sock *sk);
	/* The last reference is gone: free it. */
	void (*destroy)(struct sock *sk);
};

struct sock {
	int refs;
	const struct proto_ops *ops;
	int family, type, protocol;
	int state;
	unsigned shutdown;
	int err;			/* pending error (SO_ERROR) */
	bool dead;			/* its file was closed */
	unsigned flags;			/* SKF_* */
	int sndbuf, rcvbuf, rcvlowat, priority, linger_secs;
	int max_backlog;		/* listen backlog; datagram queue limit */
	size_t wmem;			/* bytes of ours queued at receivers */
	int64_t rcvtimeo, sndtimeo;	/* ns; TIMEO_FOREVER or 0 = don't wait */
	struct linux_ucred peercred;	/* SO_PEERCRED: {0, -1, -1} if none */
	uint64_t cookie;
	struct waitq wait;		/* readers, writers, state changes */
	/* While a file holds it: the file and what fstat shows. */
	struct file *file;
	uint64_t ino;
	uint32_t uid, gid;
	struct timespec time;
};

/* Control data travelling with a message: SCM_RIGHTS files (references)
 * and SCM_CREDENTIALS. */
struct scm {
	struct file **fp;
	int nfp;
	bool has_creds;
	struct linux_ucred creds;
};

/* The data of a call: guest (t set) or kernel (t NULL) memory, an iovec
 * and a position in it. */
struct uio {
	struct task *t;
	const struct iovec *iov;
	int cnt, idx;
	size_t off;
	size_t left;
};

/* A send or receive, as the families see it (Linux's struct msghdr). */
struct kmsg {
	struct uio data;
	size_t len;
	/* Send: the destination (namelen 0: none). Receive: room for the
	 * sender's name (NULL: not wanted), namelen set by the family. */
	struct linux_sockaddr_storage *name;
	int namelen;
	int flags;		/* MSG_*; MSG_DONTWAIT added for O_NONBLOCK */
	int out_flags;		/* receive: msg_flags to report */
	const char *ctl;	/* send: the control data, for scm_send */
	size_t ctllen;
	struct scm scm;		/* send: parsed control; receive: to deliver */
	bool no_cmsg;		/* receive: read() or no msg_control */
	/* Receive, for a family whose control data is the host's (inet):
	 * the room the guest gave, and the bytes to hand over as they are
	 * (malloc'd; the caller frees them). */
	size_t ctl_room;
	char *raw_ctl;
	size_t raw_ctllen;
};

/* socket.c */
void sock_init(struct sock *sk, const struct proto_ops *ops, int family, int type, int protocol);
struct sock *sock_hold(struct sock *sk);
void sock_put(struct sock *sk);
/* A socket file for `sk` (takes the reference); SOCK_NONBLOCK in flags. */
struct file *sock_file_new(struct sock *sk, unsigned flags);
/* The sock of an open socket file, or NULL. */
struct sock *sock_of(struct file *f);
/* fd's file if it is a socket; else NULL with -EBADF or -ENOTSOCK. */
struct file *sockfd_get(struct task *t, int fd, long *err);
/* Takes the pending error (0 if none). */
int sock_error(struct sock *sk);
/* Parks t on q for a call that may wait `timeo` ns (TIMEO_FOREVER),
 * counted from its first wait: -EWOULDBLOCK_TASK, or -EAGAIN when it
 * must not wait (timeo 0) or its time is up. */
long sock_wait(struct task *t, struct waitq *q, int64_t timeo);
/* The same for a host socket: waits for `events` on host fd `fd`. */
long sock_wait_hostfd(struct task *t, int fd, unsigned events, int64_t timeo);
/* Calls that wait part way (a stream write bigger than the buffer, a
 * MSG_WAITALL read) keep how far they got across reruns (t->io_done):
 * `take` gives it on a rerun (0 otherwise), `sock_io_end` decides what
 * a call that moved `done` bytes returns, keeping `done` if it waits. */
size_t sock_progress_take(struct task *t, const struct kmsg *m);
long sock_io_end(struct task *t, const struct kmsg *m, size_t done, long err);
/* "socket:[INO]" */
char *sock_link_name(struct file *f);
/* Addresses in and out, as Linux's move_addr_to_kernel / _to_user. */
int move_addr_to_kernel(struct task *t, uaddr_t uaddr, int len, struct linux_sockaddr_storage *a);
int move_addr_to_user(struct task *t, const struct linux_sockaddr_storage *a, int klen,
		      uaddr_t uaddr, uaddr_t ulen);

/* The families. */
int unix_create(int type, int protocol, struct sock **out);
int inet_create(int family, int type, int protocol, struct sock **out);
int netlink_create(int type, int protocol, struct sock **out);
/* The network device ioctls any socket answers (netdev.c): true if `cmd`
 * is one, with its result in *result. */
bool netdev_ioctl(struct sock *sk, struct task *t, unsigned long cmd, uaddr_t arg, long *result);

/* scm.c: the data iterator. Copies fail whole with -EFAULT. */
void uio_init(struct uio *u, struct task *t, const struct iovec *iov, int cnt);
int uio_copy_from(struct uio *u, void *dst, size_t n);
int uio_copy_to(struct uio *u, const void *src, size_t n);
void uio_skip(struct uio *u, size_t n);
/* scm.c: control messages. cmsg_walk calls `each` on each message of a
 * control buffer, checking each as Linux's walk does (a header, within
 * the buffer, else -EINVAL); the first error ends it. */
int cmsg_walk(const char *ctl, size_t len, int (*each)(const struct linux_cmsghdr *c, void *arg),
	      void *arg);
int scm_send(struct task *t, const char *ctl, size_t len, struct scm *scm);
void scm_destroy(struct scm *scm);
/* A copy holding its own references (MSG_PEEK). */
void scm_dup(struct scm *dst, const struct scm *src);
/* Writes m->scm as control messages into the guest's buffer (`ctl`,
 * *ctllen bytes; *ctllen becomes what was used), installing the files;
 * sets MSG_CTRUNC in m->out_flags as Linux's scm_recv does. */
void scm_recv(struct task *t, struct sock *sk, struct kmsg *m, uaddr_t ctl, size_t *ctllen);
/* The caller's own credentials for SCM_CREDENTIALS / SO_PEERCRED. */
struct linux_ucred cred_of_task(struct task *t, bool effective);

/* sockopt.c */
long sock_setsockopt(struct sock *sk, struct task *t, int name, uaddr_t val, int len);
long sock_getsockopt(struct sock *sk, struct task *t, int name, uaddr_t val, uaddr_t ulen);
