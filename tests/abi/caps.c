/* caps: capget(2) and the capability lines of /proc/<pid>/status, as the
 * uids move them (man 7 capabilities, "Effect of user ID changes on
 * capabilities"): header versions, pids, bad pointers, PR_CAPBSET_READ.
 * The sets themselves are whatever the test was started with (root's
 * are the container's), so they are printed as they are. */
#include "abi.h"
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/wait.h>

static void show(const char *label, pid_t pid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, pid };
	struct __user_cap_data_struct d[2];
	long r = syscall(SYS_capget, &h, d);
	if (r)
		printf("%s: capget = -1 %s\n", label, ename(errno));
	else
		printf("%s: eff %08x%08x prm %08x%08x inh %08x%08x\n", label, d[1].effective,
		       d[0].effective, d[1].permitted, d[0].permitted, d[1].inheritable,
		       d[0].inheritable);
}

static void status_lines(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	while (f && fgets(line, sizeof(line), f))
		if (strncmp(line, "Cap", 3) == 0)
			printf("status %s", line);
	if (f)
		fclose(f);
}

static void versions(void)
{
	SECTION("versions and arguments");
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_1, 0 };
	struct __user_cap_data_struct d[2];
	memset(d, 0xee, sizeof(d));
	T(syscall(SYS_capget, &h, d));
	P("version 1 fills one set, the second untouched", "%d", d[1].effective == 0xeeeeeeee);
	h.version = _LINUX_CAPABILITY_VERSION_2;
	T(syscall(SYS_capget, &h, d));
	h.version = 0x12345678;
	T(syscall(SYS_capget, &h, d));
	P("the version it wants", "%#x", h.version);
	h.version = 0x12345678;
	T(syscall(SYS_capget, &h, NULL));
	P("the version it wants", "%#x", h.version);
	h.version = _LINUX_CAPABILITY_VERSION_3;
	T(syscall(SYS_capget, &h, NULL));
	h.pid = -1;
	T(syscall(SYS_capget, &h, d));
	h.pid = 999999;
	T(syscall(SYS_capget, &h, d));
	h.pid = 0;
	T(syscall(SYS_capget, BADP, d));
	T(syscall(SYS_capget, &h, BADP));
	T(prctl(PR_CAPBSET_READ, 0));
	T(prctl(PR_CAPBSET_READ, 200));
}

static void by_uid(void)
{
	SECTION("as the uids change");
	show("self", 0);
	status_lines();
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		show("child, asked by itself", 0);
		fflush(stdout);
		if (getuid() == 0) {
			T(seteuid(1000));	/* effective set gone, permitted kept */
			show("euid 1000", 0);
			status_lines();
			T(seteuid(0));		/* back: effective = permitted */
			show("euid 0 again", 0);
			T(setresuid(1000, 1000, 1000));	/* all gone */
			show("all uids 1000", 0);
			status_lines();
		}
		fflush(stdout);
		_exit(0);
	}
	int st;
	MUST(waitpid(pid, &st, 0));
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	show("a child, asked by its parent", pid);
	kill(pid, SIGKILL);
	MUST(waitpid(pid, &st, 0));
}

int main(void)
{
	versions();
	by_uid();
	return 0;
}
