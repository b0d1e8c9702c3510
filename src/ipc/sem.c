/* System V semaphore sets (man 2 semget, semop, semtimedop, semctl), as
 * Linux's ipc/sem.c.
 *
 * semop applies all its operations or none. One that must wait parks the
 * task on the set's queue with a note of the operation it waits on (for
 * GETNCNT and GETZCNT), and every change of the set's values wakes the
 * queue: each waiter runs its call again from the top, in the order they
 * came. A set removed under a waiter fails its rerun with EIDRM; a
 * signal ends the wait with EINTR (semop is never restarted), and
 * semtimedop's timeout with EAGAIN.
 *
 * SEM_UNDO: each process keeps one undo record per set it used it on,
 * the adjustment of each semaphore, applied when the process exits. */
#include "ipc.h"
#include "ksyscall.h"
#include "ksignal.h"
#include "uaccess.h"
#include <sys/stat.h>

struct sem {
	int semval;
	int sempid;
};

struct sem_array {
	struct kern_ipc_perm perm;	/* first: the table holds it */
	time_t otime, ctime;
	int nsems;
	struct sem *sems;
	struct waitq wait;		/* semop calls that wait */
	struct list_head pending;	/* their struct sem_queue */
	struct list_head undos;		/* struct sem_undo, by arr_node */
};

/* A waiting semop: which semaphore it waits on, and for what. */
struct sem_queue {
	struct list_head node;
	struct task *task;
	int semnum;
	bool for_zero;
};

struct sem_undo {
	struct list_head proc_node, arr_node;
	struct sem_array *sma;
	int semadj[];
};

/* A process's undo records (struct sem_undo, by proc_node). */
struct sem_undo_list {
	struct list_head undos;
};

static struct sem_array *S(struct kern_ipc_perm *perm)
{
	return (struct sem_array *)perm;
}

static int newary(struct ipc_namespace *ns, struct ipc_params *p, struct kern_ipc_perm **out)
{
	int nsems = p->u.nsems;
	if (!nsems)
		return -EINVAL;
	if (ns->used_sems + nsems > ns->sem_ctls[1])
		return -ENOSPC;
	struct sem *sems = calloc(nsems, sizeof(*sems));	/* semmsl is a sysctl */
	if (!sems)
		return -ENOMEM;
	struct sem_array *sma = xzalloc(sizeof(*sma));
	sma->nsems = nsems;
	sma->sems = sems;
	sma->ctime = ipc_now();
	waitq_init(&sma->wait);
	list_init(&sma->pending);
	list_init(&sma->undos);
	ns->used_sems += nsems;
	*out = &sma->perm;
	return 0;
}

static int sem_more_checks(struct kern_ipc_perm *perm, struct ipc_params *p)
{
	return p->u.nsems > S(perm)->nsems ? -EINVAL : 0;
}

static const struct ipc_ops sem_ops = { .newobj = newary, .more_checks = sem_more_checks };

long sys_semget(struct task *t, const struct sysargs *a)
{
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	int nsems = (int)a->a[1];
	if (nsems < 0 || nsems > ns->sem_ctls[0])
		return -EINVAL;
	struct ipc_params p = { .key = (int32_t)a->a[0], .flg = (int)a->a[2], .u.nsems = nsems };
	return ipcget(t, ns, IPC_SEM_IDS, &sem_ops, &p);
}

static struct sem_array *sem_lookup(struct ipc_namespace *ns, int id)
{
	struct kern_ipc_perm *perm = ipc_lookup(ns, IPC_SEM_IDS, id);
	return perm ? S(perm) : NULL;
}

static void undo_free(struct sem_undo *un)
{
	list_del(&un->proc_node);
	list_del(&un->arr_node);
	free(un);
}

static void freeary(struct ipc_namespace *ns, struct sem_array *sma)
{
	ipc_rmid(ns, IPC_SEM_IDS, &sma->perm);
	/* The waiters run again, find no set, and fail with EIDRM; waking
	 * them takes their sem_queue off sma->pending (sem_unwait). */
	wake_up(&sma->wait);
	while (!list_empty(&sma->undos))
		undo_free(list_entry(sma->undos.next, struct sem_undo, arr_node));
	ns->used_sems -= sma->nsems;
	free(sma->sems);
	free(sma);
}

