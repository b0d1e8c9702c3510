/* The signal system calls. */
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "waitq.h"
#include "platform.h"
#include <sys/time.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

#define SIGSET_SIZE 8

long sys_rt_sigaction(struct task *t, const struct sysargs *a)
{
	int sig = (int)a->a[0];
	if (a->a[3] != SIGSET_SIZE || sig < 1 || sig > 64)
		return -EINVAL;
	struct k_sigaction *ka = &t->proc->sighand->action[sig - 1], nka;
	if (a->a[1]) {
		if (copy_from_user(t, &nka, a->a[1], sizeof(nka)))
			return -EFAULT;
		if (sig == SIGKILL || sig == SIGSTOP)
			return -EINVAL;
	}
	if (a->a[2] && copy_to_user(t, a->a[2], ka, sizeof(*ka)))
		return -EFAULT;
	if (a->a[1]) {
		nka.mask &= ~UNBLOCKABLE;
		*ka = nka;
		/* Setting SIG_IGN (or SIG_DFL for a default-ignored signal)
		 * discards what is pending, as POSIX says. */
		if (signal_ignored(t->proc, sig))
			signal_discard(t->proc, sig);
	}
	return 0;
}

static int set_mask(struct task *t, int how, uint64_t set)
{
	switch (how) {
	case SIG_BLOCK: t->sigmask |= set; break;
	case SIG_UNBLOCK: t->sigmask &= ~set; break;
	case SIG_SETMASK: t->sigmask = set; break;
	default: return -EINVAL;
	}
	t->sigmask &= ~UNBLOCKABLE;
	return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct sysargs *a)
{
	uint64_t set, old = t->sigmask;
	if (a->a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (a->a[1]) {
		if (copy_from_user(t, &set, a->a[1], sizeof(set)))
			return -EFAULT;
		int err = set_mask(t, (int)a->a[0], set);
		if (err)
			return err;
	}
	if (a->a[2] && copy_to_user(t, a->a[2], &old, sizeof(old))) {
		t->sigmask = old;
		return -EFAULT;
	}
	return 0;
}

long sys_rt_sigpending(struct task *t, const struct sysargs *a)
{
	if (a->a[1] > SIGSET_SIZE)
		return -EINVAL;
	uint64_t set = (t->pending.set | t->proc->shared_pending.set) & t->sigmask;
	return copy_to_user(t, a->a[0], &set, a->a[1]);
}

/* Waits for any signal: returns once one is taken (by the restart code). */
static long wait_for_signal(struct task *t)
{
	t->restart_code = ERESTARTNOHAND;
	return signal_pending(t) ? -ERESTARTNOHAND : -EWOULDBLOCK_TASK;
}

long sys_pause(struct task *t, const struct sysargs *a UNUSED)
{
	return wait_for_signal(t);
}

long sys_rt_sigsuspend(struct task *t, const struct sysargs *a)
{
	if (!t->rerun) {
		uint64_t set;
		if (a->a[1] != SIGSET_SIZE)
			return -EINVAL;
		if (copy_from_user(t, &set, a->a[0], sizeof(set)))
			return -EFAULT;
		t->saved_sigmask = t->sigmask;
		t->restore_sigmask = true;
		t->sigmask = set & ~UNBLOCKABLE;
	}
	return wait_for_signal(t);
}

static bool valid_sig(int sig) { return sig >= 0 && sig <= 64; }

static siginfo_t user_info(struct task *t, int sig, int code)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	si.si_pid = t->proc->pid;
	si.si_uid = t->proc->uid;
	return si;
}

/* kill(-1): every process but init and the caller. Like Linux, it fails
 * only if there was nobody to try, or with an error other than EPERM. */
static int kill_all(struct task *t, int sig, const siginfo_t *si)
{
	int err = 0, tried = 0;
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		if (p->pid <= 1 || p == t->proc)
			continue;
		tried++;
		int e = signal_may_send(t->proc, p, sig);
		if (!e)
			e = send_signal_process(p, sig, si);
		if (e != -EPERM)
			err = e;
	}
	return tried ? err : -ESRCH;
}

