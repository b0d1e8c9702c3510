/* RLIMIT_AS and RLIMIT_DATA, as Linux's may_expand_vm: the address space
 * may not grow past RLIMIT_AS in all, nor its private writable mappings
 * (heap, .data, anonymous memory; not stacks, not shared memory) past
 * RLIMIT_DATA. Sizes are in pages, as Linux compares them. persona's own
 * stub is not the guest's and does not count. */
#include "mm.h"
#include <sys/mman.h>
#include <sys/resource.h>

static bool is_data(int prot, int flags, enum vma_kind kind)
{
	return (prot & PROT_WRITE) && !(flags & (MAP_SHARED | MAP_GROWSDOWN)) && kind != VMA_STACK;
}

/* The guest's pages in all and in data mappings; `over` gets the pages
 * already mapped in [start, end). */
static void count_pages(struct mm *mm, uaddr_t start, uaddr_t end, size_t *total, size_t *data,
			size_t *over)
{
	struct vma *v;
	*total = *data = *over = 0;
	list_for_each_entry(v, &mm->vmas, node) {
		if (v->kind == VMA_STUB)
			continue;
		size_t n = (v->end - v->start) / PAGE_SIZE;
		*total += n;
		if (is_data(v->prot, v->flags, v->kind))
			*data += n;
		if (v->start < end && v->end > start)
			*over += (MIN(v->end, end) - MAX(v->start, start)) / PAGE_SIZE;
	}
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
	size_t total, data, over;
	count_pages(p->mm, start, start + len, &total, &data, &over);
	return may_expand(p, total, data, len / PAGE_SIZE - over, is_data(prot, flags, VMA_NORMAL));
}

int mm_may_grow(struct process *p, size_t len, int prot, int flags)
{
	size_t total, data, over;
	count_pages(p->mm, 0, 0, &total, &data, &over);
	return may_expand(p, total, data, len / PAGE_SIZE, is_data(prot, flags, VMA_NORMAL));
}

int mm_may_protect(struct process *p, uaddr_t start, uaddr_t end, int prot)
{
	size_t total, data, over, more = 0;
	count_pages(p->mm, 0, 0, &total, &data, &over);
	struct vma *v;
	list_for_each_entry(v, &p->mm->vmas, node)
		if (v->start < end && v->end > start && !is_data(v->prot, v->flags, v->kind) &&
		    is_data(prot, v->flags, v->kind))
			more += (MIN(v->end, end) - MAX(v->start, start)) / PAGE_SIZE;
	if (!more)
		return 0;
	/* Only the data limit: the space is mapped already. */
	const struct rlimit *dl = &p->rlim[RLIMIT_DATA];
	if (data + more > dl->rlim_cur / PAGE_SIZE &&
	    (dl->rlim_cur != 0 || data + more > dl->rlim_max / PAGE_SIZE))
		return -ENOMEM;
	return 0;
}
