/* epoll (man 7 epoll, epoll_ctl(2)), after the behavior of Linux's
 * fs/eventpoll.c: an epoll instance, its interest list of entries keyed by
 * (file, fd), and what it has to report. Waiting is in epoll_wait.c.
 *
 * As in Linux, reports come off a ready list in the order entries became
 * ready, and a level-triggered entry that was reported goes back to its
 * end, so a small maxevents goes round-robin. Linux puts an entry on that
 * list from a callback on the file's wait queues; we find out at the next
 * look (epoll_wait, or a poll of the epoll fd), asking the files in the
 * order their entries were added.
 *
 * Entries do not hold a reference to their file: as in Linux, an entry
 * lives until EPOLL_CTL_DEL or until its file is closed for good (the last
 * fd and every other reference gone), when file_put() calls
 * eventpoll_release(). So a dup'd fd keeps the entry alive, and closing
 * the write end of a pipe still gives its reader EOF.
 *
 * An edge-triggered entry is reported only when its file announced a
 * change since the last report. Our wait queues wake tasks, not
 * callbacks, so each EPOLLET entry has a watcher: a task that never runs,
 * parked on the file's queues by the file's own poll. Waking a task that
 * is not blocked only takes it off all its queues (task_wake), so a
 * watcher that was parked and now sits on no queue has seen a wake-up.
 *
 * A wake that announces what changed (wake_up_key: POLLOUT when a read
 * made room) passes over a watcher whose entry did not ask for it, as
 * Linux's ep_poll_callback does, so a reader's own partial read is no
 * new edge. Differences from Linux: a plain wake_up announces anything,
 * so an entry may be reported again after a change it did not ask about
 * (extra reports, never missed ones). EPOLLEXCLUSIVE wakes every
 * waiter, not one; EPOLLWAKEUP does nothing; there is no limit on the
 * number of entries (max_user_watches). */
#include "anon_inode.h"
#include "epoll.h"
#include "waitq.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/epoll.h>

#define EP_MAX_NESTS 4
/* Bits of an entry's events that are not readiness (Linux's
 * EP_PRIVATE_BITS): what is left of a disabled EPOLLONESHOT entry. */
#define EP_PRIVATE_BITS (EPOLLWAKEUP | EPOLLONESHOT | EPOLLET | EPOLLEXCLUSIVE)
#define EXCLUSIVE_OK_BITS (EPOLLIN | EPOLLOUT | EPOLLERR | EPOLLHUP | EPOLLWAKEUP | \
			   EPOLLET | EPOLLEXCLUSIVE)

/* struct epoll_event as x86_64 lays it out: packed. */
struct uevent {
	uint32_t events;
	uint64_t data;
} __attribute__((packed));
_Static_assert(sizeof(struct uevent) == EPOLL_EVENT_SIZE, "x86_64 epoll_event is packed");

struct eventpoll {
	struct list_head items;		/* struct epitem, in the order added */
	int nitems;
	/* Entries that may have something to report, in the order they
	 * became so: Linux's ready list, which decides the order of reports
	 * (and makes a small maxevents go round-robin). */
	struct list_head rdlist;
	struct waitq wq;		/* woken by ADD and MOD */
	struct file *file;		/* the epoll file itself (not a reference) */
};

struct epitem {
	struct list_head node;		/* in ep->items */
	struct list_head rdnode;	/* in ep->rdlist, or empty */
	struct list_head fnode;		/* in *file->epoll_links */
	struct eventpoll *ep;
	struct file *file;		/* not a reference: see the top */
	int fd;
	uint32_t events;		/* as asked, with EPOLLERR | EPOLLHUP */
	uint64_t data;
	bool armed;			/* the watcher sits on the file's queues */
	struct task *watcher;		/* EPOLLET only */
};

static const struct file_ops epoll_ops;

static struct eventpoll *ep_of(struct file *f)
{
	return f->ops == &epoll_ops ? f->priv : NULL;
}

/* ---- watchers (see the top) ---- */

static struct task *watcher_new(void)
{
	struct task *w = xzalloc(sizeof(*w));
	list_init(&w->waiters);
	list_init(&w->ready_node);
	/* A task whose handler still runs: a wake only unparks it. */
	w->state = TASK_IN_KERNEL;
	return w;
}

static void watcher_free(struct task *w)
{
	if (!w)
		return;
	task_unwait(w);
	free(w);
}

static bool watcher_parked(struct task *w)
{
	return !list_empty(&w->waiters) || w->timer;
}

/* ---- readiness ---- */

