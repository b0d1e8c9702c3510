/* rlimit: getrlimit setrlimit prlimit64, and RLIMIT_NOFILE enforced by
 * open/dup. Inherited limits depend on the runner, so they are set before
 * they are printed. glibc's getrlimit/setrlimit use prlimit64, so the
 * legacy calls are raw. */
#include "abi.h"
#include <sys/resource.h>

static struct rlimit orig;

/* the hard limit is inherited, so it is compared, not printed */
static void show_lim(const char *label, struct rlimit *r)
{
	printf("%s: cur=%lu max_is_orig=%d\n", label, (unsigned long)r->rlim_cur,
	       r->rlim_max == orig.rlim_max);
}

int main(void)
{
	scratch();
	struct rlimit r;
	SECTION("getrlimit/setrlimit");
	T(syscall(SYS_getrlimit, RLIMIT_NOFILE, &orig));
	P("cur <= max", "%d", orig.rlim_cur <= orig.rlim_max);
	r.rlim_cur = 64;
	r.rlim_max = orig.rlim_max;
	T(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));
	T(syscall(SYS_getrlimit, RLIMIT_NOFILE, &r));
	P("cur", "%lu", (unsigned long)r.rlim_cur);
	P("max kept", "%d", r.rlim_max == orig.rlim_max);
	r.rlim_cur = r.rlim_max + 1;        /* soft above hard */
	if (r.rlim_max != RLIM_INFINITY)
		T(syscall(SYS_setrlimit, RLIMIT_NOFILE, &r));
	else
		printf("(hard limit infinite)\n");
	T(syscall(SYS_getrlimit, 99, &r));
	T(syscall(SYS_setrlimit, 99, &r));
	T(syscall(SYS_getrlimit, -1, &r));
	T(syscall(SYS_getrlimit, RLIMIT_NOFILE, BADP));
	T(syscall(SYS_setrlimit, RLIMIT_NOFILE, BADP));

	SECTION("other resources");
	/* set the soft limit to the hard one (or a large value) and read it
	 * back; small values would get in the way of the test itself */
	static const struct { int res; const char *name; } res[] = {
		{ RLIMIT_STACK, "STACK" }, { RLIMIT_CORE, "CORE" },
		{ RLIMIT_FSIZE, "FSIZE" }, { RLIMIT_DATA, "DATA" },
		{ RLIMIT_AS, "AS" }, { RLIMIT_NPROC, "NPROC" },
		{ RLIMIT_MEMLOCK, "MEMLOCK" }, { RLIMIT_CPU, "CPU" },
	};
	for (size_t i = 0; i < sizeof res / sizeof *res; i++) {
		struct rlimit cur, want, got;
		MUST(syscall(SYS_getrlimit, res[i].res, &cur));
		want.rlim_max = cur.rlim_max;
		want.rlim_cur = cur.rlim_max == RLIM_INFINITY ? 1UL << 40 : cur.rlim_max;
		long s = syscall(SYS_setrlimit, res[i].res, &want);
		MUST(syscall(SYS_getrlimit, res[i].res, &got));
		printf("%s: set=%ld same=%d\n", res[i].name, s,
		       got.rlim_cur == want.rlim_cur && got.rlim_max == want.rlim_max);
	}

	SECTION("prlimit64");
	struct rlimit old, nw = { 32, 0 };
	T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, &old));
	show_lim("old", &old);
	nw.rlim_max = old.rlim_max;
	T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &nw, &old));
	show_lim("returned old", &old);
	T(syscall(SYS_prlimit64, getpid(), RLIMIT_NOFILE, NULL, &old));
	show_lim("by own pid", &old);
	T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, NULL));
	T(syscall(SYS_prlimit64, 0, 99, NULL, &old));
	T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, BADP, NULL));
	T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, NULL, BADP));
	T(syscall(SYS_prlimit64, 999999999, RLIMIT_NOFILE, NULL, &old));
	nw.rlim_cur = 100;
	nw.rlim_max = 50;
	T(syscall(SYS_prlimit64, 0, RLIMIT_NOFILE, &nw, NULL));
	T(getrlimit(RLIMIT_NOFILE, &r));
	show_lim("libc getrlimit", &r);

	SECTION("RLIMIT_NOFILE enforced");
	r.rlim_cur = 6;
	T(setrlimit(RLIMIT_NOFILE, &r));
	put_file("f", "x");
	/* 0-2 are open; 3, 4, 5 fit, 6 does not */
	T(open("f", O_RDONLY));
	T(open("f", O_RDONLY));
	T(open("f", O_RDONLY));
	T(open("f", O_RDONLY));
	T(dup(3));
	T(syscall(SYS_dup2, 3, 6));
	T(syscall(SYS_dup2, 3, 5));
	T(fcntl(3, F_DUPFD, 6));
	T(fcntl(3, F_DUPFD, 0));
	T(close(5));
	T(fcntl(3, F_DUPFD, 0));
	/* raising it again lets open succeed */
	r.rlim_cur = 10;
	T(setrlimit(RLIMIT_NOFILE, &r));
	T(open("f", O_RDONLY));
	return 0;
}
