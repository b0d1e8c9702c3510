/* fuzz.c: random system calls with hostile arguments, run as a guest of
 * persona (never natively: it would make them to the host kernel).
 *
 *   fuzz --seed S [--calls N] [--per-worker K] [--worker W] [--pick I,J..]
 *        [--log] [--ring]
 *
 * The parent forks workers one after another; worker W makes K calls, call I
 * drawn from a generator seeded by (S, W, I) alone, so any call can be made
 * again by itself (`--worker W --pick I`) and a run is replayed by its seed.
 * Workers run in a session of their own and in a fresh directory under the
 * guest's /tmp, get SIGALRM every few milliseconds so a blocked call ends,
 * and are killed by the parent when they stop making progress. The parent
 * is never a target: pids, kill(-1) and the shared log are kept off it.
 * Process calls (fork, vfork, clone, clone3, execve, exit, rt_sigreturn)
 * are made with children whose code touches no stack it doesn't own.
 *
 * The worker's loop uses no libc (raw system calls, no errno, no TLS), so
 * whatever a call does to brk, fs or the signal mask, the loop goes on.
 * The parent prints one line per worker and a summary; it exits 0 unless
 * persona misbehaved in a way the guest can see (a worker that outlives
 * SIGKILL); crashes and hangs of persona itself are judged by run.sh.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STUB		0x7fe000000000L	/* persona's stub: text, scratch */
#define SHARED		0x100000000L	/* the log ring, shared with the parent */
#define ARENA		0x200000000L	/* the workers' buffers */
#define ARENA_SIZE	0x40000L
#define PREP		(ARENA + 0x38000L)	/* structs built for one call */
#define RO_PAGE		(ARENA + 0x100000L)	/* read-only, random bytes */
#define HOLE		0x300000000L	/* never mapped by the fuzzer */
#define LOGFD		1000
#define RING		64
#define NSTACKS		8
#define STACK_SIZE	0x10000

/* ---- raw system calls: no errno, no TLS ---- */

