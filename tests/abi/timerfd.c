/* timerfd: one-shot and periodic timers, relative and absolute on each
 * clock, the old value from settime, gettime, the expiration count read
 * (and waited for), poll, and the errors for bad clocks, flags, times,
 * fds and pointers. Times are compared coarsely, never printed. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#define MS 1000000L

static struct itimerspec its(long value_ns, long interval_ns)
{
	struct itimerspec t = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
				{ value_ns / 1000000000L, value_ns % 1000000000L } };
	return t;
}

static long ns_of(struct timespec ts)
{
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

static uint64_t rd(int fd)
{
	uint64_t v = 0;
	long r = read(fd, &v, sizeof(v));
	if (r < 0)
		printf("read = -1 %s\n", ename(errno));
	else
		printf("read = %ld\n", r);
	return v;
}

static void create(void)
{
	SECTION("create");
	int fd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GETFD));
	struct stat st;
	T(fstat(fd, &st));
	P("mode", "%o", st.st_mode);
	T(close(fd));
	fd = T(timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GETFD));
	T(close(fd));
	T(fd = timerfd_create(CLOCK_BOOTTIME, 0));
	T(close(fd));
	T(fd = timerfd_create(CLOCK_REALTIME_ALARM, 0));
	T(close(fd));
	T(fd = timerfd_create(CLOCK_BOOTTIME_ALARM, 0));
	T(close(fd));
	T(timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0));
	T(timerfd_create(CLOCK_MONOTONIC_RAW, 0));
	T(timerfd_create(99, 0));
	T(timerfd_create(-1, 0));
	T(timerfd_create(CLOCK_MONOTONIC, O_APPEND));
	T(timerfd_create(CLOCK_MONOTONIC, TFD_TIMER_ABSTIME));
}

static void oneshot(void)
{
	SECTION("one-shot");
	int fd = T(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
	struct itimerspec cur, old, t;
	T(timerfd_gettime(fd, &cur));
	P("unset", "%ld %ld", ns_of(cur.it_value), ns_of(cur.it_interval));
	rd(fd);
	t = its(60 * MS, 0);
	T(timerfd_settime(fd, 0, &t, &old));
	P("old", "%ld %ld", ns_of(old.it_value), ns_of(old.it_interval));
	T(timerfd_gettime(fd, &cur));
	P("left in (0, 60ms]", "%d", ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 60 * MS);
	P("interval", "%ld", ns_of(cur.it_interval));
	P("poll", "%#x", revents(fd));
	rd(fd);
	usleep(100000);
	P("poll", "%#x", revents(fd));
	P("count", "%llu", (unsigned long long)rd(fd));
	rd(fd);
	T(timerfd_gettime(fd, &cur));
	P("after", "%ld %ld", ns_of(cur.it_value), ns_of(cur.it_interval));
	char small[4];
	T(read(fd, small, sizeof(small)));

	/* settime gives back what was left, and a new setting forgets the
	 * expirations not read yet */
	t = its(10000 * MS, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	t = its(0, 0);
	T(timerfd_settime(fd, 0, &t, &old));
	P("old left 9.x s", "%d", old.it_value.tv_sec == 9);
	T(timerfd_gettime(fd, &cur));
	P("disarmed", "%ld %ld", ns_of(cur.it_value), ns_of(cur.it_interval));
	t = its(1 * MS, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	usleep(30000);
	P("poll", "%#x", revents(fd));
	t = its(10000 * MS, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	P("poll", "%#x", revents(fd));
	rd(fd);

	/* blocking read */
	T(fcntl(fd, F_SETFL, 0));
	t = its(30 * MS, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	P("count", "%llu", (unsigned long long)rd(fd));
	T(close(fd));
}

static void periodic(void)
{
	SECTION("periodic");
	int fd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	struct itimerspec t = its(20 * MS, 40 * MS), cur;
	T(timerfd_settime(fd, 0, &t, NULL));
	P("first", "%llu", (unsigned long long)rd(fd));
	usleep(170000);     /* four more periods (at 60, 100, 140, 180 ms) */
	uint64_t n = rd(fd);
	P("missed periods counted", "%d", n >= 3 && n <= 5);
	T(timerfd_gettime(fd, &cur));
	P("next in (0, 40ms]", "%d", ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 40 * MS);
	P("interval", "%ld", ns_of(cur.it_interval));
	P("next", "%llu", (unsigned long long)rd(fd));
	T(close(fd));
}

static void absolute(void)
{
	SECTION("absolute");
	struct timespec now;
	struct itimerspec t, cur;
	int fd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	clock_gettime(CLOCK_MONOTONIC, &now);
	t = its(ns_of(now) + 30 * MS, 0);
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	T(timerfd_gettime(fd, &cur));
	P("left in (0, 30ms]", "%d", ns_of(cur.it_value) > 0 && ns_of(cur.it_value) <= 30 * MS);
	P("count", "%llu", (unsigned long long)rd(fd));
	T(close(fd));

	fd = T(timerfd_create(CLOCK_REALTIME, 0));
	clock_gettime(CLOCK_REALTIME, &now);
	t = its(ns_of(now) + 30 * MS, 0);
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, &t, NULL));
	P("count", "%llu", (unsigned long long)rd(fd));
	/* a time already past expires at once; a periodic one counts the
	 * periods since */
	clock_gettime(CLOCK_REALTIME, &now);
	t = its(ns_of(now) - 1000 * MS, 0);
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	P("count", "%llu", (unsigned long long)rd(fd));
	clock_gettime(CLOCK_REALTIME, &now);
	t = its(ns_of(now) - 1000 * MS, 300 * MS);
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	P("count", "%llu", (unsigned long long)rd(fd));
	T(close(fd));

	fd = T(timerfd_create(CLOCK_BOOTTIME, 0));
	clock_gettime(CLOCK_BOOTTIME, &now);
	t = its(ns_of(now) + 20 * MS, 0);
	T(timerfd_settime(fd, TFD_TIMER_ABSTIME, &t, NULL));
	P("count", "%llu", (unsigned long long)rd(fd));
	T(close(fd));
}

static void errors(void)
{
	SECTION("errors");
	int fd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	int p[2];
	MUST(pipe(p));
	struct itimerspec t = its(10 * MS, 0), cur;
	T(syscall(SYS_timerfd_settime, fd, 0, BADP, NULL));
	T(syscall(SYS_timerfd_settime, 99, 0, BADP, NULL));
	T(syscall(SYS_timerfd_settime, 99, 4, &t, NULL));
	T(syscall(SYS_timerfd_settime, 99, 0, &t, NULL));
	T(syscall(SYS_timerfd_settime, p[0], 0, &t, NULL));
	t.it_value.tv_nsec = 1000000000;
	T(timerfd_settime(fd, 0, &t, NULL));
	t = its(10 * MS, 0);
	t.it_interval.tv_sec = -1;
	T(timerfd_settime(fd, 0, &t, NULL));
	t = its(10000 * MS, 0);
	T(syscall(SYS_timerfd_settime, fd, 0, &t, BADP));
	T(timerfd_gettime(fd, &cur));
	P("set anyway", "%d", cur.it_value.tv_sec == 9);
	T(syscall(SYS_timerfd_gettime, fd, BADP));
	T(syscall(SYS_timerfd_gettime, p[0], &cur));
	T(syscall(SYS_timerfd_gettime, 99, &cur));
	T(syscall(SYS_timerfd_gettime, 99, BADP));
	T(write(fd, "12345678", 8));
	T(close(fd));
	T(close(p[0]));
	T(close(p[1]));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* A read waiting in a child's inherited timerfd, and a read cut short. */
static void waits(void)
{
	int status;
	SECTION("waits");
	int fd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	struct itimerspec t = its(50 * MS, 0);
	T(timerfd_settime(fd, 0, &t, NULL));
	pid_t pid = fork();
	if (pid == 0) {
		uint64_t v;
		_exit(read(fd, &v, 8) == 8 && v == 1 ? 0 : 1);
	}
	T(waitpid(pid, &status, 0) == pid);
	P("child status", "%d", status);
	P("poll", "%#x", revents(fd));   /* the child took the count */
	struct sigaction sa = { .sa_handler = on_alarm };
	MUST(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	MUST(setitimer(ITIMER_REAL, &it, NULL));
	rd(fd);
	T(close(fd));
}

int main(void)
{
	create();
	oneshot();
	periodic();
	absolute();
	errors();
	waits();
	return 0;
}
