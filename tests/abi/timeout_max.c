/* timeout_max: the longest timeouts a guest can ask for (tv_sec near
 * LONG_MAX) mean "wait until a signal", never "don't wait": nanosleep,
 * clock_nanosleep, rt_sigtimedwait, futex and recvmmsg each wait until the
 * interval timer's SIGALRM (found by tests/fuzz: the deadline overflowed). */
#include "abi.h"
#include <limits.h>
#include <linux/futex.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>

static void on_alarm(int sig) { (void)sig; }

static long ms_since(struct timespec t0)
{
	struct timespec t1;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
}

static struct timespec t0;
static void arm(void)
{
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };	/* 50 ms, once */
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
}
#define WAITED() P("waited for the signal", "%d", ms_since(t0) >= 40)

int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	MUST(sigaction(SIGALRM, &sa, NULL));	/* no SA_RESTART: EINTR */
	struct timespec huge[] = { { LONG_MAX, 999999999 }, { LONG_MAX, 0 },
				   { LONG_MAX - 1, 999999999 }, { LONG_MAX / 2, 0 } };
	for (unsigned i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		printf("== tv_sec LONG_MAX - %ld\n", LONG_MAX - huge[i].tv_sec);
		arm();
		T(syscall(SYS_nanosleep, &huge[i], NULL));
		WAITED();
		arm();
		T(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &huge[i], NULL));
		WAITED();
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		arm();
		T(syscall(SYS_rt_sigtimedwait, &set, NULL, &huge[i], 8));
		WAITED();
		int word = 0;
		arm();
		T(syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 0, &huge[i], NULL, 0));
		WAITED();
		int sv[2];
		MUST(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
		char buf[4];
		struct iovec iov = { buf, sizeof(buf) };
		struct mmsghdr m = { .msg_hdr = { .msg_iov = &iov, .msg_iovlen = 1 } };
		arm();
		T(syscall(SYS_recvmmsg, sv[0], &m, 1, 0, &huge[i]));
		WAITED();
		close(sv[0]);
		close(sv[1]);
	}
	return 0;
}
