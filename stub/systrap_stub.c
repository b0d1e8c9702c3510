/* The systrap stub: the first code of every guest process under the systrap
 * platform, and the host-side handler of each of its threads.
 *
 * A seccomp filter (built by the kernel, installed here at start) makes
 * every system call from outside this stub's text a SIGSYS; faults are host
 * signals too. The handler, on the thread's own signal stack in the region
 * the kernel shares (systrap_layout.h), posts the event in the thread's
 * slot, waits for the answer (a short spin, then a futex), and returns into
 * guest code through the frame the kernel may have rewritten. The kernel
 * can also ask for host calls to be made here (mmap and friends, clone,
 * exit), which is how it shapes the guest address space.
 *
 * No libc, no TLS (the guest owns %fs), no SSE (-mgeneral-regs-only), no
 * globals: the same code runs in every thread and in forked children. */
#pragma GCC visibility push(hidden)
#include "systrap_layout.h"
#include "sigframe.h"
#include <stdbool.h>
#include <stddef.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <asm/prctl.h>
#include <asm/unistd.h>

#define SA_SIGINFO_	4
#define SA_ONSTACK_	0x08000000
#define SA_RESTORER_	0x04000000
#define SIG_IGN_	1
#define PR_SET_PDEATHSIG_ 1

struct k_sigaction_ {
	void *handler;
	unsigned long flags;
	void *restorer;
	uint64_t mask;
};

static inline long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long ret;
	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}
#define sys3(nr, a, b, c) sys6(nr, (long)(a), (long)(b), (long)(c), 0, 0, 0)

/* Defined in assembly below. */
void stub_restorer(void);
void stub_sigreturn(struct k_ucontext *uc) __attribute__((noreturn));
void stub_switch_stack(uint64_t sp, void (*fn)(long), long arg) __attribute__((noreturn));
long stub_clone(unsigned long flags, uint64_t stack, long idx);

static struct st_header *header(void) { return (struct st_header *)ST_REGION; }
static struct st_slot *slot_of(long idx) { return (struct st_slot *)ST_AREA(idx); }

static void *memset_(void *d, int c, size_t n)
{
	volatile char *p = d;
	while (n--)
		*p++ = (char)c;
	return d;
}

static void die(void)
{
	for (;;)
		sys3(__NR_exit_group, 127, 0, 0);
}

/* Posts the slot's event and waits for the kernel's answer. */
static void post_and_wait(struct st_slot *s)
{
	__atomic_store_n(&s->state, ST_EVENT, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (s->kernel_waiting)
		sys6(__NR_futex, (long)&s->state, FUTEX_WAKE, 1, 0, 0, 0);
	if (header()->kernel_sleeping) {
		uint64_t one = 1;
		sys3(__NR_write, ST_KICK_FD, &one, 8);
	}
	/* Spin first: the kernel usually answers within microseconds, and
	 * a futex sleep and wake-up costs far more than that. But a spin that
	 * keeps running out (more runnable threads than CPUs: other guests,
	 * other sandboxes) only takes the CPU from whoever would answer: it
	 * halves each time it runs out and doubles when an answer comes in
	 * time, as the kernel's own spin does. */
	uint64_t most = header()->spin_cycles, spin = s->spin && s->spin < most ? s->spin : most;
	uint64_t start = __builtin_ia32_rdtsc();
	bool slept = false;
	while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != ST_REPLY) {
		if (s->long_wait || __builtin_ia32_rdtsc() - start > spin) {
			slept |= !s->long_wait;
			s->stub_sleeping = 1;
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != ST_REPLY)
				sys6(__NR_futex, (long)&s->state, FUTEX_WAIT, ST_EVENT, 0, 0, 0);
			s->stub_sleeping = 0;
			continue;
		}
		__builtin_ia32_pause();
	}
	s->spin = slept ? (spin / 2 > most / 64 ? spin / 2 : most / 64) : 2 * spin;
}

static long map_sent_fd(const int64_t *a);

