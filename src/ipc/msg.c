/* System V message queues (man 2 msgget, msgsnd, msgrcv, msgctl), as
 * Linux's ipc/msg.c. A queue is a list of messages in kernel memory.
 * Senders that find no room wait on wr_wait, receivers that find no
 * message of their type on rd_wait; every change wakes the queue that
 * cares, and each woken call runs again from the top and looks anew
 * (so a message goes to whichever receiver runs first, where Linux hands
 * it to the first waiter). A queue removed under a waiter makes its
 * rerun find no queue: it fails with EIDRM. A signal ends the wait with
 * EINTR if the process has a handler, else the call restarts
 * (ERESTARTNOHAND), as man 7 signal says for these calls. */
#include "ipc.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <linux/capability.h>
#include <limits.h>
#include <sys/stat.h>

struct msg_msg {
	struct list_head node;
	long mtype;
	size_t size;
	char text[];
};

struct msg_queue {
	struct kern_ipc_perm perm;	/* first: the table holds it */
	time_t stime, rtime, ctime;
	size_t cbytes, qnum, qbytes;
	int lspid, lrpid;
	struct list_head messages;
	struct waitq rd_wait, wr_wait;
};

static struct msg_queue *Q(struct kern_ipc_perm *perm)
{
	return (struct msg_queue *)perm;
}

static int newque(struct ipc_namespace *ns, struct ipc_params *p UNUSED, struct kern_ipc_perm **out)
{
	struct msg_queue *q = xzalloc(sizeof(*q));
	q->qbytes = ns->msg_ctlmnb;
	q->ctime = ipc_now();
	list_init(&q->messages);
	waitq_init(&q->rd_wait);
	waitq_init(&q->wr_wait);
	*out = &q->perm;
	return 0;
}

static const struct ipc_ops msg_ops = { .newobj = newque };

long sys_msgget(struct task *t, const struct sysargs *a)
{
	struct ipc_params p = { .key = (int32_t)a->a[0], .flg = (int)a->a[1] };
	return ipcget(t, ipc_ns_of(t->proc), IPC_MSG_IDS, &msg_ops, &p);
}

static struct msg_queue *msq_lookup(struct ipc_namespace *ns, int id)
{
	struct kern_ipc_perm *perm = ipc_lookup(ns, IPC_MSG_IDS, id);
	return perm ? Q(perm) : NULL;
}

static void freeque(struct ipc_namespace *ns, struct msg_queue *q)
{
	ipc_rmid(ns, IPC_MSG_IDS, &q->perm);
	/* The waiters run again, find no queue, and fail with EIDRM. */
	wake_up(&q->rd_wait);
	wake_up(&q->wr_wait);
	struct msg_msg *m, *n;
	list_for_each_entry_safe(m, n, &q->messages, node) {
		ns->msg_bytes -= m->size;
		ns->msg_hdrs--;
		free(m);
	}
	free(q);
}

/* A rerun (the call waited) that finds its queue gone: it was removed. */
static long gone(struct task *t)
{
	return t->rerun ? -EIDRM : -EINVAL;
}

static long wait_for(struct task *t, struct waitq *q)
{
	wait_on(t, q);
	t->restart_code = ERESTARTNOHAND;
	return -EWOULDBLOCK_TASK;
}

long sys_msgsnd(struct task *t, const struct sysargs *a)
{
	int id = (int)a->a[0], flg = (int)a->a[3];
	uaddr_t msgp = a->a[1];
	size_t size = a->a[2];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	long mtype;
	if (copy_from_user(t, &mtype, msgp, sizeof(mtype)))
		return -EFAULT;
	if (size > (size_t)ns->msg_ctlmax || (long)size < 0 || id < 0)
		return -EINVAL;
	if (mtype < 1)
		return -EINVAL;
	/* msgmax is a sysctl root may raise to INT_MAX: a size the host
	 * can't give is ENOMEM, never the end of persona. */
	struct msg_msg *m = malloc(sizeof(*m) + size);
	if (!m)
		return -ENOMEM;
	m->mtype = mtype;
	m->size = size;
	if (copy_from_user(t, m->text, msgp + sizeof(long), size)) {
		free(m);
		return -EFAULT;
	}
	struct msg_queue *q = msq_lookup(ns, id);
	long err = !q ? gone(t) : ipcperms(t, &q->perm, S_IWUGO);
	if (!err && (q->cbytes + size > q->qbytes || q->qnum + 1 > q->qbytes))
		err = (flg & IPC_NOWAIT) ? -EAGAIN : wait_for(t, &q->wr_wait);
	if (err) {
		free(m);
		return err;
	}
	list_add_tail(&m->node, &q->messages);
	q->cbytes += size;
	q->qnum++;
	q->lspid = t->proc->pid;
	q->stime = ipc_now();
	ns->msg_bytes += size;
	ns->msg_hdrs++;
	wake_up(&q->rd_wait);
	return 0;
}

