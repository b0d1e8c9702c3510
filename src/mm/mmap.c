/* mmap, munmap, mprotect, mremap, madvise, brk. */
#include "mm.h"
#include "ksyscall.h"
#include "platform.h"
#include "../fs/vfs.h"
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/sysmacros.h>

#ifndef PROT_SEM
#define PROT_SEM 0x8
#endif

#define HOST(t, nr, ...) plat_host_syscall((t)->host_tid, nr, __VA_ARGS__)

struct mm *mm_new(void)
{
	struct mm *mm = xzalloc(sizeof(*mm));
	mm->refs = 1;
	return mm;
}

static void vma_free(struct mm *mm, struct vma *v)
{
	vma_unlink(mm, v);
	if (v->file)
		file_put(v->file);
	free(v);
}

void mm_put(struct mm *mm)
{
	if (--mm->refs)
		return;
	while (mm->vmas)
		vma_free(mm, mm->vmas);
	patch_put(mm->patch);
	patch_sites_free(mm);
	free(mm);
}

static struct vma *vma_new(uaddr_t start, uaddr_t end, int prot, int flags,
			   enum vma_kind kind, struct file *f, uint64_t pgoff)
{
	struct vma *v = xzalloc(sizeof(*v));
	v->start = start;
	v->end = end;
	v->prot = prot;
	v->flags = flags;
	v->kind = kind;
	v->file = f ? file_get(f) : NULL;
	v->pgoff = pgoff;
	static uint64_t next_shared_id = 1;
	if ((flags & MAP_SHARED) && !f)
		v->shared_id = next_shared_id++;
	return v;
}

struct vma *vma_split(struct mm *mm, struct vma *v, uaddr_t addr)
{
	struct vma *hi = vma_new(addr, v->end, v->prot, v->flags, v->kind, v->file,
				 v->pgoff + (addr - v->start));
	hi->shared_id = v->shared_id;
	vma_set_end(mm, v, addr);
	vma_insert(mm, hi);
	return hi;
}

struct vma *vma_clip_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v = vma_find_from(mm, start);
	if (!v || v->start >= end)
		return NULL;
	if (v->start < start)
		v = vma_split(mm, v, start);
	struct vma *last = vma_find_from(mm, end - 1);
	if (last && last->start < end && last->end > end)
		vma_split(mm, last, end);
	return v;
}

/* Removes [start, end) from the map (the host side is the caller's). */
static void vma_remove_range(struct mm *mm, uaddr_t start, uaddr_t end)
{
	struct vma *v = vma_clip_range(mm, start, end), *n;
	for (; v && v->start < end; v = n) {
		n = vma_next(v);
		vma_free(mm, v);
	}
}

static bool range_has_stub(struct mm *mm, uaddr_t start, uaddr_t end)
{
	for (struct vma *v = vma_find_from(mm, start); v && v->start < end; v = vma_next(v))
		if (v->kind == VMA_STUB)
			return true;
	return false;
}

/* Maps the host side: anonymous memory, or the file's host fd passed into
 * the guest process for the length of the call. */
