/* wait_zombie: waitid asking only for stopped or continued children
 * when the only child is a zombie is ECHILD, as Linux's
 * wait_consider_task makes it, not a wait forever; waitpid, for which
 * WEXITED is implied, reaps it. */
#include "abi.h"
#include <sys/wait.h>

static void wait_zombie(void)
{
	pid_t pid = fork();
	if (pid == 0)
		_exit(3);
	siginfo_t si;
	MUST(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));	/* it is a zombie now */
	memset(&si, 0, sizeof(si));
	T(waitid(P_ALL, 0, &si, WSTOPPED));
	T(waitid(P_PID, pid, &si, WSTOPPED | WNOHANG));
	T(waitid(P_ALL, 0, &si, WCONTINUED));
	int st;
	T(waitpid(-1, &st, WUNTRACED | WNOHANG) == pid);	/* WEXITED is implied */
	P("status", "%d", WEXITSTATUS(st));
}

int main(void)
{
	wait_zombie();
	return 0;
}
