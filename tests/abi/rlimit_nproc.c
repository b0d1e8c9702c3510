/* rlimit_nproc: RLIMIT_NPROC counts the tasks (threads, and zombies until
 * they are reaped) of the caller's real uid; fork, clone and
 * pthread_create fail with EAGAIN at the limit, except for root. A
 * set*uid to a uid already past the limit succeeds but the next execve
 * fails with EAGAIN. The unprivileged uid is made from the test's pid so
 * no other process on the machine has it, natively either. */
#include "abi.h"
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>

static unsigned uid;
static pid_t kids[16];
static int nkids;

static void *idle(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static pid_t spawn_idle(void)
{
	pid_t pid = fork();
	if (pid == 0) {
		for (;;)
			pause();
	}
	if (pid > 0)
		kids[nkids++] = pid;
	return pid;
}

static void end_kids(void)
{
	while (nkids > 0) {
		pid_t pid = kids[--nkids];
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
}

/* The soft limit only: raising a hard one back needs CAP_SYS_RESOURCE. */
static void set_nproc(rlim_t n)
{
	struct rlimit r;
	MUST(getrlimit(RLIMIT_NPROC, &r));
	r.rlim_cur = n;
	MUST(setrlimit(RLIMIT_NPROC, &r));
}

/* As the unprivileged uid with a limit of 4: itself and 3 more. */
static void unprivileged(void)
{
	set_nproc(4);
	MUST(setresuid(uid, uid, uid));
	SECTION("fork up to the limit");
	for (int i = 0; i < 3; i++)
		T(spawn_idle() > 0);
	T(spawn_idle());
	T(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
	pthread_t th;
	int e = pthread_create(&th, NULL, idle, NULL);
	P("pthread_create", "%s", e ? ename(e) : "0");
	SECTION("a zombie still counts");
	pid_t z = kids[--nkids];
	kill(z, SIGKILL);
	siginfo_t si;
	MUST(waitid(P_PID, z, &si, WEXITED | WNOWAIT));
	T(spawn_idle());
	MUST(waitpid(z, NULL, 0));
	T(spawn_idle() > 0);
	SECTION("threads count");
	end_kids();
	set_nproc(3);
	P("pthread_create", "%d", pthread_create(&th, NULL, idle, NULL));
	P("pthread_create", "%d", pthread_create(&th, NULL, idle, NULL));
	e = pthread_create(&th, NULL, idle, NULL);
	P("pthread_create", "%s", e ? ename(e) : "0");
	T(fork());
	SECTION("raising the hard limit");
	struct rlimit r = { 3, 50 };
	T(setrlimit(RLIMIT_NPROC, &r));
	r.rlim_max = 60;
	T(setrlimit(RLIMIT_NPROC, &r));
	r.rlim_max = 40;
	T(setrlimit(RLIMIT_NPROC, &r));
	_exit(0);
}

int main(int argc, char **argv)
{
	if (argc > 0 && strcmp(argv[0], "nproc-exec") == 0) {
		printf("  execve ran\n");
		return 0;
	}
	uid = 300000 + getpid();
	pid_t pid = fork();
	if (pid == 0)
		unprivileged();
	MUST(waitpid(pid, NULL, 0));

	SECTION("root is not held to it");
	set_nproc(1);
	T(spawn_idle() > 0);
	T(spawn_idle() > 0);
	end_kids();

	SECTION("setuid past the limit, then execve");
	set_nproc(100);
	/* Two processes of the uid, each counted only once it has said so
	 * (without the wait, a native run may race past them). */
	int ready[2];
	MUST(pipe(ready));
	for (int i = 0; i < 2; i++) {
		pid_t k = fork();
		if (k == 0) {
			MUST(setresuid(uid, uid, uid));
			MUST(write(ready[1], "r", 1));
			for (;;)
				pause();
		}
		kids[nkids++] = k;
	}
	char c;
	for (int i = 0; i < 2; i++)
		MUST(read(ready[0], &c, 1));
	for (int limit = 1; limit <= 3; limit++) {
		pid = fork();
		if (pid == 0) {
			set_nproc(limit);
			printf("limit %d: ", limit);
			T(setuid(uid));
			execl("/proc/self/exe", "nproc-exec", (char *)NULL);
			printf("  execve = -1 %s\n", ename(errno));
			_exit(0);
		}
		MUST(waitpid(pid, NULL, 0));
	}
	end_kids();
	return 0;
}
