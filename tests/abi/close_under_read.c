/* close_under_read: a read blocked in one thread goes on with its open
 * file when another thread closes the fd, even when the number is used
 * again at once: the read holds the file, not the fd (and the pipe keeps
 * that reader, so the writer gets no SIGPIPE). */
#include "abi.h"
#include <pthread.h>
#include <time.h>

static int rfd;
static char got[16];
static long got_n;

static void *reader(void *arg)
{
	(void)arg;
	errno = 0;
	got_n = read(rfd, got, sizeof(got) - 1);
	if (got_n < 0)
		got_n = -errno;
	return NULL;
}

static void close_under_read(void)
{
	int p[2];
	MUST(pipe(p));
	rfd = p[0];
	pthread_t th;
	MUST(pthread_create(&th, NULL, reader, NULL) ? -1 : 0);
	struct timespec d = { 0, 100000000 };
	nanosleep(&d, NULL);
	T(close(p[0]));
	int again;
	MUST(again = open("/dev/null", O_RDONLY));
	P("fd number used again", "%d", again == p[0]);
	nanosleep(&d, NULL);
	T(write(p[1], "hi", 2));
	pthread_join(th, NULL);
	if (got_n >= 0)
		printf("read = %ld \"%.*s\"\n", got_n, (int)got_n, got);
	else
		printf("read = -1 %s\n", ename((int)-got_n));
	close(again);
	close(p[1]);
}

int main(void)
{
	close_under_read();
	return 0;
}
