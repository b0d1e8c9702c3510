/* poll: poll, ppoll, select, pselect6 on pipes and plain files: what is
 * ready, POLLHUP/POLLERR/POLLNVAL, timeouts (zero, short, written back),
 * bad arguments, and a wait that a second process ends. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#define ALL (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM | POLLPRI)

static long ms_since(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static void show(const char *label, struct pollfd *fds, int n)
{
	printf("%s:", label);
	for (int i = 0; i < n; i++)
		printf(" %#x", fds[i].revents);
	printf("\n");
}

static void poll_pipe(void)
{
	int p[2];
	char c;
	SECTION("poll");
	T(pipe(p));
	struct pollfd fds[4] = { { p[0], ALL, 0 }, { p[1], ALL, 0 }, { -1, ALL, 0x55 }, { 99, ALL, 0 } };
	T(poll(fds, 4, 0));
	show("empty", fds, 4);
	T(write(p[1], "x", 1));
	T(poll(fds, 2, 0));
	show("data", fds, 2);
	fds[0].events = POLLOUT;     /* not asked: POLLIN is not reported */
	T(poll(fds, 1, 0));
	show("only POLLOUT asked", fds, 1);
	fds[0].events = ALL;
	T(close(p[1]));
	T(poll(fds, 1, 0));
	show("data, writer gone", fds, 1);
	T(read(p[0], &c, 1));
	fds[0].events = 0;           /* POLLHUP comes unasked */
	T(poll(fds, 1, 0));
	show("writer gone", fds, 1);
	T(close(p[0]));
	T(pipe(p));
	T(close(p[0]));
	fds[1].fd = p[1];
	fds[1].events = 0;           /* so does POLLERR */
	T(poll(&fds[1], 1, 0));
	show("reader gone", &fds[1], 1);
	T(close(p[1]));
	T(pipe(p));
	T(fcntl(p[1], F_SETPIPE_SZ, 4096));
	T(write(p[1], "abc", 3));
	fds[0] = (struct pollfd){ p[1], ALL, 0 };
	T(poll(fds, 1, 0));
	show("one page, not full", fds, 1);
	char page[4096] = { 0 };
	T(write(p[1], page, 4000));
	T(poll(fds, 1, 0));
	show("one page, full", fds, 1);
	T(close(p[0]));
	T(close(p[1]));
}

static void poll_other(void)
{
	SECTION("poll other files");
	put_file("f", "data");
	int fd = T(open("f", O_RDONLY));
	int null = T(open("/dev/null", O_RDWR));
	int path = T(open("f", O_PATH));
	struct pollfd fds[3] = { { fd, ALL, 0 }, { null, ALL, 0 }, { path, ALL, 0 } };
	T(poll(fds, 3, 0));
	show("file, /dev/null, O_PATH", fds, 3);
	T(close(fd));
	T(close(null));
	T(close(path));
}

