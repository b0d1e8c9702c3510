/* Signals that reach persona itself from the terminal or from outside:
 * Ctrl-C, Ctrl-\ and Ctrl-Z go to the guest's foreground process group
 * (the guests' host processes are in a session of their own, so the
 * terminal never signals them directly), a window change too, and a
 * request to end persona goes to the guest's init. */
#include "task.h"
#include "ksignal.h"
#include "vfs.h"
#include "loop.h"
#include "waitq.h"
#include <time.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

static int sigfd = -1;
static int tty_fd = -1;
static pid_t old_fg_pgrp = -1;

static void console_release_terminal(void)
{
	if (old_fg_pgrp > 0)
		tcsetpgrp(tty_fd, old_fg_pgrp);
}

/* When persona runs in the foreground of a terminal, it becomes its own
 * process group and takes the terminal, as a shell does for a job: the
 * keyboard's signals then reach persona alone (which hands them to the
 * guest), not whatever started it (make, a script). */
static void take_terminal(void)
{
	for (int fd = 0; fd < 3; fd++)
		if (isatty(fd)) {
			tty_fd = fd;
			break;
		}
	if (tty_fd < 0 || tcgetpgrp(tty_fd) != getpgrp())
		return;
	old_fg_pgrp = getpgrp();
	if (setpgid(0, 0) == 0 && tcsetpgrp(tty_fd, getpid()) == 0) {
		atexit(console_release_terminal);
		return;
	}
	setpgid(0, old_fg_pgrp);
	old_fg_pgrp = -1;
}



static const int forwarded[] = { SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };

int console_signals_init(void)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	/* tcsetpgrp from a background group raises SIGTTOU: not for us. */
	signal(SIGTTOU, SIG_IGN);
	signal(SIGTTIN, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);	/* a closed stdout is the guest's EPIPE */
	take_terminal();
	return sigfd;
}

/* A request to end persona, sent by a process (kill(1), a supervisor):
 * the guest's init hears it first and may clean up, but the sandbox ends
 * within END_GRACE_S whatever the guest does with it (an init ignores
 * signals it has no handler for), or at once on a second request. Leaving
 * persona kills every guest host process (PTRACE_O_EXITKILL). */
#define END_GRACE_S 2
static int end_requested;

static void end_now(void *arg UNUSED)
{
	kwarn("the guest did not end on signal %d; ending the sandbox", end_requested);
	exit(128 + end_requested);
}

static void request_end(int sig)
{
	if (end_requested)
		end_now(NULL);
	end_requested = sig;
	struct timespec when;
	clock_gettime(CLOCK_MONOTONIC, &when);
	when.tv_sec += END_GRACE_S;
	timer_add(&when, end_now, NULL);
}

void console_signals_handle(void)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = si.ssi_signo;
		bool from_process = (int)si.ssi_code <= 0;	/* SI_USER, SI_QUEUE, SI_TKILL */
		if (from_process && (sig == SIGTERM || sig == SIGINT || sig == SIGHUP)) {
			if (init_process && !init_process->zombie)
				send_signal_process(init_process, sig, NULL);
			request_end(sig);
		} else if (sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP || sig == SIGWINCH) {
			send_signal_pgrp(console_fg_pgrp, sig, NULL);
		} else if (init_process && !init_process->zombie) {
			send_signal_process(init_process, sig, NULL);
		}
	}
}
