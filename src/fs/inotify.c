/* inotify (man 7 inotify), after Linux's fs/notify/inotify: an instance
 * is an fd holding a queue of events; watches name files and directories,
 * and each change the VFS reports (fsnotify.c) queues an event for every
 * watch on the object itself and, with the entry's name, every watch on
 * its directory.
 *
 * Objects are known by (device, inode) as stat shows them, as dnotify
 * knows them: stable across persona's filesystems, whose inode objects
 * are not. An event equal to the last one queued is merged into it, and
 * past max_queued_events one IN_Q_OVERFLOW stands for all that were lost,
 * as in Linux. A watch ends with IN_IGNORED: by inotify_rm_watch, after
 * its one event with IN_ONESHOT, or when its object is gone (the last
 * link and the last open file of it). */
#include "anon_inode.h"
#include "waitq.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "inotify.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>

#define ALL_INOTIFY_BITS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED | IN_ONLYDIR | \
			  IN_DONT_FOLLOW | IN_EXCL_UNLINK | IN_MASK_ADD | IN_MASK_CREATE | \
			  IN_ISDIR | IN_ONESHOT)
#define EVENT_SIZE 16	/* struct inotify_event without its name */

struct kevent {
	struct list_head node;
	int wd;
	uint32_t mask, cookie, len;	/* len: the name's room, NUL padded */
	char name[];
};

struct inotify {
	struct list_head events, watches;	/* watches: this instance's */
	struct list_head node;			/* in `instances` */
	unsigned nevents;
	size_t bytes;
	bool overflow_queued;
	int last_wd;
	unsigned uid;
	struct waitq wq;
};

struct watch {
	struct list_head node;		/* in `all_watches` */
	struct list_head in_node;	/* in its instance's list */
	struct inotify *in;
	uint64_t dev, ino;
	int wd;
	uint32_t mask;		/* events, IN_ONESHOT, IN_EXCL_UNLINK */
	bool dying;		/* its last link went while the object was open */
};

static struct list_head all_watches = LIST_HEAD_INIT(all_watches);
static struct list_head instances = LIST_HEAD_INIT(instances);
static const struct file_ops inotify_ops;

bool inotify_watching(void)
{
	return !list_empty(&all_watches);
}

static void queue_event(struct inotify *in, int wd, uint32_t mask, uint32_t cookie, const char *name)
{
	size_t nlen = name ? strlen(name) : 0;
	uint32_t len = nlen ? (nlen + 1 + EVENT_SIZE - 1) / EVENT_SIZE * EVENT_SIZE : 0;
	if (in->nevents >= INOTIFY_MAX_QUEUED_EVENTS) {
		if (in->overflow_queued)
			return;
		in->overflow_queued = true;
		wd = -1;
		mask = IN_Q_OVERFLOW;
		cookie = len = 0;
		nlen = 0;
	} else if (!list_empty(&in->events)) {
		struct kevent *last = list_entry(in->events.prev, struct kevent, node);
		if (last->wd == wd && last->mask == mask && last->cookie == cookie && last->len == len &&
		    (!len || strcmp(last->name, name) == 0))
			return;
	}
	struct kevent *e = xzalloc(sizeof(*e) + len);
	e->wd = wd;
	e->mask = mask;
	e->cookie = cookie;
	e->len = len;
	if (nlen)
		memcpy(e->name, name, nlen);
	list_add_tail(&e->node, &in->events);
	in->nevents++;
	in->bytes += EVENT_SIZE + len;
	wake_up_key(&in->wq, POLLIN | POLLRDNORM);
}

static void watch_free(struct watch *w)
{
	list_del(&w->node);
	list_del(&w->in_node);
	free(w);
}

/* The watch ends: IN_IGNORED tells its instance. */
static void watch_end(struct watch *w)
{
	queue_event(w->in, w->wd, IN_IGNORED, 0, NULL);
	watch_free(w);
}

static void deliver(struct watch *w, uint32_t mask, uint32_t cookie, const char *name)
{
	if (!(w->mask & mask & IN_ALL_EVENTS))
		return;
	queue_event(w->in, w->wd, mask, cookie, name);
	if (w->mask & IN_ONESHOT)
		watch_end(w);
}

