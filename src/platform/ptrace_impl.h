/* What the ptrace platform's files share among themselves (never seen
 * outside platform/). */
#pragma once
#include "common.h"
#include "platform.h"
#include <sys/user.h>

/* Whether a signal is one the guest's own code caused (a fault). */
bool ptrace_is_fault(const siginfo_t *si);
/* Queues an event taken off waitpid() while waiting for something else. */
void ptrace_defer(const struct plat_event *ev);

/* Per-process control channels: the socket over which the kernel passes
 * host fds into one guest process (its fd STUB_CTL_FD). Every host thread
 * of a process names the same channel. */
void chan_add(int tid, int kfd);
void chan_drop(int tid);

/* Confines a freshly spawned stub process (before its first guest code). */
int stub_confine(int tid);
/* Makes the stubs' namespaces (see confine.c), at start. */
void stub_namespaces_init(void);
/* Run in a new stub process, at its start and before its exec. */
void stub_enter_namespaces(void);
void stub_drop_privileges(void);
