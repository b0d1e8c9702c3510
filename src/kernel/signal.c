#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "loop.h"

struct sighand *sighand_new(void)
{
	struct sighand *sh = xzalloc(sizeof(*sh));
	sh->refs = 1;
	return sh;
}

/* With no delivery yet, a fault ends the process as the default action
 * would: killed by the signal. */
void signal_fault(struct task *t, const siginfo_t *si)
{
	process_exit(t->proc, si->si_signo);
}

long sys_rt_sigaction(struct task *t, const struct sysargs *a)
{
	int sig = (int)a->a[0];
	if (a->a[3] != 8 || sig < 1 || sig > 64)
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
	}
	return 0;
}

long sys_rt_sigprocmask(struct task *t, const struct sysargs *a)
{
	int how = (int)a->a[0];
	uint64_t set;
	if (a->a[3] != 8)
		return -EINVAL;
	uint64_t old = t->sigmask;
	if (a->a[1]) {
		if (copy_from_user(t, &set, a->a[1], sizeof(set)))
			return -EFAULT;
		switch (how) {
		case SIG_BLOCK: t->sigmask |= set; break;
		case SIG_UNBLOCK: t->sigmask &= ~set; break;
		case SIG_SETMASK: t->sigmask = set; break;
		default: return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a->a[2] && copy_to_user(t, a->a[2], &old, sizeof(old))) {
		t->sigmask = old;
		return -EFAULT;
	}
	return 0;
}

bool signal_pending(struct task *t UNUSED)
{
	return false;
}

int send_signal_task(struct task *t, int sig, const siginfo_t *info UNUSED)
{
	/* Delivery lands with the signals work; until then the default
	 * action of a fatal signal is all there is. */
	if (sig != SIGCHLD && sig != SIGURG && sig != SIGWINCH && sig != SIGCONT)
		process_exit(t->proc, sig);
	return 0;
}

int send_signal_process(struct process *p, int sig, const siginfo_t *info)
{
	struct task *t = list_entry(p->threads.next, struct task, thread_node);
	return send_signal_task(t, sig, info);
}
