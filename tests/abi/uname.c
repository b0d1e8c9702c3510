/* uname: the fields a guest may rely on; sethostname and setdomainname
 * (in a UTS namespace of its own natively, so the host's name stays; a
 * persona run's names are its own anyway). */
#include "abi.h"
#include <sched.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static void set_names(void)
{
	SECTION("sethostname, setdomainname");
	(void)unshare(CLONE_NEWUTS);	/* natively; persona's names are private */
	T(sethostname("persona-test", 12));
	T(setdomainname("example", 7));
	struct utsname u;
	MUST(uname(&u));
	P("names", "%s %s", u.nodename, u.domainname);
	char buf[80];
	memset(buf, 'n', sizeof(buf));
	T(sethostname(buf, 64));
	MUST(uname(&u));
	P("nodename length", "%zu", strlen(u.nodename));
	T(sethostname(buf, 65));
	T(syscall(SYS_sethostname, BADP, 5));
	T(syscall(SYS_setdomainname, BADP, 5));
	T(sethostname("", 0));
	MUST(uname(&u));
	P("empty nodename", "%zu", strlen(u.nodename));
	fflush(stdout);
	if (fork() == 0) {
		MUST(setuid(65534));
		T(sethostname("x", 1));
		T(setdomainname("x", 1));
		fflush(stdout);
		_exit(0);
	}
	MUST(wait(NULL));
}

int main(void)
{
	struct utsname u;
	memset(&u, 'X', sizeof u);
	T(syscall(SYS_uname, &u));
	P("sysname", "%s", u.sysname);
	P("machine", "%s", u.machine);
	/* the rest is the host's or persona's; check it is there and ended */
	P("release non-empty", "%d", u.release[0] != 0 && memchr(u.release, 0, sizeof u.release) != NULL);
	P("version non-empty", "%d", u.version[0] != 0 && memchr(u.version, 0, sizeof u.version) != NULL);
	P("nodename ended", "%d", memchr(u.nodename, 0, sizeof u.nodename) != NULL);
	P("domainname ended", "%d", memchr(u.domainname, 0, sizeof u.domainname) != NULL);
	/* glibc checks the release is at least 2.6.32-ish: first char a digit */
	P("release starts with digit", "%d", u.release[0] >= '1' && u.release[0] <= '9');
	T(syscall(SYS_uname, BADP));
	T(syscall(SYS_uname, NULL));
	fflush(stdout);
	/* in a child: its UTS namespace (natively) ends with it */
	if (fork() == 0) {
		set_names();
		fflush(stdout);
		_exit(0);
	}
	MUST(wait(NULL));
	return 0;
}
