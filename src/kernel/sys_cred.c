/* Credentials: user and group ids (real, effective, saved, filesystem),
 * supplementary groups, and scheduling priority. The rules are POSIX's as
 * Linux applies them; euid 0 stands for CAP_SETUID/CAP_SETGID. */
#include "task.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include <unistd.h>

#define NGROUPS_MAX 65536
#define KEEP ((unsigned)-1)

static bool is_root(struct process *p) { return p->euid == 0; }

/* May an unprivileged process take id `id`: one of its own three. */
static bool own(unsigned id, unsigned r, unsigned e, unsigned s)
{
	return id == r || id == e || id == s;
}

bool capable(struct process *p, int cap)
{
	struct kcaps c;
	process_caps(p, &c);
	return c.eff & (1ULL << cap);
}

/* Whether `me` may look into `p`, as Linux's __ptrace_may_access in
 * PTRACE_MODE_READ: its own threads, else all of p's user and group ids
 * are the caller's (real ids, or fs ids for /proc), or CAP_SYS_PTRACE;
 * and p must be dumpable unless the caller has CAP_SYS_PTRACE. */
bool ptrace_may_access(struct process *me, struct process *p, bool fscreds)
{
	if (me == p)
		return true;
	unsigned uid = fscreds ? me->fsuid : me->uid, gid = fscreds ? me->fsgid : me->gid;
	bool cap = capable(me, CAP_SYS_PTRACE);
	if (!cap && !(uid == p->uid && uid == p->euid && uid == p->suid &&
		      gid == p->gid && gid == p->egid && gid == p->sgid))
		return false;
	return cap || p->dumpable || !p->mm;
}

/* A change of the effective or filesystem ids makes the process
 * undumpable, as Linux's commit_creds (suid_dumpable is 0). */
static void creds_changed(struct process *p, unsigned euid, unsigned egid, unsigned fsuid,
			  unsigned fsgid)
{
	if (p->euid != euid || p->egid != egid || p->fsuid != fsuid || p->fsgid != fsgid)
		p->dumpable = false;
}

/* ---- RLIMIT_NPROC ---- */

int nproc_count(unsigned uid)
{
	int n = 0;
	for (struct process *q = process_next(NULL); q; q = process_next(q))
		if (q->uid == uid)
			n += q->zombie ? 1 : q->nthreads;
	return n;
}

/* As Linux's copy_process: root's real uid, CAP_SYS_RESOURCE and
 * CAP_SYS_ADMIN are not held to the limit. */
bool nproc_may_fork(struct process *p)
{
	rlim_t lim = p->rlim[RLIMIT_NPROC].rlim_cur;
	if (lim == RLIM_INFINITY || (rlim_t)nproc_count(p->uid) < lim)
		return true;
	return p->uid == 0 || capable(p, CAP_SYS_RESOURCE) || capable(p, CAP_SYS_ADMIN);
}

/* A set*uid that changes the real uid never fails for the limit (too
 * many programs don't look), but marks the process so that its next
 * execve does, as Linux's flag_nproc_exceeded. */
static void flag_nproc(struct process *p, unsigned old_uid)
{
	if (p->uid == old_uid)
		return;
	rlim_t lim = p->rlim[RLIMIT_NPROC].rlim_cur;
	/* The process itself still counts for its old uid here. */
	p->nproc_exceeded = p->uid != 0 && lim != RLIM_INFINITY &&
			    (rlim_t)nproc_count(p->uid) - (p->zombie ? 1 : p->nthreads) > lim;
}

static long set_res(struct process *p, unsigned r, unsigned e, unsigned s, bool gid)
{
	unsigned *pr = gid ? &p->gid : &p->uid, *pe = gid ? &p->egid : &p->euid;
	unsigned *ps = gid ? &p->sgid : &p->suid, *pf = gid ? &p->fsgid : &p->fsuid;
	unsigned old_uid = p->uid, euid = p->euid, egid = p->egid, fsuid = p->fsuid, fsgid = p->fsgid;
	bool priv = is_root(p);
	if (!priv && ((r != KEEP && !own(r, *pr, *pe, *ps)) || (e != KEEP && !own(e, *pr, *pe, *ps)) ||
		      (s != KEEP && !own(s, *pr, *pe, *ps))))
		return -EPERM;
	if (r != KEEP)
		*pr = r;
	if (e != KEEP)
		*pe = e;
	if (s != KEEP)
		*ps = s;
	*pf = *pe;
	flag_nproc(p, old_uid);
	creds_changed(p, euid, egid, fsuid, fsgid);
	return 0;
}

