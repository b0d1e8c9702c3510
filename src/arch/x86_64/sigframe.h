/* The x86_64 signal frame, as Linux lays it out on the user stack
 * (arch/x86/include/uapi/asm/sigcontext.h and ucontext.h). */
#pragma once
#include <stdint.h>
#include <signal.h>

struct k_sigcontext {
	uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
	uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	uint16_t cs, gs, fs, ss;
	uint64_t err, trapno, oldmask, cr2;
	uint64_t fpstate;	/* guest pointer to the XSAVE area */
	uint64_t reserved1[8];
};

struct k_stack { uint64_t ss_sp; int32_t ss_flags; int32_t pad; uint64_t ss_size; };

struct k_ucontext {
	uint64_t uc_flags;
	uint64_t uc_link;
	struct k_stack uc_stack;
	struct k_sigcontext uc_mcontext;
	uint64_t uc_sigmask;
};

struct rt_sigframe {
	uint64_t pretcode;	/* the restorer: handlers return into it */
	struct k_ucontext uc;
	siginfo_t info;
	/* the XSAVE area follows, 64-byte aligned */
};

#define UC_FP_XSTATE		0x1
#define UC_SIGCONTEXT_SS	0x2
#define UC_STRICT_RESTORE_SS	0x4
#define FP_XSTATE_MAGIC2	0x46505845U

_Static_assert(sizeof(struct k_sigcontext) == 256, "sigcontext is 256 bytes");
_Static_assert(sizeof(struct k_ucontext) == 304, "ucontext is 304 bytes");
_Static_assert(sizeof(siginfo_t) == 128, "siginfo is 128 bytes");