long sys_kill(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0], sig = (int)a->a[1];
	if (!valid_sig(sig))
		return -EINVAL;
	siginfo_t si = user_info(t, sig, SI_USER);
	if (pid > 0) {
		struct process *p = process_by_pid(pid);
		if (!p)
			return -ESRCH;
		int err = signal_may_send(t->proc, p, sig);
		return err ? err : send_signal_process(p, sig, &si);
	}
	if (pid == -1)
		return kill_all(t, sig, &si);
	if (pid == INT32_MIN)
		return -ESRCH;
	return kill_pgrp(t->proc, pid == 0 ? t->proc->pgid : -pid, sig, &si);
}

static long thread_kill(struct task *t, int tgid, int tid, int sig, const siginfo_t *si)
{
	if (!valid_sig(sig))
		return -EINVAL;
	if (tid <= 0 || tgid == 0 || tgid < -1)
		return -EINVAL;
	struct task *target = task_by_tid(tid);
	if (!target || !target->proc || (tgid > 0 && target->proc->pid != tgid))
		return -ESRCH;
	int err = signal_may_send(t->proc, target->proc, sig);
	if (err || !sig)
		return err;
	return send_signal_task(target, sig, si);
}

long sys_tkill(struct task *t, const struct sysargs *a)
{
	siginfo_t si = user_info(t, (int)a->a[1], SI_TKILL);
	return thread_kill(t, -1, (int)a->a[0], (int)a->a[1], &si);
}

long sys_tgkill(struct task *t, const struct sysargs *a)
{
	siginfo_t si = user_info(t, (int)a->a[2], SI_TKILL);
	return thread_kill(t, (int)a->a[0], (int)a->a[1], (int)a->a[2], &si);
}

/* `self`: the target is the caller's own thread id, as Linux compares. */
static int queued_info(struct task *t, uaddr_t u, int sig, bool self, siginfo_t *si)
{
	if (copy_from_user(t, si, u, sizeof(*si)))
		return -EFAULT;
	/* Only the kernel may claim kernel-made siginfo for others, and
	 * only kill and tgkill themselves make SI_USER and SI_TKILL. */
	if ((si->si_code >= 0 || si->si_code == SI_TKILL) && !self)
		return -EPERM;
	si->si_signo = sig;
	return 0;
}

long sys_rt_sigqueueinfo(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0], sig = (int)a->a[1];
	siginfo_t si;
	if (!valid_sig(sig))
		return -EINVAL;
	int err = queued_info(t, a->a[2], sig, pid == t->tid, &si);
	if (err)
		return err;
	struct process *p = process_by_pid(pid);
	if (!p)
		return -ESRCH;
	if ((err = signal_may_send(t->proc, p, sig)))
		return err;
	return sig ? send_signal_process(p, sig, &si) : 0;
}

long sys_rt_tgsigqueueinfo(struct task *t, const struct sysargs *a)
{
	int sig = (int)a->a[2];
	siginfo_t si;
	if (!valid_sig(sig))
		return -EINVAL;
	int err = queued_info(t, a->a[3], sig, (int)a->a[1] == t->tid, &si);
	return err ? err : thread_kill(t, (int)a->a[0], (int)a->a[1], sig, &si);
}

long sys_rt_sigtimedwait(struct task *t, const struct sysargs *a)
{
	uint64_t set;
	if (a->a[3] != SIGSET_SIZE)
		return -EINVAL;
	if (copy_from_user(t, &set, a->a[0], sizeof(set)))
		return -EFAULT;
	set &= ~UNBLOCKABLE;
	struct process *p = t->proc;
	uint64_t ready = (t->pending.set | p->shared_pending.set) & set;
	if (ready) {
		int sig = __builtin_ctzll(ready) + 1;
		siginfo_t si;
		signal_take(t, sig, &si);
		t->sigwait_set = 0;
		if (a->a[1] && copy_to_user(t, a->a[1], &si, sizeof(si)))
			return -EFAULT;
		return sig;
	}
	if (!t->rerun && a->a[2]) {
		struct timespec ts;
		int err = get_user_timespec(t, a->a[2], &ts);
		if (err)
			return err;
		t->deadline = ts_add(mono_now(), ts);
	}
	if (t->rerun && t->timed_out) {
		t->sigwait_set = 0;
		return -EAGAIN;
	}
	if (signal_pending(t) && !((t->pending.set | p->shared_pending.set) & set & ~t->sigmask)) {
		t->sigwait_set = 0;
		return -EINTR;
	}
	t->sigwait_set = set;
	if (a->a[2]) {
		if (ts_cmp(mono_now(), t->deadline) >= 0) {
			t->sigwait_set = 0;
			return -EAGAIN;
		}
		wait_until(t, &t->deadline);
	}
	t->restart_code = EINTR;
	return -EWOULDBLOCK_TASK;
}

