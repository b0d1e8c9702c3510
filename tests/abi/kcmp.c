/* kcmp: kcmp(2) on the caller, a forked child, a clone sharing
 * everything and a thread: which objects are the same (0) or not (1 or
 * 2, opposite ways round for the two orders), KCMP_FILE across dup and
 * fork, KCMP_EPOLL_TFD, and the errors: ESRCH, EINVAL, EBADF, EFAULT,
 * ENOENT, and EPERM for another user's process. */
#include "abi.h"
#include <linux/kcmp.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>

static long kcmp(pid_t a, pid_t b, int type, unsigned long i1, unsigned long i2)
{
	return syscall(SYS_kcmp, a, b, type, i1, i2);
}

static const char *const names[] = { "FILE", "VM", "FILES", "FS", "SIGHAND", "IO", "SYSVSEM" };

/* Prints same / differ for every plain type; differ must be 1 one way
 * and 2 the other. */
static void compare(const char *label, pid_t a, pid_t b)
{
	printf("%s:", label);
	for (int type = KCMP_VM; type <= KCMP_SYSVSEM; type++) {
		long r1 = kcmp(a, b, type, 0, 0), r2 = kcmp(b, a, type, 0, 0);
		if (r1 < 0)
			printf(" %s=%s", names[type], ename(errno));
		else if (r1 == 0 && r2 == 0)
			printf(" %s=same", names[type]);
		else
			printf(" %s=%s", names[type], r1 + r2 == 3 ? "differ" : "INCONSISTENT");
	}
	printf("\n");
}

static int pipe_fd[2];

static int sleeper(void *arg)
{
	(void)arg;
	char c;
	read(pipe_fd[0], &c, 1);
	return 0;
}

static void *thread_fn(void *arg)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	compare("thread vs its process", me, *(pid_t *)arg);
	return NULL;
}

int main(void)
{
	scratch();
	pid_t self = getpid();
	SECTION("errors");
	T(kcmp(self, 999999, KCMP_VM, 0, 0));
	T(kcmp(999999, self, KCMP_VM, 0, 0));
	T(kcmp(self, self, KCMP_TYPES, 0, 0));
	T(kcmp(self, self, -1, 0, 0));
	T(kcmp(self, self, KCMP_FILE, 0, 100));
	T(kcmp(self, self, KCMP_FILE, 100, 0));
	T(kcmp(self, self, KCMP_FILE, 0, 1UL << 40));
	compare("self", self, self);
	compare("pid 0 is no one", 0, self);

	SECTION("files");
	int a = open("a", O_RDWR | O_CREAT, 0644), b = open("a", O_RDWR), d = dup(a);
	P("same open file", "%ld", kcmp(self, self, KCMP_FILE, a, a));
	long r = kcmp(self, self, KCMP_FILE, a, b);
	P("two opens of one path", "%s", r == 1 || r == 2 ? "differ" : "?");
	P("dup", "%ld", kcmp(self, self, KCMP_FILE, a, d));

	SECTION("fork");
	MUST(pipe(pipe_fd));
	pid_t c = fork();
	if (c == 0) {
		char x;
		read(pipe_fd[0], &x, 1);
		_exit(0);
	}
	compare("forked child", self, c);
	P("inherited fd", "%ld", kcmp(self, c, KCMP_FILE, a, a));
	P("inherited dup", "%ld", kcmp(self, c, KCMP_FILE, d, a));
	write(pipe_fd[1], "x", 1);
	waitpid(c, NULL, 0);

	SECTION("clone sharing everything");
	static char stack[65536];
	c = clone(sleeper, stack + sizeof(stack),
		  CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | SIGCHLD, NULL);
	compare("clone", self, c);
	write(pipe_fd[1], "x", 1);
	waitpid(c, NULL, __WALL);
	pthread_t th;
	pthread_create(&th, NULL, thread_fn, &self);
	pthread_join(th, NULL);

	SECTION("KCMP_EPOLL_TFD");
	int ep = epoll_create1(0), q[2];
	MUST(pipe(q));
	int qd = dup(q[0]);
	struct epoll_event ev = { EPOLLIN, { 0 } };
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, q[0], &ev));
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, q[1], &ev));
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, pipe_fd[0], &ev));
	struct kcmp_epoll_slot slot = { ep, q[0], 0 };
	T(kcmp(self, self, KCMP_EPOLL_TFD, q[0], (unsigned long)&slot));
	T(kcmp(self, self, KCMP_EPOLL_TFD, qd, (unsigned long)&slot));
	r = kcmp(self, self, KCMP_EPOLL_TFD, q[1], (unsigned long)&slot);
	P("other file", "%s", r == 1 || r == 2 ? "differ" : "?");
	slot.tfd = pipe_fd[0];
	T(kcmp(self, self, KCMP_EPOLL_TFD, pipe_fd[0], (unsigned long)&slot));
	slot.toff = 1;
	T(kcmp(self, self, KCMP_EPOLL_TFD, pipe_fd[0], (unsigned long)&slot));
	slot = (struct kcmp_epoll_slot){ ep, pipe_fd[1], 0 };
	T(kcmp(self, self, KCMP_EPOLL_TFD, pipe_fd[1], (unsigned long)&slot));
	slot = (struct kcmp_epoll_slot){ a, q[0], 0 };
	T(kcmp(self, self, KCMP_EPOLL_TFD, q[0], (unsigned long)&slot));
	slot = (struct kcmp_epoll_slot){ 200, q[0], 0 };
	T(kcmp(self, self, KCMP_EPOLL_TFD, q[0], (unsigned long)&slot));
	slot = (struct kcmp_epoll_slot){ ep, q[0], 0 };
	T(kcmp(self, self, KCMP_EPOLL_TFD, 200, (unsigned long)&slot));
	T(kcmp(self, self, KCMP_EPOLL_TFD, q[0], (unsigned long)BADP));
	/* The entry stays for the open file when its fd is closed. */
	MUST(close(q[0]));
	T(kcmp(self, self, KCMP_EPOLL_TFD, qd, (unsigned long)&slot));

	SECTION("permission");
	c = fork();
	if (c == 0) {
		MUST(setuid(65534));
		pid_t me = getpid();
		T(kcmp(me, me, KCMP_VM, 0, 0));
		T(kcmp(me, self, KCMP_VM, 0, 0));
		T(kcmp(self, me, KCMP_FILE, 0, 0));
		T(kcmp(self, me, -1, 0, 0));
		T(kcmp(me, 999999, KCMP_VM, 0, 0));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	return 0;
}
