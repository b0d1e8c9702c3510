/* POSIX timers (timer_create and the rest), as Linux's
 * kernel/time/posix-timers.c: per-process timers with ids from 0 up,
 * notified by a signal to the process or to one of its threads, or not
 * at all (SIGEV_NONE, read with timer_gettime).
 *
 * Deadlines are kept on CLOCK_MONOTONIC on the kernel's timer list, as
 * timerfd keeps them (an absolute time on another clock is fixed by that
 * clock's offset when set). As in Linux, a timer has one signal: while it
 * is queued, further expirations only count as overruns, which go out in
 * the signal's si_overrun when it is taken (delivered, dequeued by
 * sigwaitinfo or signalfd, or dropped) and stay readable with
 * timer_getoverrun until the next one. The CPU-time clocks have no timers
 * here (EINVAL): persona samples CPU time only every 10 ms. */
#include "task.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "ktime.h"
#include "uaccess.h"
#include "waitq.h"

#define MAX_TIMERS 4096		/* per process: a bound on persona's memory */
#ifndef SIGEV_THREAD_ID
#define SIGEV_THREAD_ID 4
#endif

struct posix_timer {
	struct posix_timer *next;	/* the process's list */
	struct posix_timer *all_next;	/* every timer, by serial */
	struct process *proc;
	uint64_t serial;		/* marks its signal in the queues */
	int id, clockid;
	int notify, signo, tid;
	uint64_t value;			/* sigev_value */
	int64_t expiry, interval;	/* CLOCK_MONOTONIC ns; 0: one-shot */
	bool armed;
	bool queued;			/* its signal waits in a queue */
	int overrun, overrun_last;
	struct timer *timer;		/* on the timer list while pending */
};

static struct posix_timer *all_timers;
static uint64_t next_serial = 1;

/* The guest's struct sigevent (asm-generic/siginfo.h). */
struct k_sigevent {
	uint64_t value;
	int32_t signo, notify;
	int32_t tid;
	int32_t pad[11];
};

static struct posix_timer *timer_find(struct process *p, int id)
{
	for (struct posix_timer *pt = p->posix_timers; pt; pt = pt->next)
		if (pt->id == id)
			return pt;
	return NULL;
}

static int overrun_add(int a, int64_t b)
{
	return b >= INT32_MAX - a ? INT32_MAX : a + (int)b;
}

static void pt_fire(void *arg);

static void pt_arm(struct posix_timer *pt)
{
	struct timespec when = ns_ts(pt->expiry);
	pt->timer = timer_add(&when, pt_fire, pt);
}

/* The timer's target: its thread for SIGEV_THREAD_ID while that thread
 * lives in the process, else the process. */
static struct task *pt_target(struct posix_timer *pt)
{
	if (pt->notify != (SIGEV_SIGNAL | SIGEV_THREAD_ID))
		return NULL;
	struct task *t = task_by_tid(pt->tid);
	return t && t->proc == pt->proc ? t : NULL;
}

static void pt_fire(void *arg)
{
	struct posix_timer *pt = arg;
	pt->timer = NULL;
	if (pt->interval) {
		/* The periods missed while the loop was late count as overruns. */
		int64_t now = now_ns(CLOCK_MONOTONIC), n = 1;
		if (now >= pt->expiry)
			n = (now - pt->expiry) / pt->interval + 1;
		pt->expiry = sat_add(pt->expiry, n > INT64_MAX / pt->interval ? INT64_MAX : n * pt->interval);
		pt_arm(pt);
		if (pt->queued) {
			pt->overrun = overrun_add(pt->overrun, n);
			return;
		}
		pt->overrun = overrun_add(pt->overrun, n - 1);
	} else {
		pt->armed = false;
		if (pt->queued)
			return;
	}
	if (pt->notify == SIGEV_NONE)
		return;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = pt->signo;
	si.si_code = SI_TIMER;
	si.si_timerid = pt->id;
	si.si_value.sival_ptr = (void *)pt->value;
	pt->queued = send_signal_timer(pt->proc, pt_target(pt), &si, pt->serial);
	if (!pt->queued)
		pt->overrun = 0;
}

