/* A guest that uses the stub's pages itself.
 *   gadget jump PATH   runs openat(PATH, O_CREAT), socket() and kill(1, 0)
 *                      by jumping into the stub's "syscall; int3" gadget
 *                      (ptrace platform)
 *   gadget stubjump PATH
 *                      jumps to each syscall instruction of the systrap
 *                      stub with openat(PATH, O_CREAT), in a child each
 *   gadget regions     under systrap: a forked child and its parent each
 *                      write their stub's shared region; neither sees the
 *                      other's writes
 *   gadget stubclone   under systrap: makes a host process of its own by
 *                      jumping to a syscall of the stub with clone's
 *                      number; it must not outlive persona
 *   gadget stealfd PATH
 *                      under systrap: as nobody, one thread maps PATH (a
 *                      read-only file) over and over while another takes
 *                      fds off the stub's control socket with the stub's
 *                      own recvmsg and maps them shared and writable
 *   gadget scratch     a process of another uid scribbles over its stub's
 *                      shared pages (the ptrace stub's scratch page, the
 *                      systrap stub's slots) from one thread while another
 *                      maps files; a second process checks that its own
 *                      mappings show its files and that it can exec
 *   gadget patchtable  under systrap, once its calls are patched: the patch
 *                      table (which a process shares with its forks) can
 *                      be read but not written, neither after the guest's
 *                      mprotect nor after the host's, made through the
 *                      stub's own syscall; the calls still work after
 * Under ptrace the gadget's syscall is an ordinary guest call (the file
 * lands in the guest's world); under systrap the host's filter kills the
 * process that makes a call the stub never makes. Scribbling hurts no one
 * else. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdbool.h>
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define STUB_GADGET	0x7fe000000000UL
#define STUB_SCRATCH	0x7fe000001000UL
#define SYSTRAP_TEXT	0x7fe000000000UL
#define SYSTRAP_TEXT_SIZE 0x10000UL
#define SYSTRAP_REGION	0x7fe000100000UL
#define SYSTRAP_AREA	0x10000UL

/* The ptrace stub begins with its gadget, "syscall; int3". */
static int ptrace_stub(void)
{
	const unsigned char *p = (const unsigned char *)STUB_GADGET;
	return p[0] == 0x0f && p[1] == 0x05 && p[2] == 0xcc;
}

static volatile uint64_t gadget_result;
static volatile int in_gadget;

/* The gadget's int3 comes back as SIGTRAP: take the result, go on. */
static void on_trap(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si;
	ucontext_t *u = uc;
	if (!in_gadget)
		_exit(9);
	gadget_result = u->uc_mcontext.gregs[REG_RAX];
	in_gadget = 0;
	u->uc_mcontext.gregs[REG_RIP] = u->uc_mcontext.gregs[REG_R12];	/* back to the caller */
}

static long via_gadget(long nr, long a0, long a1, long a2, long a3)
{
	in_gadget = 1;
	__asm__ volatile("lea 1f(%%rip), %%r12\n\tmov %1, %%rax\n\tmov %2, %%rdi\n\tmov %3, %%rsi\n\t"
			 "mov %4, %%rdx\n\tmov %5, %%r10\n\tjmp *%6\n1:"
			 : "=m"(gadget_result)
			 : "r"(nr), "r"(a0), "r"(a1), "r"(a2), "r"(a3), "r"(STUB_GADGET)
			 : "rax", "rdi", "rsi", "rdx", "r10", "r12", "rcx", "r11", "memory");
	return (long)gadget_result;
}

static int jump(const char *path)
{
	struct sigaction sa = { .sa_sigaction = on_trap, .sa_flags = SA_SIGINFO };
	sigaction(SIGTRAP, &sa, NULL);
	long fd = via_gadget(SYS_openat, AT_FDCWD, (long)path, O_CREAT | O_WRONLY, 0644);
	printf("openat through the gadget: %s\n", fd >= 0 ? "an fd" : "failed");
	printf("the file is in the guest's world: %s\n", access(path, F_OK) == 0 ? "yes" : "no");
	long s = via_gadget(SYS_socket, AF_UNIX, SOCK_STREAM, 0, 0);
	printf("socket through the gadget: %s\n", s >= 0 ? "a guest socket" : "failed");
	long k = via_gadget(SYS_kill, 1, 0, 0, 0);
	printf("kill(1, 0) through the gadget: %ld\n", k);
	return 0;
}

