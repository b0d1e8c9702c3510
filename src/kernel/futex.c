/* Futexes. A waiter is keyed by where the word lives: a private futex by
 * (address space, address); a shared one by its backing object (the file,
 * or the shared anonymous region) and offset, so that processes mapping
 * the same memory at different addresses meet. */
#include "task.h"
#include "loop.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <linux/futex.h>
#include <sys/mman.h>

struct futex_key { const void *obj; uint64_t off; };

struct futex_q {
	struct futex_key key;
	uint32_t bitset;
	struct task *task;
	bool woken;
	struct list_head node;
};

static struct list_head waiters = LIST_HEAD_INIT(waiters);

static int get_key(struct task *t, uaddr_t uaddr, bool shared, struct futex_key *k)
{
	if (uaddr & 3)
		return -EINVAL;
	struct mm *mm = t->proc->mm;
	if (!shared) {
		k->obj = mm;
		k->off = uaddr;
		return 0;
	}
	struct vma *v = vma_find(mm, uaddr);
	if (!v)
		return -EFAULT;
	if (!(v->flags & MAP_SHARED)) {
		k->obj = mm;	/* private memory: private to this mm anyway */
		k->off = uaddr;
	} else {
		k->obj = v->file ? (const void *)v->file->inode : (const void *)(uintptr_t)v->shared_id;
		k->off = v->pgoff + (uaddr - v->start);
	}
	return 0;
}

static bool key_eq(struct futex_key a, struct futex_key b)
{
	return a.obj == b.obj && a.off == b.off;
}

/* Wakes up to n waiters on k. FUTEX_WAKE and FUTEX_WAKE_OP pass
 * at_least_one(): Linux counts a wake before it compares, so a count of
 * 0 or less still wakes one. */
static int wake_key(struct futex_key k, int n, uint32_t bitset)
{
	struct futex_q *q, *tmp;
	int done = 0;
	list_for_each_entry_safe(q, tmp, &waiters, node) {
		if (done >= n)
			break;
		if (!key_eq(q->key, k) || !(q->bitset & bitset))
			continue;
		list_del(&q->node);
		list_init(&q->node);
		q->woken = true;
		task_wake(q->task);
		done++;
	}
	return done;
}

static int at_least_one(int n)
{
	return n > 0 ? n : 1;
}

static void q_remove(struct task *t)
{
	struct futex_q *q = t->futex_q;
	if (!q)
		return;
	if (!q->woken)
		list_del(&q->node);
	free(q);
	t->futex_q = NULL;
}

void futex_cancel(struct task *t)
{
	q_remove(t);
}

/* The task's wait ended (task_unwait): woken, timed out, cut short by a
 * signal, or before it even blocked. A waiter no FUTEX_WAKE took leaves
 * the queue now, or a later wake would be spent on it and a real waiter
 * would sleep on; one a wake took keeps its mark for the rerun. */
void futex_unwait(struct task *t)
{
	if (t->futex_q && !t->futex_q->woken)
		q_remove(t);
}

/* Queues the task on key k. */
static long q_add(struct task *t, struct futex_key k, uint32_t bitset, bool timed)
{
	struct futex_q *q = xzalloc(sizeof(*q));
	q->key = k;
	q->bitset = bitset;
	q->task = t;
	list_add_tail(&q->node, &waiters);
	t->futex_q = q;
	if (timed)
		wait_until(t, &t->deadline);
	t->restart_code = ERESTARTSYS;
	return -EWOULDBLOCK_TASK;
}

/* A rerun finds its waiter marked if a wake took it, and otherwise
 * already off the queue (futex_unwait): then it times out, gives way to
 * a signal, or (a wake-up for nothing) waits again, reading the word
 * anew as Linux's retry does. The deadline stays the first run's. */
