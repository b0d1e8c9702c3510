/* Signals, as Linux's kernel/signal.c does them: a signal is generated
 * into a pending set (the thread's or the process's), a thread that can
 * take it is woken or interrupted, and delivery happens when the thread is
 * about to run guest code again: a handler frame, a default action, or a
 * restart of the interrupted system call. */
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "loop.h"
#include "waitq.h"
#include "platform.h"
#include "sigframe.h"
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif
#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

struct sigqueue {
	siginfo_t info;
	uint64_t timer;		/* a POSIX timer's signal: the timer's serial, else 0 */
	struct list_head node;
};

struct sighand *sighand_new(void)
{
	struct sighand *sh = xzalloc(sizeof(*sh));
	sh->refs = 1;
	return sh;
}

void sigpending_init(struct sigpending *p)
{
	p->set = 0;
	list_init(&p->queue);
}

void sigpending_flush(struct sigpending *p)
{
	struct sigqueue *q, *n;
	list_for_each_entry_safe(q, n, &p->queue, node) {
		list_del(&q->node);
		if (q->timer)
			posix_timer_signal_taken(q->timer, &q->info);
		free(q);
	}
	p->set = 0;
}

static bool default_ignored(int sig)
{
	return sig == SIGCHLD || sig == SIGURG || sig == SIGWINCH || sig == SIGCONT;
}

static bool is_stop(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

bool signal_ignored(struct process *p, int sig)
{
	if (sig == SIGKILL || sig == SIGSTOP)
		return false;
	uint64_t h = p->sighand->action[sig - 1].handler;
	return h == (uint64_t)SIG_IGN || (h == (uint64_t)SIG_DFL && default_ignored(sig));
}

static bool enqueue(struct sigpending *pd, int sig, const siginfo_t *info, uint64_t timer)
{
	if (sig < SIGRTMIN && (pd->set & SIGBIT(sig)))
		return false;	/* standard signals do not queue */
	struct sigqueue *q = xmalloc(sizeof(*q));
	q->info = *info;
	q->timer = timer;
	list_add_tail(&q->node, &pd->queue);
	pd->set |= SIGBIT(sig);
	wake_up(&signal_queued);	/* signalfd readers and pollers */
	return true;
}

static void dequeue(struct sigpending *pd, int sig, siginfo_t *out)
{
	struct sigqueue *q;
	bool found = false, more = false;
	list_for_each_entry(q, &pd->queue, node) {
		if (q->info.si_signo != sig)
			continue;
		if (found) {
			more = true;
			break;
		}
		*out = q->info;
		found = true;
	}
	if (found) {
		list_for_each_entry(q, &pd->queue, node)
			if (q->info.si_signo == sig) {
				list_del(&q->node);
				if (q->timer)	/* its overrun count goes out with it */
					posix_timer_signal_taken(q->timer, out);
				free(q);
				break;
			}
	} else {
		memset(out, 0, sizeof(*out));
		out->si_signo = sig;
		out->si_code = SI_KERNEL;
	}
	if (!more)
		pd->set &= ~SIGBIT(sig);
}

static void unqueue_timer(struct sigpending *pd, uint64_t serial)
{
	struct sigqueue *q, *n;
	list_for_each_entry_safe(q, n, &pd->queue, node) {
		if (q->timer != serial)
			continue;
		int sig = q->info.si_signo;
		list_del(&q->node);
		free(q);
		bool more = false;
		list_for_each_entry(q, &pd->queue, node)
			more |= q->info.si_signo == sig;
		if (!more)
			pd->set &= ~SIGBIT(sig);
		return;
	}
}

void signal_unqueue_timer(struct process *p, uint64_t serial)
{
	unqueue_timer(&p->shared_pending, serial);
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_node)
		unqueue_timer(&t->pending, serial);
}

static void drop(struct sigpending *pd, uint64_t mask)
{
	for (int sig = 1; sig <= 64; sig++) {
		siginfo_t junk;
		while ((pd->set & mask) & SIGBIT(sig))
			dequeue(pd, sig, &junk);
	}
}

bool signal_pending(struct task *t)
{
	uint64_t p = t->pending.set | t->proc->shared_pending.set;
	return (p & ~t->sigmask) || (p & t->sigwait_set);
}

/* Gets `t` to notice a new signal: a waiting call ends early, running
 * guest code is interrupted. */