static inline long sc6(long n, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d;
	register long r8 __asm__("r8") = e;
	register long r9 __asm__("r9") = f;
	long r;
	__asm__ volatile("syscall" : "=a"(r)
			 : "0"(n), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return r;
}
#define sc0(n) sc6(n, 0, 0, 0, 0, 0, 0)
#define sc1(n, a) sc6(n, (long)(a), 0, 0, 0, 0, 0)
#define sc2(n, a, b) sc6(n, (long)(a), (long)(b), 0, 0, 0, 0)
#define sc3(n, a, b, c) sc6(n, (long)(a), (long)(b), (long)(c), 0, 0, 0)
#define sc4(n, a, b, c, d) sc6(n, (long)(a), (long)(b), (long)(c), (long)(d), 0, 0)

/* What a clone child does first, from registers only (it may share the
 * parent's stack): 0 exit(a), 1 exit_group(a), 2 execve(a, b, c) then
 * exit_group(127), 3 SIGKILL itself, 4 call fn(act) (on its own stack). */
struct cact {
	long action, a, b, c;
	void (*fn)(struct cact *);
	uint64_t seed;
};
long fz_clone(long nr, long a1, long a2, long a3, long a4, long a5, struct cact *act);
void fz_restorer(void);
void fz_sigreturn(long frame);
void fz_landing(void);
__asm__(
	".text\n"
	".globl fz_clone\n"
	"fz_clone:\n"
	"	push %r12\n"
	"	mov 16(%rsp), %r12\n"
	"	mov %rdi, %rax\n"
	"	mov %rsi, %rdi\n"
	"	mov %rdx, %rsi\n"
	"	mov %rcx, %rdx\n"
	"	mov %r8, %r10\n"
	"	mov %r9, %r8\n"
	"	syscall\n"
	"	test %rax, %rax\n"
	"	jz 1f\n"
	"	pop %r12\n"
	"	ret\n"
	"1:	mov (%r12), %rcx\n"
	"	cmp $4, %rcx\n"
	"	je 4f\n"
	"	cmp $3, %rcx\n"
	"	je 3f\n"
	"	cmp $2, %rcx\n"
	"	je 2f\n"
	"	cmp $1, %rcx\n"
	"	je 5f\n"
	"	mov 8(%r12), %rdi\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"5:	mov 8(%r12), %rdi\n"
	"	mov $231, %eax\n"
	"	syscall\n"
	"2:	mov 8(%r12), %rdi\n"
	"	mov 16(%r12), %rsi\n"
	"	mov 24(%r12), %rdx\n"
	"	mov $59, %eax\n"
	"	syscall\n"
	"	mov $127, %edi\n"
	"	mov $231, %eax\n"
	"	syscall\n"
	"3:	mov $186, %eax\n"
	"	syscall\n"
	"	mov %rax, %rdi\n"
	"	mov $9, %esi\n"
	"	mov $200, %eax\n"
	"	syscall\n"
	"	mov $137, %edi\n"
	"	mov $231, %eax\n"
	"	syscall\n"
	"4:	and $-16, %rsp\n"
	"	mov %r12, %rdi\n"
	"	call *32(%r12)\n"
	"	xor %edi, %edi\n"
	"	mov $60, %eax\n"
	"	syscall\n"
	"	hlt\n"
	".globl fz_restorer\n"
	"fz_restorer:\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"
	/* rt_sigreturn with rsp at a frame the fuzzer made up */
	".globl fz_sigreturn\n"
	"fz_sigreturn:\n"
	"	mov %rdi, %rsp\n"
	"	mov $15, %eax\n"
	"	syscall\n"
	"	hlt\n"
	".globl fz_landing\n"
	"fz_landing:\n"
	"	mov $42, %edi\n"
	"	mov $231, %eax\n"
	"	syscall\n"
	"	hlt\n");

/* ---- the call table ---- */

struct call {
	long nr;
	const char *name, *kinds;
	int flags;
};
static const struct call calls[] = {
#define CALL(nr, name, kinds, flags) { nr, #name, kinds, flags },
#include "calls.h"
#undef CALL
};
#define NCALLS ((int)(sizeof(calls) / sizeof(calls[0])))
#define F_BLOCK 1
#define F_PROC 2

/* ---- state shared with the parent, at a fixed address ---- */

struct ent {
	long idx, nr, a[6], ret;
};
struct shared {
	volatile long done;	/* calls made by the current worker */
	volatile long ring_pos;
	struct ent ring[RING];
};
#define SH ((struct shared *)SHARED)

/* ---- worker globals (set before the loop, read-only after) ---- */

static uint64_t g_seed;
static long g_worker;
static long g_parent;		/* pid and pgid of the parent: never a target */
static long g_self;		/* the worker's pid (a child's own after fork) */
static volatile long g_child;	/* the last child's pid */
static int g_log;		/* print every call to LOGFD before it is made */
static char g_selfpath[512];
static long g_vdso;
static char g_longpath[5000], g_longname[300];
static char g_stacks[NSTACKS][STACK_SIZE] __attribute__((aligned(16)));
static struct cact g_acts[NSTACKS];
static unsigned g_next_stack;

/* ---- the generator: splitmix64, one stream per call ---- */

struct gen {
	uint64_t s;
	int depth;		/* 0 the worker, 1 a child or thread */
	int noblock;		/* a thread: no timer would end a blocked call */
	char prev;		/* kind of the previous argument */
	int abs_path;		/* an absolute (read-only) path was chosen */
	long iovcnt;		/* entries of the last iovec built */
	char *prep, *prep_end;	/* where structs for this call are built */
};

static uint64_t rnd(struct gen *g)
{
	uint64_t z = (g->s += 0x9e3779b97f4a7c15ULL);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}
#define R(n) ((long)(rnd(g) % (uint64_t)(n)))
#define PICK(arr) (arr[R(sizeof(arr) / sizeof(arr[0]))])

static void *prep(struct gen *g, size_t n)
{
	char *p = g->prep;
	n = (n + 15) & ~15UL;
	if (g->prep + n > g->prep_end)
		g->prep = g->prep_end - 4096;	/* reuse; contents are random anyway */
	p = g->prep;
	g->prep += n;
	for (size_t i = 0; i < n; i += 8)
		*(uint64_t *)(p + i) = rnd(g);
	return p;
}

static long pick_ptr(struct gen *g)
{
	switch (R(20)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return 0xffff800000000000L;		/* kernel */
	case 3: return 0xffffffffff600000L;		/* vsyscall page */
	case 4: return STUB;
	case 5: return STUB + 0x1000 + R(4096);
	case 6: return STUB + 0x2000 - 8;		/* runs past the stub */
	case 7: return -1L;
	case 8: return RO_PAGE + R(4096);		/* read-only */
	case 9: return (long)(void *)pick_ptr;		/* the fuzzer's code */
	case 10: return ARENA + ARENA_SIZE - R(64);	/* runs into a guard page */
	case 11: return R(2) ? 0x800000000000L : 0x7ffffffff000L;
	case 12: return HOLE + R(64) * 4096;		/* unmapped */
	default: return ARENA + (R(2) ? R(ARENA_SIZE) : R(ARENA_SIZE / 8) * 8);
	}
}

static long pick_len(struct gen *g)
{
	static const long big[] = { 4096, 4095, 4097, 65536, ARENA_SIZE,
		0x7fffffff, 0x80000000L, 0xffffffffL, 1L << 32, 1L << 47, -1L,
		-4096L, 0x7fffffffffffffffL };
	switch (R(8)) {
	case 0: return 0;
	case 1: return R(16);
	case 2: case 3: return R(512);
	case 4: return R(8192);
	case 5: return (long)rnd(g);
	default: return PICK(big);
	}
}

/* lengths next to a mapping address: pages mostly, rarely everything */
static long pick_mmlen(struct gen *g)
{
	switch (R(12)) {
	case 0: return 0;
	case 1: return R(8192);
	case 2: return ARENA_SIZE;
	case 3: return 1L << 30;
	case 4: return R(4) ? -4096L : 1L << 47;
	default: return (R(16) + 1) * 4096;
	}
}

static long pick_addr(struct gen *g)
{
	switch (R(16)) {
	case 0: return 0;
	case 1: return STUB;
	case 2: return STUB + 0x1000;
	case 3: return STUB - 0x1000;
	case 4: return R(2) ? 0x1000 : 0x10000;
	case 5: return R(2) ? 0xffff800000000000L : 0xffffffffff600000L;
	case 6: return R(2) ? 0x7ffffffff000L : 0x800000000000L - 0x1000;
	case 7: return RO_PAGE;
	case 8: return ARENA + R(ARENA_SIZE);		/* unaligned */
	case 9: return g_vdso ? g_vdso : HOLE;
	case 10: return R(8) ? HOLE + R(256) * 4096 : (long)(rnd(g) & 0x7ffffffff000L);
	default: return ARENA + R(ARENA_SIZE / 4096 + 4) * 4096;
	}
}

static long pick_fd(struct gen *g)
{
	static const long odd[] = { -1, -100, 1023, 1024, 65535, 0x7fffffff,
		-0x80000000L, 0x500000003L, -2 };
	switch (R(10)) {
	case 0: return PICK(odd);
	case 1: return R(3);
	default: return 3 + R(22);
	}
}

static long pick_pid(struct gen *g)
{
	long v;
	switch (R(14)) {
	case 0: v = 0; break;
	case 1: v = -1; break;
	case 2: case 3: v = g_self; break;
	case 4: v = -g_self; break;
	case 5: v = 1; break;
	case 6: case 7: v = g_child; break;
	case 8: v = -g_child; break;
	case 9: v = (long)sc0(186); break;		/* own tid */
	case 10: v = R(2) ? -0x80000000L : 0x7fffffff; break;
	case 11: v = -R(300); break;
	default: v = R(300); break;
	}
	if (v == g_parent || v == -g_parent)
		v = g_self;
	return v;
}

static long pick_sig(struct gen *g)
{
	static const long s[] = { SIGKILL, SIGSTOP, SIGCONT, SIGCHLD, SIGALRM,
		SIGSEGV, SIGTERM, SIGUSR1, SIGTSTP, SIGTTIN, 34, 64, 65, -1, 128 };
	return R(3) ? R(65) : PICK(s);
}

/* strings live in the fuzzer's read-only data */
static const char *const rel_paths[] = { "a", "b", "c", "d", "d/e", "d/f",
	"l", "l2", "fifo", "sock", "d/", "x/y", ".", "" };
static const char *const abs_files[] = { "/proc/self/exe", "/proc/self/maps",
	"/proc/self/status", "/proc/self/mem", "/proc/1/status", "/dev/null",
	"/dev/zero", "/dev/tty", "/dev/ptmx", "/dev/urandom", "/etc/passwd",
	"/nonexistent", "/proc/self/fd/3", "/dev/pts/0", "/proc/self/auxv",
	"/proc/sys/kernel/hostname" };
static const char *const look_dirs[] = { "/", "/proc", "..", "/proc/self",
	"/proc/self/fd", "/dev", "/sys", "/proc/1", "/tmp", "/proc/self/root" };

static long bad_string(struct gen *g)
{
	switch (R(4)) {
	case 0: return (long)g_longpath;
	case 1: return ARENA + ARENA_SIZE - 1 - R(8);	/* no NUL before the guard */
	default: return pick_ptr(g);
	}
}

static long pick_wpath(struct gen *g)
{
	switch (R(10)) {
	case 0: return bad_string(g);
	case 1: return (long)g_longname;
	default: return (long)PICK(rel_paths);
	}
}

static long pick_qpath(struct gen *g)
{
	if (R(3) == 0) {
		g->abs_path = 1;
		return (long)PICK(abs_files);
	}
	return pick_wpath(g);
}

static long pick_spath(struct gen *g)
{
	if (R(5) == 0)
		return (long)PICK(look_dirs);
	return pick_qpath(g);
}

static long pick_flags(struct gen *g)
{
	switch (R(7)) {
	case 0: return 0;
	case 1: case 2: return 1L << R(32);
	case 3: return (long)(rnd(g) & 0xffffffff);
	case 4: return (long)rnd(g);
	case 5: return -1L;
	default: return R(16);
	}
}

static long pick_int(struct gen *g)
{
	switch (R(8)) {
	case 0: return pick_ptr(g);
	case 1: return pick_fd(g);
	case 2: return pick_flags(g);
	case 3: return pick_len(g);
	case 4: return (long)rnd(g);
	default: return R(66) - 1;
	}
}

static long pick_timespec(struct gen *g)
{
	static const long ts[][2] = { { 0, 0 }, { 0, 1000000 }, { 0, 999999999 },
		{ -1, 0 }, { 0, -1 }, { 0, 1000000000 }, { 0x7fffffffffffffffL, 0 },
		{ 1, 0 }, { 0, 100 } };
	if (R(4) == 0)
		return R(3) ? pick_ptr(g) : 0;
	long *p = prep(g, 16);
	int i = R(sizeof(ts) / sizeof(ts[0]));
	p[0] = ts[i][0];
	p[1] = ts[i][1];
	return (long)p;
}

static long pick_sigset(struct gen *g)
{
	if (R(5) == 0)
		return pick_ptr(g);
	uint64_t *p = prep(g, 8);
	switch (R(4)) {
	case 0: *p = 0; break;
	case 1: *p = ~0ULL; break;
	default: break;		/* random */
	}
	*p &= ~(1ULL << (SIGALRM - 1));	/* a wait must end */
	return (long)p;
}

static void on_signal(int sig);

static long pick_sigaction(struct gen *g)
{
	if (R(5) == 0)
		return R(2) ? 0 : pick_ptr(g);
	long *p = prep(g, 32);
	static const long fl[] = { 4, 1, 2, 0x08000000, 0x10000000, 0x40000000,
		0x80000000L };
	switch (R(4)) {
	case 0: p[0] = 0; break;
	case 1: p[0] = 1; break;
	case 2: p[0] = (long)on_signal; break;
	default: p[0] = pick_ptr(g); break;
	}
	p[1] = 0x04000000;	/* SA_RESTORER */
	for (int i = R(4); i > 0; i--)
		p[1] |= PICK(fl);
	if (R(10) == 0)
		p[1] = (long)rnd(g);
	p[2] = R(8) ? (long)fz_restorer : pick_ptr(g);
	return (long)p;
}

static long pick_iovec(struct gen *g)
{
	if (R(6) == 0)
		return pick_ptr(g);
	long n = R(8) + 1;
	long *p = prep(g, n * 16);
	for (long i = 0; i < n; i++) {
		p[2 * i] = pick_ptr(g);
		p[2 * i + 1] = R(3) ? R(4096) : pick_len(g);
	}
	g->iovcnt = n;
	return (long)p;
}

static long pick_msghdr(struct gen *g)
{
	if (R(6) == 0)
		return pick_ptr(g);
	long *m = prep(g, 56);
	m[0] = R(2) ? 0 : pick_ptr(g);		/* name */
	m[1] = R(2) ? R(130) : pick_len(g);	/* namelen (int) */
	m[2] = pick_iovec(g);
	m[3] = R(3) ? g->iovcnt : pick_len(g);
	if (R(2)) {		/* SCM_RIGHTS or SCM_CREDENTIALS with odd contents */
		int n = R(6);
		int *c = prep(g, 16 + 4 * n + 16);
		((long *)c)[0] = 16 + 4 * n + (R(4) ? 0 : R(64) - 8);
		c[2] = R(5) ? 1 : (int)rnd(g);	/* SOL_SOCKET */
		c[3] = R(3) ? 1 : 2;		/* SCM_RIGHTS, SCM_CREDENTIALS */
		for (int i = 0; i < n; i++)
			c[4 + i] = (int)pick_fd(g);
		m[4] = (long)c;
		m[5] = R(3) ? 16 + 4 * n : pick_len(g);
	} else {
		m[4] = R(2) ? 0 : pick_ptr(g);
		m[5] = R(2) ? 0 : pick_len(g);
	}
	m[6] = R(2) ? 0 : pick_flags(g);
	return (long)m;
}

static long pick_oflags(struct gen *g)
{
	static const long bits[] = { O_CREAT, O_EXCL, O_NOCTTY, O_TRUNC,
		O_APPEND, O_NONBLOCK, O_DSYNC, O_DIRECT, O_DIRECTORY, O_NOFOLLOW,
		O_NOATIME, O_CLOEXEC, O_PATH, O_TMPFILE, O_SYNC };
	if (R(10) == 0)
		return (long)(rnd(g) & 0xffffffff);
	long f = R(4);
	for (int i = R(4); i > 0; i--)
		f |= PICK(bits);
	if (R(2))
		f |= O_NONBLOCK;	/* most opens of a FIFO should not wait */
	return f;
}

/* an absolute path is only ever opened for reading: writes stay in the
 * scratch directory */
static long read_only(long flags)
{
	return flags & ~(long)(O_WRONLY | O_RDWR | O_CREAT | O_TRUNC | O_APPEND |
			       (O_TMPFILE & ~O_DIRECTORY));
}

static long pick_string(struct gen *g)
{
	static const char *const s[] = { "tmpfs", "proc", "", "a", "user",
		"keyring", "sysfs", "devpts", "overlay" };
	switch (R(6)) {
	case 0: return bad_string(g);
	case 1: return (long)g_longname;
	default: return (long)PICK(s);
	}
}

static long pick_xattr(struct gen *g)
{
	static const char *const s[] = { "user.a", "user.b", "trusted.t",
		"security.capability", "system.posix_acl_access",
		"system.posix_acl_default", "user.", "", "x", "security.selinux" };
	switch (R(8)) {
	case 0: return bad_string(g);
	case 1: return (long)g_longname;
	default: return (long)PICK(s);
	}
}

static long gen_arg(struct gen *g, char k)
{
	static const long ioctls[] = { 0x5401, 0x5402, 0x5403, 0x5404, 0x540f,
		0x5410, 0x5411, 0x5412, 0x5413, 0x5414, 0x541b, 0x541c, 0x541d,
		0x5421, 0x5422, 0x540e, 0x80045430L, 0x40045431, 0x5441, 0x5450,
		0x5451, 0x5452, 0x8912, 0x8913, 0x8914, 0x8933, 0x890b,
		0x80086601L, 0x40049409, 0x540a, 0x540b, 0x540c, 0x5420, 0x5409,
		0x5429, 0x5432, 0x80045432L };
	static const long cmds[] = { 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 15,
		16, 36, 37, 38, 1024, 1025, 1026, 1030, 1031, 1032, 1033, 1034 };
	static const long arch[] = { 0x1001, 0x1002, 0x1003, 0x1004, 0x1011,
		0x1012, 0x2001, 0x2002, 0x2003, 0x4001, 0x4002, 0x3001, 0x3002 };
	switch (k) {
	case 'f': return pick_fd(g);
	case 'F': return R(5) ? R(32) : PICK(((const long[]){ 1023, 1024, 65536, -1, 0x7fffffff }));
	case 'd': return R(2) ? -100 : pick_fd(g);
	case 'p': return pick_ptr(g);
	case 'l': return g->prev == 'a' ? pick_mmlen(g) : pick_len(g);
	case 'n': return R(8) ? R(65536) : R(1 << 20);
	case 'L':
	case 'o': {
		static const long off[] = { 0, 4096, 1L << 20, 1L << 26, 1L << 31,
			1L << 32, 1L << 40, -1, -4096, 0x7fffffffffffffffL,
			0x7ffffffffffff000L };
		return R(2) ? R(8192) : PICK(off);
	}
	case 'x': return pick_flags(g);
	case 'i': return pick_int(g);
	case 'm': return R(4) ? R(010000) | PICK(((const long[]){ 0, 0100000, 040000, 020000, 060000, 010000, 0140000 })) : (long)rnd(g);
	case 'u': return PICK(((const long[]){ 0, 1, 1000, 65534, -1, 0x7fffffff }));
	case 'a': return pick_addr(g);
	case 's': return pick_spath(g);
	case 'q': return pick_qpath(g);
	case 'w': return pick_wpath(g);
	case 'Y': return R(6) ? (long)PICK(rel_paths) : bad_string(g);
	case 'y': return pick_string(g);
	case 'N': return pick_xattr(g);
	case 'P': return pick_pid(g);
	case 'g': return pick_sig(g);
	case 'c': return R(6) ? R(14) - 1 : R(2) ? (((~g_self) << 3) | R(4)) : (long)rnd(g);
	case 'r': return R(8) ? PICK(ioctls) : (long)rnd(g);
	case 'R': return R(8) ? R(17) : R(2) ? -1 : (long)rnd(g);
	case 'e': return R(8) ? PICK(((const long[]){ 1, 1, 2, 10, 16, 17, 0 })) : pick_int(g);
	case 'E': return (R(8) ? PICK(((const long[]){ 1, 2, 3, 5, 10 })) : R(16)) |
			 (R(3) ? 0 : 04000) | (R(3) ? 0 : 02000000);
	case 't': return pick_timespec(g);
	case 'T': return PICK(((const long[]){ 0, 0, 1, 5, -1, 0x7fffffff, -2 }));
	case 'k': return pick_sigset(g);
	case 'z': return R(4) ? 8 : PICK(((const long[]){ 0, 4, 16, 128, -1 }));
	case 'S': return pick_sigaction(g);
	case 'v': return pick_iovec(g);
	case 'V': return R(2) ? g->iovcnt : PICK(((const long[]){ 0, 1, 2, 8, 1024, 1025, -1, 0x7fffffff }));
	case 'H': return pick_msghdr(g);
	case 'O': return pick_oflags(g);
	case 'h': {
		long *h = prep(g, 24);
		h[0] = pick_oflags(g);
		h[1] = R(4) ? 0644 : (long)rnd(g);
		h[2] = R(2) ? 0 : R(2) ? 1L << R(8) : (long)rnd(g);	/* resolve */
		return (long)h;
	}
	case 'C': return R(8) ? PICK(cmds) : (long)rnd(g);
	case 'M': return R(8) ? R(26) : PICK(((const long[]){ -1, 1000, 0x7fffffff }));
	case 'X': return R(8) ? R(72) : (long)rnd(g);
	case 'A': return R(6) ? PICK(arch) : (long)rnd(g);
	case 'U': return (R(14) | (R(2) ? 128 : 0) | (R(6) ? 0 : 256)) ^ (R(12) ? 0 : (long)rnd(g));
	default: return 0;
	}
}

/* ---- the log ---- */

static void put(char *buf, int *n, const char *s)
{
	while (*s && *n < 250)
		buf[(*n)++] = *s++;
}

static void put_hex(char *buf, int *n, long v)
{
	char t[20];
	int i = 0;
	uint64_t u = (uint64_t)v;
	if (v < 0 && v > -4096) {
		buf[(*n)++] = '-';
		u = (uint64_t)-v;
	}
	do {
		t[i++] = "0123456789abcdef"[u & 15];
		u >>= 4;
	} while (u);
	put(buf, n, "0x");
	while (i > 0 && *n < 250)
		buf[(*n)++] = t[--i];
}

static void log_call(long idx, const char *name, long nr, const long *a, int nargs)
{
	char buf[256];
	int n = 0;
	put(buf, &n, "w");
	put_hex(buf, &n, g_worker);
	put(buf, &n, " #");
	put_hex(buf, &n, idx);
	put(buf, &n, " ");
	put(buf, &n, name);
	put(buf, &n, "[");
	put_hex(buf, &n, nr);
	put(buf, &n, "](");
	for (int i = 0; i < nargs; i++) {
		if (i)
			put(buf, &n, ", ");
		put_hex(buf, &n, a[i]);
	}
	put(buf, &n, ") ");
	sc3(1, LOGFD, buf, n);
}

static void log_ret(long r)
{
	char buf[32];
	int n = 0;
	put(buf, &n, "= ");
	put_hex(buf, &n, r);
	put(buf, &n, "\n");
	sc3(1, LOGFD, buf, n);
}

/* ---- signals and timers of a worker ---- */

static void on_signal(int sig)
{
	/* a fault that returns would fault again forever */
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE ||
	    sig == SIGTRAP || sig == SIGSYS)
		sc1(231, 128 + sig);
}

