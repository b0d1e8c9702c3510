/* Threads: create and join, a thread's exit clearing its tid word
 * (pthread_join relies on it), futex waits and wakes between threads,
 * and a robust mutex whose owner dies: the next locker gets EOWNERDEAD. */
#include "abi.h"
#include <pthread.h>
#include <stdatomic.h>

static pthread_mutex_t robust;
static atomic_int counter;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static int ready;

static void *take_and_die(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&robust);
	return NULL;	/* exits holding the lock */
}

static void *count(void *arg)
{
	for (int i = 0; i < 1000; i++)
		atomic_fetch_add(&counter, 1);
	return arg;
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	while (!ready)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return (void *)42;
}

int main(void)
{
	SECTION("create and join");
	pthread_t th[8];
	for (int i = 0; i < 8; i++)
		MUST(pthread_create(&th[i], NULL, count, (void *)(long)i) ? -1 : 0);
	long sum = 0;
	for (int i = 0; i < 8; i++) {
		void *r;
		pthread_join(th[i], &r);
		sum += (long)r;
	}
	P("counter", "%d", atomic_load(&counter));
	P("sum of results", "%ld", sum);

	SECTION("condition variable");
	pthread_t w;
	pthread_create(&w, NULL, waiter, NULL);
	pthread_mutex_lock(&lock);
	ready = 1;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	void *r;
	pthread_join(w, &r);
	P("waiter returned", "%ld", (long)r);

	SECTION("robust mutex");
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&robust, &a);
	pthread_t d;
	pthread_create(&d, NULL, take_and_die, NULL);
	pthread_join(d, NULL);
	int e = pthread_mutex_lock(&robust);
	printf("lock after owner died: %s\n", e ? ename(e) : "0");
	printf("consistent: %d\n", pthread_mutex_consistent(&robust));
	printf("unlock: %d\n", pthread_mutex_unlock(&robust));
	printf("relock: %d\n", pthread_mutex_lock(&robust));

	SECTION("gettid differs per thread");
	P("main is leader", "%d", (long)syscall(SYS_gettid) == (long)getpid());
	return 0;
}