void posix_timer_signal_taken(uint64_t serial, siginfo_t *info)
{
	for (struct posix_timer *pt = all_timers; pt; pt = pt->all_next) {
		if (pt->serial != serial)
			continue;
		pt->queued = false;
		pt->overrun_last = pt->overrun;
		pt->overrun = 0;
		info->si_overrun = pt->overrun_last;
		return;
	}
}

/* A signal queued before the timer was set again or deleted is stale:
 * Linux drops it when it would be taken; persona takes it off at once. */
static void pt_unqueue(struct posix_timer *pt)
{
	if (pt->queued)
		signal_unqueue_timer(pt->proc, pt->serial);
	pt->queued = false;
}

static void pt_free(struct posix_timer *pt)
{
	pt_unqueue(pt);
	timer_cancel(pt->timer);
	for (struct posix_timer **pp = &all_timers; *pp; pp = &(*pp)->all_next)
		if (*pp == pt) {
			*pp = pt->all_next;
			break;
		}
	free(pt);
}

void posix_timers_delete_all(struct process *p)
{
	while (p->posix_timers) {
		struct posix_timer *pt = p->posix_timers;
		p->posix_timers = pt->next;
		pt_free(pt);
	}
	p->nr_posix_timers = 0;
}

static bool clock_ok(int c)
{
	return c == CLOCK_REALTIME || c == CLOCK_MONOTONIC || c == CLOCK_BOOTTIME || c == CLOCK_TAI ||
	       c == CLOCK_REALTIME_ALARM || c == CLOCK_BOOTTIME_ALARM;
}

long sys_timer_create(struct task *t, const struct sysargs *a)
{
	struct process *p = t->proc;
	int clockid = (int)a->a[0];
	struct k_sigevent ev;
	if (a->a[1] && copy_from_user(t, &ev, a->a[1], sizeof(ev)))
		return -EFAULT;
	if (clockid == CLOCK_MONOTONIC_RAW || clockid == CLOCK_REALTIME_COARSE ||
	    clockid == CLOCK_MONOTONIC_COARSE)
		return -EOPNOTSUPP;	/* clocks Linux has no timers on */
	if (!clock_ok(clockid))
		return -EINVAL;
	/* The alarm clocks would wake a suspended machine: CAP_WAKE_ALARM. */
	if ((clockid == CLOCK_REALTIME_ALARM || clockid == CLOCK_BOOTTIME_ALARM) && p->euid != 0)
		return -EPERM;
	if (p->nr_posix_timers >= MAX_TIMERS)
		return -EAGAIN;
	/* The next free id, from where the last one was given; as in Linux,
	 * a create that fails from here on has used it up. */
	int id = p->next_timer_id;
	while (timer_find(p, id))
		id = id == INT32_MAX ? 0 : id + 1;
	p->next_timer_id = id == INT32_MAX ? 0 : id + 1;
	if (a->a[1]) {
		switch (ev.notify) {
		case SIGEV_SIGNAL | SIGEV_THREAD_ID: {
			struct task *o = task_by_tid(ev.tid);
			if (!o || o->proc != p)
				return -EINVAL;
		}
			/* fall through */
		case SIGEV_SIGNAL:
		case SIGEV_THREAD:	/* the kernel's SIGEV_THREAD is a signal */
			if (ev.signo <= 0 || ev.signo > 64)
				return -EINVAL;
			break;
		case SIGEV_NONE:
			break;
		default:
			return -EINVAL;
		}
	}
	struct posix_timer *pt = xzalloc(sizeof(*pt));
	pt->proc = p;
	pt->serial = next_serial++;
	pt->id = id;
	pt->clockid = clockid;
	if (a->a[1]) {
		pt->notify = ev.notify;
		pt->signo = ev.signo;
		pt->tid = ev.tid;
		pt->value = ev.value;
	} else {
		pt->notify = SIGEV_SIGNAL;
		pt->signo = SIGALRM;
		pt->value = (uint64_t)id;
	}
	if (copy_to_user(t, a->a[2], &id, sizeof(id))) {
		free(pt);
		return -EFAULT;
	}
	pt->next = p->posix_timers;
	p->posix_timers = pt;
	pt->all_next = all_timers;
	all_timers = pt;
	p->nr_posix_timers++;
	return 0;
}

