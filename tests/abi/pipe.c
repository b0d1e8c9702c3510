/* pipe: pipe and pipe2, reads and writes, EOF and EPIPE, O_NONBLOCK,
 * capacity in page slots, F_GETPIPE_SZ/F_SETPIPE_SZ, FIONREAD, fstat and
 * /proc/self/fd, packet mode (O_DIRECT), and blocking across a fork. */
#include "abi.h"
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/wait.h>

static char buf[300000];

/* Writes `n`-byte chunks until the pipe refuses; the total written. */
static long fill(int fd, size_t n)
{
	long total = 0, r;
	memset(buf, 'f', n);
	while ((r = write(fd, buf, n)) > 0)
		total += r;
	P("fill stopped by", "%s", ename(errno));
	return total;
}

static long drain(int fd)
{
	long total = 0, r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		total += r;
	return total;
}

static void basics(void)
{
	int p[2];
	SECTION("pipe");
	T(pipe(p));
	P("fds", "%d %d", p[0], p[1]);
	T(fcntl(p[0], F_GETFL));
	T(fcntl(p[1], F_GETFL));
	T(fcntl(p[0], F_GETFD));
	T(write(p[1], "hello", 5));
	T(write(p[1], " world", 6));
	T(read(p[0], buf, 3));
	T(read(p[0], buf + 3, sizeof(buf) - 3));
	P("data", "%.11s", buf);
	T(write(p[0], "x", 1));
	T(read(p[1], buf, 1));
	T(lseek(p[0], 0, SEEK_CUR));
	T(lseek(p[1], 0, SEEK_SET));
	T(pread(p[0], buf, 1, 0));
	T(pwrite(p[1], buf, 1, 0));
	T(write(p[1], buf, 0));
	T(read(p[0], buf, 0));
	SECTION("eof");
	T(write(p[1], "tail", 4));
	T(close(p[1]));
	T(read(p[0], buf, sizeof(buf)));
	T(read(p[0], buf, sizeof(buf)));
	T(close(p[0]));
	SECTION("epipe");
	T(pipe(p));
	T(close(p[0]));
	T(write(p[1], "x", 1));
	T(write(p[1], buf, 0));
	T(close(p[1]));
}

static void nonblocking(void)
{
	int p[2], n;
	SECTION("nonblock");
	T(pipe2(p, O_NONBLOCK));
	T(fcntl(p[0], F_GETFL));
	T(read(p[0], buf, 1));
	/* Linux merges small writes into a page while they fit whole: 4
	 * writes of 1000 bytes share a page, so 16 pages hold 64000. */
	P("total", "%ld", fill(p[1], 1000));
	T(ioctl(p[0], FIONREAD, &n));
	P("FIONREAD", "%d", n);
	T(write(p[1], buf, 96));     /* still fits in the last page */
	T(write(p[1], buf, 1));
	T(write(p[1], buf, 8192));
	T(read(p[0], buf, 4096));    /* a page and a bit */
	T(write(p[1], buf, 8192));   /* one page free: a partial write */
	T(write(p[1], buf, 4096));
	P("drained", "%ld", drain(p[0]));
	P("drain stopped by", "%s", ename(errno));
	T(ioctl(p[0], FIONREAD, &n));
	P("FIONREAD", "%d", n);
	P("total 1-byte writes", "%ld", fill(p[1], 1));
	P("drained", "%ld", drain(p[0]));
	P("total 4096-byte writes", "%ld", fill(p[1], 4096));
	P("drained", "%ld", drain(p[0]));
	T(close(p[0]));
	T(close(p[1]));
}

static void sizes(void)
{
	int p[2], n;
	SECTION("pipe size");
	T(pipe(p));
	T(fcntl(p[0], F_GETPIPE_SZ));
	T(fcntl(p[1], F_SETPIPE_SZ, 0));
	T(fcntl(p[0], F_GETPIPE_SZ));
	T(fcntl(p[1], F_SETPIPE_SZ, 5000));
	T(fcntl(p[0], F_SETPIPE_SZ, 1 << 20));
	T(fcntl(p[0], F_SETPIPE_SZ, -1));
	T(fcntl(p[0], F_SETPIPE_SZ, 65536));
	T(write(p[1], buf, 10000));  /* three pages */
	T(fcntl(p[0], F_SETPIPE_SZ, 8192));
	T(fcntl(p[0], F_SETPIPE_SZ, 16384));
	T(ioctl(p[0], FIONREAD, &n));
	P("FIONREAD", "%d", n);
	T(read(p[0], buf, sizeof(buf)));
	T(ioctl(p[0], FIONREAD, BADP));
	T(ioctl(p[0], TCGETS, buf));
	int fd = T(open("/proc/self/status", O_RDONLY));
	T(fcntl(fd, F_GETPIPE_SZ));
	T(fcntl(fd, F_SETPIPE_SZ, 4096));
	T(close(fd));
	T(close(p[0]));
	T(close(p[1]));
}

