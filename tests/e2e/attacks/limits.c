/* Attacks on the kernel's per-call cost and on its host fd table.
 *   limits maps N      N one-page mappings (alternating protections, so
 *                      they can't merge), an mprotect of each, then
 *                      unmaps them; prints the time taken
 *   limits pipes N     N pipes, as many at once as RLIMIT_NOFILE allows, then closes
 *                      them with close_range; prints the time taken
 *   limits heartbeat   prints "tick MS" every 100 ms until SIGTERM, then
 *                      one last tick
 *   limits hog files   opens every regular file under /usr (O_RDONLY, kept
 *                      open: each a host file of its own) until an open
 *                      fails with EMFILE or ENFILE
 *   limits hog sockets makes UDP sockets until socket fails
 *                      Either hog then says how it stopped on stdout (a
 *                      pipe) and writes a newline every 100 ms until the
 *                      reader is gone
 *   limits probe FILE  opens FILE, makes an AF_INET and an AF_UNIX socket
 *                      and runs /bin/true; one line each
 * Times are printed as "ms N" on the last line. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int maps(long n)
{
	long pg = sysconf(_SC_PAGESIZE), t0 = now_ms();
	char **p = calloc(n, sizeof(*p));
	for (long i = 0; i < n; i++) {
		p[i] = mmap(NULL, pg, i & 1 ? PROT_READ : PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p[i] == MAP_FAILED) {
			printf("mmap %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (long i = 0; i < n; i++) {
		/* Each one's protection flipped: neighbours still differ. */
		if (mprotect(p[i], pg, i & 1 ? PROT_READ | PROT_WRITE : PROT_READ)) {
			printf("mprotect %ld: %s\n", i, strerror(errno));
			return 1;
		}
	}
	for (long i = 0; i < n; i++)
		if (munmap(p[i], pg)) {
			printf("munmap %ld: %s\n", i, strerror(errno));
			return 1;
		}
	printf("maps %ld ok\nms %ld\n", n, now_ms() - t0);
	return 0;
}

#define MIN(a, b) ((a) < (b) ? (a) : (b))

static int pipes(long n)
{
	/* As many pipes as the hard limit allows at once, round after round,
	 * until n were made: the fd table stays as full as it may. */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		printf("setrlimit: %s\n", strerror(errno));
		return 1;
	}
	long per_round = MIN((long)(rl.rlim_max - 64) / 2, n);
	long t0 = now_ms();
	int (*fd)[2] = calloc(per_round, sizeof(*fd));
	for (long made = 0; made < n; made += per_round) {
		for (long i = 0; i < per_round; i++)
			if (pipe(fd[i])) {
				printf("pipe %ld: %s\n", made + i, strerror(errno));
				return 1;
			}
		if (close_range(3, ~0U, 0) || close(fd[0][0]) != -1) {
			printf("close_range: %s\n", strerror(errno));
			return 1;
		}
	}
	printf("pipes %ld ok\nms %ld\n", n, now_ms() - t0);
	return 0;
}

static volatile sig_atomic_t stop;
static void on_term(int sig) { (void)sig; stop = 1; }

static int heartbeat(void)
{
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	long t0 = now_ms();
	setvbuf(stdout, NULL, _IOLBF, 0);
	while (!stop) {
		printf("tick %ld\n", now_ms() - t0);
		struct timespec ts = { 0, 100 * 1000000 };
		nanosleep(&ts, NULL);
	}
	printf("tick %ld\n", now_ms() - t0);
	return 0;
}

static long held;
static int hog_errno;

static int hog_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st, (void)ftw;
	if (type != FTW_F)
		return 0;
	if (open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY) >= 0) {
		held++;
		return 0;
	}
	if (errno != EMFILE && errno != ENFILE)
		return 0;	/* unreadable: the next one */
	hog_errno = errno;
	return 1;
}

static int hog(const char *what)
{
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	long n = 0;
	if (!strcmp(what, "sockets")) {
		while (socket(AF_INET, SOCK_DGRAM, 0) >= 0)
			n++;
		hog_errno = errno;
	} else {
		if (nftw("/usr", hog_one, 16, FTW_PHYS) < 0 && !hog_errno)
			hog_errno = errno;	/* nftw's own opendir failed */
		n = held;
	}
	int e = hog_errno;
	/* The count depends on the host's limit: print it on stderr. */
	fprintf(stderr, "hog: %ld %s\n", n, what);
	printf("hog stopped by %s\n", e == EMFILE ? "EMFILE" : e == ENFILE ? "ENFILE" : strerror(e));
	fflush(stdout);
	while (write(1, "\n", 1) == 1)	/* SIGPIPE ends it */
		usleep(100000);
	return 0;
}

static int probe(const char *file)
{
	int fd = open(file, O_RDONLY);
	printf("open: %s\n", fd >= 0 ? "ok" : strerror(errno));
	fd = socket(AF_INET, SOCK_STREAM, 0);
	printf("inet socket: %s\n", fd >= 0 ? "ok" : strerror(errno));
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	printf("unix socket: %s\n", fd >= 0 ? "ok" : strerror(errno));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid < 0 || waitpid(pid, &st, 0) < 0)
		printf("fork: %s\n", strerror(errno));
	else
		printf("exec /bin/true: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "ok" : "failed");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "maps"))
		return maps(atol(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "pipes"))
		return pipes(atol(argv[2]));
	if (argc >= 2 && !strcmp(argv[1], "heartbeat"))
		return heartbeat();
	if (argc >= 3 && !strcmp(argv[1], "hog"))
		return hog(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "probe"))
		return probe(argv[2]);
	fprintf(stderr, "usage: limits maps|pipes N | heartbeat | hog files|sockets | probe FILE\n");
	return 2;
}
