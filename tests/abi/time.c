/* time: clock_gettime clock_getres gettimeofday time nanosleep
 * clock_nanosleep. glibc answers the first four from the vDSO without a
 * system call, so the raw calls are tested too. Only relations between
 * times are printed, never the times. */
#include "abi.h"
#include <time.h>
#include <sys/time.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

static const struct { clockid_t id; const char *name; } clocks[] = {
	{ CLOCK_REALTIME, "REALTIME" },
	{ CLOCK_MONOTONIC, "MONOTONIC" },
	{ CLOCK_PROCESS_CPUTIME_ID, "PROCESS_CPUTIME_ID" },
	{ CLOCK_THREAD_CPUTIME_ID, "THREAD_CPUTIME_ID" },
	{ CLOCK_MONOTONIC_RAW, "MONOTONIC_RAW" },
	{ CLOCK_REALTIME_COARSE, "REALTIME_COARSE" },
	{ CLOCK_MONOTONIC_COARSE, "MONOTONIC_COARSE" },
	{ CLOCK_BOOTTIME, "BOOTTIME" },
};

static void t_clocks(void)
{
	SECTION("clock_gettime/clock_getres");
	for (size_t i = 0; i < sizeof clocks / sizeof *clocks; i++) {
		struct timespec a, b, v, res;
		long r1 = syscall(SYS_clock_gettime, clocks[i].id, &a);
		long r2 = syscall(SYS_clock_gettime, clocks[i].id, &b);
		long r3 = clock_gettime(clocks[i].id, &v);  /* vDSO */
		long r4 = syscall(SYS_clock_getres, clocks[i].id, &res);
		printf("%s: raw=%ld,%ld vdso=%ld nsec_ok=%d nondecreasing=%d vdso_agrees=%d getres=%ld res>0=%d\n",
		       clocks[i].name, r1, r2, r3,
		       a.tv_nsec >= 0 && a.tv_nsec < 1000000000,
		       ns(b) >= ns(a),
		       ns(v) >= ns(b) && (clocks[i].id == CLOCK_PROCESS_CPUTIME_ID ||
			clocks[i].id == CLOCK_THREAD_CPUTIME_ID || ns(v) - ns(b) < 5000000000LL),
		       r4, res.tv_sec == 0 && res.tv_nsec > 0);
	}
	/* the high resolution clocks have a 1ns resolution */
	struct timespec res;
	T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res));
	P("MONOTONIC res", "%ld.%09ld", (long)res.tv_sec, res.tv_nsec);
	T(syscall(SYS_clock_getres, CLOCK_REALTIME, &res));
	P("REALTIME res", "%ld.%09ld", (long)res.tv_sec, res.tv_nsec);
	T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	struct timespec t;
	T(syscall(SYS_clock_gettime, 42, &t));
	T(syscall(SYS_clock_gettime, -1, &t));
	T(syscall(SYS_clock_getres, 42, &res));
	T(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADP));
	T(syscall(SYS_clock_gettime, CLOCK_REALTIME, NULL));
	T(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BADP));
	/* the real time clock is after 2020 */
	MUST(syscall(SYS_clock_gettime, CLOCK_REALTIME, &t));
	P("after 2020", "%d", t.tv_sec > 1577836800);
	/* BOOTTIME >= MONOTONIC */
	struct timespec m, bt;
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m));
	MUST(syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &bt));
	P("boottime >= monotonic", "%d", ns(bt) >= ns(m));
}

static void t_legacy(void)
{
	SECTION("gettimeofday/time");
	struct timeval tv;
	struct timespec ts;
	T(syscall(SYS_gettimeofday, &tv, NULL));
	MUST(syscall(SYS_clock_gettime, CLOCK_REALTIME, &ts));
	P("usec ok", "%d", tv.tv_usec >= 0 && tv.tv_usec < 1000000);
	P("close to REALTIME", "%d", ts.tv_sec - tv.tv_sec <= 2 && ts.tv_sec >= tv.tv_sec);
	struct timezone tz;
	T(syscall(SYS_gettimeofday, &tv, &tz));
	T(syscall(SYS_gettimeofday, NULL, NULL));
	T(syscall(SYS_gettimeofday, BADP, NULL));
	T(syscall(SYS_gettimeofday, &tv, BADP));
	/* time(2) reads the clock the tick moves (CLOCK_REALTIME_COARSE),
	 * which may trail CLOCK_REALTIME by a tick: so it is bracketed by
	 * that clock, read just before and just after. */
	struct timespec c0, c1;
	time_t t1 = 0;
	MUST(syscall(SYS_clock_gettime, CLOCK_REALTIME_COARSE, &c0));
	long r = syscall(SYS_time, &t1);
	MUST(syscall(SYS_clock_gettime, CLOCK_REALTIME_COARSE, &c1));
	P("time agrees with its argument", "%d", r == t1);
	P("time close to REALTIME", "%d", c0.tv_sec <= r && r <= c1.tv_sec);
	MUST(syscall(SYS_clock_gettime, CLOCK_REALTIME_COARSE, &c0));
	r = syscall(SYS_time, NULL);
	MUST(syscall(SYS_clock_gettime, CLOCK_REALTIME_COARSE, &c1));
	P("time(NULL) close", "%d", c0.tv_sec <= r && r <= c1.tv_sec);
	T(syscall(SYS_time, BADP));
}

static void t_sleep(void)
{
	SECTION("nanosleep");
	struct timespec a, b, req = { 0, 2000000 }, rem = { 9, 9 };
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
	T(syscall(SYS_nanosleep, &req, &rem));
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
	P("slept >= 2ms", "%d", ns(b) - ns(a) >= 2000000);
	P("slept < 2s", "%d", ns(b) - ns(a) < 2000000000LL);
	req.tv_nsec = 0;
	T(syscall(SYS_nanosleep, &req, NULL));
	req.tv_nsec = 1000000000;
	T(syscall(SYS_nanosleep, &req, NULL));
	req.tv_nsec = -1;
	T(syscall(SYS_nanosleep, &req, NULL));
	req.tv_sec = -1;
	req.tv_nsec = 0;
	T(syscall(SYS_nanosleep, &req, NULL));
	T(syscall(SYS_nanosleep, BADP, NULL));
	T(syscall(SYS_nanosleep, NULL, NULL));

	SECTION("clock_nanosleep");
	req.tv_sec = 0;
	req.tv_nsec = 2000000;
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL));
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
	P("slept >= 2ms", "%d", ns(b) - ns(a) >= 2000000);
	/* an absolute time in the past returns at once */
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &a));
	struct timespec past = { a.tv_sec - 1, a.tv_nsec };
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
	/* an absolute time 3ms ahead */
	struct timespec until = a;
	until.tv_nsec += 3000000;
	if (until.tv_nsec >= 1000000000) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000;
	}
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
	MUST(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &b));
	P("woke after deadline", "%d", ns(b) >= ns(until));
	T(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &req, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &req, NULL));
	req.tv_nsec = 1000000000;
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &req, NULL));
	req.tv_nsec = 1000;
	T(syscall(SYS_clock_nanosleep, 42, 0, &req, NULL));
	T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADP, NULL));
}

int main(void)
{
	t_clocks();
	t_legacy();
	t_sleep();
	return 0;
}
