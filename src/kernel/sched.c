/* Scheduling policies: sched_setscheduler and its family, as Linux's
 * kernel/sched/syscalls.c checks and answers them. The policy, the
 * realtime priority and the SCHED_DEADLINE parameters are kept per task
 * and checked, inherited by fork and kept by exec; nothing reaches the
 * host, whose threads keep its normal policy (a guest gets no realtime
 * host thread). The nice value is persona's per process one. */
#include "task.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "uapi/sched.h"
#include <linux/capability.h>
#include <unistd.h>

#define MAX_RT_PRIO 100
#define SETPARAM_POLICY -1
#define DL_SCALE 10
#define DL_PERIOD_MIN_NS 100000ULL		/* sched_deadline_period_min_us */
#define DL_PERIOD_MAX_NS 4194304000ULL		/* sched_deadline_period_max_us */
#define RR_TIMESLICE_NS 100000000L		/* sched_rr_timeslice_ms */
#define SLICE_MIN_NS 100000ULL			/* a fair task's own slice: 0.1 */
#define SLICE_MAX_NS 100000000ULL		/* to 100 ms */

static bool rt_policy(int p) { return p == K_SCHED_FIFO || p == K_SCHED_RR; }
static bool fair_policy(int p) { return p == K_SCHED_OTHER || p == K_SCHED_BATCH; }

static bool valid_policy(int p)
{
	return fair_policy(p) || rt_policy(p) || p == K_SCHED_IDLE || p == K_SCHED_DEADLINE;
}

/* The fair scheduler's base slice (sysctl_sched_base_slice): 0.7 ms
 * scaled by 1 + log2 of the CPUs online, at most 8. */
static uint64_t base_slice(void)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int factor = 1;
	for (long n = ncpu < 8 ? ncpu : 8; n > 1; n >>= 1)
		factor++;
	return 700000ULL * factor;
}

/* pid 0 is the caller; any other names a thread, or a zombie process
 * not yet reaped (its leader's state as it exited). NULL: -ESRCH. */
static struct sched_state *find_target(struct task *t, int pid, struct process **proc)
{
	struct task *p = pid ? task_by_tid(pid) : t;
	if (p) {
		*proc = p->proc;
		return &p->sched;
	}
	struct process *z = process_by_pid(pid);
	if (!z || !z->zombie)
		return NULL;
	*proc = z;
	return &z->leader_sched;
}

/* As __checkparam_dl: runtime <= deadline <= period, within the limits. */
static bool dl_params_ok(const struct k_sched_attr *a)
{
	if (a->sched_flags & SCHED_FLAG_SUGOV)
		return true;
	if (a->sched_deadline == 0 || a->sched_runtime < (1ULL << DL_SCALE))
		return false;
	if ((a->sched_deadline | a->sched_period) & (1ULL << 63))
		return false;
	uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;
	if (period < a->sched_deadline || a->sched_deadline < a->sched_runtime)
		return false;
	return period >= DL_PERIOD_MIN_NS && period <= DL_PERIOD_MAX_NS;
}

/* Bandwidth in 1/2^20 of a CPU, as Linux's to_ratio. */
static uint64_t dl_bw(uint64_t runtime, uint64_t period)
{
	return period ? (runtime << 20) / period : 0;
}

/* Admission control (sched_dl_overflow): the deadline tasks together may
 * take 95% of the CPUs (sched_rt_runtime_us / sched_rt_period_us). */
static bool dl_overflow(struct sched_state *p, const struct k_sched_attr *a)
{
	uint64_t period = a->sched_period ? a->sched_period : a->sched_deadline;
	uint64_t total = dl_bw(a->sched_runtime, period);
	for (struct process *q = process_next(NULL); q; q = process_next(q)) {
		struct task *o;
		list_for_each_entry(o, &q->threads, thread_node)
			if (&o->sched != p && o->sched.policy == K_SCHED_DEADLINE)
				total += dl_bw(o->sched.dl_runtime, o->sched.dl_period);
	}
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	return total > (uint64_t)(ncpu > 0 ? ncpu : 1) * ((1ULL << 20) * 95 / 100);
}

