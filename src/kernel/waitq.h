/* Wait queues and timers. A handler that must wait parks its task with
 * wait_on()/wait_until() and returns -EWOULDBLOCK_TASK; when something
 * wakes the task the loop runs the same system call again from the top,
 * with t->rerun set (Linux's wait_event loop, turned inside out). */
#pragma once
#include "task.h"

struct waitq { struct list_head head; };
#define WAITQ_INIT(name) { LIST_HEAD_INIT((name).head) }
static inline void waitq_init(struct waitq *q) { list_init(&q->head); }

void wait_on(struct task *t, struct waitq *q);
/* Waits on q only for a wake that announces one of the poll events in
 * key (an EPOLLET entry's watcher: Linux's ep_poll_callback skips a wake
 * whose key its entry did not ask for). */
void wait_on_key(struct task *t, struct waitq *q, unsigned key);
/* Waits until the absolute CLOCK_MONOTONIC time `when`. */
void wait_until(struct task *t, const struct timespec *when);
/* Waits for a host fd (console, host socket) to become ready. */
void wait_hostfd(struct task *t, int fd, unsigned events);
/* Before a host fd closes: its waiters wake (and find it gone). */
void hostfd_unwatch(int fd);
void wake_up(struct waitq *q);
/* Wakes the waiters of q, but for those waiting on a key without any of
 * the poll events in `key`: what the change announces (POLLOUT when room
 * was made, POLLIN when data came), as Linux's wake_up_poll. A key of 0
 * announces nothing: only waiters without a key wake. */
void wake_up_key(struct waitq *q, unsigned key);
/* A timer that calls fn(arg) once at `when` (CLOCK_MONOTONIC). */
struct timer *timer_add(const struct timespec *when, void (*fn)(void *), void *arg);
void timer_cancel(struct timer *tm);
struct timespec timer_when(struct timer *tm);
/* Makes a blocked task ready (its handler runs again). */
void task_wake(struct task *t);
/* Drops whatever a task waits on (it exits, or its wait ends). */
void task_unwait(struct task *t);

/* Calls that wait part way (a blocking write(2) to a stream, a stream
 * send, a MSG_WAITALL read, sendmmsg/recvmmsg) keep how far they got in
 * t->io_done, which the loop keeps across reruns of one call and clears
 * for the next; the dispatcher returns it when a signal ends the wait.
 * progress_take: where a rerun goes on from (0 on the first run).
 * progress_end: what a call that moved `done` returns after `err`: err
 * when nothing moved, else the count; a wait (`err` -EWOULDBLOCK_TASK)
 * keeps the count for the rerun if the call `may_wait`, and otherwise
 * ends as a short count that leaves no wait behind. */
size_t progress_take(struct task *t);
long progress_end(struct task *t, size_t done, long err, bool may_wait);

/* Time helpers on CLOCK_MONOTONIC. */
struct timespec mono_now(void);
/* CLOCK_REALTIME, for file times. */
struct timespec now_real(void);
struct timespec ts_add(struct timespec a, struct timespec b);
int ts_cmp(struct timespec a, struct timespec b);
struct timespec ts_sub(struct timespec a, struct timespec b);
/* The time left until t->deadline, clamped at zero (what calls with a
 * timeout write back). */
struct timespec deadline_left(struct task *t);
/* Sleeps until t->deadline (sys_time.c): nanosleep, clock_nanosleep and
 * their restart_syscall; urem gets the time left if a signal cuts a
 * relative sleep short. */
long sleep_until_deadline(struct task *t, uaddr_t urem, bool absolute);

/* For the event loop. */
int timers_next_timeout_ms(void);
void timers_run(void);
void hostfd_ready(void *watch);
void loop_init(int platform_fd);
int loop_epoll_fd(void);
