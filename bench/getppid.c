/* The null system call: getppid, which no libc caches. */
#include "bench.h"

int main(int argc, char **argv)
{
	long n = iters(argc, argv);
	BENCH(n, syscall(SYS_getppid));
	return 0;
}
