/* Signals. This first version records dispositions and masks; delivery
 * to guest handlers comes with the processes work. */
#pragma once
#include "task.h"
#include <signal.h>

#define SIGBIT(s) (1ULL << ((s) - 1))
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

/* The guest faulted (SIGSEGV, SIGBUS, ...). */
void signal_fault(struct task *t, const siginfo_t *si);
struct sighand *sighand_new(void);
/* Sends `sig` to one thread or to a whole process (as kill/tgkill do);
 * `info` may be NULL for a kernel-made SI_KERNEL siginfo. */
int send_signal_task(struct task *t, int sig, const siginfo_t *info);
int send_signal_process(struct process *p, int sig, const siginfo_t *info);
