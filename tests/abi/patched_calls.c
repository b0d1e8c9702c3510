/* patched_calls: system calls from sites persona has patched (after a
 * program's first few dozen calls, each `mov $nr, %eax; syscall` site it
 * calls from may be rewritten into a jump to persona's fast entry) behave
 * as trapped ones: restarts after a stop, interruption by a handler, a
 * restart_syscall after a stop in a relative sleep, a handler run when a
 * call returns, a fork and an exec after patching, and a %gs base of the
 * guest's own (a page of zeros, then an unmapped address), which the fast
 * way must not trust. Each case warms its sites first. */
#include "abi.h"
#include <asm/prctl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t got;
static void on_sig(int s) { (void)s; got++; }

static void warm(void)
{
	for (int i = 0; i < 100; i++) {
		getppid();
		struct timespec ts = { 0, 0 };
		nanosleep(&ts, NULL);
	}
}

static const char *status(int st)
{
	static char b[64];
	if (WIFEXITED(st))
		snprintf(b, sizeof(b), "exited %d", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		snprintf(b, sizeof(b), "killed by %d", WTERMSIG(st));
	else if (WIFSTOPPED(st))
		snprintf(b, sizeof(b), "stopped by %d", WSTOPSIG(st));
	else
		snprintf(b, sizeof(b), "continued");
	return b;
}

/* A child that waits in poll() is stopped and continued 5 times: each
 * time its poll restarts. Which call from a site is the one that gets it
 * patched is persona's business: the child makes k - 1 calls from the
 * site first, for k up to 40, so that one of the waits is a call patched
 * as it waits (whose site is no longer where the call started). */
static int stop_continue_once(int k)
{
	int ready[2];
	char ch;
	MUST(pipe(ready));
	pid_t c = fork();
	if (c == 0) {
		for (int i = 1; i < k; i++)
			poll(NULL, 0, 0);
		write(ready[1], "r", 1);
		poll(NULL, 0, -1);	/* no handler: it never returns */
		_exit(3);
	}
	int st, bad = 0;
	MUST(read(ready[0], &ch, 1));
	close(ready[0]);
	close(ready[1]);
	usleep(20000);	/* in its wait */
	for (int i = 0; i < 5; i++) {
		kill(c, SIGSTOP);
		waitpid(c, &st, WUNTRACED);
		bad += !WIFSTOPPED(st);
		kill(c, SIGCONT);
		waitpid(c, &st, WCONTINUED);
		bad += !WIFCONTINUED(st);
	}
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	return bad + !(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
}

static void stop_continue(void)
{
	int bad = 0;
	for (int k = 1; k <= 40; k++)
		bad += stop_continue_once(k);
	P("children waiting in poll, stopped, continued and killed", "%d surprises", bad);
}

/* A relative sleep stopped and continued restarts through
 * restart_syscall and still sleeps its whole length. */
static void sleep_restart(void)
{
	int ready[2];
	char ch;
	MUST(pipe(ready));
	pid_t c = fork();
	if (c == 0) {
		warm();
		write(ready[1], "r", 1);
		struct timespec t0, t1, ts = { 0, 300 * 1000 * 1000 };
		clock_gettime(CLOCK_MONOTONIC, &t0);
		int r = nanosleep(&ts, NULL);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		_exit(r == 0 && ms >= 290 ? 0 : 1);
	}
	int st;
	MUST(read(ready[0], &ch, 1));
	usleep(100000);
	kill(c, SIGSTOP);
	waitpid(c, &st, WUNTRACED);
	kill(c, SIGCONT);
	waitpid(c, &st, 0);
	P("a stopped sleep, continued", "%s", status(st));
}

int main(void)
{
	struct sigaction sa = { .sa_handler = on_sig };
	MUST(sigaction(SIGALRM, &sa, NULL));
	warm();

	SECTION("a handler interrupts a sleep (no SA_RESTART)");
	struct timespec ts = { 5, 0 }, rem = { 0, 0 };
	alarm(1);
	T(nanosleep(&ts, &rem));
	P("time left", "%s", rem.tv_sec >= 3 && rem.tv_sec <= 4 ? "3-4 s" : "wrong");
	P("handler ran", "%d", (int)got);

	SECTION("a handler with SA_RESTART: pause is not restarted, read is");
	sa.sa_flags = SA_RESTART;
	MUST(sigaction(SIGALRM, &sa, NULL));
	got = 0;
	alarm(1);
	T(pause());
	int p[2];
	MUST(pipe(p));
	if (fork() == 0) {
		sleep(2);
		write(p[1], "x", 1);
		_exit(0);
	}
	char ch;
	alarm(1);
	T(read(p[0], &ch, 1));
	P("handler ran", "%d", (int)got);
	wait(NULL);

	SECTION("stops and continues");
	stop_continue();
	sleep_restart();

	SECTION("a fork goes on with the same sites");
	pid_t c = fork();
	if (c == 0) {
		warm();
		_exit(getppid() == getppid() ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	P("child", "%s", status(st));

	SECTION("a %gs base of the guest's own");
	void *zeros = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t me = getpid();
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, zeros));
	long same = 0;
	for (int i = 0; i < 100; i++)
		same += getpid() == me;
	P("getpid right with %gs at a page of zeros", "%ld of 100", same);
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x7fffffffe000UL));
	same = 0;
	for (int i = 0; i < 100; i++)
		same += getpid() == me;
	P("getpid right with %gs at nothing", "%ld of 100", same);
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0));
	warm();

	SECTION("an exec after patching");
	fflush(stdout);
	c = fork();
	if (c == 0) {
		warm();
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(c, &st, 0);
	P("true", "%s", status(st));
	return 0;
}