static struct itimerspec pt_get(struct posix_timer *pt)
{
	struct itimerspec its = { ns_ts(pt->interval), { 0, 0 } };
	if (!pt->armed)
		return its;
	int64_t now = now_ns(CLOCK_MONOTONIC);
	if (pt->interval && now >= pt->expiry) {
		/* A SIGEV_NONE timer has no callback: it moves on here. */
		int64_t n = (now - pt->expiry) / pt->interval + 1;
		int64_t next = sat_add(pt->expiry, n > INT64_MAX / pt->interval ? INT64_MAX : n * pt->interval);
		its.it_value = ns_ts(next - now);
	} else if (pt->expiry > now) {
		its.it_value = ns_ts(pt->expiry - now);
	} else if (pt->notify != SIGEV_NONE) {
		its.it_value = (struct timespec){ 0, 1 };	/* due: Linux says 1 ns */
	}
	return its;
}

static bool ts_valid(struct timespec ts)
{
	return ts.tv_sec >= 0 && ts.tv_nsec >= 0 && ts.tv_nsec < KT_NSEC;
}

long sys_timer_settime(struct task *t, const struct sysargs *a)
{
	struct itimerspec its;
	if (!a->a[2])
		return -EINVAL;
	if (copy_from_user(t, &its, a->a[2], sizeof(its)))
		return -EFAULT;
	if (!ts_valid(its.it_value) || !ts_valid(its.it_interval))
		return -EINVAL;
	struct posix_timer *pt = timer_find(t->proc, (int)a->a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec old = pt_get(pt);
	pt_unqueue(pt);
	timer_cancel(pt->timer);
	pt->timer = NULL;
	pt->overrun = 0;
	pt->overrun_last = 0;
	pt->interval = ts_ns(its.it_interval);
	pt->armed = its.it_value.tv_sec || its.it_value.tv_nsec;
	if (pt->armed) {
		int64_t v = ts_ns(its.it_value);
		pt->expiry = (int)a->a[1] & TIMER_ABSTIME ? to_mono(pt->clockid, v)
							 : sat_add(now_ns(CLOCK_MONOTONIC), v);
		if (pt->notify != SIGEV_NONE)
			pt_arm(pt);
	}
	if (a->a[3] && copy_to_user(t, a->a[3], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

long sys_timer_gettime(struct task *t, const struct sysargs *a)
{
	struct posix_timer *pt = timer_find(t->proc, (int)a->a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec its = pt_get(pt);
	return copy_to_user(t, a->a[1], &its, sizeof(its)) ? -EFAULT : 0;
}

long sys_timer_getoverrun(struct task *t, const struct sysargs *a)
{
	struct posix_timer *pt = timer_find(t->proc, (int)a->a[0]);
	return pt ? pt->overrun_last : -EINVAL;
}

long sys_timer_delete(struct task *t, const struct sysargs *a)
{
	struct process *p = t->proc;
	for (struct posix_timer **pp = &p->posix_timers; *pp; pp = &(*pp)->next) {
		struct posix_timer *pt = *pp;
		if (pt->id != (int)a->a[0])
			continue;
		*pp = pt->next;
		p->nr_posix_timers--;
		pt_free(pt);
		return 0;
	}
	return -EINVAL;
}
