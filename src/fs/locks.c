/* Advisory file locks: fcntl record locks (man 2 fcntl, "Advisory record
 * locking" and "Open file description locks") and flock(2), in one table
 * for the whole kernel, keyed by the file's (dev, ino) as Linux keys them
 * by inode. As in Linux's fs/locks.c:
 *  - a POSIX lock (F_SETLK, F_SETLKW) is owned by the fd table (struct
 *    files: the threads of a process share it, a forked child has its
 *    own), covers a byte range, and goes when its owner closes any fd of
 *    the file or the table goes;
 *  - an OFD lock (F_OFD_SETLK...) is owned by the open file description
 *    and goes with its last reference; it lives in the same space as the
 *    POSIX locks, so the two kinds conflict with each other;
 *  - a flock lock covers the whole file, is owned by the open file
 *    description, and never meets the other two kinds.
 * Two locks conflict when their owners differ, their ranges overlap and
 * one of them is a write lock. A lock an owner sets replaces what it held
 * in that range, and its touching ranges of the same type merge, so
 * F_GETLK reports ranges as Linux does. Waiters (F_SETLKW, flock without
 * LOCK_NB) sleep on one queue, woken by every release. */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "anon_inode.h"
#include "waitq.h"
#include <fcntl.h>
#include <sys/file.h>
#include <sys/syscall.h>

enum lock_space { SPACE_POSIX, SPACE_FLOCK };	/* POSIX and OFD share one */

struct file_lock {
	struct list_head node;
	uint64_t dev, ino;
	enum lock_space space;
	const void *owner;	/* struct files (POSIX) or struct file */
	bool ofd;		/* owner is an open file description */
	int pid;		/* who set it, for F_GETLK (-1: an OFD lock) */
	short type;		/* F_RDLCK or F_WRLCK */
	int64_t start, end;	/* inclusive; end INT64_MAX: to the end of file */
};

static struct list_head locks = LIST_HEAD_INIT(locks);
static struct waitq lock_wait = WAITQ_INIT(lock_wait);

/* The key of the file's inode: its (dev, ino) as fstat shows them. */
static int lock_key(struct file *f, uint64_t *dev, uint64_t *ino)
{
	struct kstat st;
	int err = file_stat(f, &st);
	if (err)
		return err;
	*dev = st.dev;
	*ino = st.ino;
	return 0;
}

static bool same_file(const struct file_lock *l, uint64_t dev, uint64_t ino)
{
	return l->dev == dev && l->ino == ino;
}

static bool overlaps(const struct file_lock *a, const struct file_lock *b)
{
	return a->start <= b->end && b->start <= a->end;
}

/* The lock that keeps `want` from being set, or NULL: of several, the
 * one starting first (Linux keeps an owner's locks sorted by start, and
 * F_GETLK reports the first it meets). */
static struct file_lock *find_conflict(const struct file_lock *want)
{
	struct file_lock *l, *first = NULL;
	list_for_each_entry(l, &locks, node)
		if (l->space == want->space && same_file(l, want->dev, want->ino) &&
		    l->owner != want->owner && overlaps(l, want) &&
		    (l->type == F_WRLCK || want->type == F_WRLCK) && (!first || l->start < first->start))
			first = l;
	return first;
}

static void lock_free(struct file_lock *l)
{
	list_del(&l->node);
	free(l);
}

/* Takes the range [start, end] out of every lock `owner` holds on the
 * file in `space`, cutting locks in two where needed. */
static bool carve(const struct file_lock *want)
{
	bool changed = false;
	struct file_lock *l, *n;
	list_for_each_entry_safe(l, n, &locks, node) {
		if (l->space != want->space || l->owner != want->owner ||
		    !same_file(l, want->dev, want->ino) || !overlaps(l, want))
			continue;
		changed = true;
		if (l->start < want->start && l->end > want->end) {
			struct file_lock *tail = xmalloc(sizeof(*tail));
			*tail = *l;
			tail->start = want->end + 1;
			list_add(&tail->node, &l->node);
			l->end = want->start - 1;
		} else if (l->start < want->start) {
			l->end = want->start - 1;
		} else if (l->end > want->end) {
			l->start = want->end + 1;
		} else {
			lock_free(l);
		}
	}
	return changed;
}

