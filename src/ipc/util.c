/* The parts of System V IPC common to its three kinds, as Linux's
 * ipc/util.c: the tables of ids, key lookup for *get, and the permission
 * checks. */
#include "ipc.h"
#include <linux/capability.h>
#include <sys/stat.h>

static struct ipc_namespace init_ipc_ns = {
	.msg_ctlmax = MSGMAX, .msg_ctlmnb = MSGMNB, .msg_ctlmni = MSGMNI,
	.sem_ctls = { SEMMSL, SEMMNS, SEMOPM, SEMMNI },
	.shm_ctlmax = SHMMAX, .shm_ctlall = SHMALL, .shm_ctlmni = SHMMNI,
	.ids = { [IPC_SEM_IDS].next_id = -1, [IPC_MSG_IDS].next_id = -1, [IPC_SHM_IDS].next_id = -1 },
};

struct ipc_namespace *ipc_ns_of(struct process *p UNUSED)
{
	return &init_ipc_ns;
}

time_t ipc_now(void)
{
	return now_real().tv_sec;
}

static int kind_limit(struct ipc_namespace *ns, enum ipc_kind kind)
{
	int n = kind == IPC_SEM_IDS ? ns->sem_ctls[3] :
		kind == IPC_MSG_IDS ? ns->msg_ctlmni : ns->shm_ctlmni;
	return MIN(n, IPCMNI);
}

/* Gives the object an index and an id. Indices are handed out in turn,
 * from after the last one given, as Linux's idr_alloc_cyclic; the
 * sequence number goes up each time the indices wrap around, so a stale
 * id names no object. */
static int ipc_addid(struct ipc_namespace *ns, enum ipc_kind kind, struct kern_ipc_perm *perm)
{
	struct ipc_ids *ids = &ns->ids[kind];
	int limit = kind_limit(ns, kind);
	if (ids->in_use >= limit)
		return -ENOSPC;
	if (!ids->slots)
		ids->last_idx = -1;
	int idx = -1, next_id = ids->next_id;
	ids->next_id = -1;
	if (next_id >= 0) {
		/* The id asked for: its index or the first free one above. */
		for (int i = next_id & (IPCMNI - 1); i < IPCMNI && idx < 0; i++)
			if (i >= ids->nslots || !ids->slots[i])
				idx = i;
	}
	for (int n = 0; n < limit && idx < 0 && next_id < 0; n++) {
		int i = (ids->last_idx + 1 + n) % limit;
		if (i >= ids->nslots || !ids->slots[i])
			idx = i;
	}
	if (idx < 0)
		return -ENOSPC;
	if (idx >= ids->nslots) {	/* the table grows as indices are used */
		int n = MAX(64, ids->nslots);
		while (n <= idx)
			n *= 2;
		n = MIN(n, IPCMNI);
		ids->slots = xrealloc(ids->slots, n * sizeof(*ids->slots));
		memset(ids->slots + ids->nslots, 0, (n - ids->nslots) * sizeof(*ids->slots));
		ids->nslots = n;
	}
	if (next_id >= 0) {
		perm->seq = (unsigned)next_id >> IPCMNI_SHIFT;
	} else {
		if (idx <= ids->last_idx)
			ids->seq++;	/* an unsigned short: wraps at IPC_MAX_SEQ */
		ids->last_idx = idx;
		perm->seq = ids->seq;
	}
	ids->slots[idx] = perm;
	ids->in_use++;
	perm->id = (int)((unsigned)perm->seq << IPCMNI_SHIFT) + idx;
	return 0;
}

struct kern_ipc_perm *ipc_at(struct ipc_namespace *ns, enum ipc_kind kind, int idx)
{
	struct ipc_ids *ids = &ns->ids[kind];
	if (idx < 0 || idx >= ids->nslots)
		return NULL;
	return ids->slots[idx];
}

struct kern_ipc_perm *ipc_stat_obtain(struct task *t, struct ipc_namespace *ns, enum ipc_kind kind,
				      int id, bool by_index, bool any, int *err)
{
	struct kern_ipc_perm *perm = by_index ? ipc_at(ns, kind, id) : ipc_lookup(ns, kind, id);
	*err = !perm ? -EINVAL : !any && ipcperms(t, perm, S_IRUGO) ? -EACCES : 0;
	return *err ? NULL : perm;
}

