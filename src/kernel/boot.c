/* Boot: the mount tree, the first process, and the event loop. */
#include "boot.h"
#include "tty.h"
#include "task.h"
#include "loop.h"
#include "waitq.h"
#include "exec.h"
#include "ksignal.h"
#include "platform.h"
#include "fdbudget.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <sys/stat.h>
#include <fcntl.h>
#include <limits.h>
#include <unistd.h>

struct path fs_root;
extern gid_t host_groups[64];
extern int host_ngroups;
extern struct timespec boot_time;
extern char **environ;

/* Creates the directory `path` (and its parents) if missing, in the
 * guest's view: in the default world it lands in the in-memory layer. */
static int mkdir_p(struct task *t, const char *path)
{
	char *buf = xstrdup(path);
	int err = 0;
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		struct path cur;
		if (path_lookup(t, AT_FDCWD, buf, LOOKUP_FOLLOW, &cur) == 0) {
			path_put(&cur);
		} else {
			struct path parent;
			char *last, *lb;
			err = path_parent(t, AT_FDCWD, buf, &parent, &last, &lb);
			if (!err) {
				struct inode *d = parent.dentry->inode;
				err = d->ops->mkdir ? d->ops->mkdir(d, last, 0755) : -EPERM;
				path_put(&parent);
				free(lb);
			}
		}
		*p = c;
		if (err || !c)
			break;
	}
	free(buf);
	return err;
}

static int mount_at(struct task *t, const char *where, struct inode *root, bool ro, const char *src)
{
	struct path p;
	int err = mkdir_p(t, where);
	if (!err)
		err = path_lookup(t, AT_FDCWD, where, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err) {
		kwarn("cannot mount on %s: %s", where, strerror(-err));
		return err;
	}
	mount_add(p, root, root->sb, ro, src);
	path_put(&p);
	return 0;
}

static struct inode *make_root(const struct boot_options *o)
{
	int err = 0;
	if (o->root) {
		struct inode *r = hostfs_root(o->root, false, &err);
		if (!r)
			fprintf(stderr, "persona: --root %s: %s\n", o->root, strerror(-err));
		return r;
	}
	struct inode *lower = hostfs_root("/", true, &err);
	if (!lower) {
		fprintf(stderr, "persona: cannot open /: %s\n", strerror(-err));
		return NULL;
	}
	return overlay_new_root(lower, tmpfs_new_root(0755, 0));
}

static int setup_mounts(struct task *t, const struct boot_options *o)
{
	mount_at(t, "/proc", procfs_new_root(), false, "proc");
	mount_at(t, "/dev", devfs_new_root(), false, "devtmpfs");
	mount_at(t, "/dev/shm", tmpfs_new_root(01777, 0), false, "tmpfs");
	mount_at(t, "/tmp", tmpfs_new_root(01777, 0), false, "tmpfs");
	/* persona's own pseudo-terminals, and the console by its name. */
	mount_at(t, "/dev/pts", devpts_new_root(), false, "devpts");
	for (int i = 0; i < o->nmounts; i++) {
		const struct mount_spec *m = &o->mounts[i];
		struct inode *r;
		int err = 0;
		if (m->kind == M_TMPFS)
			r = tmpfs_new_root(0755, m->size);
		else
			r = hostfs_root(m->src, m->kind == M_RO_BIND, &err);
		if (!r) {
			fprintf(stderr, "persona: %s: %s\n", m->src, strerror(-err));
			return -1;
		}
		if (mount_at(t, m->dst, r, m->kind == M_RO_BIND, m->kind == M_TMPFS ? "tmpfs" : m->src))
			return -1;
	}
	return 0;
}

/* The signals persona was started with ignored: they stay ignored for
 * the guest, as exec keeps them for a program run natively (nohup's
 * SIGHUP, SIGINT of a job a non-interactive shell put in the background).
 * Taken before persona sets dispositions of its own. */
static uint64_t ignored_at_start;

static void take_ignored_signals(void)
{
	for (int sig = 1; sig <= 64; sig++) {
		struct sigaction sa;
		if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, NULL, &sa) == 0 &&
		    sa.sa_handler == SIG_IGN)
			ignored_at_start |= SIGBIT(sig);
	}
}

static struct task *make_init(void)
{
	int tid, err = plat_spawn(&tid);
	if (err) {
		fprintf(stderr, "persona: cannot start a guest process: %s\n", strerror(-err));
		return NULL;
	}
	struct process *p = process_new();
	struct task *t = task_new(p, tid);
	p->mm = mm_new();
	char *xstate = xmalloc(65536);
	plat_get_fpstate(tid, xstate);	/* learns the machine's XSAVE size */
	free(xstate);
	if ((err = plat_get_regs(tid, &t->regs)) || (err = mm_adopt_stub(t, p->mm)))
		kpanic("cannot set up the guest address space: %s", strerror(-err));
	p->pgid = p->sid = p->pid;
	p->uid = p->suid = getuid();
	p->euid = geteuid();
	p->gid = p->sgid = getgid();
	p->egid = getegid();
	p->fsuid = p->euid;
	p->fsgid = p->egid;
	p->dumpable = true;
	p->files = files_new();
	p->sighand = sighand_new();
	for (int sig = 1; sig <= 64; sig++)
		if (ignored_at_start & SIGBIT(sig))
			p->sighand->action[sig - 1].handler = (uint64_t)SIG_IGN;
	p->fs = fs_context_new(fs_root);
	init_process = p;
	return t;
}