long sys_sigaltstack(struct task *t, const struct sysargs *a)
{
	struct { uint64_t sp; int32_t flags; int32_t pad; uint64_t size; } ss, old;
	uint64_t sp = t->regs.r.rsp;
	bool on = t->altstack.size && sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
	memset(&old, 0, sizeof(old));
	old.sp = t->altstack.sp;
	old.size = t->altstack.size;
	old.flags = !t->altstack.size ? SS_DISABLE : on ? SS_ONSTACK : (t->altstack.flags & SS_AUTODISARM);
	if (a->a[0]) {
		if (copy_from_user(t, &ss, a->a[0], sizeof(ss)))
			return -EFAULT;
		int err = altstack_set(t, ss.sp, ss.flags, ss.size);
		if (err)
			return err;
	}
	if (a->a[1] && copy_to_user(t, a->a[1], &old, sizeof(old)))
		return -EFAULT;
	return 0;
}

/* ---- ITIMER_REAL and alarm ---- */

static void itimer_fire(void *arg)
{
	struct process *p = arg;
	p->itimer_real = NULL;
	if (p->itimer_interval.tv_sec || p->itimer_interval.tv_nsec) {
		struct timespec when = ts_add(mono_now(), p->itimer_interval);
		p->itimer_real = timer_add(&when, itimer_fire, p);
	}
	siginfo_t si = { .si_signo = SIGALRM, .si_code = SI_KERNEL };	/* as Linux's it_real_fn */
	send_signal_process(p, SIGALRM, &si);
}

static struct timespec itimer_left(struct process *p)
{
	struct timespec zero = { 0, 0 };
	if (!p->itimer_real)
		return zero;
	struct timespec now = mono_now(), when = timer_when(p->itimer_real);
	return ts_cmp(when, now) > 0 ? ts_sub(when, now) : (struct timespec){ 0, 1000 };
}

static void itimer_set(struct process *p, struct timespec value, struct timespec interval)
{
	timer_cancel(p->itimer_real);
	p->itimer_real = NULL;
	p->itimer_interval = interval;
	if (value.tv_sec || value.tv_nsec) {
		struct timespec when = ts_add(mono_now(), value);
		p->itimer_real = timer_add(&when, itimer_fire, p);
	}
}

/* ---- ITIMER_VIRTUAL (user time) and ITIMER_PROF (user + system) ---- */

#define CPU_POLL_NS 10000000L

static uint64_t cpu_ns(struct process *p, int which)
{
	if (list_empty(&p->threads))
		return 0;
	struct task *t = list_entry(p->threads.next, struct task, thread_node);
	uint64_t u, s;
	plat_usage(t->host_tid, &u, &s, NULL);
	return (which == ITIMER_VIRTUAL ? u : u + s) * 10000000ULL;	/* ticks of 10 ms */
}

static void cpu_itimer_poll(void *arg);

static void cpu_poll_arm(struct process *p)
{
	if (p->cpu_itimer_poll || (!p->cpu_itimer[0].armed && !p->cpu_itimer[1].armed))
		return;
	struct timespec when = ts_add(mono_now(), (struct timespec){ 0, CPU_POLL_NS });
	p->cpu_itimer_poll = timer_add(&when, cpu_itimer_poll, p);
}

static void cpu_itimer_poll(void *arg)
{
	struct process *p = arg;
	p->cpu_itimer_poll = NULL;
	for (int k = 0; k < 2; k++) {
		struct cpu_itimer *it = &p->cpu_itimer[k];
		if (!it->armed)
			continue;
		uint64_t now = cpu_ns(p, ITIMER_VIRTUAL + k);
		if (now - it->start < it->value)
			continue;
		it->armed = it->interval != 0;
		it->start = now;
		it->value = it->interval;
		int sig = k ? SIGPROF : SIGVTALRM;
		siginfo_t si = { .si_signo = sig, .si_code = SI_KERNEL };
		send_signal_process(p, sig, &si);
		if (p->zombie)
			return;
	}
	cpu_poll_arm(p);
}

static uint64_t ts_ns(struct timespec ts) { return ts.tv_sec * 1000000000ULL + ts.tv_nsec; }
static struct timespec ns_ts(uint64_t ns) { return (struct timespec){ ns / 1000000000ULL, ns % 1000000000ULL }; }

