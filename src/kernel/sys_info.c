/* Identity and limits: ids, uname, sysinfo, rlimits, affinity,
 * arch_prctl, thread bookkeeping calls, exit. */
#include "task.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "waitq.h"
#include "../mm/mm.h"
#include <sched.h>
#include <sys/utsname.h>
#include <sys/sysinfo.h>
#include <asm/prctl.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <linux/capability.h>

/* Filled at boot from the host: the guest runs as the user persona runs as. */
gid_t host_groups[64];
int host_ngroups;
struct timespec boot_time;

long sys_getpid(struct task *t, const struct sysargs *a UNUSED) { return t->proc->pid; }
long sys_gettid(struct task *t, const struct sysargs *a UNUSED) { return t->tid; }
long sys_getppid(struct task *t, const struct sysargs *a UNUSED)
{
	return t->proc->parent ? t->proc->parent->pid : 0;
}
long sys_getuid(struct task *t, const struct sysargs *a UNUSED) { return t->proc->uid; }
long sys_geteuid(struct task *t, const struct sysargs *a UNUSED) { return t->proc->euid; }
long sys_getgid(struct task *t, const struct sysargs *a UNUSED) { return t->proc->gid; }
long sys_getegid(struct task *t, const struct sysargs *a UNUSED) { return t->proc->egid; }


/* Names set by sethostname / setdomainname: the run's own (the guests
 * share them, as one UTS namespace); the host's are never changed. */
static char uts_nodename[65], uts_domainname[65] = "(none)";
static bool uts_nodename_set;

/* What the guest's uname(2) says: the host's names, Linux's identity. */
void kernel_uname(struct utsname *g)
{
	struct utsname u;
	uname(&u);
	memset(g, 0, sizeof(*g));
	strcpy(g->sysname, "Linux");
	memcpy(g->nodename, uts_nodename_set ? uts_nodename : u.nodename, sizeof(g->nodename));
	memcpy(g->release, u.release, sizeof(g->release));
	memcpy(g->version, u.version, sizeof(g->version));
	strcpy(g->machine, ARCH_NAME);
	memcpy(g->domainname, uts_domainname, sizeof(g->domainname));
}

/* sethostname, setdomainname: CAP_SYS_ADMIN (a guest root), at most 64
 * bytes, kept without a NUL of their own as Linux keeps them. */
static long set_uts_name(struct task *t, const struct sysargs *a, char *dst, bool *set)
{
	size_t len = a->a[1];
	char buf[65] = { 0 };
	if (t->proc->euid != 0)
		return -EPERM;
	if (len > 64)
		return -EINVAL;
	if (copy_from_user(t, buf, a->a[0], len))
		return -EFAULT;
	memcpy(dst, buf, sizeof(buf));
	if (set)
		*set = true;
	return 0;
}

long sys_sethostname(struct task *t, const struct sysargs *a)
{
	return set_uts_name(t, a, uts_nodename, &uts_nodename_set);
}

long sys_setdomainname(struct task *t, const struct sysargs *a)
{
	return set_uts_name(t, a, uts_domainname, NULL);
}

long sys_uname(struct task *t, const struct sysargs *a)
{
	struct utsname g;
	kernel_uname(&g);
	personality_uname(t->proc, &g);
	return copy_to_user(t, a->a[0], &g, sizeof(g));
}

long sys_sysinfo(struct task *t, const struct sysargs *a)
{
	struct sysinfo si;
	if (sysinfo(&si))
		return -errno;
	int n = 0;
	for (struct process *p = process_next(NULL); p; p = process_next(p))
		n += p->nthreads;
	si.procs = n;
	return copy_to_user(t, a->a[0], &si, sizeof(si));
}

/* ---- resource limits ---- */

/* The most fds a process may have: the host's fs.nr_open, which bounds
 * persona's own table too (read once; Linux's default if unreadable). */
static rlim_t nr_open(void)
{
	static rlim_t n;
	if (!n) {
		FILE *f = fopen("/proc/sys/fs/nr_open", "re");
		unsigned long v = 0;
		if (!f || fscanf(f, "%lu", &v) != 1 || !v)
			v = 1 << 20;
		if (f)
			fclose(f);
		n = v;
	}
	return n;
}

static long do_prlimit(struct task *t, struct process *p, int resource, const struct rlimit *new,
		       struct rlimit *old)
{
	if (resource < 0 || resource >= RLIM_NLIMITS)
		return -EINVAL;
	struct rlimit *r = &p->rlim[resource];
	if (new) {
		if (new->rlim_cur > new->rlim_max)
			return -EINVAL;
		if (resource == RLIMIT_NOFILE && new->rlim_max > nr_open())
			return -EPERM;
		if (new->rlim_max > r->rlim_max && !capable(t->proc, CAP_SYS_RESOURCE))
			return -EPERM;
	}
	if (old)
		*old = *r;
	if (new)
		*r = *new;
	return 0;
}

long sys_getrlimit(struct task *t, const struct sysargs *a)
{
	struct rlimit old;
	long r = do_prlimit(t, t->proc, (int)a->a[0], NULL, &old);
	if (!r && copy_to_user(t, a->a[1], &old, sizeof(old)))
		r = -EFAULT;
	return r;
}

long sys_setrlimit(struct task *t, const struct sysargs *a)
{
	struct rlimit new;
	if (copy_from_user(t, &new, a->a[1], sizeof(new)))
		return -EFAULT;
	return do_prlimit(t, t->proc, (int)a->a[0], &new, NULL);
}