static sigjmp_buf fault_jmp;

static void on_fault(int sig)
{
	(void)sig;
	siglongjmp(fault_jmp, 1);
}

static int stubjump(const char *path)
{
	const unsigned char *text = (const unsigned char *)SYSTRAP_TEXT;
	int n = 0, killed = 0, other = 0;
	/* The stub's text is hidden from /proc/self/maps: read it page by
	 * page until a page faults. */
	size_t size = 0;
	struct sigaction sa = { .sa_handler = on_fault }, old;
	sigaction(SIGSEGV, &sa, &old);
	while (size < SYSTRAP_TEXT_SIZE && sigsetjmp(fault_jmp, 1) == 0) {
		(void)*(volatile const unsigned char *)(SYSTRAP_TEXT + size);
		size += 4096;
	}
	sigaction(SIGSEGV, &old, NULL);
	for (size_t off = 0; off + 1 < size; off++) {
		if (text[off] != 0x0f || text[off + 1] != 0x05)
			continue;
		n++;
		pid_t pid = fork();
		if (pid == 0) {
			uint64_t at = SYSTRAP_TEXT + off;
			__asm__ volatile("mov %0, %%rax\n\tmov %1, %%rdi\n\tmov %2, %%rsi\n\t"
					 "mov %3, %%rdx\n\tmov %4, %%r10\n\tjmp *%5"
					 :: "r"((long)SYS_openat), "r"((long)AT_FDCWD), "r"(path),
					    "r"((long)(O_CREAT | O_WRONLY)), "r"(0644L), "r"(at)
					 : "rax", "rdi", "rsi", "rdx", "r10", "memory");
			_exit(0);
		}
		int st;
		waitpid(pid, &st, 0);
		if (WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS)
			killed++;
		else
			other++;
	}
	printf("syscall instructions in the stub: %s\n", n > 0 ? "some" : "none");
	printf("killed by SIGSYS: %s\n", killed == n ? "all" : "not all");
	printf("the file is in the guest's world: %s\n", access(path, F_OK) == 0 ? "yes" : "no");
	return other != 0;
}