static void wake_for(struct task *t, int sig)
{
	bool wanted = !(t->sigmask & SIGBIT(sig)) || (t->sigwait_set & SIGBIT(sig));
	if (!wanted)
		return;
	if (t->state == TASK_BLOCKED) {
		task_wake(t);
	} else if (t->state == TASK_RUNNING && !t->interrupt_sent) {
		t->interrupt_sent = true;
		plat_interrupt(t->host_tid);
	}
}

static struct task *pick_thread(struct process *p, int sig)
{
	struct task *t, *first = NULL;
	list_for_each_entry(t, &p->threads, thread_node) {
		if (!first)
			first = t;
		if (!(t->sigmask & SIGBIT(sig)))
			return t;
	}
	return first;
}

static void notify_parent_stop(struct process *p, int why, int status)
{
	struct process *parent = p->parent;
	if (!parent || parent->zombie)
		return;
	if (!(parent->sighand->action[SIGCHLD - 1].flags & SA_NOCLDSTOP)) {
		siginfo_t si = { .si_signo = SIGCHLD, .si_code = why };
		si.si_pid = p->pid;
		si.si_uid = p->uid;
		si.si_status = status;
		send_signal_process(parent, SIGCHLD, &si);
	}
	wake_up(parent->child_wait);
}

static void do_stop(struct process *p, int sig)
{
	if (p->stopped)
		return;
	p->stopped = true;
	p->stop_sig = sig;
	p->report_stop = true;
	p->report_cont = false;
	struct task *t;
	list_for_each_entry(t, &p->threads, thread_node)
		if (t->state == TASK_RUNNING && !t->interrupt_sent) {
			t->interrupt_sent = true;
			plat_interrupt(t->host_tid);
		}
	notify_parent_stop(p, CLD_STOPPED, sig);
}

static void do_continue(struct process *p)
{
	uint64_t stops = SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU);
	struct task *t, *n;
	drop(&p->shared_pending, stops);
	list_for_each_entry(t, &p->threads, thread_node)
		drop(&t->pending, stops);
	if (!p->stopped)
		return;
	p->stopped = false;
	p->report_stop = false;
	p->report_cont = true;
	list_for_each_entry_safe(t, n, &p->threads, thread_node)
		if (t->state == TASK_STOPPED)
			task_resume(t);
	notify_parent_stop(p, CLD_CONTINUED, SIGCONT);
}

/* Returns 1 if the signal was queued, else 0. `timer`: as enqueue(). */
static int do_send_queued(struct process *p, struct task *target, int sig, const siginfo_t *info,
			  uint64_t timer)
{
	if (p->zombie || sig == 0)
		return 0;
	siginfo_t k;
	if (!info) {
		memset(&k, 0, sizeof(k));
		k.si_signo = sig;
		k.si_code = SI_KERNEL;
		info = &k;
	}
	if (sig == SIGKILL) {
		process_exit(p, SIGKILL);
		return 0;
	}
	if (sig == SIGCONT)
		do_continue(p);
	else if (is_stop(sig))
		drop(&p->shared_pending, SIGBIT(SIGCONT));
	struct task *t = target ? target : pick_thread(p, sig);
	if (!t)
		return 0;
	bool blocked = t->sigmask & SIGBIT(sig);
	if (signal_ignored(p, sig) && !blocked)
		return 0;
	/* A signal that will kill the process kills it now, on every
	 * thread, as Linux's complete_signal() does. */
	struct k_sigaction *ka = &p->sighand->action[sig - 1];
	if (ka->handler == (uint64_t)SIG_DFL && !blocked && !is_stop(sig) && !default_ignored(sig) &&
	    !(t->sigwait_set & SIGBIT(sig))) {
		process_exit(p, sig);
		return 0;
	}
	if (!enqueue(target ? &t->pending : &p->shared_pending, sig, info, timer))
		return 0;
	if (target) {
		wake_for(t, sig);
	} else {
		struct task *o;
		list_for_each_entry(o, &p->threads, thread_node)
			wake_for(o, sig);
	}
	return 1;
}

static int do_send(struct process *p, struct task *target, int sig, const siginfo_t *info)
{
	do_send_queued(p, target, sig, info, 0);
	return 0;
}

bool send_signal_timer(struct process *p, struct task *target, const siginfo_t *info, uint64_t timer)
{
	return do_send_queued(p, target, info->si_signo, info, timer) == 1;
}

int send_signal_task(struct task *t, int sig, const siginfo_t *info)
{
	return do_send(t->proc, t, sig, info);
}

void send_sig_self(struct task *t, int sig)
{
	siginfo_t si = { .si_signo = sig, .si_code = SI_USER };
	si.si_pid = t->proc->pid;
	si.si_uid = t->proc->uid;
	send_signal_task(t, sig, &si);
}

