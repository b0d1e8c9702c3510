/* fifo: mkfifo/mknod and opening named pipes: O_NONBLOCK opens (a reader
 * goes ahead, a writer without a reader gets ENXIO), O_RDWR, POLLHUP only
 * after a writer came, data gone with the last close, blocking opens
 * that a second process completes; and mknod of the other file types. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>

static char buf[4096];

static void show_stat(const char *path)
{
	struct stat st;
	if (lstat(path, &st)) {
		printf("stat %s: %s\n", path, ename(errno));
		return;
	}
	printf("stat %s: type %o mode %o size %ld rdev %u,%u\n", path, st.st_mode & S_IFMT,
	       st.st_mode & 07777, (long)st.st_size, major(st.st_rdev), minor(st.st_rdev));
}

static void opens(void)
{
	SECTION("mkfifo");
	T(mkfifo("f", 0666));
	show_stat("f");
	T(mkfifo("f", 0666));
	T(open("f", O_WRONLY | O_NONBLOCK));
	int r = T(open("f", O_RDONLY | O_NONBLOCK));
	P("reader, no writer yet: revents", "%#x", revents(r));
	T(read(r, buf, sizeof(buf)));
	int w = T(open("f", O_WRONLY | O_NONBLOCK));
	T(fcntl(w, F_GETFL) & O_ACCMODE);
	T(write(w, "hi", 2));
	P("reader with data: revents", "%#x", revents(r));
	P("writer: revents", "%#x", revents(w));
	T(read(r, buf, sizeof(buf)));
	P("read", "%.2s", buf);
	T(read(r, buf, sizeof(buf)));
	T(close(w));
	P("reader, writer gone: revents", "%#x", revents(r));
	T(read(r, buf, sizeof(buf)));
	T(lseek(r, 0, SEEK_SET));
	struct stat st;
	T(fstat(r, &st));
	P("fstat", "fifo %d mode %o", S_ISFIFO(st.st_mode), st.st_mode & 07777);
	char path[64], target[256];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", r);
	ssize_t n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = 0;
	P("link ends in", "%s", strrchr(target, '/'));
	T(close(r));

	SECTION("O_RDWR");
	int rw = T(open("f", O_RDWR | O_NONBLOCK));
	T(write(rw, "both", 4));
	T(read(rw, buf, sizeof(buf)));
	P("read", "%.4s", buf);
	T(fcntl(rw, F_GETPIPE_SZ));
	T(fcntl(rw, F_SETPIPE_SZ, 8192));
	T(fcntl(rw, F_GETPIPE_SZ));
	T(write(rw, "lost", 4));
	int rw2 = T(open("f", O_RDWR | O_NONBLOCK));   /* the same pipe */
	T(fcntl(rw2, F_GETPIPE_SZ));
	T(close(rw2));
	T(close(rw));
	rw = T(open("f", O_RDWR | O_NONBLOCK));         /* a fresh one */
	T(read(rw, buf, sizeof(buf)));
	T(fcntl(rw, F_GETPIPE_SZ));
	T(close(rw));
	SECTION("links");
	T(link("f", "f2"));
	r = T(open("f", O_RDONLY | O_NONBLOCK));
	w = T(open("f2", O_WRONLY | O_NONBLOCK));        /* same inode: a reader */
	T(write(w, "ab", 2));
	T(read(r, buf, sizeof(buf)));
	T(close(w));
	T(close(r));
	T(unlink("f2"));
}