static int regions(void)
{
	volatile uint64_t *mark = (volatile uint64_t *)(SYSTRAP_REGION + 0x100);
	*mark = 0x1111;
	pid_t pid = fork();
	if (pid == 0) {
		printf("the child sees its parent's mark: %s\n", *mark == 0x1111 ? "yes" : "no");
		*mark = 0x2222;
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	printf("the parent sees its child's mark: %s\n", *mark == 0x2222 ? "yes" : "no");
	return 0;
}

/* A syscall of the stub followed by ud2 (its signal return): the clone
 * comes back in both processes as a SIGILL there. */
static sigjmp_buf ill_jmp;

static void on_ill(int sig)
{
	(void)sig;
	siglongjmp(ill_jmp, 1);
}

static int stubclone(void)
{
	const unsigned char *text = (const unsigned char *)SYSTRAP_TEXT;
	uint64_t at = 0;
	for (size_t off = 0; off + 3 < 4096 && !at; off++)
		if (text[off] == 0x0f && text[off + 1] == 0x05 && text[off + 2] == 0x0f && text[off + 3] == 0x0b)
			at = SYSTRAP_TEXT + off;
	if (!at) {
		printf("no syscall; ud2 in the stub\n");
		return 1;
	}
	struct sigaction sa = { .sa_handler = on_ill, .sa_flags = SA_NODEFER };
	sigaction(SIGILL, &sa, NULL);
	if (sigsetjmp(ill_jmp, 1) == 0) {
		__asm__ volatile("mov %0, %%rax\n\tmov %1, %%rdi\n\txor %%esi, %%esi\n\tjmp *%2"
				 :: "r"((long)SYS_clone), "r"((long)(0x8000 /* CLONE_PARENT */ | SIGCHLD)), "r"(at)
				 : "rax", "rdi", "rsi", "memory");
	}
	printf("back from the stub's clone\n");
	return 0;
}

/* Calls host system call `nr` on the stub's "syscall; ud2" (at `at`): the
 * SIGILL that follows brings the result back through the guest handler. */
static __thread sigjmp_buf call_jmp;
static __thread volatile long call_ret;

static void on_call_ill(int sig, siginfo_t *si, void *uc)
{
	(void)sig; (void)si;
	call_ret = ((ucontext_t *)uc)->uc_mcontext.gregs[REG_RAX];
	siglongjmp(call_jmp, 1);
}

static long stub_call(uint64_t at, long nr, long a0, long a1, long a2, long a3, long a4, long a5)
{
	if (sigsetjmp(call_jmp, 1) == 0) {
		register long r10 __asm__("r10") = a3, r8 __asm__("r8") = a4, r9 __asm__("r9") = a5;
		__asm__ volatile("jmp *%6" :: "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(at), "r"(r9)
				 : "memory");
	}
	return call_ret;
}

static uint64_t syscall_ud2(void)
{
	const unsigned char *text = (const unsigned char *)SYSTRAP_TEXT;
	for (size_t off = 0; off + 3 < 4096; off++)
		if (text[off] == 0x0f && text[off + 1] == 0x05 && text[off + 2] == 0x0f && text[off + 3] == 0x0b)
			return SYSTRAP_TEXT + off;
	return 0;
}

static volatile int stolen, shared_maps, done_mapping;

static void *thief(void *arg)
{
	uint64_t at = *(uint64_t *)arg;
	while (!done_mapping) {
		char byte;
		union { char buf[64]; struct cmsghdr align; } ctl;
		struct iovec iov = { &byte, 1 };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
				     .msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf) };
		long r = stub_call(at, SYS_recvmsg, 3, (long)&mh, MSG_DONTWAIT, 0, 0, 0);
		if (r != 1 || mh.msg_controllen < CMSG_LEN(sizeof(int)))
			continue;
		int fd;
		memcpy(&fd, CMSG_DATA((struct cmsghdr *)ctl.buf), sizeof(fd));
		stolen++;
		long m = stub_call(at, SYS_mmap, 0, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		if (m > 0) {
			shared_maps++;
			memcpy((void *)m, "HACKED", 6);
		}
	}
	return NULL;
}

static int stealfd(const char *path)
{
	uint64_t at = syscall_ud2();
	if (!at)
		return 1;
	struct sigaction sa = { .sa_sigaction = on_call_ill, .sa_flags = SA_SIGINFO | SA_NODEFER };
	sigaction(SIGILL, &sa, NULL);
	if (setgid(65534) || setuid(65534))
		return 1;
	pthread_t th;
	pthread_create(&th, NULL, thief, &at);
	for (int i = 0; i < 20000 && !shared_maps && (i < 200 || !stolen); i++) {
		int fd = open(path, O_RDONLY);
		void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		if (m != MAP_FAILED)
			munmap(m, 4096);
		close(fd);
	}
	done_mapping = 1;
	pthread_join(th, NULL);
	printf("fds taken off the channel: %s\n", stolen ? "some" : "none");
	printf("shared writable maps of them: %d\n", shared_maps);
	return 0;
}

static volatile int stop;

static void *scribble(void *arg)
{
	(void)arg;
	unsigned seed = 1;
	int ptrace = ptrace_stub();
	while (!stop) {
		if (ptrace) {
			volatile int *p = (volatile int *)STUB_SCRATCH;
			for (int i = 0; i < 64; i++)
				p[i] = (rand_r(&seed) & 1) ? 3 : rand_r(&seed) % 8;
			continue;
		}
		/* the header and the first slots: states, events, requests,
		 * frame pointers */
		for (int a = 0; a < 8; a++) {
			volatile uint32_t *p = (volatile uint32_t *)(SYSTRAP_REGION + a * SYSTRAP_AREA);
			for (int i = 0; i < 64; i++)
				p[i] = (rand_r(&seed) & 1) ? (uint32_t)rand_r(&seed) % 6 : (uint32_t)rand_r(&seed);
		}
	}
	return NULL;
}

static int mapping_matches(const char *path)
{
	char want[256] = { 0 };
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, want, sizeof(want));
	char *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (m == MAP_FAILED)
		return 0;	/* a failed map is no lie */
	int ok = n > 0 && memcmp(m, want, n) == 0;
	munmap(m, 4096);
	return ok ? 1 : -1;
}