static void arm_timer(void)
{
	long it[4] = { 0, 20000, 0, 20000 };	/* SIGALRM every 20 ms */
	sc3(38, 0, it, 0);
}

static void own_sigalrm(void)
{
	long sa[4] = { (long)on_signal, 0x04000000, (long)fz_restorer, 0 };
	uint64_t set = 1ULL << (SIGALRM - 1);
	sc4(13, SIGALRM, sa, 0, 8);
	sc4(14, SIG_UNBLOCK, &set, 0, 8);
}

/* ---- process calls ---- */

static void run_calls(struct gen *g, int n);

static long new_stack(void)
{
	unsigned i = __atomic_fetch_add(&g_next_stack, 1, __ATOMIC_RELAXED) % NSTACKS;
	return (long)g_stacks[i] + STACK_SIZE - 64;
}

static struct cact *new_act(void)
{
	return &g_acts[__atomic_load_n(&g_next_stack, __ATOMIC_RELAXED) % NSTACKS];
}

/* a thread or a process sharing the worker's memory: a few calls that
 * don't block, then exit(2) */
static void thread_fn(struct cact *a)
{
	char buf[2048];
	struct gen g = { .s = a->seed, .depth = 1, .noblock = 1, .prep = buf,
			 .prep_end = buf + sizeof(buf) };
	run_calls(&g, 3);
}