/* The undo record of `p` for set `sma`, made on first use. */
static struct sem_undo *find_alloc_undo(struct process *p, struct sem_array *sma)
{
	if (!p->sysvsem) {
		p->sysvsem = xzalloc(sizeof(*p->sysvsem));
		list_init(&p->sysvsem->undos);
	}
	struct sem_undo *un;
	list_for_each_entry(un, &p->sysvsem->undos, proc_node)
		if (un->sma == sma)
			return un;
	un = xzalloc(sizeof(*un) + sma->nsems * sizeof(int));
	un->sma = sma;
	list_add_tail(&un->proc_node, &p->sysvsem->undos);
	list_add_tail(&un->arr_node, &sma->undos);
	return un;
}

/* Linux's perform_atomic_semop: all or nothing. Returns 0 (done), 1
 * (must wait: *blocking is the operation), -EAGAIN (must wait, but
 * IPC_NOWAIT) or -ERANGE. */
static int perform(struct sem_array *sma, struct ksembuf *sops, int nsops,
		   struct sem_undo *un, int pid, int *blocking)
{
	int i, result = 0;
	for (i = 0; i < nsops; i++) {
		struct ksembuf *sop = &sops[i];
		struct sem *curr = &sma->sems[sop->sem_num];
		int val = curr->semval, op = sop->sem_op;
		if ((!op && val) || val + op < 0) {
			*blocking = i;
			result = (sop->sem_flg & IPC_NOWAIT) ? -EAGAIN : 1;
			break;
		}
		val += op;
		if (val > SEMVMX) {
			result = -ERANGE;
			break;
		}
		if (sop->sem_flg & SEM_UNDO) {
			int undo = un->semadj[sop->sem_num] - op;
			if (undo < -SEMAEM - 1 || undo > SEMAEM) {
				result = -ERANGE;
				break;
			}
			un->semadj[sop->sem_num] = undo;
		}
		curr->semval = val;
	}
	if (result) {	/* roll back what was done */
		while (--i >= 0) {
			sma->sems[sops[i].sem_num].semval -= sops[i].sem_op;
			if (sops[i].sem_flg & SEM_UNDO)
				un->semadj[sops[i].sem_num] += sops[i].sem_op;
		}
		return result;
	}
	for (i = 0; i < nsops; i++)
		sma->sems[sops[i].sem_num].sempid = pid;
	return 0;
}

void sem_unwait(struct task *t)
{
	struct sem_queue *q = t->sem_q;
	if (!q)
		return;
	list_del(&q->node);
	free(q);
	t->sem_q = NULL;
}

static long sem_wait(struct task *t, struct sem_array *sma, struct ksembuf *sop, bool timed)
{
	struct sem_queue *q = xzalloc(sizeof(*q));
	q->task = t;
	q->semnum = sop->sem_num;
	q->for_zero = sop->sem_op == 0;
	list_add_tail(&q->node, &sma->pending);
	t->sem_q = q;
	wait_on(t, &sma->wait);
	if (timed)
		wait_until(t, &t->deadline);
	t->restart_code = EINTR;
	return -EWOULDBLOCK_TASK;
}

static long do_semtimedop(struct task *t, int semid, uaddr_t usops, unsigned nsops, uaddr_t utimeout)
{
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	struct timespec ts;
	int err = 0;
	if (utimeout && copy_from_user(t, &ts, utimeout, sizeof(ts)))
		return -EFAULT;
	if (nsops < 1 || semid < 0)
		return -EINVAL;
	if (nsops > (unsigned)ns->sem_ctls[2])
		return -E2BIG;
	struct ksembuf *sops = malloc(nsops * sizeof(*sops));	/* semopm is a sysctl */
	if (!sops)
		return -ENOMEM;
	if (copy_from_user(t, sops, usops, nsops * sizeof(*sops))) {
		err = -EFAULT;
		goto out;
	}
	if (utimeout && !t->rerun) {
		if ((err = get_user_timespec(t, utimeout, &ts)))
			goto out;
		t->deadline = ts_add(mono_now(), ts);
	}
	unsigned max = 0;
	bool undos = false, alter = false;
	for (unsigned i = 0; i < nsops; i++) {
		max = MAX(max, sops[i].sem_num);
		undos |= (sops[i].sem_flg & SEM_UNDO) != 0;
		alter |= sops[i].sem_op != 0;
	}
	struct sem_array *sma = sem_lookup(ns, semid);
	if (!sma) {
		err = t->rerun ? -EIDRM : -EINVAL;
		goto out;
	}
	if (max >= (unsigned)sma->nsems) {
		err = -EFBIG;
		goto out;
	}
	if ((err = ipcperms(t, &sma->perm, alter ? S_IWUGO : S_IRUGO)))
		goto out;
	struct sem_undo *un = undos ? find_alloc_undo(t->proc, sma) : NULL;
	int blocking = 0;
	err = perform(sma, sops, nsops, un, t->proc->pid, &blocking);
	if (err == 0) {
		sma->otime = ipc_now();
		if (alter)
			wake_up(&sma->wait);
	} else if (err == 1) {
		if (t->rerun && t->timed_out)
			err = -EAGAIN;
		else if (utimeout && ts_cmp(mono_now(), t->deadline) >= 0)
			err = -EAGAIN;
		else
			err = sem_wait(t, sma, &sops[blocking], utimeout != 0);
	}
out:
	free(sops);
	return err;
}

