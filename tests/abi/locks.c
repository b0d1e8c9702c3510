/* locks: fcntl record locks (F_GETLK, F_SETLK, F_SETLKW), open file
 * description locks (F_OFD_*), and flock. Conflicts need a second owner,
 * so a forked child asks and prints; the parent waits for it each time. */
#include "abi.h"
#include <signal.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <time.h>

static const char *tname(int type)
{
	return type == F_RDLCK ? "F_RDLCK" : type == F_WRLCK ? "F_WRLCK" : type == F_UNLCK ? "F_UNLCK" : "?";
}

static struct flock lk(short type, short whence, off_t start, off_t len)
{
	struct flock fl = { .l_type = type, .l_whence = whence, .l_start = start, .l_len = len };
	return fl;
}

#define SETLK(fd, cmd, type, whence, start, len) \
	TL(#cmd " " #type " " #whence " " #start " " #len, \
	   ({ struct flock fl_ = lk(type, whence, start, len); fcntl(fd, cmd, &fl_); }))

/* Prints what F_GETLK (or F_OFD_GETLK) says of [start, start+len). */
static void getlk(const char *who, int fd, int cmd, short type, off_t start, off_t len, pid_t holder)
{
	struct flock fl = lk(type, SEEK_SET, start, len);
	if (fcntl(fd, cmd, &fl) < 0) {
		printf("%s: getlk %ld+%ld: %s\n", who, (long)start, (long)len, ename(errno));
		return;
	}
	printf("%s: getlk %ld+%ld: %s", who, (long)start, (long)len, tname(fl.l_type));
	if (fl.l_type != F_UNLCK)
		printf(" start %ld len %ld pid %s", (long)fl.l_start, (long)fl.l_len,
		       fl.l_pid == holder ? "holder" : fl.l_pid == -1 ? "-1" : "other");
	printf("\n");
}

/* Runs `fn` in a child with its own open of the file, waits for it. */
static void in_child(void (*fn)(int fd, pid_t parent), const char *path)
{
	pid_t parent = getpid();
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int fd = open(path, O_RDWR);
		fn(fd, parent);
		fflush(stdout);
		_exit(0);
	}
	int st;
	MUST(waitpid(c, &st, 0));
}

static void child_sees_parent_locks(int fd, pid_t parent)
{
	getlk("child", fd, F_GETLK, F_RDLCK, 0, 0, parent);
	getlk("child", fd, F_GETLK, F_WRLCK, 0, 0, parent);
	getlk("child", fd, F_GETLK, F_WRLCK, 40, 10, parent);
	getlk("child", fd, F_GETLK, F_RDLCK, 12, 1, parent);
	getlk("child", fd, F_GETLK, F_RDLCK, 100, 0, parent);
	SETLK(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, 1);
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 100, 1);
}

static void child_tries_ofd(int fd, pid_t parent)
{
	getlk("child", fd, F_OFD_GETLK, F_WRLCK, 0, 0, parent);
	SETLK(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1);
}

static void child_flock(int fd, pid_t parent)
{
	(void)parent;
	T(flock(fd, LOCK_EX | LOCK_NB));
	T(flock(fd, LOCK_SH | LOCK_NB));
}

static void on_signal(int sig)
{
	(void)sig;
}

/* Waits until the process is asleep in the kernel (state S), so that a
 * blocking call it makes next is known to be waiting. */
static void wait_asleep(pid_t pid)
{
	char path[64], buf[256];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	for (int i = 0; i < 500; i++) {
		int fd = open(path, O_RDONLY);
		ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
		if (fd >= 0)
			close(fd);
		if (n > 0) {
			buf[n] = 0;
			char *s = strrchr(buf, ')');
			if (s && s[2] == 'S')
				return;
		}
		usleep(10000);
	}
	printf("child never slept\n");
}

