/* open + close of a file in /tmp: a path walk and an fd each time. */
#include "bench.h"

int main(int argc, char **argv)
{
	long n = iters(argc, argv);
	char path[64];
	close(scratch_file(16, path));
	BENCH(n, {
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			die("open");
		close(fd);
	});
	unlink(path);
	return 0;
}
