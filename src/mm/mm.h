/* A guest address space: the kernel's map of it (VMAs) and the host
 * process whose memory it is. The kernel decides every address itself and
 * makes the host mapping match with MAP_FIXED calls run inside the guest
 * process, so the VMA tree is the truth and /proc/pid/maps is built from
 * it. */
#pragma once
#include "task.h"
#include <sys/mman.h>

struct file;

#define TASK_SIZE	0x7ffffffff000UL
/* Nothing is ever mapped below this (Linux's vm.mmap_min_addr default):
 * a NULL pointer stays a fault, and no guest code can run at address 0. */
#define MMAP_MIN_ADDR	0x10000UL

enum vma_kind { VMA_NORMAL, VMA_HEAP, VMA_STACK, VMA_VDSO, VMA_VVAR, VMA_STUB };

struct vma {
	uaddr_t start, end;
	int prot;
	int flags;		/* MAP_SHARED / MAP_PRIVATE / MAP_ANONYMOUS ... */
	enum vma_kind kind;
	struct file *file;	/* a reference, or NULL for anonymous memory */
	uint64_t pgoff;		/* byte offset into the file of `start` */
	uint64_t shared_id;	/* MAP_SHARED anonymous: which region (futex keys) */
	/* The tree (vma.c): links, AVL height, and the subtree's lowest
	 * start, highest end and largest hole between neighbours. */
	struct vma *left, *right, *parent;
	int height;
	uaddr_t sub_start, sub_end, sub_gap;
};

struct mm {
	int refs;
	struct vma *vmas;	/* the root of the tree, by address */
	uaddr_t mmap_base;	/* top-down search starts below this */
	uaddr_t brk_start, brk;
	uaddr_t stack_top;
	uaddr_t vdso_base;
	uaddr_t arg_start, arg_end, env_start, env_end;
	bool lock_future;	/* mlockall(MCL_FUTURE): new mappings are locked */
	/* membarrier registrations (kernel/membarrier.c) in Linux's
	 * MEMBARRIER_STATE_* bits: kept by fork, dropped by exec. */
	int membarrier_state;
	/* Pages mapped (persona's stub aside), in data mappings, and locked:
	 * kept by vma.c as VMAs come and go, for the rlimits' O(1) checks. */
	size_t total_pages, data_pages, locked_pages;
	/* Patched system calls (patch.c): the table this address space
	 * shares with its forks, and its sites' counts of trapped calls. */
	struct patch_table *patch;
	struct patch_sites *sites;
	bool no_patch;		/* never again: no room, or something in the way */
};

/* A private writable mapping that is not a stack: what RLIMIT_DATA counts
 * (Linux's is_data_mapping). */
static inline bool vma_is_data(int prot, int flags, enum vma_kind kind)
{
	return (prot & PROT_WRITE) && !(flags & (MAP_SHARED | MAP_GROWSDOWN)) && kind != VMA_STACK;
}

/* patch.c: at each system call the platform reports (fast: through a
 * patched site's fast entry), before the kernel runs it. */
void patch_syscall_entry(struct task *t, bool fast);
struct patch_table *patch_get(struct patch_table *pt);
void patch_put(struct patch_table *pt);
bool patch_is_table(const struct vma *v);
void patch_sites_free(struct mm *mm);
/* A VMA of persona's own (kind VMA_STUB) the guest cannot touch. */
void mm_add_stub(struct mm *mm, uaddr_t start, uaddr_t end, int prot);

struct mm *mm_new(void);
void mm_put(struct mm *mm);
struct mm *mm_dup(struct mm *old);
/* Learns the host-made parts of a fresh stub process (vDSO, vvar, stub)
 * and removes the host's own stack. */
int mm_adopt_stub(struct task *t, struct mm *mm);
/* For an exec in the caller's own host process: `mm` gets the host-made
 * parts of `old`, and everything else goes from the host process. */
int mm_exec_reset(struct task *t, struct mm *old, struct mm *mm);

/* The mmap family, on kernel arguments. All return an address or -errno. */
long do_mmap(struct task *t, uaddr_t addr, size_t len, int prot, int flags,
	     struct file *f, uint64_t off);
long do_munmap(struct task *t, uaddr_t addr, size_t len);
long do_mprotect(struct task *t, uaddr_t addr, size_t len, int prot);
/* mprotect with a protection key (-1: none), as pkey_mprotect. */
long do_mprotect_pkey(struct task *t, uaddr_t addr, size_t len, int prot, int pkey);
/* RLIMIT_AS and RLIMIT_DATA (limits.c): may `p` map [start, start+len)
 * (what is mapped there already doesn't count twice), grow a mapping by
 * `len`, or make [start, end) `prot`? 0 or -ENOMEM. */
int mm_may_map(struct process *p, uaddr_t start, size_t len, int prot, int flags);
int mm_may_grow(struct process *p, size_t len, int prot, int flags);
int mm_may_protect(struct process *p, uaddr_t start, uaddr_t end, int prot);
/* RLIMIT_MEMLOCK for a new mapping of `len` bytes, locked by MAP_LOCKED
 * in `flags` or by mlockall(MCL_FUTURE) (mlock.c): 0, -EPERM or -EAGAIN. */
int mm_may_lock(struct process *p, int flags, size_t len);
/* The VMA tree (vma.c); every call is O(log n) in the number of VMAs. */
/* Finds the highest free range of `len` bytes below the mmap base; 0 if none. */
uaddr_t mm_get_unmapped(struct mm *mm, size_t len);
/* The VMA holding addr, or NULL. */
struct vma *vma_find(struct mm *mm, uaddr_t addr);
/* The first VMA that ends above addr (holds it or lies above it), or NULL. */
struct vma *vma_find_from(struct mm *mm, uaddr_t addr);
/* Whether no VMA meets [start, end). */
bool range_free(struct mm *mm, uaddr_t start, uaddr_t end);
/* Whether every page of [start, end) is mapped, none of it persona's stub
 * (what mprotect and mlock ask of their range, as Linux's ENOMEM). */
bool range_mapped(struct mm *mm, uaddr_t start, uaddr_t end);
/* Adds n (which overlaps no VMA) to the tree; takes it out again. */
void vma_insert(struct mm *mm, struct vma *n);
void vma_unlink(struct mm *mm, struct vma *v);
/* Moves v's end (not past its neighbour). */
void vma_set_end(struct mm *mm, struct vma *v, uaddr_t end);
/* Changes v's protection or flags (the page counts follow). */
void vma_set_prot(struct mm *mm, struct vma *v, int prot);
void vma_set_flags(struct mm *mm, struct vma *v, int flags);
/* The VMAs meeting [start, end), cut so that none sticks out of it: the
 * first one, the others follow with vma_next() while v->start < end. */
struct vma *vma_clip_range(struct mm *mm, uaddr_t start, uaddr_t end);
/* Splits `v` at `addr` (inside it); returns the upper half. */
struct vma *vma_split(struct mm *mm, struct vma *v, uaddr_t addr);
/* In address order: for (v = vma_first(mm); v; v = vma_next(v)). */
struct vma *vma_first(struct mm *mm);
struct vma *vma_next(struct vma *v);
#define vma_for_each(v, mm) for ((v) = vma_first(mm); (v); (v) = vma_next(v))
/* Writes /proc/<pid>/maps. */
void mm_show_maps(struct mm *mm, struct sbuf *out);
