/* vfork_signal: a vfork parent is not interrupted by signals while its
 * child runs on its memory (Linux waits killably): the call returns the
 * child's pid once, the handler runs after, and one child was made. persona
 * returned EINTR with the child still running (or, with SA_RESTART, made a
 * second child), found by tests/fuzz. */
#include "abi.h"
#include <sched.h>
#include <signal.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
static char stack[65536] __attribute__((aligned(16)));
static volatile int alarms;
static void on_alarm(int s) { (void)s; alarms++; }
static int child(void *a) { (void)a; struct timespec ts = {0, 100000000}; nanosleep(&ts, 0); _exit(5); }
int main(void)
{
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	struct itimerval it = { { 0, 10000 }, { 0, 10000 } };
	setitimer(ITIMER_REAL, &it, NULL);
	pid_t c = clone(child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
	struct itimerval z = { 0 };
	setitimer(ITIMER_REAL, &z, NULL);
	P("clone", "%d", c > 0);
	P("alarms during the wait", "%d", alarms > 3);
	int st, n = 0;
	while (waitpid(-1, &st, 0) > 0) n++;
	P("children", "%d", n);
	return 0;
}