static long futex_wait(struct task *t, uaddr_t uaddr, bool shared, uint32_t val,
		       uaddr_t utime, uint32_t bitset, bool absolute, bool realtime)
{
	if (t->rerun) {
		if (t->futex_q && t->futex_q->woken) {
			q_remove(t);
			return 0;
		}
		if (t->timed_out)
			return -ETIMEDOUT;
		if (signal_pending(t))
			return -EWOULDBLOCK_TASK;	/* becomes the restart code */
	}
	q_remove(t);
	if (!bitset)
		return -EINVAL;
	struct futex_key k;
	int err = get_key(t, uaddr, shared, &k);
	if (err)
		return err;
	if (utime && !t->rerun) {
		struct timespec ts;
		if ((err = get_user_timespec(t, utime, &ts)))
			return err;
		if (absolute) {
			struct timespec now;
			clock_gettime(realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
			ts = ts_cmp(ts, now) > 0 ? ts_sub(ts, now) : (struct timespec){ 0, 0 };
		}
		t->deadline = ts_add(mono_now(), ts);
	}
	uint32_t cur;
	if (copy_from_user(t, &cur, uaddr, sizeof(cur)))
		return -EFAULT;
	if (cur != val)
		return -EAGAIN;
	if (utime && ts_cmp(mono_now(), t->deadline) >= 0)
		return -ETIMEDOUT;
	return q_add(t, k, bitset, utime != 0);
}

static long futex_requeue(struct task *t, uaddr_t u1, uaddr_t u2, bool shared, int nwake,
			  int nreq, bool cmp, uint32_t val3)
{
	struct futex_key k1, k2;
	int err;
	if (nwake < 0 || nreq < 0)
		return -EINVAL;
	if ((err = get_key(t, u1, shared, &k1)) || (err = get_key(t, u2, shared, &k2)))
		return err;
	if (cmp) {
		uint32_t cur;
		if (copy_from_user(t, &cur, u1, sizeof(cur)))
			return -EFAULT;
		if (cur != val3)
			return -EAGAIN;
	}
	int done = wake_key(k1, nwake, FUTEX_BITSET_MATCH_ANY);
	struct futex_q *q;
	int moved = 0;
	list_for_each_entry(q, &waiters, node) {
		if (moved >= nreq)
			break;
		if (key_eq(q->key, k1)) {
			q->key = k2;
			moved++;
		}
	}
	return done + moved;
}

/* FUTEX_WAKE_OP: *uaddr2 = *uaddr2 OP oparg, then wake on both words,
 * the second only if the old value passes the comparison. */
static long futex_wake_op(struct task *t, uaddr_t u1, uaddr_t u2, bool shared, int n1, int n2,
			  uint32_t encoded)
{
	struct futex_key k1, k2;
	int err;
	if ((err = get_key(t, u1, shared, &k1)) || (err = get_key(t, u2, shared, &k2)))
		return err;
	int op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	int oparg = ((int)(encoded << 8)) >> 20, cmparg = ((int)(encoded << 20)) >> 20;
	/* Linux takes a shift outside 0..31 modulo 32 (and warns); the
	 * shift is unsigned, for 1 << 31. */
	if ((encoded >> 28) & FUTEX_OP_OPARG_SHIFT)
		oparg = (int)(1U << (oparg & 31));
	uint32_t old, nv;
	if (copy_from_user(t, &old, u2, sizeof(old)))
		return -EFAULT;
	switch (op) {
	case FUTEX_OP_SET: nv = oparg; break;
	case FUTEX_OP_ADD: nv = old + oparg; break;
	case FUTEX_OP_OR: nv = old | oparg; break;
	case FUTEX_OP_ANDN: nv = old & ~oparg; break;
	case FUTEX_OP_XOR: nv = old ^ oparg; break;
	default: return -ENOSYS;
	}
	if (copy_to_user(t, u2, &nv, sizeof(nv)))
		return -EFAULT;
	bool pass;
	switch (cmp) {
	case FUTEX_OP_CMP_EQ: pass = (int)old == cmparg; break;
	case FUTEX_OP_CMP_NE: pass = (int)old != cmparg; break;
	case FUTEX_OP_CMP_LT: pass = (int)old < cmparg; break;
	case FUTEX_OP_CMP_LE: pass = (int)old <= cmparg; break;
	case FUTEX_OP_CMP_GT: pass = (int)old > cmparg; break;
	case FUTEX_OP_CMP_GE: pass = (int)old >= cmparg; break;
	default: return -ENOSYS;
	}
	int done = wake_key(k1, at_least_one(n1), FUTEX_BITSET_MATCH_ANY);
	if (pass)
		done += wake_key(k2, at_least_one(n2), FUTEX_BITSET_MATCH_ANY);
	return done;
}

long sys_futex(struct task *t, const struct sysargs *a)
{
	uaddr_t uaddr = a->a[0], utime = a->a[3], uaddr2 = a->a[4];
	int op = (int)a->a[1];
	uint32_t val = (uint32_t)a->a[2], val3 = (uint32_t)a->a[5];
	int cmd = op & FUTEX_CMD_MASK;
	bool shared = !(op & FUTEX_PRIVATE_FLAG), realtime = op & FUTEX_CLOCK_REALTIME;
	if (realtime && cmd != FUTEX_WAIT && cmd != FUTEX_WAIT_BITSET)
		return -ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(t, uaddr, shared, val, utime, FUTEX_BITSET_MATCH_ANY, false, false);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, uaddr, shared, val, utime, val3, true, realtime);
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET: {
		struct futex_key k;
		uint32_t bits = cmd == FUTEX_WAKE ? FUTEX_BITSET_MATCH_ANY : val3;
		if (!bits)
			return -EINVAL;
		int err = get_key(t, uaddr, shared, &k);
		return err ? err : wake_key(k, at_least_one((int)val), bits);
	}
	case FUTEX_REQUEUE:
		return futex_requeue(t, uaddr, uaddr2, shared, (int)val, (int)utime, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, uaddr2, shared, (int)val, (int)utime, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, uaddr2, shared, (int)val, (int)utime, val3);
	}
	return -ENOSYS;
}

