/* The null system call: getppid, which no libc caches. With an argument
 * "raw" after the count, through syscall(3), whose `mov %rdi, %rax; ...
 * syscall` no runner can patch; else through libc's own getppid(), a
 * `mov $110, %eax; syscall` as most of libc's calls are. */
#include "bench.h"

int main(int argc, char **argv)
{
	long n = iters(argc, argv);
	if (argc > 2 && strcmp(argv[2], "raw") == 0)
		BENCH(n, syscall(SYS_getppid));
	else
		BENCH(n, getppid());
	return 0;
}
