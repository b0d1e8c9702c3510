/* exit: the exit of the only thread ends the process with its status. */
#include "abi.h"

int main(void)
{
	printf("before exit\n");
	fflush(stdout);
	syscall(SYS_exit, 5);
	printf("after exit\n");
	return 0;
}
