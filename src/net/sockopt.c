/* setsockopt, getsockopt (man 7 socket): the SOL_SOCKET options, kept
 * in struct sock as Linux's sk_setsockopt / sk_getsockopt keep them.
 * Options that only change how a network stack behaves (SO_KEEPALIVE,
 * SO_REUSEADDR, SO_PRIORITY, ...) are stored and read back; AF_UNIX has
 * no options of its own at other levels (EOPNOTSUPP). */
#include "socket.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <limits.h>

#define HZ 1000		/* timeouts are kept in ms ticks, as a HZ=1000 Linux */

static int flag_bit(int name)
{
	switch (name) {
	case SO_PASSCRED: return SKF_PASSCRED;
	case SO_REUSEADDR: return SKF_REUSEADDR;
	case SO_KEEPALIVE: return SKF_KEEPALIVE;
	case SO_BROADCAST: return SKF_BROADCAST;
	case SO_DONTROUTE: return SKF_DONTROUTE;
	case SO_OOBINLINE: return SKF_OOBINLINE;
	case SO_DEBUG: return SKF_DEBUG;
	case SO_NO_CHECK: return SKF_NO_CHECK;
	case SO_TIMESTAMP: return SKF_TIMESTAMP;
	case SO_TIMESTAMPNS: return SKF_TIMESTAMPNS;
	}
	return 0;
}

/* Linux's sock_set_timeout: a struct timeval (old: 64-bit fields on
 * x86_64 either way); negative seconds mean "don't wait". */
static long set_timeout(struct task *t, int64_t *timeo, uaddr_t val, int len)
{
	struct linux_timeval tv;
	if (len < (int)sizeof(tv))
		return -EINVAL;
	if (copy_from_user(t, &tv, val, sizeof(tv)))
		return -EFAULT;
	if (tv.usec < 0 || tv.usec >= 1000000)
		return -EDOM;
	if (tv.sec < 0) {
		*timeo = 0;
		return 0;
	}
	*timeo = TIMEO_FOREVER;
	if ((tv.sec || tv.usec) && tv.sec < LONG_MAX / HZ - 1) {
		int64_t ticks = tv.sec * HZ + (tv.usec + 1000000 / HZ - 1) / (1000000 / HZ);
		*timeo = ticks * (1000000000 / HZ);
	}
	return 0;
}

/* The size kept is twice what was asked (Linux counts its overhead),
 * within net.core.wmem_max (rmem_max) unless forced. */
static int buf_size(int val, int min, bool force)
{
	if (force)
		val = MAX(val, 0);
	else
		val = (int)MIN((unsigned)val, (unsigned)SOCK_MAX_BUF);
	val = MIN(val, INT_MAX / 2);
	return MAX(val * 2, min);
}

long sock_setsockopt(struct sock *sk, struct task *t, int name, uaddr_t val, int len)
{
	if (name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW)
		return set_timeout(t, &sk->rcvtimeo, val, len);
	if (name == SO_SNDTIMEO_OLD || name == SO_SNDTIMEO_NEW)
		return set_timeout(t, &sk->sndtimeo, val, len);
	int v;
	if (len < (int)sizeof(int))
		return -EINVAL;
	if (copy_from_user(t, &v, val, sizeof(v)))
		return -EFAULT;
	bool root = t->proc->euid == 0;
	int bit = flag_bit(name);
	if (bit) {
		if (name == SO_DEBUG && v && !root)
			return -EACCES;
		sk->flags = v ? sk->flags | bit : sk->flags & ~bit;
		return 0;
	}
	switch (name) {
	case SO_SNDBUFFORCE:
	case SO_RCVBUFFORCE:
		if (!root)
			return -EPERM;
		/* fall through */
	case SO_SNDBUF:
	case SO_RCVBUF:
		if (name == SO_SNDBUF || name == SO_SNDBUFFORCE)
			sk->sndbuf = buf_size(v, SOCK_MIN_SNDBUF, name == SO_SNDBUFFORCE);
		else
			sk->rcvbuf = buf_size(v, SOCK_MIN_RCVBUF, name == SO_RCVBUFFORCE);
		wake_up(&sk->wait);	/* a writer may fit now */
		return 0;
	case SO_LINGER: {
		struct linux_linger l;
		if (len < (int)sizeof(l))
			return -EINVAL;
		if (copy_from_user(t, &l, val, sizeof(l)))
			return -EFAULT;
		if (!l.onoff) {
			sk->flags &= ~SKF_LINGER;
		} else {
			sk->flags |= SKF_LINGER;
			sk->linger_secs = l.linger;
		}
		return 0;
	}
	case SO_PRIORITY:
		if ((v < 0 || v > 6) && !root)
			return -EPERM;
		sk->priority = v;
		return 0;
	case SO_RCVLOWAT:
		sk->rcvlowat = v < 0 ? INT_MAX : v ? v : 1;
		return 0;
	case SO_BSDCOMPAT:
		return 0;
	case SO_REUSEPORT:
		return v ? -EOPNOTSUPP : 0;	/* INET sockets only */
	}
	return -ENOPROTOOPT;
}

