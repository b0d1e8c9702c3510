/* tls_limit: fs and gs bases must be user addresses below the last page
 * (TASK_SIZE_MAX, 0x7ffffffff000): arch_prctl and clone's CLONE_SETTLS
 * say EPERM beyond it. persona took the last page, then could not give
 * the base to the host thread, which never ran again (found by tests/fuzz). */
#include "abi.h"
#include <asm/prctl.h>
#include <sched.h>
#include <signal.h>
#include <sys/wait.h>

int main(void)
{
	unsigned long v = 1;
	const unsigned long bad[] = { 0x7ffffffff000UL, 0x7ffffffffff8UL, 0x800000000000UL };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		printf("== %#lx\n", bad[i]);
		T(syscall(SYS_arch_prctl, ARCH_SET_FS, bad[i]));
		T(syscall(SYS_arch_prctl, ARCH_SET_GS, bad[i]));
		long pid = T(syscall(SYS_clone, CLONE_SETTLS | SIGCHLD, 0, 0, 0, bad[i]));
		if (pid == 0)
			_exit(0);
		if (pid > 0)
			waitpid(pid, NULL, 0);
	}
	SECTION("the page below is fine");
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0x7fffffffe000UL));
	T(syscall(SYS_arch_prctl, ARCH_GET_GS, &v));
	P("gs base", "%#lx", v);
	T(syscall(SYS_arch_prctl, ARCH_SET_GS, 0));
	return 0;
}
