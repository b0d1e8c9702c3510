/* posix_timers: timer_create (clocks, sigevents: SIGEV_SIGNAL, SIGEV_NONE,
 * SIGEV_THREAD_ID in and out of the process, bad signals and notify
 * values, bad pointers), timer_settime (relative, TIMER_ABSTIME, interval,
 * the old value, bad times and ids), timer_gettime, timer_getoverrun
 * (expirations counted while the signal is pending, delivered in
 * si_overrun), timer_delete, the siginfo of a timer's signal (SI_TIMER,
 * si_timerid, si_value), ids per process (a child starts from 0 again,
 * timers are not inherited), timers gone after exec. */
#include "abi.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

#define tcreate(c, ev, id) syscall(SYS_timer_create, c, ev, id)
#define tset(id, f, n, o) syscall(SYS_timer_settime, id, f, n, o)
#define tget(id, v) syscall(SYS_timer_gettime, id, v)
#define tover(id) syscall(SYS_timer_getoverrun, id)
#define tdel(id) syscall(SYS_timer_delete, id)

static const struct itimerspec ms10 = { { 0, 0 }, { 0, 10000000 } };
static const struct itimerspec every1ms = { { 0, 1000000 }, { 0, 1000000 } };

/* Waits for `sig` (blocked) and prints what its siginfo says. */
static void take(const char *label, int sig, int timer)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	siginfo_t si;
	struct timespec to = { 5, 0 };
	int r = sigtimedwait(&s, &si, &to);
	if (r < 0) {
		printf("%s: %s\n", label, ename(errno));
		return;
	}
	printf("%s: signo %d code %d timerid %s value %d overrun %s\n", label, si.si_signo, si.si_code,
	       si.si_timerid == timer ? "ok" : "wrong", si.si_value.sival_int, si.si_overrun > 0 ? ">0" : "0");
}

static void show_time(const char *label, int id)
{
	struct itimerspec v;
	errno = 0;
	if (tget(id, &v) < 0) {
		printf("%s: %s\n", label, ename(errno));
		return;
	}
	printf("%s: value %s, interval %ld.%09ld\n", label,
	       v.it_value.tv_sec || v.it_value.tv_nsec ? "armed" : "0", (long)v.it_interval.tv_sec,
	       v.it_interval.tv_nsec);
}

static int other_tid;
static void *thread_main(void *arg)
{
	(void)arg;
	other_tid = gettid();
	return NULL;
}

