/* membarrier: every command as Linux answers it: QUERY's mask, flags and
 * unknown commands EINVAL, the private commands EPERM until their
 * registration, GET_REGISTRATIONS (SYNC_CORE's registration marks the
 * plain private one as asked for, but not ready), registrations kept by
 * fork and dropped by exec, barriers with a second thread running. The
 * RSEQ commands depend on Linux's build (EINVAL without CONFIG_RSEQ, as
 * persona, whose rseq is ENOSYS): those lines accept both answers. */
#include "abi.h"
#include <pthread.h>
#include <sys/wait.h>
#include <linux/membarrier.h>

#define mb(cmd, flags, cpu) syscall(SYS_membarrier, cmd, flags, cpu)
/* Linux 6.3; older headers lack it. */
#define MB_GET_REGISTRATIONS (1 << 9)
#define RSEQ_CMDS (MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ)

/* An RSEQ command: `ok` with CONFIG_RSEQ, EINVAL without. */
#define RSEQ(expr, ok) do { errno = 0; long r_ = (expr); \
	if (r_ == -1 && errno == EINVAL) printf("%s = %s or EINVAL (no CONFIG_RSEQ)\n", #expr, ok); \
	else if (!strcmp(ok, "0") ? r_ == 0 : (r_ == -1 && !strcmp(ename(errno), ok))) \
		printf("%s = %s or EINVAL (no CONFIG_RSEQ)\n", #expr, ok); \
	else abi_show(#expr, r_, errno); } while (0)

static void registrations(const char *label)
{
	errno = 0;
	long r = mb(MB_GET_REGISTRATIONS, 0, 0);
	if (r >= 0)
		r &= ~RSEQ_CMDS;
	abi_show(label, r, errno);
}

static volatile int stop;
static void *spin(void *arg)
{
	(void)arg;
	while (!stop)
		;
	return NULL;
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		SECTION("after exec");
		registrations("registrations");
		T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
		T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
		return 0;
	}
	SECTION("query");
	errno = 0;
	long m = mb(MEMBARRIER_CMD_QUERY, 0, 0);
	P("mask without RSEQ", "%#lx", m & ~(long)RSEQ_CMDS);
	P("RSEQ bits", "%s", (m & RSEQ_CMDS) == RSEQ_CMDS || !(m & RSEQ_CMDS) ? "both or none" : "one");
	T(mb(MEMBARRIER_CMD_QUERY, 1, 0));

	SECTION("bad commands and flags");
	T(mb(3, 0, 0));
	T(mb(1024, 0, 0));
	T(mb(-1, 0, 0));
	T(mb(1 << 30, 0, 0));
	T(mb(MEMBARRIER_CMD_GLOBAL, 1, 0));
	T(mb(MEMBARRIER_CMD_GLOBAL, 0x80000000u, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, MEMBARRIER_CMD_FLAG_CPU, 0));
	T(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 2, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 2, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 3, 0));
	T(mb(MB_GET_REGISTRATIONS, 1, 0));

	SECTION("before registration");
	registrations("registrations");
	T(mb(MEMBARRIER_CMD_GLOBAL, 0, 0));
	T(mb(MEMBARRIER_CMD_GLOBAL, 0, 12345));		/* cpu_id ignored */
	T(mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
	RSEQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, 0, 0), "EPERM");
	RSEQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, 0), "EPERM");

	SECTION("SYNC_CORE first");
	pid_t pid = fork();
	if (pid == 0) {
		T(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
		registrations("registrations");
		T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
		T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
		fflush(stdout);
		_exit(0);
	}
	int st;
	MUST(waitpid(pid, &st, 0));

	SECTION("registered");
	T(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	registrations("registrations");
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
	T(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
	T(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
	T(mb(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0, 0));
	RSEQ(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ, 0, 0), "0");
	registrations("registrations");

	SECTION("with a second thread");
	pthread_t th;
	pthread_create(&th, NULL, spin, NULL);
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
	T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0, 0));
	T(mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0, 0));
	T(mb(MEMBARRIER_CMD_GLOBAL, 0, 0));
	RSEQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, 0), "0");
	RSEQ(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ, MEMBARRIER_CMD_FLAG_CPU, 100000), "0");
	stop = 1;
	pthread_join(th, NULL);

	SECTION("fork");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		registrations("registrations");
		T(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0));
		fflush(stdout);
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(98);
	}
	MUST(waitpid(pid, &st, 0));
	P("exec child", "%d", WEXITSTATUS(st));
	return 0;
}
