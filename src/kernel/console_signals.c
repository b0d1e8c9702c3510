/* Signals that reach persona itself from the terminal or from outside:
 * Ctrl-C, Ctrl-\ and Ctrl-Z go to the guest's foreground process group
 * (the guests' host processes are in a session of their own, so the
 * terminal never signals them directly), a window change too, and a
 * request to end persona goes to the guest's init. */
#include "task.h"
#include "ksignal.h"
#include "loop.h"
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

extern int console_fg_pgrp;
static int sigfd = -1;

static const int forwarded[] = { SIGINT, SIGQUIT, SIGTSTP, SIGWINCH, SIGTERM, SIGHUP, SIGUSR1, SIGUSR2 };

int console_signals_init(void)
{
	sigset_t set;
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&set, forwarded[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	return sigfd;
}

void console_signals_handle(void)
{
	struct signalfd_siginfo si;
	while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
		int sig = si.ssi_signo;
		if (sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP || sig == SIGWINCH) {
			send_signal_pgrp(console_fg_pgrp, sig, NULL);
		} else if (init_process && !init_process->zombie) {
			send_signal_process(init_process, sig, NULL);
		}
	}
}
