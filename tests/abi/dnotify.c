/* dnotify: fcntl F_NOTIFY on a directory, with F_SETSIG and without: the
 * signal each kind of change brings (create, delete, rename, modify,
 * attributes, access), one-shot and DN_MULTISHOT registrations, the end
 * of a registration (arg 0, close), what does not notify (a change one
 * level down); F_SETOWN/F_GETOWN/F_SETSIG/F_GETSIG and bad arguments. */
#include "abi.h"
#include <signal.h>
#include <time.h>

static int dfd;

/* The signals waiting now (each of SIGRTMIN and SIGIO), one line. */
static void signals(const char *label)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGIO);
	struct timespec wait = { 0, 50 * 1000 * 1000 };
	printf("%s:", label);
	siginfo_t si;
	int n = 0;
	while (sigtimedwait(&set, &si, &wait) > 0) {
		n++;
		if (si.si_signo == SIGIO)
			printf(" SIGIO code %d", si.si_code);
		else
			printf(" SIGRTMIN code %d fd ok %d band %#lx", si.si_code, si.si_fd == dfd,
			       (long)si.si_band);
		wait.tv_nsec = 0;
	}
	printf("%s\n", n ? "" : " none");
}

static void kinds(void)
{
	SECTION("each kind of change, F_SETSIG");
	MUST(mkdir("d", 0755));
	MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
	T(fcntl(dfd, F_SETSIG, SIGRTMIN));
	T(fcntl(dfd, F_GETSIG) == SIGRTMIN);
	T(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_DELETE | DN_RENAME | DN_MODIFY | DN_ATTRIB |
			       DN_ACCESS | DN_MULTISHOT));
	T(fcntl(dfd, F_GETOWN) == getpid());
	signals("nothing yet");
	put_file("d/f", "data");	/* create, then modify */
	signals("create and write");
	T(chmod("d/f", 0600));
	signals("chmod");
	char buf[8];
	int fd = T(open("d/f", O_RDONLY));
	T(read(fd, buf, sizeof(buf)));
	T(close(fd));
	signals("read");
	T(truncate("d/f", 1));
	signals("truncate");
	T(rename("d/f", "d/g"));
	signals("rename");
	T(mkdir("d/sub", 0755));
	signals("mkdir");
	put_file("d/sub/deeper", "x");
	signals("a file one level down");
	T(unlink("d/sub/deeper"));
	T(rmdir("d/sub"));
	signals("rmdir");
	T(symlink("g", "d/link"));
	T(link("d/g", "d/hard"));
	signals("symlink and link");
	T(unlink("d/link"));
	T(unlink("d/hard"));
	signals("two unlinks");
	T(rename("d/g", "moved"));
	signals("rename out of it");
	T(fcntl(dfd, F_GETOWN_EX, BADP));

	T(close(dfd));

	SECTION("only what was asked");
	MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
	MUST(fcntl(dfd, F_SETSIG, SIGRTMIN));
	T(fcntl(dfd, F_NOTIFY, DN_DELETE | DN_MULTISHOT));
	put_file("d/h", "x");
	signals("create, delete not asked");
	T(unlink("d/h"));
	signals("delete");
	T(fcntl(dfd, F_NOTIFY, DN_CREATE));	/* adds to the registration */
	put_file("d/h", "x");
	signals("create, added");
	T(unlink("d/h"));
	signals("delete, still there");
	T(close(dfd));

	SECTION("one shot");
	MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
	MUST(fcntl(dfd, F_SETSIG, SIGRTMIN));
	T(fcntl(dfd, F_NOTIFY, DN_CREATE));
	put_file("d/a", "");
	put_file("d/b", "");
	signals("two creates");
	T(rename("moved", "d/in"));
	signals("rename into it, nothing registered");

	SECTION("arg 0 and close end it");
	T(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
	T(fcntl(dfd, F_NOTIFY, 0));
	put_file("d/c", "");
	signals("after arg 0");
	T(fcntl(dfd, F_NOTIFY, DN_CREATE | DN_MULTISHOT));
	int copy = T(dup(dfd));
	T(close(copy));		/* any fd of the file in this table */
	put_file("d/e", "");
	signals("after a close of a dup");
	T(close(dfd));
}

static void sigio(void)
{
	SECTION("without F_SETSIG: SIGIO");
	MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
	T(fcntl(dfd, F_GETSIG));
	T(fcntl(dfd, F_NOTIFY, DN_DELETE));
	T(unlink("d/a"));
	signals("delete");
	T(close(dfd));
}

static void bad(void)
{
	SECTION("bad arguments");
	int fd = T(open("d/in", O_RDONLY));
	T(fcntl(fd, F_NOTIFY, DN_CREATE));
	T(fcntl(fd, F_SETSIG, 65));
	T(fcntl(fd, F_SETSIG, 0));
	T(fcntl(fd, F_SETOWN, 999999));
	T(fcntl(fd, F_SETOWN, getpid()));
	T(fcntl(fd, F_GETOWN) == getpid());
	T(fcntl(fd, F_SETOWN, -getpgrp()));
	T(fcntl(fd, F_GETOWN) == -getpgrp());
	T(fcntl(fd, F_SETOWN, 0));
	T(fcntl(fd, F_GETOWN));
	struct f_owner_ex ex = { F_OWNER_PGRP, getpgrp() };
	T(fcntl(fd, F_SETOWN_EX, &ex));
	T(fcntl(fd, F_GETOWN) == -getpgrp());
	ex.type = 7;
	T(fcntl(fd, F_SETOWN_EX, &ex));
	T(fcntl(fd, F_SETOWN_EX, BADP));
	T(close(fd));
	int p = T(open("d", O_PATH));
	T(fcntl(p, F_NOTIFY, DN_CREATE));
	T(close(p));
	T(fcntl(99, F_NOTIFY, DN_CREATE));
}

int main(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	sigaddset(&set, SIGIO);
	sigprocmask(SIG_BLOCK, &set, NULL);
	scratch();
	kinds();
	sigio();
	bad();
	return 0;
}