/* May the caller lower the nice value of p's process to `nice`
 * (is_nice_reduction: within p's RLIMIT_NICE). */
static bool nice_allowed(struct process *tp, int nice)
{
	return (rlim_t)(20 - nice) <= tp->rlim[RLIMIT_NICE].rlim_cur;
}

/* user_check_sched_setscheduler: what needs CAP_SYS_NICE. */
static int check_perm(struct task *t, struct sched_state *p, struct process *tp,
		      const struct k_sched_attr *a, int policy, bool reset_on_fork)
{
	struct process *me = t->proc;
	bool priv = false;
	if (fair_policy(policy) && a->sched_nice < tp->nice && !nice_allowed(tp, a->sched_nice))
		priv = true;
	if (rt_policy(policy)) {
		rlim_t rtprio = tp->rlim[RLIMIT_RTPRIO].rlim_cur;
		if (policy != p->policy && !rtprio)
			priv = true;
		if (a->sched_priority > p->rt_priority && a->sched_priority > rtprio)
			priv = true;
	}
	if (policy == K_SCHED_DEADLINE)
		priv = true;
	if (p->policy == K_SCHED_IDLE && policy != K_SCHED_IDLE && !nice_allowed(tp, tp->nice))
		priv = true;
	if (me->euid != tp->euid && me->euid != tp->uid)
		priv = true;
	if (p->reset_on_fork && !reset_on_fork)
		priv = true;
	return priv && !capable(me, CAP_SYS_NICE) ? -EPERM : 0;
}

/* __sched_setscheduler for a guest caller. */
static long set_sched(struct task *t, struct sched_state *p, struct process *tp,
		      const struct k_sched_attr *a)
{
	int policy = (int)a->sched_policy;
	bool reset_on_fork;
	if (policy < 0) {
		reset_on_fork = p->reset_on_fork;
		policy = p->policy;
	} else {
		reset_on_fork = a->sched_flags & SCHED_FLAG_RESET_ON_FORK;
		if (!valid_policy(policy))
			return -EINVAL;
	}
	if (a->sched_flags & ~(SCHED_FLAG_ALL | SCHED_FLAG_SUGOV))
		return -EINVAL;
	if (a->sched_priority > MAX_RT_PRIO - 1)
		return -EINVAL;
	if ((policy == K_SCHED_DEADLINE && !dl_params_ok(a)) ||
	    (rt_policy(policy) != (a->sched_priority != 0)))
		return -EINVAL;
	int err = check_perm(t, p, tp, a, policy, reset_on_fork);
	if (err)
		return err;
	if (a->sched_flags & SCHED_FLAG_SUGOV)
		return -EINVAL;
	/* persona's kernel has no utilization clamping (CONFIG_UCLAMP_TASK). */
	if (a->sched_flags & SCHED_FLAG_UTIL_CLAMP)
		return -EOPNOTSUPP;
	if (policy == K_SCHED_DEADLINE && dl_overflow(p, a))
		return -EBUSY;
	p->reset_on_fork = reset_on_fork;
	/* SCHED_FLAG_KEEP_PARAMS keeps the policy too (__sched_setscheduler
	 * skips __setscheduler_params): only the flag above changes. */
	if (a->sched_flags & SCHED_FLAG_KEEP_PARAMS)
		return 0;
	p->policy = policy;
	p->rt_priority = rt_policy(policy) ? a->sched_priority : 0;
	if (policy == K_SCHED_DEADLINE) {
		p->dl_runtime = a->sched_runtime;
		p->dl_deadline = a->sched_deadline;
		p->dl_period = a->sched_period ? a->sched_period : a->sched_deadline;
		p->dl_flags = a->sched_flags & (SCHED_FLAG_RECLAIM | SCHED_FLAG_DL_OVERRUN);
	}
	if (fair_policy(policy)) {
		tp->nice = a->sched_nice;
		p->slice = !a->sched_runtime ? 0 : a->sched_runtime < SLICE_MIN_NS ? SLICE_MIN_NS
			 : a->sched_runtime > SLICE_MAX_NS ? SLICE_MAX_NS : a->sched_runtime;
	}
	return 0;
}