static long host_map(struct task *t, uaddr_t addr, size_t len, int prot, int flags,
		     struct file *f, uint64_t off)
{
	int hflags = (flags & (MAP_SHARED | MAP_PRIVATE | MAP_NORESERVE | MAP_POPULATE |
			       MAP_STACK | MAP_GROWSDOWN)) | MAP_FIXED;	/* never MAP_LOCKED: mlock.c */
	if (!f)
		return HOST(t, SYS_mmap, addr, len, prot, hflags | MAP_ANONYMOUS, -1, 0);
	int kfd = file_host_fd(f);
	if (kfd < 0)
		return kfd;
	/* The fd is in the guest process for a moment, where its other
	 * threads could take it off the channel (the systrap stub's calls
	 * are theirs to make): it never grants more than the mapping needs.
	 * A tmpfs file's memfd is writable, whatever the guest opened. */
	int ro = -1;
	if (((flags & MAP_TYPE) == MAP_PRIVATE || (f->flags & O_ACCMODE) == O_RDONLY) &&
	    (fcntl(kfd, F_GETFL) & O_ACCMODE) != O_RDONLY) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", kfd);
		if ((ro = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			return -errno;
		kfd = ro;
	}
	long r = plat_map_fd(t->host_tid, kfd, addr, len, prot, hflags, off);
	if (ro >= 0)
		close(ro);
	return r;
}

long do_mmap(struct task *t, uaddr_t addr, size_t len, int prot, int flags,
	     struct file *f, uint64_t off)
{
	struct mm *mm = t->proc->mm;
	int type = flags & MAP_TYPE;
	if (len == 0 || (off & (PAGE_SIZE - 1)))
		return -EINVAL;
	if (type != MAP_SHARED && type != MAP_PRIVATE && type != MAP_SHARED_VALIDATE)
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM))
		return -EINVAL;
	if (type == MAP_SHARED_VALIDATE && !f)
		return -EINVAL;	/* anonymous memory knows only SHARED and PRIVATE */
	/* READ_IMPLIES_EXEC, unless the file may not be mapped executable. */
	int rie = personality_prot(t->proc, prot);
	if (rie != prot && !(f && file_check_mmap(f, rie, flags)))
		prot = rie;
	if (type == MAP_SHARED_VALIDATE) {
		int known = MAP_SHARED_VALIDATE | MAP_FIXED | MAP_FIXED_NOREPLACE |
			    MAP_ANONYMOUS | MAP_NORESERVE | MAP_POPULATE | MAP_LOCKED |
			    MAP_STACK | MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE |
			    MAP_32BIT | MAP_NONBLOCK | MAP_HUGETLB;
		if (flags & ~known)
			return -EOPNOTSUPP;
		flags = (flags & ~MAP_TYPE) | MAP_SHARED;
	}
	if (len > TASK_SIZE)
		return -ENOMEM;
	len = PAGE_ALIGN(len);
	if (off + len < off)
		return -EOVERFLOW;
	if (f) {
		int e = file_check_mmap(f, prot, flags);
		if (e)
			return e;
	}
	uaddr_t start;
	if (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
		if (addr & (PAGE_SIZE - 1))
			return -EINVAL;
		/* Above the top, as Linux's get_unmapped_area: ENOMEM. */
		if (addr > TASK_SIZE - len)
			return -ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return (flags & MAP_FIXED) ? -EPERM : -ENOMEM;
		if (range_has_stub(mm, addr, addr + len))
			return -ENOMEM;
		if (!(flags & MAP_FIXED) && !range_free(mm, addr, addr + len))
			return -EEXIST;
		start = addr;
	} else {
		addr = PAGE_DOWN(addr);
		if (addr >= MMAP_MIN_ADDR && addr <= TASK_SIZE - len &&
		    range_free(mm, addr, addr + len))
			start = addr;
		else if (!(start = mm_get_unmapped(mm, len)))
			return -ENOMEM;
	}
	long r = mm_may_map(t->proc, start, len, prot, flags);
	if (r == 0 && (r = mm_may_lock(t->proc, flags, len)) == 0 && mm->lock_future)
		flags |= MAP_LOCKED;
	if (r == 0)
		r = host_map(t, start, len, prot, flags, f, off);
	if (r < 0)
		return r;
	if ((uaddr_t)r != start)
		kpanic("host mmap moved a fixed mapping");
	vma_remove_range(mm, start, start + len);
	vma_insert(mm, vma_new(start, start + len, prot, flags & ~(MAP_FIXED | MAP_FIXED_NOREPLACE),
			       VMA_NORMAL, f, off));
	return start;
}

long do_munmap(struct task *t, uaddr_t addr, size_t len)
{
	struct mm *mm = t->proc->mm;
	if ((addr & (PAGE_SIZE - 1)) || len == 0 || len > TASK_SIZE || addr > TASK_SIZE - len)
		return -EINVAL;
	len = PAGE_ALIGN(len);
	if (range_has_stub(mm, addr, addr + len))
		return -EINVAL;
	long r = HOST(t, SYS_munmap, addr, len, 0, 0, 0, 0);
	if (r < 0)
		return r;
	vma_remove_range(mm, addr, addr + len);
	return 0;
}

long do_mprotect(struct task *t, uaddr_t addr, size_t len, int prot)
{
	return do_mprotect_pkey(t, addr, len, prot, -1);
}

