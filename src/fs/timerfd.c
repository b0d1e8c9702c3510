/* timerfd (man 2 timerfd_create), after the behavior of Linux's
 * fs/timerfd.c: a timer whose expirations are read from an fd as a count.
 *
 * As in Linux, the timer fires once (a callback on the kernel's timer
 * list bumps the count and wakes readers); a periodic timer is not re-armed
 * then but when the count is read or the time asked for, and the periods
 * missed meanwhile are added to the count (hrtimer_forward's overruns).
 * Deadlines are kept on CLOCK_MONOTONIC: an absolute time on another clock
 * is converted by that clock's offset when the timer is set, so a later
 * change of the realtime clock does not move it (nor cancel it: the flag
 * TFD_TIMER_CANCEL_ON_SET is accepted and has no effect). A time already
 * past when set expires at once. */
#include "anon_inode.h"
#include "waitq.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "ktime.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/timerfd.h>

struct timerfd {
	int clockid;
	bool armed;
	int64_t expiry;			/* CLOCK_MONOTONIC ns, when armed */
	int64_t interval;		/* ns; 0 for a one-shot timer */
	uint64_t ticks;			/* expirations not read yet */
	bool expired;			/* fired, and not forwarded since */
	struct timer *timer;		/* on the timer list while pending */
	struct waitq wq;
};

static const struct file_ops timerfd_ops;

static struct timerfd *T(struct file *f) { return f->priv; }

static void tfd_fire(void *arg);

static void tfd_arm(struct timerfd *tf)
{
	struct timespec when = ns_ts(tf->expiry);
	tf->timer = timer_add(&when, tfd_fire, tf);
}

static void tfd_fire(void *arg)
{
	struct timerfd *tf = arg;
	tf->timer = NULL;
	tf->expired = true;
	tf->ticks++;
	wake_up(&tf->wq);
}

/* A periodic timer that fired moves on to its next expiration after
 * now; returns how many periods that took (at least 1). */
static uint64_t tfd_forward(struct timerfd *tf)
{
	int64_t now = now_ns(CLOCK_MONOTONIC);
	uint64_t n = 1;
	if (now >= tf->expiry)
		n = (uint64_t)(now - tf->expiry) / (uint64_t)tf->interval + 1;
	tf->expiry = sat_add(tf->expiry, (int64_t)MIN(n * (uint64_t)tf->interval, (uint64_t)INT64_MAX));
	tf->expired = false;
	tfd_arm(tf);
	return n;
}

/* Before the time or the count is looked at, as Linux does it. */
static void tfd_catch_up(struct timerfd *tf)
{
	if (tf->expired && tf->interval)
		tf->ticks += tfd_forward(tf) - 1;
}

static struct itimerspec tfd_get(struct timerfd *tf)
{
	struct itimerspec its = { ns_ts(tf->interval), { 0, 0 } };
	int64_t now = now_ns(CLOCK_MONOTONIC);
	if (tf->armed && tf->expiry > now)
		its.it_value = ns_ts(tf->expiry - now);
	return its;
}

static void tfd_set(struct timerfd *tf, int flags, const struct itimerspec *its)
{
	timer_cancel(tf->timer);
	tf->timer = NULL;
	tf->ticks = 0;
	tf->expired = false;
	tf->interval = ts_ns(its->it_interval);
	tf->armed = its->it_value.tv_sec || its->it_value.tv_nsec;
	if (!tf->armed)
		return;
	int64_t v = ts_ns(its->it_value);
	tf->expiry = flags & TFD_TIMER_ABSTIME ? to_mono(tf->clockid, v)
					       : sat_add(now_ns(CLOCK_MONOTONIC), v);
	if (tf->expiry <= now_ns(CLOCK_MONOTONIC))
		tfd_fire(tf);
	else
		tfd_arm(tf);
}

static ssize_t timerfd_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct timerfd *tf = T(f);
	if (n < sizeof(uint64_t))
		return -EINVAL;
	if (!tf->ticks) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		wait_on(current, &tf->wq);
		return -EWOULDBLOCK_TASK;
	}
	tfd_catch_up(tf);
	uint64_t v = tf->ticks;
	tf->ticks = 0;
	tf->expired = false;
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

static unsigned timerfd_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &T(f)->wq);
	return T(f)->ticks ? POLLIN | POLLRDNORM : 0;
}

static void timerfd_release(struct file *f)
{
	struct timerfd *tf = T(f);
	timer_cancel(tf->timer);
	wake_up(&tf->wq);
	free(tf);
}

static const struct file_ops timerfd_ops = {
	.anon_name = "[timerfd]",
	.read = timerfd_read, .poll = timerfd_poll, .release = timerfd_release,
	.getattr = anon_getattr,
};

static bool clock_ok(int c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME ||
	       c == CLOCK_REALTIME_ALARM || c == CLOCK_BOOTTIME_ALARM;
}

long sys_timerfd_create(struct task *t, const struct sysargs *a)
{
	int clockid = (int)a->a[0], flags = (int)a->a[1];
	if ((flags & ~(TFD_CLOEXEC | TFD_NONBLOCK)) || !clock_ok(clockid))
		return -EINVAL;
	/* The alarm clocks would wake a suspended machine: CAP_WAKE_ALARM. */
	if ((clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM) &&
	    t->proc->euid != 0)
		return -EPERM;
	struct timerfd *tf = xzalloc(sizeof(*tf));
	tf->clockid = clockid;
	waitq_init(&tf->wq);
	struct file *f = anon_file_new(&timerfd_ops, tf, flags & TFD_NONBLOCK);
	return anon_install(t, f, flags & TFD_CLOEXEC);
}

static bool ts_valid(struct timespec ts)
{
	return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < KT_NSEC;
}

long sys_timerfd_settime(struct task *t, const struct sysargs *a)
{
	int flags = (int)a->a[1];
	struct itimerspec its, old;
	if (copy_from_user(t, &its, a->a[2], sizeof(its)))
		return -EFAULT;
	if ((flags & ~(TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET)) ||
	    !ts_valid(its.it_value) || !ts_valid(its.it_interval))
		return -EINVAL;
	long err;
	struct file *f = anon_fd_get(t, (int)a->a[0], &timerfd_ops, &err);
	if (!f)
		return err;
	struct timerfd *tf = T(f);
	tfd_catch_up(tf);
	old = tfd_get(tf);
	tfd_set(tf, flags, &its);
	file_put(f);
	if (a->a[3] && copy_to_user(t, a->a[3], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_timerfd_gettime(struct task *t, const struct sysargs *a)
{
	long err;
	struct file *f = anon_fd_get(t, (int)a->a[0], &timerfd_ops, &err);
	if (!f)
		return err;
	tfd_catch_up(T(f));
	struct itimerspec its = tfd_get(T(f));
	file_put(f);
	return copy_to_user(t, a->a[1], &its, sizeof(its)) ? -EFAULT : 0;
}