/* A thread leaves: clear its tid word and wake one joiner, as Linux's
 * mm_release does for CLONE_CHILD_CLEARTID. */
void futex_thread_exit(struct task *t)
{
	if (!t->clear_child_tid || !t->proc->mm)
		return;
	uint32_t zero = 0;
	struct futex_key k;
	if (copy_to_user(t, t->clear_child_tid, &zero, sizeof(zero)) == 0 &&
	    get_key(t, t->clear_child_tid, true, &k) == 0)
		wake_key(k, 1, FUTEX_BITSET_MATCH_ANY);
	t->clear_child_tid = 0;
}

static void robust_wake(struct task *t, uaddr_t uaddr)
{
	struct futex_key k;
	if (get_key(t, uaddr, true, &k) == 0)
		wake_key(k, 1, FUTEX_BITSET_MATCH_ANY);
}

/* One robust futex of a dying thread, as Linux's handle_futex_death: if
 * it still holds the lock, mark the owner dead and wake a waiter (a PI
 * futex's waiters are not woken here). The pending entry of a thread
 * that died just after unlocking (word 0) wakes a waiter too, who would
 * otherwise wait for a wake the dead thread never made. */
static void robust_one(struct task *t, uaddr_t uaddr, bool pi, bool pending)
{
	uint32_t word;
	if ((uaddr & 3) || copy_from_user(t, &word, uaddr, sizeof(word)))
		return;
	if (pending && !pi && !word) {
		robust_wake(t, uaddr);
		return;
	}
	if ((word & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return;
	uint32_t nw = (word & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (copy_to_user(t, uaddr, &nw, sizeof(nw)))
		return;
	if (!pi && (word & FUTEX_WAITERS))
		robust_wake(t, uaddr);
}

/* Walks the thread's robust list (set_robust_list) at its exit, as
 * Linux's exit_robust_list: bit 0 of an entry marks a PI futex, the next
 * entry is read before the current one is handled, and the walk is
 * bounded, so that a corrupt or circular list can't hold us. */
void futex_robust_exit(struct task *t)
{
	struct { uint64_t next; int64_t offset; uint64_t pending; } head;
	uaddr_t list = t->robust_list;
	t->robust_list = 0;
	if (!list || !t->proc->mm || copy_from_user(t, &head, list, sizeof(head)))
		return;
	uint64_t entry = head.next, pending = head.pending & ~1UL;
	for (int n = 0; (entry & ~1UL) != list && n < 2048; n++) {
		uint64_t next;
		bool bad = copy_from_user(t, &next, entry & ~1UL, sizeof(next));
		if ((entry & ~1UL) != pending)
			robust_one(t, (entry & ~1UL) + head.offset, entry & 1, false);
		if (bad)
			break;
		entry = next;
	}
	if (pending)
		robust_one(t, pending + head.offset, head.pending & 1, true);
}
