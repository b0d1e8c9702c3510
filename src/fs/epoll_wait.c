/* epoll_wait, epoll_pwait, epoll_pwait2 (man 2 epoll_wait): report what
 * an epoll set has ready, or wait for it as select.c waits: the task is
 * parked on every queue a change would be announced on, and any wake runs
 * the call again from the top. The deadline is fixed in t->deadline on the
 * first run. As in Linux, a signal ends the wait with EINTR, never a
 * restart, and the mask of epoll_pwait is in force while it waits. */
#include "anon_inode.h"
#include "epoll.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "mm.h"

/* When the wait's time runs out; the deadline is fixed in t->deadline on
 * the first run, as in select.c. */
enum { TO_NEVER, TO_NOW, TO_LATER };
struct timeout {
	int kind;
	struct timespec len;
};

static void timeout_start(struct task *t, struct timeout *to)
{
	if (to->kind == TO_LATER && !t->rerun) {
		if (to->len.tv_sec > 1000000000)	/* 30 years is forever */
			to->len.tv_sec = 1000000000;
		t->deadline = ts_add(mono_now(), to->len);
	}
}

static bool timeout_expired(struct task *t, const struct timeout *to)
{
	if (to->kind == TO_NOW)
		return true;
	return to->kind == TO_LATER && (t->timed_out || ts_cmp(mono_now(), t->deadline) >= 0);
}

/* Reports what is ready, or parks the task until something may be. */
static long ep_wait(struct task *t, struct file *f, uaddr_t uev, int max,
		    const struct timeout *to)
{
	long r = epoll_send_events(t, f, uev, max);
	if (r || timeout_expired(t, to))
		return r;
	struct poll_table pt = { t, 0 };
	epoll_register(f, &pt);
	if (to->kind == TO_LATER && !t->timer)
		wait_until(t, &t->deadline);
	t->restart_code = EINTR;	/* epoll waits are never restarted */
	return -EWOULDBLOCK_TASK;
}

/* Checked in Linux's order: the fd, maxevents, the buffer (access_ok:
 * it must lie in user space), the kind of file. */
static long do_epoll_wait(struct task *t, int epfd, uaddr_t uev, int max, const struct timeout *to)
{
	struct file *f = fd_get_io(t, epfd);
	long r;
	if (!f)
		return -EBADF;
	if (max <= 0 || max > EP_MAX_EVENTS)
		r = -EINVAL;
	else if (uev > TASK_SIZE || (uint64_t)max * EPOLL_EVENT_SIZE > TASK_SIZE - uev)
		r = -EFAULT;
	else if (!is_epoll(f))
		r = -EINVAL;
	else
		r = ep_wait(t, f, uev, max, to);
	file_put(f);
	return r;
}

static struct timeout ms_timeout(int ms)
{
	struct timeout to = { ms < 0 ? TO_NEVER : ms ? TO_LATER : TO_NOW,
			      { ms / 1000, (ms % 1000) * 1000000L } };
	return to;
}

long sys_epoll_wait(struct task *t, const struct sysargs *a)
{
	struct timeout to = ms_timeout((int)a->a[3]);
	timeout_start(t, &to);
	return do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2], &to);
}

static long do_epoll_pwait(struct task *t, const struct sysargs *a, struct timeout *to)
{
	int err = signal_wait_mask(t, a->a[4], a->a[5]);
	if (err)
		return err;
	timeout_start(t, to);
	long r = do_epoll_wait(t, (int)a->a[0], a->a[1], (int)a->a[2], to);
	return signal_wait_mask_done(t, r);
}

long sys_epoll_pwait(struct task *t, const struct sysargs *a)
{
	struct timeout to = ms_timeout((int)a->a[3]);
	return do_epoll_pwait(t, a, &to);
}

long sys_epoll_pwait2(struct task *t, const struct sysargs *a)
{
	struct timeout to = { TO_NEVER, { 0, 0 } };
	if (a->a[3]) {
		struct timespec ts;
		int err = get_user_timespec(t, a->a[3], &ts);
		if (err)
			return err;
		to.kind = ts.tv_sec || ts.tv_nsec ? TO_LATER : TO_NOW;
		to.len = ts;
	}
	return do_epoll_pwait(t, a, &to);
}
