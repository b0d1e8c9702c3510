/* pkey: pkey_alloc, pkey_free and pkey_mprotect. persona answers as Linux
 * on an x86_64 CPU without protection keys. Where Linux's answer depends
 * on the CPU (with PKU key 0 is allocated from the start and pkey_alloc
 * gives keys 1-15; without it nothing is allocated, pkey_alloc is EINVAL,
 * or ENOSPC from a kernel built without keys) the line accepts each of
 * Linux's answers and says so; the rest is the same everywhere: bad flags
 * and rights, keys never allocated, pkey_mprotect's own checks in Linux's
 * order, and key -1 as mprotect. */
#include "abi.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define pkey_alloc_(f, r) syscall(SYS_pkey_alloc, f, r)
#define pkey_free_(k) syscall(SYS_pkey_free, k)
#define pkey_mprotect_(p, l, prot, k) syscall(SYS_pkey_mprotect, p, l, prot, k)

/* A call whose answer the CPU decides: `ok` for a CPU with keys (a value
 * from lo to hi), the errors of one without; one line for all. */
#define EITHER(expr, lo, hi) do { errno = 0; long r_ = (expr); \
	if ((r_ >= (lo) && r_ <= (hi)) || (r_ == -1 && (errno == EINVAL || errno == ENOSPC))) \
		printf("%s = %ld..%ld (PKU) or -1 (no PKU)\n", #expr, (long)(lo), (long)(hi)); \
	else abi_show(#expr, r_, errno); } while (0)

/* Whether a write to p kills a child with SIGSEGV. */
static void write_faults(const char *label, char *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		*(volatile char *)p = 1;
		_exit(0);
	}
	int st;
	MUST(waitpid(pid, &st, 0));
	P(label, "%s", WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? "SIGSEGV" : "written");
}

int main(void)
{
	char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 99;

	SECTION("pkey_alloc");
	errno = 0;
	long k = pkey_alloc_(0, 0);
	EITHER(k, 1, 15);
	if (k > 0)
		pkey_free_(k);
	T(pkey_alloc_(1, 0));
	T(pkey_alloc_(0, 4));
	T(pkey_alloc_(0, 1UL << 32));
	T(pkey_alloc_(~0UL, 0));

	SECTION("pkey_free");
	T(pkey_free_(-1));
	T(pkey_free_(1));
	T(pkey_free_(15));
	T(pkey_free_(16));
	T(pkey_free_(1000));
	T(pkey_free_(1UL << 32 | 3));

	SECTION("pkey_mprotect");
	T(pkey_mprotect_(p, 4096, PROT_READ, -1));
	write_faults("key -1, PROT_READ", p);
	T(pkey_mprotect_(p, 4096, PROT_READ | PROT_WRITE, -1));
	write_faults("key -1, PROT_READ|PROT_WRITE", p);
	EITHER(pkey_mprotect_(p, 4096, PROT_READ, 0), 0, 0);
	T(pkey_mprotect_(p, 4096, PROT_READ, 1));
	T(pkey_mprotect_(p, 4096, PROT_READ, 16));
	T(pkey_mprotect_(p, 4096, PROT_READ, -2));
	T(pkey_mprotect_(p, 0, PROT_READ, 7));		/* nothing to do: 0 */
	T(pkey_mprotect_(p + 1, 4096, PROT_READ, -1));
	T(pkey_mprotect_(p + 1, 4096, PROT_READ, 7));
	T(pkey_mprotect_(p, 4096, 0x100, -1));
	T(pkey_mprotect_(p, 4096, 0x100, 7));
	T(pkey_mprotect_(p, 4096, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP, 7));
	T(pkey_mprotect_(p, ~0UL - 4096, PROT_READ, 7));
	T(pkey_mprotect_((char *)BADP - 1 + 4096 * 16, 4096, PROT_READ, -1));
	T(pkey_mprotect_((char *)BADP - 1 + 4096 * 16, 4096, PROT_READ, 3));
	T(pkey_mprotect_(p, ~0UL - 4096, PROT_READ, -1));
	return 0;
}
