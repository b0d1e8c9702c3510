/* coredump: the core flag of a wait status (WCOREDUMP) and waitid's
 * CLD_DUMPED, as Linux's do_coredump decides them: only for a signal
 * whose default action is core, only when the process is dumpable, and,
 * with this machine's core_pattern, as RLIMIT_CORE allows (a file needs
 * a page at least; a pipe to a helper takes all but a limit of 1). Any
 * core file lands in the scratch directory, which goes at the end. */
#include "abi.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static void die(const char *label, rlim_t core, int sig, int dumpable)
{
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = { core, core };
		if (setrlimit(RLIMIT_CORE, &rl))
			_exit(98);
		if (!dumpable)
			prctl(PR_SET_DUMPABLE, 0);
		if (sig == SIGABRT)
			abort();
		kill(getpid(), sig);
		_exit(97);
	}
	int st;
	siginfo_t si;
	MUST(waitid(P_PID, pid, &si, WEXITED | WNOWAIT));
	MUST(waitpid(pid, &st, 0));
	printf("%s: signaled %d sig %d core %d; waitid code %s\n", label, WIFSIGNALED(st),
	       WIFSIGNALED(st) ? WTERMSIG(st) : -1, WIFSIGNALED(st) && WCOREDUMP(st),
	       si.si_code == CLD_DUMPED ? "CLD_DUMPED" : si.si_code == CLD_KILLED ? "CLD_KILLED" : "other");
	unlink("core");
}

int main(void)
{
	scratch();
	die("abort, RLIMIT_CORE 0", 0, SIGABRT, 1);
	die("abort, RLIMIT_CORE 1", 1, SIGABRT, 1);
	die("abort, RLIMIT_CORE 4096", 4096, SIGABRT, 1);
	die("abort, RLIMIT_CORE unlimited", RLIM_INFINITY, SIGABRT, 1);
	die("SIGSEGV, unlimited", RLIM_INFINITY, SIGSEGV, 1);
	die("SIGQUIT, unlimited", RLIM_INFINITY, SIGQUIT, 1);
	die("SIGTERM, unlimited", RLIM_INFINITY, SIGTERM, 1);
	die("SIGKILL, unlimited", RLIM_INFINITY, SIGKILL, 1);
	die("abort, not dumpable", RLIM_INFINITY, SIGABRT, 0);
	return 0;
}
