/* procfs: a synthetic /proc made from the kernel's own objects.
 *
 * Nothing is stored. An inode is made at each lookup; its priv (struct
 * pnode) names a table entry and the process, thread or fd it is about,
 * and every question (does the process still exist, what does the link
 * point to) is asked again of the kernel when it comes. A file's contents
 * are generated whole at open() into a buffer that read() serves, so a
 * reader sees one consistent snapshot, as with Linux's single_open().
 *
 * Inode numbers are a function of (entry, pid, thread or fd), so they
 * are unique and stay the same for as long as the object lives. */
#include "procfs.h"
#include "inotify.h"
#include <dirent.h>
#include <fcntl.h>

/* ---- the tables: one line per entry ---- */

#define PF(n, m, fn)		{ .name = n, .mode = S_IFREG | (m), .show = fn }
#define PFW(n, m, fn, wr)	{ .name = n, .mode = S_IFREG | (m), .show = fn, .write = wr }
#define PTEXT(n, t)		{ .name = n, .mode = S_IFREG | 0444, .show = proc_show_text, .text = t }
#define PDIR(n, m, tbl, d)	{ .name = n, .mode = S_IFDIR | (m), .dir = tbl, .dyn = d }
#define PLINK(n, t)		{ .name = n, .mode = S_IFLNK | 0777, .show = proc_show_text, .text = t }
#define PLINKFN(n, fn)		{ .name = n, .mode = S_IFLNK | 0777, .show = fn }
#define PMAGIC(n, fn, j)	{ .name = n, .mode = S_IFLNK | 0777, .show = fn, .jump = j }
#define SYSCTL(n, m, fn)	{ .name = n, .mode = S_IFREG | (m), .show = fn, .flags = P_STRICT_WRITE }
#define SYSCTL_TEXT(n, m, t)	{ .name = n, .mode = S_IFREG | (m), .show = proc_show_text, \
				  .text = t, .flags = P_STRICT_WRITE }
/* A file of the host's /proc, passed through (its path in .text). */
#define PHOST(n, path)		{ .name = n, .mode = S_IFREG | 0444, .show = proc_show_host, \
				  .text = path, .flags = P_STRICT_WRITE }
#define SYSCTLW(n, m, fn, wr)	{ .name = n, .mode = S_IFREG | (m), .show = fn, .write = wr, \
				  .flags = P_STRICT_WRITE }
#define PEND			{ .name = NULL }

static const struct pentry sys_kernel_random[] = {
	SYSCTL("boot_id", 0444, proc_sys_boot_id),
	SYSCTL_TEXT("entropy_avail", 0444, "256\n"),
	SYSCTL_TEXT("poolsize", 0444, "256\n"),
	SYSCTL("uuid", 0444, proc_sys_uuid),
	PEND
};