void send_sigpipe(struct task *t)
{
	if (t->io_nosignal)
		return;
	send_sig_self(t, SIGPIPE);
}

int send_signal_process(struct process *p, int sig, const siginfo_t *info)
{
	return do_send(p, NULL, sig, info);
}

int signal_may_send(struct process *from, struct process *to, int sig)
{
	if (from == to || from->euid == to->suid || from->euid == to->uid ||
	    from->uid == to->suid || from->uid == to->uid)
		return 0;
	if (capable(from, CAP_KILL))
		return 0;
	/* A shell may wake the jobs of its session whoever runs them. */
	if (sig == SIGCONT && from->sid == to->sid)
		return 0;
	return -EPERM;
}

int kill_pgrp(struct process *from, int pgrp, int sig, const siginfo_t *info)
{
	int err = -ESRCH;
	bool sent = false;
	/* Zombies are still members until they are reaped, as in Linux;
	 * the walk goes by pid, so a member freed by its signal is fine. */
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		if (p->pgid != pgrp)
			continue;
		err = from ? signal_may_send(from, p, sig) : 0;
		if (!err)
			err = do_send(p, NULL, sig, info);
		sent |= !err;
	}
	return sent ? 0 : err;
}

int send_signal_pgrp(int pgrp, int sig, const siginfo_t *info)
{
	return kill_pgrp(NULL, pgrp, sig, info);
}

/* Linux's sigio_perm: the ids are the owner's as F_SETOWN saw them, so
 * naming someone else's process as owner gains nothing. */
static bool sigio_may_send(unsigned uid, unsigned euid, struct process *to)
{
	return euid == 0 || euid == to->suid || euid == to->uid || uid == to->suid || uid == to->uid;
}

void send_sigio(int owner, unsigned uid, unsigned euid, int sig, const siginfo_t *info)
{
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		bool named = owner > 0 ? p->pid == owner : p->pgid == -owner;
		if (named && !p->zombie && sigio_may_send(uid, euid, p))
			do_send(p, NULL, sig, info);
	}
}

void signal_fault(struct task *t, const siginfo_t *si)
{
	int sig = si->si_signo;
	struct k_sigaction *ka = &t->proc->sighand->action[sig - 1];
	/* A fault can't be ignored or blocked: that would loop forever. */
	if (ka->handler == (uint64_t)SIG_IGN || (t->sigmask & SIGBIT(sig))) {
		ka->handler = (uint64_t)SIG_DFL;
		t->sigmask &= ~SIGBIT(sig);
	}
	if (ka->handler == (uint64_t)SIG_DFL) {
		process_exit(t->proc, sig);
		return;
	}
	enqueue(&t->pending, sig, si, 0);
	t->syscall_return = false;
	task_resume(t);
}

/* ---- frames ---- */

static bool on_altstack(struct task *t, uint64_t sp)
{
	return t->altstack.size && sp > t->altstack.sp && sp - t->altstack.sp <= t->altstack.size;
}

/* Sets the alternate stack as Linux's do_sigaltstack: not while on it,
 * a known mode, and at least Linux's MINSIGSTKSZ (a constant, where the
 * host libc's MINSIGSTKSZ may be its own run-time size). */
int altstack_set(struct task *t, uint64_t ss_sp, int flags, uint64_t size)
{
	if (on_altstack(t, t->regs.r.rsp))
		return -EPERM;
	int mode = flags & ~SS_AUTODISARM;
	if (mode != SS_DISABLE && mode != SS_ONSTACK && mode != 0)
		return -EINVAL;
	if (mode == SS_DISABLE) {
		t->altstack.sp = t->altstack.size = 0;
		t->altstack.flags = SS_DISABLE;
		return 0;
	}
	if (size < LINUX_MINSIGSTKSZ)
		return -ENOMEM;
	t->altstack.sp = ss_sp;
	t->altstack.size = size;
	t->altstack.flags = flags & SS_AUTODISARM;
	return 0;
}

static int altstack_flags(struct task *t, uint64_t sp)
{
	if (!t->altstack.size || (t->altstack.flags & SS_DISABLE))
		return SS_DISABLE;
	return on_altstack(t, sp) ? SS_ONSTACK : 0;
}