long do_mprotect_pkey(struct task *t, uaddr_t addr, size_t len, int prot, int pkey)
{
	struct mm *mm = t->proc->mm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	if (prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP))
		return -EINVAL;
	if ((prot & PROT_GROWSDOWN) && (prot & PROT_GROWSUP))
		return -EINVAL;
	prot &= ~(PROT_GROWSDOWN | PROT_GROWSUP);
	len = PAGE_ALIGN(len);
	if (addr + len < addr)
		return -ENOMEM;
	if (len == 0)
		return 0;
	prot = personality_prot(t->proc, prot);
	/* No key is ever allocated (pkey.c); Linux refuses one after the
	 * range and prot checks, before the VMAs are looked at. */
	if (pkey != -1)
		return -EINVAL;
	uaddr_t end = addr + len;
	if (!range_mapped(mm, addr, end))
		return -ENOMEM;
	struct vma *v;
	for (v = vma_find_from(mm, addr); v && v->start < end; v = vma_next(v)) {
		if (!v->file || !(v->flags & MAP_SHARED))
			continue;
		if ((prot & PROT_WRITE) && !file_writable(v->file))
			return -EACCES;
	}
	long r = mm_may_protect(t->proc, addr, end, prot);
	if (r == 0)
		r = HOST(t, SYS_mprotect, addr, len, prot, 0, 0, 0);
	if (r < 0)
		return r;
	for (v = vma_clip_range(mm, addr, end); v && v->start < end; v = vma_next(v))
		vma_set_prot(mm, v, prot);
	return 0;
}

long sys_mmap(struct task *t, const struct sysargs *a)
{
	int flags = (int)a->a[3];
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS)) {
		f = fd_get(t, (int)a->a[4]);
		if (!f)
			return -EBADF;
	}
	long r = do_mmap(t, a->a[0], a->a[1], (int)a->a[2], flags, f, a->a[5]);
	if (f)
		file_put(f);
	return r;
}

long sys_munmap(struct task *t, const struct sysargs *a)
{
	return do_munmap(t, a->a[0], a->a[1]);
}

long sys_mprotect(struct task *t, const struct sysargs *a)
{
	return do_mprotect(t, a->a[0], a->a[1], (int)a->a[2]);
}

long sys_madvise(struct task *t, const struct sysargs *a)
{
	uaddr_t addr = a->a[0];
	size_t len = a->a[1];
	int advice = (int)a->a[2];
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	switch (advice) {
	case MADV_NORMAL: case MADV_RANDOM: case MADV_SEQUENTIAL: case MADV_WILLNEED:
	case MADV_DONTNEED: case MADV_FREE: case MADV_REMOVE: case MADV_DONTFORK:
	case MADV_DOFORK: case MADV_MERGEABLE: case MADV_UNMERGEABLE: case MADV_HUGEPAGE:
	case MADV_NOHUGEPAGE: case MADV_DONTDUMP: case MADV_DODUMP: case MADV_WIPEONFORK:
	case MADV_KEEPONFORK: case MADV_COLD: case MADV_PAGEOUT:
		break;
	default:
		return -EINVAL;
	}
	if (len == 0)
		return 0;
	if (advice == MADV_DONTFORK || advice == MADV_DOFORK)
		return vma_find(t->proc->mm, addr) ? 0 : -ENOMEM;
	return HOST(t, SYS_madvise, addr, PAGE_ALIGN(len), advice, 0, 0, 0);
}

