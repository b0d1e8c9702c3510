/* /proc/<pid>/ and /proc/<pid>/task/<tid>/: what a process and its
 * threads look like, in Linux's formats (fs/proc/array.c, base.c and fd.c
 * are the model for the behavior). Numbers persona does not keep (CPU
 * times, page faults, resident pages) are 0 or estimated from the VMAs. */
#include "procfs.h"
#include "tty.h"
#include "mm.h"
#include "uaccess.h"
#include "waitq.h"
#include <sched.h>
#include <sys/mman.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define USER_HZ 100

struct process *proc_of(const struct pnode *n)
{
	return n->pid ? process_by_pid(n->pid) : NULL;
}

static bool task_live_in(struct task *t, struct process *p)
{
	return t && t->proc == p && t->state != TASK_DEAD;
}

/* The thread a node shows: its own, or for the process the leader (any
 * live thread once the leader is gone); NULL for a zombie. */
struct task *task_of(const struct pnode *n)
{
	struct process *p = proc_of(n);
	if (!p)
		return NULL;
	struct task *t = task_by_tid(n->tid ? n->tid : p->pid);
	if (task_live_in(t, p))
		return t;
	if (n->tid)
		return NULL;
	list_for_each_entry(t, &p->threads, thread_node)
		if (t->state != TASK_DEAD)
			return t;
	return NULL;
}

struct path proc_reader_root(void)
{
	return current && current->proc->fs ? current->proc->fs->root : fs_root;
}

/* Whether the caller may look inside p: Linux's ptrace_may_access
 * (PTRACE_MODE_READ_FSCREDS). */
bool proc_may_access(struct process *p)
{
	return !current || ptrace_may_access(current->proc, p, true);
}

/* ---- guest memory: cmdline, environ ---- */

/* Appends guest memory [start, end) page by page, stopping at the first
 * page that cannot be read, as Linux's access_remote_vm does. */
static void read_guest(struct task *t, uaddr_t start, uaddr_t end, struct sbuf *out)
{
	char buf[PAGE_SIZE];
	while (start < end) {
		size_t n = MIN(end - start, PAGE_SIZE - (start & (PAGE_SIZE - 1)));
		if (copy_from_user(t, buf, start, n))
			break;
		sbuf_add(out, buf, n);
		start += n;
	}
}

int proc_pid_cmdline(struct pnode *n, struct sbuf *out)
{
	struct task *t = task_of(n);
	struct mm *mm = t ? t->proc->mm : NULL;
	if (!mm || mm->arg_end <= mm->arg_start)
		return 0;		/* a zombie's cmdline is empty */
	char last = 0;
	if (copy_from_user(t, &last, mm->arg_end - 1, 1) == 0 && last) {
		/* The final NUL was overwritten: the program rewrote its
		 * argv (setproctitle), so the title is the string at
		 * arg_start, up to a page, even if it runs into environ. */
		read_guest(t, mm->arg_start, mm->arg_start + PAGE_SIZE, out);
		size_t len = strnlen(out->buf ? out->buf : "", out->len);
		out->len = len < out->len ? len + 1 : len;
		return 0;
	}
	read_guest(t, mm->arg_start, mm->arg_end, out);
	return 0;
}

int proc_pid_environ(struct pnode *n, struct sbuf *out)
{
	struct task *t = task_of(n);
	if (!t)
		return 0;
	if (!proc_may_access(t->proc))
		return -EACCES;
	struct mm *mm = t->proc->mm;
	if (mm && mm->env_end > mm->env_start)
		read_guest(t, mm->env_start, mm->env_end, out);
	return 0;
}

/* ---- comm ---- */

int proc_pid_comm(struct pnode *n, struct sbuf *out)
{
	struct task *t = task_of(n);
	sbuf_printf(out, "%s\n", t ? t->comm : "");
	return 0;
}

