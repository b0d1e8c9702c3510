/* The end of threads and processes: zombies, reparenting to the reaper,
 * SIGCHLD, and wait4/waitid. */
#include "task.h"
#include "tty.h"
#include "loop.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "platform.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>

void task_kill(struct task *t, bool whole_process)
{
	if (t->state == TASK_DEAD)
		return;
	task_unwait(t);
	futex_cancel(t);
	fd_unpin_all(t);
	if (!whole_process) {
		futex_robust_exit(t);
		futex_thread_exit(t);
	}
	if (t->state == TASK_READY)
		list_del(&t->ready_node);
	list_del(&t->thread_node);
	list_init(&t->thread_node);
	t->proc->nthreads--;
	if (t->tid == t->proc->pid)
		t->proc->leader_sched = t->sched;	/* a zombie still answers */
	t->state = TASK_DEAD;
	if (whole_process)
		plat_kill(t->host_tid);
	else
		plat_exit_thread(t->host_tid);
}

/* The nearest living subreaper above `p`, or init. */
static struct process *find_reaper(struct process *p)
{
	for (struct process *a = p->parent; a; a = a->parent)
		if (a->subreaper && !a->zombie)
			return a;
	/* init itself leaving: no one is left to adopt (the run ends). */
	return p == init_process ? NULL : init_process;
}

static int child_exit_code(int status, int *code)
{
	if (WIFSIGNALED(status)) {
		*code = WTERMSIG(status);
		return WCOREDUMP(status) ? CLD_DUMPED : CLD_KILLED;
	}
	*code = WEXITSTATUS(status);
	return CLD_EXITED;
}

/* Tells the parent: SIGCHLD, and a wake for its wait() calls. A parent
 * that ignores SIGCHLD (or set SA_NOCLDWAIT) gets no zombie at all. */
static void notify_parent(struct process *p)
{
	struct process *parent = p->parent;
	if (!parent || parent->zombie) {
		process_free(p);
		return;
	}
	struct k_sigaction *ka = &parent->sighand->action[SIGCHLD - 1];
	bool autoreap = ka->handler == (uint64_t)SIG_IGN || (ka->flags & SA_NOCLDWAIT);
	siginfo_t si = { .si_signo = SIGCHLD };
	si.si_code = child_exit_code(p->exit_status, &si.si_status);
	si.si_pid = p->pid;
	si.si_uid = p->uid;
	if (!autoreap)
		send_signal_process(parent, SIGCHLD, &si);
	wake_up(parent->child_wait);
	if (autoreap) {
		parent->cutime += p->utime + p->cutime;
		parent->cstime += p->stime + p->cstime;
		process_free(p);
	}
}

static void reparent_children(struct process *p)
{
	struct process *reaper = find_reaper(p), *c, *n;
	list_for_each_entry_safe(c, n, &p->children, sibling) {
		list_del(&c->sibling);
		c->parent = reaper;
		if (reaper)
			list_add_tail(&c->sibling, &reaper->children);
		else
			list_init(&c->sibling);
		if (c->pdeath_signal && !c->zombie)
			send_signal_process(c, c->pdeath_signal, NULL);
		if (c->zombie && reaper)
			wake_up(reaper->child_wait);
	}
}

