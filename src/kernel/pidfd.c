/* pidfds: an fd that names a process. It polls readable once the process
 * has exited, and signals can be sent through it without pid reuse races
 * (guest pids never wrap here, so the pid itself is a safe name). */
#include "task.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "../fs/vfs.h"
#include <fcntl.h>
#include <poll.h>

#ifndef PIDFD_NONBLOCK
#define PIDFD_NONBLOCK O_NONBLOCK
#endif

/* Every process exit wakes the pidfd pollers, who look again. */
static struct waitq exits = WAITQ_INIT(exits);

void pidfd_process_exited(void)
{
	wake_up(&exits);
}

static unsigned pidfd_poll(struct file *f, struct poll_table *pt)
{
	struct process *p = process_by_pid((int)(intptr_t)f->priv);
	if (!p || p->zombie)
		return POLLIN | POLLRDNORM;
	poll_wait(pt, &exits);
	return 0;
}

static int pidfd_getattr(struct file *f UNUSED, struct kstat *st)
{
	st->mode = S_IFREG | 0600;	/* an anonymous inode, as Linux shows */
	st->nlink = 1;
	st->blksize = 4096;
	return 0;
}

static const struct file_ops pidfd_ops = {
	.poll = pidfd_poll, .getattr = pidfd_getattr, .anon_name = "[pidfd]",
};

int pidfd_pid(struct file *f)
{
	if (f->ops == &pidfd_ops)
		return (int)(intptr_t)f->priv;
	int pid = f->inode ? procfs_dir_pid(f->inode) : -1;	/* an open /proc/<pid> */
	return pid > 0 ? pid : -EBADF;
}

long sys_pidfd_open(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	unsigned flags = (unsigned)a->a[1];
	if (flags & ~PIDFD_NONBLOCK || pid <= 0)
		return -EINVAL;
	struct process *p = process_by_pid(pid);
	if (!p) {
		struct task *th = task_by_tid(pid);
		return th ? -EINVAL : -ESRCH;	/* a thread, not a process */
	}
	struct file *f = file_alloc();
	f->ops = &pidfd_ops;
	f->priv = (void *)(intptr_t)pid;
	f->flags = O_RDWR | (flags & PIDFD_NONBLOCK);
	int fd = fd_install(t, f, 0, true);
	if (fd < 0)
		file_put(f);
	return fd;
}

long sys_pidfd_send_signal(struct task *t, const struct sysargs *a)
{
	int sig = (int)a->a[1];
	unsigned flags = (unsigned)a->a[3];
	/* PIDFD_SIGNAL_THREAD, _THREAD_GROUP, _PROCESS_GROUP: one at most. */
	if ((flags & ~7U) || (flags & (flags - 1)))
		return -EINVAL;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	int pid = pidfd_pid(f);
	file_put(f);
	if (pid < 0)
		return -EBADF;
	struct process *p = process_by_pid(pid);
	if (!p)
		return -ESRCH;	/* a zombie still takes signals (and drops them) */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (a->a[2]) {
		if (copy_from_user(t, &si, a->a[2], sizeof(si)))
			return -EFAULT;
		if (si.si_signo != sig)
			return -EINVAL;
		if ((si.si_code >= 0 || si.si_code == SI_TKILL) && (p != t->proc || flags == 4))
			return -EPERM;
	} else {
		si.si_signo = sig;
		si.si_code = SI_USER;
		si.si_pid = t->proc->pid;
		si.si_uid = t->proc->uid;
	}
	if (flags == 4)
		return kill_pgrp(t->proc, p->pgid, sig, &si);
	int err = signal_may_send(t->proc, p, sig);
	if (err || !sig)
		return err;
	if (flags == 1) {
		struct task *th = task_by_tid(pid);
		return th ? send_signal_task(th, sig, &si) : -ESRCH;
	}
	return send_signal_process(p, sig, &si);
}
