/* mmap_top: a mapping that does not fit below the top of the user
 * address space (0x7ffffffff000 on x86_64 with 4-level paging) is
 * ENOMEM for MAP_FIXED and MAP_FIXED_NOREPLACE, as Linux's
 * get_unmapped_area answers; a mere hint there is placed elsewhere.
 * (A host with 5-level paging lets MAP_FIXED reach higher: the test
 * assumes 4-level paging, as persona does.) */
#include "abi.h"
#include <sys/mman.h>

#define TOP 0x7ffffffff000UL

static void try(const char *label, unsigned long addr, size_t len, int flags)
{
	errno = 0;
	void *p = mmap((void *)addr, len, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | flags, -1, 0);
	if (p == MAP_FAILED) {
		printf("%s = -1 %s\n", label, ename(errno));
		return;
	}
	printf("%s = mapped%s\n", label, (unsigned long)p == addr ? " there" : " elsewhere");
	munmap(p, len);
}

int main(void)
{
	try("FIXED last page", TOP - 4096, 4096, MAP_FIXED);
	try("FIXED at the top", TOP, 4096, MAP_FIXED);
	try("FIXED across the top", TOP - 4096, 8192, MAP_FIXED);
	try("FIXED at 1<<47", 1UL << 47, 4096, MAP_FIXED);
	try("FIXED far above", 1UL << 56, 4096, MAP_FIXED);
	try("FIXED_NOREPLACE at the top", TOP, 4096, MAP_FIXED_NOREPLACE);
	try("FIXED_NOREPLACE across the top", TOP - 4096, 8192, MAP_FIXED_NOREPLACE);
	try("hint at the top", TOP, 4096, 0);
	return 0;
}