/* Ends every thread of `p` with the wait() status `status`. */
static void process_end(struct process *p, int status)
{
	if (p->zombie)
		return;
	if (!list_empty(&p->threads)) {
		struct task *any = list_entry(p->threads.next, struct task, thread_node);
		plat_usage(any->host_tid, &p->utime, &p->stime, &p->maxrss_kb);
	}
	/* Every thread's robust futexes, while the memory is still there: a
	 * process-shared robust mutex may have a waiter in another process
	 * (Linux's exit_mm walks them for each thread of an exit_group). */
	struct task *th;
	list_for_each_entry(th, &p->threads, thread_node)
		futex_robust_exit(th);
	while (!list_empty(&p->threads))
		task_kill(list_entry(p->threads.next, struct task, thread_node), true);
	p->exit_status = status;
	p->zombie = true;
	sem_exit(p);
	itimer_cancel_all(p);
	posix_timers_delete_all(p);
	pidfd_process_exited();
	if (p->files)
		files_put(p->files);
	if (p->fs)
		fs_context_put(p->fs);
	if (p->mm)
		mm_put(p->mm);
	if (p->exe.dentry)
		path_put(&p->exe);
	p->files = NULL;
	p->fs = NULL;
	p->mm = NULL;
	if (p->vfork_parent) {
		task_wake(p->vfork_parent);
		p->vfork_parent = NULL;
	}
	/* A session leader's end hangs up its terminal (a pty's). */
	if (p->sid == p->pid)
		tty_session_leader_exit(p);
	reparent_children(p);
	if (p == init_process) {
		loop_init_exited(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
		return;
	}
	notify_parent(p);
}

/* Whether Linux would say the death of `p` by `sig` dumped core (the
 * 0x80 of the wait status, WCOREDUMP), deciding as its do_coredump does
 * with the machine's core_pattern: only the signals whose default
 * action is core, never for a process that is not dumpable; a pattern
 * that pipes to a helper takes any dump but with RLIMIT_CORE 1; a file
 * needs RLIMIT_CORE of a page at least. persona writes no core file:
 * it reports the dump a program and its shell expect to see. */
static bool core_dumped(struct process *p, int sig)
{
	static const uint64_t core_sigs = SIGBIT(SIGQUIT) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) |
		SIGBIT(SIGABRT) | SIGBIT(SIGBUS) | SIGBIT(SIGFPE) | SIGBIT(SIGSEGV) |
		SIGBIT(SIGXCPU) | SIGBIT(SIGXFSZ) | SIGBIT(SIGSYS);
	if (sig < 1 || sig > 64 || !(core_sigs & SIGBIT(sig)) || !p->dumpable)
		return false;
	rlim_t limit = p->rlim[RLIMIT_CORE].rlim_cur;
	char c = 0;
	int fd = open("/proc/sys/kernel/core_pattern", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (read(fd, &c, 1) != 1)
			c = 0;
		close(fd);
	}
	return c == '|' ? limit != 1 : limit >= PAGE_SIZE;
}

void process_exit(struct process *p, int sig)
{
	sig &= 0x7f;
	process_end(p, core_dumped(p, sig) ? sig | 0x80 : sig);
}

void process_exit_code(struct process *p, int code)
{
	process_end(p, (code & 0xff) << 8);
}

void task_exit(struct task *t, int code)
{
	if (t->proc->nthreads <= 1)
		process_exit_code(t->proc, code);
	else
		task_kill(t, false);
}

long sys_exit(struct task *t, const struct sysargs *a)
{
	task_exit(t, (int)a->a[0]);
	return -ENORETURN;
}

long sys_exit_group(struct task *t, const struct sysargs *a)
{
	process_exit_code(t->proc, (int)a->a[0]);
	return -ENORETURN;
}

/* ---- wait ---- */

enum { WHICH_ALL, WHICH_PID, WHICH_PGID };

struct wait_result {
	int pid, status, code, child_code;
	uint64_t user_ticks, sys_ticks, rss_kb;
};

static bool wait_matches(struct process *c, int which, int id)
{
	switch (which) {
	case WHICH_PID: return c->pid == id;
	case WHICH_PGID: return c->pgid == id;
	}
	return true;
}

/* One pass over the children: >0 found (pid), 0 none ready, -ECHILD. As
 * in Linux's wait_consider_task, a zombie is a child to wait for only by
 * one who asks for exits (WEXITED): waiting just for stops or continues
 * with zombies alone is ECHILD, not a wait forever. */
