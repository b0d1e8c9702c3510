/* Wait queues, timers and host fd watches: everything a parked task can
 * be woken by. All of it runs on the kernel's one thread. */
#include "waitq.h"
#include "loop.h"
#include <limits.h>
#include <sys/epoll.h>
#include <unistd.h>

struct waiter {
	struct list_head qnode;		/* on the wait queue */
	struct list_head tnode;		/* on the task's list */
	struct task *t;
	unsigned key;			/* poll events it waits for; 0: any */
};

struct timer {
	struct timespec when;
	struct task *t;			/* woken, or else: */
	void (*fn)(void *arg);		/* called */
	void *arg;
	struct list_head node;		/* sorted by `when` */
};
static struct list_head timers = LIST_HEAD_INIT(timers);

void wait_on(struct task *t, struct waitq *q)
{
	wait_on_key(t, q, 0);
}

void wait_on_key(struct task *t, struct waitq *q, unsigned key)
{
	struct waiter *w = xmalloc(sizeof(*w));
	w->t = t;
	w->key = key;
	list_add_tail(&w->qnode, &q->head);
	list_add_tail(&w->tnode, &t->waiters);
}

static void timer_insert(struct timer *tm)
{
	struct timer *pos;
	list_for_each_entry(pos, &timers, node)
		if (ts_cmp(pos->when, tm->when) > 0)
			break;
	list_add_tail(&tm->node, &pos->node);
}

void wait_until(struct task *t, const struct timespec *when)
{
	struct timer *tm = xzalloc(sizeof(*tm));
	tm->when = *when;
	tm->t = t;
	if (t->timer)
		kpanic("task %d waits on two timers", t->tid);
	t->timer = tm;
	timer_insert(tm);
}

struct timer *timer_add(const struct timespec *when, void (*fn)(void *), void *arg)
{
	struct timer *tm = xzalloc(sizeof(*tm));
	tm->when = *when;
	tm->fn = fn;
	tm->arg = arg;
	timer_insert(tm);
	return tm;
}

void timer_cancel(struct timer *tm)
{
	if (!tm)
		return;
	list_del(&tm->node);
	free(tm);
}

struct timespec timer_when(struct timer *tm)
{
	return tm->when;
}

void task_unwait(struct task *t)
{
	struct waiter *w, *n;
	list_for_each_entry_safe(w, n, &t->waiters, tnode) {
		list_del(&w->qnode);
		list_del(&w->tnode);
		free(w);
	}
	if (t->timer) {
		list_del(&t->timer->node);
		free(t->timer);
		t->timer = NULL;
	}
	futex_unwait(t);
	sem_unwait(t);
}

size_t progress_take(struct task *t)
{
	return t->rerun ? t->io_done : 0;
}

long progress_end(struct task *t, size_t done, long err, bool may_wait)
{
	if (!done)
		return err;
	if (err != -EWOULDBLOCK_TASK)
		return (long)done;
	if (!may_wait) {
		task_unwait(t);
		return (long)done;
	}
	t->io_done = done;
	return err;
}

struct timespec deadline_left(struct task *t)
{
	struct timespec now = mono_now();
	if (ts_cmp(now, t->deadline) >= 0)
		return (struct timespec){ 0, 0 };
	return ts_sub(t->deadline, now);
}

void task_wake(struct task *t)
{
	if (t->state != TASK_BLOCKED) {
		/* Woken while its handler still runs (it registered, then
		 * something it did woke the queue): it must not block. */
		task_unwait(t);
		if (t->state == TASK_IN_KERNEL)
			t->wake_pending = true;
		return;
	}
	task_unwait(t);
	t->state = TASK_READY;
	loop_make_ready(t);
}

void wake_up(struct waitq *q)
{
	while (!list_empty(&q->head)) {
		struct waiter *w = list_entry(q->head.next, struct waiter, qnode);
		task_wake(w->t);	/* frees w */
	}
}

/* task_wake frees every waiter of its task, which may include the next
 * one on this queue: so each wake looks again from the head. */
void wake_up_key(struct waitq *q, unsigned key)
{
	for (;;) {
		struct waiter *w, *hit = NULL;
		list_for_each_entry(w, &q->head, qnode)
			if (!w->key || (w->key & key)) {
				hit = w;
				break;
			}
		if (!hit)
			return;
		task_wake(hit->t);
	}
}

/* Host fds: one watch per fd, registered in the loop's epoll only while
 * someone waits on it. */