long sys_semop(struct task *t, const struct sysargs *a)
{
	return do_semtimedop(t, (int)a->a[0], a->a[1], (unsigned)a->a[2], 0);
}

long sys_semtimedop(struct task *t, const struct sysargs *a)
{
	return do_semtimedop(t, (int)a->a[0], a->a[1], (unsigned)a->a[2], a->a[3]);
}

/* GETNCNT and GETZCNT: the waiters whose blocking operation is on
 * `semnum`, for it to grow or to be zero. */
static int count_waiters(struct sem_array *sma, int semnum, bool for_zero)
{
	struct sem_queue *q;
	int n = 0;
	list_for_each_entry(q, &sma->pending, node)
		n += q->semnum == semnum && q->for_zero == for_zero;
	return n;
}

/* SETVAL and SETALL make every process's adjustment of those
 * semaphores zero (semnum -1: all). */
static void clear_undos(struct sem_array *sma, int semnum)
{
	struct sem_undo *un;
	list_for_each_entry(un, &sma->undos, arr_node) {
		if (semnum < 0)
			memset(un->semadj, 0, sma->nsems * sizeof(int));
		else
			un->semadj[semnum] = 0;
	}
}

static void fill_info(struct ipc_namespace *ns, int cmd, struct kseminfo *si)
{
	memset(si, 0, sizeof(*si));
	si->semmni = ns->sem_ctls[3];
	si->semmns = ns->sem_ctls[1];
	si->semmsl = ns->sem_ctls[0];
	si->semopm = ns->sem_ctls[2];
	si->semvmx = SEMVMX;
	si->semmnu = SEMMNS;
	si->semmap = SEMMNS;
	si->semume = SEMOPM;
	if (cmd == SEM_INFO) {
		si->semusz = ns->ids[IPC_SEM_IDS].in_use;
		si->semaem = ns->used_sems;
	} else {
		si->semusz = SEMUSZ;
		si->semaem = SEMAEM;
	}
}

static long semctl_main(struct task *t, struct ipc_namespace *ns, int semid, int semnum,
			int cmd, uaddr_t arg)
{
	struct sem_array *sma = sem_lookup(ns, semid);
	if (!sma)
		return -EINVAL;
	if (ipcperms(t, &sma->perm, cmd == SETALL ? S_IWUGO : S_IRUGO))
		return -EACCES;
	int nsems = sma->nsems;
	if (cmd == GETALL || cmd == SETALL) {
		uint16_t *vals = xmalloc(nsems * sizeof(*vals));
		long err = 0;
		if (cmd == GETALL) {
			for (int i = 0; i < nsems; i++)
				vals[i] = sma->sems[i].semval;
			if (copy_to_user(t, arg, vals, nsems * sizeof(*vals)))
				err = -EFAULT;
		} else if (copy_from_user(t, vals, arg, nsems * sizeof(*vals))) {
			err = -EFAULT;
		} else {
			for (int i = 0; i < nsems && !err; i++)
				if (vals[i] > SEMVMX)
					err = -ERANGE;
			for (int i = 0; i < nsems && !err; i++) {
				sma->sems[i].semval = vals[i];
				sma->sems[i].sempid = t->proc->pid;
			}
			if (!err) {
				clear_undos(sma, -1);
				sma->ctime = ipc_now();
				wake_up(&sma->wait);
			}
		}
		free(vals);
		return err;
	}
	if (semnum < 0 || semnum >= nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL: return sma->sems[semnum].semval;
	case GETPID: return sma->sems[semnum].sempid;
	case GETNCNT: return count_waiters(sma, semnum, false);
	case GETZCNT: return count_waiters(sma, semnum, true);
	}
	return -EINVAL;
}

