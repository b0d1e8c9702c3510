/* Directory notification (fcntl F_NOTIFY, man 2 fcntl "File and directory
 * change notification"), after Linux's fs/notify/dnotify: a process asks,
 * through an fd of a directory, to be told by a signal when an entry is
 * created, deleted or renamed there, or a file in it is read, written or
 * has its attributes changed.
 *
 * A registration belongs to (open file, fd table), as in Linux: closing
 * any fd of that file in that table ends it. The signal goes to the
 * file's owner (F_SETOWN; registering makes the caller the owner): SIGIO,
 * or the F_SETSIG signal with si_code POLL_MSG and si_fd. Without
 * DN_MULTISHOT a registration ends after its first signal. Registering
 * again through the same fd adds events; 0 takes the registration away.
 *
 * Directories are known by (device, inode) as stat shows them, which is
 * stable across persona's filesystems (their inode objects are not).
 * The VFS calls dnotify_event() after each change (reads and writes:
 * the read(2) and write(2) families and truncate, not sendfile, splice or
 * copy_file_range); it costs nothing while nobody registered. */
#include "vfs.h"
#include "ksignal.h"
#include <fcntl.h>
#include <poll.h>

struct dnotify_mark {
	struct list_head node;
	uint64_t dev, ino;	/* the directory */
	struct file *file;	/* the fd's file (the fd holds it) */
	struct files *files;	/* the fd table it was registered from */
	int fd;			/* for si_fd */
	unsigned mask;		/* DN_* */
};

static struct list_head marks = LIST_HEAD_INIT(marks);

static struct dnotify_mark *find(struct file *f, struct files *fs)
{
	struct dnotify_mark *m;
	list_for_each_entry(m, &marks, node)
		if (m->file == f && m->files == fs)
			return m;
	return NULL;
}

static void drop(struct dnotify_mark *m)
{
	list_del(&m->node);
	free(m);
}

long dnotify_fcntl(struct task *t, int fd, struct file *f, unsigned long arg)
{
	struct files *fs = t->proc->files;
	struct dnotify_mark *m = find(f, fs);
	if (!(arg & ~(unsigned long)DN_MULTISHOT)) {	/* no events: unregister */
		if (m)
			drop(m);
		return 0;
	}
	struct kstat st;
	int err = file_stat(f, &st);
	if (err)
		return err;
	if (!S_ISDIR(st.mode))
		return -ENOTDIR;
	if (!m) {
		m = xzalloc(sizeof(*m));
		list_add_tail(&m->node, &marks);
	}
	m->dev = st.dev;
	m->ino = st.ino;
	m->file = f;
	m->files = fs;
	m->fd = fd;
	m->mask |= (unsigned)arg;	/* a second F_NOTIFY adds to the first */
	if (!f->owner)		/* an owner set by F_SETOWN stays, as in Linux */
		set_owner(t, f, t->proc->pid);
	return 0;
}

void dnotify_close(struct files *fs, struct file *f)
{
	struct dnotify_mark *m = find(f, fs);
	if (m)
		drop(m);
}

void dnotify_files_gone(struct files *fs)
{
	struct dnotify_mark *m, *n;
	list_for_each_entry_safe(m, n, &marks, node)
		if (m->files == fs)
			drop(m);
}

/* The owner's signal, as Linux's send_sigio: SIGIO from the kernel, or
 * the F_SETSIG one telling the fd. */
static void signal_owner(struct dnotify_mark *m)
{
	struct file *f = m->file;
	int sig = f->sig ? f->sig : SIGIO;
	siginfo_t si = { .si_signo = sig, .si_code = POLL_MSG };
	si.si_band = POLLIN | POLLRDNORM | POLLMSG;
	si.si_fd = m->fd;
	if (f->owner)
		send_sigio(f->owner, f->owner_uid, f->owner_euid, sig, f->sig ? &si : NULL);
}

void dnotify_event(struct inode *dir, unsigned event)
{
	if (list_empty(&marks) || !dir)
		return;
	struct kstat st;
	if (inode_stat(dir, &st))
		return;
	struct dnotify_mark *m, *n;
	list_for_each_entry_safe(m, n, &marks, node) {
		if (m->dev != st.dev || m->ino != st.ino || !(m->mask & event))
			continue;
		signal_owner(m);
		if (!(m->mask & DN_MULTISHOT))
			drop(m);
	}
}

void dnotify_path_event(struct path p, unsigned event)
{
	if (!list_empty(&marks) && p.dentry && p.dentry->parent)
		dnotify_event(p.dentry->parent->inode, event);
}
