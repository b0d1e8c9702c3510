/* epoll: creating, the interest list (ADD/MOD/DEL and their errors),
 * level- and edge-triggered and one-shot reports, maxevents and the order
 * of reports, entries dropped when their file is closed for good, nesting
 * and loops, waits ended by another process, by the timeout or by a
 * signal (with epoll_pwait's mask), and eventfd, timerfd and signalfd in
 * an epoll set. */
#include "abi.h"
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

static long ms_since(struct timespec a)
{
	struct timespec b;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return (b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000;
}

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* epoll_wait, printing the result and each event as events/data. */
static int wait_show(const char *label, int ep, int max, int timeout)
{
	struct epoll_event evs[8];
	int n = epoll_wait(ep, evs, max, timeout);
	if (n < 0) {
		printf("%s: -1 %s\n", label, ename(errno));
		return n;
	}
	printf("%s: %d", label, n);
	for (int i = 0; i < n; i++)
		printf(" {%#x %llx}", evs[i].events, (unsigned long long)evs[i].data.u64);
	printf("\n");
	return n;
}

static void create(void)
{
	SECTION("create");
	T(epoll_create(0));
	T(epoll_create(-1));
	int ep = T(epoll_create(1));
	T(fcntl(ep, F_GETFL));
	T(fcntl(ep, F_GETFD));
	struct stat st;
	T(fstat(ep, &st));
	P("mode", "%o", st.st_mode);
	T(close(ep));
	ep = T(epoll_create1(EPOLL_CLOEXEC));
	T(fcntl(ep, F_GETFD));
	T(close(ep));
	T(epoll_create1(1));
	T(epoll_create1(O_NONBLOCK));
	wait_show("empty, timeout 0", ep = epoll_create1(0), 8, 0);
	T(close(ep));
}

static void ctl_errors(void)
{
	int p[2];
	struct epoll_event ev = { .events = EPOLLIN };
	SECTION("ctl errors");
	put_file("f", "data");
	MUST(mkdir("d", 0755));
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	int reg = T(open("f", O_RDONLY));
	int dir = T(open("d", O_RDONLY | O_DIRECTORY));
	int null = T(open("/dev/null", O_RDWR));
	int path = T(open("f", O_PATH));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, path, &ev));
	T(epoll_ctl(path, EPOLL_CTL_ADD, p[0], &ev));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev));
	T(epoll_ctl(p[1], EPOLL_CTL_ADD, p[0], &ev));
	T(epoll_ctl(reg, EPOLL_CTL_ADD, p[0], &ev));
	T(epoll_ctl(99, EPOLL_CTL_ADD, p[0], &ev));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, 99, &ev));
	T(epoll_ctl(99, EPOLL_CTL_ADD, 99, BADP));
	T(epoll_ctl(99, EPOLL_CTL_DEL, 99, BADP));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], BADP));
	T(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev));
	T(epoll_ctl(ep, 99, p[0], &ev));
	T(epoll_ctl(ep, 99, p[0], BADP));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	T(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev));
	T(epoll_ctl(ep, 99, p[0], &ev));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(add(ep, p[0], EPOLLIN | EPOLLWAKEUP, 0));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));

	SECTION("EPOLLEXCLUSIVE");
	T(add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT, 0));
	T(add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLPRI, 0));
	T(add(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE | EPOLLET, 0));
	T(mod(ep, p[0], EPOLLIN, 0));
	T(mod(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(add(ep, p[0], EPOLLIN, 0));
	T(mod(ep, p[0], EPOLLIN | EPOLLEXCLUSIVE, 0));
	int ep2 = T(epoll_create1(0));
	T(add(ep, ep2, EPOLLIN | EPOLLEXCLUSIVE, 0));
	T(close(ep2));
	T(close(ep));
	T(close(reg));
	T(close(dir));
	T(close(null));
	T(close(path));
	T(close(p[0]));
	T(close(p[1]));
}

static void wait_errors(void)
{
	int p[2];
	struct epoll_event evs[2];
	SECTION("wait errors");
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	T(syscall(SYS_epoll_wait, ep, evs, 0, 0));
	T(syscall(SYS_epoll_wait, ep, evs, -1, 0));
	T(syscall(SYS_epoll_wait, ep, evs, INT_MAX / 12 + 1, 0));
	T(syscall(SYS_epoll_wait, ep, (void *)0xffff800000000000UL, 1, 0));
	T(syscall(SYS_epoll_wait, ep, BADP, 1, 0));          /* nothing to write: no fault */
	T(syscall(SYS_epoll_wait, p[0], evs, 1, 0));
	T(syscall(SYS_epoll_wait, 99, evs, 1, 0));
	T(syscall(SYS_epoll_wait, 99, evs, 0, 0));
	T(add(ep, p[1], EPOLLOUT, 5));
	T(syscall(SYS_epoll_wait, ep, BADP, 1, 0));
	T(syscall(SYS_epoll_wait, ep, evs, 1, 0));           /* still there */
	T(close(ep));
	T(close(p[0]));
	T(close(p[1]));
}

static void level(void)
{
	int p[2];
	char c;
	SECTION("level-triggered");
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	T(add(ep, p[0], EPOLLIN | EPOLLPRI | EPOLLRDHUP, 0x1122334455667788ULL));
	T(add(ep, p[1], 0, 2));
	wait_show("nothing", ep, 8, 0);
	T(write(p[1], "ab", 2));
	wait_show("data", ep, 8, 0);
	wait_show("data again", ep, 8, 0);
	T(mod(ep, p[1], EPOLLOUT, 3));
	wait_show("writable too", ep, 8, 0);
	T(read(p[0], &c, 1));
	T(read(p[0], &c, 1));
	wait_show("drained", ep, 8, 0);
	T(close(p[1]));
	wait_show("writer gone", ep, 8, 0);
	T(close(p[0]));
	MUST(pipe(p));
	T(add(ep, p[1], EPOLLOUT, 4));
	T(close(p[0]));
	wait_show("reader gone", ep, 8, 0);
	T(close(p[1]));
	T(close(ep));
}

static void edge(void)
{
	int p[2];
	char buf[16];
	SECTION("edge-triggered");
	MUST(pipe(p));
	T(fcntl(p[0], F_SETFL, O_NONBLOCK));
	int ep = T(epoll_create1(0));
	T(add(ep, p[0], EPOLLIN | EPOLLET, 1));
	wait_show("nothing", ep, 8, 0);
	T(write(p[1], "ab", 2));
	wait_show("data", ep, 8, 0);
	wait_show("no news", ep, 8, 0);
	T(write(p[1], "cd", 2));
	wait_show("more data", ep, 8, 0);
	wait_show("no news", ep, 8, 0);
	T(read(p[0], buf, sizeof(buf)));
	T(read(p[0], buf, sizeof(buf)));
	T(write(p[1], "e", 1));           /* drained, then more: no wait between */
	wait_show("after drain", ep, 8, 0);
	T(mod(ep, p[0], EPOLLIN | EPOLLET, 2));
	wait_show("modified", ep, 8, 0);
	wait_show("no news", ep, 8, 0);
	T(add(ep, p[1], EPOLLOUT | EPOLLET, 3));
	wait_show("writer added", ep, 8, 0);
	wait_show("no news", ep, 8, 0);
	T(read(p[0], buf, sizeof(buf)));
	T(close(p[1]));
	wait_show("writer gone", ep, 8, 0);
	wait_show("no news", ep, 8, 0);
	T(close(p[0]));
	T(close(ep));
}

static void oneshot(void)
{
	int p[2];
	SECTION("one-shot");
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	T(add(ep, p[0], EPOLLIN | EPOLLONESHOT, 1));
	T(write(p[1], "a", 1));
	wait_show("data", ep, 8, 0);
	wait_show("disabled", ep, 8, 0);
	T(write(p[1], "b", 1));
	wait_show("still disabled", ep, 8, 0);
	T(close(p[1]));
	wait_show("even for HUP", ep, 8, 0);
	T(add(ep, p[0], EPOLLIN, 0));
	T(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 2));
	wait_show("re-armed", ep, 8, 0);
	wait_show("disabled", ep, 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(close(p[0]));
	T(close(ep));
}

/* With maxevents smaller than what is ready, the ones not reported come
 * first next time. */
static void fairness(void)
{
	int a[2], b[2], c[2];
	SECTION("maxevents");
	MUST(pipe(a));
	MUST(pipe(b));
	MUST(pipe(c));
	int ep = T(epoll_create1(0));
	T(add(ep, a[1], EPOLLOUT, 0xa));
	T(add(ep, b[1], EPOLLOUT, 0xb));
	T(add(ep, c[1], EPOLLOUT, 0xc));
	wait_show("1", ep, 1, 0);
	wait_show("2", ep, 1, 0);
	wait_show("3", ep, 2, 0);
	wait_show("4", ep, 8, 0);
	for (int i = 0; i < 2; i++) {
		T(close(a[i]));
		T(close(b[i]));
		T(close(c[i]));
	}
	T(close(ep));
}

/* An entry goes when its file is closed for good, not when one fd of it
 * is closed; and the entry holds no reference that would keep a pipe's
 * end open. */
static void closing(void)
{
	int p[2];
	char c;
	SECTION("closing");
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	T(write(p[1], "x", 1));
	T(add(ep, p[0], EPOLLIN, 1));
	int d = T(dup(p[0]));
	T(close(p[0]));
	wait_show("dup keeps it", ep, 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL));
	T(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL));
	T(add(ep, d, EPOLLIN, 2));
	wait_show("two entries", ep, 8, 0);
	T(close(d));
	wait_show("gone", ep, 8, 0);
	MUST(pipe(p));
	T(add(ep, p[1], EPOLLOUT, 3));
	T(close(p[1]));
	T(read(p[0], &c, 1));               /* EOF: the entry kept no writer */
	wait_show("gone", ep, 8, 0);
	T(add(ep, p[0], EPOLLIN, 4));
	T(close(ep));                        /* the entry goes with the set */
	T(read(p[0], &c, 1));
	T(close(p[0]));
}

