/* kill_perm: who may signal whom. An unprivileged process (a uid of its
 * own, made from the test's pid so that no other process on the machine
 * has it, natively either) tries every way of sending a signal to
 * processes of root: kill to a pid, to a group, to -1, tkill, tgkill,
 * rt_sigqueueinfo, rt_tgsigqueueinfo, pidfd_send_signal, and SIGIO
 * through F_SETOWN. Linux's rules: the sender's real or effective uid
 * must be the target's real or saved uid (or the sender has CAP_KILL);
 * SIGCONT within a session always passes; kill(-1) and kill(-pgrp)
 * succeed if one process got the signal. The root processes must all
 * survive; the parent checks, then ends them. */
#include "abi.h"
#include <signal.h>
#include <sys/wait.h>

static unsigned uid;
static int ready[2];

static void say_ready(void)
{
	MUST(write(ready[1], "x", 1));
}

/* A root process that dies of any signal it gets (default actions). */
static pid_t victim(int pgrp, unsigned suid)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, pgrp);
		if (suid != 0)
			MUST(setresuid(0, 0, suid));
		say_ready();
		for (;;)
			pause();
	}
	setpgid(pid, pgrp);
	return pid;
}

/* A process of the unprivileged uid in group `pgrp`, waiting. */
static pid_t peer(int pgrp)
{
	pid_t pid = fork();
	if (pid == 0) {
		setpgid(0, pgrp);
		MUST(setresuid(uid, uid, uid));
		say_ready();
		for (;;)
			pause();
	}
	setpgid(pid, pgrp);
	return pid;
}

static siginfo_t queue_info(int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = code;
	si.si_pid = getpid();
	si.si_uid = getuid();
	return si;
}

static void attacker(pid_t root, pid_t root_suid, pid_t member)
{
	int pidfd = (int)syscall(SYS_pidfd_open, root, 0);
	MUST(setresuid(uid, uid, uid));
	signal(SIGUSR1, SIG_IGN);
	signal(SIGIO, SIG_IGN);

	SECTION("kill");
	T(kill(root, SIGTERM));
	T(kill(root, 0));
	T(kill(root_suid, SIGUSR2));	/* its saved uid is ours */
	T(kill(root, SIGCONT));		/* same session */
	SECTION("process groups");
	T(kill(-root, SIGKILL));	/* root and a process of ours: ours dies */
	T(kill(-root, SIGKILL));	/* only root's left: refused */
	T(kill(-root, 0));
	T(kill(-root, SIGCONT));
	T(kill(-1, 0));			/* someone tried: success without a send */
	T(kill(-1, SIGKILL));		/* nobody of ours but ourselves */
	SECTION("threads");
	T(syscall(SYS_tkill, root, SIGTERM));
	T(syscall(SYS_tgkill, root, root, SIGTERM));
	T(syscall(SYS_tgkill, root, root, 0));
	SECTION("queued");
	siginfo_t si = queue_info(SI_QUEUE);
	T(syscall(SYS_rt_sigqueueinfo, root, SIGUSR1, &si));
	T(syscall(SYS_rt_tgsigqueueinfo, root, root, SIGUSR1, &si));
	si = queue_info(SI_USER);
	T(syscall(SYS_rt_sigqueueinfo, root, SIGUSR1, &si));
	si = queue_info(SI_QUEUE);
	T(syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR1, &si));
	si = queue_info(SI_TKILL);
	T(syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR1, &si));
	SECTION("pidfd");
	P("pidfd open", "%d", pidfd >= 0);
	T(syscall(SYS_pidfd_send_signal, pidfd, SIGTERM, NULL, 0));
	T(syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0));
	SECTION("SIGIO to another's process");
	int dir;
	MUST(dir = open("d", O_RDONLY | O_DIRECTORY));
	T(fcntl(dir, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
	T(fcntl(dir, F_SETOWN, root));
	put_file("d/a", "");		/* SIGIO would kill root */
	T(fcntl(dir, F_SETOWN, -root));
	put_file("d/b", "");
	_exit(0);
}

int main(void)
{
	scratch();
	uid = 300000 + getpid();
	MUST(chmod(".", 0755));	/* the other uid works in d */
	MUST(mkdir("d", 0777));
	MUST(chmod("d", 0777));
	MUST(pipe(ready));
	pid_t root = victim(0, 0);
	pid_t member = peer(root);
	pid_t root_suid = victim(0, uid);
	char buf[3];
	for (int got = 0; got < 3;)
		got += read(ready[0], buf, 3 - got);
	pid_t a = fork();
	if (a == 0)
		attacker(root, root_suid, member);
	int st;
	MUST(waitpid(a, &st, 0));
	P("attacker", "exited=%d code=%d", WIFEXITED(st), WEXITSTATUS(st));
	MUST(waitpid(member, &st, 0));
	P("process of ours in root's group", "killed by %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	P("root alive", "%d", waitpid(root, &st, WNOHANG) == 0);
	P("root with our saved uid", "killed by %d",
	  waitpid(root_suid, &st, 0) > 0 && WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	kill(root, SIGKILL);
	MUST(waitpid(root, &st, 0));
	P("root", "killed by %d", WIFSIGNALED(st) ? WTERMSIG(st) : 0);
	return 0;
}