static int setup_frame(struct task *t, int sig, const siginfo_t *info, struct k_sigaction *ka)
{
	struct user_regs_struct *r = &t->regs.r;
	if (!(ka->flags & SA_RESTORER))
		return -EFAULT;	/* x86_64 has no default restorer */
	uint64_t sp = r->rsp - 128;	/* the red zone */
	if ((ka->flags & SA_ONSTACK) && altstack_flags(t, r->rsp) == 0)
		sp = t->altstack.sp + t->altstack.size;
	size_t fpsize = plat_fpstate_size();
	uint64_t fp = (sp - fpsize - 4) & ~63UL;
	sp = ((fp - sizeof(struct rt_sigframe)) & ~15UL) - 8;

	struct rt_sigframe f;
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->altstack.sp;
	f.uc.uc_stack.ss_flags = altstack_flags(t, r->rsp);
	f.uc.uc_stack.ss_size = t->altstack.size;
	struct k_sigcontext *sc = &f.uc.uc_mcontext;
	sc->r8 = r->r8; sc->r9 = r->r9; sc->r10 = r->r10; sc->r11 = r->r11;
	sc->r12 = r->r12; sc->r13 = r->r13; sc->r14 = r->r14; sc->r15 = r->r15;
	sc->rdi = r->rdi; sc->rsi = r->rsi; sc->rbp = r->rbp; sc->rbx = r->rbx;
	sc->rdx = r->rdx; sc->rax = r->rax; sc->rcx = r->rcx; sc->rsp = r->rsp;
	sc->rip = r->rip; sc->eflags = r->eflags;
	sc->cs = r->cs; sc->ss = r->ss;
	sc->oldmask = (uint32_t)(t->restore_sigmask ? t->saved_sigmask : t->sigmask);
	if (sig == SIGSEGV || sig == SIGBUS)
		sc->cr2 = (uint64_t)info->si_addr;
	sc->fpstate = fp;
	f.uc.uc_sigmask = t->restore_sigmask ? t->saved_sigmask : t->sigmask;
	f.info = *info;

	char *xs = xmalloc(fpsize + 4);
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	int err = plat_get_fpstate(t->host_tid, xs);
	memcpy(xs + fpsize, &magic2, 4);
	if (!err)
		err = copy_to_user(t, fp, xs, fpsize + 4);
	free(xs);
	if (!err)
		err = copy_to_user(t, sp, &f, sizeof(f));
	if (err)
		return -EFAULT;
	r->rdi = sig;
	r->rsi = sp + offsetof(struct rt_sigframe, info);
	r->rdx = sp + offsetof(struct rt_sigframe, uc);
	r->rax = 0;
	r->rsp = sp;
	r->rip = ka->handler;
	r->cs = USER_CS;	/* handlers run in 64-bit mode, whatever ran before */
	r->ss = USER_DS;
	r->eflags &= ~(0x400UL | 0x100UL | 0x10000UL);	/* DF, TF, RF */
	if ((ka->flags & SA_ONSTACK) && (t->altstack.flags & SS_AUTODISARM))
		t->altstack.size = 0, t->altstack.sp = 0, t->altstack.flags = SS_DISABLE;
	return 0;
}

/* The interrupted call's result decides: come back to it, or -EINTR. */
static void restart_after_handler(struct task *t, struct k_sigaction *ka)
{
	long ret = regs_ret(&t->regs);
	switch (-ret) {
	case ERESTARTSYS:
		if (ka->flags & SA_RESTART)
			goto restart;
		/* fall through */
	case ERESTARTNOHAND:
	case ERESTART_RESTARTBLOCK:
		regs_set_ret(&t->regs, -EINTR);
		return;
	case ERESTARTNOINTR:
		goto restart;
	}
	return;
restart:
	t->regs.r.rax = (uint64_t)t->sysno;
	t->regs.r.rip = t->syscall_insn;
}

static void restart_without_handler(struct task *t)
{
	long ret = regs_ret(&t->regs);
	switch (-ret) {
	case ERESTARTSYS: case ERESTARTNOHAND: case ERESTARTNOINTR:
		t->regs.r.rax = (uint64_t)t->sysno;
		t->regs.r.rip = t->syscall_insn;
		break;
	case ERESTART_RESTARTBLOCK:
		t->regs.r.rax = SYS_restart_syscall;
		t->regs.r.rip = t->syscall_insn;
		break;
	}
}