int main(void)
{
	scratch();
	put_file("f", "0123456789012345678901234567890123456789012345678901234567890123456789");
	int fd, ro;
	MUST(fd = open("f", O_RDWR));
	MUST(ro = open("f", O_RDONLY));

	SECTION("F_SETLK and F_GETLK");
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 10);
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 10, 10);	/* touches: merges */
	SETLK(fd, F_SETLK, F_RDLCK, SEEK_SET, 40, 10);
	getlk("owner", fd, F_GETLK, F_WRLCK, 0, 0, getpid());	/* its own never conflict */
	in_child(child_sees_parent_locks, "f");
	SETLK(fd, F_SETLK, F_UNLCK, SEEK_SET, 5, 10);	/* cuts 0-19 in two */
	in_child(child_sees_parent_locks, "f");
	SETLK(fd, F_SETLK, F_RDLCK, SEEK_SET, 0, 20);	/* a new type replaces */
	MUST(lseek(fd, 30, SEEK_SET));
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_CUR, -2, 4);
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_END, -70, -1);
	in_child(child_sees_parent_locks, "f");

	SECTION("bad arguments");
	SETLK(fd, F_SETLK, F_RDLCK, 7, 0, 0);
	SETLK(fd, F_SETLK, 9, SEEK_SET, 0, 0);
	SETLK(fd, F_SETLK, F_RDLCK, SEEK_SET, -1, 0);
	SETLK(fd, F_SETLK, F_RDLCK, SEEK_SET, 5, -6);
	SETLK(fd, F_GETLK, F_UNLCK, SEEK_SET, 0, 0);
	SETLK(ro, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);
	SETLK(ro, F_SETLK, F_RDLCK, SEEK_SET, 200, 1);
	T(fcntl(fd, F_SETLK, BADP));
	T(fcntl(fd, F_GETLK, BADP));
	T(fcntl(99, F_SETLK, BADP));
	struct flock withpid = lk(F_RDLCK, SEEK_SET, 0, 1);
	withpid.l_pid = 5;
	T(fcntl(fd, F_OFD_SETLK, &withpid));
	T(fcntl(fd, F_OFD_GETLK, &withpid));

	SECTION("closing any fd of the file drops the process's locks");
	T(close(ro));
	in_child(child_sees_parent_locks, "f");

	SECTION("open file description locks");
	SETLK(fd, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	in_child(child_tries_ofd, "f");
	int fd2;
	MUST(fd2 = open("f", O_RDWR));
	/* another open file description of the same process conflicts */
	SETLK(fd2, F_OFD_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	SETLK(fd2, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	getlk("fd2", fd2, F_OFD_GETLK, F_RDLCK, 0, 0, getpid());
	T(close(fd2));	/* a POSIX close: the OFD lock of fd stays */
	in_child(child_tries_ofd, "f");

	SECTION("F_SETLKW waits for the holder");
	MUST(close(fd));
	MUST(fd = open("f", O_RDWR));
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	int p[2];
	MUST(pipe(p));
	fflush(stdout);
	pid_t c = fork();
	if (c == 0) {
		int cfd = open("f", O_RDWR);
		struct flock fl = lk(F_WRLCK, SEEK_SET, 0, 1);
		long r = fcntl(cfd, F_SETLKW, &fl);
		dprintf(p[1], "child: F_SETLKW = %ld\n", r);
		_exit(0);
	}
	wait_asleep(c);
	char buf[64] = { 0 };
	MUST(fcntl(p[0], F_SETFL, O_NONBLOCK));
	T(read(p[0], buf, sizeof(buf)));
	SETLK(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);
	MUST(fcntl(p[0], F_SETFL, 0));
	MUST(read(p[0], buf, sizeof(buf) - 1));
	printf("%s", buf);
	MUST(waitpid(c, NULL, 0));

	SECTION("F_SETLKW that would deadlock");
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	c = fork();
	if (c == 0) {
		int cfd = open("f", O_RDWR);
		struct flock b = lk(F_WRLCK, SEEK_SET, 1, 1), a = lk(F_WRLCK, SEEK_SET, 0, 1);
		fcntl(cfd, F_SETLK, &b);
		write(p[1], "x", 1);
		long r = fcntl(cfd, F_SETLKW, &a);
		_exit(r == 0 ? 0 : 1);
	}
	MUST(read(p[0], buf, 1));
	wait_asleep(c);
	SETLK(fd, F_SETLKW, F_WRLCK, SEEK_SET, 1, 1);
	SETLK(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 1);
	int st;
	MUST(waitpid(c, &st, 0));
	P("child got its lock", "%d", WIFEXITED(st) && WEXITSTATUS(st) == 0);

	SECTION("a signal ends F_SETLKW with EINTR");
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 1);
	fflush(stdout);
	c = fork();
	if (c == 0) {
		struct sigaction sa = { .sa_handler = on_signal };	/* no SA_RESTART */
		sigaction(SIGUSR1, &sa, NULL);
		int cfd = open("f", O_RDWR);
		struct flock a = lk(F_WRLCK, SEEK_SET, 0, 1);
		long r = fcntl(cfd, F_SETLKW, &a);
		printf("child: F_SETLKW = %ld %s\n", r, r < 0 ? ename(errno) : "");
		fflush(stdout);
		_exit(0);
	}
	wait_asleep(c);
	kill(c, SIGUSR1);
	MUST(waitpid(c, NULL, 0));
	SETLK(fd, F_SETLK, F_UNLCK, SEEK_SET, 0, 0);

	SECTION("flock");
	T(flock(fd, LOCK_SH));
	in_child(child_flock, "f");
	T(flock(fd, LOCK_EX));
	in_child(child_flock, "f");
	int dupfd = dup(fd);
	T(flock(dupfd, LOCK_UN));	/* the same open file description */
	in_child(child_flock, "f");
	T(flock(fd, LOCK_EX));
	SETLK(fd, F_SETLK, F_WRLCK, SEEK_SET, 0, 0);	/* flock and POSIX don't meet */
	T(close(dupfd));
	in_child(child_flock, "f");
	T(close(fd));	/* the last reference: the flock lock goes */
	MUST(fd = open("f", O_RDWR));
	in_child(child_flock, "f");
	T(flock(fd, LOCK_SH | LOCK_EX));
	T(flock(fd, 0));
	T(flock(fd, 77));
	T(flock(99, LOCK_SH));
	int path = open("f", O_PATH);
	T(flock(path, LOCK_SH));
	T(fcntl(path, F_SETLK, &withpid));
	return 0;
}