enum search { SEARCH_ANY, SEARCH_EQUAL, SEARCH_NOTEQUAL, SEARCH_LESSEQUAL, SEARCH_NUMBER };

/* The message msgrcv takes, by man 2 msgrcv's rules for msgtyp (with
 * MSG_COPY, msgtyp is a position in the queue). */
static struct msg_msg *find_msg(struct msg_queue *q, long *msgtyp, enum search mode)
{
	struct msg_msg *m, *found = NULL;
	long n = 0;
	list_for_each_entry(m, &q->messages, node) {
		switch (mode) {
		case SEARCH_ANY:
			return m;
		case SEARCH_EQUAL:
			if (m->mtype == *msgtyp)
				return m;
			break;
		case SEARCH_NOTEQUAL:
			if (m->mtype != *msgtyp)
				return m;
			break;
		case SEARCH_LESSEQUAL:	/* the first of the lowest type */
			if (m->mtype <= *msgtyp && (!found || m->mtype < found->mtype))
				found = m;
			break;
		case SEARCH_NUMBER:
			if (n++ == *msgtyp)
				return m;
			break;
		}
	}
	return found;
}

static enum search convert_mode(long *msgtyp, int flg)
{
	if (flg & MSG_COPY)
		return SEARCH_NUMBER;
	if (*msgtyp == 0)
		return SEARCH_ANY;
	if (*msgtyp < 0) {
		*msgtyp = *msgtyp == LONG_MIN ? LONG_MAX : -*msgtyp;
		return SEARCH_LESSEQUAL;
	}
	return (flg & MSG_EXCEPT) ? SEARCH_NOTEQUAL : SEARCH_EQUAL;
}

long sys_msgrcv(struct task *t, const struct sysargs *a)
{
	int id = (int)a->a[0], flg = (int)a->a[4];
	uaddr_t msgp = a->a[1];
	size_t bufsz = a->a[2];
	long msgtyp = (long)a->a[3];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	if (id < 0 || (long)bufsz < 0)
		return -EINVAL;
	if ((flg & MSG_COPY) && ((flg & MSG_EXCEPT) || !(flg & IPC_NOWAIT)))
		return -EINVAL;
	enum search mode = convert_mode(&msgtyp, flg);
	struct msg_queue *q = msq_lookup(ns, id);
	if (!q)
		return gone(t);
	long err = ipcperms(t, &q->perm, S_IRUGO);
	if (err)
		return err;
	struct msg_msg *m = find_msg(q, &msgtyp, mode);
	if (!m)
		return (flg & IPC_NOWAIT) ? -ENOMSG : wait_for(t, &q->rd_wait);
	if (m->size > bufsz && !(flg & MSG_NOERROR))
		return -E2BIG;
	size_t n = MIN(bufsz, m->size);
	if (flg & MSG_COPY) {
		/* A copy: the queue keeps the message (checkpoint/restore). */
		if (m->size > MIN(bufsz, (size_t)ns->msg_ctlmax))
			return -EINVAL;
		if (copy_to_user(t, msgp, &m->mtype, sizeof(long)) ||
		    copy_to_user(t, msgp + sizeof(long), m->text, n))
			return -EFAULT;
		return n;
	}
	/* The message leaves the queue before it is copied out: a bad
	 * buffer loses it, as in Linux. */
	list_del(&m->node);
	q->qnum--;
	q->cbytes -= m->size;
	q->rtime = ipc_now();
	q->lrpid = t->proc->pid;
	ns->msg_bytes -= m->size;
	ns->msg_hdrs--;
	wake_up(&q->wr_wait);
	err = n;
	if (copy_to_user(t, msgp, &m->mtype, sizeof(long)) ||
	    copy_to_user(t, msgp + sizeof(long), m->text, n))
		err = -EFAULT;
	free(m);
	return err;
}