ssize_t proc_pid_comm_write(struct pnode *n, const char *buf, size_t len)
{
	struct task *t = task_of(n);
	if (!t)
		return -ESRCH;
	/* Only threads of the same process may rename each other. */
	if (!current || current->proc != t->proc)
		return -EINVAL;
	/* Like Linux, the bytes are taken as they are: "foo\n" stays so. */
	size_t k = MIN(len, sizeof(t->comm) - 1);
	memset(t->comm, 0, sizeof(t->comm));
	memcpy(t->comm, buf, k);
	return (ssize_t)len;
}

ssize_t proc_pid_oom_adj_write(struct pnode *n UNUSED, const char *buf, size_t len)
{
	char tmp[24], *end;
	size_t k = MIN(len, sizeof(tmp) - 1);
	memcpy(tmp, buf, k);
	tmp[k] = 0;
	long v = strtol(tmp, &end, 10);
	while (*end == '\n' || *end == ' ')
		end++;
	if (end == tmp || *end || v < -1000 || v > 1000)
		return -EINVAL;
	/* Accepted and forgotten: persona has no OOM killer to steer. */
	return (ssize_t)len;
}

/* ---- memory and signal summaries ---- */

struct memsum {
	uint64_t size, rss, file, data, stack, exe, lib;
	uint64_t code_start, code_end;
};

/* Sizes in bytes from the VMAs. Resident memory is not known to the
 * kernel, so every accessible mapping counts as resident. */
static void mem_summary(struct process *p, struct memsum *m)
{
	memset(m, 0, sizeof(*m));
	if (!p->mm)
		return;
	struct inode *exe = p->exe.dentry ? p->exe.dentry->inode : NULL;
	struct vma *v;
	vma_for_each(v, p->mm) {
		uint64_t len = v->end - v->start;
		if (v->kind == VMA_STUB)
			continue;
		m->size += len;
		if (v->prot != PROT_NONE) {
			m->rss += len;
			if (v->file)
				m->file += len;
		}
		if (v->kind == VMA_STACK)
			m->stack += len;
		else if ((v->prot & PROT_WRITE) && !(v->flags & MAP_SHARED))
			m->data += len;
		if (!(v->prot & PROT_EXEC) || !v->file)
			continue;
		if (exe && v->file->inode == exe) {
			m->exe += len;
			if (!m->code_start)
				m->code_start = v->start;
			m->code_end = v->end;
		} else {
			m->lib += len;
		}
	}
}

struct sigsets { uint64_t blocked, ignored, caught; };

static void sig_sets(struct process *p, struct task *t, struct sigsets *s)
{
	memset(s, 0, sizeof(*s));
	if (t)
		s->blocked = t->sigmask;
	if (!p->sighand)
		return;
	/* action[i] is signal i + 1; SIG_IGN is handler 1, SIG_DFL 0. */
	for (int i = 0; i < 64; i++) {
		uint64_t h = p->sighand->action[i].handler;
		if (h == 1)
			s->ignored |= 1ULL << i;
		else if (h > 1)
			s->caught |= 1ULL << i;
	}
}

static char task_state(struct task *t)
{
	if (!t || t->state == TASK_DEAD)
		return 'Z';
	return t->state == TASK_BLOCKED ? 'S' : 'R';
}

static unsigned long long ticks_since_boot(struct timespec t)
{
	struct timespec d = ts_sub(t, boot_time);
	if (d.tv_sec < 0)
		return 0;
	return (unsigned long long)d.tv_sec * USER_HZ + d.tv_nsec / (1000000000 / USER_HZ);
}

/* ---- stat, statm, status ---- */