/* The event loop of one trap: returns when the kernel says resume. */
static void serve(struct st_slot *s, uint32_t event)
{
	for (;;) {
		s->event = event;
		post_and_wait(s);
		switch (s->req) {
		case ST_REQ_RESUME:
			if (s->set_fs) {
				s->set_fs = 0;
				sys3(__NR_arch_prctl, ARCH_SET_FS, s->fs_base, 0);
			}
			if (s->set_gs) {
				s->set_gs = 0;
				sys3(__NR_arch_prctl, ARCH_SET_GS, s->gs_base, 0);
			}
			__atomic_store_n(&s->state, ST_RUNNING, __ATOMIC_RELEASE);
			return;
		case ST_REQ_SYSCALL:
			s->result = sys6(s->nr, s->args[0], s->args[1], s->args[2],
					 s->args[3], s->args[4], s->args[5]);
			break;
		case ST_REQ_CLONE: {
			unsigned long flags = (unsigned long)s->args[0];
			long idx = s->args[1];
			uint64_t stack = (flags & 0x100 /* CLONE_VM */) ?
					 ST_AREA(idx) + ST_AREA_SIZE : ST_FORK_STACK;
			s->result = stub_clone(flags, stack, idx);
			break;
		}
		case ST_REQ_MAPFD:
			s->result = map_sent_fd(s->args);
			break;
		case ST_REQ_EXIT:
			for (;;)
				sys3(__NR_exit, 0, 0, 0);
		default:
			s->result = -22;
		}
		event = ST_EV_DONE;
	}
}

/* ---- calls from patched sites (systrap_layout.h) ---- */

/* Defined in assembly below: the two ways back to guest code from a
 * patched call, each first looking for a kick that came meanwhile. */
void stub_fast_tail_user(uint64_t area) __attribute__((noreturn));
void stub_fast_tail_user_end(void);
void stub_fast_tail_sig(uint64_t area) __attribute__((noreturn));
void stub_fast_tail_sig_end(void);

static struct k_ucontext *fake_uc(uint64_t area) { return (struct k_ucontext *)(area + ST_FAKE_UC_OFF); }
static char *fake_fp(uint64_t area) { return (char *)(area + ST_FAKE_FP_OFF); }

static void xsave(char *fp)
{
	__asm__ volatile("xsave64 (%0)" : : "r"(fp), "a"(-1), "d"(-1) : "memory");
}

static void xrstor(const char *fp)
{
	__asm__ volatile("xrstor64 (%0)" : : "r"(fp), "a"(-1), "d"(-1) : "memory");
}

/* Back to guest code with the frame's state, once the kernel has seen
 * every kick that came during the call. A plain return (the call's own
 * return address, rcx as a system call leaves it) restores the registers
 * here; anything else (a signal handler, a sigreturn, a new program) goes
 * through the host's rt_sigreturn, which restores every bit. */
__attribute__((noreturn, used)) void stub_fast_return(uint64_t area)
{
	struct st_slot *s = (struct st_slot *)area;
	struct k_sigcontext *mc = &fake_uc(area)->uc_mcontext;
	char *fp = fake_fp(area);
	while (s->kick_pending) {
		s->kick_pending = 0;
		s->uc = (uint64_t)fake_uc(area);
		serve(s, ST_EV_KICK);
	}
	if (mc->rip == s->fast_rip && mc->rcx == mc->rip) {
		xrstor(fp);
		stub_fast_tail_user(area);
	}
	/* The software bytes of the frame's XSAVE area (Linux's
	 * fpx_sw_bytes), which the host's rt_sigreturn reads. */
	uint32_t n = header()->xstate_size;
	uint32_t *sw = (uint32_t *)(fp + 464);
	sw[0] = 0x46505853U;	/* FP_XSTATE_MAGIC1 */
	sw[1] = n + 4;
	*(uint64_t *)&sw[2] = header()->xfeatures;
	sw[4] = n;
	*(uint32_t *)(fp + n) = FP_XSTATE_MAGIC2;
	stub_fast_tail_sig(area);
}

/* From the fast entry: the registers are in the frame; the call goes to
 * the kernel as a trapped one would. */