/* Sets `want` (its owner's range is already carved out), merging it with
 * the owner's locks of the same type that touch it. */
static void insert(const struct file_lock *want)
{
	struct file_lock *nl = xmalloc(sizeof(*nl)), *l, *n;
	*nl = *want;
	list_for_each_entry_safe(l, n, &locks, node) {
		if (l->space != nl->space || l->owner != nl->owner || l->type != nl->type ||
		    !same_file(l, nl->dev, nl->ino))
			continue;
		bool touches = (l->end == INT64_MAX || l->end + 1 >= nl->start) &&
			       (nl->end == INT64_MAX || nl->end + 1 >= l->start);
		if (!touches)
			continue;
		nl->start = MIN(nl->start, l->start);
		nl->end = MAX(nl->end, l->end);
		lock_free(l);
	}
	list_add_tail(&nl->node, &locks);
}

/* Whether the owner `blocker` waits, through a chain of POSIX waiters,
 * for a lock `me` holds: then waiting for it would never end (EDEADLK).
 * A waiter is a task blocked in fcntl with lock_blocker set. */
static bool would_deadlock(const void *me, const void *blocker)
{
	for (int depth = 0; depth < 10 && blocker; depth++) {
		if (blocker == me)
			return true;
		const void *next = NULL;
		for (struct process *p = process_next(NULL); p && !next; p = process_next(p)) {
			if (p->files != blocker)
				continue;
			struct task *t;
			list_for_each_entry(t, &p->threads, thread_node)
				if (t->state == TASK_BLOCKED && t->sysno == SYS_fcntl && t->lock_blocker) {
					next = t->lock_blocker;
					break;
				}
		}
		blocker = next;
	}
	return false;
}

/* The range of a struct flock, as Linux's flock_to_posix_lock. */
static int flock_range(struct file *f, const struct flock *fl, struct file_lock *out)
{
	int64_t base;
	switch (fl->l_whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = (int64_t)f->pos; break;
	case SEEK_END: {
		struct kstat st;
		int err = file_stat(f, &st);
		if (err)
			return err;
		base = st.size;
		break;
	}
	default: return -EINVAL;
	}
	if (fl->l_start > INT64_MAX - base)
		return -EOVERFLOW;
	int64_t start = base + fl->l_start, end;
	if (start < 0)
		return -EINVAL;
	if (fl->l_len > 0) {
		if (fl->l_len - 1 > INT64_MAX - start)
			return -EOVERFLOW;
		end = start + fl->l_len - 1;
	} else if (fl->l_len < 0) {
		if (start + fl->l_len < 0)
			return -EINVAL;
		end = start - 1;
		start += fl->l_len;
	} else {
		end = INT64_MAX;
	}
	out->start = start;
	out->end = end;
	return 0;
}

