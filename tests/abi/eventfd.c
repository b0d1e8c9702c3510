/* eventfd: the counter (plain and semaphore mode), its limits, flags,
 * poll readiness, bad sizes and pointers, and reads and writes that wait
 * for another process or are cut short by a signal. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <sys/wait.h>

static void show_poll(const char *label, int fd)
{
	struct pollfd p = { fd, POLLIN | POLLOUT | POLLPRI, 0 };
	int n = poll(&p, 1, 0);
	printf("%s: poll=%d revents=%#x\n", label, n, p.revents);
}

static void rd(int fd)
{
	uint64_t v = 0;
	long r = read(fd, &v, sizeof(v));
	if (r < 0)
		printf("read = -1 %s\n", ename(errno));
	else
		printf("read = %ld value=%llu\n", r, (unsigned long long)v);
}

static long wr(int fd, uint64_t v)
{
	return write(fd, &v, sizeof(v));
}

static void basics(void)
{
	SECTION("basics");
	int fd = T(eventfd(0, EFD_NONBLOCK));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GETFD));
	show_poll("empty", fd);
	rd(fd);
	T(wr(fd, 5));
	T(wr(fd, 3));
	show_poll("eight", fd);
	rd(fd);
	rd(fd);
	T(wr(fd, 0));
	show_poll("zero written", fd);
	uint64_t big[2] = { 7, 9 };
	T(write(fd, big, sizeof(big)));       /* exactly 8 bytes */
	T(wr(fd, 7));
	char buf[16];
	T(read(fd, buf, sizeof(buf)));        /* 8 or more */
	T(read(fd, buf, 4));
	T(write(fd, buf, 4));
	struct stat st;
	T(fstat(fd, &st));
	P("mode", "%o", st.st_mode);
	P("size", "%ld", (long)st.st_size);
	T(close(fd));

	fd = T(syscall(SYS_eventfd, 3));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GETFD));
	rd(fd);
	T(close(fd));
	fd = T(eventfd(0, EFD_CLOEXEC));
	T(fcntl(fd, F_GETFD));
	T(close(fd));
	T(syscall(SYS_eventfd2, 0, O_APPEND));
	T(syscall(SYS_eventfd2, 0, -1));
	T(syscall(SYS_eventfd2, 0xffffffffUL, EFD_NONBLOCK));
	rd(3);
	T(close(3));
}

static void semaphore(void)
{
	SECTION("semaphore");
	int fd = T(eventfd(3, EFD_SEMAPHORE | EFD_NONBLOCK));
	rd(fd);
	rd(fd);
	T(wr(fd, 4));
	rd(fd);
	show_poll("five left", fd);
	for (int i = 0; i < 5; i++)
		rd(fd);
	show_poll("none left", fd);
	T(close(fd));
}

static void limits(void)
{
	SECTION("limits");
	int fd = T(eventfd(0, EFD_NONBLOCK));
	T(wr(fd, UINT64_MAX));
	T(wr(fd, UINT64_MAX - 1));
	show_poll("at the top", fd);
	T(wr(fd, 1));
	T(wr(fd, 0));
	rd(fd);
	T(wr(fd, UINT64_MAX - 2));
	T(wr(fd, 1));
	T(wr(fd, 1));
	rd(fd);
	T(wr(fd, 1));
	T(syscall(SYS_read, fd, BADP, 8));   /* taken, then the copy fails */
	rd(fd);
	T(syscall(SYS_write, fd, BADP, 8));
	T(close(fd));
}

/* A read that waits for another process's write, and a write that waits
 * for room another process's read makes. */
static void waits(void)
{
	int status;
	SECTION("waits");
	int fd = T(eventfd(0, 0));
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		_exit(wr(fd, 42) == 8 ? 0 : 1);
	}
	rd(fd);
	T(waitpid(pid, &status, 0) == pid);
	P("child status", "%d", status);
	T(wr(fd, UINT64_MAX - 1));
	pid = fork();
	if (pid == 0) {
		usleep(50000);
		uint64_t v;
		_exit(read(fd, &v, 8) == 8 && v == UINT64_MAX - 1 ? 0 : 1);
	}
	T(wr(fd, 9));                /* waits for the child's read */
	rd(fd);
	T(waitpid(pid, &status, 0) == pid);
	P("child status", "%d", status);
	T(close(fd));
}

static void on_alarm(int sig)
{
	(void)sig;
}

static void interrupted(void)
{
	SECTION("signals");
	struct sigaction sa = { .sa_handler = on_alarm };
	MUST(sigaction(SIGALRM, &sa, NULL));
	int fd = T(eventfd(0, 0));
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	MUST(setitimer(ITIMER_REAL, &it, NULL));
	rd(fd);
	T(close(fd));
}

int main(void)
{
	basics();
	semaphore();
	limits();
	waits();
	interrupted();
	return 0;
}