/* a forked child: its own timer, a few calls, then exit_group */
static void child_fn(struct cact *a)
{
	char buf[4096];
	struct gen g = { .s = a->seed, .depth = 1, .prep = buf, .prep_end = buf + sizeof(buf) };
	g_self = sc0(39);
	arm_timer();
	run_calls(&g, 6);
	sc1(231, rnd(&g) % 256);
}

static const char *const noop_argv[] = { "fuzz", "--noop", 0 };

/* the child's first act; fresh says it has a stack of its own */
static void child_action(struct gen *g, struct cact *a, int fresh, int shares_vm)
{
	a->seed = rnd(g);
	a->a = R(256);
	switch (R(10)) {
	case 0: a->action = 1; break;
	case 1: a->action = 3; break;			/* SIGKILL itself */
	case 2: case 3:
		a->action = 2;
		a->a = (long)(R(3) ? g_selfpath : R(2) ? "/bin/true" : "/nonexistent");
		a->b = (long)noop_argv;
		a->c = 0;
		break;
	default:
		a->action = (fresh || !shares_vm) ? 4 : 0;
		a->fn = shares_vm ? thread_fn : child_fn;
	}
}

static long clone_flags(struct gen *g)
{
	static const long bits[] = { 0x100, 0x200, 0x400, 0x800, 0x1000, 0x2000,
		0x4000, 0x8000, 0x10000, 0x40000, 0x80000, 0x100000, 0x200000,
		0x400000, 0x1000000, 0x2000000, 0x20000000, 0x8000, 0x4000000,
		0x80000000L, 0x10000000, 0x40000000 };
	long f;
	switch (R(10)) {
	case 0: case 1: case 2:		/* a thread */
		f = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000;
		if (R(2)) f |= 0x80000 | 0x200000 | 0x1000000;
		break;
	case 3: case 4: f = SIGCHLD; break;			/* fork */
	case 5: f = 0x100 | 0x4000 | SIGCHLD; break;		/* vfork */
	case 6: return (long)rnd(g);
	default:
		f = R(3) ? SIGCHLD : R(70);
		for (int i = R(5) + 1; i > 0; i--)
			f |= PICK(bits);
	}
	return f;
}