int main(int argc, char **argv)
{
	timer_t id;
	int ids[4];
	if (argc > 1) {
		SECTION("after exec");
		T(tdel(0));
		T(tover(0));
		T(tcreate(CLOCK_MONOTONIC, NULL, &id));
		P("id", "%d", (int)(long)id);
		return 0;
	}
	sigset_t block;
	sigemptyset(&block);
	sigaddset(&block, SIGALRM);
	sigaddset(&block, SIGUSR1);
	sigaddset(&block, SIGRTMIN);
	sigprocmask(SIG_BLOCK, &block, NULL);

	SECTION("timer_create");
	struct sigevent ev;
	memset(&ev, 0, sizeof(ev));
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = SIGUSR1;
	ev.sigev_value.sival_int = 42;
	T(tcreate(CLOCK_MONOTONIC, NULL, &ids[0]));
	P("first id", "%d", ids[0]);
	T(tcreate(CLOCK_REALTIME, &ev, &ids[1]));
	P("second id", "%d", ids[1]);
	T(tcreate(CLOCK_BOOTTIME, &ev, &ids[2]));
	T(tcreate(CLOCK_TAI, &ev, &ids[3]));
	T(tdel(ids[3]));
	T(tdel(ids[2]));
	T(tcreate(CLOCK_MONOTONIC_RAW, &ev, &id));
	T(tcreate(CLOCK_MONOTONIC_COARSE, &ev, &id));
	T(tcreate(CLOCK_REALTIME_COARSE, &ev, &id));
	T(tcreate(12, &ev, &id));
	T(tcreate(-1, &ev, &id));
	T(tcreate(CLOCK_MONOTONIC, BADP, &id));
	T(tcreate(CLOCK_MONOTONIC, &ev, BADP));
	T(tcreate(CLOCK_MONOTONIC, NULL, NULL));
	ev.sigev_signo = 0;
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	ev.sigev_signo = 65;
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	ev.sigev_signo = SIGUSR1;
	ev.sigev_notify = 3;
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	ev.sigev_notify = 8;
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev._sigev_un._tid = 0x3ffffffe;		/* nobody's */
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	ev._sigev_un._tid = -5;
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	ev._sigev_un._tid = child;		/* another process */
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	pthread_t th;
	pthread_create(&th, NULL, thread_main, NULL);
	pthread_join(th, NULL);
	ev._sigev_un._tid = other_tid;		/* a thread that is gone */
	T(tcreate(CLOCK_MONOTONIC, &ev, &id));

	SECTION("signal");
	T(tset(ids[0], 0, &ms10, NULL));
	show_time("armed", ids[0]);
	take("SIGALRM", SIGALRM, ids[0]);
	show_time("fired", ids[0]);
	T(tover(ids[0]));
	T(tset(ids[1], 0, &ms10, NULL));
	take("SIGUSR1", SIGUSR1, ids[1]);

	SECTION("SIGEV_THREAD_ID");
	ev.sigev_notify = SIGEV_THREAD_ID;
	ev.sigev_signo = SIGRTMIN;
	ev.sigev_value.sival_int = 7;
	ev._sigev_un._tid = gettid();
	T(tcreate(CLOCK_MONOTONIC, &ev, &ids[2]));
	T(tset(ids[2], 0, &ms10, NULL));
	take("SIGRTMIN", SIGRTMIN, ids[2]);

	SECTION("SIGEV_NONE");
	ev.sigev_notify = SIGEV_NONE;
	T(tcreate(CLOCK_MONOTONIC, &ev, &ids[3]));
	struct itimerspec long_one = { { 3, 0 }, { 100, 0 } }, old;
	T(tset(ids[3], 0, &long_one, NULL));
	show_time("SIGEV_NONE armed", ids[3]);
	T(tset(ids[3], 0, &ms10, &old));
	P("old interval", "%ld", (long)old.it_interval.tv_sec);
	P("old value", "%s", old.it_value.tv_sec == 99 || old.it_value.tv_sec == 100 ? "about 100 s" : "wrong");
	usleep(30000);
	show_time("SIGEV_NONE after", ids[3]);
	T(tdel(ids[3]));

	SECTION("overrun");
	T(tset(ids[1], 0, &every1ms, NULL));
	usleep(50000);
	take("periodic", SIGUSR1, ids[1]);
	errno = 0;
	long ov = tover(ids[1]);
	P("timer_getoverrun", "%s", ov > 10 ? ">10" : ov < 0 ? ename(errno) : "few");
	struct itimerspec zero = { { 0, 0 }, { 0, 0 } };
	T(tset(ids[1], 0, &zero, &old));
	P("old interval ns", "%ld", old.it_interval.tv_nsec);
	show_time("disarmed", ids[1]);
	take("one left", SIGUSR1, ids[1]);

	SECTION("TIMER_ABSTIME");
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct itimerspec abs = { { 0, 0 }, { now.tv_sec + 1000, 0 } };
	T(tset(ids[1], TIMER_ABSTIME, &abs, NULL));
	show_time("far", ids[1]);
	abs.it_value.tv_sec = now.tv_sec - 10;	/* past: fires at once */
	T(tset(ids[1], TIMER_ABSTIME, &abs, NULL));
	take("past", SIGUSR1, ids[1]);
	T(tset(ids[1], 0xf0, &zero, NULL));	/* other flags are ignored */

	SECTION("bad arguments");
	struct itimerspec bad = { { 0, 0 }, { 0, 1000000000 } };
	T(tset(ids[1], 0, &bad, NULL));
	bad.it_value.tv_nsec = -1;
	T(tset(ids[1], 0, &bad, NULL));
	bad.it_value.tv_nsec = 0;
	bad.it_value.tv_sec = -1;
	T(tset(ids[1], 0, &bad, NULL));
	bad.it_value.tv_sec = 0;
	bad.it_interval.tv_nsec = 1000000000;
	T(tset(ids[1], 0, &bad, NULL));
	T(tset(ids[1], 0, NULL, NULL));
	T(tset(ids[1], 0, BADP, NULL));
	T(tset(ids[1], 0, &zero, BADP));
	T(tset(999, 0, &zero, NULL));
	T(tset(-1, 0, &zero, NULL));
	T(tget(ids[1], BADP));
	T(tget(999, &old));
	T(tget(-1, &old));
	T(tover(999));
	T(tover(-1));
	T(tdel(999));
	T(tdel(-1));

	SECTION("fork");
	fflush(stdout);
	child = fork();
	if (child == 0) {
		show_time("parent's timer", ids[0]);
		T(tcreate(CLOCK_MONOTONIC, NULL, &id));
		P("child's first id", "%d", (int)(long)id);
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(98);
	}
	int st;
	waitpid(child, &st, 0);

	SECTION("delete");
	T(tdel(ids[0]));
	T(tdel(ids[0]));
	T(tcreate(CLOCK_MONOTONIC, NULL, &id));
	P("a new id", "%s", (int)(long)id > ids[3] ? "higher" : "reused");
	return 0;
}
