/* vfork_kill: a vfork parent killed while its child still runs. The child
 * (CLONE_VM|CLONE_VFORK, its own stack) SIGKILLs the parent, outlives it
 * and exits: nothing must wake the dead parent (persona freed the parent's
 * task and then woke it from the child's exit: found by tests/fuzz). */
#include "abi.h"
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static int pipefd[2];
static char stack[65536] __attribute__((aligned(16)));

static int child(void *arg)
{
	(void)arg;
	kill(getppid(), SIGKILL);
	struct timespec ts = { 0, 200 * 1000000 };	/* the parent is gone by then */
	nanosleep(&ts, NULL);
	write(pipefd[1], "x", 1);
	_exit(0);
}

int main(void)
{
	MUST(pipe(pipefd));
	pid_t m = fork();
	if (m == 0) {
		close(pipefd[0]);
		clone(child, stack + sizeof(stack), CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
		_exit(1);	/* never: the child kills us first */
	}
	close(pipefd[1]);
	int st;
	MUST(waitpid(m, &st, 0));
	P("parent killed by", "%d", WIFSIGNALED(st) ? WTERMSIG(st) : -1);
	char c = 0;
	T(read(pipefd[0], &c, 1));
	P("child wrote", "%c", c);
	T(read(pipefd[0], &c, 1));	/* EOF: the child has exited */
	/* and the kernel still answers */
	pid_t k = fork();
	if (k == 0)
		_exit(7);
	MUST(waitpid(k, &st, 0));
	P("another child exited with", "%d", WEXITSTATUS(st));
	return 0;
}
