/* System V shared memory (man 2 shmget, shmat, shmdt, shmctl), as
 * Linux's ipc/shm.c. A segment's memory is an unlinked tmpfs file, the
 * same object a MAP_SHARED memfd mapping uses: shmat is an mmap of it,
 * so the guest processes that attach it share the host memory, fork
 * inherits the attachment and exec and exit drop it with the address
 * space, and shared futexes in it key on the file.
 *
 * Each VMA holds a reference to the segment's file, so the number of
 * attachments is what the references are beyond the segment's own (one
 * file for read-write attaches, one for SHM_RDONLY ones, which keeps a
 * later mprotect from making them writable). A segment removed while
 * attached (IPC_RMID: SHM_DEST, key IPC_PRIVATE) goes once nothing maps
 * it; that is looked at whenever the table is (shm_reap). */
#include "ipc.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/stat.h>

struct shmid_kernel {
	struct kern_ipc_perm perm;	/* first: the table holds it */
	size_t segsz;
	time_t atime, dtime, ctime;
	int cpid, lpid;
	struct file *rw, *ro;		/* ro: made at the first SHM_RDONLY attach */
};

static struct shmid_kernel *SHP(struct kern_ipc_perm *perm)
{
	return (struct shmid_kernel *)perm;
}

static unsigned long nattch(struct shmid_kernel *shp)
{
	return (shp->rw->refs - 1) + (shp->ro ? shp->ro->refs - 1 : 0);
}

static unsigned long seg_pages(struct shmid_kernel *shp)
{
	return PAGE_ALIGN(shp->segsz) / PAGE_SIZE;
}

static void shm_destroy(struct ipc_namespace *ns, struct shmid_kernel *shp)
{
	ipc_rmid(ns, IPC_SHM_IDS, &shp->perm);
	ns->shm_tot -= seg_pages(shp);
	file_put(shp->rw);
	if (shp->ro)
		file_put(shp->ro);
	free(shp);
}

/* Removed segments that nothing maps any more go now. */
static void shm_reap(struct ipc_namespace *ns)
{
	int i;
	struct kern_ipc_perm *perm;
	ipc_for_each(ns, IPC_SHM_IDS, i, perm)
		if ((perm->mode & SHM_DEST) && !nattch(SHP(perm)))
			shm_destroy(ns, SHP(perm));
}

static int newseg(struct ipc_namespace *ns, struct ipc_params *p, struct kern_ipc_perm **out)
{
	size_t size = p->u.size;
	if (size < SHMMIN || size > ns->shm_ctlmax)
		return -EINVAL;
	unsigned long pages = PAGE_ALIGN(size) / PAGE_SIZE;
	if (pages * PAGE_SIZE < size)
		return -ENOSPC;
	if (ns->shm_tot + pages < ns->shm_tot || ns->shm_tot + pages > ns->shm_ctlall)
		return -ENOSPC;
	if (p->flg & SHM_HUGETLB)
		return -ENOMEM;	/* no huge page pool */
	char label[32];
	snprintf(label, sizeof(label), "SYSV%08x", (unsigned)p->key);
	int err;
	struct file *f = tmpfs_anon_new(label, 0666, &err);
	if (!f)
		return err;
	if ((err = f->ops->truncate(f, size))) {
		file_put(f);
		return err;
	}
	struct shmid_kernel *shp = xzalloc(sizeof(*shp));
	shp->rw = f;
	shp->segsz = size;
	shp->ctime = ipc_now();
	shp->cpid = current ? current->proc->pid : 0;
	ns->shm_tot += pages;
	*out = &shp->perm;
	return 0;
}

static int shm_more_checks(struct kern_ipc_perm *perm, struct ipc_params *p)
{
	return SHP(perm)->segsz < p->u.size ? -EINVAL : 0;
}

static const struct ipc_ops shm_ops = { .newobj = newseg, .more_checks = shm_more_checks };

long sys_shmget(struct task *t, const struct sysargs *a)
{
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	shm_reap(ns);
	struct ipc_params p = { .key = (int32_t)a->a[0], .flg = (int)a->a[2], .u.size = a->a[1] };
	return ipcget(t, ns, IPC_SHM_IDS, &shm_ops, &p);
}

static struct shmid_kernel *shm_lookup(struct ipc_namespace *ns, int id)
{
	struct kern_ipc_perm *perm = ipc_lookup(ns, IPC_SHM_IDS, id);
	return perm ? SHP(perm) : NULL;
}

/* The attach address rules of man 2 shmat: 0 or the address chosen,
 * with MAP_FIXED in *flags if the caller chose it; -EINVAL. */
