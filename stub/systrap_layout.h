/* The systrap stub's memory, shared between the stub (systrap_stub.c) and
 * the kernel (src/platform/systrap.c). Freestanding: both sides build it.
 *
 * Each guest address space has one shared region, a memfd the kernel maps
 * too: a header area, then one area per host thread. An area holds the
 * thread's slot (the call and answer hand-over) and its signal stack, on
 * which the host kernel writes the frame of each trap; the kernel reads and
 * writes the guest's registers in that frame in place. Everything here is
 * guest-writable: the kernel checks what it reads, and a guest that writes
 * here can only make the kernel answer its own calls wrongly. */
#pragma once
#include <stdint.h>

#define ST_TEXT		0x7fe000000000UL	/* the stub's code (and data) */
#define ST_TEXT_SIZE	0x10000UL		/* text the filter trusts */
#define ST_FORK_STACK	0x7fe000020000UL	/* top of a forked child's first stack */
#define ST_REGION	0x7fe000100000UL
#define ST_AREA_SIZE	0x10000UL
#define ST_MAX_THREADS	1023
#define ST_REGION_SIZE	((ST_MAX_THREADS + 1) * ST_AREA_SIZE)
/* Area i (thread slot i); the header is "area -1". */
#define ST_AREA(i)	(ST_REGION + ((uint64_t)(i) + 1) * ST_AREA_SIZE)
#define ST_STACK_OFF	0x1000UL	/* the signal stack: the rest of the area */
#define ST_SCRATCH_OFF	0x800UL		/* in the slot page: the kernel's scratch */
/* A frame the stub makes itself, to enter guest code the first time (a new
 * process or thread): its ucontext and its XSAVE area, at the bottom of the
 * signal stack, clear of the C frames at the top. */
#define ST_FAKE_UC_OFF	0x1000UL
#define ST_FAKE_FP_OFF	0x1400UL
#define ST_FAKE_FP_MAX	0x6000UL

/* The fds a stub process holds: its control socket, its kick eventfd,
 * and at start only, its region and the stub image. */
#define ST_CTL_FD	3
#define ST_KICK_FD	4
#define ST_REGION_FD	5

/* The host signal the kernel sends to stop a running thread. */
#define ST_KICK_SIG	12	/* SIGUSR2 */

/* slot.state, the futex word of the hand-over */
#define ST_RUNNING	0	/* guest code runs (or the stub, on its way) */
#define ST_EVENT	1	/* the stub posted an event and waits */
#define ST_REPLY	2	/* the kernel answered */

/* slot.event */
#define ST_EV_SYSCALL	1	/* a trapped system call (SIGSYS) */
#define ST_EV_SIGNAL	2	/* a fault, or another host signal */
#define ST_EV_KICK	3	/* the kernel's interrupt arrived */
#define ST_EV_READY	4	/* a new thread or process, before its first guest code */
#define ST_EV_DONE	5	/* a host call the kernel asked for is done */

/* slot.req */
#define ST_REQ_RESUME	1	/* back to guest code with the frame's registers */
#define ST_REQ_SYSCALL	2	/* run host call nr(args), then ST_EV_DONE */
#define ST_REQ_CLONE	3	/* args: host clone flags, the child's slot */
#define ST_REQ_EXIT	4	/* end this host thread */
/* Take the newest fd off the control socket, mmap it with args (addr, len,
 * prot, flags, offset), close it: one hand-over for a file mapping. */
#define ST_REQ_MAPFD	5

/* Patched system calls. The kernel may rewrite a guest's `mov $nr, %eax;
 * syscall` (b8 imm32 0f 05, 7 bytes, in private file text) into `jmp
 * *ENTRY_PTR` (ff 24 25 imm32), where ENTRY_PTR is a word of the patch
 * table, a read-only shared mapping of the kernel's at a fixed address
 * under 2 GiB. The word points at the site's entry there:
 *
 *	mov %gs:0, %r11; check it is an area of the region, else go to slow
 *	movabs $return, %rcx; mov $nr, %eax; jmp *ST_FAST_ENTRY
 *   slow:	mov $nr, %eax; syscall	(a trap; the kernel moves rip to `return`)
 *
 * The host %gs base of every thread is its area (a guest that sets its
 * own %gs takes the slow way), whose first word points at itself. The
 * fast entry (the first code of the stub) saves the registers into a
 * frame of the stub's own, as a trap would have them (rcx the return
 * address, r11 the flags), and posts the call in the slot as a trap does,
 * without the host kernel's signal delivery and return: the kernel sees
 * the same event either way. */
#define ST_PATCH_BASE	0x70000000UL	/* the table: one word per site */
#define ST_PATCH_SITES	8192
#define ST_PATCH_ENTRIES (ST_PATCH_BASE + ST_PATCH_SITES * 8)	/* then the entries */
#define ST_PATCH_ENTRY_SIZE 64
#define ST_PATCH_SIZE	(ST_PATCH_SITES * (8 + ST_PATCH_ENTRY_SIZE))
#define ST_FAST_ENTRY	ST_TEXT		/* the stub's first code (systrap.lds) */
/* In an entry: the %gs load (which faults if the guest's own %gs base
 * points at nothing: the stub then takes the slow way) and the slow
 * way's syscall instruction. */
#define ST_PATCH_GS_OFF	5
#define ST_PATCH_SLOW_OFF 57
/* The si_errno of the siginfo a call from the fast entry posts (a trap's
 * is 0): the kernel finds its site by its return address. */
#define ST_SI_PATCHED	1

struct st_slot {
	uint64_t self;				/* the area's address: %gs:0 (see below) */
	volatile uint32_t state;
	volatile uint32_t stub_sleeping;	/* the stub waits on state (futex) */
	volatile uint32_t kernel_waiting;	/* the kernel waits on state (futex) */
	volatile uint32_t long_wait;		/* the answer will take a while: sleep */
	uint32_t event, req;
	uint64_t uc;				/* the frame's ucontext */
	int64_t nr, args[6], result;
	uint64_t fs_base, gs_base;
	uint32_t set_fs, set_gs;
	uint8_t siginfo[128];
	/* A call from a patched site (below) is under way in the stub: a
	 * kick then waits for its end (kick_pending). */
	volatile uint32_t in_fast, kick_pending;
	uint64_t fast_rip;			/* where that call returns */
	uint64_t spin;				/* the stub's spin now (TSC; 0: the most) */
};

struct st_header {
	volatile uint32_t kernel_sleeping;	/* post a kick on the eventfd */
	uint32_t filter_len;			/* the stub's seccomp program */
	uint32_t xstate_size;			/* XSAVE: this machine's area size */
	uint32_t pad;
	uint64_t xfeatures;			/* and the features it holds (XCR0) */
	uint64_t spin_cycles;			/* how long the stub spins (TSC) */
	uint64_t filter[512];			/* struct sock_filter, 8 bytes each */
};
