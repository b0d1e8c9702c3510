/* rlimit_mem: RLIMIT_AS bounds the whole address space (mmap, mremap,
 * brk; mapping over what is mapped already costs nothing), RLIMIT_DATA
 * the private writable part (not shared memory, not a MAP_GROWSDOWN
 * stack; mprotect that makes a mapping writable counts too). The limits
 * leave hundreds of MiB of slack either way, so the sizes of the test's
 * own program, heap and stack don't matter. Addresses are never printed. */
#include "abi.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#define MiB (1UL << 20)

static void *map_show(const char *label, size_t len, int prot, int flags)
{
	void *p = mmap(NULL, len, prot, flags, -1, 0);
	printf("%s: %s\n", label, p == MAP_FAILED ? ename(errno) : "mapped");
	return p;
}

static void *remap_show(const char *label, void *p, size_t old, size_t len)
{
	void *q = mremap(p, old, len, MREMAP_MAYMOVE);
	printf("%s: %s\n", label, q == MAP_FAILED ? ename(errno) : "moved or grew");
	return q == MAP_FAILED ? p : q;
}

static void brk_show(const char *label, size_t more)
{
	unsigned long cur = syscall(SYS_brk, 0);
	unsigned long got = syscall(SYS_brk, cur + more);
	printf("%s: %s\n", label, got == cur + more ? "grew" : got == cur ? "unchanged" : "?");
	syscall(SYS_brk, cur);
}

static void set_soft(int res, rlim_t n)
{
	struct rlimit r;
	MUST(getrlimit(res, &r));
	r.rlim_cur = n;
	MUST(setrlimit(res, &r));
}

static void in_child(void (*fn)(void))
{
	pid_t pid = fork();
	if (pid == 0) {
		fn();
		exit(0);
	}
	int st;
	MUST(waitpid(pid, &st, 0));
	P("child", "exited=%d code=%d", WIFEXITED(st), WEXITSTATUS(st));
}

#define RW (PROT_READ | PROT_WRITE)
#define PRIV (MAP_PRIVATE | MAP_ANONYMOUS)

static void as_limit(void)
{
	SECTION("RLIMIT_AS 1 GiB");
	set_soft(RLIMIT_AS, 1024 * MiB);
	map_show("2 GiB PROT_NONE", 2048 * MiB, PROT_NONE, PRIV | MAP_NORESERVE);
	void *p = map_show("256 MiB", 256 * MiB, RW, PRIV);
	map_show("1 GiB more", 1024 * MiB, RW, PRIV);
	map_show("1 GiB shared", 1024 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS);
	p = remap_show("mremap to 1 GiB", p, 256 * MiB, 1024 * MiB);
	p = remap_show("mremap to 512 MiB", p, 256 * MiB, 512 * MiB);
	void *q = mmap(p, 512 * MiB, RW, PRIV | MAP_FIXED, -1, 0);
	printf("MAP_FIXED over it: %s\n", q == MAP_FAILED ? ename(errno) : "mapped");
	brk_show("brk + 768 MiB", 768 * MiB);
	brk_show("brk + 64 MiB", 64 * MiB);
	munmap(p, 512 * MiB);
	map_show("after munmap, 768 MiB", 768 * MiB, RW, PRIV);
}

static void data_limit(void)
{
	SECTION("RLIMIT_DATA 256 MiB");
	set_soft(RLIMIT_DATA, 256 * MiB);
	map_show("512 MiB private writable", 512 * MiB, RW, PRIV);
	void *ro = map_show("512 MiB read-only", 512 * MiB, PROT_READ, PRIV);
	T(mprotect(ro, 512 * MiB, RW));
	T(mprotect(ro, 64 * MiB, RW));
	map_show("512 MiB shared writable", 512 * MiB, RW, MAP_SHARED | MAP_ANONYMOUS);
	map_show("512 MiB MAP_GROWSDOWN", 512 * MiB, RW, PRIV | MAP_GROWSDOWN);
	map_show("128 MiB private writable", 128 * MiB, RW, PRIV);
	map_show("128 MiB more", 128 * MiB, RW, PRIV);
	brk_show("brk + 128 MiB", 128 * MiB);
	brk_show("brk + 16 MiB", 16 * MiB);
}

int main(void)
{
	in_child(as_limit);
	in_child(data_limit);
	return 0;
}