static void cpu_itimer_get(struct process *p, int which, struct timespec *value, struct timespec *interval)
{
	struct cpu_itimer *it = &p->cpu_itimer[which - ITIMER_VIRTUAL];
	uint64_t left = 0;
	if (it->armed) {
		uint64_t used = cpu_ns(p, which) - it->start;
		left = used < it->value ? it->value - used : 1000;	/* due: a moment */
	}
	*value = ns_ts(left);
	*interval = ns_ts(it->armed || it->interval ? it->interval : 0);
}

static void cpu_itimer_set(struct process *p, int which, struct timespec value, struct timespec interval)
{
	struct cpu_itimer *it = &p->cpu_itimer[which - ITIMER_VIRTUAL];
	it->value = ts_ns(value);
	it->interval = ts_ns(interval);
	it->armed = it->value != 0;
	it->start = cpu_ns(p, which);
	cpu_poll_arm(p);
}

void itimer_cancel_all(struct process *p)
{
	timer_cancel(p->cpu_itimer_poll);
	p->cpu_itimer_poll = NULL;
	timer_cancel(p->itimer_real);
	p->itimer_real = NULL;
}

long sys_alarm(struct task *t, const struct sysargs *a)
{
	struct process *p = t->proc;
	struct timespec left = itimer_left(p);
	long old = left.tv_sec + (left.tv_nsec >= 500000000 || (!left.tv_sec && left.tv_nsec));
	struct timespec v = { (time_t)(unsigned)a->a[0], 0 }, zero = { 0, 0 };
	itimer_set(p, v, zero);
	return old;
}

static struct timespec tv_ts(struct timeval tv) { return (struct timespec){ tv.tv_sec, tv.tv_usec * 1000 }; }
static struct timeval ts_tv(struct timespec ts) { return (struct timeval){ ts.tv_sec, (ts.tv_nsec + 999) / 1000 }; }

long sys_getitimer(struct task *t, const struct sysargs *a)
{
	int which = (int)a->a[0];
	struct itimerval v;
	memset(&v, 0, sizeof(v));
	if (which == ITIMER_REAL) {
		v.it_value = ts_tv(itimer_left(t->proc));
		v.it_interval = ts_tv(t->proc->itimer_interval);
	} else if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
		struct timespec val, iv;
		cpu_itimer_get(t->proc, which, &val, &iv);
		v.it_value = ts_tv(val);
		v.it_interval = ts_tv(iv);
	} else {
		return -EINVAL;
	}
	return copy_to_user(t, a->a[1], &v, sizeof(v));
}

long sys_setitimer(struct task *t, const struct sysargs *a)
{
	int which = (int)a->a[0];
	struct itimerval nv, ov;
	memset(&nv, 0, sizeof(nv));
	if (a->a[1] && copy_from_user(t, &nv, a->a[1], sizeof(nv)))
		return -EFAULT;
	if (nv.it_value.tv_usec < 0 || nv.it_value.tv_usec >= 1000000 || nv.it_value.tv_sec < 0 ||
	    nv.it_interval.tv_usec < 0 || nv.it_interval.tv_usec >= 1000000 || nv.it_interval.tv_sec < 0)
		return -EINVAL;
	if (which == ITIMER_VIRTUAL || which == ITIMER_PROF) {
		struct timespec val, iv;
		cpu_itimer_get(t->proc, which, &val, &iv);
		ov.it_value = ts_tv(val);
		ov.it_interval = ts_tv(iv);
		cpu_itimer_set(t->proc, which, tv_ts(nv.it_value), tv_ts(nv.it_interval));
		return a->a[2] && copy_to_user(t, a->a[2], &ov, sizeof(ov)) ? -EFAULT : 0;
	}
	if (which != ITIMER_REAL)
		return -EINVAL;
	memset(&ov, 0, sizeof(ov));
	ov.it_value = ts_tv(itimer_left(t->proc));
	ov.it_interval = ts_tv(t->proc->itimer_interval);
	itimer_set(t->proc, tv_ts(nv.it_value), tv_ts(nv.it_interval));
	if (a->a[2] && copy_to_user(t, a->a[2], &ov, sizeof(ov)))
		return -EFAULT;
	return 0;
}

long sys_restart_syscall(struct task *t, const struct sysargs *a UNUSED)
{
	/* Only relative sleeps restart through here: finish the original
	 * sleep, with the rem it was given. */
	return sleep_until_deadline(t, t->sleep_rem, false);
}
