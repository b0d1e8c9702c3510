/* uname: the fields a guest may rely on. */
#include "abi.h"
#include <sys/utsname.h>

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
	return 0;
}
