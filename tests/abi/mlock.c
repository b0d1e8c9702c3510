/* mlock: mlock, mlock2, munlock, mlockall, munlockall and MAP_LOCKED
 * against RLIMIT_MEMLOCK, for a process without CAP_IPC_LOCK (a uid of
 * its own, made from the test's pid): ENOMEM past the limit for mlock
 * (pages locked already don't count twice), EAGAIN for a locked mapping,
 * EPERM for everything when the limit is 0; locks are not inherited by
 * fork. */
#include "abi.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define KiB 1024UL

static void *map_show(const char *label, size_t len, int flags)
{
	void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	printf("%s: %s\n", label, p == MAP_FAILED ? ename(errno) : "mapped");
	return p;
}

static void set_memlock(rlim_t n)
{
	struct rlimit r = { n, n };
	MUST(setrlimit(RLIMIT_MEMLOCK, &r));
}

int main(void)
{
	unsigned uid = 300000 + getpid();
	set_memlock(64 * KiB);
	MUST(setresuid(uid, uid, uid));
	char *p = map_show("256 KiB", 256 * KiB, 0);
	char *hole = map_show("a hole", 4 * KiB, 0);
	MUST(munmap(hole, 4 * KiB));

	SECTION("mlock");
	T(mlock(p, 64 * KiB));
	T(mlock(p + 64 * KiB, 1));
	T(mlock(p, 64 * KiB));			/* locked already */
	T(mlock(p + 1, 64 * KiB - 1));		/* the same pages */
	T(munlock(p, 4 * KiB));
	T(mlock(p + 64 * KiB, 4 * KiB));
	T(mlock(p + 64 * KiB, 4 * KiB));
	T(munlock(p, 256 * KiB));
	T(mlock(hole, 4 * KiB));
	T(munlock(hole, 4 * KiB));
	T(mlock(p, 0));
	T(syscall(SYS_mlock2, p, 4 * KiB, 2));
	T(syscall(SYS_mlock2, p, 4 * KiB, 1));	/* MLOCK_ONFAULT */
	T(munlock(p, 4 * KiB));

	SECTION("MAP_LOCKED");
	map_show("128 KiB locked", 128 * KiB, MAP_LOCKED);
	char *l = map_show("32 KiB locked", 32 * KiB, MAP_LOCKED);
	T(mlock(p, 64 * KiB));
	MUST(munmap(l, 32 * KiB));
	T(mlock(p, 64 * KiB));

	SECTION("fork");
	pid_t pid = fork();
	if (pid == 0) {
		/* nothing locked here: the whole limit is free */
		T(mlock(p + 64 * KiB, 64 * KiB));
		_exit(0);
	}
	MUST(waitpid(pid, NULL, 0));
	T(munlock(p, 64 * KiB));

	SECTION("mlockall");
	T(mlockall(0));
	T(mlockall(8));
	T(mlockall(MCL_ONFAULT));
	T(mlockall(MCL_CURRENT));
	T(mlockall(MCL_FUTURE));
	map_show("after MCL_FUTURE, 128 KiB", 128 * KiB, 0);
	char *f = map_show("after MCL_FUTURE, 32 KiB", 32 * KiB, 0);
	T(mlock(p, 64 * KiB));
	T(munlockall());
	map_show("after munlockall, 128 KiB", 128 * KiB, 0);
	T(mlock(p, 64 * KiB));
	munlock(p, 64 * KiB);
	(void)f;

	SECTION("limit 0");
	set_memlock(0);
	T(mlock(p, 4 * KiB));
	map_show("4 KiB locked", 4 * KiB, MAP_LOCKED);
	T(mlockall(MCL_FUTURE));
	T(munlock(p, 4 * KiB));
	T(munlockall());
	return 0;
}