static bool item_disabled(struct epitem *e)
{
	return !(e->events & ~EP_PRIVATE_BITS);	/* EPOLLONESHOT fired */
}

static unsigned item_poll(struct epitem *e)
{
	return item_disabled(e) ? 0 : file_poll(e->file, NULL) & e->events;
}

static bool on_rdlist(struct epitem *e)
{
	return !list_empty(&e->rdnode);
}

static void rd_add(struct epitem *e)
{
	if (!on_rdlist(e))
		list_add_tail(&e->rdnode, &e->ep->rdlist);
}

/* Parks an EPOLLET entry's watcher on the file's queues; returns the
 * file's readiness as far as the entry asked. */
static unsigned item_arm(struct epitem *e)
{
	struct poll_table pt = { e->watcher, e->events & ~EP_PRIVATE_BITS };
	task_unwait(e->watcher);
	unsigned m = file_poll(e->file, &pt) & e->events;
	e->armed = watcher_parked(e->watcher);
	return m;
}

/* Puts on the ready list what has become ready since the last look. In
 * Linux each file's wake-up callback does that at once; we find out at
 * the next look, in the order the entries were added. An EPOLLET entry
 * goes there only when its file announced something. */
static void ep_discover(struct eventpoll *ep)
{
	struct epitem *e;
	list_for_each_entry(e, &ep->items, node) {
		if (item_disabled(e))
			continue;
		if (!(e->events & EPOLLET)) {
			if (!on_rdlist(e) && item_poll(e))
				rd_add(e);
			continue;
		}
		if (e->armed && !watcher_parked(e->watcher)) {
			e->armed = false;
			rd_add(e);
		}
		if (!e->armed)
			item_arm(e);
	}
}

/* Parks the poller on the instance's queue and on every queue its
 * entries' files would announce a change on. */
static void ep_register(struct eventpoll *ep, struct poll_table *pt)
{
	struct epitem *e;
	poll_wait(pt, &ep->wq);
	list_for_each_entry(e, &ep->items, node)
		if (!item_disabled(e))
			file_poll(e->file, pt);
}

/* Whether anything is to be reported; drops from the ready list what is
 * not ready after all, as Linux does. */
static bool ep_has_events(struct eventpoll *ep)
{
	struct epitem *e, *n;
	ep_discover(ep);
	list_for_each_entry_safe(e, n, &ep->rdlist, rdnode) {
		if (item_poll(e))
			return true;
		list_del(&e->rdnode);
	}
	return false;
}

/* An epoll fd is readable while it has something to report, so it can
 * be polled and nested. Nesting is bounded at ADD; the depth count only
 * guards the recursion. */
static int poll_depth;

static unsigned ep_fop_poll(struct file *f, struct poll_table *pt)
{
	struct eventpoll *ep = f->priv;
	unsigned ready = 0;
	if (poll_depth > EP_MAX_NESTS)
		return 0;
	poll_depth++;
	if (ep_has_events(ep))
		ready = POLLIN | POLLRDNORM;
	if (pt && pt->task)
		ep_register(ep, pt);
	poll_depth--;
	return ready;
}

/* ---- the interest list ---- */

static struct epitem *ep_find(struct eventpoll *ep, struct file *f, int fd)
{
	struct epitem *e;
	list_for_each_entry(e, &ep->items, node)
		if (e->file == f && e->fd == fd)
			return e;
	return NULL;
}

/* ADD and MOD: as Linux's insert and modify, the file is asked at once
 * and the entry goes on the ready list if it has something to report. */
static void ep_set(struct epitem *e, const struct uevent *ev)
{
	e->events = ev->events | EPOLLERR | EPOLLHUP;
	e->data = ev->data;
	if (!(e->events & EPOLLET)) {
		watcher_free(e->watcher);
		e->watcher = NULL;
		e->armed = false;
		if (item_poll(e))
			rd_add(e);
		return;
	}
	if (!e->watcher)
		e->watcher = watcher_new();
	if (item_arm(e))
		rd_add(e);
}

static void ep_insert(struct eventpoll *ep, struct file *f, int fd, const struct uevent *ev)
{
	struct epitem *e = xzalloc(sizeof(*e));
	e->ep = ep;
	e->file = f;
	e->fd = fd;
	list_init(&e->rdnode);
	list_add_tail(&e->node, &ep->items);
	ep_set(e, ev);
	ep->nitems++;
	if (!f->epoll_links) {
		f->epoll_links = xmalloc(sizeof(*f->epoll_links));
		list_init(f->epoll_links);
	}
	list_add_tail(&e->fnode, f->epoll_links);
	wake_up(&ep->wq);
}