struct kern_ipc_perm *ipc_lookup(struct ipc_namespace *ns, enum ipc_kind kind, int id)
{
	if (id < 0)
		return NULL;
	struct kern_ipc_perm *perm = ipc_at(ns, kind, id & (IPCMNI - 1));
	if (!perm || perm->seq != (unsigned)id >> IPCMNI_SHIFT)
		return NULL;
	return perm;
}

void ipc_rmid(struct ipc_namespace *ns, enum ipc_kind kind, struct kern_ipc_perm *perm)
{
	struct ipc_ids *ids = &ns->ids[kind];
	ids->slots[perm->id & (IPCMNI - 1)] = NULL;
	ids->in_use--;
}

int ipc_max_idx(struct ipc_namespace *ns, enum ipc_kind kind)
{
	struct ipc_ids *ids = &ns->ids[kind];
	if (!ids->in_use)
		return -1;
	for (int i = ids->nslots - 1; i >= 0; i--)
		if (ids->slots[i])
			return i;
	return -1;
}

static bool in_group(struct process *p, unsigned gid)
{
	if (gid == p->egid)
		return true;
	for (int g = 0; g < p->ngroups; g++)
		if (p->groups[g] == gid)
			return true;
	return false;
}

int ipcperms(struct task *t, struct kern_ipc_perm *perm, int flag)
{
	struct process *p = t->proc;
	unsigned requested = (flag >> 6) | (flag >> 3) | flag, granted = perm->mode;
	if (p->euid == perm->cuid || p->euid == perm->uid)
		granted >>= 6;
	else if (in_group(p, perm->cgid) || in_group(p, perm->gid))
		granted >>= 3;
	if ((requested & ~granted & 0007) && !capable(p, CAP_IPC_OWNER))
		return -EACCES;
	return 0;
}

int ipc_may_change(struct task *t, struct kern_ipc_perm *perm)
{
	struct process *p = t->proc;
	if (p->euid == perm->cuid || p->euid == perm->uid || capable(p, CAP_SYS_ADMIN))
		return 0;
	return -EPERM;
}

void ipc_update_perm(struct kern_ipc_perm *perm, const struct ipc64_perm *in)
{
	perm->uid = in->uid;
	perm->gid = in->gid;
	perm->mode = (perm->mode & ~0777u) | (in->mode & 0777);
}

void ipc_fill_perm(const struct kern_ipc_perm *perm, struct ipc64_perm *out)
{
	memset(out, 0, sizeof(*out));
	out->key = perm->key;
	out->uid = perm->uid;
	out->gid = perm->gid;
	out->cuid = perm->cuid;
	out->cgid = perm->cgid;
	out->mode = perm->mode;
	out->seq = perm->seq;
}

static long ipc_new(struct task *t, struct ipc_namespace *ns, enum ipc_kind kind,
		    const struct ipc_ops *ops, struct ipc_params *p)
{
	struct kern_ipc_perm *perm;
	if (ns->ids[kind].in_use >= kind_limit(ns, kind))
		return -ENOSPC;
	int err = ops->newobj(ns, p, &perm);
	if (err)
		return err;
	perm->key = p->key;
	perm->uid = perm->cuid = t->proc->euid;
	perm->gid = perm->cgid = t->proc->egid;
	perm->mode |= p->flg & 0777;
	if ((err = ipc_addid(ns, kind, perm)))
		kpanic("ipc: no index for a new object");	/* checked above */
	return perm->id;
}

/* Linux's ipcget: IPC_PRIVATE always makes a new object; a key finds
 * its object, or makes one with IPC_CREAT. An *undone* object (an shm
 * segment removed while still attached) has the key IPC_PRIVATE, so no
 * key finds it. */
long ipcget(struct task *t, struct ipc_namespace *ns, enum ipc_kind kind,
	    const struct ipc_ops *ops, struct ipc_params *p)
{
	if (p->key == IPC_PRIVATE)
		return ipc_new(t, ns, kind, ops, p);
	int i;
	struct kern_ipc_perm *perm, *found = NULL;
	ipc_for_each(ns, kind, i, perm)
		if (perm->key == p->key) {
			found = perm;
			break;
		}
	if (!found)
		return (p->flg & IPC_CREAT) ? ipc_new(t, ns, kind, ops, p) : -ENOENT;
	if ((p->flg & IPC_CREAT) && (p->flg & IPC_EXCL))
		return -EEXIST;
	int err = ops->more_checks ? ops->more_checks(found, p) : 0;
	if (!err)
		err = ipcperms(t, found, p->flg);
	return err ? err : found->id;
}