/* The current parameters into `a` (get_params). */
static void get_params(struct sched_state *p, struct process *tp, struct k_sched_attr *a)
{
	if (p->policy == K_SCHED_DEADLINE) {
		a->sched_runtime = p->dl_runtime;
		a->sched_deadline = p->dl_deadline;
		a->sched_period = p->dl_period;
		a->sched_flags |= p->dl_flags;
	} else if (rt_policy(p->policy)) {
		a->sched_priority = p->rt_priority;
	} else {
		a->sched_nice = tp->nice;
		a->sched_runtime = p->slice ? p->slice : base_slice();
	}
}

/* sched_setscheduler and sched_setparam (policy SETPARAM_POLICY). */
static long do_setscheduler(struct task *t, int pid, int policy, uaddr_t uparam)
{
	int prio;
	if (!uparam || pid < 0)
		return -EINVAL;
	if (copy_from_user(t, &prio, uparam, sizeof(prio)))
		return -EFAULT;
	struct process *tp;
	struct sched_state *p = find_target(t, pid, &tp);
	if (!p)
		return -ESRCH;
	struct k_sched_attr a = { .sched_policy = policy, .sched_priority = prio,
				  .sched_nice = tp->nice, .sched_runtime = p->slice };
	if (policy >= 0 && (policy & K_SCHED_RESET_ON_FORK)) {
		a.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
		a.sched_policy = policy & ~K_SCHED_RESET_ON_FORK;
	}
	return set_sched(t, p, tp, &a);
}

long sys_sched_setscheduler(struct task *t, const struct sysargs *a)
{
	int policy = (int)a->a[1];
	if (policy < 0)
		return -EINVAL;
	return do_setscheduler(t, (int)a->a[0], policy, a->a[2]);
}

long sys_sched_setparam(struct task *t, const struct sysargs *a)
{
	return do_setscheduler(t, (int)a->a[0], SETPARAM_POLICY, a->a[1]);
}

long sys_sched_getscheduler(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	if (pid < 0)
		return -EINVAL;
	struct process *tp;
	struct sched_state *p = find_target(t, pid, &tp);
	if (!p)
		return -ESRCH;
	return p->policy | (p->reset_on_fork ? K_SCHED_RESET_ON_FORK : 0);
}

long sys_sched_getparam(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	if (!a->a[1] || pid < 0)
		return -EINVAL;
	struct process *tp;
	struct sched_state *p = find_target(t, pid, &tp);
	if (!p)
		return -ESRCH;
	int prio = rt_policy(p->policy) ? (int)p->rt_priority : 0;
	return copy_to_user(t, a->a[1], &prio, sizeof(prio));
}

/* The priority ranges also name SCHED_EXT, which the host's kernel knows
 * (a task cannot take it: no BPF scheduler is loaded). */
static long priority_range(int policy, int rt)
{
	if (rt_policy(policy))
		return rt;
	return valid_policy(policy) || policy == K_SCHED_EXT ? 0 : -EINVAL;
}

long sys_sched_get_priority_max(struct task *t UNUSED, const struct sysargs *a)
{
	return priority_range((int)a->a[0], MAX_RT_PRIO - 1);
}

long sys_sched_get_priority_min(struct task *t UNUSED, const struct sysargs *a)
{
	return priority_range((int)a->a[0], 1);
}

/* SCHED_RR's time slice; 0 for FIFO and deadline tasks and, as persona
 * does not model the fair scheduler's slices, for the others too. */
long sys_sched_rr_get_interval(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	if (pid < 0)
		return -EINVAL;
	struct process *tp;
	struct sched_state *p = find_target(t, pid, &tp);
	if (!p)
		return -ESRCH;
	struct timespec ts = { 0, p->policy == K_SCHED_RR ? RR_TIMESLICE_NS : 0 };
	return copy_to_user(t, a->a[1], &ts, sizeof(ts));
}