static void nesting(void)
{
	int p[2];
	SECTION("nesting");
	MUST(pipe(p));
	int inner = T(epoll_create1(0));
	int outer = T(epoll_create1(0));
	T(add(inner, p[0], EPOLLIN, 1));
	T(add(outer, inner, EPOLLIN, 2));
	T(add(inner, outer, EPOLLIN, 3));
	wait_show("outer, nothing", outer, 8, 0);
	struct pollfd pf = { inner, POLLIN | POLLOUT, 0 };
	T(poll(&pf, 1, 0));
	T(write(p[1], "x", 1));
	wait_show("outer", outer, 8, 0);
	T(poll(&pf, 1, 0));
	P("revents", "%#x", pf.revents);
	wait_show("inner", inner, 8, 0);
	T(close(inner));
	T(close(outer));

	int e[7];
	for (int i = 0; i < 7; i++)
		e[i] = epoll_create1(0);
	for (int i = 0; i < 6; i++) {
		char label[32];
		snprintf(label, sizeof(label), "chain %d", i + 1);
		TL(label, add(e[i + 1], e[i], EPOLLIN, i));
	}
	T(add(e[0], p[0], EPOLLIN, 0));
	T(add(e[2], e[0], EPOLLIN, 0));      /* a second path */
	for (int i = 0; i < 7; i++)
		close(e[i]);
	T(close(p[0]));
	T(close(p[1]));
}

