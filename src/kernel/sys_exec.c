/* execve and execveat. The new program gets a brand-new host process: the
 * kernel spawns a fresh stub, loads the program into it, and only when
 * that worked does the old host process go. A failed exec leaves the
 * caller exactly as it was, and a vfork child (which shares its parent's
 * memory on the host) never touches the parent's address space. */
#include "task.h"
#include "exec.h"
#include "loop.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "platform.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/personality.h>

#define MAX_ARG_STRINGS 0x7fffffff
#define MAX_ARG_STRLEN (32 * PAGE_SIZE)	/* one string, with its NUL */
#define ARG_ROOM_MIN (32 * PAGE_SIZE)	/* Linux's ARG_MAX */
#define STK_LIM (8UL << 20)		/* Linux's default stack limit */

/* The new stack's room for the strings (file name, argv, envp) and the
 * argv and envp pointers, as Linux's bprm_stack_limits measures it: a
 * quarter of the stack limit, no more than three quarters of 8 MiB, and
 * never less than the 32 pages exec always allowed. */
static size_t arg_room(struct process *p)
{
	rlim_t stack = p->rlim[RLIMIT_STACK].rlim_cur;
	size_t room = MIN(STK_LIM / 4 * 3, stack / 4);
	return MAX(room, (size_t)ARG_ROOM_MIN);
}

static void strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

/* Copies a NULL-terminated array of guest strings, adding their bytes
 * and pointers to *total; more than `room` in all is E2BIG at once. */
