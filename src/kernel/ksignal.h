/* Signals: pending sets, sending, delivery to guest handlers with real
 * x86_64 frames, default actions, and job-control stops. */
#pragma once
#include "task.h"
#include <signal.h>

#define SIGBIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* Linux's MINSIGSTKSZ (uapi asm/signal.h): what sigaltstack accepts. */
#define LINUX_MINSIGSTKSZ 2048
int altstack_set(struct task *t, uint64_t ss_sp, int flags, uint64_t size);

struct sighand *sighand_new(void);
void sigpending_init(struct sigpending *p);
void sigpending_flush(struct sigpending *p);

/* Sends `sig` to one thread or to a whole process (as tgkill and kill
 * do); `info` may be NULL for a kernel-made SI_KERNEL siginfo. */
int send_signal_task(struct task *t, int sig, const siginfo_t *info);
/* A signal the task's own call earns, as Linux's send_sig(sig, current,
 * 0) sends it: SI_USER from the task (SIGXFSZ). */
void send_sig_self(struct task *t, int sig);
/* SIGPIPE for a write to a pipe or socket with no reader. */
void send_sigpipe(struct task *t);
int send_signal_process(struct process *p, int sig, const siginfo_t *info);
/* The kernel's own signal to a process group. Returns -ESRCH if it is
 * empty. */
int send_signal_pgrp(int pgrp, int sig, const siginfo_t *info);
/* Whether a user's signal from `from` may reach `to`, as Linux's
 * check_kill_permission: 0 or -EPERM. */
int signal_may_send(struct process *from, struct process *to, int sig);
/* kill(2) on a process group: each member `from` may signal gets it;
 * 0 if one did, else the last error (-ESRCH for an empty group). */
int kill_pgrp(struct process *from, int pgrp, int sig, const siginfo_t *info);
/* SIGIO (or the F_SETSIG signal) to a file's owner, a pid or minus a
 * process group, with the ids of whoever set it (Linux's send_sigio). */
void send_sigio(int owner, unsigned uid, unsigned euid, int sig, const siginfo_t *info);

/* A POSIX timer's signal (posix_timers.c), marked with the timer's
 * serial: true if it was queued (not ignored, not merged into a pending
 * standard signal, not fatal at once). */
bool send_signal_timer(struct process *p, struct task *target, const siginfo_t *info, uint64_t timer);
/* The queued signal of timer `serial` leaves its queue (delivered,
 * taken or dropped): the timer fills in info's si_overrun. */
void posix_timer_signal_taken(uint64_t serial, siginfo_t *info);
/* Takes the queued signal of timer `serial` off p's queues unseen. */
void signal_unqueue_timer(struct process *p, uint64_t serial);
/* Deletes every POSIX timer of p (exec, exit). */
void posix_timers_delete_all(struct process *p);

/* The guest faulted (SIGSEGV, SIGBUS, ...): the signal is forced. */
void signal_fault(struct task *t, const siginfo_t *si);
/* Runs before a stopped task goes back to guest code: delivers pending
 * signals (frames, default actions, syscall restarts). Returns false if
 * the task must not run (it died or its process is stopped). */
bool signal_deliver(struct task *t);
bool signal_pending(struct task *t);
/* Takes a pending signal off the queues without delivering it. */
void signal_take(struct task *t, int sig, siginfo_t *si);
/* Waits with a temporary signal mask (ppoll, pselect6, epoll_pwait): the
 * mask goes in force on the first run (reruns find it there), stays for
 * the handler of a signal that ends the wait, and goes at once when the
 * call ends otherwise, as Linux's restore_saved_sigmask_unless(). */
int signal_wait_mask(struct task *t, uaddr_t umask, size_t size);
long signal_wait_mask_done(struct task *t, long r);
/* Drops `sig` from every pending set of `p` (it became ignored). */
void signal_discard(struct process *p, int sig);
/* Whether `sig` would be ignored by `p` right now. */
bool signal_ignored(struct process *p, int sig);
/* Woken whenever a signal is queued anywhere, blocked or not (signalfd
 * waits here; defined in fs/signalfd.c). */
extern struct waitq signal_queued;
