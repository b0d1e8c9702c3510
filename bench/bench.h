/* bench.h: timing for the micro-benchmarks. Each program runs its loop
 * ITERS times (argv[1]) after a short warm-up and prints ns per operation
 * as one number on stdout; bench/run.sh builds the table. */
#ifndef BENCH_H
#define BENCH_H
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static inline long long now_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);   /* vDSO: no trap, even in a guest */
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static inline long iters(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 0;
	if (n <= 0) {
		fprintf(stderr, "usage: %s ITERATIONS\n", argv[0]);
		exit(2);
	}
	return n;
}

static inline void die(const char *what)
{
	perror(what);
	exit(1);
}

/* time body() n times, print ns per call */
#define BENCH(n, body) do { \
	for (long i_ = 0; i_ < (n) / 10 + 1; i_++) { body; }  /* warm-up */ \
	long long t0_ = now_ns(); \
	for (long i_ = 0; i_ < (n); i_++) { body; } \
	long long t1_ = now_ns(); \
	printf("%.1f\n", (double)(t1_ - t0_) / (n)); \
} while (0)

/* a scratch file of size bytes in /tmp; removed at once, the fd stays */
static inline int scratch_file(size_t size, char *path_out)
{
	static char buf[65536];
	char path[] = "/tmp/persona-bench-XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0)
		die("mkstemp");
	memset(buf, 'b', sizeof buf);
	while (size > 0) {
		size_t n = size < sizeof buf ? size : sizeof buf;
		if (write(fd, buf, n) != (ssize_t)n)
			die("write");
		size -= n;
	}
	if (path_out)
		strcpy(path_out, path);
	else
		unlink(path);
	return fd;
}
#endif
