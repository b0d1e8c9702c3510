/* Tasks (guest threads) and processes (thread groups). */
#pragma once
#include "common.h"
#include "arch.h"
#include <sys/resource.h>
#include <time.h>

struct mm;
struct files;
struct fs_context;
struct waitq;

struct sysargs { uint64_t a[6]; };
struct mount;
struct dentry;
struct path { struct mount *mnt; struct dentry *dentry; };

enum task_state {
	TASK_RUNNING,	/* executing guest code on the host */
	TASK_IN_KERNEL,	/* stopped at a system call being handled now */
	TASK_BLOCKED,	/* stopped, parked on wait queues */
	TASK_READY,	/* stopped, woken: its system call runs again soon */
	TASK_STOPPED,	/* stopped by a stop signal until SIGCONT */
	TASK_DEAD,
};

/* Signals waiting for delivery: a set, and the siginfo of each. */
struct sigpending {
	uint64_t set;
	struct list_head queue;		/* struct sigqueue */
};

struct k_sigaction {
	uint64_t handler, flags, restorer, mask;
};

struct sighand {
	int refs;
	struct k_sigaction action[64];
};

/* A task's scheduling policy as the guest sees it (sched.c). It is kept
 * and checked only: the host thread keeps the host's normal policy. */
struct sched_state {
	int policy;			/* SCHED_OTHER (0) .. SCHED_DEADLINE */
	unsigned rt_priority;		/* 1..99 for FIFO and RR, else 0 */
	bool reset_on_fork;
	uint64_t slice;			/* a fair task's own time slice; 0: the default */
	uint64_t dl_runtime, dl_deadline, dl_period, dl_flags;
};

struct task {
	int tid;			/* guest thread id */
	int host_tid;			/* platform handle */
	struct process *proc;
	enum task_state state;
	struct cpu_regs regs;		/* as at the current stop */
	long sysno;			/* the system call being handled */
	struct sysargs args;
	bool rerun;			/* handler runs again after a wake */
	bool wake_pending;		/* woken before it could block */
	bool io_whole;			/* write(2): a stream write goes on until done */
	bool io_nosignal;		/* RWF_NOSIGNAL: EPIPE without SIGPIPE */
	size_t io_done;			/* bytes a blocked write moved so far */
	bool timed_out;			/* the wait's deadline passed */
	/* What a wait cut short by a signal returns (ERESTARTSYS unless the
	 * handler says otherwise before blocking), as in Linux. */
	int restart_code;
	uaddr_t syscall_insn;	/* the call's syscall instruction (a restart's rip) */
	struct timespec deadline;	/* CLOCK_MONOTONIC; kept across reruns */
	uaddr_t sleep_rem;		/* a sleep's rem, for restart_syscall */
	struct list_head waiters;	/* struct waiter, while blocked */
	struct timer *timer;
	struct list_head ready_node;	/* on the loop's ready list */
	struct list_head thread_node;	/* in proc->threads */
	struct task *hash_next;		/* host tid hash chain */
	struct task *tid_next;		/* guest tid hash chain */
	uint64_t sigmask;
	uint64_t saved_sigmask;		/* sigsuspend/ppoll: restored after */
	bool restore_sigmask;
	uint64_t sigwait_set;		/* rt_sigtimedwait: wake for these too */
	struct sigpending pending;	/* sent to this thread */
	struct { uint64_t sp, size; int flags; } altstack;
	bool syscall_return;		/* regs hold a system call's result */
	bool interrupt_sent;
	uaddr_t clear_child_tid;
	int vfork_child;		/* vfork: the child we wait for */
	struct futex_q *futex_q;	/* while in FUTEX_WAIT */
	struct sem_queue *sem_q;	/* while semop waits (ipc/sem.c) */
	/* The files the call looked up by fd, held until it ends (fd_get). */
	struct { int fd; struct file *file; } fd_pins[4];
	int fd_npins;
	const void *lock_blocker;	/* F_SETLKW: the owner of the lock it waits for */
	uaddr_t robust_list;
	size_t robust_len;
	struct sched_state sched;
	char comm[16];
	char *trace_line;		/* --trace: the call, as it started */
};