static int wait_scan(struct task *t, int which, int id, int options, struct wait_result *r)
{
	struct process *c, *n;
	bool any = false;
	list_for_each_entry_safe(c, n, &t->proc->children, sibling) {
		if (!wait_matches(c, which, id) || (c->zombie && !(options & WEXITED)))
			continue;
		any = true;
		if (!c->zombie && c->stopped && c->report_stop && (options & WUNTRACED)) {
			r->pid = c->pid;
			r->status = (c->stop_sig << 8) | 0x7f;
			r->code = CLD_STOPPED;
			r->child_code = c->stop_sig;
			if (!(options & WNOWAIT))
				c->report_stop = false;
			return r->pid;
		}
		if (!c->zombie && c->report_cont && (options & WCONTINUED)) {
			r->pid = c->pid;
			r->status = 0xffff;
			r->code = CLD_CONTINUED;
			r->child_code = SIGCONT;
			if (!(options & WNOWAIT))
				c->report_cont = false;
			return r->pid;
		}
		if (!c->zombie || !(options & WEXITED))
			continue;
		r->pid = c->pid;
		r->status = c->exit_status;
		r->code = child_exit_code(c->exit_status, &r->child_code);
		r->user_ticks = c->utime + c->cutime;
		r->sys_ticks = c->stime + c->cstime;
		r->rss_kb = MAX(c->maxrss_kb, c->cmaxrss_kb);
		if (!(options & WNOWAIT)) {
			t->proc->cutime += r->user_ticks;
			t->proc->cstime += r->sys_ticks;
			t->proc->cmaxrss_kb = MAX(t->proc->cmaxrss_kb, r->rss_kb);
			process_free(c);
		}
		return r->pid;
	}
	return any ? 0 : -ECHILD;
}

static int do_wait(struct task *t, int which, int id, int options, struct wait_result *r)
{
	int found = wait_scan(t, which, id, options, r);
	if (found != 0 || (options & WNOHANG))
		return found;
	wait_on(t, t->proc->child_wait);
	return -EWOULDBLOCK_TASK;
}

static void ticks_to_timeval(uint64_t ticks, struct timeval *tv)
{
	tv->tv_sec = ticks / 100;
	tv->tv_usec = (ticks % 100) * 10000;
}

static int put_rusage(struct task *t, uaddr_t u, uint64_t utime, uint64_t stime, uint64_t maxrss)
{
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));
	ticks_to_timeval(utime, &ru.ru_utime);
	ticks_to_timeval(stime, &ru.ru_stime);
	ru.ru_maxrss = maxrss;
	return copy_to_user(t, u, &ru, sizeof(ru));
}

long sys_wait4(struct task *t, const struct sysargs *a)
{
	int pid = (int)a->a[0], options = (int)a->a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (pid == INT32_MIN)
		return -ESRCH;
	int which = pid > 0 ? WHICH_PID : pid == -1 ? WHICH_ALL : WHICH_PGID;
	int id = pid > 0 ? pid : pid == 0 ? t->proc->pgid : -pid;
	struct wait_result r;
	int found = do_wait(t, which, id, options | WEXITED, &r);
	if (found <= 0)
		return found;
	if (a->a[1] && copy_to_user(t, a->a[1], &r.status, sizeof(int)))
		return -EFAULT;
	if (a->a[3] && put_rusage(t, a->a[3], r.user_ticks, r.sys_ticks, r.rss_kb))
		return -EFAULT;
	return found;
}

long sys_waitid(struct task *t, const struct sysargs *a)
{
	int idtype = (int)a->a[0], id = (int)a->a[1], options = (int)a->a[3];
	if (options & ~(WNOHANG | WNOWAIT | WEXITED | WSTOPPED | WCONTINUED | __WNOTHREAD | __WCLONE | __WALL))
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	int which;
	switch (idtype) {
	case P_ALL: which = WHICH_ALL; break;
	case P_PID: which = WHICH_PID; if (id <= 0) return -EINVAL; break;
	case P_PGID: which = WHICH_PGID; if (id < 0) return -EINVAL; if (!id) id = t->proc->pgid; break;
	case P_PIDFD: {
		struct file *f = fd_get(t, id);
		if (!f)
			return -EBADF;
		id = pidfd_pid(f);
		file_put(f);
		if (id < 0)
			return -EBADF;
		which = WHICH_PID;
		break;
	}
	default: return -EINVAL;
	}
	struct wait_result r = { 0 };
	int found = do_wait(t, which, id, options, &r);
	if (found < 0)
		return found;
	if (a->a[2]) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		if (found > 0) {
			si.si_signo = SIGCHLD;
			si.si_code = r.code;
			si.si_pid = r.pid;
			si.si_uid = t->proc->uid;
			si.si_status = r.child_code;
		}
		if (copy_to_user(t, a->a[2], &si, sizeof(si)))
			return -EFAULT;
	}
	if (a->a[4] && put_rusage(t, a->a[4], r.user_ticks, r.sys_ticks, r.rss_kb))
		return -EFAULT;
	return 0;
}
