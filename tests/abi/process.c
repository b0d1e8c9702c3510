/* Processes: fork/exec/wait chains, exit statuses, zombies, WNOHANG,
 * waitid, orphans going to a subreaper, process groups and sessions.
 * The test makes itself a subreaper so orphans land in the same place
 * natively and under persona. */
#include "abi.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static void nap(int ms)
{
	struct timespec d = { 0, ms * 1000000L };
	nanosleep(&d, NULL);
}

static void show_status(const char *label, int st)
{
	if (WIFEXITED(st))
		printf("%s: exited %d\n", label, WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("%s: killed by %d\n", label, WTERMSIG(st));
	else if (WIFSTOPPED(st))
		printf("%s: stopped by %d\n", label, WSTOPSIG(st));
	else if (WIFCONTINUED(st))
		printf("%s: continued\n", label);
}

int main(int argc, char **argv)
{
	if (argc > 1) {	/* the exec'd child: report what it inherited */
		printf("exec'd: argv1=%s fd3 open=%d fd4 open=%d\n", argv[1],
		       fcntl(3, F_GETFD) >= 0, fcntl(4, F_GETFD) >= 0);
		return 42;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	T(prctl(PR_SET_CHILD_SUBREAPER, 1));
	int st;

	SECTION("exit codes");
	for (int code = 0; code < 300; code += 99) {
		pid_t c = fork();
		if (c == 0)
			_exit(code);
		T(waitpid(c, &st, 0) == c);
		show_status("child", st);
	}

	SECTION("killed by a signal");
	pid_t c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	T(kill(c, SIGTERM));
	T(waitpid(c, &st, 0) == c);
	show_status("child", st);
	c = fork();
	if (c == 0) {
		*(volatile int *)0 = 1;	/* SIGSEGV */
		_exit(0);
	}
	T(waitpid(c, &st, 0) == c);
	P("segv", "%d", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);

	SECTION("WNOHANG and zombies");
	c = fork();
	if (c == 0) {
		nap(100);
		_exit(5);
	}
	T(waitpid(c, &st, WNOHANG));
	nap(300);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	T(waitid(P_PID, c, &si, WEXITED | WNOWAIT));
	P("waitid code", "%d", si.si_code);
	P("waitid status", "%d", si.si_status);
	T(waitpid(c, &st, 0) == c);
	show_status("reaped", st);
	T(waitpid(c, &st, 0));
	T(waitpid(-1, &st, WNOHANG));
	T(waitid(P_ALL, 0, &si, 0));
	T(waitid(99, 0, &si, WEXITED));
	T(wait4(-1, &st, 0x4000000, NULL));

	SECTION("stop and continue");
	c = fork();
	if (c == 0) {
		for (;;)
			pause();
	}
	T(kill(c, SIGSTOP));
	T(waitpid(c, &st, WUNTRACED) == c);
	show_status("child", st);
	T(kill(c, SIGCONT));
	T(waitpid(c, &st, WCONTINUED) == c);
	show_status("child", st);
	T(kill(c, SIGKILL));
	T(waitpid(c, &st, 0) == c);
	show_status("child", st);

	SECTION("exec");
	int keep = dup(1), drop = dup(1);
	MUST(dup2(keep, 3));
	MUST(dup3(drop, 4, O_CLOEXEC));
	c = fork();
	if (c == 0) {
		execl("/proc/self/exe", "process", "hello", (char *)NULL);
		_exit(99);
	}
	T(waitpid(c, &st, 0) == c);
	show_status("exec'd child", st);
	c = fork();
	if (c == 0) {
		execl("/nonexistent/program", "x", (char *)NULL);
		_exit(errno == ENOENT ? 3 : 4);
	}
	T(waitpid(c, &st, 0) == c);
	show_status("failed exec", st);
	T(syscall(SYS_execve, BADP, NULL, NULL));
	T(execl("/etc/passwd", "passwd", (char *)NULL));

	SECTION("orphans go to the subreaper");
	c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			nap(100);
			_exit(9);
		}
		_exit(1);
	}
	T(waitpid(c, &st, 0) == c);
	show_status("middle", st);
	T(wait(&st) > 0);
	show_status("grandchild", st);

	SECTION("vfork");
	volatile int shared = 0;
	c = vfork();
	if (c == 0) {
		shared = 1;
		_exit(6);
	}
	P("parent sees child's write", "%d", shared);
	T(waitpid(c, &st, 0) == c);
	show_status("vfork child", st);

	SECTION("process groups and sessions");
	P("getpgid(0) == getpgrp()", "%d", getpgid(0) == getpgrp());
	P("getsid(0) == getsid(getpid())", "%d", getsid(0) == getsid(getpid()));
	c = fork();
	if (c == 0) {
		pid_t me = getpid();
		printf("child setpgid: %d\n", setpgid(0, 0));
		printf("child pgid is own pid: %d\n", getpgid(0) == me);
		printf("child setsid as leader: %d %s\n", (int)setsid(), ename(errno));
		_exit(0);
	}
	T(waitpid(c, &st, 0) == c);
	c = fork();
	if (c == 0) {
		pid_t s = setsid();
		printf("setsid gives own pid: %d\n", s == getpid());
		printf("sid/pgid: %d %d\n", getsid(0) == getpid(), getpgid(0) == getpid());
		printf("setpgid in new session leader: %d %s\n", setpgid(0, 0), ename(errno));
		_exit(0);
	}
	T(waitpid(c, &st, 0) == c);
	T(setpgid(-1, 0));
	T(setpgid(0x3fffffff, 0));
	T(getpgid(0x3fffffff));
	T(getsid(0x3fffffff));

	SECTION("rusage");
	struct rusage ru;
	T(getrusage(RUSAGE_SELF, &ru));
	T(getrusage(RUSAGE_CHILDREN, &ru));
	T(getrusage(7, &ru));
	T(getrusage(RUSAGE_SELF, BADP));
	return 0;
}
