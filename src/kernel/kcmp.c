/* kcmp(2): whether two processes share a kernel object (an open file, the
 * fd table, the fs context, the signal handlers, the address space), as
 * Linux's kernel/kcmp.c answers it: 0 for the same object, else 1 or 2
 * in an order that is consistent but says nothing of kernel addresses
 * (pointers mixed with random cookies, one pair per type). */
#include "task.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "../fs/vfs.h"
#include "../fs/epoll.h"
#include <sys/random.h>

enum { KCMP_FILE, KCMP_VM, KCMP_FILES, KCMP_FS, KCMP_SIGHAND, KCMP_IO, KCMP_SYSVSEM,
       KCMP_EPOLL_TFD, KCMP_TYPES };

static long kcmp_ptr(const void *v1, const void *v2, int type)
{
	static uint64_t cookies[KCMP_TYPES][2];
	static bool ready;
	if (!ready) {
		if (getrandom(cookies, sizeof(cookies), 0) != sizeof(cookies))
			memset(cookies, 0x5a, sizeof(cookies));
		for (int i = 0; i < KCMP_TYPES; i++)
			cookies[i][1] |= (~(~0UL >> 1) | 1);	/* odd and large */
		ready = true;
	}
	long t1 = (long)(((uintptr_t)v1 ^ cookies[type][0]) * cookies[type][1]);
	long t2 = (long)(((uintptr_t)v2 ^ cookies[type][0]) * cookies[type][1]);
	return (t1 < t2) | ((t1 > t2) << 1);
}

/* The file at fd in p's table, not a reference (the call holds none);
 * the index is an unsigned int, as Linux's get_file_raw_ptr takes it. */
static struct file *raw_file(struct process *p, unsigned fd)
{
	struct files *fs = p->files;
	return fs && fd < (unsigned)fs->max ? fs->fd[fd] : NULL;
}

/* KCMP_EPOLL_TFD: the file p1 has at fd1 against the target registered
 * in p2's epoll { efd, tfd, toff } (the toff-th entry for fd tfd). */
static long kcmp_epoll(struct task *t, struct process *p1, struct process *p2, unsigned long fd1,
		       uaddr_t uslot)
{
	struct { uint32_t efd, tfd, toff; } slot;
	if (copy_from_user(t, &slot, uslot, sizeof(slot)))
		return -EFAULT;
	struct file *f = raw_file(p1, fd1);
	if (!f)
		return -EBADF;
	struct file *ep = raw_file(p2, slot.efd);
	if (!ep)
		return -EBADF;
	struct file *target;
	long err = epoll_target(ep, (int)slot.tfd, slot.toff, &target);
	if (err)
		return err;
	return kcmp_ptr(f, target, KCMP_FILE);
}

long sys_kcmp(struct task *t, const struct sysargs *a)
{
	int type = (int)a->a[2];
	unsigned long idx1 = a->a[3], idx2 = a->a[4];
	struct task *t1 = task_by_tid((int)a->a[0]), *t2 = task_by_tid((int)a->a[1]);
	if (!t1 || !t2)
		return -ESRCH;
	struct process *p1 = t1->proc, *p2 = t2->proc;
	/* PTRACE_MODE_READ_REALCREDS on both. */
	if (!ptrace_may_access(t->proc, p1, false) || !ptrace_may_access(t->proc, p2, false))
		return -EPERM;
	switch (type) {
	case KCMP_FILE: {
		struct file *f1 = raw_file(p1, idx1), *f2 = raw_file(p2, idx2);
		return f1 && f2 ? kcmp_ptr(f1, f2, type) : -EBADF;
	}
	case KCMP_VM: return kcmp_ptr(p1->mm, p2->mm, type);
	case KCMP_FILES: return kcmp_ptr(p1->files, p2->files, type);
	case KCMP_FS: return kcmp_ptr(p1->fs, p2->fs, type);
	case KCMP_SIGHAND: return kcmp_ptr(p1->sighand, p2->sighand, type);
	/* No task has an I/O context or a System V semaphore undo list of
	 * its own in persona: as in Linux before the first use, both are
	 * absent and compare equal. */
	case KCMP_IO: case KCMP_SYSVSEM: return 0;
	case KCMP_EPOLL_TFD: return kcmp_epoll(t, p1, p2, idx1, idx2);
	}
	return -EINVAL;
}