static long do_clone(struct gen *g)
{
	long f = clone_flags(g);
	int vm = (f & 0x100) != 0;
	long stack = vm ? (R(6) ? new_stack() : R(2) ? 0 : pick_ptr(g)) : (R(4) ? 0 : pick_ptr(g));
	int fresh = stack && stack >= (long)g_stacks && stack < (long)g_stacks + (long)sizeof(g_stacks);
	struct cact *a = new_act();
	child_action(g, a, fresh, vm);
	long ptid = R(3) ? ARENA + R(ARENA_SIZE / 8) * 8 : pick_ptr(g);
	long ctid = R(3) ? ARENA + R(ARENA_SIZE / 8) * 8 : pick_ptr(g);
	long tls = R(2) ? ARENA + R(ARENA_SIZE) : (long)rnd(g);
	return fz_clone(56, f, stack, ptid, ctid, tls, a);
}

static long do_clone3(struct gen *g)
{
	long *ca = prep(g, 96);
	long f = clone_flags(g);
	if (R(4) == 0)
		f |= 0x1000;			/* CLONE_PIDFD */
	if (R(8) == 0)
		f |= 0x100000000L;		/* CLONE_CLEAR_SIGHAND */
	ca[0] = f & ~0xffL;
	ca[1] = R(3) ? ARENA + R(ARENA_SIZE / 8) * 8 : pick_ptr(g);	/* pidfd */
	ca[2] = R(3) ? ARENA + R(ARENA_SIZE / 8) * 8 : pick_ptr(g);	/* child_tid */
	ca[3] = R(3) ? ARENA + R(ARENA_SIZE / 8) * 8 : pick_ptr(g);	/* parent_tid */
	ca[4] = R(4) ? SIGCHLD : R(2) ? 0 : R(70);			/* exit_signal */
	int vm = (f & 0x100) != 0, fresh = 0;
	if (vm ? R(6) : R(4) == 0) {
		ca[5] = new_stack() - STACK_SIZE + 64;
		ca[6] = STACK_SIZE - 64;
		fresh = 1;
	} else {
		ca[5] = R(2) ? 0 : pick_ptr(g);
		ca[6] = R(2) ? 0 : pick_len(g);
	}
	ca[7] = R(2) ? ARENA + R(ARENA_SIZE) : (long)rnd(g);	/* tls */
	ca[8] = R(6) ? 0 : pick_ptr(g);		/* set_tid */
	ca[9] = R(6) ? 0 : R(40);		/* set_tid_size */
	ca[10] = R(8) ? 0 : pick_fd(g);		/* cgroup */
	struct cact *a = new_act();
	child_action(g, a, fresh, vm);
	long size = R(4) ? 88 : PICK(((const long[]){ 64, 80, 0, 96, 4096, 8 }));
	return fz_clone(435, (long)ca, size, 0, 0, 0, a);
}