__attribute__((noreturn, used)) void stub_fast_call(uint64_t area)
{
	struct st_slot *s = (struct st_slot *)area;
	struct k_ucontext *uc = fake_uc(area);
	char *fp = fake_fp(area);
	xsave(fp);
	uc->uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	uc->uc_link = 0;
	uc->uc_stack.ss_sp = area + ST_STACK_OFF;
	uc->uc_stack.ss_flags = 0;
	uc->uc_stack.ss_size = ST_AREA_SIZE - ST_STACK_OFF;
	uc->uc_mcontext.cs = 0x33;
	uc->uc_mcontext.ss = 0x2b;
	uc->uc_mcontext.fs = uc->uc_mcontext.gs = 0;
	uc->uc_mcontext.err = uc->uc_mcontext.trapno = uc->uc_mcontext.oldmask = 0;
	uc->uc_mcontext.cr2 = 0;
	uc->uc_mcontext.fpstate = (uint64_t)fp;
	uc->uc_sigmask = 0;
	/* siginfo as seccomp's SIGSYS has it: signo, code SYS_SECCOMP, the
	 * call's address, its number, the audit arch */
	memset_(s->siginfo, 0, sizeof(s->siginfo));
	*(int *)(s->siginfo + 0) = 31;
	*(int *)(s->siginfo + 4) = ST_SI_PATCHED;
	*(int *)(s->siginfo + 8) = 1;
	*(uint64_t *)(s->siginfo + 16) = uc->uc_mcontext.rip;
	*(int *)(s->siginfo + 24) = (int)uc->uc_mcontext.rax;
	*(uint32_t *)(s->siginfo + 28) = 0xc000003eU;	/* AUDIT_ARCH_X86_64 */
	s->uc = (uint64_t)uc;
	serve(s, ST_EV_SYSCALL);
	stub_fast_return(area);
}

static bool in_range(uint64_t rip, void (*from)(), void (*to)())
{
	return rip >= (uint64_t)from && rip < (uint64_t)to;
}

/* A kick that found its thread in the stub outside a handler, which
 * only a patched call's way through it does (handlers run with every host
 * signal blocked): false if the call goes on and sees it at its end;
 * true with the frame made the guest's when the thread was already on
 * its way back (the tails), so that the kick goes to the kernel at once. */
static bool fast_kick(struct st_slot *s, struct k_ucontext *hc)
{
	uint64_t area = (uint64_t)s, rip = hc->uc_mcontext.rip;
	bool user = in_range(rip, (void (*)())stub_fast_tail_user, stub_fast_tail_user_end);
	bool sig = in_range(rip, (void (*)())stub_fast_tail_sig, stub_fast_tail_sig_end);
	if (!user && !sig) {
		s->kick_pending = 1;
		return false;
	}
	/* r8 ... rip, eflags: the first 18 words of the context */
	const uint64_t *from = (const uint64_t *)&fake_uc(area)->uc_mcontext;
	uint64_t *to = (uint64_t *)&hc->uc_mcontext;
	for (int i = 0; i < 18; i++)
		to[i] = from[i];
	if (sig) {	/* the frame's XSAVE area is not restored yet */
		const char *f = fake_fp(area);
		char *t = (char *)hc->uc_mcontext.fpstate;
		for (uint32_t i = 0; i < header()->xstate_size; i++)
			t[i] = f[i];
	}
	s->kick_pending = 0;
	return true;
}

/* The handler of every trap and fault, on the thread's signal stack. */
static void handler(int sig, void *info, void *ucv)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	if (sp < ST_AREA(0) || sp >= ST_AREA(ST_MAX_THREADS))
		die();	/* not on a signal stack of ours */
	struct st_slot *s = slot_of((long)((sp - ST_REGION) / ST_AREA_SIZE) - 1);
	struct k_ucontext *hc = ucv;
	uint64_t rip = hc->uc_mcontext.rip;
	if (sig == ST_KICK_SIG && rip >= ST_TEXT && rip < ST_TEXT + ST_TEXT_SIZE && !fast_kick(s, hc))
		return;
	if (sig == 11 && rip >= ST_PATCH_ENTRIES && rip < ST_PATCH_BASE + ST_PATCH_SIZE &&
	    (rip - ST_PATCH_ENTRIES) % ST_PATCH_ENTRY_SIZE == ST_PATCH_GS_OFF) {
		/* An entry's %gs load faulted: the guest's %gs base points at
		 * nothing, which is its right. The call takes the slow way. */
		hc->uc_mcontext.rip += ST_PATCH_SLOW_OFF - ST_PATCH_GS_OFF;
		return;
	}
	const uint8_t *si = info;
	for (int i = 0; i < 128; i++)
		s->siginfo[i] = si[i];
	s->uc = (uint64_t)ucv;
	int code = *(const int *)(si + 8);
	serve(s, sig == 31 && code == 1 /* SYS_SECCOMP */ ? ST_EV_SYSCALL :
		 sig == ST_KICK_SIG ? ST_EV_KICK : ST_EV_SIGNAL);
}