/* sched_copy_attr: a struct that says its own size, which may be older
 * (shorter) or newer (longer, with zeros beyond what we know). */
static long copy_attr(struct task *t, uaddr_t uattr, struct k_sched_attr *attr)
{
	uint32_t size;
	memset(attr, 0, sizeof(*attr));
	if (copy_from_user(t, &size, uattr, sizeof(size)))
		return -EFAULT;
	if (!size)
		size = SCHED_ATTR_SIZE_VER0;
	if (size < SCHED_ATTR_SIZE_VER0 || size > PAGE_SIZE)
		goto too_big;
	int err = copy_struct_from_user(t, attr, sizeof(*attr), uattr, size);
	if (err == -E2BIG)
		goto too_big;
	if (err)
		return err;
	if ((attr->sched_flags & SCHED_FLAG_UTIL_CLAMP) && size < SCHED_ATTR_SIZE_VER1)
		return -EINVAL;
	attr->sched_nice = attr->sched_nice < -20 ? -20 : attr->sched_nice > 19 ? 19 : attr->sched_nice;
	return 0;
too_big:
	size = sizeof(*attr);
	copy_to_user(t, uattr + offsetof(struct k_sched_attr, size), &size, sizeof(size));
	return -E2BIG;
}

long sys_sched_setattr(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	struct k_sched_attr attr;
	if (!a->a[1] || pid < 0 || (unsigned)a->a[2])
		return -EINVAL;
	long err = copy_attr(t, a->a[1], &attr);
	if (err)
		return err;
	if ((int)attr.sched_policy < 0)
		return -EINVAL;
	if (attr.sched_flags & SCHED_FLAG_KEEP_POLICY)
		attr.sched_policy = (uint32_t)SETPARAM_POLICY;
	struct process *tp;
	struct sched_state *p = find_target(t, pid, &tp);
	if (!p)
		return -ESRCH;
	if (attr.sched_flags & SCHED_FLAG_KEEP_PARAMS)
		get_params(p, tp, &attr);
	return set_sched(t, p, tp, &attr);
}

long sys_sched_getattr(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	unsigned usize = (unsigned)a->a[2];
	if (!a->a[1] || pid < 0 || usize > PAGE_SIZE || usize < SCHED_ATTR_SIZE_VER0 ||
	    (unsigned)a->a[3])
		return -EINVAL;
	struct process *tp;
	struct sched_state *p = find_target(t, pid, &tp);
	if (!p)
		return -ESRCH;
	struct k_sched_attr k = { .sched_policy = p->policy };
	if (p->reset_on_fork)
		k.sched_flags |= SCHED_FLAG_RESET_ON_FORK;
	get_params(p, tp, &k);
	k.sched_flags &= SCHED_FLAG_ALL;
	/* An older caller's struct gets what fits; a newer one's has the
	 * part persona does not know zeroed (copy_struct_to_user). */
	k.size = MIN(usize, sizeof(k));
	if (copy_to_user(t, a->a[1], &k, k.size))
		return -EFAULT;
	return clear_user(t, a->a[1] + k.size, usize - k.size);
}

int sched_fork_check(struct task *t)
{
	return t->sched.policy == K_SCHED_DEADLINE && !t->sched.reset_on_fork ? -EAGAIN : 0;
}

void sched_fork(struct task *parent, struct task *child, bool new_process)
{
	child->sched = parent->sched;
	if (!parent->sched.reset_on_fork)
		return;
	if (rt_policy(child->sched.policy) || child->sched.policy == K_SCHED_DEADLINE) {
		child->sched = (struct sched_state){ 0 };
		if (new_process)
			child->proc->nice = 0;
	} else if (new_process && child->proc->nice < 0) {
		child->proc->nice = 0;
	}
	child->sched.reset_on_fork = false;
}
