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