/* execve/execveat: a path that may run is tried in a forked child */
static long do_exec(struct gen *g, long nr)
{
	static const char *const runnable[] = { "/proc/self/exe", "/bin/true" };
	static const char *const bad[] = { "", "/", "/nonexistent", "/etc/passwd",
		"a", "d", "fifo", "/dev/null", "/proc/self/maps" };
	long *argv = prep(g, 32), *envp = prep(g, 16);
	argv[0] = (long)"fuzz";
	argv[1] = (long)"--noop";
	argv[2] = R(3) ? 0 : pick_ptr(g);
	argv[3] = 0;
	envp[0] = R(2) ? (long)"A=1" : pick_ptr(g);
	envp[1] = 0;
	long av = R(5) ? (long)argv : pick_ptr(g), ev = R(5) ? (long)envp : pick_ptr(g);
	long path, dirfd = R(2) ? -100 : pick_fd(g);
	long flags = R(3) ? 0 : PICK(((const long[]){ 0x1000, 0x100, 0x1100, -1 }));
	int run = R(2);
	if (run)
		path = R(2) ? (long)g_selfpath : (long)PICK(runnable);
	else
		path = R(4) ? (long)PICK(bad) : bad_string(g);
	if (nr == 322 && !run && R(2))
		run = 1;			/* AT_EMPTY_PATH on whatever the fd is */
	if (!run)
		return nr == 59 ? sc3(59, path, av, ev) : sc6(322, dirfd, path, av, ev, flags, 0);
	long pid = sc0(57);
	if (pid == 0) {
		if (nr == 59)
			sc3(59, path, av, ev);
		else
			sc6(322, dirfd, path, av, ev, flags, 0);
		sc1(231, 127);
	}
	return pid;
}

/* a made-up signal frame: rip lands on exit_group(42), the segments and
 * flags are the hostile part */
static long do_sigreturn(struct gen *g)
{
	long pid = sc0(57);
	if (pid != 0)
		return pid;
	long sa[4] = { 0, 0, 0, 0 };
	sc4(13, SIGALRM, sa, 0, 8);		/* SIG_DFL: the child ends in 1 s */
	sc1(37, 1);
	long *f = prep(g, 512);
	long *sc = f + 5;		/* uc_mcontext after flags, link, stack */
	sc[15] = (long)g_stacks[0] + STACK_SIZE - 128;	/* rsp */
	if (R(4))
		sc[16] = (long)fz_landing;	/* rip */
	sc[17] = R(2) ? 0x202 : R(2) ? 0x302 : (long)rnd(g);	/* eflags: TF */
	uint16_t *seg = (uint16_t *)&sc[18];
	seg[0] = PICK(((const uint16_t[]){ 0x33, 0x33, 0x23, 0x2b, 0, 0x10, 0xffff }));
	seg[3] = PICK(((const uint16_t[]){ 0x2b, 0x2b, 0, 0x23, 0x33, 0xffff }));
	sc[23] = R(3) ? 0 : pick_ptr(g);	/* fpstate */
	fz_sigreturn((long)f);
	return 0;
}

static long do_proc_call(struct gen *g, long nr)
{
	switch (nr) {
	case 56: return do_clone(g);
	case 435: return do_clone3(g);
	case 57: case 58: {
		struct cact *a = new_act();
		child_action(g, a, 0, nr == 58);
		return fz_clone(nr, 0, 0, 0, 0, 0, a);
	}
	case 59: case 322: return do_exec(g, nr);
	case 15: return do_sigreturn(g);
	default: {	/* exit, exit_group: in a child, rarely by the worker */
		if (g->depth == 0 && R(40) == 0)
			return sc1(nr, R(256));
		long pid = sc0(57);
		if (pid == 0)
			sc1(nr, R(256));
		return pid;
	}
	}
}

/* ---- one call ---- */

static void fixup(struct gen *g, long nr, long *a)
{
	switch (nr) {
	case 2: case 257: {		/* open, openat: flags after the path */
		int fi = nr == 2 ? 1 : 2;
		if (g->abs_path)
			a[fi] = read_only(a[fi]);
		break;
	}
	case 437:
		if (g->abs_path && a[2] > ARENA && a[2] < ARENA + ARENA_SIZE)
			*(long *)a[2] = read_only(*(long *)a[2]);
		if (R(4))
			a[3] = 24;
		break;
	case 9:				/* mmap: never fault in a huge mapping */
		if ((unsigned long)a[1] > (64UL << 20))
			a[3] &= ~(long)(MAP_POPULATE | MAP_LOCKED);
		break;
	case 28:
		if ((a[2] == 22 || a[2] == 23) && (unsigned long)a[1] > (64UL << 20))
			a[1] = 64UL << 20;
		if (a[2] == 100 || a[2] == 101)	/* hwpoison, soft offline */
			a[2] = 0;
		break;
	case 62:			/* kill(-1) with SIGKILL/SIGSTOP: own group */
		if (a[0] == -1 && (a[1] == SIGKILL || a[1] == SIGSTOP))
			a[0] = 0;
		break;
	case 436:			/* close_range: keep the log */
		if (g_log && (unsigned)a[0] <= LOGFD && (unsigned)a[1] >= LOGFD)
			a[1] = LOGFD - 1;
		break;
	case 202: case 455:		/* futex: sometimes the value it holds */
		if (R(3) == 0 && a[0] >= ARENA && a[0] < ARENA + ARENA_SIZE - 4)
			a[nr == 202 ? 2 : 1] = *(int *)a[0];
		break;
	case -1: {
		static const long odd[] = { -1, -2, 0x40000000L | 39, (1L << 32) | 39,
			0x8000000000000027L, 1000000 };
		a[6] = R(4) ? 335 + R(89) : R(2) ? 463 + R(200) : PICK(odd);
		break;
	}
	}
}

