/* The main thread ends with exit(2) (not exit_group) while another thread
 * of its process still runs: the process lives on until that thread ends,
 * and its parent's wait sees the last thread's status. The kernel must not
 * wait for the main thread's host exit, which the host reports only when
 * the whole thread group is gone. */
#include "abi.h"
#include <pthread.h>
#include <sys/wait.h>
#include <time.h>

static void *survivor(void *arg)
{
	(void)arg;
	struct timespec ts = { 0, 200 * 1000 * 1000 };
	nanosleep(&ts, NULL);
	printf("thread: still running after the main thread's exit\n");
	fflush(stdout);
	syscall(SYS_exit_group, 5);
	return NULL;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	for (int round = 0; round < 3; round++) {
		pid_t pid = fork();
		if (pid == 0) {
			pthread_t th;
			pthread_create(&th, NULL, survivor, NULL);
			syscall(SYS_exit, 0);	/* this thread only */
		}
		int st;
		pid_t w = waitpid(pid, &st, 0);
		P("wait", "%s, status %d", w == pid ? "the child" : "?", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	}
	/* The same with the last thread ending by exit(2) too. */
	pid_t pid = fork();
	if (pid == 0) {
		pthread_t th;
		pthread_create(&th, NULL, survivor, NULL);
		pthread_exit(NULL);	/* glibc: exit(2) of the main thread */
	}
	int st;
	waitpid(pid, &st, 0);
	P("pthread_exit main", "status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	return 0;
}
