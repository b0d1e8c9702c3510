/* fork + exec + wait of a static program (argv[2], bench/true.c) ITERS
 * times (argv[1]); prints microseconds per iteration. */
#include "bench.h"
#include <sys/wait.h>

static void spawn(const char *prog)
{
	int status;
	pid_t pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid || status != 0) {
		fprintf(stderr, "spawn: %s failed\n", prog);
		exit(1);
	}
}

int main(int argc, char **argv)
{
	long n = iters(argc, argv);
	if (argc < 3) {
		fprintf(stderr, "usage: %s ITERATIONS PROGRAM\n", argv[0]);
		return 2;
	}
	spawn(argv[2]);   /* warm-up */
	long long t0 = now_ns();
	for (long i = 0; i < n; i++)
		spawn(argv[2]);
	long long t1 = now_ns();
	printf("%.1f\n", (t1 - t0) / 1e3 / n);
	return 0;
}