static long semctl_setval(struct task *t, struct ipc_namespace *ns, int semid, int semnum, int val)
{
	if (val > SEMVMX || val < 0)
		return -ERANGE;
	struct sem_array *sma = sem_lookup(ns, semid);
	if (!sma)
		return -EINVAL;
	if (semnum < 0 || semnum >= sma->nsems)
		return -EINVAL;
	if (ipcperms(t, &sma->perm, S_IWUGO))
		return -EACCES;
	clear_undos(sma, semnum);
	sma->sems[semnum].semval = val;
	sma->sems[semnum].sempid = t->proc->pid;
	sma->ctime = ipc_now();
	wake_up(&sma->wait);
	return 0;
}

long sys_semctl(struct task *t, const struct sysargs *a)
{
	int semid = (int)a->a[0], semnum = (int)a->a[1], cmd = (int)a->a[2];
	uaddr_t arg = a->a[3];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	struct sem_array *sma;
	long err;
	if (semid < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case SEM_INFO: {
		struct kseminfo si;
		fill_info(ns, cmd, &si);
		if (copy_to_user(t, arg, &si, sizeof(si)))
			return -EFAULT;
		return MAX(ipc_max_idx(ns, IPC_SEM_IDS), 0);
	}
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY: {
		int e;
		struct kern_ipc_perm *perm = ipc_stat_obtain(t, ns, IPC_SEM_IDS, semid, cmd != IPC_STAT,
							     cmd == SEM_STAT_ANY, &e);
		if (!perm)
			return e;
		struct semid64_ds ds = { 0 };
		ipc_fill_perm(perm, &ds.sem_perm);
		ds.sem_otime = S(perm)->otime;
		ds.sem_ctime = S(perm)->ctime;
		ds.sem_nsems = S(perm)->nsems;
		if (copy_to_user(t, arg, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : perm->id;
	}
	case GETALL: case GETVAL: case GETPID: case GETNCNT: case GETZCNT: case SETALL:
		return semctl_main(t, ns, semid, semnum, cmd, arg);
	case SETVAL:
		return semctl_setval(t, ns, semid, semnum, (int)arg);
	case IPC_SET: {
		struct semid64_ds ds;
		if (copy_from_user(t, &ds, arg, sizeof(ds)))
			return -EFAULT;
		if (!(sma = sem_lookup(ns, semid)))
			return -EINVAL;
		if ((err = ipc_may_change(t, &sma->perm)))
			return err;
		ipc_update_perm(&sma->perm, &ds.sem_perm);
		sma->ctime = ipc_now();
		return 0;
	}
	case IPC_RMID:
		if (!(sma = sem_lookup(ns, semid)))
			return -EINVAL;
		if ((err = ipc_may_change(t, &sma->perm)))
			return err;
		freeary(ns, sma);
		return 0;
	}
	return -EINVAL;
}

/* The process is gone: each adjustment is applied, clamped to the
 * semaphore's range, as Linux's exit_sem. */
void sem_exit(struct process *p)
{
	if (!p->sysvsem)
		return;
	while (!list_empty(&p->sysvsem->undos)) {
		struct sem_undo *un = list_entry(p->sysvsem->undos.next, struct sem_undo, proc_node);
		struct sem_array *sma = un->sma;
		for (int i = 0; i < sma->nsems; i++) {
			if (!un->semadj[i])
				continue;
			struct sem *s = &sma->sems[i];
			s->semval = MAX(0, MIN(SEMVMX, s->semval + un->semadj[i]));
			s->sempid = p->pid;
		}
		undo_free(un);
		wake_up(&sma->wait);
	}
	free(p->sysvsem);
	p->sysvsem = NULL;
}

int ipc_show_sem(struct sbuf *out)
{
	struct ipc_namespace *ns = ipc_ns_of(current ? current->proc : NULL);
	sbuf_printf(out, "       key      semid perms      nsems   uid   gid  cuid  cgid"
			 "      otime      ctime\n");
	int i;
	struct kern_ipc_perm *perm;
	ipc_for_each(ns, IPC_SEM_IDS, i, perm)
		sbuf_printf(out, "%10d %10d  %4o %10u %5u %5u %5u %5u %10lld %10lld\n",
			    perm->key, perm->id, perm->mode, S(perm)->nsems, perm->uid, perm->gid,
			    perm->cuid, perm->cgid, (long long)S(perm)->otime,
			    (long long)S(perm)->ctime);
	return 0;
}