static void fill_info(struct ipc_namespace *ns, int cmd, struct kmsginfo *mi)
{
	memset(mi, 0, sizeof(*mi));
	mi->msgmni = ns->msg_ctlmni;
	mi->msgmax = ns->msg_ctlmax;
	mi->msgmnb = ns->msg_ctlmnb;
	mi->msgssz = MSGSSZ;
	mi->msgseg = 0xffff;	/* Linux's MSGSEG, clipped to its field */
	if (cmd == MSG_INFO) {
		mi->msgpool = ns->ids[IPC_MSG_IDS].in_use;
		mi->msgmap = ns->msg_hdrs;
		mi->msgtql = ns->msg_bytes;
	} else {
		mi->msgmap = MSGMNB;
		mi->msgpool = MSGMNI * MSGMNB / 1024;
		mi->msgtql = MSGMNB;
	}
}

static void fill_stat(struct msg_queue *q, struct msqid64_ds *ds)
{
	memset(ds, 0, sizeof(*ds));
	ipc_fill_perm(&q->perm, &ds->msg_perm);
	ds->msg_stime = q->stime;
	ds->msg_rtime = q->rtime;
	ds->msg_ctime = q->ctime;
	ds->msg_cbytes = q->cbytes;
	ds->msg_qnum = q->qnum;
	ds->msg_qbytes = q->qbytes;
	ds->msg_lspid = q->lspid;
	ds->msg_lrpid = q->lrpid;
}

long sys_msgctl(struct task *t, const struct sysargs *a)
{
	int id = (int)a->a[0], cmd = (int)a->a[1];
	uaddr_t buf = a->a[2];
	struct ipc_namespace *ns = ipc_ns_of(t->proc);
	struct msg_queue *q;
	if (id < 0 || cmd < 0)
		return -EINVAL;
	switch (cmd) {
	case IPC_INFO:
	case MSG_INFO: {
		struct kmsginfo mi;
		fill_info(ns, cmd, &mi);
		if (copy_to_user(t, buf, &mi, sizeof(mi)))
			return -EFAULT;
		return MAX(ipc_max_idx(ns, IPC_MSG_IDS), 0);
	}
	case IPC_STAT:
	case MSG_STAT:
	case MSG_STAT_ANY: {
		int e;
		struct kern_ipc_perm *perm = ipc_stat_obtain(t, ns, IPC_MSG_IDS, id, cmd != IPC_STAT,
							     cmd == MSG_STAT_ANY, &e);
		if (!perm)
			return e;
		struct msqid64_ds ds;
		fill_stat(Q(perm), &ds);
		if (copy_to_user(t, buf, &ds, sizeof(ds)))
			return -EFAULT;
		return cmd == IPC_STAT ? 0 : perm->id;
	}
	case IPC_SET: {
		struct msqid64_ds ds;
		if (copy_from_user(t, &ds, buf, sizeof(ds)))
			return -EFAULT;
		if (!(q = msq_lookup(ns, id)))
			return -EINVAL;
		long err = ipc_may_change(t, &q->perm);
		if (err)
			return err;
		if (ds.msg_qbytes > (uint64_t)ns->msg_ctlmnb && !capable(t->proc, CAP_SYS_RESOURCE))
			return -EPERM;
		ipc_update_perm(&q->perm, &ds.msg_perm);
		q->qbytes = ds.msg_qbytes;
		q->ctime = ipc_now();
		/* More room, or other permissions: the waiters look again. */
		wake_up(&q->wr_wait);
		wake_up(&q->rd_wait);
		return 0;
	}
	case IPC_RMID: {
		if (!(q = msq_lookup(ns, id)))
			return -EINVAL;
		long err = ipc_may_change(t, &q->perm);
		if (err)
			return err;
		freeque(ns, q);
		return 0;
	}
	}
	return -EINVAL;
}

int ipc_show_msg(struct sbuf *out)
{
	struct ipc_namespace *ns = ipc_ns_of(current ? current->proc : NULL);
	sbuf_printf(out, "       key      msqid perms      cbytes       qnum lspid lrpid"
			 "   uid   gid  cuid  cgid      stime      rtime      ctime\n");
	int i;
	struct kern_ipc_perm *perm;
	ipc_for_each(ns, IPC_MSG_IDS, i, perm) {
		struct msg_queue *q = Q(perm);
		sbuf_printf(out, "%10d %10d  %4o  %10zu %10zu %5u %5u %5u %5u %5u %5u %10lld %10lld %10lld\n",
			    perm->key, perm->id, perm->mode, q->cbytes, q->qnum, q->lspid, q->lrpid,
			    perm->uid, perm->gid, perm->cuid, perm->cgid, (long long)q->stime,
			    (long long)q->rtime, (long long)q->ctime);
	}
	return 0;
}