void inotify_event(const struct kstat *obj, const struct kstat *dir, const char *name, uint32_t mask,
		   uint32_t cookie, bool unlinked)
{
	struct watch *w, *n;
	if (dir && name)
		list_for_each_entry_safe(w, n, &all_watches, node)
			if (w->dev == dir->dev && w->ino == dir->ino &&
			    !(unlinked && (w->mask & IN_EXCL_UNLINK)))
				deliver(w, mask, cookie, name);
	if (obj)
		list_for_each_entry_safe(w, n, &all_watches, node)
			if (w->dev == obj->dev && w->ino == obj->ino)
				deliver(w, mask, cookie, NULL);
}

void inotify_gone(const struct kstat *obj, bool still_open)
{
	struct watch *w, *n;
	list_for_each_entry_safe(w, n, &all_watches, node) {
		if (w->dev != obj->dev || w->ino != obj->ino)
			continue;
		if (still_open) {
			w->dying = true;
			continue;
		}
		if (w->mask & IN_DELETE_SELF)
			queue_event(w->in, w->wd, IN_DELETE_SELF, 0, NULL);
		watch_end(w);
	}
}

bool inotify_dying(const struct kstat *obj)
{
	struct watch *w;
	list_for_each_entry(w, &all_watches, node)
		if (w->dying && w->dev == obj->dev && w->ino == obj->ino)
			return true;
	return false;
}

/* ---- the instance's file ---- */

static struct inotify *I(struct file *f) { return f->priv; }

/* Whole events, as many as fit; the first one must (EINVAL otherwise).
 * An event leaves the queue as it is copied, as in Linux: a read that
 * then faults loses it. */
static ssize_t inotify_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct inotify *in = I(f);
	if (list_empty(&in->events)) {
		if (f->flags & O_NONBLOCK)
			return -EAGAIN;
		wait_on(current, &in->wq);
		return -EWOULDBLOCK_TASK;
	}
	size_t done = 0;
	while (!list_empty(&in->events)) {
		struct kevent *e = list_entry(in->events.next, struct kevent, node);
		size_t size = EVENT_SIZE + e->len;
		if (done + size > n)
			break;
		memcpy(buf + done, &e->wd, 4);
		memcpy(buf + done + 4, &e->mask, 4);
		memcpy(buf + done + 8, &e->cookie, 4);
		memcpy(buf + done + 12, &e->len, 4);
		memcpy(buf + done + EVENT_SIZE, e->name, e->len);
		done += size;
		if (e->mask == IN_Q_OVERFLOW && e->wd == -1)
			in->overflow_queued = false;
		list_del(&e->node);
		in->nevents--;
		in->bytes -= size;
		free(e);
	}
	return done ? (ssize_t)done : -EINVAL;
}

static unsigned inotify_poll(struct file *f, struct poll_table *pt)
{
	struct inotify *in = I(f);
	poll_wait(pt, &in->wq);
	return list_empty(&in->events) ? 0 : POLLIN | POLLRDNORM;
}

static long inotify_ioctl(struct file *f, struct task *t, unsigned long cmd, uint64_t arg)
{
	if (cmd != FIONREAD)
		return -ENOTTY;
	int n = (int)I(f)->bytes;
	return copy_to_user(t, arg, &n, sizeof(n)) ? -EFAULT : 0;
}

static void inotify_release(struct file *f)
{
	struct inotify *in = I(f);
	while (!list_empty(&in->watches))
		watch_free(list_entry(in->watches.next, struct watch, in_node));
	while (!list_empty(&in->events)) {
		struct kevent *e = list_entry(in->events.next, struct kevent, node);
		list_del(&e->node);
		free(e);
	}
	list_del(&in->node);
	wake_up(&in->wq);
	free(in);
}

static const struct file_ops inotify_ops = {
	.anon_name = "inotify",
	.read = inotify_read, .poll = inotify_poll, .ioctl = inotify_ioctl,
	.release = inotify_release, .getattr = anon_getattr,
};