struct hostfd_watch {
	int fd;
	unsigned events;
	struct waitq q;
	struct hostfd_watch *next;
};
static struct hostfd_watch *watches;

void wait_hostfd(struct task *t, int fd, unsigned events)
{
	struct hostfd_watch *w;
	for (w = watches; w; w = w->next)
		if (w->fd == fd)
			break;
	if (w && (w->events & events) != events) {
		/* another waiter wants more: the watch covers both */
		w->events |= events;
		struct epoll_event ev = { .events = w->events | EPOLLONESHOT, .data.ptr = w };
		epoll_ctl(loop_epoll_fd(), EPOLL_CTL_MOD, fd, &ev);
	}
	if (!w) {
		w = xzalloc(sizeof(*w));
		w->fd = fd;
		w->events = events;
		waitq_init(&w->q);
		struct epoll_event ev = { .events = events | EPOLLONESHOT, .data.ptr = w };
		if (epoll_ctl(loop_epoll_fd(), EPOLL_CTL_ADD, fd, &ev)) {
			/* Regular files can't be polled: they are always ready. */
			free(w);
			struct timespec now = mono_now();
			wait_until(t, &now);
			return;
		}
		w->next = watches;
		watches = w;
	}
	wait_on(t, &w->q);
}

void hostfd_ready(void *p)
{
	/* The event may be stale: a call handled earlier in the same batch
	 * of events can have dropped the watch (its fd closed). Only a watch
	 * still listed is acted on; one made anew at the same address just
	 * wakes its waiters early, and they wait again. */
	struct hostfd_watch **pp;
	for (pp = &watches; *pp; pp = &(*pp)->next)
		if (*pp == p)
			break;
	struct hostfd_watch *w = *pp;
	if (!w)
		return;
	*pp = w->next;
	epoll_ctl(loop_epoll_fd(), EPOLL_CTL_DEL, w->fd, NULL);
	wake_up(&w->q);
	free(w);
}

void hostfd_unwatch(int fd)
{
	for (struct hostfd_watch *w = watches; w; w = w->next)
		if (w->fd == fd) {
			hostfd_ready(w);
			return;
		}
}

int timers_next_timeout_ms(void)
{
	if (list_empty(&timers))
		return -1;
	struct timer *tm = list_entry(timers.next, struct timer, node);
	struct timespec now = mono_now();
	if (ts_cmp(tm->when, now) <= 0)
		return 0;
	struct timespec d = ts_sub(tm->when, now);
	if (d.tv_sec >= 1000)		/* the loop wakes at least every 1000 s */
		return 1000000;
	long ms = d.tv_sec * 1000 + (d.tv_nsec + 999999) / 1000000;
	return ms > 1000000 ? 1000000 : (int)ms;
}

void timers_run(void)
{
	struct timespec now = mono_now();
	while (!list_empty(&timers)) {
		struct timer *tm = list_entry(timers.next, struct timer, node);
		if (ts_cmp(tm->when, now) > 0)
			break;
		if (tm->fn) {
			list_del(&tm->node);
			void (*fn)(void *) = tm->fn;
			void *arg = tm->arg;
			free(tm);
			fn(arg);
			continue;
		}
		tm->t->timed_out = true;
		task_wake(tm->t);	/* frees tm */
	}
}

struct timespec now_real(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

struct timespec mono_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

/* a is a clock's now (never negative). A guest's timeout may be as long as
 * it likes: the sum saturates, as Linux's timespec64_add_safe does, rather
 * than wrapping into the past (a sleep "forever" that ended at once). */
struct timespec ts_add(struct timespec a, struct timespec b)
{
	if (b.tv_sec >= LONG_MAX - a.tv_sec)
		return (struct timespec){ LONG_MAX, 999999999 };
	a.tv_sec += b.tv_sec;
	a.tv_nsec += b.tv_nsec;
	if (a.tv_nsec >= 1000000000) {
		a.tv_nsec -= 1000000000;
		a.tv_sec++;
	}
	return a;
}

struct timespec ts_sub(struct timespec a, struct timespec b)
{
	a.tv_sec -= b.tv_sec;
	a.tv_nsec -= b.tv_nsec;
	if (a.tv_nsec < 0) {
		a.tv_nsec += 1000000000;
		a.tv_sec--;
	}
	return a;
}

int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	return a.tv_nsec < b.tv_nsec ? -1 : a.tv_nsec > b.tv_nsec;
}