static int copy_strings(struct task *t, uaddr_t uv, char ***out, size_t *count, size_t *total,
			size_t room)
{
	size_t n = 0, cap = 16;
	char **v = xzalloc(cap * sizeof(char *));
	/* One scratch buffer for all the strings: each is then copied out at
	 * its own size (a fresh 128 KiB buffer per string costs an mmap). */
	char *s = xmalloc(32 * PAGE_SIZE + 1);
	struct user_pages *u = xmalloc(sizeof(*u));
	user_pages_init(u, t);
	for (; uv; n++) {
		uint64_t p;
		if (user_pages_read(u, &p, uv + n * 8, 8)) {
			free(u);
			free(s);
			strv_free(v);
			return -EFAULT;
		}
		if (!p)
			break;
		if (n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		long len = user_pages_str(u, s, p, MAX_ARG_STRLEN + 1);
		if (len < 0 || (size_t)len + 1 > MAX_ARG_STRLEN) {
			free(u);
			free(s);
			v[n] = NULL;
			strv_free(v);
			return len == -EFAULT ? -EFAULT : -E2BIG;
		}
		*total += len + 1 + sizeof(char *);
		v[n] = memcpy(xmalloc(len + 1), s, len + 1);
		v[n + 1] = NULL;
		if (*total > room || n >= MAX_ARG_STRINGS) {
			free(u);
			free(s);
			strv_free(v);
			return -E2BIG;
		}
	}
	free(u);
	free(s);
	v[n] = NULL;
	*out = v;
	*count = n;
	return 0;
}

/* The name Linux copies onto the new stack first: the path as given, or
 * the /dev/fd form execveat makes of a name relative to a directory fd. */
static size_t exec_name_size(int dirfd, const char *name)
{
	if (name[0] == '/' || dirfd == AT_FDCWD)
		return strlen(name) + 1;
	return snprintf(NULL, 0, "/dev/fd/%d%s%s", dirfd, name[0] ? "/" : "", name) + 1;
}

/* What is left to do once the new program is loaded (Linux's
 * begin_new_exec): other threads go, close-on-exec fds close, caught
 * signals reset, and a vfork parent may run again. */
static void finish_exec(struct task *t)
{
	struct process *p = t->proc;
	struct task *o, *n;
	list_for_each_entry_safe(o, n, &p->threads, thread_node)
		if (o != t)
			task_kill(o, true);
	task_hash_remove(t);	/* a thread that execs takes the pid as its tid */
	t->tid = p->pid;
	task_hash_add(t);
	if (p->files->refs > 1) {
		struct files *mine = files_dup(p->files);
		files_put(p->files);
		p->files = mine;
	}
	files_close_on_exec(p->files);
	if (p->fs->refs > 1) {
		struct fs_context *mine = fs_context_dup(p->fs);
		fs_context_put(p->fs);
		p->fs = mine;
	}
	if (p->sighand->refs > 1) {
		struct sighand *sh = sighand_new();
		memcpy(sh->action, p->sighand->action, sizeof(sh->action));
		p->sighand->refs--;
		p->sighand = sh;
	}
	for (int i = 0; i < 64; i++) {
		struct k_sigaction *ka = &p->sighand->action[i];
		if (ka->handler != (uint64_t)SIG_IGN)
			memset(ka, 0, sizeof(*ka));
	}
	posix_timers_delete_all(p);	/* Linux's exit_itimers at exec */
	t->clear_child_tid = 0;
	t->altstack.sp = t->altstack.size = 0;
	t->altstack.flags = SS_DISABLE;
	t->robust_list = 0;
	/* Linux's begin_new_exec: dumpable again unless set-id */
	p->dumpable = p->euid == p->uid && p->egid == p->gid;
	p->did_exec = true;
	/* x86_64's SET_PERSONALITY for a 64-bit program; Linux also clears
	 * PER_CLEAR_ON_SETID for a set-id program, which persona does not
	 * run as such (no exec raises privileges). */
	p->personality &= ~READ_IMPLIES_EXEC;
	if (p->vfork_parent) {
		task_wake(p->vfork_parent);
		p->vfork_parent = NULL;
	}
}

/* The new program in a fresh host process (from the platform's spawn),
 * the old one untouched until the load succeeded: a failure of any kind
 * returns to it. */
static int exec_in_new_process(struct task *t, const char *path, char **argv, char **envp)
{
	struct process *p = t->proc;
	int new_tid, err = plat_spawn(&new_tid);
	if (err)
		return err == -ENOEXEC ? -ENOMEM : err;
	int old_tid = t->host_tid;
	struct mm *old_mm = p->mm;
	struct cpu_regs old_regs = t->regs;
	task_hash_remove(t);
	t->host_tid = new_tid;
	task_hash_add(t);
	p->mm = mm_new();
	if (!(err = plat_get_regs(new_tid, &t->regs)) && !(err = mm_adopt_stub(t, p->mm)))
		err = do_execve(t, path, argv, envp);
	if (err) {
		/* Back to the old process, untouched. */
		plat_kill(new_tid);
		mm_put(p->mm);
		p->mm = old_mm;
		task_hash_remove(t);
		t->host_tid = old_tid;
		task_hash_add(t);
		t->regs = old_regs;
		return err;
	}
	/* The old host process goes; its exit event finds no task. */
	plat_inherit(old_tid, new_tid);
	plat_kill(old_tid);
	mm_put(old_mm);
	return 0;
}

/* Whether the caller's host process can take the new program itself: it
 * must hold this thread alone and no memory another task uses (a vfork
 * child runs on its parent's). Emptying it costs a few munmaps where a
 * new host process costs a clone, its set-up, and the old one's exit. It
 * keeps nothing of the old program that program could not have done to
 * the new one by itself: an exec that raised privileges (set-id, not
 * done by persona) would need a fresh process. */
static bool exec_can_stay(struct task *t)
{
	struct process *p = t->proc;
	return p->mm->refs == 1 && p->threads.next == &t->thread_node &&
	       t->thread_node.next == &p->threads;
}

/* Linux's way: every failure the file can cause is found first; past that
 * point the old program is gone, and a failure (out of memory) kills the
 * process as Linux's does with SIGSEGV. */
static int exec_in_place(struct task *t, const char *path, char **argv, char **envp)
{
	struct process *p = t->proc;
	int err = exec_check_image(t, path, argv, envp);
	if (err)
		return err;
	struct mm *old_mm = p->mm;
	p->mm = mm_new();
	err = mm_exec_reset(t, old_mm, p->mm);
	mm_put(old_mm);
	if (!err)
		err = plat_reset_fpstate(t->host_tid);
	if (!err)
		err = do_execve(t, path, argv, envp);
	if (err) {
		process_exit(p, SIGSEGV);
		return -ENORETURN;
	}
	return 0;
}

static int exec_switch(struct task *t, const char *path, char **argv, char **envp)
{
	int err = exec_can_stay(t) ? exec_in_place(t, path, argv, envp)
				   : exec_in_new_process(t, path, argv, envp);
	if (!err)
		finish_exec(t);
	return err;
}

/* The path to load: `name` relative to `dirfd`, or the file itself for
 * AT_EMPTY_PATH (as /proc/self/fd/N would name it). */
static char *exec_path(struct task *t, int dirfd, const char *name, int flags, int *err)
{
	if (name[0] == '/' || (dirfd == AT_FDCWD && name[0]))
		return xstrdup(name);
	if (!name[0] && !(flags & AT_EMPTY_PATH)) {
		*err = -ENOENT;
		return NULL;
	}
	struct file *f = fd_get(t, dirfd);
	if (!f || !f->path.dentry) {
		if (f)
			file_put(f);
		*err = dirfd == AT_FDCWD ? -ENOENT : -EBADF;
		return NULL;
	}
	char *dir = d_path(f->path, t->proc->fs->root), *out;
	file_put(f);
	if (!name[0])
		return dir;
	if (asprintf(&out, "%s/%s", dir, name) < 0)
		kpanic("out of memory");
	free(dir);
	return out;
}

static long do_execveat(struct task *t, int dirfd, uaddr_t uname, uaddr_t uargv, uaddr_t uenvp, int flags)
{
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	int err;
	char *name = (flags & AT_EMPTY_PATH) ? getname_empty_ok(t, uname, &err) : getname(t, uname, &err);
	if (!name)
		return err;
	/* A set*uid past RLIMIT_NPROC fails here (Linux's PF_NPROC_EXCEEDED
	 * check, before the file is looked at); the mark goes either way. */
	struct process *p = t->proc;
	bool over = p->nproc_exceeded && p->rlim[RLIMIT_NPROC].rlim_cur != RLIM_INFINITY &&
		    (rlim_t)nproc_count(p->uid) > p->rlim[RLIMIT_NPROC].rlim_cur;
	p->nproc_exceeded = false;
	if (over) {
		free(name);
		return -EAGAIN;
	}
	char **argv = NULL, **envp = NULL;
	size_t room = arg_room(t->proc), argc, envc;
	size_t total = exec_name_size(dirfd, name);
	char *path = exec_path(t, dirfd, name, flags, &err);
	free(name);
	if (!path)
		return err;
	/* Most failed execs (a PATH search) end here, before the arguments
	 * are copied or a host process is made. */
	if ((err = exec_check(t, path)) ||
	    (err = copy_strings(t, uargv, &argv, &argc, &total, room)) ||
	    (err = copy_strings(t, uenvp, &envp, &envc, &total, room)))
		goto out;
	/* No arguments at all: Linux adds an empty one, so that a program
	 * never finds its environment at argv[1]. */
	if (argc == 0) {
		total += 1 + sizeof(char *);
		argv = xrealloc(argv, 2 * sizeof(char *));
		argv[0] = xstrdup("");
		argv[1] = NULL;
	}
	if (total > room) {
		err = -E2BIG;
		goto out;
	}
	if ((flags & AT_SYMLINK_NOFOLLOW)) {
		struct path p;
		if (path_lookup(t, AT_FDCWD, path, 0, &p) == 0) {
			bool link = S_ISLNK(p.dentry->inode->mode);
			path_put(&p);
			if (link) {
				err = -ELOOP;
				goto out;
			}
		}
	}
	err = exec_switch(t, path, argv, envp);
out:
	free(path);
	strv_free(argv);
	strv_free(envp);
	return err;
}

long sys_execve(struct task *t, const struct sysargs *a)
{
	return do_execveat(t, AT_FDCWD, a->a[0], a->a[1], a->a[2], 0);
}

long sys_execveat(struct task *t, const struct sysargs *a)
{
	return do_execveat(t, (int)a->a[0], a->a[1], a->a[2], a->a[3], (int)a->a[4]);
}
