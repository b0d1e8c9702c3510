/* read 4 KiB from a file (pread at offset 0): data copied to the guest. */
#include "bench.h"

int main(int argc, char **argv)
{
	long n = iters(argc, argv);
	static char buf[4096];
	int fd = scratch_file(sizeof buf, NULL);
	BENCH(n, {
		if (pread(fd, buf, sizeof buf, 0) != sizeof buf)
			die("pread");
	});
	return 0;
}
