/* RLIMIT_AS and RLIMIT_DATA, as Linux's may_expand_vm: the address space
 * may not grow past RLIMIT_AS in all, nor its private writable mappings
 * (heap, .data, anonymous memory; not stacks, not shared memory) past
 * RLIMIT_DATA. Sizes are in pages, as Linux compares them. persona's own
 * stub is not the guest's and does not count. */
#include "mm.h"
#include <sys/mman.h>
#include <sys/resource.h>

/* Pages already mapped in [start, end): mapping there again replaces them
 * (Linux's count_vma_pages_range). O(VMAs in the range). */
static size_t pages_in(struct mm *mm, uaddr_t start, uaddr_t end)
{
	size_t n = 0;
	for (struct vma *v = vma_find_from(mm, start); v && v->start < end; v = vma_next(v))
		if (v->kind != VMA_STUB)
			n += (MIN(v->end, end) - MAX(v->start, start)) / PAGE_SIZE;
	return n;
}

static int may_expand(struct process *p, size_t total, size_t data, size_t pages, bool data_pages)
{
	const struct rlimit *as = &p->rlim[RLIMIT_AS], *dl = &p->rlim[RLIMIT_DATA];
	if (total + pages > as->rlim_cur / PAGE_SIZE)
		return -ENOMEM;
	/* A data limit of 0 lets the hard limit rule (an old Valgrind's way
	 * of living with it, which Linux keeps). */
	if (data_pages && data + pages > dl->rlim_cur / PAGE_SIZE &&
	    (dl->rlim_cur != 0 || data + pages > dl->rlim_max / PAGE_SIZE))
		return -ENOMEM;
	return 0;
}

int mm_may_map(struct process *p, uaddr_t start, size_t len, int prot, int flags)
{
	struct mm *mm = p->mm;
	size_t over = pages_in(mm, start, start + len);
	return may_expand(p, mm->total_pages, mm->data_pages, len / PAGE_SIZE - over,
			  vma_is_data(prot, flags, VMA_NORMAL));
}

int mm_may_grow(struct process *p, size_t len, int prot, int flags)
{
	return may_expand(p, p->mm->total_pages, p->mm->data_pages, len / PAGE_SIZE,
			  vma_is_data(prot, flags, VMA_NORMAL));
}

int mm_may_protect(struct process *p, uaddr_t start, uaddr_t end, int prot)
{
	size_t more = 0;
	for (struct vma *v = vma_find_from(p->mm, start); v && v->start < end; v = vma_next(v))
		if (!vma_is_data(v->prot, v->flags, v->kind) && vma_is_data(prot, v->flags, v->kind))
			more += (MIN(v->end, end) - MAX(v->start, start)) / PAGE_SIZE;
	if (!more)
		return 0;
	/* Only the data limit: the space is mapped already. */
	size_t data = p->mm->data_pages;
	const struct rlimit *dl = &p->rlim[RLIMIT_DATA];
	if (data + more > dl->rlim_cur / PAGE_SIZE &&
	    (dl->rlim_cur != 0 || data + more > dl->rlim_max / PAGE_SIZE))
		return -ENOMEM;
	return 0;
}