static void status(void)
{
	int p[2];
	struct stat st;
	char path[64], link[64], want[64];
	SECTION("fstat");
	T(pipe(p));
	T(fstat(p[0], &st));
	P("fifo", "%d", S_ISFIFO(st.st_mode));
	P("mode", "%o", st.st_mode & 07777);
	P("size nlink blksize", "%ld %ld %ld", (long)st.st_size, (long)st.st_nlink,
	  (long)st.st_blksize);
	struct stat st1;
	T(fstat(p[1], &st1));
	P("same inode both ends", "%d", st.st_ino == st1.st_ino && st.st_dev == st1.st_dev);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", p[1]);
	ssize_t len = readlink(path, link, sizeof(link) - 1);
	link[len > 0 ? len : 0] = 0;
	snprintf(want, sizeof(want), "pipe:[%lu]", (unsigned long)st.st_ino);
	P("link is pipe:[ino]", "%d", strcmp(link, want) == 0);
	int q[2];
	T(pipe(q));
	T(fstat(q[0], &st1));
	P("new pipe, new inode", "%d", st.st_ino != st1.st_ino);
	T(close(q[0]));
	T(close(q[1]));
	T(close(p[0]));
	T(close(p[1]));
}

static void flags(void)
{
	int p[2];
	SECTION("pipe2 flags");
	T(pipe2(p, O_CLOEXEC));
	T(fcntl(p[0], F_GETFD));
	T(fcntl(p[1], F_GETFD));
	T(close(p[0]));
	T(close(p[1]));
	T(pipe2(p, O_APPEND));
	T(pipe2(p, O_RDWR));
	T(pipe2(p, 0x80000000));
	T(syscall(SYS_pipe, BADP));
	T(syscall(SYS_pipe2, BADP, 0));
	T(syscall(SYS_pipe2, NULL, O_CLOEXEC));
	T(dup(0));                    /* nothing leaked: lowest free is 3 */
	T(close(3));
	struct rlimit rl, old;
	MUST(getrlimit(RLIMIT_NOFILE, &old));
	rl = (struct rlimit){ 4, old.rlim_max };
	MUST(setrlimit(RLIMIT_NOFILE, &rl));
	T(pipe(p));                   /* room for one fd only */
	T(dup(0));
	T(close(3));
	MUST(setrlimit(RLIMIT_NOFILE, &old));
	SECTION("packet mode");
	T(pipe2(p, O_DIRECT | O_NONBLOCK));
	T(fcntl(p[1], F_GETFL) & O_DIRECT);
	T(write(p[1], "abc", 3));
	T(write(p[1], "defg", 4));
	T(write(p[1], "hello", 5));
	T(read(p[0], buf, 100));
	T(read(p[0], buf, 100));
	P("packet", "%.4s", buf);
	T(read(p[0], buf, 2));        /* the rest of "hello" is dropped */
	T(read(p[0], buf, 100));
	T(write(p[1], buf, 5000));    /* split into packets of a page */
	T(read(p[0], buf, sizeof(buf)));
	T(read(p[0], buf, sizeof(buf)));
	T(close(p[0]));
	T(close(p[1]));
}

/* Blocking reads and writes need a second process on the other end. */
static void across_fork(void)
{
	int p[2], status;
	SECTION("fork");
	T(pipe(p));
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		usleep(50000);        /* the parent blocks in read first */
		long done = 0;
		memset(buf, 'c', sizeof(buf));
		while (done < (long)sizeof(buf)) {
			ssize_t r = write(p[1], buf + done, sizeof(buf) - done);
			if (r <= 0)
				_exit(1);
			done += r;
		}
		_exit(0);
	}
	T(close(p[1]));
	long total = 0, bad = 0, r;
	static char in[7000];
	while ((r = read(p[0], in, sizeof(in))) > 0) {
		for (long i = 0; i < r; i++)
			bad += in[i] != 'c';
		total += r;
	}
	T(r);
	P("read", "%ld bytes, %ld wrong", total, bad);
	T(waitpid(pid, &status, 0) == pid);
	P("child", "exited %d status %d", WIFEXITED(status), WEXITSTATUS(status));
	/* A writer blocked on a full pipe gets EPIPE when the reader goes. */
	T(pipe(p));
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		memset(buf, 'x', 65536);
		if (write(p[1], buf, 65536) != 65536)
			_exit(1);
		ssize_t w = write(p[1], buf, 10);   /* blocks: full */
		_exit(w == -1 && errno == EPIPE ? 42 : 2);
	}
	T(close(p[1]));
	int queued = 0;
	while (ioctl(p[0], FIONREAD, &queued) == 0 && queued < 65536)
		usleep(10000);        /* until the child has filled the pipe */
	usleep(50000);
	T(close(p[0]));
	T(waitpid(pid, &status, 0) == pid);
	P("child", "exited %d status %d", WIFEXITED(status), WEXITSTATUS(status));
}

/* The SIGPIPE a write to a pipe with no reader sends: SI_USER, from the
 * writer itself (Linux's send_sig(SIGPIPE, current, 0)). */
static void sigpipe_info(void)
{
	SECTION("SIGPIPE's siginfo");
	int p[2];
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	struct sigaction dfl = { .sa_handler = SIG_DFL }, ign = { .sa_handler = SIG_IGN };
	MUST(sigaction(SIGPIPE, &dfl, NULL));
	MUST(sigprocmask(SIG_BLOCK, &set, &old));
	MUST(pipe(p));
	MUST(close(p[0]));
	T(write(p[1], "x", 1));
	siginfo_t si;
	struct timespec zero = { 0, 0 };
	T(sigtimedwait(&set, &si, &zero));
	P("si_code", "%d", si.si_code);
	P("si_pid is the writer", "%d", si.si_pid == getpid());
	MUST(close(p[1]));
	MUST(sigprocmask(SIG_SETMASK, &old, NULL));
	MUST(sigaction(SIGPIPE, &ign, NULL));
}

int main(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	MUST(sigaction(SIGPIPE, &sa, NULL));
	basics();
	nonblocking();
	sizes();
	status();
	flags();
	across_fork();
	sigpipe_info();
	return 0;
}