/* what the worker needs to go on: its SIGALRM, its timer */
static void restore(long nr)
{
	switch (nr) {
	case 13: case 14: case 130: case 128:
		own_sigalrm();
		break;
	case 37: case 38:
		arm_timer();
		break;
	}
}

static long call_one(struct gen *g, long idx, int log)
{
	const struct call *c;
	do {
		c = &calls[R(NCALLS)];
	} while ((g->depth && (c->flags & F_PROC)) || (g->noblock && (c->flags & F_BLOCK)));
	long a[7] = { 0, 0, 0, 0, 0, 0, 0 };
	int n = (int)strlen(c->kinds);
	g->prev = 0;
	g->abs_path = 0;
	g->iovcnt = 0;
	for (int i = 0; i < n; i++) {
		a[i] = gen_arg(g, c->kinds[i]);
		g->prev = c->kinds[i];
	}
	if (n < 6 && R(8) == 0)		/* junk in the unused registers */
		for (int i = n; i < 6; i++)
			a[i] = (long)rnd(g);
	a[6] = c->nr;
	fixup(g, c->nr, a);
	long nr = a[6];
	if (log) {
		struct ent *e = &SH->ring[SH->ring_pos++ % RING];
		e->idx = idx;
		e->nr = nr;
		memcpy(e->a, a, sizeof(e->a));
		e->ret = -4096;
		if (g_log)
			log_call(idx, c->name, nr, a, c->flags & F_PROC ? 0 : 6);
	}
	long r = c->flags & F_PROC ? do_proc_call(g, nr) : sc6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (c->flags & F_PROC && r > 0)
		g_child = r;
	if (log) {
		SH->ring[(SH->ring_pos - 1) % RING].ret = r;
		if (g_log)
			log_ret(r);
		restore(nr);
	}
	return r;
}

static void run_calls(struct gen *g, int n)
{
	for (int i = 0; i < n; i++)
		call_one(g, -1, 0);
}

/* ---- the worker ---- */

static uint64_t call_seed(long worker, long idx)
{
	struct gen g = { .s = g_seed ^ 0x5deece66dULL };
	g.s ^= rnd(&g) * (uint64_t)(worker + 1);
	g.s ^= rnd(&g) * (uint64_t)(idx + 1);
	return rnd(&g);
}

static int picked(const long *pick, int npick, long i)
{
	if (!npick)
		return 1;
	for (int k = 0; k < npick; k++)
		if (pick[k] == i)
			return 1;
	return 0;
}

