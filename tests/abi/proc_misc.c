/* The rest of the process calls: execveat (fd and AT_EMPTY_PATH), times,
 * prctl (names, death signal, dumpable, subreaper, bad options), a raw
 * clone3, rt_tgsigqueueinfo and tgkill/tkill with bad arguments. */
#include "abi.h"
#include <linux/sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/times.h>
#include <sys/wait.h>
#include <time.h>

static volatile int got_value;
static void on_usr1(int s, siginfo_t *si, void *uc)
{
	(void)s;
	(void)uc;
	got_value = si->si_value.sival_int;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		printf("exec'd by %s\n", argv[1]);
		return 7;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	int st;

	SECTION("execveat");
	int fd;
	MUST(fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC));
	pid_t c = fork();
	if (c == 0) {
		char *av[] = { "proc_misc", "fd", NULL }, *ev[] = { NULL };
		syscall(SYS_execveat, fd, "", av, ev, AT_EMPTY_PATH);
		_exit(99);
	}
	T(waitpid(c, &st, 0) == c);
	P("status", "%d", WEXITSTATUS(st));
	char *av[] = { "x", NULL }, *ev[] = { NULL };
	T(syscall(SYS_execveat, fd, "", av, ev, 0));
	T(syscall(SYS_execveat, fd, "", av, ev, 0x1234));
	T(syscall(SYS_execveat, 99, "x", av, ev, 0));
	T(syscall(SYS_execveat, AT_FDCWD, "/nonexistent", av, ev, 0));

	SECTION("times");
	struct tms tm;
	T(times(&tm) != (clock_t)-1);
	T(syscall(SYS_times, BADP));
	T(syscall(SYS_times, NULL) != -1);

	SECTION("prctl");
	char name[16] = { 0 };
	T(prctl(PR_SET_NAME, "renamed-thing"));
	T(prctl(PR_GET_NAME, name));
	P("name", "%s", name);
	char comm[32] = { 0 };
	int cfd;
	MUST(cfd = open("/proc/self/comm", O_RDONLY));
	MUST(read(cfd, comm, sizeof(comm) - 1));
	P("comm", "%s", comm);
	T(prctl(PR_SET_PDEATHSIG, SIGUSR2));
	int sig = 0;
	T(prctl(PR_GET_PDEATHSIG, &sig));
	P("pdeathsig", "%d", sig);
	T(prctl(PR_SET_PDEATHSIG, 99));
	T(prctl(PR_GET_DUMPABLE));
	T(prctl(PR_SET_DUMPABLE, 5));
	T(prctl(PR_SET_CHILD_SUBREAPER, 1));
	int sub = 0;
	T(prctl(PR_GET_CHILD_SUBREAPER, &sub));
	P("subreaper", "%d", sub);
	T(prctl(PR_GET_NAME, BADP));
	T(prctl(0x7fff0000));

	SECTION("death signal");
	c = fork();
	if (c == 0) {
		pid_t g = fork();
		if (g == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			pause();
			_exit(0);
		}
		struct timespec d = { 0, 50000000 };
		nanosleep(&d, NULL);
		_exit(1);	/* the grandchild dies with us, by SIGKILL */
	}
	T(waitpid(c, &st, 0) == c);
	T(wait(&st) > 0);
	P("grandchild killed", "%d", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);

	SECTION("clone3");
	struct clone_args ca = { .exit_signal = SIGCHLD };
	long r = syscall(SYS_clone3, &ca, sizeof(ca));
	if (r == 0)
		_exit(5);
	T(r > 0);
	T(waitpid(r, &st, 0) == r);
	P("status", "%d", WEXITSTATUS(st));
	T(syscall(SYS_clone3, &ca, 8));
	T(syscall(SYS_clone3, BADP, sizeof(ca)));
	ca.flags = CLONE_THREAD;
	T(syscall(SYS_clone3, &ca, sizeof(ca)));

	SECTION("rt_tgsigqueueinfo and friends");
	struct sigaction sa = { .sa_sigaction = on_usr1, .sa_flags = SA_SIGINFO };
	sigaction(SIGUSR1, &sa, NULL);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 77;
	T(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGUSR1, &si));
	P("value", "%d", got_value);
	T(syscall(SYS_rt_tgsigqueueinfo, getpid(), getpid(), SIGUSR1, BADP));
	T(syscall(SYS_tgkill, getpid(), 0x3fffffff, SIGUSR1));
	T(syscall(SYS_tgkill, getpid(), getpid(), 100));
	T(syscall(SYS_tkill, -5, SIGUSR1));
	T(syscall(SYS_tgkill, getpid(), getpid(), 0));
	return 0;
}