static void ep_remove(struct epitem *e)
{
	struct file *f = e->file;
	list_del(&e->node);
	list_del(&e->rdnode);
	e->ep->nitems--;
	list_del(&e->fnode);
	if (list_empty(f->epoll_links)) {
		free(f->epoll_links);
		f->epoll_links = NULL;
	}
	watcher_free(e->watcher);
	free(e);
}

/* The file is closed for good: every entry on it goes (Linux's
 * eventpoll_release). Called by file_put before the file's release. */
void eventpoll_release(struct file *f)
{
	while (f->epoll_links)
		ep_remove(list_entry(f->epoll_links->next, struct epitem, fnode));
}

/* How deep epoll instances nest below `ep` (0: it watches none), or -1
 * if `target` is among them, which would make a loop. */
static int depth_below(struct eventpoll *ep, struct eventpoll *target, int level)
{
	int deepest = 0;
	struct epitem *e;
	if (level > EP_MAX_NESTS)
		return level;
	list_for_each_entry(e, &ep->items, node) {
		struct eventpoll *sub = ep_of(e->file);
		if (!sub)
			continue;
		int d = sub == target ? -1 : depth_below(sub, target, level + 1);
		if (d < 0)
			return -1;
		deepest = MAX(deepest, d + 1);
	}
	return deepest;
}

/* How deep `ep` itself sits inside other epoll instances. */
static int depth_above(struct eventpoll *ep, int level)
{
	int deepest = 0;
	struct epitem *e;
	if (!ep->file->epoll_links || level > EP_MAX_NESTS)
		return 0;
	list_for_each_entry(e, ep->file->epoll_links, fnode)
		deepest = MAX(deepest, depth_above(e->ep, level + 1) + 1);
	return deepest;
}

/* Adding `to` into `ep` would make a loop or nest too deep: ELOOP. */
static bool ep_loop_check(struct eventpoll *ep, struct eventpoll *to)
{
	int below = depth_below(to, ep, 0);
	return below < 0 || below + 1 + depth_above(ep, 0) > EP_MAX_NESTS;
}

/* EPOLLEXCLUSIVE only on ADD, never for an epoll target, and only with
 * the events it knows how to share. */
static bool exclusive_bad(int op, const struct uevent *ev, struct file *tf)
{
	if (op == EPOLL_CTL_DEL || !(ev->events & EPOLLEXCLUSIVE))
		return false;
	if (op == EPOLL_CTL_MOD)
		return true;
	return op == EPOLL_CTL_ADD && (ep_of(tf) || (ev->events & ~EXCLUSIVE_OK_BITS));
}

static long ep_ctl(struct file *f, int op, int fd, struct file *tf, const struct uevent *ev)
{
	struct eventpoll *ep = ep_of(f);
	if (!tf->ops || !tf->ops->poll)
		return -EPERM;		/* regular files, directories */
	if (f == tf || !ep || exclusive_bad(op, ev, tf))
		return -EINVAL;
	if (op == EPOLL_CTL_ADD && ep_of(tf) && ep_loop_check(ep, ep_of(tf)))
		return -ELOOP;
	struct epitem *e = ep_find(ep, tf, fd);
	switch (op) {
	case EPOLL_CTL_ADD:
		if (e)
			return -EEXIST;
		ep_insert(ep, tf, fd, ev);
		return 0;
	case EPOLL_CTL_DEL:
		if (!e)
			return -ENOENT;
		ep_remove(e);
		return 0;
	case EPOLL_CTL_MOD:
		if (!e)
			return -ENOENT;
		if (e->events & EPOLLEXCLUSIVE)
			return -EINVAL;
		ep_set(e, ev);
		wake_up(&ep->wq);
		return 0;
	}
	return -EINVAL;
}