struct process {
	int pid, pgid, sid;
	struct process *parent;
	struct list_head children;	/* struct process, by sibling */
	struct list_head sibling;
	struct list_head all_node;	/* every process, in pid order */
	struct process *pid_next;	/* pid hash chain */
	bool unlisted;			/* freed: its memory goes after this event */
	bool zombie;			/* exited, waiting for wait() */
	struct waitq *child_wait;	/* parent waits here for children */
	struct task *vfork_parent;	/* blocked until we exec or exit */
	uint64_t utime, stime;		/* clock ticks, once exited */
	uint64_t cutime, cstime;	/* of reaped children */
	uint64_t maxrss_kb, cmaxrss_kb;
	struct mm *mm;
	struct files *files;
	struct fs_context *fs;
	struct sighand *sighand;
	unsigned uid, euid, suid, fsuid, gid, egid, sgid, fsgid;
	uint32_t *groups;		/* supplementary groups */
	int ngroups;
	int nice;			/* -20..19 */
	struct rlimit rlim[RLIM_NLIMITS];
	struct list_head threads;
	int nthreads;
	int exit_status;		/* as wait() reports it */
	struct path exe;		/* the running program, for /proc */
	struct timespec start_time;	/* CLOCK_MONOTONIC */
	int pdeath_signal;
	struct sigpending shared_pending;	/* sent to the process */
	bool stopped;			/* by a stop signal */
	int stop_sig;
	bool report_stop, report_cont;	/* for wait(WUNTRACED/WCONTINUED) */
	int exit_signal;		/* sent to the parent at exit */
	struct timer *itimer_real;	/* alarm / ITIMER_REAL */
	struct timespec itimer_interval;
	/* ITIMER_VIRTUAL and ITIMER_PROF count the process's CPU time: a
	 * kernel timer samples it every 10 ms while one is armed. */
	struct cpu_itimer { uint64_t value, interval, start; bool armed; } cpu_itimer[2];
	struct timer *cpu_itimer_poll;
	/* POSIX timers (posix_timers.c), ids from next_timer_id up. */
	struct posix_timer *posix_timers;
	int next_timer_id, nr_posix_timers;
	bool dumpable, subreaper, no_new_privs, did_exec;
	/* A set*uid made the real uid one already at RLIMIT_NPROC: the next
	 * execve fails (Linux's PF_NPROC_EXCEEDED). */
	bool nproc_exceeded;
	unsigned personality;		/* personality(2): PER_LINUX and flags */
	struct sched_state leader_sched;	/* the leader's, once it is gone */
	struct fd_account *fd_account;	/* host fds charged to it (fdbudget.c) */
	struct sem_undo_list *sysvsem;	/* SEM_UNDO records (ipc/sem.c): not inherited */
};

/* The task whose system call the kernel is handling now (as in Linux). */
extern struct task *current;

struct task *task_by_host_tid(int host_tid);
struct task *task_by_tid(int tid);
struct task *task_new(struct process *p, int host_tid);
void task_hash_remove(struct task *t);
void task_hash_add(struct task *t);
struct process *process_new(void);
int alloc_pid(void);
/* The first process: pid 1. Its exit ends the whole run. */
extern struct process *init_process;

/* Ends a thread (exit) or a whole process, with an exit code or by a
 * signal. */
void task_exit(struct task *t, int code);
void process_exit_code(struct process *p, int code);
void process_exit(struct process *p, int sig);
void itimer_cancel_all(struct process *p);
void futex_cancel(struct task *t);
/* Takes a waiter no wake took off its futex queue (task_unwait). */
void futex_unwait(struct task *t);
/* System V semaphores (ipc/sem.c): a semop wait ended (task_unwait), and
 * a process's SEM_UNDO adjustments, applied at its exit. */
void sem_unwait(struct task *t);
void sem_exit(struct process *p);
void pidfd_process_exited(void);
struct file;
/* The pid a pidfd names, or -EBADF for another kind of file. */
int pidfd_pid(struct file *f);
void futex_thread_exit(struct task *t);
void futex_robust_exit(struct task *t);
/* Every process in pid order: NULL gives the first. */
struct process *process_next(struct process *prev);

/* Capability sets, one bit per capability (man 7 capabilities). */
struct kcaps {
	uint64_t inh, prm, eff, bnd;
	unsigned ncaps;		/* how many the kernel knows (CAP_LAST_CAP + 1) */
};
/* The sets of `p`, as its ids give them (sys_cred.c). */
void process_caps(struct process *p, struct kcaps *c);
/* Takes the sets persona itself was started with (boot). */
void caps_init(void);
/* Whether `p` has capability `cap` in its effective set. */
bool capable(struct process *p, int cap);
/* Whether `me` may look into `p` (Linux's ptrace_may_access, read mode;
 * fscreds: with the caller's fs ids, as /proc does, else its real ids). */
bool ptrace_may_access(struct process *me, struct process *p, bool fscreds);
/* The tasks (threads, and zombies not yet reaped) whose real uid is
 * `uid`: what RLIMIT_NPROC counts. */
int nproc_count(unsigned uid);
/* Whether a new task of `p`'s real uid would pass RLIMIT_NPROC. */
bool nproc_may_fork(struct process *p);
struct process *process_by_pid(int pid);
/* fork: -EAGAIN if `t` may not fork (SCHED_DEADLINE without
 * SCHED_RESET_ON_FORK); then the child's policy, as Linux's sched_fork. */
int sched_fork_check(struct task *t);
/* personality.c: prot with PROT_EXEC added when READ_IMPLIES_EXEC says
 * PROT_READ implies it; uname's release as UNAME26 shows it. */
int personality_prot(struct process *p, int prot);
struct utsname;
void personality_uname(struct process *p, struct utsname *u);
void sched_fork(struct task *parent, struct task *child, bool new_process);
/* The vfork child `t` waits for, while it still has our memory; else NULL. */
struct process *vfork_waited_child(struct task *t);
/* Frees a reaped zombie: it leaves every list now, and its memory goes
 * at process_free_deferred(), which the event loop calls between events,
 * so the handler running keeps a valid (zombie) process. */
void process_free(struct process *p);
void process_free_deferred(void);
/* Ends one thread: it leaves its process now, and the host thread goes. */
void task_kill(struct task *t, bool whole_process);
