/* Where the guest-side stub lives in every guest address space. The kernel
 * and the stub's linker script both read these, so they cannot disagree.
 * The address is high, below the host's stack and vDSO region, where
 * ordinary programs never ask for memory. */
#pragma once
#define STUB_BASE	0x7fe000000000UL
#define STUB_TEXT	STUB_BASE		/* one page: the gadgets */
#define STUB_SCRATCH	(STUB_BASE + 0x1000UL)	/* one page: kernel scratch */
#define STUB_SIZE	0x2000UL
/* "syscall; int3": the kernel runs a host system call inside a guest
 * process by pointing rip here and letting it run to the trap. */
#define STUB_SYSCALL_GADGET	(STUB_TEXT + 0x0)
/* The host fd (inside every guest process) of its own control socket, over
 * which the kernel passes host fds for file-backed mappings. */
#define STUB_CTL_FD	3