long sys_epoll_ctl(struct task *t, const struct sysargs *a)
{
	int op = (int)a->a[1], fd = (int)a->a[2];
	struct uevent ev = { 0, 0 };
	if (op != EPOLL_CTL_DEL && copy_from_user(t, &ev, a->a[3], sizeof(ev)))
		return -EFAULT;
	struct file *f = fd_get_io(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	struct file *tf = fd_get_io(t, fd);
	long r = tf ? ep_ctl(f, op, fd, tf, &ev) : -EBADF;
	file_put(tf);
	file_put(f);
	return r;
}

/* ---- the epoll file ---- */

static void ep_release(struct file *f)
{
	struct eventpoll *ep = f->priv;
	while (!list_empty(&ep->items))
		ep_remove(list_entry(ep->items.next, struct epitem, node));
	wake_up(&ep->wq);	/* nobody may stay parked on a queue that goes */
	free(ep);
}

static const struct file_ops epoll_ops = {
	.anon_name = "[eventpoll]",
	.poll = ep_fop_poll, .release = ep_release, .getattr = anon_getattr,
};

static long do_epoll_create(struct task *t, int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	struct eventpoll *ep = xzalloc(sizeof(*ep));
	list_init(&ep->items);
	list_init(&ep->rdlist);
	waitq_init(&ep->wq);
	struct file *f = anon_file_new(&epoll_ops, ep, 0);
	ep->file = f;
	return anon_install(t, f, flags & EPOLL_CLOEXEC);
}

long sys_epoll_create(struct task *t, const struct sysargs *a)
{
	if ((int)a->a[0] <= 0)
		return -EINVAL;
	return do_epoll_create(t, 0);
}

long sys_epoll_create1(struct task *t, const struct sysargs *a)
{
	return do_epoll_create(t, (int)a->a[0]);
}

/* ---- reporting ---- */

struct hit {
	struct epitem *e;
	unsigned revents;
};

/* Collects up to `max` entries with something to report, in the order
 * of the ready list. */
static int ep_harvest(struct eventpoll *ep, struct hit *hits, int max)
{
	int n = 0;
	struct epitem *e, *next;
	ep_discover(ep);
	list_for_each_entry_safe(e, next, &ep->rdlist, rdnode) {
		if (n == max)
			break;
		unsigned m = item_poll(e);
		if (m)
			hits[n++] = (struct hit){ e, m };
		else
			list_del(&e->rdnode);	/* not ready after all */
	}
	return n;
}

/* Writes the events out; Linux stops at the first one it cannot write.
 * Returns how many reached the guest. */
static int put_events(struct task *t, uaddr_t u, const struct hit *hits, int n)
{
	struct uevent *ev = xmalloc(n * sizeof(*ev));
	for (int i = 0; i < n; i++)
		ev[i] = (struct uevent){ hits[i].revents, hits[i].e->data };
	int done = n;
	if (copy_to_user(t, u, ev, n * sizeof(*ev))) {
		done = 0;
		while (done < n && !copy_to_user(t, u + done * sizeof(*ev), &ev[done], sizeof(*ev)))
			done++;
	}
	free(ev);
	return done;
}

/* The reported entries are taken: EPOLLET ones leave the ready list
 * until their file announces something again, EPOLLONESHOT ones are
 * disabled, and level-triggered ones go to its end, behind those that
 * did not fit in this call (as in Linux's ep_send_events). */
static void ep_taken(struct eventpoll *ep, const struct hit *hits, int n)
{
	struct list_head again = LIST_HEAD_INIT(again);
	for (int i = 0; i < n; i++) {
		struct epitem *e = hits[i].e;
		list_del(&e->rdnode);
		if (e->events & EPOLLONESHOT)
			e->events &= EP_PRIVATE_BITS;
		else if (!(e->events & EPOLLET))
			list_add_tail(&e->rdnode, &again);
	}
	while (!list_empty(&again)) {
		struct list_head *first = again.next;
		list_del(first);
		list_add_tail(first, &ep->rdlist);
	}
}

bool is_epoll(struct file *f)
{
	return ep_of(f) != NULL;
}

long epoll_target(struct file *f, int tfd, unsigned toff, struct file **target)
{
	struct eventpoll *ep = ep_of(f);
	if (!ep)
		return -EINVAL;
	struct epitem *epi;
	list_for_each_entry(epi, &ep->items, node)
		if (epi->fd == tfd && toff-- == 0) {
			*target = epi->file;
			return 0;
		}
	return -ENOENT;
}

long epoll_send_events(struct task *t, struct file *f, uaddr_t uev, int max)
{
	struct eventpoll *ep = ep_of(f);
	int cap = MIN(max, ep->nitems);
	struct hit *hits = xmalloc(MAX(cap, 1) * sizeof(*hits));
	int n = ep_harvest(ep, hits, cap);
	long r = 0;
	if (n > 0) {
		int done = put_events(t, uev, hits, n);
		ep_taken(ep, hits, done);
		r = done ? done : -EFAULT;
	}
	free(hits);
	return r;
}

void epoll_register(struct file *f, struct poll_table *pt)
{
	ep_register(ep_of(f), pt);
}
