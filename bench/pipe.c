/* Pipe throughput: a child writes MB megabytes (argv[1]) into a pipe in
 * 64 KiB writes, the parent reads them; prints MB/s. */
#include "bench.h"
#include <sys/wait.h>

#define CHUNK 65536

int main(int argc, char **argv)
{
	long mb = iters(argc, argv);
	long long total = mb * 1024 * 1024, got = 0;
	static char buf[CHUNK];
	int p[2], status;

	if (pipe(p) < 0)
		die("pipe");
	long long t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		close(p[0]);
		memset(buf, 'p', sizeof buf);
		for (long long left = total; left > 0;) {
			ssize_t n = write(p[1], buf, left < CHUNK ? left : CHUNK);
			if (n <= 0)
				die("write");
			left -= n;
		}
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		ssize_t n = read(p[0], buf, sizeof buf);
		if (n < 0)
			die("read");
		if (n == 0)
			break;
		got += n;
	}
	if (waitpid(pid, &status, 0) != pid || status != 0 || got != total) {
		fprintf(stderr, "pipe: short transfer\n");
		return 1;
	}
	long long t1 = now_ns();
	printf("%.1f\n", (double)mb / ((t1 - t0) / 1e9));
	return 0;
}
