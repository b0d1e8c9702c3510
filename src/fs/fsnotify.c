/* Change notification, after Linux's fsnotify: the VFS tells of each
 * change once, here, and both dnotify (F_NOTIFY, by directory) and
 * inotify (by object and by directory, with names) hear of it. The events
 * are inotify's IN_* masks; dnotify takes those it knows.
 *
 * Which change makes which event, in which order, is Linux's: a link or
 * an unlink tells the object IN_ATTRIB (its link count) before the
 * directory hears IN_CREATE or IN_DELETE; a rename is IN_MOVED_FROM and
 * IN_MOVED_TO with one cookie, then IN_MOVE_SELF; an object whose last
 * link went is IN_DELETE_SELF once nothing has it open any more. */
#include "vfs.h"
#include "inotify.h"
#include <fcntl.h>
#include <sys/inotify.h>

static uint32_t last_cookie;

static bool obj_stat(struct inode *i, struct kstat *st)
{
	return i && inode_stat(i, st) == 0;
}

static unsigned dn_of(uint32_t mask)
{
	return (mask & IN_ACCESS ? DN_ACCESS : 0) | (mask & IN_MODIFY ? DN_MODIFY : 0) |
	       (mask & IN_ATTRIB ? DN_ATTRIB : 0);
}

/* Events about a directory say so, but for those only it can hear. */
static uint32_t isdir(uint32_t mask, const struct kstat *st)
{
	return S_ISDIR(st->mode) && !(mask & (IN_DELETE_SELF | IN_MOVE_SELF)) ? mask | IN_ISDIR : mask;
}

void fsnotify_path(struct path p, uint32_t mask)
{
	if (dn_of(mask))
		dnotify_path_event(p, dn_of(mask));
	struct kstat obj, dir;
	if (!inotify_watching() || !p.dentry || !obj_stat(p.dentry->inode, &obj))
		return;
	bool in_dir = p.dentry->parent && obj_stat(p.dentry->parent->inode, &dir);
	inotify_event(&obj, in_dir ? &dir : NULL, p.dentry->name, isdir(mask, &obj), 0,
		      p.dentry->deleted);
}

/* An event the object alone hears (its link count changed). */
static void self_event(const struct kstat *obj, uint32_t mask)
{
	inotify_event(obj, NULL, NULL, isdir(mask, obj), 0, false);
}

static void dir_event(struct inode *dir, const char *name, uint32_t mask, uint32_t cookie)
{
	struct kstat st;
	if (inotify_watching() && obj_stat(dir, &st))
		inotify_event(NULL, &st, name, mask, cookie, false);
}

void fsnotify_open(struct file *f)
{
	f->notify_close = true;
	fsnotify_path(f->path, IN_OPEN);
}

/* Whether a file other than `except` in an fd table has the object open. */
static bool open_elsewhere(const struct kstat *obj, struct file *except)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		struct files *fs = p->files;
		for (int fd = fs ? fd_next_open(fs, 0) : 0; fs && fd < fs->max; fd = fd_next_open(fs, fd + 1)) {
			struct file *f = fs->fd[fd];
			struct kstat st;
			if (f && f != except && f->path.dentry && !(f->flags & O_PATH) &&
			    file_stat(f, &st) == 0 && st.dev == obj->dev && st.ino == obj->ino)
				return true;
		}
	}
	return false;
}

void fsnotify_close(struct file *f)
{
	if (!f->notify_close)
		return;
	fsnotify_path(f->path, file_writable(f) ? IN_CLOSE_WRITE : IN_CLOSE_NOWRITE);
	struct kstat obj;
	if (inotify_watching() && file_stat(f, &obj) == 0 && inotify_dying(&obj) && !open_elsewhere(&obj, f))
		inotify_gone(&obj, false);
}

void fsnotify_create(struct inode *dir, const char *name, bool is_dir)
{
	dnotify_event(dir, DN_CREATE);
	dir_event(dir, name, IN_CREATE | (is_dir ? IN_ISDIR : 0), 0);
}

void fsnotify_link(struct inode *dir, const char *name, struct inode *obj)
{
	struct kstat st;
	if (inotify_watching() && obj_stat(obj, &st))
		self_event(&st, IN_ATTRIB);
	fsnotify_create(dir, name, false);
}

void fsnotify_victim(struct inode *i, struct fsn_victim *v)
{
	v->known = inotify_watching() && obj_stat(i, &v->st);
	v->inode = i;
}

/* After a name of the victim went: IN_ATTRIB for its link count. */
static void victim_unlinked(struct fsn_victim *v)
{
	if (v->known && !S_ISDIR(v->st.mode))
		self_event(&v->st, IN_ATTRIB);
}

/* Its last link gone (a directory's only one): the watches on it end. */
static void victim_gone(struct fsn_victim *v)
{
	struct kstat now;
	if (!v->known)
		return;
	bool dir = S_ISDIR(v->st.mode);
	if (dir || !obj_stat(v->inode, &now) || now.nlink == 0)
		inotify_gone(&v->st, !dir && open_elsewhere(&v->st, NULL));
}

void fsnotify_delete(struct inode *dir, const char *name, struct fsn_victim *v)
{
	dnotify_event(dir, DN_DELETE);
	victim_unlinked(v);
	victim_gone(v);
	dir_event(dir, name, IN_DELETE | (v->known && S_ISDIR(v->st.mode) ? IN_ISDIR : 0), 0);
}

void fsnotify_move(struct inode *od, const char *oname, struct inode *nd, const char *nname,
		   struct fsn_victim *moved, struct fsn_victim *replaced)
{
	/* Linux's dnotify hears a move from and a move to, and a rename
	 * within one directory besides: three signals there, one each
	 * across two. */
	dnotify_event(od, DN_RENAME);
	dnotify_event(nd, DN_RENAME);
	if (nd == od)
		dnotify_event(od, DN_RENAME);
	if (!inotify_watching())
		return;
	uint32_t cookie = ++last_cookie ? last_cookie : ++last_cookie;
	uint32_t d = moved->known && S_ISDIR(moved->st.mode) ? IN_ISDIR : 0;
	dir_event(od, oname, IN_MOVED_FROM | d, cookie);
	dir_event(nd, nname, IN_MOVED_TO | d, cookie);
	if (replaced)
		victim_unlinked(replaced);
	if (moved->known)
		self_event(&moved->st, IN_MOVE_SELF);
	if (replaced)
		victim_gone(replaced);
}

/* What a change of attributes is, as Linux's fsnotify_change. */
uint32_t fsnotify_attr_mask(unsigned valid)
{
	uint32_t mask = 0;
	if (valid & (ATTR_UID | ATTR_GID | ATTR_MODE))
		mask |= IN_ATTRIB;
	if (valid & ATTR_SIZE)
		mask |= IN_MODIFY;
	if ((valid & (ATTR_ATIME | ATTR_MTIME)) == (ATTR_ATIME | ATTR_MTIME))
		mask |= IN_ATTRIB;
	else if (valid & ATTR_ATIME)
		mask |= IN_ACCESS;
	else if (valid & ATTR_MTIME)
		mask |= IN_MODIFY;
	return mask;
}
