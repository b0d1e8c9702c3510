/* The platform: how the kernel runs guest threads and traps their system
 * calls and faults. Everything outside platform/ talks to guests through
 * this interface only. There are two (`persona run --platform=NAME`):
 * systrap (systrap.c, the default where the host allows it: seccomp traps
 * answered through shared memory in the guest's own thread) and ptrace
 * (ptrace.c: PTRACE_SYSEMU, the fallback). A guest thread is named by its
 * host thread id. */
#pragma once
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include "arch.h"

enum plat_event_kind {
	PEV_SYSCALL,	/* the thread made a system call; it is stopped */
	PEV_SIGNAL,	/* the host would deliver signal `sig` (a fault) */
	PEV_EXITED,	/* the host thread is gone; `status` as from waitpid */
	PEV_NEWTHREAD,	/* an injected clone made `new_tid` */
	PEV_INTERRUPTED,/* stopped by plat_interrupt(); it is stopped */
};

struct plat_event {
	enum plat_event_kind kind;
	int tid;
	int sig;
	int status;
	int new_tid;
	siginfo_t si;
	/* PEV_SYSCALL: the thread's registers, and whether the call was made
	 * into the 32-bit (ia32) table rather than the x86_64 one. */
	struct cpu_regs regs;
	bool compat;
	bool patched;	/* made through a patched site's fast entry */
};

/* Chooses the platform by name before plat_init(): 0, or -1 when there is
 * no such platform or the host does not allow it (NULL: the default). */
int plat_select(const char *name);
const char *plat_name(void);
/* The platform names, for --help. */
extern const char plat_names[];

/* Sets up the platform; returns an fd that becomes readable when events
 * may be pending (for the kernel's event loop). */
int plat_init(void);
/* The kernel's loop calls this when that fd was readable. */
void plat_fd_ready(void);
/* Before the kernel sleeps: waits a short while for guest events, true
 * when some came (then the kernel handles them instead of sleeping). */
bool plat_spin(void);
/* Around the kernel's sleep: plat_sleep_begin() false means an event came
 * in the meantime and the kernel must not sleep. */
bool plat_sleep_begin(void);
void plat_sleep_end(void);
/* Takes the next pending event without blocking: 1 if one, 0 if none. */
int plat_next_event(struct plat_event *ev);
/* Starts a new, empty guest process stopped at the stub. */
int plat_spawn(int *tid);

int plat_get_regs(int tid, struct cpu_regs *r);
int plat_set_regs(int tid, const struct cpu_regs *r);
/* Lets a stopped thread run until its next system call or fault. */
int plat_resume(int tid);
void plat_kill(int tid);
/* Makes a running thread stop soon with a PEV_INTERRUPTED event (if it
 * stops for something else first, the interrupt comes after that). */
void plat_interrupt(int tid);
/* The thread's floating-point and vector state in the XSAVE layout the
 * x86_64 signal frame uses; the size is fixed for the machine. */
size_t plat_fpstate_size(void);
int plat_get_fpstate(int tid, void *buf);
int plat_set_fpstate(int tid, const void *buf);
/* Whether the kernel may patch guest system call sites into calls of the
 * stub's fast entry (systrap_layout.h: where the table and its entries
 * go); PERSONA_PATCH=0 says no. */
bool plat_patchable(void);

/* The initial floating-point state, as a new program starts with. */
void plat_fpstate_init(void *buf);
int plat_reset_fpstate(int tid);

/* Runs host system call `nr` inside the (stopped) guest process of `tid`
 * and returns its result (-errno on failure). The thread's registers are
 * preserved. */
long plat_host_syscall(int tid, long nr, long a0, long a1, long a2, long a3, long a4, long a5);
/* Clones the (stopped) guest thread `tid` on the host with `host_flags`
 * (CLONE_VM, CLONE_THREAD, ... and the exit signal) and returns the new
 * host thread in *child, stopped, its registers a copy of the parent's. */
int plat_clone(int tid, unsigned long host_flags, int *child);
/* A new host process takes over from an old one (exec): it gets what the
 * host keeps per thread and the guest set, such as CPU affinity. */
void plat_inherit(int from_tid, int to_tid);
/* Ends one host thread of a guest process (the others live on). */
void plat_exit_thread(int tid);
/* Reads the host's accounting of a guest process: user and system time
 * in clock ticks, peak resident size in KiB (maxrss_kb may be NULL). */
void plat_usage(int tid, uint64_t *utime, uint64_t *stime, uint64_t *maxrss_kb);

/* Maps host fd `fd` of the kernel into the guest process of `tid` (host
 * mmap with the other arguments), the fd there for the call only; returns
 * mmap's result. */
long plat_map_fd(int tid, int fd, uint64_t addr, size_t len, int prot, int flags, uint64_t off);

/* Guest memory access; returns bytes copied or -EFAULT. Partial copies
 * stop at the first unmapped page. */
long plat_read_mem(int tid, void *dst, uint64_t src, size_t n);
long plat_write_mem(int tid, uint64_t dst, const void *src, size_t n);
/* The host's view (as /proc/tid/maps) of the address space of a guest
 * process plat_spawn() just made, before any guest code ran in it. */
int plat_maps_fd(int tid);