long sys_brk(struct task *t, const struct sysargs *a)
{
	struct mm *mm = t->proc->mm;
	uaddr_t want = a->a[0];
	if (want < mm->brk_start || want > TASK_SIZE)
		return mm->brk;
	uaddr_t old_top = PAGE_ALIGN(mm->brk), new_top = PAGE_ALIGN(want);
	if (new_top > old_top) {
		/* Linux keeps a page of air between the heap and a mapping. */
		if (!range_free(mm, old_top, new_top + PAGE_SIZE) ||
		    mm_may_grow(t->proc, new_top - old_top, PROT_READ | PROT_WRITE, MAP_PRIVATE))
			return mm->brk;
		long r = HOST(t, SYS_mmap, old_top, new_top - old_top, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
		if (r < 0)
			return mm->brk;
		struct vma *v = vma_find(mm, old_top - 1);
		if (v && v->kind == VMA_HEAP && v->end == old_top)
			vma_set_end(mm, v, new_top);
		else
			vma_insert(mm, vma_new(old_top, new_top, PROT_READ | PROT_WRITE,
					       MAP_PRIVATE | MAP_ANONYMOUS, VMA_HEAP, NULL, 0));
	} else if (new_top < old_top) {
		if (HOST(t, SYS_munmap, new_top, old_top - new_top, 0, 0, 0, 0) < 0)
			return mm->brk;
		vma_remove_range(mm, new_top, old_top);
	}
	mm->brk = want;
	return mm->brk;
}

long sys_mremap(struct task *t, const struct sysargs *a)
{
	struct mm *mm = t->proc->mm;
	uaddr_t old = a->a[0], want = a->a[4];
	size_t old_len = PAGE_ALIGN(a->a[1]), new_len = PAGE_ALIGN(a->a[2]);
	int flags = (int)a->a[3];
	if (old & (PAGE_SIZE - 1))
		return -EINVAL;
	if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP))
		return -EINVAL;
	if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
		return -EINVAL;
	if ((flags & MREMAP_DONTUNMAP) && (!(flags & MREMAP_MAYMOVE) || old_len != new_len))
		return -EINVAL;
	if (new_len == 0 || new_len > TASK_SIZE)
		return -EINVAL;
	struct vma *v = vma_find(mm, old);
	if (!v || v->kind == VMA_STUB || old + old_len > v->end)
		return -EFAULT;
	if (old_len == 0 && !(v->flags & MAP_SHARED))
		return -EINVAL;
	uaddr_t dest;
	if (flags & MREMAP_FIXED) {
		if ((want & (PAGE_SIZE - 1)) || want > TASK_SIZE - new_len)
			return -EINVAL;
		if (want < MMAP_MIN_ADDR)
			return -EPERM;
		if (want < old + old_len && old < want + new_len)
			return -EINVAL;
		if (range_has_stub(mm, want, want + new_len))
			return -ENOMEM;
		dest = want;
	} else if (new_len <= old_len && !(flags & MREMAP_DONTUNMAP)) {
		dest = old;
	} else if (!(flags & MREMAP_DONTUNMAP) && range_free(mm, old + old_len, old + new_len) &&
		   old + new_len <= TASK_SIZE) {
		dest = old;	/* grows in place */
	} else if (flags & MREMAP_MAYMOVE) {
		if (!(dest = mm_get_unmapped(mm, new_len)))
			return -ENOMEM;
	} else {
		return -ENOMEM;
	}
	int hflags = dest == old ? 0 : MREMAP_MAYMOVE | MREMAP_FIXED | (flags & MREMAP_DONTUNMAP);
	size_t grows = (flags & MREMAP_DONTUNMAP) ? new_len : new_len > old_len ? new_len - old_len : 0;
	long r = grows ? mm_may_grow(t->proc, grows, v->prot, v->flags) : 0;
	if (r == 0)
		r = HOST(t, SYS_mremap, old, old_len, new_len, hflags, dest, 0);
	if (r < 0)
		return r;
	/* Rebuild the VMAs: the new range keeps the old one's attributes. */
	struct vma tmpl = *v;
	uint64_t pgoff = v->pgoff + (old - v->start);
	if (dest == old) {
		if (new_len < old_len)
			vma_remove_range(mm, old + new_len, old + old_len);
		else if (new_len > old_len)
			vma_insert(mm, vma_new(old + old_len, old + new_len, tmpl.prot, tmpl.flags,
					       tmpl.kind, tmpl.file, pgoff + old_len));
		return old;
	}
	struct file *f = tmpl.file ? file_get(tmpl.file) : NULL;
	if (!(flags & MREMAP_DONTUNMAP))
		vma_remove_range(mm, old, old + old_len);
	vma_remove_range(mm, dest, dest + new_len);
	vma_insert(mm, vma_new(dest, dest + new_len, tmpl.prot, tmpl.flags,
			       tmpl.kind == VMA_HEAP ? VMA_NORMAL : tmpl.kind, f, pgoff));
	if (f)
		file_put(f);
	return dest;
}

void mm_show_maps(struct mm *mm, struct sbuf *out)
{
	struct vma *v;
	vma_for_each(v, mm) {
		if (v->kind == VMA_STUB)
			continue;
		uint64_t dev = 0, ino = 0;
		char *name = NULL;
		if (v->file)
			file_describe(v->file, &dev, &ino, &name);
		int n0 = (int)out->len;
		sbuf_printf(out, "%012lx-%012lx %c%c%c%c %08lx %02x:%02x %lu ",
			    (unsigned long)v->start, (unsigned long)v->end,
			    v->prot & PROT_READ ? 'r' : '-', v->prot & PROT_WRITE ? 'w' : '-',
			    v->prot & PROT_EXEC ? 'x' : '-', v->flags & MAP_SHARED ? 's' : 'p',
			    (unsigned long)v->pgoff, major(dev),
			    minor(dev), (unsigned long)ino);
		const char *label = v->kind == VMA_HEAP ? "[heap]" : v->kind == VMA_STACK ? "[stack]" :
				    v->kind == VMA_VDSO ? "[vdso]" : v->kind == VMA_VVAR ? "[vvar]" : name;
		if (label) {
			int pad = 73 - ((int)out->len - n0);
			sbuf_printf(out, "%*s%s", pad > 0 ? pad : 0, "", label);
		}
		sbuf_add(out, "\n", 1);
		free(name);
	}
}