static void blocking(void)
{
	int status;
	SECTION("blocking opens");
	/* The writer opens, writes and closes; the reader still gets it. */
	pid_t pid = fork();
	if (pid == 0) {
		usleep(50000);
		int w = open("f", O_WRONLY);
		_exit(w >= 0 && write(w, "from child", 10) == 10 && close(w) == 0 ? 0 : 1);
	}
	int r = T(open("f", O_RDONLY));
	usleep(50000);
	T(read(r, buf, sizeof(buf)));
	P("read", "%.10s", buf);
	T(read(r, buf, sizeof(buf)));
	T(waitpid(pid, &status, 0) == pid);
	P("child status", "%d", WEXITSTATUS(status));
	T(close(r));
	/* A blocked writer goes ahead when a reader opens. */
	pid = fork();
	if (pid == 0) {
		usleep(50000);
		int fd = open("f", O_RDONLY);
		ssize_t n = read(fd, buf, sizeof(buf));
		_exit(n == 5 && memcmp(buf, "hello", 5) == 0 ? 0 : 1);
	}
	int w = T(open("f", O_WRONLY));
	T(write(w, "hello", 5));
	T(close(w));
	T(waitpid(pid, &status, 0) == pid);
	P("child status", "%d", WEXITSTATUS(status));
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* An open cut short by a signal leaves no waiting reader behind. */
static void interrupted(void)
{
	SECTION("interrupted open");
	struct sigaction sa = { .sa_handler = on_alarm };
	MUST(sigaction(SIGALRM, &sa, NULL));
	struct itimerval it = { { 0, 0 }, { 0, 50000 } };
	MUST(setitimer(ITIMER_REAL, &it, NULL));
	T(open("f", O_RDONLY));
	T(open("f", O_WRONLY | O_NONBLOCK));
	MUST(setitimer(ITIMER_REAL, &it, NULL));
	T(open("f", O_WRONLY));
	T(open("f", O_RDONLY | O_NONBLOCK));   /* and no waiting writer: */
	T(read(3, buf, sizeof(buf)));          /* EOF, not EAGAIN */
	T(close(3));
}

static void mknods(void)
{
	SECTION("mknod");
	T(mknod("p", S_IFIFO | 0777, 0));
	show_stat("p");
	T(mknod("r", S_IFREG | 0640, 0));
	show_stat("r");
	T(mknod("z", 0644, 0));          /* type 0: a regular file */
	show_stat("z");
	T(mknod("s", S_IFSOCK | 0600, 0));
	show_stat("s");
	T(open("s", O_RDONLY));
	T(mknod("c", S_IFCHR | 0600, makedev(1, 3)));
	show_stat("c");
	T(mknod("b", S_IFBLK | 0600, makedev(7, 0)));
	show_stat("b");
	T(mknod("d", S_IFDIR | 0755, 0));
	T(mknod("x", 0170000 | 0644, 0));
	T(mknod("p", S_IFIFO | 0600, 0));
	T(mknod("p/", S_IFIFO | 0600, 0));
	T(mknod("new/", S_IFIFO | 0600, 0));
	T(mknod("nodir/p", S_IFIFO | 0600, 0));
	T(mknod("r/p", S_IFIFO | 0600, 0));
	T(mknod(".", S_IFIFO | 0600, 0));
	T(mknod("", S_IFIFO | 0600, 0));
	T(syscall(SYS_mknod, BADP, S_IFIFO | 0600, 0));
	MUST(mkdir("dir", 0755));
	int dfd = T(open("dir", O_RDONLY | O_DIRECTORY));
	T(mknodat(dfd, "q", S_IFIFO | 0600, 0));
	show_stat("dir/q");
	T(mknodat(99, "q", S_IFIFO | 0600, 0));
	int fd = T(open("r", O_RDONLY));
	T(mknodat(fd, "q", S_IFIFO | 0600, 0));
	T(close(fd));
	T(close(dfd));
	umask(077);
	T(mknod("u", S_IFIFO | 0666, 0));
	show_stat("u");
	umask(022);
	MUST(chmod("dir", 0555));
	T(mknod("dir/ro", S_IFIFO | 0600, 0));   /* root: no EACCES */
	MUST(chmod("dir", 0755));
}

int main(void)
{
	struct sigaction sa = { .sa_handler = SIG_IGN };
	MUST(sigaction(SIGPIPE, &sa, NULL));
	scratch();
	opens();
	blocking();
	interrupted();
	mknods();
	return 0;
}
