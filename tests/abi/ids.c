/* ids: getpid getppid gettid getuid geteuid getgid getegid getgroups
 * set_tid_address. Under persona the first program is pid 1 of its own
 * pid space, so pids are compared, never printed. Credentials are those of
 * the user running the test, natively and in the guest. */
#include "abi.h"

int main(void)
{
	SECTION("pids");
	long pid = syscall(SYS_getpid), tid = syscall(SYS_gettid);
	P("getpid == gettid", "%d", pid == tid);
	P("getpid > 0", "%d", pid > 0);
	P("getpid stable", "%d", syscall(SYS_getpid) == pid);
	P("getppid >= 0", "%d", syscall(SYS_getppid) >= 0);
	P("getppid != getpid", "%d", syscall(SYS_getppid) != pid);
	P("libc getpid agrees", "%d", getpid() == pid);
	/* set_tid_address returns the caller's tid */
	static int tidword;
	P("set_tid_address == gettid", "%d", syscall(SYS_set_tid_address, &tidword) == tid);
	P("set_tid_address(NULL) == gettid", "%d", syscall(SYS_set_tid_address, NULL) == tid);
	/* left bad on purpose: the kernel must ignore it when the process exits */
	P("set_tid_address(BADP) == gettid", "%d", syscall(SYS_set_tid_address, BADP) == tid);

	SECTION("credentials");
	long uid = syscall(SYS_getuid), euid = syscall(SYS_geteuid);
	long gid = syscall(SYS_getgid), egid = syscall(SYS_getegid);
	P("uid", "%ld", uid);
	P("euid", "%ld", euid);
	P("gid", "%ld", gid);
	P("egid", "%ld", egid);

	SECTION("getgroups");
	gid_t list[256];
	long n = T(syscall(SYS_getgroups, 0, NULL));
	long m = T(syscall(SYS_getgroups, 256, list));
	P("count agrees", "%d", n == m);
	for (long i = 0; i < m; i++)
		P("group", "%u", list[i]);
	T(syscall(SYS_getgroups, -1, list));
	T(syscall(SYS_getgroups, 1 << 20, list));  /* larger than needed is fine */
	/* with no groups nothing is written, so BADP gives 0, not EFAULT */
	T(syscall(SYS_getgroups, 256, BADP));
	if (n >= 2)
		T(syscall(SYS_getgroups, 1, list));  /* too small */
	return 0;
}