int proc_pid_stat(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	struct task *t = task_of(n);
	struct memsum m;
	struct sigsets s;
	mem_summary(p, &m);
	sig_sets(p, t, &s);
	struct mm mm0 = { 0 }, *mm = p->mm ? p->mm : &mm0;
	bool leader = !n->tid || n->tid == p->pid;
	int tpgid;
	unsigned tty = tty_nr(p, &tpgid);
	sbuf_printf(out, "%d (%s) %c %d %d %d %u %d 4194304 0 0 0 0 0 0 0 0 20 0 %d 0 %llu %llu %llu %llu ",
		    n->tid ? n->tid : p->pid, t ? t->comm : "", task_state(t),
		    p->parent ? p->parent->pid : 0, p->pgid, p->sid, tty, tpgid, p->nthreads,
		    ticks_since_boot(p->start_time), (unsigned long long)m.size,
		    (unsigned long long)(m.rss / PAGE_SIZE),
		    (unsigned long long)p->rlim[RLIMIT_RSS].rlim_cur);
	sbuf_printf(out, "%lu %lu %lu 0 0 0 %llu %llu %llu 0 0 0 %d 0 0 0 0 0 0 "
		    "0 0 %lu %lu %lu %lu %lu %d\n",
		    (unsigned long)m.code_start, (unsigned long)m.code_end,
		    (unsigned long)mm->stack_top, (unsigned long long)s.blocked,
		    (unsigned long long)s.ignored, (unsigned long long)s.caught,
		    leader ? 17 /* SIGCHLD */ : -1, (unsigned long)mm->brk_start,
		    (unsigned long)mm->arg_start, (unsigned long)mm->arg_end,
		    (unsigned long)mm->env_start, (unsigned long)mm->env_end,
		    t ? 0 : p->exit_status);
	return 0;
}

int proc_pid_statm(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	struct memsum m;
	mem_summary(p, &m);
	sbuf_printf(out, "%lu %lu %lu %lu 0 %lu 0\n", (unsigned long)(m.size / PAGE_SIZE),
		    (unsigned long)(m.rss / PAGE_SIZE), (unsigned long)(m.file / PAGE_SIZE),
		    (unsigned long)(m.exe / PAGE_SIZE),
		    (unsigned long)((m.data + m.stack) / PAGE_SIZE));
	return 0;
}

static void status_mem(struct sbuf *out, const struct memsum *m)
{
	const struct { const char *name; uint64_t bytes; } rows[] = {
		{ "VmPeak", m->size }, { "VmSize", m->size }, { "VmLck", 0 }, { "VmPin", 0 },
		{ "VmHWM", m->rss }, { "VmRSS", m->rss }, { "RssAnon", m->rss - m->file },
		{ "RssFile", m->file }, { "RssShmem", 0 }, { "VmData", m->data },
		{ "VmStk", m->stack }, { "VmExe", m->exe }, { "VmLib", m->lib },
		{ "VmPTE", 0 }, { "VmSwap", 0 }, { "HugetlbPages", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++)
		sbuf_printf(out, "%s:\t%8lu kB\n", rows[i].name, (unsigned long)(rows[i].bytes >> 10));
}

/* Cpus_allowed as Linux prints a cpumask: 32-bit hex groups, most
 * significant first, the first only as wide as the CPU count needs; then
 * the same set as a list of ranges. */
static void status_cpus(struct sbuf *out)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(0, sizeof(set), &set))
		CPU_SET(0, &set);
	int nbits = MAX(1, MIN((int)sysconf(_SC_NPROCESSORS_CONF), CPU_SETSIZE));
	int groups = (nbits + 31) / 32;
	sbuf_printf(out, "Cpus_allowed:\t");
	for (int g = groups - 1; g >= 0; g--) {
		uint32_t w = 0;
		for (int b = 0; b < 32 && g * 32 + b < nbits; b++)
			if (CPU_ISSET(g * 32 + b, &set))
				w |= 1u << b;
		if (g == groups - 1)
			sbuf_printf(out, "%0*x", (nbits - g * 32 + 3) / 4, w);
		else
			sbuf_printf(out, ",%08x", w);
	}
	sbuf_printf(out, "\nCpus_allowed_list:\t");
	const char *sep = "";
	for (int c = 0; c < nbits; c++) {
		if (!CPU_ISSET(c, &set))
			continue;
		int e = c;
		while (e + 1 < nbits && CPU_ISSET(e + 1, &set))
			e++;
		sbuf_printf(out, e > c ? "%s%d-%d" : "%s%d", sep, c, e);
		sep = ",";
		c = e;
	}
	sbuf_printf(out, "\n");
}

