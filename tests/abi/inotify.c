/* inotify: inotify_init1's flags, inotify_add_watch (the mask's flags:
 * IN_ONLYDIR, IN_DONT_FOLLOW, IN_MASK_ADD, IN_MASK_CREATE, IN_ONESHOT,
 * IN_EXCL_UNLINK; bad fds, paths and pointers), inotify_rm_watch and its
 * IN_IGNORED, and the events each change makes, read back in order with
 * their names, IN_ISDIR and matching rename cookies; read's EINVAL for a
 * buffer too small, EAGAIN, FIONREAD, poll, and the queue's overflow. */
#include "abi.h"
#include <dirent.h>
#include <limits.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <sys/xattr.h>

static int in;
static int wd_names[64];	/* wd -> a label */
static const char *labels[] = { "?", "dir", "file", "sub", "other" };

static void maskname(unsigned m, char *out)
{
	static const struct { unsigned bit; const char *name; } bits[] = {
		{ IN_ACCESS, "ACCESS" }, { IN_MODIFY, "MODIFY" }, { IN_ATTRIB, "ATTRIB" },
		{ IN_CLOSE_WRITE, "CLOSE_WRITE" }, { IN_CLOSE_NOWRITE, "CLOSE_NOWRITE" },
		{ IN_OPEN, "OPEN" }, { IN_MOVED_FROM, "MOVED_FROM" }, { IN_MOVED_TO, "MOVED_TO" },
		{ IN_CREATE, "CREATE" }, { IN_DELETE, "DELETE" }, { IN_DELETE_SELF, "DELETE_SELF" },
		{ IN_MOVE_SELF, "MOVE_SELF" }, { IN_UNMOUNT, "UNMOUNT" }, { IN_Q_OVERFLOW, "Q_OVERFLOW" },
		{ IN_IGNORED, "IGNORED" }, { IN_ISDIR, "ISDIR" },
	};
	out[0] = 0;
	for (unsigned i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if (m & bits[i].bit) {
			strcat(out, out[0] ? "|" : "");
			strcat(out, bits[i].name);
			m &= ~bits[i].bit;
		}
	if (m)
		sprintf(out + strlen(out), "|%#x", m);
}

/* Reads and prints every queued event; cookies shown as "c" when they
 * pair a MOVED_FROM with the MOVED_TO after it. */
static void drain(const char *what)
{
	char buf[8192] __attribute__((aligned(8)));
	printf("-- %s\n", what);
	uint32_t last_cookie = 0;
	for (;;) {
		long n = read(in, buf, sizeof(buf));
		if (n < 0) {
			if (errno != EAGAIN)
				printf("read: %s\n", ename(errno));
			break;
		}
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;
			char m[200];
			maskname(e->mask, m);
			const char *who = e->wd > 0 && e->wd < 64 ? labels[wd_names[e->wd]] : "-";
			const char *ck = !e->cookie ? "" : e->cookie == last_cookie ? " cookie=same" : " cookie=new";
			if (e->cookie)
				last_cookie = e->cookie;
			printf("%s %s%s%s%s len=%u\n", who, m, e->len ? " " : "", e->len ? e->name : "", ck, e->len);
			p += sizeof(*e) + e->len;
		}
	}
}

static void on_alarm(int sig) { (void)sig; }

static int watch(const char *path, unsigned mask, int label)
{
	errno = 0;
	int wd = inotify_add_watch(in, path, mask);
	if (wd > 0 && wd < 64)
		wd_names[wd] = label;
	if (wd < 0)
		printf("watch %s = -1 %s\n", path, ename(errno));
	return wd;
}