long sys_setresuid(struct task *t, const struct sysargs *a)
{
	return set_res(t->proc, (unsigned)a->a[0], (unsigned)a->a[1], (unsigned)a->a[2], false);
}

long sys_setresgid(struct task *t, const struct sysargs *a)
{
	return set_res(t->proc, (unsigned)a->a[0], (unsigned)a->a[1], (unsigned)a->a[2], true);
}

static long get_res(struct task *t, const struct sysargs *a, unsigned r, unsigned e, unsigned s)
{
	if (copy_to_user(t, a->a[0], &r, 4) || copy_to_user(t, a->a[1], &e, 4) ||
	    copy_to_user(t, a->a[2], &s, 4))
		return -EFAULT;
	return 0;
}

long sys_getresuid(struct task *t, const struct sysargs *a)
{
	return get_res(t, a, t->proc->uid, t->proc->euid, t->proc->suid);
}

long sys_getresgid(struct task *t, const struct sysargs *a)
{
	return get_res(t, a, t->proc->gid, t->proc->egid, t->proc->sgid);
}

/* setreuid: the saved id follows the effective one when the real id is
 * set, or the effective one becomes other than the old real id. */
static long set_re(struct process *p, unsigned r, unsigned e, bool gid)
{
	unsigned or = gid ? p->gid : p->uid, oe = gid ? p->egid : p->euid;
	if (!is_root(p) && ((r != KEEP && r != or && r != oe) ||
			    (e != KEEP && !own(e, or, oe, gid ? p->sgid : p->suid))))
		return -EPERM;
	unsigned ne = e != KEEP ? e : oe;
	unsigned s = (r != KEEP || (e != KEEP && e != or)) ? ne : KEEP;
	return set_res(p, r, e, s, gid);
}

long sys_setreuid(struct task *t, const struct sysargs *a)
{
	return set_re(t->proc, (unsigned)a->a[0], (unsigned)a->a[1], false);
}

long sys_setregid(struct task *t, const struct sysargs *a)
{
	return set_re(t->proc, (unsigned)a->a[0], (unsigned)a->a[1], true);
}

/* setuid: root sets all three; others only the effective id. */
static long set_one(struct process *p, unsigned id, bool gid)
{
	if (id == KEEP)
		return -EINVAL;
	if (is_root(p))
		return set_res(p, id, id, id, gid);
	if (id != (gid ? p->gid : p->uid) && id != (gid ? p->sgid : p->suid))
		return -EPERM;
	return set_res(p, KEEP, id, KEEP, gid);
}

long sys_setuid(struct task *t, const struct sysargs *a) { return set_one(t->proc, (unsigned)a->a[0], false); }
long sys_setgid(struct task *t, const struct sysargs *a) { return set_one(t->proc, (unsigned)a->a[0], true); }

/* setfsuid returns the old id whether or not it changed anything. */
static long set_fs(struct process *p, unsigned id, bool gid)
{
	unsigned *pf = gid ? &p->fsgid : &p->fsuid, old = *pf;
	if (id != KEEP && (is_root(p) || own(id, gid ? p->gid : p->uid, gid ? p->egid : p->euid,
					     gid ? p->sgid : p->suid) || id == old)) {
		*pf = id;
		if (id != old)
			p->dumpable = false;
	}
	return old;
}

long sys_setfsuid(struct task *t, const struct sysargs *a) { return set_fs(t->proc, (unsigned)a->a[0], false); }
long sys_setfsgid(struct task *t, const struct sysargs *a) { return set_fs(t->proc, (unsigned)a->a[0], true); }

long sys_getgroups(struct task *t, const struct sysargs *a)
{
	int size = (int)a->a[0];
	struct process *p = t->proc;
	if (size < 0)
		return -EINVAL;
	if (size == 0)
		return p->ngroups;
	if (size < p->ngroups)
		return -EINVAL;
	if (copy_to_user(t, a->a[1], p->groups, p->ngroups * sizeof(uint32_t)))
		return -EFAULT;
	return p->ngroups;
}

long sys_setgroups(struct task *t, const struct sysargs *a)
{
	int size = (int)a->a[0];
	struct process *p = t->proc;
	if (size < 0 || size > NGROUPS_MAX)
		return -EINVAL;
	if (!is_root(p))
		return -EPERM;
	uint32_t *g = xmalloc((size + 1) * sizeof(uint32_t));
	if (copy_from_user(t, g, a->a[1], size * sizeof(uint32_t))) {
		free(g);
		return -EFAULT;
	}
	free(p->groups);
	p->groups = g;
	p->ngroups = size;
	return 0;
}

