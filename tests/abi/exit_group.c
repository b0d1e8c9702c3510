/* exit_group: the status reaches the parent (the runner compares it), and
 * nothing after the call runs. */
#include "abi.h"

static void later(void) { printf("atexit handler ran\n"); }

int main(void)
{
	atexit(later);      /* must not run: exit_group is not exit(3) */
	printf("before exit_group\n");
	fflush(stdout);
	syscall(SYS_exit_group, 3 + 256);   /* only the low 8 bits count */
	printf("after exit_group\n");
	return 0;
}
