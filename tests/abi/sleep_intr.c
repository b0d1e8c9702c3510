/* sleep_intr: nanosleep and clock_nanosleep cut short by a handler. As
 * Linux does it: a relative sleep ends with EINTR even under SA_RESTART
 * (its restart is a restart_syscall, which a handler turns into EINTR)
 * and writes the time left to *rem, or fails with EFAULT when rem can't
 * be written; an absolute sleep ends with EINTR and leaves rem alone.
 * Stopped and continued (no handler runs), a sleep goes on to its first
 * deadline. */
#include "abi.h"
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile int hits;
static void on_alrm(int s) { (void)s; hits++; }

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

/* SIGALRM in 100 ms. */
static void alarm_soon(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	MUST(setitimer(ITIMER_REAL, &it, NULL));
}

/* How long the call took, in coarse words. */
static void took(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	long long d = ns(b) - ns(a);
	P("ended early (before 1 s)", "%d", d < 900000000LL);
}

static void show_rem(struct timespec rem)
{
	/* 2 s asked, cut at about 0.1 s: between 1 s and 2 s left. */
	P("rem between 1 s and 2 s", "%d", ns(rem) > 1000000000LL && ns(rem) < 2000000000LL);
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alrm, .sa_flags = SA_RESTART };
	MUST(sigaction(SIGALRM, &sa, NULL));
	struct timespec req = { 2, 0 }, rem, start;

	SECTION("nanosleep, SA_RESTART handler");
	rem = (struct timespec){ 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	alarm_soon();
	T(syscall(SYS_nanosleep, &req, &rem));
	took(start);
	show_rem(rem);

	SECTION("nanosleep, no rem");
	clock_gettime(CLOCK_MONOTONIC, &start);
	alarm_soon();
	T(syscall(SYS_nanosleep, &req, NULL));
	took(start);

	SECTION("nanosleep, bad rem");
	clock_gettime(CLOCK_MONOTONIC, &start);
	alarm_soon();
	T(syscall(SYS_nanosleep, &req, BADP));
	took(start);

	SECTION("clock_nanosleep relative");
	rem = (struct timespec){ 0, 0 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	alarm_soon();
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, &rem));
	took(start);
	show_rem(rem);

	SECTION("clock_nanosleep absolute");
	rem = (struct timespec){ 7, 7 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	struct timespec until = start;
	until.tv_sec += 2;
	alarm_soon();
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, &rem));
	took(start);
	P("rem untouched", "%d", rem.tv_sec == 7 && rem.tv_nsec == 7);

	SECTION("stopped and continued");
	pid_t pid = fork();
	if (pid == 0) {
		struct timespec d = { 0, 400000000 }, r;
		clock_gettime(CLOCK_MONOTONIC, &start);
		long ret = syscall(SYS_nanosleep, &d, &r);
		struct timespec end;
		clock_gettime(CLOCK_MONOTONIC, &end);
		long long el = ns(end) - ns(start);
		_exit(ret == 0 && el >= 400000000LL && el < 1500000000LL ? 0 : 1);
	}
	struct timespec d = { 0, 100000000 };
	nanosleep(&d, NULL);
	MUST(kill(pid, SIGSTOP));
	nanosleep(&d, NULL);
	MUST(kill(pid, SIGCONT));
	int st;
	MUST(waitpid(pid, &st, 0));
	P("slept its whole length once", "%d", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	P("handler ran", "%d times", hits);
	return 0;
}