static const struct pentry sys_kernel[] = {
	SYSCTL_TEXT("cap_last_cap", 0444, "40\n"),
	SYSCTL("hostname", 0644, proc_sys_hostname),
	SYSCTLW("msg_next_id", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("msgmax", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("msgmnb", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("msgmni", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTL_TEXT("ngroups_max", 0444, "65536\n"),
	SYSCTL("osrelease", 0444, proc_sys_osrelease),
	SYSCTL("ostype", 0444, proc_sys_ostype),
	SYSCTL_TEXT("overflowgid", 0644, "65534\n"),
	SYSCTL_TEXT("overflowuid", 0644, "65534\n"),
	SYSCTL_TEXT("pid_max", 0644, "32768\n"),
	PDIR("random", 0555, sys_kernel_random, DYN_NONE),
	SYSCTLW("sem", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("sem_next_id", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("shm_next_id", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("shmall", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("shmmax", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTLW("shmmni", 0644, proc_sys_ipc, proc_sys_ipc_write),
	SYSCTL("version", 0444, proc_sys_version),
	PEND
};

#define STR_(x) #x
#define STR(x) STR_(x)
static const struct pentry sys_fs_inotify[] = {
	SYSCTL_TEXT("max_queued_events", 0644, STR(INOTIFY_MAX_QUEUED_EVENTS) "\n"),
	SYSCTL_TEXT("max_user_instances", 0644, STR(INOTIFY_MAX_USER_INSTANCES) "\n"),
	SYSCTL_TEXT("max_user_watches", 0644, STR(INOTIFY_MAX_USER_WATCHES) "\n"),
	PEND
};

static const struct pentry sys_fs[] = {
	SYSCTL_TEXT("file-max", 0644, "9223372036854775807\n"),
	PDIR("inotify", 0555, sys_fs_inotify, DYN_NONE),
	SYSCTL_TEXT("nr_open", 0644, "1048576\n"),
	SYSCTL_TEXT("pipe-max-size", 0644, "1048576\n"),
	PEND
};

static const struct pentry sys_net_core[] = {
	SYSCTL_TEXT("somaxconn", 0644, "4096\n"),
	PEND
};

static const struct pentry sys_net[] = {
	PDIR("core", 0555, sys_net_core, DYN_NONE),
	PEND
};

static const struct pentry sys_vm[] = {
	SYSCTL_TEXT("max_map_count", 0644, "65530\n"),
	SYSCTL_TEXT("overcommit_memory", 0644, "0\n"),
	PEND
};

static const struct pentry sys_entries[] = {
	PDIR("fs", 0555, sys_fs, DYN_NONE),
	PDIR("kernel", 0555, sys_kernel, DYN_NONE),
	PDIR("net", 0555, sys_net, DYN_NONE),
	PDIR("vm", 0555, sys_vm, DYN_NONE),
	PEND
};

/* /proc/sysvipc: the System V IPC objects of the reader's namespace. */
static const struct pentry sysvipc_entries[] = {
	PF("msg", 0444, proc_sysvipc),
	PF("sem", 0444, proc_sysvipc),
	PF("shm", 0444, proc_sysvipc),
	PEND
};

static const struct pentry root_entries[] = {
	PF("cpuinfo", 0444, proc_cpuinfo),
	PTEXT("filesystems", "nodev\ttmpfs\nnodev\tdevtmpfs\nnodev\tproc\nnodev\tpipefs\n"
			     "nodev\tsockfs\nnodev\tanon_inodefs\nnodev\thostfs\nnodev\toverlay\n"),
	PF("loadavg", 0444, proc_loadavg),
	PF("meminfo", 0444, proc_meminfo),
	PLINK("mounts", "self/mounts"),
	PLINK("net", "self/net"),
	PLINKFN("self", proc_self),
	PF("stat", 0444, proc_stat),
	PDIR("sys", 0555, sys_entries, DYN_NONE),
	PDIR("sysvipc", 0555, sysvipc_entries, DYN_NONE),
	PLINKFN("thread-self", proc_thread_self),
	PF("uptime", 0444, proc_uptime),
	PF("version", 0444, proc_version),
	PEND
};

/* /proc/<pid>/net/: the network's devices and routes, the host's (the
 * guest uses the host's network and reads it by route netlink too). The
 * socket tables (tcp, udp, unix) are not here: the guest's AF_UNIX
 * sockets are persona's, and the host's connections are not the guest's
 * business. */
static const struct pentry net_entries[] = {
	PHOST("arp", "/proc/net/arp"),
	PHOST("dev", "/proc/net/dev"),
	PHOST("if_inet6", "/proc/net/if_inet6"),
	PHOST("ipv6_route", "/proc/net/ipv6_route"),
	PHOST("route", "/proc/net/route"),
	PEND
};

/* /proc/<pid>/task/<tid>/: one thread's view. */
static const struct pentry tid_entries[] = {
	PF("cmdline", 0444, proc_pid_cmdline),
	PFW("comm", 0644, proc_pid_comm, proc_pid_comm_write),
	PMAGIC("cwd", proc_pid_cwd, proc_pid_cwd_jump),
	PF("environ", 0400, proc_pid_environ),
	PMAGIC("exe", proc_pid_exe, proc_pid_exe_jump),
	PF("limits", 0444, proc_pid_limits),
	PF("maps", 0444, proc_pid_maps),
	PF("personality", 0400, proc_pid_personality),
	PMAGIC("root", proc_pid_root, proc_pid_root_jump),
	PF("stat", 0444, proc_pid_stat),
	PF("statm", 0444, proc_pid_statm),
	PF("status", 0444, proc_pid_status),
	PEND
};

/* /proc/<pid>/: the process. */
static const struct pentry pid_entries[] = {
	PTEXT("cgroup", "0::/\n"),
	PF("cmdline", 0444, proc_pid_cmdline),
	PFW("comm", 0644, proc_pid_comm, proc_pid_comm_write),
	PMAGIC("cwd", proc_pid_cwd, proc_pid_cwd_jump),
	PF("environ", 0400, proc_pid_environ),
	PMAGIC("exe", proc_pid_exe, proc_pid_exe_jump),
	PDIR("fd", 0500, NULL, DYN_FDS),
	PDIR("fdinfo", 0555, NULL, DYN_FDINFO),
	PF("limits", 0444, proc_pid_limits),
	PF("maps", 0444, proc_pid_maps),
	PF("mountinfo", 0444, proc_pid_mountinfo),
	PF("mounts", 0444, proc_pid_mounts),
	PDIR("net", 0555, net_entries, DYN_NONE),
	PF("personality", 0400, proc_pid_personality),
	{ .name = "oom_score_adj", .mode = S_IFREG | 0644, .show = proc_show_text, .text = "0\n",
	  .write = proc_pid_oom_adj_write },
	PMAGIC("root", proc_pid_root, proc_pid_root_jump),
	PF("stat", 0444, proc_pid_stat),
	PF("statm", 0444, proc_pid_statm),
	PF("status", 0444, proc_pid_status),
	PDIR("task", 0555, NULL, DYN_TASKS),
	PEND
};

/* The nodes that are not in a table but made for kernel objects. */
static const struct pentry root_tpl = PDIR("", 0555, root_entries, DYN_PIDS);
static const struct pentry pid_tpl = PDIR("", 0555, pid_entries, DYN_NONE);
static const struct pentry tid_tpl = PDIR("", 0555, tid_entries, DYN_NONE);
static const struct pentry fd_tpl = PMAGIC("", proc_fd_link, proc_fd_jump);
static const struct pentry fdinfo_tpl = PF("", 0444, proc_fdinfo);

/* ---- inode numbers ---- */

/* Every entry gets a small number, in table order, so inode numbers do
 * not depend on what was looked up first. */
#define MAX_ENTRIES 1024
static const struct pentry *entry_ids[MAX_ENTRIES];
static unsigned nentry_ids;

static void number_entries(const struct pentry *e)
{
	if (nentry_ids == MAX_ENTRIES)
		kpanic("procfs: more than %d entries", MAX_ENTRIES);
	entry_ids[nentry_ids++] = e;
	for (const struct pentry *c = e->dir; c && c->name; c++)
		number_entries(c);
}

static unsigned entry_id(const struct pentry *e)
{
	for (unsigned i = 0; i < nentry_ids; i++)
		if (entry_ids[i] == e)
			return i;
	kpanic("procfs: entry %s not numbered", e->name);
}

/* Bits 0-9 the entry, 10-32 the thread or fd, 33- the pid; the root
 * (entry 0, no pid) is inode 1 as on Linux. */
static uint64_t pnode_ino(const struct pentry *e, int pid, int tid, int fd)
{
	uint64_t arg = fd >= 0 ? (uint64_t)fd + 1 : (uint64_t)tid;
	return 1 + entry_id(e) + (arg << 10) + ((uint64_t)pid << 33);
}

/* ---- nodes ---- */

static const struct inode_ops proc_iops, proc_magic_iops;
static const struct file_ops proc_file_fops, proc_dir_fops;

static struct inode *pnode_new(struct super_block *sb, const struct pentry *e,
			       int pid, int tid, int fd)
{
	struct pnode *n = xzalloc(sizeof(*n));
	n->e = e;
	n->pid = pid;
	n->tid = tid;
	n->fd = fd;
	/* Magic links need their own ops: the VFS follows any inode with a
	 * jump method by jumping, and plain links (self) by reading them. */
	const struct inode_ops *ops = e->jump ? &proc_magic_iops : &proc_iops;
	uint32_t mode = e == &fd_tpl ? proc_fd_mode(n) : e->mode;
	struct inode *i = inode_new(sb, ops, mode, pnode_ino(e, pid, tid, fd));
	i->priv = n;
	return i;
}

/* Whether what the node shows still exists: a dead process's directory
 * stays reachable while a dentry holds it, but shows nothing. */
static bool pnode_alive(const struct pnode *n)
{
	if (!n->pid)
		return true;
	return n->tid ? task_of(n) != NULL : proc_of(n) != NULL;
}

/* A decimal name as Linux accepts it in /proc: digits only, no leading
 * zero; -1 otherwise. */
static int name_to_int(const char *s)
{
	long v = 0;
	if (!*s || (s[0] == '0' && s[1]))
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		v = v * 10 + (*s - '0');
		if (v > 0x7fffffff)
			return -1;
	}
	return (int)v;
}

static int lookup_pid(struct super_block *sb, int k, struct inode **res)
{
	struct process *p = process_by_pid(k);
	if (p) {
		*res = pnode_new(sb, &pid_tpl, k, 0, -1);
		return 0;
	}
	/* Like Linux, /proc/<tid> works for any thread, unlisted. */
	struct task *t = task_by_tid(k);
	if (!t || t->state == TASK_DEAD)
		return -ENOENT;
	*res = pnode_new(sb, &pid_tpl, t->proc->pid, k, -1);
	return 0;
}

static int lookup_dyn(struct inode *dir, const char *name, struct inode **res)
{
	struct pnode *n = dir->priv;
	int k = name_to_int(name);
	if (k < 0)
		return -ENOENT;
	switch (n->e->dyn) {
	case DYN_PIDS:
		return lookup_pid(dir->sb, k, res);
	case DYN_TASKS: {
		struct task *t = task_by_tid(k);
		if (!t || t->state == TASK_DEAD || t->proc->pid != n->pid)
			return -ENOENT;
		*res = pnode_new(dir->sb, &tid_tpl, n->pid, k, -1);
		return 0;
	}
	case DYN_FDS:
	case DYN_FDINFO:
		if (!proc_fd_file(n, k))
			return -ENOENT;
		*res = pnode_new(dir->sb, n->e->dyn == DYN_FDS ? &fd_tpl : &fdinfo_tpl,
				 n->pid, n->tid, k);
		return 0;
	default:
		return -ENOENT;
	}
}

static int proc_lookup(struct inode *dir, const char *name, struct inode **res)
{
	struct pnode *n = dir->priv;
	if (!pnode_alive(n))
		return -ENOENT;
	for (const struct pentry *e = n->e->dir; e && e->name; e++) {
		if (strcmp(e->name, name) == 0) {
			*res = pnode_new(dir->sb, e, n->pid, n->tid, n->fd);
			return 0;
		}
	}
	return lookup_dyn(dir, name, res);
}

static void emit_num(readdir_emit emit, void *ctx, int k, uint64_t ino, unsigned type)
{
	char name[16];
	snprintf(name, sizeof(name), "%d", k);
	emit(ctx, name, ino, type);
}

static void readdir_dyn(struct pnode *n, readdir_emit emit, void *ctx)
{
	struct process *p = n->pid ? proc_of(n) : NULL;
	switch (n->e->dyn) {
	case DYN_PIDS:
		for (struct process *q = process_next(NULL); q; q = process_next(q))
			emit_num(emit, ctx, q->pid, pnode_ino(&pid_tpl, q->pid, 0, -1), DT_DIR);
		break;
	case DYN_TASKS: {
		struct task *t;
		list_for_each_entry(t, &p->threads, thread_node)
			if (t->state != TASK_DEAD)
				emit_num(emit, ctx, t->tid, pnode_ino(&tid_tpl, n->pid, t->tid, -1), DT_DIR);
		break;
	}
	case DYN_FDS:
	case DYN_FDINFO: {
		bool links = n->e->dyn == DYN_FDS;
		struct files *fs = p->files;
		for (int fd = fs ? fd_next_open(fs, 0) : 0; fs && fd < fs->max; fd = fd_next_open(fs, fd + 1))
			emit_num(emit, ctx, fd, pnode_ino(links ? &fd_tpl : &fdinfo_tpl, n->pid, n->tid, fd),
				 links ? DT_LNK : DT_REG);
		break;
	}
	default:
		break;
	}
}

static int proc_readdir(struct inode *dir, readdir_emit emit, void *ctx)
{
	struct pnode *n = dir->priv;
	if (!pnode_alive(n))
		return -ENOENT;
	for (const struct pentry *e = n->e->dir; e && e->name; e++)
		emit(ctx, e->name, pnode_ino(e, n->pid, n->tid, n->fd), (e->mode & S_IFMT) >> 12);
	readdir_dyn(n, emit, ctx);
	return 0;
}

static int proc_readlink(struct inode *i, char *buf, size_t len)
{
	struct pnode *n = i->priv;
	struct sbuf b = { 0 };
	int err = n->e->show(n, &b);
	if (err) {
		sbuf_free(&b);
		return err;
	}
	size_t k = MIN(len, b.len);
	if (k)
		memcpy(buf, b.buf, k);
	sbuf_free(&b);
	return (int)k;
}

static int proc_jump(struct inode *i, struct path *out)
{
	struct pnode *n = i->priv;
	return n->e->jump(n, out);
}

static int proc_getattr(struct inode *i, struct kstat *st)
{
	struct pnode *n = i->priv;
	struct process *p = proc_of(n);
	/* A process's files belong to its effective ids (ps reads the
	 * owner of /proc/<pid>) and date from its start. */
	struct timespec t = proc_mono_to_real(p ? p->start_time : boot_time);
	if (p) {
		st->uid = p->euid;
		st->gid = p->egid;
	}
	st->nlink = S_ISDIR(i->mode) ? 2 : 1;
	st->size = 0;
	st->atime = st->mtime = st->ctime = t;
	return 0;
}

static int proc_open(struct inode *i, struct file *f)
{
	struct pnode *n = i->priv;
	if (S_ISDIR(i->mode)) {
		f->ops = &proc_dir_fops;
		return 0;
	}
	bool wr = (f->flags & O_ACCMODE) != O_RDONLY;
	/* sysctl and /proc/net check the mode bits even for root. */
	if (wr && (n->e->flags & P_STRICT_WRITE) && !n->e->write)
		return -EACCES;
	if (!pnode_alive(n))
		return -ESRCH;
	struct sbuf *b = xzalloc(sizeof(*b));
	int err = (f->flags & O_ACCMODE) == O_WRONLY ? 0 : n->e->show(n, b);
	if (err) {
		sbuf_free(b);
		free(b);
		return err;
	}
	f->priv = b;
	f->ops = &proc_file_fops;
	return 0;
}

static void proc_destroy(struct inode *i)
{
	free(i->priv);
}

static ssize_t proc_read(struct file *f, char *buf, size_t len, uint64_t *pos)
{
	struct sbuf *b = f->priv;
	if (*pos >= b->len)
		return 0;
	size_t k = MIN(len, b->len - *pos);
	memcpy(buf, b->buf + *pos, k);
	*pos += k;
	return (ssize_t)k;
}

static ssize_t proc_write(struct file *f, const char *buf, size_t len, uint64_t *pos UNUSED)
{
	struct pnode *n = f->inode->priv;
	if (n->e->write)
		return n->e->write(n, buf, len);
	/* As on Linux: a /proc/<pid> file without a write method fails in
	 * the VFS (EINVAL), a top-level one in procfs (EIO). */
	return n->pid ? -EINVAL : -EIO;
}

static void proc_release(struct file *f)
{
	struct sbuf *b = f->priv;
	if (b) {
		sbuf_free(b);
		free(b);
	}
}

struct inode *procfs_new_root(void)
{
	if (!nentry_ids) {
		number_entries(&root_tpl);
		number_entries(&pid_tpl);
		number_entries(&tid_tpl);
		number_entries(&fd_tpl);
		number_entries(&fdinfo_tpl);
	}
	return pnode_new(sb_new("proc"), &root_tpl, 0, 0, -1);
}

static const struct inode_ops proc_iops = {
	.lookup = proc_lookup,
	.readlink = proc_readlink,
	.getattr = proc_getattr,
	.readdir = proc_readdir,
	.open = proc_open,
	.destroy = proc_destroy,
};

static const struct inode_ops proc_magic_iops = {
	.readlink = proc_readlink,
	.jump = proc_jump,
	.getattr = proc_getattr,
	.destroy = proc_destroy,
};

/* open(O_TRUNC) of a writable sysctl, as a shell's `echo 1 > FILE` and
 * fopen("w") do: as in Linux (proc_sys_setattr), the size change is
 * accepted and means nothing. (Other /proc files still refuse it.) */
static int proc_truncate(struct file *f, uint64_t size UNUSED)
{
	struct pnode *n = f->inode->priv;
	return (n->e->flags & P_STRICT_WRITE) && n->e->write ? 0 : -EINVAL;
}

static const struct file_ops proc_file_fops = {
	.read = proc_read,
	.write = proc_write,
	.truncate = proc_truncate,
	.release = proc_release,
	.seekable = true,
};

static const struct file_ops proc_dir_fops = {
	.seekable = true,
};

/* The pid a /proc/<pid> directory stands for (Linux lets such an fd act
 * as a pidfd), or -1. */
int procfs_dir_pid(struct inode *i)
{
	if (i->ops != &proc_iops)
		return -1;
	struct pnode *n = i->priv;
	return n->e == &pid_tpl && n->tid == 0 ? n->pid : -1;
}