/* A new thread or process enters guest code the first time through a frame
 * of its own, with every host signal blocked until its sigreturn. */
static void child_start(long idx)
{
	uint64_t area = ST_AREA(idx);
	struct k_stack ss = { area + ST_STACK_OFF, 0, 0, ST_AREA_SIZE - ST_STACK_OFF };
	sys3(__NR_sigaltstack, &ss, 0, 0);	/* a forked child has it already */
	struct st_slot *s = slot_of(idx);
	/* %gs:0 is the area, for patched calls (the kernel moves %gs to the
	 * guest's own if it sets one). */
	s->self = area;
	sys3(__NR_arch_prctl, ARCH_SET_GS, area, 0);
	struct k_ucontext *uc = (struct k_ucontext *)(area + ST_FAKE_UC_OFF);
	memset_(uc, 0, sizeof(*uc));
	uc->uc_flags = UC_FP_XSTATE | UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	uc->uc_mcontext.cs = 0x33;
	uc->uc_mcontext.ss = 0x2b;
	memset_(s->siginfo, 0, sizeof(s->siginfo));
	s->uc = (uint64_t)uc;
	serve(s, ST_EV_READY);
	stub_sigreturn(uc);
}

/* Receives one message of up to `max` fds from the control socket; returns
 * how many came, or -1. */
static int recv_fds(int *fds, int max, int flags)
{
	union { char buf[64]; uint64_t align; } ctl;
	char byte;
	struct { void *base; size_t len; } iov = { &byte, 1 };
	struct {
		void *name; int namelen; void *iov; size_t iovlen;
		void *control; size_t controllen; int flags;
	} mh = { 0, 0, &iov, 1, ctl.buf, sizeof(ctl.buf), 0 };
	if (sys3(__NR_recvmsg, ST_CTL_FD, &mh, flags | 0x40000000 /* MSG_CMSG_CLOEXEC */) != 1)
		return -1;
	const uint64_t *len = (const uint64_t *)ctl.buf;
	const int *lvl = (const int *)(ctl.buf + 8);
	if (mh.controllen < 16 || *len < 16 || *len > sizeof(ctl.buf) || lvl[0] != 1 || lvl[1] != 1)
		return -1;	/* not SOL_SOCKET, SCM_RIGHTS */
	int n = (int)((*len - 16) / 4);
	for (int i = 0; i < n; i++) {
		int fd = ((const int *)(ctl.buf + 16))[i];
		if (i < max)
			fds[i] = fd;
		else
			sys3(__NR_close, fd, 0, 0);
	}
	return n < max ? n : max;
}

/* ST_REQ_MAPFD: the newest fd sent (an older one left behind by a failed
 * receive is closed), mapped, closed. */
static long map_sent_fd(const int64_t *a)
{
	int fd = -1, got;
	while (recv_fds(&got, 1, 0x40 /* MSG_DONTWAIT */) == 1) {
		if (fd >= 0)
			sys3(__NR_close, fd, 0, 0);
		fd = got;
	}
	if (fd < 0)
		return -9;	/* EBADF */
	long r = sys6(__NR_mmap, a[0], a[1], a[2], a[3], fd, a[4]);
	sys3(__NR_close, fd, 0, 0);
	return r;
}

/* A forked child (clone without CLONE_VM) starts here on a private stack:
 * its region is still its parent's, so before touching it the child takes
 * its own region, control socket and eventfd, which the kernel sends it
 * over the control socket. */
static void fork_start(long idx)
{
	int fds[3];
	/* one message of three fds: region, socket, eventfd */
	if (recv_fds(fds, 3, 0) != 3)
		die();
	if (sys6(__NR_mmap, ST_REGION, ST_REGION_SIZE, 3 /* RW */, 0x11 /* SHARED|FIXED */,
		 fds[0], 0) != (long)ST_REGION)
		die();
	if (sys3(__NR_dup2, fds[1], ST_CTL_FD, 0) != ST_CTL_FD ||
	    sys3(__NR_dup2, fds[2], ST_KICK_FD, 0) != ST_KICK_FD)
		die();
	for (int i = 0; i < 3; i++)	/* new numbers: never 3 or 4 */
		sys3(__NR_close, fds[i], 0, 0);
	sys3(__NR_prctl, PR_SET_PDEATHSIG_, 9, 0);
	stub_switch_stack(ST_AREA(idx) + ST_AREA_SIZE, child_start, idx);
}