long fcntl_lock(struct task *t, struct file *f, int cmd, uaddr_t arg)
{
	t->lock_blocker = NULL;
	struct flock fl;
	if (copy_from_user(t, &fl, arg, sizeof(fl)))
		return -EFAULT;
	bool ofd = cmd == F_OFD_GETLK || cmd == F_OFD_SETLK || cmd == F_OFD_SETLKW;
	bool get = cmd == F_GETLK || cmd == F_OFD_GETLK;
	bool wait = cmd == F_SETLKW || cmd == F_OFD_SETLKW;
	if (get && fl.l_type != F_RDLCK && fl.l_type != F_WRLCK)
		return -EINVAL;
	struct file_lock want = {
		.space = SPACE_POSIX,
		.owner = ofd ? (const void *)f : (const void *)t->proc->files,
		.ofd = ofd,
		.pid = ofd ? -1 : t->proc->pid,
		.type = fl.l_type,
	};
	int err = flock_range(f, &fl, &want);
	if (err)
		return err;
	if (!get) {
		int acc = f->flags & O_ACCMODE;
		if ((fl.l_type == F_RDLCK && acc == O_WRONLY) || (fl.l_type == F_WRLCK && acc == O_RDONLY))
			return -EBADF;
		if (fl.l_type != F_RDLCK && fl.l_type != F_WRLCK && fl.l_type != F_UNLCK)
			return -EINVAL;
	}
	if (ofd && fl.l_pid != 0)
		return -EINVAL;
	if ((err = lock_key(f, &want.dev, &want.ino)))
		return err;

	struct file_lock *c = want.type == F_UNLCK ? NULL : find_conflict(&want);
	if (get) {
		if (!c) {
			fl.l_type = F_UNLCK;
		} else {
			fl.l_type = c->type;
			fl.l_whence = SEEK_SET;
			fl.l_start = c->start;
			fl.l_len = c->end == INT64_MAX ? 0 : c->end - c->start + 1;
			fl.l_pid = c->pid;
		}
		return copy_to_user(t, arg, &fl, sizeof(fl)) ? -EFAULT : 0;
	}
	if (c) {
		if (!wait)
			return -EAGAIN;
		if (!ofd && !c->ofd && would_deadlock(want.owner, c->owner))
			return -EDEADLK;
		if (!ofd && !c->ofd)
			t->lock_blocker = c->owner;
		wait_on(t, &lock_wait);
		return -EWOULDBLOCK_TASK;
	}
	bool changed = carve(&want);
	if (want.type != F_UNLCK)
		insert(&want);
	if (changed)
		wake_up(&lock_wait);
	return 0;
}

long sys_flock(struct task *t, const struct sysargs *a)
{
	int op = (int)a->a[1];
	struct file *f = fd_get_io(t, (int)a->a[0]);	/* not O_PATH */
	if (!f)
		return -EBADF;
	long r = 0;
	int type = (op & ~LOCK_NB) == LOCK_SH ? F_RDLCK : (op & ~LOCK_NB) == LOCK_EX ? F_WRLCK
		 : (op & ~LOCK_NB) == LOCK_UN ? F_UNLCK : -1;
	struct file_lock want = {
		.space = SPACE_FLOCK, .owner = f, .ofd = true, .pid = -1, .type = (short)type,
		.start = 0, .end = INT64_MAX,
	};
	if (type < 0)
		r = -EINVAL;
	else
		r = lock_key(f, &want.dev, &want.ino);
	if (r)
		goto out;
	/* As Linux: a held lock of the other type is dropped first, so a
	 * conversion that has to wait holds nothing meanwhile. */
	struct file_lock *l;
	list_for_each_entry(l, &locks, node)
		if (l->space == SPACE_FLOCK && l->owner == f && same_file(l, want.dev, want.ino))
			break;
	if (&l->node != &locks) {
		if (l->type == want.type)
			goto out;
		lock_free(l);
		wake_up(&lock_wait);
	}
	if (want.type == F_UNLCK)
		goto out;
	if (find_conflict(&want)) {
		if (op & LOCK_NB) {
			r = -EWOULDBLOCK;
		} else {
			wait_on(t, &lock_wait);
			r = -EWOULDBLOCK_TASK;
		}
		goto out;
	}
	insert(&want);
out:
	file_put(f);
	return r;
}

/* Drops the locks matching `owner` (and, with a file, only those on it). */
static void drop_locks(const void *owner, struct file *on)
{
	if (list_empty(&locks))
		return;
	uint64_t dev = 0, ino = 0;
	bool any = false;
	struct file_lock *l, *n;
	list_for_each_entry(l, &locks, node)
		if (l->owner == owner) {
			any = true;
			break;
		}
	if (!any || (on && lock_key(on, &dev, &ino)))
		return;
	bool changed = false;
	list_for_each_entry_safe(l, n, &locks, node)
		if (l->owner == owner && (!on || same_file(l, dev, ino))) {
			lock_free(l);
			changed = true;
		}
	if (changed)
		wake_up(&lock_wait);
}

void locks_close(struct files *fs, struct file *f)
{
	drop_locks(fs, f);
}

void locks_files_gone(struct files *fs)
{
	drop_locks(fs, NULL);
}

void locks_file_gone(struct file *f)
{
	drop_locks(f, NULL);
}