static void on_sig(int s)
{
	(void)s;
}

static void waits(void)
{
	int p[2], status;
	struct timespec t0;
	SECTION("waits");
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	T(add(ep, p[0], EPOLLIN, 1));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	wait_show("timeout", ep, 8, 50);
	P("waited 50 ms", "%d", ms_since(t0) >= 45);
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		_exit(write(p[1], "y", 1) == 1 ? 0 : 1);
	}
	wait_show("woken by a child", ep, 8, -1);
	T(waitpid(pid, &status, 0) == pid);
	char c;
	T(read(p[0], &c, 1));

	/* the child adds a ready fd to the set the parent waits on */
	int q[2];
	MUST(pipe(q));
	T(write(q[1], "z", 1));
	pid = fork();
	if (pid == 0) {
		usleep(50000);
		_exit(add(ep, q[0], EPOLLIN, 7) == 0 ? 0 : 1);
	}
	wait_show("added by a child", ep, 8, 5000);
	T(waitpid(pid, &status, 0) == pid);

	/* a signal ends the wait with EINTR, even with SA_RESTART */
	T(read(q[0], &c, 1));
	struct sigaction sa = { .sa_handler = on_sig, .sa_flags = SA_RESTART };
	MUST(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	MUST(setitimer(ITIMER_REAL, &it, NULL));
	wait_show("signal", ep, 8, 5000);
	T(close(q[0]));
	T(close(q[1]));
	T(close(ep));
	T(close(p[0]));
	T(close(p[1]));
}