bool signal_deliver(struct task *t)
{
	struct process *p = t->proc;
	bool handled = false;
	for (;;) {
		if (t->state == TASK_DEAD || p->zombie)
			return false;
		if (p->stopped) {
			t->state = TASK_STOPPED;
			return false;
		}
		uint64_t ready = (t->pending.set | p->shared_pending.set) & ~t->sigmask;
		if (!ready)
			break;
		int sig = __builtin_ctzll(ready) + 1;
		siginfo_t info;
		dequeue(t->pending.set & SIGBIT(sig) ? &t->pending : &p->shared_pending, sig, &info);
		struct k_sigaction *ka = &p->sighand->action[sig - 1];
		if (ka->handler == (uint64_t)SIG_IGN)
			continue;
		if (ka->handler == (uint64_t)SIG_DFL) {
			if (default_ignored(sig))
				continue;
			if (is_stop(sig)) {
				do_stop(p, sig);
				continue;
			}
			process_exit(p, sig);
			return false;
		}
		if (t->syscall_return) {
			restart_after_handler(t, ka);
			t->syscall_return = false;
		}
		if (setup_frame(t, sig, &info, ka)) {
			process_exit(p, SIGSEGV);
			return false;
		}
		t->sigmask |= ka->mask | ((ka->flags & SA_NODEFER) ? 0 : SIGBIT(sig));
		t->sigmask &= ~UNBLOCKABLE;
		if (ka->flags & SA_RESETHAND)
			memset(ka, 0, sizeof(*ka));
		t->restore_sigmask = false;
		handled = true;
	}
	if (t->syscall_return && !handled)
		restart_without_handler(t);
	t->syscall_return = false;
	if (t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return true;
}

long sys_rt_sigreturn(struct task *t, const struct sysargs *a UNUSED)
{
	struct user_regs_struct *r = &t->regs.r;
	uint64_t frame = r->rsp - 8;
	struct rt_sigframe f;
	if (copy_from_user(t, &f, frame, sizeof(f))) {
		process_exit(t->proc, SIGSEGV);
		return -ENORETURN;
	}
	struct k_sigcontext *sc = &f.uc.uc_mcontext;
	r->r8 = sc->r8; r->r9 = sc->r9; r->r10 = sc->r10; r->r11 = sc->r11;
	r->r12 = sc->r12; r->r13 = sc->r13; r->r14 = sc->r14; r->r15 = sc->r15;
	r->rdi = sc->rdi; r->rsi = sc->rsi; r->rbp = sc->rbp; r->rbx = sc->rbx;
	r->rdx = sc->rdx; r->rax = sc->rax; r->rcx = sc->rcx; r->rsp = sc->rsp;
	r->rip = sc->rip;
	/* Only the flags user code may change come back from the frame. */
	uint64_t fix = 0x40000 | 0x800 | 0x400 | 0x100 | 0x80 | 0x40 | 0x10 | 0x4 | 0x1 | 0x10000;
	r->eflags = (r->eflags & ~fix) | (sc->eflags & fix);
	t->sigmask = f.uc.uc_sigmask & ~UNBLOCKABLE;
	/* As Linux's restore_altstack: the frame's stack is set as
	 * sigaltstack would, and a refusal is no error. */
	altstack_set(t, f.uc.uc_stack.ss_sp, f.uc.uc_stack.ss_flags, f.uc.uc_stack.ss_size);
	if (sc->fpstate) {
		size_t n = plat_fpstate_size();
		char *xs = xmalloc(n);
		if (copy_from_user(t, xs, sc->fpstate, n) == 0)
			plat_set_fpstate(t->host_tid, xs);
		free(xs);
	}
	t->syscall_return = false;
	return -EJUSTRETURN;
}

/* Takes a pending signal off the queues without delivering it. */
void signal_take(struct task *t, int sig, siginfo_t *si)
{
	dequeue(t->pending.set & SIGBIT(sig) ? &t->pending : &t->proc->shared_pending, sig, si);
}

void signal_discard(struct process *p, int sig)
{
	struct task *t;
	drop(&p->shared_pending, SIGBIT(sig));
	list_for_each_entry(t, &p->threads, thread_node)
		drop(&t->pending, SIGBIT(sig));
}

int signal_wait_mask(struct task *t, uaddr_t umask, size_t size)
{
	uint64_t mask;
	if (!umask || t->rerun)
		return 0;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(t, &mask, umask, sizeof(mask)))
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~UNBLOCKABLE;
	return 0;
}

long signal_wait_mask_done(struct task *t, long r)
{
	bool interrupted = r == -EWOULDBLOCK_TASK || r == -ERESTARTNOHAND || r == -EINTR;
	if (!interrupted && t->restore_sigmask) {
		t->sigmask = t->saved_sigmask;
		t->restore_sigmask = false;
	}
	return r;
}
