/* Attacks through the ia32 system call entry and low addresses.
 *   compat32 far32 PATH    32-bit code segment, int 0x80 open(PATH, O_CREAT)
 *   compat32 int80 PATH    int 0x80 open(PATH, O_CREAT) from 64-bit code
 *   compat32 lowmap        map or move memory below mmap_min_addr
 *   compat32 trapflag      a host-side call made with the trap flag set
 * A kernel without IA32 emulation (what persona is) answers both int 0x80
 * forms with SIGSEGV at the instruction (and a host without it has no
 * 32-bit code segment: the far return faults first); the handler reports
 * where. */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

static uint8_t *code;	/* a page below 2 GiB: 32-bit code and data */
static volatile int traps;

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	const uint8_t *rip = (const uint8_t *)((ucontext_t *)uc)->uc_mcontext.gregs[REG_RIP];
	const char *where = "somewhere else";
	if (rip == code + 20 || (rip[0] == 0xcd && rip[1] == 0x80))
		where = "an int 0x80";
	else if (rip[0] == 0x48 && rip[1] == 0xcb)
		where = "the far return (no 32-bit code segment)";
	char msg[96];
	int n = snprintf(msg, sizeof(msg), "signal %d code %d at %s\n", sig, si->si_code, where);
	write(1, msg, n);
	_exit(0);
}

static void on_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si;
	traps++;
	((ucontext_t *)uc)->uc_mcontext.gregs[REG_EFL] &= ~0x100L;	/* TF off */
}

/* 32-bit: open(path, O_WRONLY|O_CREAT, 0644); exit(42). */
static void write_code(const char *path)
{
	uint32_t p = (uint32_t)(uintptr_t)(code + 512);
	strcpy((char *)code + 512, path);
	uint8_t *c = code;
	*c++ = 0xb8; *(uint32_t *)c = 5; c += 4;	/* mov eax, 5 (open) */
	*c++ = 0xbb; *(uint32_t *)c = p; c += 4;	/* mov ebx, path */
	*c++ = 0xb9; *(uint32_t *)c = 0x41; c += 4;	/* mov ecx, O_WRONLY|O_CREAT */
	*c++ = 0xba; *(uint32_t *)c = 0644; c += 4;	/* mov edx, 0644 */
	*c++ = 0xcd; *c++ = 0x80;			/* int 0x80 (at +20) */
	*c++ = 0xb8; *(uint32_t *)c = 1; c += 4;	/* mov eax, 1 (exit) */
	*c++ = 0xbb; *(uint32_t *)c = 42; c += 4;	/* mov ebx, 42 */
	*c++ = 0xcd; *c++ = 0x80;
	*c++ = 0xf4;					/* hlt */
}

static void far32(void)
{
	/* lretq to the 32-bit user code segment (0x23). */
	__asm__ volatile("pushq $0x23\n\tpushq %0\n\tlretq" : : "r"((uint64_t)code) : "memory");
}

static void int80(void)
{
	__asm__ volatile("mov %0, %%rbx\n\tmov $5, %%eax\n\tmov $0x41, %%ecx\n\tmov $0644, %%edx\n\t"
			 "int $0x80" : : "r"((uint64_t)code + 512) : "rax", "rbx", "rcx", "rdx", "memory");
}

static void lowmap(void)
{
	void *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *r = mremap(page, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)0);
	printf("mremap to 0: %s\n", r == MAP_FAILED ? strerror(errno) : "moved");
	r = mremap(page, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, (void *)0x8000);
	printf("mremap to 0x8000: %s\n", r == MAP_FAILED ? strerror(errno) : "moved");
	r = mmap((void *)0, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("mmap fixed 0: %s\n", r == MAP_FAILED ? strerror(errno) : "mapped");
	r = mmap((void *)0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	printf("mmap fixed 0x1000: %s\n", r == MAP_FAILED ? strerror(errno) : "mapped");
	r = mmap((void *)0x1000, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	printf("mmap hint 0x1000: %s\n", (uintptr_t)r >= 0x10000 ? "above the floor" : "below");
}

static void trapflag(void)
{
	struct sigaction sa = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };
	sigaction(SIGTRAP, &sa, NULL);
	long r;
	/* TF on, then mmap: the host call persona makes for it must not
	 * single-step, and the guest still gets its trap afterwards. */
	__asm__ volatile("pushfq\n\torq $0x100, (%%rsp)\n\tpopfq\n\t"
			 "mov $9, %%eax\n\txor %%edi, %%edi\n\tmov $4096, %%esi\n\tmov $3, %%edx\n\t"
			 "mov $0x22, %%r10d\n\tmov $-1, %%r8\n\txor %%r9d, %%r9d\n\tsyscall\n\tnop\n\tnop"
			 : "=a"(r) : : "rcx", "r11", "rdi", "rsi", "rdx", "r10", "r8", "r9", "memory");
	printf("mmap with TF: %s, traps %s\n", r > 0 ? "ok" : "failed", traps ? "seen" : "none");
	*(volatile char *)r = 1;
	printf("page usable\n");
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc < 2)
		return 2;
	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_32BIT, -1, 0);
	if (code == MAP_FAILED)
		return 3;
	struct sigaction sa = { .sa_sigaction = on_segv, .sa_flags = SA_SIGINFO };
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	if (!strcmp(argv[1], "far32") && argc > 2) {
		write_code(argv[2]);
		far32();
	} else if (!strcmp(argv[1], "int80") && argc > 2) {
		write_code(argv[2]);
		int80();
		printf("int 0x80 returned\n");
	} else if (!strcmp(argv[1], "lowmap")) {
		lowmap();
	} else if (!strcmp(argv[1], "trapflag")) {
		trapflag();
	} else {
		return 2;
	}
	return 0;
}
