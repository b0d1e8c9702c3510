/* Process groups and sessions, resource usage. */
#include "task.h"
#include "waitq.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "platform.h"
#include <sys/resource.h>
#include <sys/times.h>

static struct process *find_live(int pid)
{
	struct process *p = process_by_pid(pid);
	return p && !p->zombie ? p : NULL;
}

long sys_getpgid(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	struct process *p = pid ? process_by_pid(pid) : t->proc;
	return p ? p->pgid : -ESRCH;
}

long sys_getpgrp(struct task *t, const struct sysargs *a UNUSED)
{
	return t->proc->pgid;
}

long sys_getsid(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0];
	struct process *p = pid ? process_by_pid(pid) : t->proc;
	return p ? p->sid : -ESRCH;
}

long sys_setsid(struct task *t, const struct sysargs *a UNUSED)
{
	struct process *p = t->proc;
	/* A process group leader may not start a session: some other
	 * process would be left in a group of another session. */
	for (struct process *q = process_next(NULL); q; q = process_next(q))
		if (q->pgid == p->pid)
			return -EPERM;
	p->sid = p->pgid = p->pid;
	return p->sid;
}

long sys_setpgid(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0], pgid = (int)a->a[1];
	struct process *self = t->proc;
	if (pgid < 0)
		return -EINVAL;
	struct process *p = pid ? find_live(pid) : self;
	if (!p || (p != self && p->parent != self))
		return -ESRCH;
	if (p != self && p->did_exec)
		return -EACCES;
	if (p->sid == p->pid || p->sid != self->sid)
		return -EPERM;
	if (!pgid)
		pgid = p->pid;
	if (pgid != p->pid) {
		bool exists = false;
		for (struct process *q = process_next(NULL); q; q = process_next(q))
			if (q->pgid == pgid && q->sid == self->sid)
				exists = true;
		if (!exists)
			return -EPERM;
	}
	p->pgid = pgid;
	return 0;
}

static void ticks_tv(uint64_t ticks, struct timeval *tv)
{
	tv->tv_sec = ticks / 100;
	tv->tv_usec = (ticks % 100) * 10000;
}

long sys_getrusage(struct task *t, const struct sysargs *a)
{
	int who = (int)a->a[0];
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	uint64_t u, s, rss;
	switch (who) {
	case RUSAGE_SELF:
	case RUSAGE_THREAD:
		plat_usage(t->host_tid, &u, &s, &rss);
		break;
	case RUSAGE_CHILDREN:
		u = t->proc->cutime;
		s = t->proc->cstime;
		rss = t->proc->cmaxrss_kb;
		break;
	default:
		return -EINVAL;
	}
	ticks_tv(u, &ru.ru_utime);
	ticks_tv(s, &ru.ru_stime);
	ru.ru_maxrss = rss;
	return copy_to_user(t, a->a[1], &ru, sizeof(ru));
}

extern struct timespec boot_time;

long sys_times(struct task *t, const struct sysargs *a)
{
	struct tms tm;
	uint64_t u, s, rss;
	plat_usage(t->host_tid, &u, &s, &rss);
	tm.tms_utime = u;
	tm.tms_stime = s;
	tm.tms_cutime = t->proc->cutime;
	tm.tms_cstime = t->proc->cstime;
	if (a->a[0] && copy_to_user(t, a->a[0], &tm, sizeof(tm)))
		return -EFAULT;
	struct timespec up = ts_sub(mono_now(), boot_time);
	/* Like Linux, a tick count that starts some minutes before wrap. */
	return (long)(up.tv_sec * 100 + up.tv_nsec / 10000000) + (long)(uint32_t)(-300 * 100);
}
