/* What the platform's files share among themselves (never seen outside
 * platform/): the table each platform fills, and the parts they share. */
#pragma once
#include "common.h"
#include "platform.h"
#include <sys/user.h>

/* One platform: plat_* (platform.c) call through this table. */
struct platform {
	const char *name;
	/* Whether this host allows the platform at all. */
	bool (*available)(void);
	int (*init)(void);
	void (*fd_ready)(void);
	bool (*spin)(void);
	bool (*sleep_begin)(void);
	void (*sleep_end)(void);
	int (*next_event)(struct plat_event *ev);
	int (*spawn)(int *tid);
	int (*get_regs)(int tid, struct cpu_regs *r);
	int (*set_regs)(int tid, const struct cpu_regs *r);
	int (*resume)(int tid);
	void (*interrupt)(int tid);
	size_t (*fpstate_size)(void);
	int (*get_fpstate)(int tid, void *buf);
	int (*set_fpstate)(int tid, const void *buf);
	long (*host_syscall)(int tid, long nr, const long args[6]);
	int (*clone)(int tid, unsigned long host_flags, int *child);
	void (*exit_thread)(int tid);
	/* A page of guest memory, in the stub, the kernel may use as
	 * scratch for a host call made on behalf of thread `tid`. */
	uint64_t (*scratch)(int tid);
	/* The kernel's own pointer to that scratch, if it maps it (or NULL). */
	void *(*scratch_ptr)(int tid);
	/* Receives the fd just sent on the channel, maps it with args and
	 * closes it, in one go (or NULL: pass, map and close one by one). */
	long (*map_sent_fd)(int tid, const long args[6]);
	/* plat_maps_fd(), where the platform knows better than /proc. */
	int (*maps_fd)(int tid);
	/* Whether guest system calls may be patched (systrap_layout.h). */
	bool patchable;
};

extern const struct platform ptrace_platform, systrap_platform;

/* Whether a signal is one the guest's own code caused (a fault). */
bool plat_is_fault(const siginfo_t *si);
/* The XSAVE area size of this machine (CPUID), as signal frames use. */
size_t plat_xstate_size(void);

/* Per-process control channels (chan.c): the socket over which the kernel
 * passes host fds into one guest process (its fd STUB_CTL_FD). Every host
 * thread of a process names the same channel. */
void chan_add(int tid, int kfd);
void chan_drop(int tid);
void chan_share(int from_tid, int to_tid);
/* A child process that holds a copy of its parent's channel socket until
 * it first needs one of its own (vfork, posix_spawn). */
int chan_inherit(int parent_tid, int child_tid);
/* Gives that child its own channel now. */
int chan_make_own(int tid);
/* The kernel's end of `tid`'s channel, or -1. */
int chan_kfd(int tid);

/* Confinement (confine.c). */
int stub_confine(int tid);
/* The systrap stub's filter: guest calls trap, the stub's own calls from
 * its text are an allowlist; returns the number of instructions. */
unsigned stub_filter_systrap(void *ins, unsigned max);
void stub_namespaces_init(void);
void stub_enter_namespaces(void);
void stub_drop_privileges(void);

/* The stub's image in a memfd, for execveat. */
int stub_image_fd(const char *image, const char *end);
/* In a new stub process: fds[0..n-2] become fds 3, 4, ... for the stub,
 * fds[n-1] is its image; every other fd is closed, the privileges dropped
 * (confine.c), and the image executed. */
#define STUB_FIRST_FD 3
_Noreturn void stub_exec(int *fds, int n);
/* Blocks SIGCHLD and returns a signalfd for it: the host reports the ends
 * of guest processes (the kernel's children) there. */
int sigchld_fd_open(void);
/* persona's own pid (for kcmp), without a host call each time. */
int kernel_pid(void);
/* /proc/tid/maps, open. */
int proc_maps_fd(int tid);
/* The platform's scratch memory for `tid` (see struct platform). */
uint64_t plat_scratch(int tid);
void *plat_scratch_ptr(int tid);
bool plat_has_map_fd(void);
long plat_map_sent_fd(int tid, const long args[6]);

/* ptrace.c and gadget.c */
void ptrace_defer(const struct plat_event *ev);
long ptrace_host_syscall(int tid, long nr, const long args[6]);
int ptrace_clone(int tid, unsigned long host_flags, int *child);
void ptrace_exit_thread(int tid);