static int scratch(void)
{
	int go[2];
	if (pipe(go))
		return 1;
	pid_t victim = fork();
	if (victim == 0) {
		char c;
		read(go[0], &c, 1);
		int bad = 0, good = 0;
		for (int i = 0; i < 300; i++) {
			int r = mapping_matches("/etc/hostname");
			bad += r < 0;
			good += r > 0;
		}
		printf("victim: %d mappings showed another file\n", bad);
		printf("victim: mappings %s\n", good == 300 ? "all fine" : "failed");
		fflush(stdout);
		execl("/bin/sh", "sh", "-c", "exit 7", (char *)NULL);	/* a dynamic exec */
		_exit(99);
	}
	/* The scribbler may well break its own process (it is its own to
	 * break), so nothing waits on it: the victim starts a moment after. */
	pid_t scribbler = fork();
	if (scribbler == 0) {
		if (setgid(65534) || setuid(65534))
			_exit(1);
		pthread_t th;
		pthread_create(&th, NULL, scribble, NULL);
		for (;;)
			mapping_matches("/etc/passwd");
	}
	usleep(200000);
	write(go[1], "g", 1);
	int st;
	waitpid(victim, &st, 0);
	kill(scribbler, SIGKILL);
	waitpid(scribbler, NULL, 0);
	printf("victim's exec: %s\n", WIFEXITED(st) && WEXITSTATUS(st) == 7 ? "ran" : "failed");
	return 0;
}

#define PATCH_TABLE 0x70000000UL

static bool table_writable(void)
{
	struct sigaction sa = { .sa_handler = on_fault }, old;
	sigaction(SIGSEGV, &sa, &old);
	volatile bool wrote = false;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		volatile uint64_t *w = (volatile uint64_t *)PATCH_TABLE;
		*w = *w;
		wrote = true;
	}
	sigaction(SIGSEGV, &old, NULL);
	return wrote;
}

static int patchtable(void)
{
	pid_t me = getpid();
	for (int i = 0; i < 200; i++)
		getppid();
	struct sigaction sa = { .sa_handler = on_fault }, old;
	sigaction(SIGSEGV, &sa, &old);
	volatile bool readable = false;
	if (sigsetjmp(fault_jmp, 1) == 0) {
		(void)*(volatile uint64_t *)PATCH_TABLE;
		readable = true;
	}
	sigaction(SIGSEGV, &old, NULL);
	printf("the table is there: %s\n", readable ? "yes" : "no");
	printf("writable: %s\n", table_writable() ? "yes" : "no");
	mprotect((void *)PATCH_TABLE, 4096, PROT_READ | PROT_WRITE);
	printf("writable after mprotect: %s\n", table_writable() ? "yes" : "no");
	uint64_t at = syscall_ud2();
	struct sigaction ill = { .sa_sigaction = on_call_ill, .sa_flags = SA_SIGINFO | SA_NODEFER };
	sigaction(SIGILL, &ill, NULL);
	long r = at ? stub_call(at, SYS_mprotect, PATCH_TABLE, 4096, PROT_READ | PROT_WRITE, 0, 0, 0) : 0;
	printf("the host's mprotect through the stub: %s\n", r == -EACCES ? "EACCES" : "not refused");
	printf("writable after it: %s\n", table_writable() ? "yes" : "no");
	int right = 0;
	for (int i = 0; i < 100; i++)
		right += getpid() == me;
	printf("calls right after: %d of 100\n", right);
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	if (argc > 1 && !strcmp(argv[1], "patchtable"))
		return patchtable();
	if (argc > 2 && !strcmp(argv[1], "jump"))
		return jump(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "stubjump"))
		return stubjump(argv[2]);
	if (argc > 2 && !strcmp(argv[1], "stealfd"))
		return stealfd(argv[2]);
	if (argc > 1 && !strcmp(argv[1], "regions"))
		return regions();
	if (argc > 1 && !strcmp(argv[1], "stubclone"))
		return stubclone();
	if (argc > 1 && !strcmp(argv[1], "scratch"))
		return scratch();
	return 2;
}
