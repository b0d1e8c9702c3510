/* futex_signal: a futex hand-off between two threads while a third
 * sends the waiter signals as fast as it can (as JavaScriptCore suspends
 * its threads with SIGPWR). A FUTEX_WAIT returns 0 only when a FUTEX_WAKE
 * took it off the queue, and FUTEX_WAKE counts exactly the waiters it
 * took: so the sum of what the wakes returned must equal the number of
 * waits that returned 0, whatever the signals did to the other waits. A
 * wait ended by a signal that leaves its waiter queued spends a later
 * wake on nobody. The hand-off stops after ROUNDS rounds or 8 seconds
 * (a platform where each call is slow must not time out).
 *
 * The storm comes in bursts of BURST signals, each burst followed by a
 * pause until the next round starts (or 2 ms pass): an endless storm
 * can keep a waiter in its handler for good wherever sending a signal
 * costs as much as taking one (each of the waiter's rt_sigreturns finds
 * the next signal pending), as under a tracer that serves every call in
 * turn; Linux's time slices hide that natively. Each round still has
 * its burst land on the waiter as it goes to wait. */
#include "abi.h"
#include <linux/futex.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#define ROUNDS 1000
#define BURST 128

static _Atomic uint32_t seq;
static atomic_int arrived = -1, stop, waiter_tid, done;
static long zeros, wakes, others;

static void on_sig(int s) { (void)s; }

static void *waiter(void *arg)
{
	(void)arg;
	waiter_tid = gettid();
	for (int i = 0; i < ROUNDS; i++) {
		atomic_store(&arrived, i);
		while (atomic_load(&seq) == (uint32_t)i) {
			struct timespec to = { 0, 20 * 1000 * 1000 };
			long r = syscall(SYS_futex, &seq, FUTEX_WAIT_PRIVATE, i, &to, NULL, 0);
			if (r == 0)
				zeros++;
			else if (errno != EINTR && errno != EAGAIN && errno != ETIMEDOUT)
				others++;
		}
		if (atomic_load(&done))
			break;
	}
	return NULL;
}

static long now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static void *storm(void *arg)
{
	pid_t pid = getpid();
	(void)arg;
	while (!atomic_load(&stop)) {
		int round = atomic_load(&arrived);
		for (int k = 0; k < BURST; k++)
			syscall(SYS_tgkill, pid, atomic_load(&waiter_tid), SIGUSR1);
		long until = now_ns() + 2000000;
		while (atomic_load(&arrived) == round && !atomic_load(&stop) && now_ns() < until)
			;
	}
	return NULL;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	MUST(sigaction(SIGUSR1, &sa, NULL));
	pthread_t w, s;
	MUST(pthread_create(&w, NULL, waiter, NULL) ? -1 : 0);
	while (!atomic_load(&waiter_tid))
		sched_yield();
	MUST(pthread_create(&s, NULL, storm, NULL) ? -1 : 0);
	struct timespec t0, now;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rounds = 0;
	for (int i = 0; i < ROUNDS; i++) {
		while (atomic_load(&arrived) != i)
			sched_yield();
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (i == ROUNDS - 1 || now.tv_sec - t0.tv_sec >= 8)
			atomic_store(&done, 1);	/* the waiter stops after this round */
		atomic_store(&seq, i + 1);
		long r = syscall(SYS_futex, &seq, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
		if (r > 0)
			wakes += r;
		rounds++;
		if (atomic_load(&done))
			break;
	}
	pthread_join(w, NULL);
	atomic_store(&stop, 1);
	pthread_join(s, NULL);
	P("at least 100 rounds", "%s", rounds >= 100 ? "yes" : "no");
	P("wakes match waits that returned 0", "%s", wakes == zeros ? "yes" : "no");
	P("other errors", "%ld", others);
	if (wakes != zeros)
		fprintf(stderr, "wakes %ld, waits returning 0 %ld\n", wakes, zeros);
	return 0;
}