/* The value of a plain int option, or false if `name` is not one. */
static bool int_opt(struct sock *sk, int name, int *v)
{
	int bit = flag_bit(name);
	if (bit) {
		*v = !!(sk->flags & bit);
		return true;
	}
	switch (name) {
	case SO_TYPE: *v = sk->type; return true;
	case SO_PROTOCOL: *v = sk->protocol; return true;
	case SO_DOMAIN: *v = sk->family; return true;
	case SO_ERROR: *v = -sock_error(sk); return true;
	case SO_SNDBUF: *v = sk->sndbuf; return true;
	case SO_RCVBUF: *v = sk->rcvbuf; return true;
	case SO_PRIORITY: *v = sk->priority; return true;
	case SO_RCVLOWAT: *v = sk->rcvlowat; return true;
	case SO_SNDLOWAT: *v = 1; return true;
	case SO_ACCEPTCONN: *v = sk->state == SK_LISTEN; return true;
	case SO_REUSEPORT: case SO_BSDCOMPAT: *v = 0; return true;
	}
	return false;
}

/* Fills `buf` with the option's value; its size, or an error. */
static int opt_value(struct sock *sk, int name, char *buf, int len)
{
	int v;
	if (int_opt(sk, name, &v)) {
		memcpy(buf, &v, sizeof(v));
		return sizeof(v);
	}
	switch (name) {
	case SO_LINGER: {
		struct linux_linger l = { !!(sk->flags & SKF_LINGER), sk->linger_secs };
		memcpy(buf, &l, sizeof(l));
		return sizeof(l);
	}
	case SO_RCVTIMEO_OLD: case SO_RCVTIMEO_NEW:
	case SO_SNDTIMEO_OLD: case SO_SNDTIMEO_NEW: {
		bool rcv = name == SO_RCVTIMEO_OLD || name == SO_RCVTIMEO_NEW;
		int64_t ns = rcv ? sk->rcvtimeo : sk->sndtimeo;
		struct linux_timeval tv = { 0, 0 };
		if (ns > 0)
			tv = (struct linux_timeval){ ns / 1000000000, ns % 1000000000 / 1000 };
		memcpy(buf, &tv, sizeof(tv));
		return sizeof(tv);
	}
	case SO_PEERCRED:
		memcpy(buf, &sk->peercred, sizeof(sk->peercred));
		return sizeof(sk->peercred);
	case SO_PEERNAME: {
		struct linux_sockaddr_storage a;
		memset(&a, 0, sizeof(a));
		int n = sk->ops->getname(sk, &a, true);
		if (n < 0)
			return -ENOTCONN;
		if (n < len)
			return -EINVAL;		/* as Linux: a bigger buffer is refused */
		memcpy(buf, &a, n);
		return n;
	}
	case SO_COOKIE:
		memcpy(buf, &sk->cookie, sizeof(sk->cookie));
		return sizeof(sk->cookie);
	}
	return -ENOPROTOOPT;
}

long sock_getsockopt(struct sock *sk, struct task *t, int name, uaddr_t val, uaddr_t ulen)
{
	int len;
	if (copy_from_user(t, &len, ulen, sizeof(len)))
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	char buf[sizeof(struct linux_sockaddr_storage)];
	memset(buf, 0, sizeof(buf));
	int n = opt_value(sk, name, buf, len);
	if (n < 0)
		return n;
	len = MIN(len, n);
	if (copy_to_user(t, val, buf, len) || copy_to_user(t, ulen, &len, sizeof(len)))
		return -EFAULT;
	return 0;
}

long sys_setsockopt(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	int level = (int)a->a[1], len = (int)a->a[4];
	struct sock *sk = sock_of(f);
	if (len < 0)
		err = -EINVAL;
	else if (sk->ops->setsockopt)
		err = sk->ops->setsockopt(sk, t, level, (int)a->a[2], a->a[3], len);
	else if (level != SOL_SOCKET)
		err = -EOPNOTSUPP;
	else
		err = sock_setsockopt(sk, t, (int)a->a[2], a->a[3], len);
	file_put(f);
	return err;
}

long sys_getsockopt(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = sockfd_get(t, (int)a->a[0], &err);
	if (!f)
		return err;
	int level = (int)a->a[1];
	struct sock *sk = sock_of(f);
	err = sk->ops->getsockopt ? sk->ops->getsockopt(sk, t, level, (int)a->a[2], a->a[3], a->a[4])
	      : level != SOL_SOCKET ? -EOPNOTSUPP
	      : sock_getsockopt(sk, t, (int)a->a[2], a->a[3], a->a[4]);
	file_put(f);
	return err;
}
