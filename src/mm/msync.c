/* msync and mincore, on persona's VMAs (Linux's mm/msync.c and
 * mm/mincore.c). Shared file mappings map the backing object's host fd,
 * so what the guest wrote is in the file already: MS_SYNC only syncs it.
 * Residency: persona does not see the host's page tables, so a page is
 * reported resident if it is locked or if its file holds data there
 * (the host's page cache, the tmpfs memfd); other anonymous pages not. */
#include "mm.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "../fs/vfs.h"
#include <sys/mman.h>
#include <unistd.h>

long sys_msync(struct task *t, const struct sysargs *a)
{
	uaddr_t start = a->a[0];
	size_t len = a->a[1];
	int flags = (int)a->a[2];
	if (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC))
		return -EINVAL;
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if ((flags & MS_ASYNC) && (flags & MS_SYNC))
		return -EINVAL;
	uaddr_t end = start + PAGE_ALIGN(len);
	if (end < start || PAGE_ALIGN(len) < len)
		return -ENOMEM;
	if (end == start)
		return 0;
	long unmapped = 0;
	struct vma *v = vma_find_from(t->proc->mm, start);
	for (;;) {
		if (!v)
			return -ENOMEM;
		if (start < v->start) {	/* a hole: skipped, ENOMEM at the end */
			if (flags == MS_SYNC)
				return -ENOMEM;
			start = v->start;
			if (start >= end)
				return -ENOMEM;
			unmapped = -ENOMEM;
		}
		if ((flags & MS_INVALIDATE) && (v->flags & MAP_LOCKED))
			return -EBUSY;
		start = v->end;
		if ((flags & MS_SYNC) && v->file && (v->flags & MAP_SHARED)) {
			long err = file_fsync(v->file, true);
			if (err)
				return err;
		}
		if (start >= end)
			return unmapped;
		v = vma_next(v);
	}
}

/* Whether the page at `addr` of v is in memory, as far as persona knows. */
static unsigned char resident(struct vma *v, uaddr_t addr)
{
	if (v->flags & MAP_LOCKED)
		return 1;
	int fd = v->file ? file_host_fd(v->file) : -1;
	if (fd < 0)
		return 0;
	off_t off = (off_t)(v->pgoff + (addr - v->start));
	off_t d = lseek(fd, off, SEEK_DATA);
	return d >= 0 && d < off + (off_t)PAGE_SIZE;
}

long sys_mincore(struct task *t, const struct sysargs *a)
{
	uaddr_t start = a->a[0], uvec = a->a[2];
	size_t len = a->a[1];
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (len > TASK_SIZE || start > TASK_SIZE - len)
		return -ENOMEM;
	size_t pages = len / PAGE_SIZE + (len % PAGE_SIZE != 0);
	if (uvec + pages < uvec || uvec + pages > TASK_SIZE)
		return -EFAULT;
	unsigned char buf[PAGE_SIZE];
	while (pages) {
		struct vma *v = vma_find(t->proc->mm, start);
		if (!v)
			return -ENOMEM;
		size_t n = 0;
		for (; n < pages && n < sizeof(buf) && start + n * PAGE_SIZE < v->end; n++)
			buf[n] = resident(v, start + n * PAGE_SIZE);
		if (copy_to_user(t, uvec, buf, n))
			return -EFAULT;
		uvec += n;
		start += n * PAGE_SIZE;
		pages -= n;
	}
	return 0;
}