static volatile sig_atomic_t usr1;
static void on_usr1(int s) { (void)s; usr1++; }

static void show_mask(const char *label)
{
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("%s: usr1 blocked=%d\n", label, sigismember(&cur, SIGUSR1));
}

static void pwait(void)
{
	int p[2], status;
	struct epoll_event evs[2];
	SECTION("epoll_pwait");
	MUST(pipe(p));
	int ep = T(epoll_create1(0));
	T(add(ep, p[0], EPOLLIN, 1));
	struct sigaction sa = { .sa_handler = on_usr1 };
	MUST(sigaction(SIGUSR1, &sa, NULL));
	sigset_t block, empty;
	sigemptyset(&empty);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	MUST(sigprocmask(SIG_BLOCK, &block, NULL));
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	T(epoll_pwait(ep, evs, 2, 5000, &empty));
	P("handler ran", "%d", usr1);
	show_mask("after");
	T(waitpid(pid, &status, 0) == pid);
	T(epoll_pwait(ep, evs, 2, 10, &block));
	show_mask("after timeout");
	T(syscall(SYS_epoll_pwait, ep, evs, 2, 0, &empty, 4));
	T(syscall(SYS_epoll_pwait, ep, evs, 2, 0, BADP, 8));
	T(syscall(SYS_epoll_pwait, ep, evs, 0, 0, BADP, 8));
	T(syscall(SYS_epoll_pwait, ep, evs, 0, 0, NULL, 4));

	SECTION("epoll_pwait2");
	struct timespec ts = { 0, 20000000 };
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, &ts, NULL, 8));
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, BADP, NULL, 8));
	ts.tv_nsec = 1000000000;
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, &ts, NULL, 8));
	ts = (struct timespec){ -1, 0 };
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, &ts, NULL, 8));
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, &ts, &empty, 4));
	T(syscall(SYS_epoll_pwait2, ep, evs, 0, NULL, &empty, 4));
	T(write(p[1], "x", 1));
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, NULL, &empty, 8));
	ts = (struct timespec){ 0, 0 };
	T(syscall(SYS_epoll_pwait2, ep, evs, 2, &ts, NULL, 8));
	T(close(ep));
	T(close(p[0]));
	T(close(p[1]));
}

static void other_files(void)
{
	int status;
	SECTION("eventfd, timerfd, signalfd");
	int ep = T(epoll_create1(0));
	int efd = T(eventfd(0, EFD_NONBLOCK));
	T(add(ep, efd, EPOLLIN | EPOLLOUT | EPOLLET, 1));
	wait_show("eventfd", ep, 8, 0);
	wait_show("no news", ep, 8, 0);
	uint64_t v = 1;
	T(write(efd, &v, 8));
	wait_show("written", ep, 8, 0);
	T(read(efd, &v, 8));
	wait_show("read", ep, 8, 0);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL));

	int tfd = T(timerfd_create(CLOCK_MONOTONIC, 0));
	T(add(ep, tfd, EPOLLIN, 2));
	struct itimerspec its = { { 0, 0 }, { 0, 30000000 } };
	T(timerfd_settime(tfd, 0, &its, NULL));
	wait_show("timer", ep, 8, 5000);
	T(read(tfd, &v, 8));
	P("expirations", "%llu", (unsigned long long)v);
	T(epoll_ctl(ep, EPOLL_CTL_DEL, tfd, NULL));

	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR2);
	MUST(sigprocmask(SIG_BLOCK, &m, NULL));
	int sfd = T(signalfd(-1, &m, 0));
	T(add(ep, sfd, EPOLLIN, 3));
	wait_show("no signal", ep, 8, 0);
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(50000);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	wait_show("signal", ep, 8, 5000);
	T(waitpid(pid, &status, 0) == pid);
	struct signalfd_siginfo si;
	T(read(sfd, &si, sizeof(si)));
	P("signo", "%u", si.ssi_signo);
	wait_show("taken", ep, 8, 0);
	T(close(sfd));
	T(close(tfd));
	T(close(efd));
	T(close(ep));
}

int main(void)
{
	scratch();
	create();
	ctl_errors();
	wait_errors();
	level();
	edge();
	oneshot();
	fairness();
	closing();
	nesting();
	waits();
	pwait();
	other_files();
	return 0;
}
