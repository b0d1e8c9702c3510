/* kill_self: a process that kills itself (or its own group) from inside
 * a system call, while its parent ignores SIGCHLD, so nothing is left of
 * it once the call is over: kill(getpid()), kill(0), tgkill of itself,
 * SIGKILL to its own group from a second thread, exit_group from a second
 * thread while the first waits, and execve from a second thread. The
 * parent sees each child go and goes on; under persona the kernel must
 * not touch the freed process (the sanitizer build finds it if it does). */
#include "abi.h"
#include <pthread.h>
#include <signal.h>
#include <sys/wait.h>

static void *kill_group(void *arg)
{
	(void)arg;
	kill(getpid(), SIGKILL);
	return NULL;
}

static void *exit_all(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 3);
	return NULL;
}

static void *exec_true(void *arg)
{
	(void)arg;
	char *argv[] = { "true-by-exit", NULL };
	execve("/proc/self/exe", argv, (char *[]){ "KILL_SELF_EXIT=1", NULL });
	_exit(1);
}

static void from_thread(void *(*fn)(void *))
{
	pthread_t th;
	if (pthread_create(&th, NULL, fn, NULL))
		_exit(98);
	pause();	/* the thread ends the process */
	_exit(97);
}

static void child(int how)
{
	switch (how) {
	case 0: kill(getpid(), SIGKILL); break;
	case 1: setpgid(0, 0); kill(0, SIGKILL); break;
	case 2: syscall(SYS_tgkill, getpid(), gettid(), SIGKILL); break;
	case 3: syscall(SYS_tkill, gettid(), SIGKILL); break;
	case 4: from_thread(kill_group); break;
	case 5: from_thread(exit_all); break;
	case 6: from_thread(exec_true); break;
	case 7: raise(SIGKILL); break;
	}
	_exit(99);
}

int main(void)
{
	if (getenv("KILL_SELF_EXIT"))
		return 0;
	static const char *names[] = {
		"kill(getpid(), SIGKILL)", "kill(0, SIGKILL) in its own group",
		"tgkill(self, SIGKILL)", "tkill(self, SIGKILL)",
		"SIGKILL to its group from a thread", "exit_group from a thread",
		"execve from a thread", "raise(SIGKILL)",
	};
	signal(SIGCHLD, SIG_IGN);
	for (int i = 0; i < 8; i++) {
		SECTION(names[i]);
		pid_t pid = fork();
		if (pid == 0)
			child(i);
		/* No zombie: wait blocks until the child is gone, then ECHILD. */
		T(waitpid(pid, NULL, 0));
		T(kill(pid, 0));
	}
	/* The same with a handler for SIGCHLD: zombies, reaped by wait. */
	signal(SIGCHLD, SIG_DFL);
	for (int i = 0; i < 8; i++) {
		SECTION(names[i]);
		int st = 0;
		pid_t pid = fork();
		if (pid == 0)
			child(i);
		MUST(waitpid(pid, &st, 0));
		P("status", "signaled=%d sig=%d exited=%d code=%d", WIFSIGNALED(st),
		  WIFSIGNALED(st) ? WTERMSIG(st) : 0, WIFEXITED(st), WIFEXITED(st) ? WEXITSTATUS(st) : 0);
	}
	return 0;
}