static long shmat_addr(uaddr_t addr, int shmflg, int *flags)
{
	if (!addr)
		return (shmflg & SHM_REMAP) ? -EINVAL : 0;
	if (addr & (SHMLBA - 1)) {
		if (!(shmflg & SHM_RND))
			return -EINVAL;
		addr &= ~(SHMLBA - 1);
		if (!addr && (shmflg & SHM_REMAP))
			return -EINVAL;
	}
	*flags |= MAP_FIXED;
	return addr;
}

long sys_shmat(struct task *t, const struct sysargs *a)
{
	int shmid = (int)a->a[0], shmflg = (int)a->a[2];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	if (shmid < 0)
		return -EINVAL;
	int flags = MAP_SHARED;
	long addr = shmat_addr(a->a[1], shmflg, &flags);
	if (addr < 0)
		return addr;
	int prot = PROT_READ, acc = S_IRUGO;
	if (!(shmflg & SHM_RDONLY)) {
		prot |= PROT_WRITE;
		acc |= S_IWUGO;
	}
	if (shmflg & SHM_EXEC) {
		prot |= PROT_EXEC;
		acc |= S_IXUGO;
	}
	shm_reap(ns);
	struct shmid_kernel *shp = shm_lookup(ns, shmid);
	if (!shp)
		return -EINVAL;
	if (ipcperms(t, &shp->perm, acc))
		return -EACCES;
	if (addr && !(shmflg & SHM_REMAP)) {
		if ((uaddr_t)addr + shp->segsz < (uaddr_t)addr ||
		    !range_free(t->proc->mm, addr, addr + shp->segsz))
			return -EINVAL;
	}
	struct file *f = shp->rw;
	if (shmflg & SHM_RDONLY) {
		if (!shp->ro) {
			int err;
			struct file *ro = file_open_path(shp->rw->path, O_RDONLY | 0100000, &err);
			if (!ro)
				return err;
			shp->ro = ro;
		}
		f = shp->ro;
	}
	long r = do_mmap(t, addr, shp->segsz, prot, flags, f, 0);
	if (r < 0)
		return r;
	shp->atime = ipc_now();
	shp->lpid = t->proc->pid;
	return r;
}

static struct shmid_kernel *shm_of_file(struct ipc_namespace *ns, struct file *f)
{
	int i;
	struct kern_ipc_perm *perm;
	if (!f)
		return NULL;
	ipc_for_each(ns, IPC_SHM_IDS, i, perm)
		if (SHP(perm)->rw == f || SHP(perm)->ro == f)
			return SHP(perm);
	return NULL;
}

/* Detaches the segment attached at addr: its mappings (of the same file,
 * at the offsets that attach made) within its size from addr, as
 * Linux's shmdt. */
long sys_shmdt(struct task *t, const struct sysargs *a)
{
	uaddr_t addr = a->a[0];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	struct mm *mm = t->proc->mm;
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	struct shmid_kernel *shp = NULL;
	struct file *f = NULL;
	struct vma *v;
	for (v = vma_find_from(mm, addr); v && !shp; v = vma_next(v)) {
		if (v->start - addr == v->pgoff && (shp = shm_of_file(ns, v->file)))
			f = v->file;
	}
	if (!shp)
		return -EINVAL;
	uaddr_t end = addr + PAGE_ALIGN(shp->segsz);
	if (end < addr)
		end = TASK_SIZE;
	/* Gather first: each munmap changes the tree. */
	size_t n = 0, cap = 4;
	uaddr_t (*ranges)[2] = xmalloc(cap * sizeof(*ranges));
	for (v = vma_find_from(mm, addr); v && v->start < end; v = vma_next(v)) {
		if (v->file != f || v->start - addr != v->pgoff)
			continue;
		if (n == cap)
			ranges = xrealloc(ranges, (cap *= 2) * sizeof(*ranges));
		ranges[n][0] = v->start;
		ranges[n][1] = MIN(v->end, end);
		n++;
	}
	for (size_t i = 0; i < n; i++)
		do_munmap(t, ranges[i][0], ranges[i][1] - ranges[i][0]);
	free(ranges);
	shp->dtime = ipc_now();
	shp->lpid = t->proc->pid;
	shm_reap(ns);
	return 0;
}

static void fill_stat(struct shmid_kernel *shp, struct shmid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&shp->perm, &ds->shm_perm);
	ds->shm_segsz = shp->segsz;
	ds->shm_atime = shp->atime;
	ds->shm_dtime = shp->dtime;
	ds->shm_ctime = shp->ctime;
	ds->shm_cpid = shp->cpid;
	ds->shm_lpid = shp->lpid;
	ds->shm_nattch = nattch(shp);
}

