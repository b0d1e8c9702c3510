/* What a process points at and has open: the exe, cwd and root magic
 * links and the fd/ and fdinfo/ directories (Linux's fs/proc/base.c and
 * fd.c are the model). Following these links lands on the object itself,
 * not on a path looked up again, so they work for deleted files and
 * across chroots, as on Linux. */
#include "procfs.h"
#include <fcntl.h>

/* ---- magic links: exe, cwd, root ---- */

static int get_exe(struct process *p, struct path *out)
{
	if (!p->exe.dentry)
		return -ENOENT;
	*out = path_get(p->exe);
	return 0;
}

static int get_cwd(struct process *p, struct path *out)
{
	if (!p->fs)
		return -ENOENT;
	*out = path_get(p->fs->cwd);
	return 0;
}

static int get_root(struct process *p, struct path *out)
{
	if (!p->fs)
		return -ENOENT;
	*out = path_get(p->fs->root);
	return 0;
}

static int pid_path(struct pnode *n, int (*get)(struct process *, struct path *), struct path *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ENOENT;
	if (!proc_may_access(p))
		return -EACCES;
	return get(p, out);
}

static int pid_path_text(struct pnode *n, int (*get)(struct process *, struct path *),
			 struct sbuf *out)
{
	struct path pa;
	int err = pid_path(n, get, &pa);
	if (err)
		return err;
	char *s = d_path(pa, proc_reader_root());
	sbuf_printf(out, "%s", s);
	free(s);
	path_put(&pa);
	return 0;
}

int proc_pid_exe(struct pnode *n, struct sbuf *out) { return pid_path_text(n, get_exe, out); }
int proc_pid_exe_jump(struct pnode *n, struct path *out) { return pid_path(n, get_exe, out); }
int proc_pid_cwd(struct pnode *n, struct sbuf *out) { return pid_path_text(n, get_cwd, out); }
int proc_pid_cwd_jump(struct pnode *n, struct path *out) { return pid_path(n, get_cwd, out); }
int proc_pid_root(struct pnode *n, struct sbuf *out) { return pid_path_text(n, get_root, out); }
int proc_pid_root_jump(struct pnode *n, struct path *out) { return pid_path(n, get_root, out); }

/* ---- fd/ and fdinfo/ ---- */

struct file *proc_fd_file(const struct pnode *n, int fd)
{
	struct process *p = proc_of(n);
	if (!p || !p->files || fd < 0 || fd >= p->files->max)
		return NULL;
	return p->files->fd[fd];
}

/* An fd link's mode says how the file is open: r-x for reading, -wx
 * for writing, nothing for O_PATH. */
uint32_t proc_fd_mode(const struct pnode *n)
{
	struct file *f = proc_fd_file(n, n->fd);
	uint32_t mode = S_IFLNK;
	if (!f || (f->flags & O_PATH))
		return mode;
	if ((f->flags & O_ACCMODE) != O_WRONLY)
		mode |= 0500;
	if ((f->flags & O_ACCMODE) != O_RDONLY)
		mode |= 0300;
	return mode;
}

/* The open file of an fd node, if the caller may see it. */
static int fd_node_file(struct pnode *n, struct file **f)
{
	*f = proc_fd_file(n, n->fd);
	if (!*f)
		return -ENOENT;
	return proc_may_access(proc_of(n)) ? 0 : -EACCES;
}

int proc_fd_link(struct pnode *n, struct sbuf *out)
{
	struct file *f;
	int err = fd_node_file(n, &f);
	if (err)
		return err;
	char *s = file_link_name(f);
	sbuf_printf(out, "%s", s ? s : "anon_inode:[unknown]");
	free(s);
	return 0;
}

int proc_fd_jump(struct pnode *n, struct path *out)
{
	struct file *f;
	int err = fd_node_file(n, &f);
	if (err)
		return err;
	/* A file without a path (a pipe, a socket) cannot be reopened by
	 * name yet. */
	if (!f->path.dentry)
		return -ENOENT;
	*out = path_get(f->path);
	return 0;
}

int proc_fdinfo(struct pnode *n, struct sbuf *out)
{
	struct file *f;
	int err = fd_node_file(n, &f);
	if (err)
		return err;
	struct process *p = proc_of(n);
	unsigned flags = f->flags;
	if (p->files->fdflags[n->fd] & FD_CLOEXEC_BIT)
		flags |= O_CLOEXEC;
	struct kstat st = { 0 };
	file_stat(f, &st);
	sbuf_printf(out, "pos:\t%llu\nflags:\t0%o\nmnt_id:\t%d\nino:\t%llu\n",
		    (unsigned long long)f->pos, flags, f->path.mnt ? f->path.mnt->id : 0,
		    (unsigned long long)st.ino);
	return 0;
}
