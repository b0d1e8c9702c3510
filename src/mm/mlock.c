/* mlock, mlock2, munlock, mlockall, munlockall and MAP_LOCKED, held to
 * RLIMIT_MEMLOCK as Linux holds them (CAP_IPC_LOCK is exempt; a limit of
 * 0 without it is EPERM). A locked VMA carries MAP_LOCKED in its flags.
 * persona keeps the account only: the host is never asked to lock guest
 * memory, which would let a guest pin the host's RAM with persona's own
 * privileges. */
#include "mm.h"
#include "ksyscall.h"
#include <sys/mman.h>
#include <sys/resource.h>
#include <linux/capability.h>

#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif
#ifndef MCL_ONFAULT
#define MCL_ONFAULT 4
#endif

/* Locked pages in [start, end). O(VMAs in the range). */
static size_t locked_pages(struct mm *mm, uaddr_t start, uaddr_t end)
{
	size_t n = 0;
	for (struct vma *v = vma_find_from(mm, start); v && v->start < end; v = vma_next(v))
		if (v->flags & MAP_LOCKED)
			n += (MIN(v->end, end) - MAX(v->start, start)) / PAGE_SIZE;
	return n;
}

static size_t lock_limit(struct process *p)
{
	return p->rlim[RLIMIT_MEMLOCK].rlim_cur / PAGE_SIZE;
}

static bool can_do_mlock(struct process *p)
{
	return p->rlim[RLIMIT_MEMLOCK].rlim_cur != 0 || capable(p, CAP_IPC_LOCK);
}

int mm_may_lock(struct process *p, int flags, size_t len)
{
	if ((flags & MAP_LOCKED) && !can_do_mlock(p))
		return -EPERM;
	if (!(flags & MAP_LOCKED) && !p->mm->lock_future)
		return 0;
	if (capable(p, CAP_IPC_LOCK))
		return 0;
	return p->mm->locked_pages + len / PAGE_SIZE > lock_limit(p) ? -EAGAIN : 0;
}

/* Sets or clears the lock on [start, end), which must be mapped whole. */
static int set_locked(struct mm *mm, uaddr_t start, uaddr_t end, bool on)
{
	if (!range_mapped(mm, start, end))
		return -ENOMEM;
	for (struct vma *v = vma_clip_range(mm, start, end); v && v->start < end; v = vma_next(v))
		vma_set_flags(mm, v, on ? v->flags | MAP_LOCKED : v->flags & ~MAP_LOCKED);
	return 0;
}

static long do_mlock(struct task *t, uaddr_t addr, size_t len)
{
	struct process *p = t->proc;
	if (!can_do_mlock(p))
		return -EPERM;
	uaddr_t start = PAGE_DOWN(addr);
	if (len > TASK_SIZE || addr + len < addr)
		return -ENOMEM;
	uaddr_t end = PAGE_ALIGN(addr + len);
	if (end == start)
		return 0;
	/* What is locked already in the range doesn't count twice. */
	size_t want = p->mm->locked_pages + (end - start) / PAGE_SIZE -
		      locked_pages(p->mm, start, end);
	if (want > lock_limit(p) && !capable(p, CAP_IPC_LOCK))
		return -ENOMEM;
	return set_locked(p->mm, start, end, true);
}

long sys_mlock(struct task *t, const struct sysargs *a)
{
	return do_mlock(t, a->a[0], a->a[1]);
}

long sys_mlock2(struct task *t, const struct sysargs *a)
{
	if (a->a[2] & ~(uint64_t)MLOCK_ONFAULT)
		return -EINVAL;
	return do_mlock(t, a->a[0], a->a[1]);
}

long sys_munlock(struct task *t, const struct sysargs *a)
{
	uaddr_t addr = a->a[0];
	size_t len = a->a[1];
	if (len > TASK_SIZE || addr + len < addr)
		return -ENOMEM;
	uaddr_t start = PAGE_DOWN(addr), end = PAGE_ALIGN(addr + len);
	return end == start ? 0 : set_locked(t->proc->mm, start, end, false);
}

long sys_mlockall(struct task *t, const struct sysargs *a)
{
	struct process *p = t->proc;
	int flags = (int)a->a[0];
	if (!flags || (flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT)) || flags == MCL_ONFAULT)
		return -EINVAL;
	if (!can_do_mlock(p))
		return -EPERM;
	if (flags & MCL_CURRENT) {
		struct vma *v;
		if (p->mm->total_pages > lock_limit(p) && !capable(p, CAP_IPC_LOCK))
			return -ENOMEM;
		vma_for_each(v, p->mm)
			if (v->kind != VMA_STUB)
				vma_set_flags(p->mm, v, v->flags | MAP_LOCKED);
	}
	p->mm->lock_future = flags & MCL_FUTURE;
	return 0;
}

long sys_munlockall(struct task *t, const struct sysargs *a UNUSED)
{
	struct vma *v;
	vma_for_each(v, t->proc->mm)
		vma_set_flags(t->proc->mm, v, v->flags & ~MAP_LOCKED);
	t->proc->mm->lock_future = false;
	return 0;
}
