/* membarrier, as Linux's kernel/sched/membarrier.c answers it, for a
 * Linux built without rseq (persona's rseq is ENOSYS): the RSEQ commands
 * are EINVAL and QUERY does not offer them. The registration state is
 * kept per memory, as Linux keeps it: what GET_REGISTRATIONS and the
 * EPERM checks read.
 *
 * The barrier itself: the guest's threads are host threads, so a host
 * barrier that reaches every running thread reaches them. The choice is
 * the host's MEMBARRIER_CMD_GLOBAL, made from persona's own process, for
 * every barrier command:
 *  - a host PRIVATE_EXPEDITED from persona would interrupt only persona's
 *    threads (its memory is not the guest's);
 *  - the guest's host process can't make the call itself (its seccomp
 *    allowlist does not have membarrier), so it can't register for the
 *    host's PRIVATE_EXPEDITED or GLOBAL_EXPEDITED either, and a host
 *    GLOBAL_EXPEDITED reaches registered processes only;
 *  - GLOBAL waits for an RCU grace period: every CPU has passed a
 *    quiescent state (a context switch, idle, or user mode seen from an
 *    interrupt, whose return serializes the core), which is the
 *    guarantee of every command here, SYNC_CORE's included. It is slower
 *    (milliseconds, and it holds persona meanwhile, as it holds the
 *    caller on Linux), which only expedited callers would notice.
 * A nohz_full host has no GLOBAL: then persona offers no barrier. */
#include "ksyscall.h"
#include "mm.h"
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CMD_GET_REGISTRATIONS	(1 << 9)	/* Linux 6.3; older headers lack it */
#define CMD_RSEQ	(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ | MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_RSEQ)

/* Linux's MEMBARRIER_STATE_* (include/linux/sched/mm.h). */
enum {
	PRIVATE_READY = 1 << 0, PRIVATE = 1 << 1,
	GLOBAL_READY = 1 << 2, GLOBAL = 1 << 3,
	SYNC_CORE_READY = 1 << 4, SYNC_CORE = 1 << 5,
};

static long host_barrier(void)
{
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) < 0 ? -errno : 0;
}

/* The commands persona gives: all but rseq's, if the host has GLOBAL. */
static int query(void)
{
	int all = MEMBARRIER_CMD_GLOBAL | MEMBARRIER_CMD_GLOBAL_EXPEDITED |
		  MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED | MEMBARRIER_CMD_PRIVATE_EXPEDITED |
		  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED |
		  MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE |
		  MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE | CMD_GET_REGISTRATIONS;
	static int host = -1;
	if (host < 0)
		host = (int)syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
	return host >= 0 && (host & MEMBARRIER_CMD_GLOBAL) ? all : CMD_GET_REGISTRATIONS;
}

static long register_cmd(struct mm *mm, int ready, int set)
{
	mm->membarrier_state |= set | ready;
	return 0;
}

static long private_expedited(struct mm *mm, int ready)
{
	return mm->membarrier_state & ready ? host_barrier() : -EPERM;
}

static long registrations(struct mm *mm)
{
	int s = mm->membarrier_state, m = 0;
	if (s & (GLOBAL | GLOBAL_READY))
		m |= MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED;
	if (s & (PRIVATE | PRIVATE_READY))
		m |= MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED;
	if (s & (SYNC_CORE | SYNC_CORE_READY))
		m |= MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE;
	return m;
}

long sys_membarrier(struct task *t, const struct sysargs *a)
{
	struct mm *mm = t->proc->mm;
	int cmd = (int)a->a[0];
	unsigned flags = (unsigned)a->a[1];
	if (flags && !(cmd == MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ && flags == MEMBARRIER_CMD_FLAG_CPU))
		return -EINVAL;
	if (cmd == MEMBARRIER_CMD_QUERY)
		return query();
	/* Exactly one bit, and one on offer (rseq's never are). */
	if (cmd < 0 || (cmd & (cmd - 1)) || !(query() & cmd))
		return -EINVAL;
	switch (cmd) {
	case CMD_GET_REGISTRATIONS:
		return registrations(mm);
	case MEMBARRIER_CMD_GLOBAL:
	case MEMBARRIER_CMD_GLOBAL_EXPEDITED:
		return host_barrier();
	case MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED:
		return register_cmd(mm, GLOBAL_READY, GLOBAL);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED:
		return register_cmd(mm, PRIVATE_READY, PRIVATE);
	case MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE:
		/* Linux marks the plain private registration as asked for
		 * (GET_REGISTRATIONS shows it) but not ready (EPERM). */
		return register_cmd(mm, SYNC_CORE_READY, SYNC_CORE | PRIVATE);
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED:
		return private_expedited(mm, PRIVATE_READY);
	case MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE:
		return private_expedited(mm, SYNC_CORE_READY);
	}
	return -EINVAL;
}
