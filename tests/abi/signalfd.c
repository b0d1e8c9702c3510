/* signalfd: taking blocked signals as records (thread-directed first,
 * then process-directed; standard signals once, real-time ones queued),
 * the fields of the records, changing the set, poll, reads that wait for
 * another process's signal, a child's SIGCHLD, and the argument errors. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

static volatile sig_atomic_t handled;
static void on_usr1(int s) { (void)s; handled++; }

/* Reads up to n records and prints what Linux defines of them. */
static void rd(int fd, int n, pid_t from)
{
	struct signalfd_siginfo si[4];
	long r = read(fd, si, n * sizeof(si[0]));
	if (r < 0) {
		printf("read = -1 %s\n", ename(errno));
		return;
	}
	printf("read = %ld\n", r);
	for (long i = 0; i < r / (long)sizeof(si[0]); i++)
		printf("  signo=%u code=%d errno=%d from=%d uid=%d int=%d status=%d\n",
		       si[i].ssi_signo, si[i].ssi_code, si[i].ssi_errno,
		       (pid_t)si[i].ssi_pid == from, si[i].ssi_uid == getuid(),
		       si[i].ssi_int, si[i].ssi_status);
}

static sigset_t set_of(int a, int b)
{
	sigset_t s;
	sigemptyset(&s);
	if (a)
		sigaddset(&s, a);
	if (b)
		sigaddset(&s, b);
	return s;
}

static void basics(void)
{
	SECTION("basics");
	sigset_t m = set_of(SIGUSR1, SIGRTMIN);
	int fd = T(signalfd(-1, &m, SFD_NONBLOCK));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GETFD));
	struct stat st;
	T(fstat(fd, &st));
	P("mode", "%o", st.st_mode);
	P("poll", "%#x", revents(fd));
	rd(fd, 1, 0);
	T(raise(SIGUSR1));
	T(raise(SIGUSR1));            /* standard signals do not queue */
	P("poll", "%#x", revents(fd));
	rd(fd, 4, getpid());
	rd(fd, 1, 0);
	char small[100];
	T(raise(SIGUSR1));
	T(read(fd, small, sizeof(small)));
	rd(fd, 1, getpid());

	/* thread-directed first, then process-directed in signal order */
	union sigval v = { .sival_int = 7 };
	T(sigqueue(getpid(), SIGRTMIN, v));
	v.sival_int = 8;
	T(sigqueue(getpid(), SIGRTMIN, v));
	T(kill(getpid(), SIGUSR1));
	T(raise(SIGUSR1));
	rd(fd, 4, getpid());
	rd(fd, 4, getpid());

	/* a signal outside the set stays pending until the set takes it */
	T(raise(SIGUSR2));
	P("poll", "%#x", revents(fd));
	m = set_of(SIGUSR2, 0);
	T(signalfd(fd, &m, 0));
	T(fcntl(fd, F_GETFL));        /* the flags stay */
	P("poll", "%#x", revents(fd));
	rd(fd, 2, getpid());

	/* what the fd took is never delivered */
	T(raise(SIGUSR2));
	rd(fd, 1, getpid());
	sigset_t unblock = set_of(SIGUSR2, 0), pend;
	struct sigaction sa = { .sa_handler = on_usr1 };
	MUST(sigaction(SIGUSR2, &sa, NULL));
	MUST(sigprocmask(SIG_UNBLOCK, &unblock, NULL));
	P("handled", "%d", handled);
	MUST(sigprocmask(SIG_BLOCK, &unblock, NULL));
	sigpending(&pend);
	P("usr2 pending", "%d", sigismember(&pend, SIGUSR2));
	T(close(fd));
}

static void errors(void)
{
	SECTION("errors");
	sigset_t m = set_of(SIGUSR1, SIGKILL);
	int p[2];
	MUST(pipe(p));
	T(syscall(SYS_signalfd4, -1, &m, 4, 0));
	T(syscall(SYS_signalfd4, -1, BADP, 4, 0));
	T(syscall(SYS_signalfd4, -1, BADP, 8, 0));
	T(syscall(SYS_signalfd4, -1, BADP, 8, O_APPEND));
	T(syscall(SYS_signalfd4, -1, &m, 8, O_APPEND));
	T(syscall(SYS_signalfd4, 99, &m, 8, O_APPEND));
	T(syscall(SYS_signalfd4, 99, &m, 8, 0));
	T(syscall(SYS_signalfd4, -2, &m, 8, 0));
	T(syscall(SYS_signalfd4, p[0], &m, 8, 0));
	int fd = T(syscall(SYS_signalfd, -1, &m, 8));
	T(fcntl(fd, F_GETFL));
	T(fcntl(fd, F_GETFD));
	T(write(fd, "x", 1));
	T(close(fd));
	T(close(p[0]));
	T(close(p[1]));
}

/* A read that waits for a signal from another process; a child's
 * SIGCHLD; a forked child reads its own signals, not its parent's. */
static void waits(void)
{
	int status;
	SECTION("waits");
	sigset_t m = set_of(SIGUSR1, SIGCHLD);
	MUST(sigprocmask(SIG_BLOCK, &m, NULL));
	int fd = T(signalfd(-1, &m, 0));
	pid_t parent = getpid(), pid = fork();
	if (pid == 0) {
		usleep(50000);
		kill(parent, SIGUSR1);
		_exit(3);
	}
	rd(fd, 1, pid);
	rd(fd, 1, pid);               /* SIGCHLD of the child's exit */
	T(waitpid(pid, &status, 0) == pid);
	T(kill(getpid(), SIGUSR1));
	pid = fork();
	if (pid == 0) {
		struct signalfd_siginfo si;
		int before = revents(fd);
		raise(SIGUSR1);
		int r = read(fd, &si, sizeof(si));
		_exit(before == 0 && r == sizeof(si) && si.ssi_signo == SIGUSR1 ? 0 : 1);
	}
	T(waitpid(pid, &status, 0) == pid);
	P("child status", "%d", WEXITSTATUS(status));
	rd(fd, 4, parent);            /* ours, and the child's SIGCHLD */
	T(close(fd));
}

int main(void)
{
	sigset_t all = set_of(SIGUSR1, SIGUSR2);
	sigaddset(&all, SIGRTMIN);
	MUST(sigprocmask(SIG_BLOCK, &all, NULL));
	basics();
	errors();
	waits();
	return 0;
}
