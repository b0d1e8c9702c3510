/* pidfd_open, polling it for exit, waitid(P_PIDFD), pidfd_send_signal. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>

static pid_t child(int ms, int code)
{
	pid_t c = fork();
	if (c == 0) {
		struct timespec d = { ms / 1000, (ms % 1000) * 1000000L };
		nanosleep(&d, NULL);
		_exit(code);
	}
	return c;
}

int main(void)
{
	SECTION("exit is readable");
	pid_t c = child(50, 7);
	int fd = T(syscall(SYS_pidfd_open, c, 0));
	struct pollfd p = { fd, POLLIN, 0 };
	T(poll(&p, 1, 0));
	T(poll(&p, 1, 5000));
	P("revents", "%#x", p.revents);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	P("code", "%d", si.si_code);
	P("status", "%d", si.si_status);
	P("pid matches", "%d", si.si_pid == c);
	close(fd);

	SECTION("send a signal");
	c = child(5000, 0);
	fd = T(syscall(SYS_pidfd_open, c, 0));
	T(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 1));
	T(syscall(SYS_pidfd_send_signal, fd, 99, NULL, 0));
	T(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0));
	memset(&si, 0, sizeof(si));
	T(waitid(P_PIDFD, fd, &si, WEXITED));
	P("code", "%d", si.si_code);
	P("status", "%d", si.si_status);
	T(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0));
	close(fd);

	SECTION("bad arguments");
	T(syscall(SYS_pidfd_open, getpid(), 1));
	T(syscall(SYS_pidfd_open, -1, 0));
	T(syscall(SYS_pidfd_open, 0x3fffffff, 0));
	T(syscall(SYS_pidfd_send_signal, 0, SIGTERM, NULL, 0));
	T(syscall(SYS_pidfd_send_signal, 99, SIGTERM, NULL, 0));
	T(waitid(P_PIDFD, 99, &si, WEXITED));
	fd = T(syscall(SYS_pidfd_open, getpid(), 0));
	P("cloexec", "%d", fcntl(fd, F_GETFD));
	return 0;
}