static void setup_stdio(struct task *t)
{
	for (int fd = 0; fd < 3; fd++) {
		int fl = fcntl(fd, F_GETFL);
		if (fl < 0)
			continue;
		struct file *f = hostfile_new(fd, fl & (O_ACCMODE | O_APPEND));
		if (f)
			fd_install_at(t, f, fd, false);
	}
}

static int set_cwd(struct task *t, const char *dir)
{
	struct path p;
	int err = path_lookup(t, AT_FDCWD, dir, LOOKUP_FOLLOW | LOOKUP_DIRECTORY, &p);
	if (err)
		return err;
	path_put(&t->proc->fs->cwd);
	t->proc->fs->cwd = p;
	return 0;
}

/* The guest's environment: persona's own, with --setenv applied. */
static char **make_env(const struct boot_options *o)
{
	size_t n = 0;
	while (environ[n])
		n++;
	char **env = xzalloc((n + o->nenv + 1) * sizeof(char *));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool replaced = false;
		for (int j = 0; j < o->nenv; j++) {
			size_t kl = strlen(o->env[j].key);
			if (!strncmp(environ[i], o->env[j].key, kl) && environ[i][kl] == '=')
				replaced = true;
		}
		if (!replaced)
			env[k++] = xstrdup(environ[i]);
	}
	for (int j = 0; j < o->nenv; j++)
		if (asprintf(&env[k++], "%s=%s", o->env[j].key, o->env[j].value) < 0)
			kpanic("out of memory");
	return env;
}

/* A program name without '/' is looked up in PATH inside the guest's
 * world, as env(1) and bwrap do. */
static char *find_program(struct task *t, const char *name, char **env)
{
	if (strchr(name, '/'))
		return xstrdup(name);
	const char *path = "/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin";
	for (char **e = env; *e; e++)
		if (!strncmp(*e, "PATH=", 5))
			path = *e + 5;
	char *copy = xstrdup(path), *save, *found = NULL;
	for (char *dir = strtok_r(copy, ":", &save); dir && !found; dir = strtok_r(NULL, ":", &save)) {
		char *cand;
		if (asprintf(&cand, "%s/%s", *dir ? dir : ".", name) < 0)
			break;
		struct path p;
		if (path_lookup(t, AT_FDCWD, cand, LOOKUP_FOLLOW, &p) == 0) {
			bool ok = S_ISREG(p.dentry->inode->mode) &&
				  inode_permission(p.dentry->inode, MAY_EXEC) == 0;
			path_put(&p);
			if (ok) {
				found = cand;
				break;
			}
		}
		free(cand);
	}
	free(copy);
	return found ? found : xstrdup(name);
}

static void save_host_facts(struct process *p)
{
	for (int r = 0; r < RLIM_NLIMITS; r++)
		getrlimit(r, &p->rlim[r]);
	host_ngroups = getgroups(ARRAY_SIZE(host_groups), host_groups);
	if (host_ngroups < 0)
		host_ngroups = 0;
	p->ngroups = host_ngroups;
	p->groups = xmalloc((host_ngroups + 1) * sizeof(uint32_t));
	for (int i = 0; i < host_ngroups; i++)
		p->groups[i] = host_groups[i];
	/* The kernel keeps many host fds (hostfs inodes, memfds): give it
	 * all the room the host allows; the guest keeps the limit it had. */
	struct rlimit nofile;
	getrlimit(RLIMIT_NOFILE, &nofile);
	nofile.rlim_cur = nofile.rlim_max;
	setrlimit(RLIMIT_NOFILE, &nofile);
	getrlimit(RLIMIT_NOFILE, &nofile);
	fdbudget_init(nofile.rlim_cur);
}

int boot_run(const struct boot_options *o)
{
	take_ignored_signals();
	/* The files persona makes on the host for a guest (hostfs) carry
	 * the mode the guest asked less the guest's umask, as on Linux:
	 * persona's own umask must not take more away. */
	umask(0);
	caps_init();
	boot_time = mono_now();
	loop_init(plat_init());
	struct inode *root = make_root(o);
	if (!root)
		return 1;
	struct path none = { NULL, NULL };
	struct mount *m = mount_add(none, root, root->sb, false, o->root ? o->root : "overlay");
	fs_root.mnt = m;
	fs_root.dentry = m->root;
	struct task *t = make_init();
	if (!t)
		return 1;
	save_host_facts(t->proc);
	current = t;
	if (setup_mounts(t, o))
		return 1;
	setup_stdio(t);
	char cwd[PATH_MAX];
	const char *dir = o->chdir;
	if (!dir && !o->root && getcwd(cwd, sizeof(cwd)))
		dir = cwd;
	if (dir) {
		int err = set_cwd(t, dir);
		if (err && o->chdir) {
			fprintf(stderr, "persona: --chdir %s: %s\n", dir, strerror(-err));
			return 1;
		}
	}
	char **env = make_env(o);
	char *prog = find_program(t, o->argv[0], env);
	int err = do_execve(t, prog, o->argv, env);
	current = NULL;
	if (err) {
		fprintf(stderr, "persona: %s: %s\n", o->argv[0], strerror(-err));
		return err == -ENOENT ? 127 : 126;
	}
	free(prog);
	for (char **e = env; *e; e++)
		free(*e);
	free(env);
	task_resume(t);
	return loop_run();
}