int main(void)
{
	scratch();
	MUST(mkdir("d", 0755));
	put_file("d/f", "hello");
	MUST(symlink("f", "d/link"));

	SECTION("init");
	T(inotify_init1(IN_CLOEXEC | IN_NONBLOCK | 1));
	T(syscall(SYS_inotify_init1, O_RDWR));
	MUST(in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
	T(fcntl(in, F_GETFD));
	T(fcntl(in, F_GETFL) & (O_NONBLOCK | O_ACCMODE));
	int plain;
	MUST(plain = syscall(SYS_inotify_init));
	T(fcntl(plain, F_GETFL) & (O_NONBLOCK | O_ACCMODE));
	T(fcntl(plain, F_GETFD));
	char c;
	T(write(in, "x", 1));
	T(read(in, &c, 1));

	SECTION("add_watch");
	T(inotify_add_watch(99, "d", IN_ALL_EVENTS));
	T(inotify_add_watch(0, "d", IN_ALL_EVENTS));
	T(inotify_add_watch(in, "d", 0));
	T(inotify_add_watch(in, "d", IN_DONT_FOLLOW));
	T(inotify_add_watch(99, "d", 0));
	T(inotify_add_watch(in, "d", IN_MODIFY | IN_MASK_ADD | IN_MASK_CREATE));
	T(inotify_add_watch(in, "nope", IN_MODIFY));
	T(inotify_add_watch(in, BADP, IN_MODIFY));
	T(inotify_add_watch(in, "", IN_MODIFY));
	T(inotify_add_watch(in, "d/f", IN_MODIFY | IN_ONLYDIR));
	T(inotify_add_watch(in, "d/f/x", IN_MODIFY));
	int wl;
	MUST(wl = inotify_add_watch(in, "d/link", IN_ATTRIB | IN_DONT_FOLLOW));
	int wf = watch("d/link", IN_ALL_EVENTS, 2);
	int wd = watch("d", IN_ALL_EVENTS | IN_ONLYDIR, 1);
	P("wd order", "%d", wl < wf && wf > wd);
	T(inotify_add_watch(in, "d", IN_ALL_EVENTS | IN_MASK_CREATE) == wd);
	T(inotify_add_watch(in, "d/", IN_ALL_EVENTS) == wd);
	T(inotify_rm_watch(in, wl));
	drain("rm_watch");
	T(inotify_rm_watch(in, wl));
	T(inotify_rm_watch(in, 12345));
	T(inotify_rm_watch(in, -1));
	T(inotify_rm_watch(99, wd));
	T(inotify_rm_watch(plain, wd));
	T(inotify_rm_watch(0, wd));
	int nbytes = -1;
	T(ioctl(in, FIONREAD, &nbytes));
	P("FIONREAD empty", "%d", nbytes);

	SECTION("events");
	int fd;
	MUST(fd = open("d/f", O_RDWR));
	MUST(write(fd, "more", 4));
	MUST(write(fd, "more", 4));
	MUST(pread(fd, &c, 1, 0));
	MUST(close(fd));
	T(ioctl(in, FIONREAD, &nbytes));
	P("FIONREAD", "%d", nbytes);
	T(revents(in));
	drain("open, write twice, read, close");
	MUST(fd = open("d/f", O_RDONLY));
	MUST(close(fd));
	MUST(fd = open("d/f", O_WRONLY | O_TRUNC));
	MUST(close(fd));
	MUST(fd = open("d/f", O_PATH));
	MUST(close(fd));
	drain("open read-only, O_TRUNC, O_PATH");
	MUST(chmod("d/f", 0600));
	MUST(truncate("d/f", 2));
	MUST(utimes("d/f", NULL));
	MUST(chown("d/f", 0, 0));
	MUST(setxattr("d/f", "user.x", "1", 1, 0));
	drain("chmod, truncate, utimes, chown, setxattr");
	MUST(fd = open("d/new", O_CREAT | O_WRONLY, 0644));
	MUST(close(fd));
	MUST(mkdir("d/sub", 0755));
	MUST(symlink("x", "d/sym"));
	MUST(link("d/f", "d/hard"));
	MUST(mknod("d/fifo", S_IFIFO | 0644, 0));
	drain("create, mkdir, symlink, link, mknod");
	int ws = watch("d/sub", IN_ALL_EVENTS, 3);
	MUST(rename("d/new", "d/renamed"));
	MUST(rename("d/renamed", "d/sub/moved"));
	MUST(rename("d/sub", "d/sub2"));
	drain("renames");
	MUST(rename("d/hard", "d/sub2/moved"));
	drain("rename over a file");
	DIR *dp = opendir("d");
	while (readdir(dp))
		;
	closedir(dp);
	drain("list the directory");
	MUST(unlink("d/sym"));
	MUST(unlink("d/fifo"));
	MUST(unlink("d/sub2/moved"));
	MUST(rmdir("d/sub2"));
	drain("unlink, rmdir");
	T(inotify_rm_watch(in, ws));
	MUST(unlink("d/f"));
	drain("unlink the watched file");
	T(inotify_rm_watch(in, wf));

	SECTION("oneshot, mask_add, excl_unlink");
	put_file("d/g", "x");
	int wg = watch("d/g", IN_ATTRIB | IN_ONESHOT, 2);
	MUST(chmod("d/g", 0600));
	MUST(chmod("d/g", 0644));
	drain("oneshot");
	wg = watch("d/g", IN_ATTRIB, 2);
	T(inotify_add_watch(in, "d/g", IN_MODIFY | IN_MASK_ADD) == wg);
	T(inotify_add_watch(in, "d/g", IN_MODIFY) == wg);
	MUST(chmod("d/g", 0600));
	MUST(truncate("d/g", 0));
	drain("mask replaced: modify only");
	T(inotify_add_watch(in, "d/g", IN_ATTRIB | IN_MASK_ADD) == wg);
	MUST(chmod("d/g", 0644));
	MUST(truncate("d/g", 0));
	drain("mask added: attrib and modify");
	T(inotify_rm_watch(in, wd));
	drain("dir watch gone");
	wd = watch("d", IN_MODIFY | IN_EXCL_UNLINK, 1);
	MUST(fd = open("d/g", O_RDWR));
	MUST(unlink("d/g"));
	MUST(write(fd, "x", 1));
	MUST(close(fd));
	drain("excl_unlink: no event from an unlinked child");
	T(inotify_rm_watch(in, wd));
	T(inotify_rm_watch(in, wg));
	drain("rm");

	SECTION("read");
	wd = watch("d", IN_CREATE, 1);
	put_file("d/a-long-name-of-twenty", "");
	char small[sizeof(struct inotify_event) + 8];
	T(read(in, small, sizeof(small)));
	T(read(in, small, 0));
	T(syscall(SYS_read, in, BADP, 4096));
	T(ioctl(in, FIONREAD, &nbytes));
	P("FIONREAD", "%d", nbytes);
	T(ioctl(in, FIONREAD, BADP));
	drain("after a failed read");
	T(read(in, small, sizeof(small)));
	int blocking;
	MUST(blocking = inotify_init());
	struct itimerval it = { { 0, 0 }, { 0, 100000 } };
	struct sigaction sa = { .sa_handler = on_alarm };
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	T(read(blocking, small, sizeof(small)));
	int ep;
	MUST(ep = epoll_create1(0));
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET };
	MUST(epoll_ctl(ep, EPOLL_CTL_ADD, in, &ev));
	T(epoll_wait(ep, &ev, 1, 0));
	put_file("d/x", "");
	T(epoll_wait(ep, &ev, 1, 0));
	P("events", "%#x", ev.events);
	T(epoll_wait(ep, &ev, 1, 0));
	put_file("d/y", "");
	T(epoll_wait(ep, &ev, 1, 0));
	drain("two creates");

	SECTION("overflow");
	FILE *q = fopen("/proc/sys/fs/inotify/max_queued_events", "r");
	int maxq = 0;
	if (q) {
		MUST(fscanf(q, "%d", &maxq));
		fclose(q);
	}
	P("max_queued_events", "%d", maxq);
	for (int i = 0; i < maxq + 10; i++) {
		char name[32];
		sprintf(name, "d/%d", i);
		MUST(close(open(name, O_CREAT | O_WRONLY, 0644)));
	}
	T(ioctl(in, FIONREAD, &nbytes));
	P("FIONREAD", "%d", nbytes);
	char *big = malloc(1 << 20);
	long got = read(in, big, 1 << 20);
	int count = 0;
	struct inotify_event *last = NULL;
	for (char *p = big; p < big + got; p += sizeof(*last) + last->len) {
		last = (struct inotify_event *)p;
		count++;
	}
	P("events read", "%d", count);
	if (last) {
		char m[200];
		maskname(last->mask, m);
		P("last", "wd %d %s len %u", last->wd, m, last->len);
	}
	MUST(unlink("d/x"));
	drain("after overflow");

	SECTION("proc");
	static const char *files[] = { "max_user_watches", "max_user_instances", "max_queued_events" };
	for (int i = 0; i < 3; i++) {
		char path[96], buf[32] = "";
		snprintf(path, sizeof(path), "/proc/sys/fs/inotify/%s", files[i]);
		int pf = open(path, O_RDONLY);
		long n = pf < 0 ? -1 : read(pf, buf, sizeof(buf) - 1);
		printf("%s: %s", files[i], n > 0 ? "readable\n" : "missing\n");
		if (pf >= 0)
			close(pf);
	}
	return 0;
}