/* ---- system calls ---- */

static long do_init(struct task *t, int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	unsigned uid = t->proc->uid, n = 0;
	struct inotify *in;
	list_for_each_entry(in, &instances, node)
		n += in->uid == uid;
	if (n >= INOTIFY_MAX_USER_INSTANCES)
		return -EMFILE;
	in = xzalloc(sizeof(*in));
	list_init(&in->events);
	list_init(&in->watches);
	waitq_init(&in->wq);
	in->uid = uid;
	list_add_tail(&in->node, &instances);
	struct file *f = anon_file_new(&inotify_ops, in, flags & IN_NONBLOCK);
	f->flags = O_RDONLY | (flags & IN_NONBLOCK);
	return anon_install(t, f, flags & IN_CLOEXEC);
}

long sys_inotify_init(struct task *t, const struct sysargs *a UNUSED) { return do_init(t, 0); }
long sys_inotify_init1(struct task *t, const struct sysargs *a) { return do_init(t, (int)a->a[0]); }

static int user_watches(unsigned uid)
{
	int n = 0;
	struct watch *w;
	list_for_each_entry(w, &all_watches, node)
		n += w->in->uid == uid;
	return n;
}

static long update_watch(struct inotify *in, const struct kstat *st, uint32_t arg)
{
	uint32_t mask = arg & (IN_ALL_EVENTS | IN_ONESHOT | IN_EXCL_UNLINK);
	struct watch *w;
	list_for_each_entry(w, &in->watches, in_node)
		if (w->dev == st->dev && w->ino == st->ino) {
			if (arg & IN_MASK_CREATE)
				return -EEXIST;
			w->mask = (arg & IN_MASK_ADD) ? w->mask | mask : mask;
			return w->wd;
		}
	if (user_watches(in->uid) >= INOTIFY_MAX_USER_WATCHES)
		return -ENOSPC;
	/* Numbers go up and come round, as Linux's idr_alloc_cyclic. */
	int wd = in->last_wd;
	for (bool used = true; used;) {
		wd = wd == INT32_MAX ? 1 : wd + 1;
		used = false;
		list_for_each_entry(w, &in->watches, in_node)
			used |= w->wd == wd;
	}
	in->last_wd = wd;
	w = xzalloc(sizeof(*w));
	w->in = in;
	w->dev = st->dev;
	w->ino = st->ino;
	w->wd = wd;
	w->mask = mask;
	list_add_tail(&w->node, &all_watches);
	list_add_tail(&w->in_node, &in->watches);
	return wd;
}

long sys_inotify_add_watch(struct task *t, const struct sysargs *a)
{
	uint32_t mask = (uint32_t)a->a[2];
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & ALL_INOTIFY_BITS))
		return -EINVAL;
	long r;
	struct file *f = anon_fd_get(t, (int)a->a[0], &inotify_ops, &r);
	if (!f)
		return r;
	struct path p;
	int lf = (mask & IN_DONT_FOLLOW ? 0 : LOOKUP_FOLLOW) | (mask & IN_ONLYDIR ? LOOKUP_DIRECTORY : 0);
	struct kstat st;
	if (!(r = user_path_at(t, AT_FDCWD, a->a[1], lf, &p))) {
		if (!(r = inode_permission(p.dentry->inode, MAY_READ)) && !(r = inode_stat(p.dentry->inode, &st)))
			r = update_watch(I(f), &st, mask);
		path_put(&p);
	}
	file_put(f);
	return r;
}

long sys_inotify_rm_watch(struct task *t, const struct sysargs *a)
{
	int wd = (int)a->a[1];
	long r;
	struct file *f = anon_fd_get(t, (int)a->a[0], &inotify_ops, &r);
	if (!f)
		return r;
	r = -EINVAL;
	struct watch *w;
	list_for_each_entry(w, &I(f)->watches, in_node)
		if (w->wd == wd) {
			watch_end(w);
			r = 0;
			break;
		}
	file_put(f);
	return r;
}
