/* fsize: RLIMIT_FSIZE. A write to a regular file that starts at or past
 * the limit fails with EFBIG and SIGXFSZ; one that starts below it is cut
 * at the limit (write, pwrite, writev, O_APPEND, sendfile,
 * copy_file_range, splice); truncate and ftruncate past it fail; pipes
 * are not limited. SIGXFSZ is ignored in one part, caught in another,
 * and left to its default action (the end of the process) in a child. */
#include "abi.h"
#include <signal.h>
#include <sys/resource.h>
#include <sys/sendfile.h>
#include <sys/uio.h>
#include <sys/wait.h>

#define LIM 100000
static char buf[65536];
static volatile int caught;

static void on_xfsz(int sig)
{
	(void)sig;
	caught++;
}

static void set_fsize(rlim_t cur)
{
	struct rlimit r;
	MUST(getrlimit(RLIMIT_FSIZE, &r));
	r.rlim_cur = cur;
	MUST(setrlimit(RLIMIT_FSIZE, &r));
}

static off_t size_of(int fd)
{
	struct stat st;
	MUST(fstat(fd, &st));
	return st.st_size;
}

int main(void)
{
	scratch();
	memset(buf, 'a', sizeof(buf));
	int src;
	MUST(src = open("src", O_RDWR | O_CREAT, 0644));
	MUST(write(src, buf, sizeof(buf)));
	set_fsize(LIM);

	SECTION("ignored");
	signal(SIGXFSZ, SIG_IGN);
	int fd;
	MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	T(write(fd, buf, 65536));
	T(write(fd, buf, 65536));		/* cut at the limit */
	T(write(fd, buf, 1));
	T(write(fd, buf, 0));
	T(pwrite(fd, buf, 10, LIM));
	T(pwrite(fd, buf, 10, LIM - 4));
	T(pwrite(fd, buf, 10, 5));
	P("size", "%ld", (long)size_of(fd));
	T(ftruncate(fd, LIM + 1));
	T(ftruncate(fd, LIM));
	T(truncate("f", LIM + 1));
	T(truncate("f", 50));
	T(lseek(fd, LIM - 100, SEEK_SET));
	struct iovec iov[3] = { { buf, 60 }, { buf, 60 }, { buf, 60 } };
	T(writev(fd, iov, 3));			/* 100 of 180 */
	T(writev(fd, iov, 3));
	T(lseek(fd, LIM - 50, SEEK_SET));
	int afd;
	MUST(afd = open("f", O_WRONLY | O_APPEND));
	T(write(afd, buf, 10));			/* the end is the limit */
	T(ftruncate(fd, LIM - 30));
	T(write(afd, buf, 100));		/* 30 */
	close(afd);

	SECTION("copies");
	off_t in = 0, out = LIM - 1000;
	T(sendfile(fd, src, &in, 4096));
	P("in", "%ld", (long)in);
	T(lseek(fd, LIM - 500, SEEK_SET));
	T(sendfile(fd, src, NULL, 4096));
	T(sendfile(fd, src, NULL, 4096));
	in = 0;
	out = LIM - 200;
	T(copy_file_range(src, &in, fd, &out, 4096, 0));
	P("out", "%ld", (long)out);
	T(copy_file_range(src, &in, fd, &out, 4096, 0));
	int p[2];
	MUST(pipe(p));
	MUST(write(p[1], buf, 1000));
	out = LIM - 300;
	T(splice(p[0], NULL, fd, &out, 1000, 0));
	T(splice(p[0], NULL, fd, &out, 1000, 0));
	P("size", "%ld", (long)size_of(fd));

	SECTION("pipes are not limited");
	set_fsize(100);	/* stdout may be a file: print after */
	long rp = write(p[1], buf, 4096);
	int dn = open("/dev/null", O_WRONLY);
	long rn = write(dn, buf, 4096);
	close(dn);
	set_fsize(LIM);
	P("pipe", "%ld", rp);
	P("/dev/null", "%ld", rn);

	SECTION("caught");
	signal(SIGXFSZ, on_xfsz);
	T(pwrite(fd, buf, 10, LIM - 5));
	P("caught", "%d", caught);
	T(pwrite(fd, buf, 10, LIM));
	P("caught", "%d", caught);
	T(ftruncate(fd, LIM * 2));
	P("caught", "%d", caught);
	T(sendfile(fd, src, &(off_t){ 0 }, 10));
	P("caught", "%d", caught);

	SECTION("default action");
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit nocore = { 0, 0 };
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGXFSZ, SIG_DFL);
		lseek(fd, LIM, SEEK_SET);
		write(fd, buf, 1);
		_exit(0);
	}
	int st;
	MUST(waitpid(pid, &st, 0));
	P("signaled", "%d", WIFSIGNALED(st));
	P("signal", "%s", WIFSIGNALED(st) ? sigabbrev_np(WTERMSIG(st)) : "none");
	close(fd);
	return 0;
}
