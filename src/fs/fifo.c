/* Named pipes (man 7 fifo). Opening a FIFO for reading waits for a writer
 * and opening it for writing waits for a reader (O_NONBLOCK: a reader
 * goes ahead, a writer fails with ENXIO); O_RDWR never waits.
 *
 * The pipe is found by the inode's identity (device, inode number), not
 * by the struct inode: hostfs and overlay make a new struct inode on each
 * lookup of an uncached name, so inode->fifo would split one FIFO in two.
 * It lives while an end is open or an opener waits, and its data goes
 * with the last close, as in Linux.
 *
 * Open handlers are re-run from the top after a wait, so a waiting opener
 * is not counted as an end yet; it is an entry on p->openers. When the
 * partner arrives it "grants" every waiting opener: counts it as a reader
 * or writer right then (as Linux counts a waiting opener) and wakes it;
 * the rerun finds its grant and completes the open without counting
 * again. So `mkfifo f; cat f & echo hi > f` works even when the writer
 * has written and closed before the reader runs again. */
#include "pipe.h"
#include <fcntl.h>

struct fifo_opener {
	struct list_head node;
	struct task *t;		/* compared only, after task_by_tid(tid) */
	int tid;
	long sysno;
	struct sysargs args;
	bool reader;		/* else a writer */
	bool granted;		/* counted in readers/writers already */
};

static struct list_head fifos = LIST_HEAD_INIT(fifos);

static struct pipe *fifo_find(uint64_t dev, uint64_t ino)
{
	struct pipe *p;
	list_for_each_entry(p, &fifos, node)
		if (p->dev == dev && p->fino == ino)
			return p;
	return NULL;
}

static struct pipe *fifo_new(uint64_t dev, uint64_t ino)
{
	struct pipe *p = pipe_alloc();
	p->fifo = true;
	p->dev = dev;
	p->fino = ino;
	list_add_tail(&p->node, &fifos);
	return p;
}

static void fifo_maybe_free(struct pipe *p)
{
	if (p->readers || p->writers || !list_empty(&p->openers))
		return;
	list_del(&p->node);
	pipe_free(p);
}

static void opener_del(struct pipe *p, struct fifo_opener *o)
{
	list_del(&o->node);
	if (o->granted)
		pipe_drop_end(p, o->reader, !o->reader);
	free(o);
}

/* An entry is live while its task still sits in that open (the same
 * call, same arguments): parked, woken and about to rerun, or running it
 * now. An open cut short by a signal leaves a dead entry behind. */
static bool opener_live(struct fifo_opener *o)
{
	struct task *t = task_by_tid(o->tid);
	if (t != o->t || t->sysno != o->sysno || memcmp(&t->args, &o->args, sizeof(o->args)))
		return false;
	return t == current || t->state == TASK_BLOCKED || t->state == TASK_READY;
}

void fifo_prune(struct pipe *p)
{
	struct fifo_opener *o, *n;
	list_for_each_entry_safe(o, n, &p->openers, node)
		if (!opener_live(o))
			opener_del(p, o);
}

static struct fifo_opener *opener_of(struct pipe *p, struct task *t)
{
	struct fifo_opener *o;
	list_for_each_entry(o, &p->openers, node)
		if (o->t == t)
			return o;
	return NULL;
}

static bool waiting(struct pipe *p, bool reader)
{
	struct fifo_opener *o;
	list_for_each_entry(o, &p->openers, node)
		if (!o->granted && o->reader == reader)
			return true;
	return false;
}

/* The partner came: every opener waiting for it is now an end. */
static void grant(struct pipe *p, bool readers)
{
	struct fifo_opener *o;
	bool any = false;
	list_for_each_entry(o, &p->openers, node) {
		if (o->granted || o->reader != readers)
			continue;
		o->granted = true;
		any = true;
		if (readers) {
			p->readers++;
		} else {
			p->writers++;
			p->w_counter++;
		}
	}
	if (any)
		wake_up(&p->open_wait);
}

static int wait_partner(struct pipe *p, bool reader)
{
	struct fifo_opener *o = xzalloc(sizeof(*o));
	o->t = current;
	o->tid = current->tid;
	o->sysno = current->sysno;
	o->args = current->args;
	o->reader = reader;
	list_add_tail(&o->node, &p->openers);
	wait_on(current, &p->open_wait);
	return -EWOULDBLOCK_TASK;
}

/* A rerun whose wait was granted: the counts are made, just attach. An
 * entry from an earlier call of this task (cut short) is dropped. */
static bool take_grant(struct pipe *p, bool rd, bool wr)
{
	struct fifo_opener *o = opener_of(p, current);
	if (!o)
		return false;
	bool ok = o->granted && current->rerun && o->reader == rd && !wr == rd;
	if (ok) {
		o->granted = false;	/* the counts now belong to the file */
		list_del(&o->node);
		free(o);
		return true;
	}
	opener_del(p, o);
	return false;
}

/* Counts the new end or parks the opener; 0 when the open goes ahead. */
static int fifo_count(struct pipe *p, struct file *f, bool *gated)
{
	bool nonblock = f->flags & O_NONBLOCK;
	*gated = false;
	switch (f->flags & O_ACCMODE) {
	case O_RDONLY:
		if (!p->writers && !waiting(p, false) && !nonblock)
			return wait_partner(p, true);
		p->readers++;
		grant(p, false);
		*gated = !p->writers;
		return 0;
	case O_WRONLY:
		if (!p->readers && !waiting(p, true))
			return nonblock ? -ENXIO : wait_partner(p, false);
		p->writers++;
		p->w_counter++;
		grant(p, true);
		return 0;
	case O_RDWR:
		p->readers++;
		p->writers++;
		p->w_counter++;
		grant(p, true);
		grant(p, false);
		return 0;
	}
	return -EINVAL;
}

int fifo_open(struct inode *i, struct file *f)
{
	struct kstat st;
	int err = inode_stat(i, &st);
	if (err)
		return err;
	int acc = f->flags & O_ACCMODE;
	bool rd = acc != O_WRONLY, wr = acc != O_RDONLY;
	bool gated = false;
	struct pipe *p = fifo_find(st.dev, st.ino);
	if (p) {
		fifo_prune(p);
		if (acc != O_ACCMODE && take_grant(p, rd, wr)) {
			pipe_attach(f, p, &fifo_fops, false);
			return 0;
		}
	} else {
		p = fifo_new(st.dev, st.ino);
	}
	err = fifo_count(p, f, &gated);
	if (err == -EWOULDBLOCK_TASK)
		return err;
	if (err) {
		fifo_maybe_free(p);
		return err;
	}
	pipe_attach(f, p, &fifo_fops, gated);
	return 0;
}

void fifo_end_closed(struct pipe *p)
{
	fifo_prune(p);
	fifo_maybe_free(p);
}
