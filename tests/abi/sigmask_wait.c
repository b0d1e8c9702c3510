/* Waits with a temporary signal mask (ppoll, pselect6, sigsuspend): the
 * mask is in force while waiting, the handler runs, and the old mask is
 * back afterwards, whether or not a signal came. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <sys/select.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t hits;
static void on_usr1(int s) { (void)s; hits++; }

static void show_mask(const char *label)
{
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("%s: usr1 blocked=%d usr2 blocked=%d\n", label, sigismember(&cur, SIGUSR1),
	       sigismember(&cur, SIGUSR2));
}

/* A child that sends SIGUSR1 to us after a short while. */
static pid_t poke_later(void)
{
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		struct timespec d = { 0, 50 * 1000000 };
		nanosleep(&d, NULL);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	return c;
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_usr1 };
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t block, empty;
	sigemptyset(&empty);
	sigemptyset(&block);
	sigaddset(&block, SIGUSR1);
	sigprocmask(SIG_BLOCK, &block, NULL);
	show_mask("start");

	SECTION("ppoll interrupted");
	pid_t c = poke_later();
	struct timespec ts = { 5, 0 };
	T(ppoll(NULL, 0, &ts, &empty));
	P("handler ran", "%d", hits);
	show_mask("after ppoll");
	waitpid(c, NULL, 0);

	SECTION("ppoll times out");
	sigset_t only2;
	sigemptyset(&only2);
	sigaddset(&only2, SIGUSR2);
	struct timespec short_ts = { 0, 10 * 1000000 };
	T(ppoll(NULL, 0, &short_ts, &only2));
	show_mask("after timeout");

	SECTION("pselect interrupted");
	c = poke_later();
	ts.tv_sec = 5;
	T(pselect(0, NULL, NULL, NULL, &ts, &empty));
	P("handler ran", "%d", hits);
	show_mask("after pselect");
	waitpid(c, NULL, 0);

	SECTION("sigsuspend");
	c = poke_later();
	T(sigsuspend(&empty));
	P("handler ran", "%d", hits);
	show_mask("after sigsuspend");
	waitpid(c, NULL, 0);

	SECTION("bad masks");
	T(syscall(SYS_ppoll, NULL, 0, &short_ts, &empty, 4));
	T(syscall(SYS_ppoll, NULL, 0, &short_ts, BADP, 8));
	T(syscall(SYS_rt_sigsuspend, &empty, 4));
	T(syscall(SYS_rt_sigsuspend, BADP, 8));
	return 0;
}
