/* AF_UNIX sockets (man 7 unix): making them, and their names. Linux's
 * net/unix/af_unix.c is the model for every rule here; unix_conn.c has
 * the connections, unix_io.c the data.
 *
 * A filesystem name is an S_IFSOCK inode made in the directory (as mknod
 * makes it) and found again by the inode's (device, inode) identity, as
 * fifo.c finds FIFOs: hostfs and overlay make a new struct inode per
 * lookup. An abstract name (leading NUL) lives in a kernel list, one
 * namespace per socket type as Linux's hash has it, and is persona's
 * own (the host's abstract sockets are not visible). An empty bind, or
 * a connect or send with SO_PASSCRED, picks an autobind name "\0XXXXX".
 *
 * Datagram sockets queue at most max_backlog (10) messages from senders
 * the receiver is not connected back to; senders wait on the receiver's
 * peer_wait. */
#include "unix.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <sys/stat.h>

static struct list_head bsd_list = LIST_HEAD_INIT(bsd_list);
static struct list_head abstract_list = LIST_HEAD_INIT(abstract_list);
static unsigned autobind_next;

static const struct proto_ops unix_stream_ops, unix_dgram_ops, unix_seqpacket_ops;

struct unix_sock *unix_alloc(int type, const struct proto_ops *ops)
{
	struct unix_sock *u = xzalloc(sizeof(*u));
	sock_init(&u->sk, ops, AF_UNIX, type, 0);
	u->sk.max_backlog = 10;	/* net.unix.max_dgram_qlen */
	list_init(&u->bind_node);
	list_init(&u->gc_node);
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
