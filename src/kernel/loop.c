/* The event loop. Guest threads run in parallel on the host; each stop
 * (a system call, a fault, an exit) becomes an event here, and the one
 * kernel thread handles events one at a time, so kernel state needs no
 * locks and the order of kernel events is reproducible. */
#include "loop.h"
#include "waitq.h"
#include "ksyscall.h"
#include "ksignal.h"
#include "platform.h"
#include "../mm/mm.h"
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int epfd = -1;
static int console_sigfd = -1;
int console_signals_init(void);
void console_signals_handle(void);
static int platform_fd = -1;
static struct list_head ready = LIST_HEAD_INIT(ready);
static int exit_status = -1;	/* set when init exits */

int loop_epoll_fd(void) { return epfd; }

void loop_init(int pfd)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (epfd < 0)
		kpanic("epoll_create1: %s", strerror(errno));
	platform_fd = pfd;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, pfd, &ev))
		kpanic("epoll_ctl: %s", strerror(errno));
	console_sigfd = console_signals_init();
	ev.data.ptr = &console_sigfd;
	if (epoll_ctl(epfd, EPOLL_CTL_ADD, console_sigfd, &ev))
		kpanic("epoll_ctl: %s", strerror(errno));
}

void loop_make_ready(struct task *t)
{
	list_add_tail(&t->ready_node, &ready);
}

void task_resume(struct task *t)
{
	if (!signal_deliver(t))
		return;		/* it died, or its process is stopped */
	t->state = TASK_RUNNING;
	/* orig_rax = -1: the host must not apply its own restart logic. */
	t->regs.r.orig_rax = (unsigned long long)-1;
	/* If the thread died under us, its exit event follows. */
	if (plat_set_regs(t->host_tid, &t->regs) == 0)
		plat_resume(t->host_tid);
}

void task_return(struct task *t, long result)
{
	regs_set_ret(&t->regs, result);
	t->syscall_return = true;
	task_resume(t);
}

static void on_syscall(struct task *t, const struct plat_event *ev)
{
	t->regs = ev->regs;
	if (ev->compat) {
		/* persona is a kernel without IA32 emulation: as there, int
		 * 0x80 and calls from 32-bit code are a general protection
		 * fault. */
		siginfo_t si = { .si_signo = SIGSEGV, .si_code = SI_KERNEL };
		t->regs.r.rip -= 2;	/* the fault is at the instruction */
		signal_fault(t, &si);
		return;
	}
	t->sysno = regs_sysno(&t->regs);
	patch_syscall_entry(t, ev->patched);
	for (int i = 0; i < 6; i++)
		t->args.a[i] = regs_arg(&t->regs, i);
	t->rerun = false;
	t->timed_out = false;
	t->restart_code = 0;
	t->io_whole = false;
	t->io_nosignal = false;
	t->io_done = 0;
	syscall_dispatch(t);
}

/* A host thread is gone. Normally the kernel ended it itself (exit or a
 * fatal signal) and has already done the bookkeeping. */
static void on_exited(struct task *t, int status)
{
	task_hash_remove(t);
	if (t->state != TASK_DEAD) {
		/* Killed from outside persona (OOM, a host kill): the whole
		 * process dies of it. This host thread is reaped already, so
		 * its tid may belong to someone else now: never signal it. */
		t->host_tid = 0;
		process_exit(t->proc, WIFSIGNALED(status) ? WTERMSIG(status) : SIGKILL);
	}
	/* A vfork child that outlives us must not wake us when it exits. */
	struct process *c = vfork_waited_child(t);
	if (c)
		c->vfork_parent = NULL;
	sigpending_flush(&t->pending);
	free(t->trace_line);
	free(t);
}

static void handle_platform_events(void)
{
	struct plat_event ev;
	while (plat_next_event(&ev)) {
		struct task *t = task_by_host_tid(ev.tid);
		if (!t)
			continue;
		/* A task the kernel ended may still report a stop it made
		 * before it died: only its exit concerns the kernel now. */
		if (t->state == TASK_DEAD && ev.kind != PEV_EXITED)
			continue;
		switch (ev.kind) {
		case PEV_SYSCALL:
			on_syscall(t, &ev);
			break;
		case PEV_SIGNAL:
			t->interrupt_sent = false;
			if (plat_get_regs(t->host_tid, &t->regs) == 0)
				signal_fault(t, &ev.si);
			break;
		case PEV_EXITED:
			on_exited(t, ev.status);
			break;
		case PEV_INTERRUPTED:
			t->interrupt_sent = false;
			if (t->state == TASK_RUNNING && plat_get_regs(t->host_tid, &t->regs) == 0) {
				t->syscall_return = false;
				task_resume(t);
			}
			break;
		case PEV_NEWTHREAD:
			break;
		}
	}
}

static void run_ready(void)
{
	while (!list_empty(&ready)) {
		struct task *t = list_entry(ready.next, struct task, ready_node);
		list_del(&t->ready_node);
		if (t->state != TASK_READY)
			continue;
		t->rerun = true;
		syscall_dispatch(t);
	}
}

void loop_init_exited(int status)
{
	exit_status = status;
}

/* How often a busy kernel, one that never sleeps because guest events keep
 * coming, still looks at its other event sources (host fds, timers). */
#define POLL_EVERY_NS 200000

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int loop_run(void)
{
	struct epoll_event evs[32];
	uint64_t last_poll = 0;
	while (exit_status < 0) {
		run_ready();
		process_free_deferred();
		if (exit_status >= 0)
			break;
		/* A platform that answers guests through shared memory waits
		 * for the next call a little before sleeping: waking a sleeping
		 * kernel costs far more than the wait. */
		int timeout = timers_next_timeout_ms();
		if (plat_spin()) {
			handle_platform_events();
			uint64_t now = now_ns();
			if (now - last_poll < POLL_EVERY_NS)
				continue;
			last_poll = now;
			timeout = 0;
		} else if (!plat_sleep_begin()) {
			timeout = 0;
		}
		int n = epoll_wait(epfd, evs, ARRAY_SIZE(evs), timeout);
		plat_sleep_end();
		if (n < 0 && errno != EINTR)
			kpanic("epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				plat_fd_ready();
			else if (evs[i].data.ptr == &console_sigfd)
				console_signals_handle();
			else
				hostfd_ready(evs[i].data.ptr);
		}
		handle_platform_events();
		timers_run();
		process_free_deferred();
	}
	return exit_status;
}
