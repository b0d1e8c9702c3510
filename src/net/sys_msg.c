/* sendto, recvfrom, sendmsg, recvmsg (man 2 send, man 2 recv), with the
 * argument checks of Linux's net/socket.c in the same order: flags the
 * 64-bit calls refuse, the fd, the msghdr, its name, its iovec (as
 * import_iovec checks it), its control data. The family does the rest;
 * control messages it hands back are written out here (scm.c). */
#include "socket.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "waitq.h"
#include <fcntl.h>

#define TASK_SIZE_MAX	0x7ffffffff000UL	/* x86_64 user space */

static bool access_ok(uint64_t addr, uint64_t len)
{
	return len <= TASK_SIZE_MAX && addr <= TASK_SIZE_MAX - len;
}

/* Linux's import_iovec: sizes are checked, clamped to MAX_RW_COUNT in
 * all, and each segment must lie in user space. */
static long import_iovec(struct task *t, uaddr_t uiov, uint64_t cnt, struct iovec **out,
			 size_t *total)
{
	struct iovec *iov = xmalloc(sizeof(*iov) * (cnt ? cnt : 1));
	if (copy_from_user(t, iov, uiov, sizeof(*iov) * cnt)) {
		free(iov);
		return -EFAULT;
	}
	*total = 0;
	for (uint64_t i = 0; i < cnt; i++)
		if ((ssize_t)iov[i].iov_len < 0) {
			free(iov);
			return -EINVAL;
		}
	for (uint64_t i = 0; i < cnt; i++) {
		if (!access_ok((uint64_t)iov[i].iov_base, iov[i].iov_len)) {
			free(iov);
			return -EFAULT;
		}
		if (iov[i].iov_len > MAX_RW_COUNT - *total)
			iov[i].iov_len = MAX_RW_COUNT - *total;
		*total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

/* A socket fd for a send or receive, and MSG_DONTWAIT for O_NONBLOCK. */
static struct sock *sock_for_io(struct task *t, int fd, struct file **f, int *flags, long *err)
{
	*f = sockfd_get(t, fd, err);
	if (!*f)
		return NULL;
	if ((*f)->flags & O_NONBLOCK)
		*flags |= MSG_DONTWAIT;
	return sock_of(*f);
}

/* ---- sendto, recvfrom ---- */

long sys_sendto(struct task *t, const struct sysargs *a)
{
	uaddr_t buf = a->a[1], uaddr = a->a[4];
	size_t len = MIN(a->a[2], (uint64_t)MAX_RW_COUNT);
	int flags = (int)a->a[3], alen = (int)a->a[5];
	if (!access_ok(buf, len))
		return -EFAULT;
	struct file *f;
	long err;
	struct sock *sk = sock_for_io(t, (int)a->a[0], &f, &flags, &err);
	if (!sk)
		return err;
	struct linux_sockaddr_storage addr;
	struct iovec v = { (void *)buf, len };
	struct kmsg m = { .len = len, .flags = flags, .name = &addr };
	uio_init(&m.data, t, &v, 1);
	err = uaddr ? move_addr_to_kernel(t, uaddr, alen, &addr) : 0;
	m.namelen = uaddr ? alen : 0;
	if (!err)
		err = sk->ops->sendmsg(sk, t, &m);
	scm_destroy(&m.scm);
	file_put(f);
	return err;
}

long sys_recvfrom(struct task *t, const struct sysargs *a)
{
	uaddr_t buf = a->a[1], uaddr = a->a[4], ulen = a->a[5];
	size_t len = MIN(a->a[2], (uint64_t)MAX_RW_COUNT);
	int flags = (int)a->a[3];
	if (!access_ok(buf, len))
		return -EFAULT;
	struct file *f;
	long err;
	struct sock *sk = sock_for_io(t, (int)a->a[0], &f, &flags, &err);
	if (!sk)
		return err;
	struct linux_sockaddr_storage addr;
	memset(&addr, 0, sizeof(addr));
	struct iovec v = { (void *)buf, len };
	struct kmsg m = { .len = len, .flags = flags, .name = uaddr ? &addr : NULL, .no_cmsg = true };
	uio_init(&m.data, t, &v, 1);
	err = sk->ops->recvmsg(sk, t, &m);
	scm_destroy(&m.scm);	/* no room for control data: files dropped */
	if (err >= 0 && uaddr) {
		long e2 = move_addr_to_user(t, &addr, m.namelen, uaddr, ulen);
		if (e2 < 0)
			err = e2;
	}
	file_put(f);
	return err;
}

/* ---- sendmsg, recvmsg ---- */

/* A msghdr copied in (Linux's copy_msghdr_from_user and import_iovec). */
struct umsg {
	struct linux_msghdr h;
	struct iovec *iov;
	size_t len;
	int namelen;
	struct linux_sockaddr_storage name;
};

static long copy_msghdr(struct task *t, uaddr_t umsg, struct umsg *u, bool send)
{
	if (copy_from_user(t, &u->h, umsg, sizeof(u->h)))
		return -EFAULT;
	memset(&u->name, 0, sizeof(u->name));
	u->namelen = u->h.name ? u->h.namelen : 0;
	if (u->namelen < 0)
		return -EINVAL;
	u->namelen = MIN(u->namelen, (int)sizeof(u->name));
	if (send && u->namelen && copy_from_user(t, &u->name, u->h.name, u->namelen))
		return -EFAULT;
	if (u->h.iovlen > UIO_MAXIOV)
		return -EMSGSIZE;
	return import_iovec(t, u->h.iov, u->h.iovlen, &u->iov, &u->len);
}

/* Sends one msghdr; *want (if given) is how many bytes it carried. */
static long do_sendmsg(struct task *t, struct sock *sk, uaddr_t umsg, int flags, size_t *want)
{
	struct umsg u = { 0 };
	long err = copy_msghdr(t, umsg, &u, true);
	if (err)
		return err;
	if (want)
		*want = u.len;
	char *ctl = NULL;
	if (u.h.controllen > INT32_MAX || u.h.controllen >= 131072)	/* net.core.optmem_max */
		err = -ENOBUFS;
	else if (u.h.controllen) {
		ctl = xmalloc(u.h.controllen);
		if (copy_from_user(t, ctl, u.h.control, u.h.controllen))
			err = -EFAULT;
	}
	if (!err) {
		struct kmsg m = { .len = u.len, .flags = flags, .name = &u.name,
				  .namelen = u.namelen, .ctl = ctl, .ctllen = u.h.controllen };
		uio_init(&m.data, t, u.iov, (int)u.h.iovlen);
		err = sk->ops->sendmsg(sk, t, &m);
		scm_destroy(&m.scm);
	}
	free(ctl);
	free(u.iov);
	return err;
}

/* After a receive: control data, the sender's name, msg_flags and
 * msg_controllen go back into the guest's msghdr. */
static long recvmsg_finish(struct task *t, struct sock *sk, struct kmsg *m, struct umsg *u,
			   uaddr_t umsg)
{
	size_t ctllen = u->h.controllen;
	if (m->raw_ctl) {
		ctllen = MIN(ctllen, m->raw_ctllen);
		if (copy_to_user(t, u->h.control, m->raw_ctl, ctllen))
			return -EFAULT;
	} else {
		scm_recv(t, sk, m, u->h.control, &ctllen);
	}
	if (u->h.name) {
		long err = move_addr_to_user(t, m->name, m->namelen, u->h.name,
					     umsg + offsetof(struct linux_msghdr, namelen));
		if (err)
			return err;
	}
	uint32_t flags = m->out_flags;
	uint64_t used = ctllen;
	if (copy_to_user(t, umsg + offsetof(struct linux_msghdr, flags), &flags, sizeof(flags)) ||
	    copy_to_user(t, umsg + offsetof(struct linux_msghdr, controllen), &used, sizeof(used)))
		return -EFAULT;
	return 0;
}

static long do_recvmsg(struct task *t, struct sock *sk, uaddr_t umsg, int flags)
{
	struct umsg u = { 0 };
	long err = copy_msghdr(t, umsg, &u, false);
	if (err)
		return err;
	struct kmsg m = { .len = u.len, .flags = flags, .name = u.h.name ? &u.name : NULL,
			  .out_flags = flags & MSG_CMSG_CLOEXEC, .no_cmsg = !u.h.control,
			  .ctl_room = u.h.control ? MIN(u.h.controllen, (uint64_t)65536) : 0 };
	uio_init(&m.data, t, u.iov, (int)u.h.iovlen);
	err = sk->ops->recvmsg(sk, t, &m);
	if (err >= 0) {
		long e2 = recvmsg_finish(t, sk, &m, &u, umsg);
		if (e2)
			err = e2;
	}
	scm_destroy(&m.scm);
	free(m.raw_ctl);
	free(u.iov);
	return err;
}

/* sendmsg and recvmsg: the flags the 64-bit calls refuse, the socket,
 * one message. */
static long one_msg(struct task *t, const struct sysargs *a, bool send)
{
	int flags = (int)a->a[2];
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct file *f;
	long err;
	struct sock *sk = sock_for_io(t, (int)a->a[0], &f, &flags, &err);
	if (!sk)
		return err;
	err = send ? do_sendmsg(t, sk, a->a[1], flags, NULL) : do_recvmsg(t, sk, a->a[1], flags);
	file_put(f);
	return err;
}

long sys_sendmsg(struct task *t, const struct sysargs *a) { return one_msg(t, a, true); }
long sys_recvmsg(struct task *t, const struct sysargs *a) { return one_msg(t, a, false); }

/* ---- sendmmsg, recvmmsg ---- */

/* struct mmsghdr: a msghdr, then the byte count the call writes back. */
#define MMSG_SIZE	64
#define MMSG_LEN_AT	56

/* Both send or receive one message after another and return how many
 * went; an error only when none did. A wait after some went keeps the
 * count (progress_end): the rerun goes on from there, and a signal ends
 * the call with the count. */

/* The socket, and the message a rerun goes on from. */
static struct sock *mmsg_socket(struct task *t, int fd, struct file **f, int *flags, long *err,
				long *done)
{
	struct sock *sk = sock_for_io(t, fd, f, flags, err);
	if (sk)
		*err = 0;
	*done = (long)progress_take(t);
	return sk;
}

/* Writes a message's byte count into its struct mmsghdr. */
static int put_msg_len(struct task *t, uaddr_t entry, long n)
{
	uint32_t len = (uint32_t)n;
	return copy_to_user(t, entry + MMSG_LEN_AT, &len, sizeof(len));
}

long sys_sendmmsg(struct task *t, const struct sysargs *a)
{
	uaddr_t vec = a->a[1];
	unsigned vlen = MIN((unsigned)a->a[2], (unsigned)UIO_MAXIOV);
	int flags = (int)a->a[3];
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	struct file *f;
	long err, done;
	struct sock *sk = mmsg_socket(t, (int)a->a[0], &f, &flags, &err, &done);
	if (!sk)
		return err;
	for (; done < vlen; done++) {
		uaddr_t entry = vec + (uaddr_t)done * MMSG_SIZE;
		size_t want = 0;
		err = do_sendmsg(t, sk, entry, flags, &want);
		if (err < 0)
			break;
		if (put_msg_len(t, entry, err)) {
			err = -EFAULT;
			break;
		}
		if ((size_t)err < want) {	/* a short send ends the batch */
			done++;
			break;
		}
	}
	file_put(f);
	return progress_end(t, done, err < 0 ? err : 0, true);
}

long sys_recvmmsg(struct task *t, const struct sysargs *a)
{
	uaddr_t vec = a->a[1], utimeout = a->a[4];
	unsigned vlen = MIN((unsigned)a->a[2], (unsigned)UIO_MAXIOV);
	int flags = (int)a->a[3];
	if (flags & MSG_CMSG_COMPAT)
		return -EINVAL;
	if (utimeout && !t->rerun) {
		struct timespec ts;
		long err = get_user_timespec(t, utimeout, &ts);
		if (err)
			return err;
		/* checked after each message only, as Linux does */
		t->deadline = ts_add(mono_now(), ts);
	}
	struct file *f;
	long err, done;
	struct sock *sk = mmsg_socket(t, (int)a->a[0], &f, &flags, &err, &done);
	if (!sk)
		return err;
	if (done && (flags & MSG_WAITFORONE))
		flags |= MSG_DONTWAIT;
	bool expired = false;
	for (; done < vlen && !expired; done++) {
		uaddr_t entry = vec + (uaddr_t)done * MMSG_SIZE;
		err = do_recvmsg(t, sk, entry, flags & ~MSG_WAITFORONE);
		if (err < 0)
			break;
		if (put_msg_len(t, entry, err)) {
			err = -EFAULT;
			break;
		}
		err = 0;
		if (flags & MSG_WAITFORONE)
			flags |= MSG_DONTWAIT;
		expired = utimeout && ts_cmp(mono_now(), t->deadline) >= 0;
	}
	file_put(f);
	if (err == -EAGAIN && done)
		err = 0;	/* fewer than asked for: not an error */
	long r = progress_end(t, done, err, true);
	if (r > 0 && utimeout) {
		struct timespec left = deadline_left(t);
		if (copy_to_user(t, utimeout, &left, sizeof(left)))
			r = -EFAULT;
	}
	return r;
}
