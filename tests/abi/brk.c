/* brk: the program break moves up and down; a failed move returns the old
 * break. Only differences between breaks are printed. */
#include "abi.h"
#include <sys/mman.h>

static long brk_(long addr) { return syscall(SYS_brk, addr); }

int main(void)
{
	scratch();
	int sink;
	MUST(sink = open("sink", O_WRONLY | O_CREAT, 0644));
	long b0 = brk_(0);
	P("brk(0) == brk(0)", "%d", brk_(0) == b0);
	P("above the program", "%d", b0 > (long)&main);
	long b1 = brk_(b0 + 3 * 4096 + 100);
	P("grow", "%ld", b1 - b0);
	char *p = (char *)b0;
	P("new memory is zero", "%d", p[0] == 0 && p[3 * 4096 + 99] == 0);
	memset(p, 'b', 3 * 4096 + 100);
	/* the page that holds the break is mapped up to its end */
	long pageend = (b1 + 4095) & ~4095L;
	P("last page mapped", "%ld", pwrite(sink, (char *)pageend - 1, 1, 0));
	errno = 0;
	long r = pwrite(sink, (char *)pageend, 1, 0);
	printf("past last page: %ld %s\n", r, r < 0 ? ename(errno) : "");
	/* shrink: the pages go away */
	long b2 = brk_(b0 + 4096);
	P("shrink", "%ld", b2 - b0);
	errno = 0;
	r = pwrite(sink, (char *)b0 + 2 * 4096, 1, 0);
	printf("freed page: %ld %s\n", r, r < 0 ? ename(errno) : "");
	/* grow again: memory is zero, not the old contents */
	long b3 = brk_(b0 + 3 * 4096);
	P("regrow", "%ld", b3 - b0);
	P("regrown page is zero", "%d", p[2 * 4096] == 0);
	P("kept page", "%c", p[10]);
	/* impossible requests return the current break */
	P("brk below start", "%ld", brk_(b0 - 4096 * 1024) - b0);
	P("brk(1)", "%ld", brk_(1) - b0);
	P("brk huge", "%ld", brk_(1L << 46) - b0);
	P("brk negative", "%ld", brk_(-4096) - b0);
	/* a mapping in the way stops the break */
	void *m = mmap((char *)b0 + 16 * 4096, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	P("blocker mapped", "%d", m != MAP_FAILED);
	P("brk into mapping", "%ld", brk_(b0 + 20 * 4096) - b0);
	/* Linux keeps one free page between the break and the next mapping */
	P("brk up to mapping", "%ld", brk_(b0 + 16 * 4096) - b0);
	P("brk one page short", "%ld", brk_(b0 + 15 * 4096) - b0);
	P("back to start", "%ld", brk_(b0) - b0);
	/* malloc still works on top of whatever state we left */
	char *q = malloc(100000);
	P("malloc", "%d", q != NULL);
	free(q);
	return 0;
}