/* A child sharing its parent's memory (a thread, or vfork) starts on the
 * top of its own area's stack. */
static void vm_child_start(long idx)
{
	sys3(__NR_prctl, PR_SET_PDEATHSIG_, 9, 0);	/* a thread: harmless */
	child_start(idx);
}

/* The first code of a new stub process, on the host's initial stack, with
 * every host signal blocked (the kernel's spawn left them so). */
void stub_main(void)
{
	if (sys6(__NR_mmap, ST_REGION, ST_REGION_SIZE, 3, 0x11, ST_REGION_FD, 0) != (long)ST_REGION)
		die();
	sys3(__NR_close, ST_REGION_FD, 0, 0);
	for (int sig = 1; sig <= 64; sig++) {
		struct k_sigaction_ sa = { (void *)SIG_IGN_, SA_RESTORER_, stub_restorer, ~0ULL };
		if (sig == 9 || sig == 19)
			continue;
		if (sig == 4 || sig == 5 || sig == 7 || sig == 8 || sig == 11 || sig == 31 ||
		    sig == ST_KICK_SIG) {
			sa.handler = (void *)handler;
			sa.flags = SA_SIGINFO_ | SA_ONSTACK_ | SA_RESTORER_;
		}
		sys6(__NR_rt_sigaction, sig, (long)&sa, 0, 8, 0, 0);
	}
	struct { unsigned short len; void *filter; } prog = {
		(unsigned short)header()->filter_len, header()->filter
	};
	if (sys3(__NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) != 0)
		die();
	stub_switch_stack(ST_AREA(0) + ST_AREA_SIZE, child_start, 0);
}

/* The first stack of a forked child, private to it (see fork_start). */
static char fork_stack[0x10000] __attribute__((section(".bss.fork_stack"), aligned(4096), used));

/* Where stub_clone's child goes: a forked child, or one sharing memory. */
void (*const stub_child_entries[2])(long) = { fork_start, vm_child_start };

#define STR_(x) #x
#define STR(x) STR_(x)
#define UCM(f) STR(ST_FAKE_UC_OFF + 40 + f)	/* a field of the frame's context */
#define M_R8 0
#define M_R9 8
#define M_R10 16
#define M_R11 24
#define M_R12 32
#define M_R13 40
#define M_R14 48
#define M_R15 56
#define M_RDI 64
#define M_RSI 72
#define M_RBP 80
#define M_RBX 88
#define M_RDX 96
#define M_RAX 104
#define M_RCX 112
#define M_RSP 120
#define M_RIP 128
#define M_EFL 136
_Static_assert(offsetof(struct k_ucontext, uc_mcontext) == 40, "uc_mcontext at 40");
_Static_assert(offsetof(struct k_sigcontext, eflags) == M_EFL, "eflags");
_Static_assert(offsetof(struct k_sigcontext, rsp) == M_RSP, "rsp");
_Static_assert(offsetof(struct st_slot, self) == 0, "%gs:0 is the slot's self");
#define SLOT_KICK_PENDING STR(260)
#define SLOT_FAST_RIP STR(264)
_Static_assert(offsetof(struct st_slot, kick_pending) == 260, "kick_pending");
_Static_assert(offsetof(struct st_slot, fast_rip) == 264, "fast_rip");
#define SAVE(reg, f) "	mov %" #reg ", " UCM(f) "(%r11)\n"
#define LOAD(reg, f) "	mov " UCM(f) "(%rcx), %" #reg "\n"

/* The fast entry, from a patched site's entry: rcx the return address,
 * eax the call's number, r11 free (a system call clobbers rcx and r11),
 * the guest's stack untouched, its red zone too. */