static long shm_lock(struct task *t, struct shmid_kernel *shp, int cmd)
{
	struct process *p = t->proc;
	if (!capable(p, CAP_IPC_LOCK)) {
		if (p->euid != shp->perm.uid && p->euid != shp->perm.cuid)
			return -EPERM;
		if (cmd == SHM_LOCK && !p->rlim[RLIMIT_MEMLOCK].rlim_cur)
			return -EPERM;
	}
	if (cmd == SHM_LOCK)
		shp->perm.mode |= SHM_LOCKED;
	else
		shp->perm.mode &= ~SHM_LOCKED;
	return 0;
}

long sys_shmctl(struct task *t, const struct sysargs *a)
{
	int shmid = (int)a->a[0], cmd = (int)a->a[1];
	uaddr_t buf = a->a[2];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	struct shmid_kernel *shp;
	long err;
	if (cmd < 0 || shmid < 0)
		return -EINVAL;
	shm_reap(ns);
	switch (cmd) {
	case IPC_INFO: {
		struct kshminfo64 si = {
			.shmmax = ns->shm_ctlmax, .shmmin = SHMMIN, .shmmni = ns->shm_ctlmni,
			.shmseg = SHMMNI, .shmall = ns->shm_ctlall,
		};
		if (copy_to_user(t, buf, &si, sizeof(si)))
			return -EFAULT;
		return MAX(ipc_max_idx(ns, IPC_SHM_IDS), 0);
	}
	case SHM_INFO: {
		/* No resident or swapped page counts: persona does not know
		 * them (the host does); /proc/sysvipc/shm says the same. */
		struct kshm_info si = { .used_ids = ns->ids[IPC_SHM_IDS].in_use, .shm_tot = ns->shm_tot };
		if (copy_to_user(t, buf, &si, sizeof(si)))
			return -EFAULT;
		return MAX(ipc_max_idx(ns, IPC_SHM_IDS), 0);
	}
	case IPC_STAT:
	case SHM_STAT:
	case SHM_STAT_ANY: {
		int e;
		struct kern_ipc_perm *perm = ipc_stat_obtain(t, ns, IPC_SHM_IDS, shmid, cmd != IPC_STAT,
							     cmd == SHM_STAT_ANY, &e);
		if (!perm)
			return e;
		struct shmid64_ds ds;
		fill_stat(SHP(perm), &ds);
		if (copy_to_user(t, buf, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : perm->id;
	}
	case SHM_LOCK:
	case SHM_UNLOCK:
		if (!(shp = shm_lookup(ns, shmid)))
			return -EINVAL;
		return shm_lock(t, shp, cmd);
	case IPC_SET: {
		struct shmid64_ds ds;
		if (copy_from_user(t, &ds, buf, sizeof(ds)))
			return -EFAULT;
		if (!(shp = shm_lookup(ns, shmid)))
			return -EINVAL;
		if ((err = ipc_may_change(t, &shp->perm)))
			return err;
		ipc_update_perm(&shp->perm, &ds.shm_perm);
		shp->ctime = ipc_now();
		return 0;
	}
	case IPC_RMID:
		if (!(shp = shm_lookup(ns, shmid)))
			return -EINVAL;
		if ((err = ipc_may_change(t, &shp->perm)))
			return err;
		if (nattch(shp)) {
			shp->perm.mode |= SHM_DEST;
			shp->perm.key = IPC_PRIVATE;	/* no key finds it now */
		} else {
			shm_destroy(ns, shp);
		}
		return 0;
	}
	return -EINVAL;
}

int ipc_show_shm(struct sbuf *out)
{
	struct ipc_namespace *ns = ipc_ns_of(current ? current->proc : NULL);
	shm_reap(ns);
	sbuf_printf(out, "       key      shmid perms                  size  cpid  lpid nattch   uid"
			 "   gid  cuid  cgid      atime      dtime      ctime                   rss"
			 "                  swap\n");
	int i;
	struct kern_ipc_perm *perm;
	ipc_for_each(ns, IPC_SHM_IDS, i, perm) {
		struct shmid_kernel *shp = SHP(perm);
		sbuf_printf(out, "%10d %10d  %4o %21zu %5u %5u  %5lu %5u %5u %5u %5u %10lld %10lld %10lld"
				 " %21lu %21lu\n",
			    perm->key, perm->id, perm->mode, shp->segsz, shp->cpid, shp->lpid,
			    nattch(shp), perm->uid, perm->gid, perm->cuid, perm->cgid,
			    (long long)shp->atime, (long long)shp->dtime, (long long)shp->ctime,
			    0UL, 0UL);
	}
	return 0;
}