static void setup_worker(long w, const char *dir)
{
	setsid();
	int fd = open("/dev/null", O_RDWR);
	dup2(fd, 0);
	dup2(fd, 1);
	if (!g_log)
		dup2(fd, 2);
	close(fd);
	mkdir(dir, 0755);
	if (chdir(dir) < 0)
		_exit(90);
	/* things to find: a file, a directory, links, a FIFO */
	fd = open("a", O_RDWR | O_CREAT, 0644);
	write(fd, "hello fuzz\n", 11);
	close(fd);
	mkdir("d", 0755);
	close(open("d/e", O_CREAT | O_WRONLY, 0600));
	symlink("a", "l");
	symlink("l", "l2");
	mkfifo("fifo", 0644);
	/* fds 3.. of many kinds */
	int p[2];
	open("a", O_RDWR);			/* 3 */
	open("d", O_RDONLY | O_DIRECTORY);	/* 4 */
	pipe(p);				/* 5 6 */
	socketpair(AF_UNIX, SOCK_STREAM, 0, p);	/* 7 8 */
	socketpair(AF_UNIX, SOCK_DGRAM, 0, p);	/* 9 10 */
	syscall(290, 0, 0);			/* 11 eventfd */
	syscall(291, 0);			/* 12 epoll */
	syscall(319, "m", 0);			/* 13 memfd */
	syscall(283, CLOCK_MONOTONIC, 0);	/* 14 timerfd */
	open("/dev/null", O_RDWR);		/* 15 */
	open("/proc/self/maps", O_RDONLY);	/* 16 */
	open("/dev/ptmx", O_RDWR | O_NOCTTY);	/* 17 */
	/* memory: the arena with a guard page after it, a read-only page */
	struct gen g = { .s = call_seed(w, -1) };
	mmap((void *)ARENA, ARENA_SIZE, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	for (long i = 0; i < ARENA_SIZE; i += 8)
		*(uint64_t *)(ARENA + i) = rnd(&g);
	mmap((void *)RO_PAGE, 4096, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	for (long i = 0; i < 4096; i += 8)
		*(uint64_t *)(RO_PAGE + i) = rnd(&g);
	mprotect((void *)RO_PAGE, 4096, PROT_READ);
	g_self = getpid();
	g_worker = w;
	own_sigalrm();
	arm_timer();
}

static void worker(long w, long from, long to, const long *pick, int npick, const char *dir)
{
	setup_worker(w, dir);
	for (long i = from; i < to; i++) {
		if (!picked(pick, npick, i))
			continue;
		struct gen g = { .s = call_seed(w, i), .prep = (char *)PREP,
				 .prep_end = (char *)PREP + 0x8000 };
		long before = SH->done;
		call_one(&g, i, 1);
		if (SH->done != before && g_log)
			sc3(1, LOGFD, "fuzz: the call above wrote to the shared page\n", 47);
		SH->done = before + 1;
	}
	sc1(231, 0);
}

/* ---- the parent ---- */

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int rm_one(const char *p, const struct stat *st, int type, struct FTW *f)
{
	(void)st; (void)f;
	if (type == FTW_DP)
		rmdir(p);
	else
		unlink(p);
	return 0;
}

static void print_ring(long w)
{
	long pos = SH->ring_pos;
	for (long i = pos > RING ? pos - RING : 0; i < pos; i++) {
		struct ent *e = &SH->ring[i % RING];
		printf("  w%ld #%ld nr %ld (%lx, %lx, %lx, %lx, %lx, %lx) = %ld\n", w,
		       e->idx, e->nr, e->a[0], e->a[1], e->a[2], e->a[3], e->a[4],
		       e->a[5], e->ret);
	}
}

/* wait for worker pid; kill it when it stops making progress. Returns its
 * wait status, or -1 if it survived SIGKILL. */
static int watch(pid_t pid, long stall_ms)
{
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	long last = -1, since = now_ms(), killed_at = 0;
	for (;;) {
		int st;
		pid_t r;
		while ((r = waitpid(-1, &st, WNOHANG | WUNTRACED | __WALL)) > 0) {
			if (r != pid)
				continue;		/* a stray (CLONE_PARENT) */
			if (WIFSTOPPED(st)) {
				kill(pid, SIGCONT);
				continue;
			}
			return st;
		}
		struct timespec ts = { 0, 50 * 1000000 };
		sigtimedwait(&chld, NULL, &ts);
		long t = now_ms();
		if (SH->done != last) {
			last = SH->done;
			since = t;
		} else if (!killed_at && t - since > stall_ms) {
			printf("fuzz: worker stuck for %ld ms at call %ld, killed; last calls:\n",
			       t - since, last);
			print_ring(g_worker);
			kill(pid, SIGKILL);
			killed_at = t;
		} else if (killed_at && t - killed_at > 10000) {
			return -1;
		}
	}
}

static long parse_list(const char *s, long *out, int max)
{
	int n = 0;
	while (*s && n < max) {
		out[n++] = strtol(s, (char **)&s, 0);
		if (*s == ',')
			s++;
	}
	return n;
}

int main(int argc, char **argv)
{
	long calls = 20000, per = 500, only = -1;
	long pick[64];
	int npick = 0, ring = 0, seeded = 0;
	for (int i = 1; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : "0";
		if (!strcmp(o, "--noop"))
			return 0;
		else if (!strcmp(o, "--seed"))
			g_seed = strtoull(v, 0, 0), seeded = 1, i++;
		else if (!strcmp(o, "--calls"))
			calls = strtol(v, 0, 0), i++;
		else if (!strcmp(o, "--per-worker"))
			per = strtol(v, 0, 0), i++;
		else if (!strcmp(o, "--worker"))
			only = strtol(v, 0, 0), i++;
		else if (!strcmp(o, "--pick"))
			npick = parse_list(v, pick, 64), i++;
		else if (!strcmp(o, "--log"))
			g_log = 1;
		else if (!strcmp(o, "--ring"))
			ring = 1;
		else {
			fprintf(stderr, "fuzz: unknown option %s\n", o);
			return 2;
		}
	}
	if (!seeded) {
		fprintf(stderr, "usage: persona run -- fuzz --seed S [--calls N] [--per-worker K]\n"
			"       [--worker W [--pick I,J,...]] [--log] [--ring]\n"
			"Makes random system calls: run it under persona only, never natively.\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	g_parent = getpid();
	setpgid(0, 0);
	for (int s = 1; s < 65; s++)
		if (s != SIGKILL && s != SIGSTOP && s != SIGCHLD)
			signal(s, SIG_IGN);
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	if (mmap((void *)SHARED, sizeof(struct shared), PROT_READ | PROT_WRITE,
		 MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0) == MAP_FAILED) {
		perror("fuzz: mmap");
		return 1;
	}
	ssize_t n = readlink("/proc/self/exe", g_selfpath, sizeof(g_selfpath) - 1);
	if (n <= 0)
		strcpy(g_selfpath, "/proc/self/exe");
	g_vdso = (long)getauxval(AT_SYSINFO_EHDR);
	memset(g_longpath, 'a', sizeof(g_longpath) - 1);
	for (size_t i = 1; i < sizeof(g_longpath) - 1; i += 2)
		g_longpath[i] = '/';
	memset(g_longname, 'n', sizeof(g_longname) - 1);
	if (g_log)
		dup2(2, LOGFD);
	char top[] = "/tmp/fuzz-XXXXXX";
	if (!mkdtemp(top) || chdir(top) < 0) {
		perror("fuzz: scratch directory");
		return 1;
	}

	long total = 0, workers = 0, exited = 0, idle = 0;
	long sigs[65] = { 0 };
	long t0 = now_ms();
	for (long w = only >= 0 ? only : 0; total < calls; w++) {
		long from = 0, to = per;
		if (only >= 0)
			to = calls;
		else if (calls - total < per)
			to = calls - total;
		char dir[32];
		snprintf(dir, sizeof(dir), "w%ld", w);
		SH->done = 0;
		SH->ring_pos = 0;
		g_worker = w;
		if (!ring)
			printf("worker %ld\n", w);
		fflush(stdout);
		pid_t pid = fork();
		if (pid < 0) {
			perror("fuzz: fork");
			return 1;
		}
		if (pid == 0)
			worker(w, from, to, pick, npick, dir);
		int st = watch(pid, 1500);
		kill(-pid, SIGKILL);		/* what is left of its session */
		workers++;
		total += SH->done;
		if (st == -1) {
			printf("fuzz: FAIL: worker %ld (pid %d) outlived SIGKILL by 10 s\n", w, pid);
			print_ring(w);
			return 3;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && SH->done == to - from) {
			exited++;
		} else if (WIFSIGNALED(st)) {
			sigs[WTERMSIG(st) & 63]++;
		}
		if (!ring)
			printf("  %ld calls, %s %d\n", SH->done, WIFSIGNALED(st) ? "signal" : "exit",
			       WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
		if (ring && !(WIFEXITED(st) && WEXITSTATUS(st) == 0)) {
			printf("worker %ld: status %#x after %ld calls\n", w, st, SH->done);
			print_ring(w);
		}
		nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
		if (only >= 0 || (SH->done == 0 && npick))
			break;
		if (SH->done == 0 && ++idle > 1000) {
			printf("fuzz: FAIL: 1000 workers made no call\n");
			return 3;
		}
	}
	while (waitpid(-1, NULL, WNOHANG | __WALL) > 0)
		;
	kill(-1, SIGKILL);	/* strays that left the workers' sessions */
	while (waitpid(-1, NULL, __WALL) > 0)
		;
	printf("fuzz: seed %llu: %ld calls by %ld workers in %ld ms; %ld finished",
	       (unsigned long long)g_seed, total, workers, now_ms() - t0, exited);
	for (int s = 1; s < 65; s++)
		if (sigs[s])
			printf(", %ld killed by signal %d", sigs[s], s);
	printf("\n");
	/* persona still answers: a child, a pipe, an exec */
	int p[2];
	char buf[8] = "";
	if (pipe(p) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			write(p[1], "ok", 2);
			execl("/bin/true", "true", (char *)0);
			_exit(127);
		}
		close(p[1]);
		read(p[0], buf, sizeof(buf) - 1);
		int st = -1;
		waitpid(pid, &st, 0);
		printf("fuzz: %s\n", strcmp(buf, "ok") == 0 && st == 0 ? "alive" : "NOT ALIVE");
	}
	chdir("/");
	nftw(top, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}