int mm_adopt_stub(struct task *t, struct mm *mm)
{
	int fd = plat_maps_fd(t->host_tid);
	if (fd < 0)
		return -errno;
	char buf[8192];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	uaddr_t lowest_special = TASK_SIZE;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long s, e;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &s, &e, perms) != 3)
			continue;
		int prot = (perms[0] == 'r' ? PROT_READ : 0) | (perms[1] == 'w' ? PROT_WRITE : 0) |
			   (perms[2] == 'x' ? PROT_EXEC : 0);
		enum vma_kind kind;
		if (strstr(line, "[stack]")) {
			if (HOST(t, SYS_munmap, s, e - s, 0, 0, 0, 0) < 0)
				return -EIO;
			continue;
		} else if (strstr(line, "[vdso]")) {
			kind = VMA_VDSO;
			mm->vdso_base = s;
		} else if (strstr(line, "[vvar")) {
			kind = VMA_VVAR;
		} else if (strstr(line, "[vsyscall]")) {
			continue;	/* above TASK_SIZE, fixed by the host */
		} else {
			kind = VMA_STUB;
		}
		if (kind != VMA_STUB)
			lowest_special = MIN(lowest_special, s);
		vma_insert(mm, vma_new(s, e, prot, MAP_PRIVATE, kind, NULL, 0));
	}
	/* The guest stack goes just below the host's vDSO area, and mmap
	 * allocations below a gap of 128 MiB under it, as Linux lays out. */
	mm->stack_top = PAGE_DOWN(lowest_special - 0x100000);
	mm->mmap_base = mm->stack_top - 0x8000000;
	return 0;
}

void mm_add_stub(struct mm *mm, uaddr_t start, uaddr_t end, int prot)
{
	vma_insert(mm, vma_new(start, end, prot, MAP_SHARED, VMA_STUB, NULL, 0));
}

/* What the host made in every stub process (the patch table is the old
 * program's: it goes with it). */
static bool host_made(const struct vma *v)
{
	return (v->kind == VMA_STUB && !patch_is_table(v)) || v->kind == VMA_VDSO ||
	       v->kind == VMA_VVAR;
}

int mm_exec_reset(struct task *t, struct mm *old, struct mm *mm)
{
	uaddr_t from = 0;	/* the start of the gap below the next host-made VMA */
	struct vma *v;
	vma_for_each(v, old) {
		if (!host_made(v))
			continue;
		vma_insert(mm, vma_new(v->start, v->end, v->prot, v->flags, v->kind, NULL, 0));
		/* One munmap a gap (a few in all): whatever the old program
		 * mapped there, persona's VMAs or not, goes with it. */
		if (v->start > from && HOST(t, SYS_munmap, from, v->start - from, 0, 0, 0, 0) < 0)
			return -EIO;
		from = v->end;
	}
	if (from < TASK_SIZE && HOST(t, SYS_munmap, from, TASK_SIZE - from, 0, 0, 0, 0) < 0)
		return -EIO;
	mm->vdso_base = old->vdso_base;
	mm->stack_top = old->stack_top;
	mm->mmap_base = old->mmap_base;
	return 0;
}

/* The map of a forked child: the same VMAs (the host copied the memory
 * itself, copy-on-write, when it forked the guest process). */
struct mm *mm_dup(struct mm *old)
{
	struct mm *mm = mm_new();
	struct vma *v;
	vma_for_each(v, old) {
		/* Locks are not inherited (nor is mlockall's MCL_FUTURE). */
		struct vma *c = vma_new(v->start, v->end, v->prot, v->flags & ~MAP_LOCKED, v->kind,
					v->file, v->pgoff);
		c->shared_id = v->shared_id;	/* the same shared memory */
		vma_insert(mm, c);
	}
	mm->mmap_base = old->mmap_base;
	mm->brk_start = old->brk_start;
	mm->brk = old->brk;
	mm->stack_top = old->stack_top;
	mm->vdso_base = old->vdso_base;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	mm->membarrier_state = old->membarrier_state;
	mm->patch = patch_get(old->patch);	/* its sites' counts start anew */
	mm->no_patch = old->no_patch;
	return mm;
}