/* Name: escapes what would break the line format, as Linux does. */
static void status_name(struct sbuf *out, const char *comm)
{
	sbuf_printf(out, "Name:\t");
	for (const char *c = comm; *c; c++) {
		if (*c == '\n')
			sbuf_add(out, "\\n", 2);
		else if (*c == '\\')
			sbuf_add(out, "\\\\", 2);
		else
			sbuf_add(out, c, 1);
	}
	sbuf_printf(out, "\n");
}

static const char *state_name(char c)
{
	return c == 'R' ? "R (running)" : c == 'S' ? "S (sleeping)" : "Z (zombie)";
}

int proc_pid_status(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	struct task *t = task_of(n);
	int id = n->tid ? n->tid : p->pid, ppid = p->parent ? p->parent->pid : 0;
	status_name(out, t ? t->comm : "");
	sbuf_printf(out, "Umask:\t%04o\nState:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\n"
		    "TracerPid:\t0\nUid:\t%u\t%u\t%u\t%u\nGid:\t%u\t%u\t%u\t%u\nFDSize:\t%d\n"
		    "Groups:\t",
		    p->fs ? p->fs->umask : 022, state_name(task_state(t)), p->pid, id, ppid,
		    p->uid, p->euid, p->suid, p->euid, p->gid, p->egid, p->sgid, p->egid,
		    p->files ? MAX(p->files->max, 64) : 0);
	/* Linux's trailing space after the groups is part of the format. */
	for (int g = 0; g < p->ngroups; g++)
		sbuf_printf(out, g ? " %u" : "%u", (unsigned)p->groups[g]);
	sbuf_printf(out, " \nNStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n",
		    p->pid, id, p->pgid, p->sid);
	if (p->mm) {
		struct memsum m;
		mem_summary(p, &m);
		status_mem(out, &m);
		sbuf_printf(out, "CoreDumping:\t0\nTHP_enabled:\t1\n");
	}
	struct sigsets s;
	sig_sets(p, t, &s);
	struct kcaps c;
	process_caps(p, &c);
	sbuf_printf(out, "Threads:\t%d\nSigQ:\t0/%llu\nSigPnd:\t%016llx\nShdPnd:\t%016llx\n"
		    "SigBlk:\t%016llx\nSigIgn:\t%016llx\nSigCgt:\t%016llx\n"
		    "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\nCapBnd:\t%016llx\n"
		    "CapAmb:\t%016llx\nNoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n",
		    p->nthreads, (unsigned long long)p->rlim[RLIMIT_SIGPENDING].rlim_cur,
		    0ULL, 0ULL, (unsigned long long)s.blocked, (unsigned long long)s.ignored,
		    (unsigned long long)s.caught, (unsigned long long)c.inh,
		    (unsigned long long)c.prm, (unsigned long long)c.eff,
		    (unsigned long long)c.bnd, 0ULL);
	status_cpus(out);
	sbuf_printf(out, "Mems_allowed:\t00000001\nMems_allowed_list:\t0\n"
		    "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
	return 0;
}

int proc_pid_maps(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	if (p->mm)
		mm_show_maps(p->mm, out);
	return 0;
}

/* ---- limits ---- */

static const struct { const char *name, *unit; int res; } limit_rows[] = {
	{ "Max cpu time", "seconds", RLIMIT_CPU },
	{ "Max file size", "bytes", RLIMIT_FSIZE },
	{ "Max data size", "bytes", RLIMIT_DATA },
	{ "Max stack size", "bytes", RLIMIT_STACK },
	{ "Max core file size", "bytes", RLIMIT_CORE },
	{ "Max resident set", "bytes", RLIMIT_RSS },
	{ "Max processes", "processes", RLIMIT_NPROC },
	{ "Max open files", "files", RLIMIT_NOFILE },
	{ "Max locked memory", "bytes", RLIMIT_MEMLOCK },
	{ "Max address space", "bytes", RLIMIT_AS },
	{ "Max file locks", "locks", RLIMIT_LOCKS },
	{ "Max pending signals", "signals", RLIMIT_SIGPENDING },
	{ "Max msgqueue size", "bytes", RLIMIT_MSGQUEUE },
	{ "Max nice priority", NULL, RLIMIT_NICE },
	{ "Max realtime priority", NULL, RLIMIT_RTPRIO },
	{ "Max realtime timeout", "us", RLIMIT_RTTIME },
};

static void limit_value(struct sbuf *out, rlim_t v)
{
	if (v == RLIM_INFINITY)
		sbuf_printf(out, "%-20s ", "unlimited");
	else
		sbuf_printf(out, "%-20llu ", (unsigned long long)v);
}

int proc_pid_limits(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	sbuf_printf(out, "%-25s %-20s %-20s %-10s\n", "Limit", "Soft Limit", "Hard Limit", "Units");
	for (size_t i = 0; i < ARRAY_SIZE(limit_rows); i++) {
		const struct rlimit *r = &p->rlim[limit_rows[i].res];
		sbuf_printf(out, "%-25s ", limit_rows[i].name);
		limit_value(out, r->rlim_cur);
		limit_value(out, r->rlim_max);
		if (limit_rows[i].unit)
			sbuf_printf(out, "%-10s", limit_rows[i].unit);
		sbuf_printf(out, "\n");
	}
	return 0;
}

/* ---- personality: only for who may attach (PTRACE_MODE_ATTACH) ---- */

int proc_pid_personality(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	if (!proc_may_access(p))
		return -EPERM;
	sbuf_printf(out, "%08x\n", p->personality);
	return 0;
}

/* ---- mounts ---- */

int proc_pid_mounts(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	if (p->fs)
		mounts_show(out, p->fs->root);
	return 0;
}

/* Whether p can be reached from root by going up (mounts outside a
 * chroot are not shown). */
static bool path_under(struct path p, struct path root)
{
	while (!path_equal(p, root)) {
		if (p.dentry == p.mnt->root) {
			if (!p.mnt->parent)
				return false;
			p.dentry = p.mnt->mountpoint;
			p.mnt = p.mnt->parent;
		} else {
			p.dentry = p.dentry->parent;
		}
	}
	return true;
}

/* Mount table fields escape space, tab, newline and backslash in octal. */
static void put_escaped(struct sbuf *out, const char *s)
{
	for (; *s; s++) {
		if (strchr(" \t\n\\", *s))
			sbuf_printf(out, "\\%03o", (unsigned char)*s);
		else
			sbuf_add(out, s, 1);
	}
}

int proc_pid_mountinfo(struct pnode *n, struct sbuf *out)
{
	struct process *p = proc_of(n);
	if (!p)
		return -ESRCH;
	if (!p->fs)
		return 0;
	for (struct mount *m = mount_next(NULL); m; m = mount_next(m)) {
		struct path top = { m, m->root };
		if (!path_under(top, p->fs->root))
			continue;
		char *where = d_path(top, p->fs->root);
		/* The namespace's root mount is its own parent. */
		sbuf_printf(out, "%d %d %u:%u / ", m->id, m->parent ? m->parent->id : m->id,
			    major(m->sb->dev), minor(m->sb->dev));
		put_escaped(out, where);
		sbuf_printf(out, " %s,relatime - %s ", m->readonly ? "ro" : "rw", m->sb->type);
		put_escaped(out, m->source);
		sbuf_printf(out, " %s\n", m->sb->readonly ? "ro" : "rw");
		free(where);
	}
	return 0;
}