static void poll_timeouts(void)
{
	int p[2];
	struct timespec t0;
	SECTION("poll timeouts");
	T(pipe(p));
	struct pollfd fds[1] = { { p[0], POLLIN, 0 } };
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(poll(fds, 1, 50));
	P("waited 50 ms", "%d", ms_since(t0) >= 45);
	show("revents", fds, 1);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	T(poll(NULL, 0, 30));
	P("waited 30 ms", "%d", ms_since(t0) >= 25);
	T(syscall(SYS_poll, BADP, 1, 0));
	T(syscall(SYS_poll, NULL, 1, 0));
	T(poll(fds, 0, 0));
	struct rlimit rl, old;
	MUST(getrlimit(RLIMIT_NOFILE, &old));
	rl = (struct rlimit){ 8, old.rlim_max };
	MUST(setrlimit(RLIMIT_NOFILE, &rl));
	T(syscall(SYS_poll, BADP, 9, 0));         /* past RLIMIT_NOFILE: EINVAL first */
	T(syscall(SYS_poll, BADP, 8, 0));
	MUST(setrlimit(RLIMIT_NOFILE, &old));

	SECTION("ppoll");
	struct timespec ts = { 0, 0 };
	uint64_t mask = 0;
	T(syscall(SYS_ppoll, fds, 1, &ts, NULL, 8));
	ts.tv_nsec = 20000000;
	T(syscall(SYS_ppoll, fds, 1, &ts, &mask, 8));
	P("time left", "%ld %ld", (long)ts.tv_sec, ts.tv_nsec);
	T(syscall(SYS_ppoll, fds, 1, NULL, &mask, 4));
	ts = (struct timespec){ 0, 0 };
	T(syscall(SYS_ppoll, fds, 1, &ts, NULL, 4));    /* size unchecked */
	T(syscall(SYS_ppoll, fds, 1, NULL, BADP, 8));
	ts = (struct timespec){ 0, 1000000000 };
	T(syscall(SYS_ppoll, fds, 1, &ts, NULL, 8));
	ts = (struct timespec){ -1, 0 };
	T(syscall(SYS_ppoll, fds, 1, &ts, NULL, 8));
	T(syscall(SYS_ppoll, fds, 1, BADP, NULL, 8));
	T(write(p[1], "x", 1));
	ts = (struct timespec){ 5, 0 };
	T(syscall(SYS_ppoll, fds, 1, &ts, NULL, 8));
	P("time left kept", "%d", ts.tv_sec == 4 || ts.tv_sec == 5);
	show("revents", fds, 1);
	T(close(p[0]));
	T(close(p[1]));
}

static void show_set(const char *label, fd_set *s, int n)
{
	printf("%s:", label);
	for (int fd = 0; fd < n; fd++)
		if (FD_ISSET(fd, s))
			printf(" %d", fd);
	printf("\n");
}

static void selects(void)
{
	int p[2];
	fd_set r, w, e;
	struct timeval tv;
	SECTION("select");
	T(pipe(p));
	FD_ZERO(&r); FD_ZERO(&w); FD_ZERO(&e);
	FD_SET(p[0], &r); FD_SET(p[1], &r); FD_SET(p[0], &w); FD_SET(p[1], &w); FD_SET(p[0], &e);
	tv = (struct timeval){ 0, 0 };
	T(select(p[1] + 1, &r, &w, &e, &tv));
	show_set("read", &r, 16); show_set("write", &w, 16); show_set("except", &e, 16);
	T(write(p[1], "x", 1));
	FD_ZERO(&r); FD_SET(p[0], &r);
	FD_ZERO(&w); FD_SET(p[1], &w);
	T(select(p[1] + 1, &r, &w, NULL, &tv));
	show_set("read", &r, 16); show_set("write", &w, 16);
	/* n limits what is looked at */
	FD_ZERO(&r); FD_SET(p[0], &r);
	T(select(p[0], &r, NULL, NULL, &tv));
	show_set("read", &r, 16);
	FD_ZERO(&r); FD_SET(p[0], &r); FD_SET(9, &r);
	T(select(10, &r, NULL, NULL, &tv));
	T(syscall(SYS_select, -1, NULL, NULL, NULL, &tv));
	T(syscall(SYS_select, p[0] + 1, BADP, NULL, NULL, &tv));
	tv = (struct timeval){ 0, -1 };
	T(select(0, NULL, NULL, NULL, &tv));
	tv = (struct timeval){ -1, 0 };
	T(select(0, NULL, NULL, NULL, &tv));
	FD_ZERO(&r); FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 1500000 };   /* whole seconds carried out */
	T(select(p[0] + 1, &r, NULL, NULL, &tv));
	P("time left", "%d", tv.tv_sec == 1 && tv.tv_usec > 0);
	T(syscall(SYS_select, p[0] + 1, &r, NULL, NULL, BADP));
	char c;
	T(read(p[0], &c, 1));
	FD_ZERO(&r); FD_SET(p[0], &r);
	tv = (struct timeval){ 0, 30000 };
	T(select(p[0] + 1, &r, NULL, NULL, &tv));
	P("time left", "%ld %ld", (long)tv.tv_sec, (long)tv.tv_usec);
	show_set("read", &r, 16);

	SECTION("pselect6");
	struct timespec ts = { 0, 20000000 };
	uint64_t mask = 0;
	struct { void *ss; size_t len; } sig = { &mask, 8 };
	FD_ZERO(&r); FD_SET(p[0], &r);
	T(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &sig));
	P("time left", "%ld %ld", (long)ts.tv_sec, ts.tv_nsec);
	sig.len = 4;
	T(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &sig));
	sig.ss = NULL;
	T(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &sig));
	T(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, BADP));
	ts.tv_nsec = -1;
	T(syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, NULL));
	T(write(p[1], "x", 1));
	FD_ZERO(&r); FD_SET(p[0], &r);
	T(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, NULL, NULL));
	show_set("read", &r, 16);
	T(close(p[0]));
	T(close(p[1]));
}

