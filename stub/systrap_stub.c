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
	 * a futex sleep and wake-up costs far more than that. */
	uint64_t start = __builtin_ia32_rdtsc(), spin = header()->spin_cycles;
	while (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != ST_REPLY) {
		if (s->long_wait || __builtin_ia32_rdtsc() - start > spin) {
			s->stub_sleeping = 1;
			__atomic_thread_fence(__ATOMIC_SEQ_CST);
			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != ST_REPLY)
				sys6(__NR_futex, (long)&s->state, FUTEX_WAIT, ST_EVENT, 0, 0, 0);
			s->stub_sleeping = 0;
			continue;
		}
		__builtin_ia32_pause();
	}
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

/* The handler of every trap and fault, on the thread's signal stack. */
static void handler(int sig, void *info, void *ucv)
{
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	if (sp < ST_AREA(0) || sp >= ST_AREA(ST_MAX_THREADS))
		die();	/* not on a signal stack of ours */
	struct st_slot *s = slot_of((long)((sp - ST_REGION) / ST_AREA_SIZE) - 1);
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