long sys_prlimit64(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	struct rlimit new, old;
	struct process *p = pid ? process_by_pid(pid) : t->proc;
	if (!p || p->zombie)
		return -ESRCH;
	if (p != t->proc && t->proc->euid != 0 &&
	    (t->proc->uid != p->uid || t->proc->uid != p->euid))
		return -EPERM;
	if (a->a[2] && copy_from_user(t, &new, a->a[2], sizeof(new)))
		return -EFAULT;
	long r = do_prlimit(t, p, (int)a->a[1], a->a[2] ? &new : NULL, &old);
	if (!r && a->a[3] && copy_to_user(t, a->a[3], &old, sizeof(old)))
		r = -EFAULT;
	return r;
}

long sys_sched_yield(struct task *t UNUSED, const struct sysargs *a UNUSED)
{
	return 0;
}

/* CPU affinity is the host thread's own: the host schedules it. */
static struct task *affinity_target(struct task *t, int pid)
{
	return pid ? task_by_tid(pid) : t;
}

long sys_sched_setaffinity(struct task *t, const struct sysargs *a)
{
	struct task *target = affinity_target(t, (int)a->a[0]);
	if (!target)
		return -ESRCH;
	cpu_set_t set;
	CPU_ZERO(&set);
	size_t len = MIN(a->a[1], sizeof(set));
	if (copy_from_user(t, &set, a->a[2], len))
		return -EFAULT;
	return sched_setaffinity(target->host_tid, sizeof(set), &set) ? -errno : 0;
}

long sys_sched_getaffinity(struct task *t, const struct sysargs *a)
{
	size_t len = a->a[1];
	struct task *target = affinity_target(t, (int)a->a[0]);
	if (!target)
		return -ESRCH;
	cpu_set_t set;
	CPU_ZERO(&set);
	if (sched_getaffinity(target->host_tid, sizeof(set), &set))
		return -errno;
	/* The mask is as wide as the possible CPUs, in whole longs. */
	long ncpu = sysconf(_SC_NPROCESSORS_CONF);
	size_t need = ((ncpu + 63) / 64) * 8;
	if (len < need || (len & 7))
		return -EINVAL;
	if (copy_to_user(t, a->a[2], &set, need))
		return -EFAULT;
	return need;
}

long sys_arch_prctl(struct task *t, const struct sysargs *a)
{
	uint64_t addr = a->a[1];
	switch (a->a[0]) {
	/* Below the last page, as Linux: the host takes no other base and
	 * the thread could not run again. */
	case ARCH_SET_FS:
		if (addr >= TASK_SIZE)
			return -EPERM;
		t->regs.r.fs_base = addr;
		return 0;
	case ARCH_SET_GS:
		if (addr >= TASK_SIZE)
			return -EPERM;
		t->regs.r.gs_base = addr;
		return 0;
	case ARCH_GET_FS:
		return copy_to_user(t, addr, &t->regs.r.fs_base, 8);
	case ARCH_GET_GS:
		return copy_to_user(t, addr, &t->regs.r.gs_base, 8);
	case ARCH_GET_CPUID:
		return 1;
	default:
		return -EINVAL;
	}
}

long sys_set_tid_address(struct task *t, const struct sysargs *a)
{
	t->clear_child_tid = a->a[0];
	return t->tid;
}

long sys_set_robust_list(struct task *t, const struct sysargs *a)
{
	if (a->a[1] != 24)	/* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a->a[0];
	t->robust_len = a->a[1];
	return 0;
}

/* The head another task (0: the caller) registered; the length is always
 * the size of Linux's robust_list_head. */
long sys_get_robust_list(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	struct task *p = pid ? task_by_tid(pid) : t;
	if (!p)
		return -ESRCH;
	if (!ptrace_may_access(t->proc, p->proc, false))
		return -EPERM;
	uint64_t len = 24, head = p->robust_list;
	if (copy_to_user(t, a->a[2], &len, sizeof(len)) || copy_to_user(t, a->a[1], &head, sizeof(head)))
		return -EFAULT;
	return 0;
}

long sys_rseq(struct task *t UNUSED, const struct sysargs *a UNUSED)
{
	return -ENOSYS;
}

long sys_prctl(struct task *t, const struct sysargs *a)
{
	struct process *p = t->proc;
	uint64_t arg = a->a[1];
	int v;
	switch ((int)a->a[0]) {
	case PR_SET_NAME: {
		char name[16];
		long n = strncpy_from_user(t, name, arg, sizeof(name));
		if (n == -EFAULT)
			return -EFAULT;
		name[15] = 0;
		memcpy(t->comm, name, sizeof(name));
		return 0;
	}
	case PR_GET_NAME:
		return copy_to_user(t, arg, t->comm, sizeof(t->comm));
	case PR_SET_PDEATHSIG:
		if (arg > 64)
			return -EINVAL;
		p->pdeath_signal = (int)arg;
		return 0;
	case PR_GET_PDEATHSIG:
		v = p->pdeath_signal;
		return copy_to_user(t, arg, &v, sizeof(v));
	case PR_SET_DUMPABLE:
		if (arg > 1)
			return -EINVAL;
		p->dumpable = arg;
		return 0;
	case PR_GET_DUMPABLE:
		return p->dumpable;
	case PR_SET_CHILD_SUBREAPER:
		p->subreaper = arg != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		v = p->subreaper;
		return copy_to_user(t, arg, &v, sizeof(v));
	case PR_SET_NO_NEW_PRIVS:
		if (arg != 1 || a->a[2] || a->a[3] || a->a[4])
			return -EINVAL;
		p->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		return p->no_new_privs;
	case PR_CAPBSET_READ: {
		struct kcaps c;
		process_caps(p, &c);
		return arg >= c.ncaps ? -EINVAL : (int)((c.bnd >> arg) & 1);
	}
	}
	return -EINVAL;
}