/* ---- priority: Linux returns 20 - nice from the system call ---- */

static bool prio_matches(struct process *q, int which, int who, struct process *self)
{
	switch (which) {
	case PRIO_PROCESS: return q->pid == (who ? who : self->pid);
	case PRIO_PGRP: return q->pgid == (who ? who : self->pgid);
	case PRIO_USER: return q->uid == (unsigned)(who ? who : (int)self->uid);
	}
	return false;
}

long sys_getpriority(struct task *t, const struct sysargs *a)
{
	int which = (int)a->a[0], who = (int)a->a[1];
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	long best = -ESRCH;
	for (struct process *q = process_next(NULL); q; q = process_next(q))
		if (!q->zombie && prio_matches(q, which, who, t->proc) && 20 - q->nice > best)
			best = 20 - q->nice;
	return best;
}

long sys_setpriority(struct task *t, const struct sysargs *a)
{
	int which = (int)a->a[0], who = (int)a->a[1], nice = (int)a->a[2];
	if (which < PRIO_PROCESS || which > PRIO_USER)
		return -EINVAL;
	nice = nice < -20 ? -20 : nice > 19 ? 19 : nice;
	long r = -ESRCH;
	for (struct process *q = process_next(NULL); q; q = process_next(q)) {
		if (q->zombie || !prio_matches(q, which, who, t->proc))
			continue;
		if (!is_root(t->proc) && q->uid != t->proc->euid && q->euid != t->proc->euid) {
			r = -EPERM;
			continue;
		}
		if (nice < q->nice && !is_root(t->proc)) {
			r = -EACCES;
			continue;
		}
		q->nice = nice;
		r = 0;
	}
	return r;
}

/* ---- capabilities ---- */

/* Capabilities follow the ids, as Linux's do for a process that never
 * calls capset nor sets PR_SET_KEEPCAPS: root has the sets persona was
 * started with; a process none of whose real, effective and saved uids is
 * 0 has no permitted ones; an effective uid other than 0 has no effective
 * ones. (persona's own checks look at the ids: euid 0 is privileged.) */
static struct kcaps host_caps;

void caps_init(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	if (syscall(SYS_capget, &h, d) == 0) {
		host_caps.inh = d[0].inheritable | (uint64_t)d[1].inheritable << 32;
		host_caps.prm = d[0].permitted | (uint64_t)d[1].permitted << 32;
		host_caps.eff = d[0].effective | (uint64_t)d[1].effective << 32;
	}
	int r;
	for (int cap = 0; cap < 64 && (r = prctl(PR_CAPBSET_READ, cap)) >= 0; cap++) {
		host_caps.ncaps = cap + 1;
		if (r == 1)
			host_caps.bnd |= 1ULL << cap;
	}
}

void process_caps(struct process *p, struct kcaps *c)
{
	*c = host_caps;
	if (p->uid && p->euid && p->suid)
		c->prm = 0;
	if (p->euid)
		c->eff = 0;
	c->eff &= c->prm;
}

long sys_capget(struct task *t, const struct sysargs *a)
{
	uaddr_t uhdr = a->a[0], udata = a->a[1];
	struct __user_cap_header_struct h;
	if (copy_from_user(t, &h, uhdr, sizeof(h)))
		return -EFAULT;
	int sets;
	switch (h.version) {
	case _LINUX_CAPABILITY_VERSION_1: sets = 1; break;
	case _LINUX_CAPABILITY_VERSION_2: case _LINUX_CAPABILITY_VERSION_3: sets = 2; break;
	default:	/* the caller learns the version to use */
		h.version = _LINUX_CAPABILITY_VERSION_3;
		if (copy_to_user(t, uhdr, &h.version, sizeof(h.version)))
			return -EFAULT;
		return udata ? -EINVAL : 0;
	}
	if (!udata)
		return 0;
	if (h.pid < 0)
		return -EINVAL;
	struct process *p = h.pid ? process_by_pid(h.pid) : t->proc;
	if (!p || p->zombie)
		return -ESRCH;
	struct kcaps c;
	process_caps(p, &c);
	struct __user_cap_data_struct d[2];
	for (int i = 0; i < 2; i++) {
		d[i].effective = (uint32_t)(c.eff >> (32 * i));
		d[i].permitted = (uint32_t)(c.prm >> (32 * i));
		d[i].inheritable = (uint32_t)(c.inh >> (32 * i));
	}
	return copy_to_user(t, udata, d, sets * sizeof(d[0]));
}