__asm__(
	".section .text.fastcall, \"ax\"\n"
	".globl stub_fast_entry\n"
	"stub_fast_entry:\n"
	"	mov %gs:0, %r11\n"
	SAVE(rsp, M_RSP)
	"	lea " STR(ST_AREA_SIZE) "(%r11), %rsp\n"
	"	pushfq\n"
	"	popq " UCM(M_EFL) "(%r11)\n"
	SAVE(rcx, M_RIP) SAVE(rcx, M_RCX)
	"	mov %rcx, " SLOT_FAST_RIP "(%r11)\n"
	SAVE(rax, M_RAX) SAVE(rdi, M_RDI) SAVE(rsi, M_RSI) SAVE(rdx, M_RDX)
	SAVE(r10, M_R10) SAVE(r8, M_R8) SAVE(r9, M_R9) SAVE(rbx, M_RBX) SAVE(rbp, M_RBP)
	SAVE(r12, M_R12) SAVE(r13, M_R13) SAVE(r14, M_R14) SAVE(r15, M_R15)
	"	mov " UCM(M_EFL) "(%r11), %rax\n"	/* r11: the flags, as after syscall */
	SAVE(rax, M_R11)
	"	mov %r11, %rdi\n"
	"	call stub_fast_call\n"
	"	ud2\n"

	/* stub_fast_tail_user(area): registers from the frame, back to the
	 * return address; a kick from here on finds the frame complete. */
	".text\n"
	".globl stub_fast_tail_user\n"
	"stub_fast_tail_user:\n"
	"	cmpl $0, " SLOT_KICK_PENDING "(%rdi)\n"
	"	jne 1f\n"
	"	mov %rdi, %rcx\n"
	LOAD(r8, M_R8) LOAD(r9, M_R9) LOAD(r10, M_R10) LOAD(r11, M_R11) LOAD(r12, M_R12)
	LOAD(r13, M_R13) LOAD(r14, M_R14) LOAD(r15, M_R15) LOAD(rdi, M_RDI) LOAD(rsi, M_RSI)
	LOAD(rbp, M_RBP) LOAD(rbx, M_RBX) LOAD(rdx, M_RDX) LOAD(rax, M_RAX)
	"	pushq " UCM(M_EFL) "(%rcx)\n"
	"	popfq\n"
	LOAD(rsp, M_RSP)
	LOAD(rcx, M_RIP)
	"	jmp *%rcx\n"
	".globl stub_fast_tail_user_end\n"
	"stub_fast_tail_user_end:\n"
	"1:	lea " STR(ST_AREA_SIZE) "(%rdi), %rsp\n"
	"	call stub_fast_return\n"
	"	ud2\n"

	/* stub_fast_tail_sig(area): the host's rt_sigreturn of the frame */
	".globl stub_fast_tail_sig\n"
	"stub_fast_tail_sig:\n"
	"	cmpl $0, " SLOT_KICK_PENDING "(%rdi)\n"
	"	jne 1b\n"
	"	lea " STR(ST_FAKE_UC_OFF) "(%rdi), %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	".globl stub_fast_tail_sig_end\n"
	"stub_fast_tail_sig_end:\n"
	"	ud2\n"
);

__asm__(
	".text\n"
	".globl _start\n"
	"_start:\n"
	"	and $-16, %rsp\n"
	"	call stub_main\n"
	"	ud2\n"

	".globl stub_restorer\n"
	"stub_restorer:\n"
	"	mov $15, %eax\n"	/* rt_sigreturn */
	"	syscall\n"
	"	ud2\n"

	/* stub_sigreturn(uc): rt_sigreturn finds its frame 8 bytes below rsp */
	".globl stub_sigreturn\n"
	"stub_sigreturn:\n"
	"	mov %rdi, %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	ud2\n"

	/* stub_switch_stack(sp, fn, arg) */
	".globl stub_switch_stack\n"
	"stub_switch_stack:\n"
	"	mov %rdi, %rsp\n"
	"	and $-16, %rsp\n"
	"	mov %rdx, %rdi\n"
	"	call *%rsi\n"
	"	ud2\n"

	/* stub_clone(flags, stack, idx): the child calls the start routine
	 * for its kind with idx. */
	".globl stub_clone\n"
	"stub_clone:\n"
	"	push %r12\n"
	"	push %r13\n"
	"	mov %rdx, %r12\n"
	"	mov %rdi, %r13\n"
	"	mov $56, %eax\n"	/* clone(flags, stack, 0, 0, 0) */
	"	xor %edx, %edx\n"
	"	xor %r10d, %r10d\n"
	"	xor %r8d, %r8d\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jnz 1f\n"
	"	and $-16, %rsp\n"
	"	mov %r12, %rdi\n"
	"	test $0x100, %r13\n"	/* CLONE_VM */
	"	jz 2f\n"
	"	call *stub_child_entries+8(%rip)\n"
	"	ud2\n"
	"2:	call *stub_child_entries(%rip)\n"
	"	ud2\n"
	"1:	pop %r13\n"
	"	pop %r12\n"
	"	ret\n"
);