/* A poll that waits with no timeout ends when another process writes. */
static void wakeups(void)
{
	int p[2], q[2], status;
	SECTION("wakeup");
	T(pipe(p));
	T(pipe(q));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		_exit(write(q[1], "y", 1) == 1 ? 0 : 1);
	}
	struct pollfd fds[2] = { { p[0], POLLIN, 0 }, { q[0], POLLIN, 0 } };
	T(poll(fds, 2, -1));
	show("revents", fds, 2);
	fd_set r;
	FD_ZERO(&r); FD_SET(p[0], &r);
	pid_t pid2 = fork();
	if (pid2 == 0) {
		usleep(50000);
		_exit(close(p[1]) == 0 ? 0 : 1);
	}
	T(close(p[1]));
	T(select(p[0] + 1, &r, NULL, NULL, NULL));   /* the last writer goes */
	show_set("read", &r, 16);
	T(waitpid(pid, &status, 0) == pid);
	T(waitpid(pid2, &status, 0) == pid2);
	T(close(p[0]));
	T(close(q[0]));
	T(close(q[1]));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void alarm_in(long usec)
{
	struct itimerval it = { { 0, 0 }, { 0, usec } };
	MUST(setitimer(ITIMER_REAL, &it, NULL));
}

/* A signal with a handler ends a wait with EINTR; select leaves the time
 * that was left in its timeout. With SA_RESTART a read waits on. */
static void interrupted(void)
{
	int p[2], q[2], status;
	SECTION("signals");
	struct sigaction sa = { .sa_handler = on_alarm };
	MUST(sigaction(SIGALRM, &sa, NULL));
	T(pipe(p));
	struct pollfd fds[1] = { { p[0], POLLIN, 0 } };
	alarm_in(50000);
	T(poll(fds, 1, 5000));
	fd_set r;
	FD_ZERO(&r); FD_SET(p[0], &r);
	struct timeval tv = { 5, 0 };
	alarm_in(50000);
	T(select(p[0] + 1, &r, NULL, NULL, &tv));
	P("time left", "%d", tv.tv_sec == 4);
	struct timespec ts = { 5, 0 };
	alarm_in(50000);
	T(syscall(SYS_ppoll, fds, 1, &ts, NULL, 8));
	P("time left", "%d", ts.tv_sec == 4);
	char c;
	alarm_in(50000);
	T(read(p[0], &c, 1));
	sa.sa_flags = SA_RESTART;
	MUST(sigaction(SIGALRM, &sa, NULL));
	T(pipe(q));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(150000);
		_exit(write(p[1], "z", 1) == 1 ? 0 : 1);
	}
	alarm_in(50000);
	T(read(p[0], &c, 1));         /* restarted after the handler */
	P("read", "%c", c);
	T(waitpid(pid, &status, 0) == pid);
	T(close(p[0]));
	T(close(p[1]));
	T(close(q[0]));
	T(close(q[1]));
}

int main(void)
{
	scratch();
	poll_pipe();
	poll_other();
	poll_timeouts();
	selects();
	wakeups();
	interrupted();
	return 0;
}
