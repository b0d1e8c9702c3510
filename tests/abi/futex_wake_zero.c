/* futex_wake_zero: FUTEX_WAKE and FUTEX_WAKE_OP with a count of 0 (or
 * less) wake one waiter: Linux counts a wake before it compares. With
 * nobody waiting, the count is 0. */
#include "abi.h"
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

static _Atomic uint32_t word;
static uint32_t word2;

static long ms_since(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static void *futex_waiter(void *arg)
{
	(void)arg;
	while (atomic_load(&word) == 0)
		syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
	return NULL;
}

/* Wakes with `count` until a waiter is woken (it must first be asleep)
 * or two seconds pass; returns what the wake that woke one said. */
static long wake_until_one(int op, int count)
{
	struct timespec start;
	clock_gettime(CLOCK_MONOTONIC, &start);
	long r = 0;
	while (ms_since(start) < 2000) {
		if (op == FUTEX_WAKE_OP_PRIVATE)
			r = syscall(SYS_futex, &word, op, count, (long)count, &word2,
				    FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_EQ, 1));
		else
			r = syscall(SYS_futex, &word, op, count, NULL, NULL, 0);
		if (r != 0)
			break;
		sched_yield();
	}
	return r;
}

static void wake_count(const char *label, int op, int count)
{
	pthread_t th;
	atomic_store(&word, 0);
	MUST(pthread_create(&th, NULL, futex_waiter, NULL) ? -1 : 0);
	long r = wake_until_one(op, count);
	P(label, "%ld", r);
	atomic_store(&word, 1);
	syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
	pthread_join(th, NULL);
}

int main(void)
{
	wake_count("FUTEX_WAKE 0 woke", FUTEX_WAKE_PRIVATE, 0);
	wake_count("FUTEX_WAKE -1 woke", FUTEX_WAKE_PRIVATE, -1);
	wake_count("FUTEX_WAKE_OP 0 woke", FUTEX_WAKE_OP_PRIVATE, 0);
	T(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 0, NULL, NULL, 0));
	return 0;
}
