/* x86_64 system call ABI: where the number, arguments and result live. */
#pragma once
#include <sys/user.h>
#include <stdint.h>

struct cpu_regs { struct user_regs_struct r; };

/* The 64-bit user code and stack segments (Linux's __USER_CS, __USER_DS). */
#define USER_CS	0x33
#define USER_DS	0x2b

static inline long regs_sysno(const struct cpu_regs *c) { return (long)c->r.orig_rax; }
static inline uint64_t regs_arg(const struct cpu_regs *c, int i)
{
	switch (i) {
	case 0: return c->r.rdi;
	case 1: return c->r.rsi;
	case 2: return c->r.rdx;
	case 3: return c->r.r10;
	case 4: return c->r.r8;
	default: return c->r.r9;
	}
}
static inline void regs_set_ret(struct cpu_regs *c, long v) { c->r.rax = (uint64_t)v; }
static inline long regs_ret(const struct cpu_regs *c) { return (long)c->r.rax; }
static inline uint64_t regs_ip(const struct cpu_regs *c) { return c->r.rip; }
static inline uint64_t regs_sp(const struct cpu_regs *c) { return c->r.rsp; }
/* Registers for a freshly exec'd program: only ip and sp matter, the rest
 * are zero as Linux leaves them (rdx = 0 means no atexit function). */
void regs_init_exec(struct cpu_regs *c, uint64_t ip, uint64_t sp);

#define ARCH_NAME "x86_64"
#define ELF_MACHINE_NATIVE 62	/* EM_X86_64 */
