/* Signal delivery: handlers and siginfo, SA_RESTART or EINTR, nested
 * handlers and SA_NODEFER, SA_RESETHAND, the alternate stack, masks and
 * dispositions across fork and exec, queued real-time signals, faults
 * (SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP) with their codes and
 * addresses, SIGCHLD, interval timers, and FP state kept across a
 * handler. */
#include "abi.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static volatile sig_atomic_t hits, depth, max_depth, raises;
static volatile int got_code, got_signo, got_value, from_self;
static volatile void *fault_addr;
static sigjmp_buf jb;

static void nap(int ms)
{
	struct timespec d = { 0, ms * 1000000L };
	while (nanosleep(&d, &d) && errno == EINTR)
		;
}

static void on_info(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	hits++;
	got_signo = s;
	got_code = si->si_code;
	got_value = si->si_value.sival_int;
	from_self = si->si_pid == getpid();
}

static void setup(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa = { 0 };
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	MUST(sigaction(sig, &sa, NULL));
}

static void nested(int s, siginfo_t *si, void *uc)
{
	(void)si;
	(void)uc;
	depth++;
	if (depth > max_depth)
		max_depth = depth;
	if (raises < 2) {	/* two more: nested now, or deferred */
		raises++;
		raise(s);
	}
	depth--;
}

static void on_fault(int s, siginfo_t *si, void *uc)
{
	(void)uc;
	got_signo = s;
	got_code = si->si_code;
	fault_addr = si->si_addr;
	siglongjmp(jb, 1);
}

static char *alt_base;
static volatile int on_alt, alt_flag;
static void on_altstack(int s, siginfo_t *si, void *uc)
{
	(void)s;
	(void)si;
	(void)uc;
	char here;
	on_alt = &here >= alt_base && &here < alt_base + 65536;
	stack_t cur;
	sigaltstack(NULL, &cur);
	alt_flag = cur.ss_flags;
}

/* A child that sends `sig` to us after `ms`. */
static pid_t poke_later(int sig, int ms)
{
	pid_t parent = getpid(), c = fork();
	if (c == 0) {
		nap(ms);
		kill(parent, sig);
		_exit(0);
	}
	return c;
}

static void show_disp(const char *label, int sig)
{
	struct sigaction sa;
	sigaction(sig, NULL, &sa);
	printf("%s: %s\n", label, sa.sa_handler == SIG_IGN ? "ignored" :
	       sa.sa_handler == SIG_DFL ? "default" : "handler");
}

static int exec_child(void)
{
	sigset_t cur;
	sigprocmask(SIG_SETMASK, NULL, &cur);
	printf("exec: usr2 blocked=%d\n", sigismember(&cur, SIGUSR2));
	show_disp("exec: usr1", SIGUSR1);
	show_disp("exec: pipe", SIGPIPE);
	return 0;
}

static double fp_work(double x)
{
	for (int i = 0; i < 100; i++)
		x = x * 1.0001 + 0.5;
	return x;
}

static volatile double fp_sink;
static void on_fp(int s)
{
	(void)s;
	fp_sink = fp_work(3.0);
	hits++;
}

int main(int argc, char **argv)
{
	if (argc > 1)
		return exec_child();
	setvbuf(stdout, NULL, _IONBF, 0);
	scratch();

	SECTION("siginfo");
	setup(SIGUSR1, on_info, 0);
	T(raise(SIGUSR1));
	P("hits/signo/code/self", "%d %d %d %d", hits, got_signo, got_code, from_self);
	T(kill(getpid(), SIGUSR1));
	P("kill code/self", "%d %d", got_code, from_self);
	union sigval v = { .sival_int = 1234 };
	T(sigqueue(getpid(), SIGUSR1, v));
	P("queue code/value", "%d %d", got_code, got_value);

	SECTION("restart or EINTR");
	int p[2];
	MUST(pipe(p));
	char c;
	setup(SIGUSR1, on_info, SA_RESTART);
	pid_t k = poke_later(SIGUSR1, 50);
	pid_t w = fork();
	if (w == 0) {
		nap(150);
		MUST(write(p[1], "x", 1));
		_exit(0);
	}
	hits = 0;
	T(read(p[0], &c, 1));
	P("handler ran", "%d", hits);
	waitpid(k, NULL, 0);
	waitpid(w, NULL, 0);
	setup(SIGUSR1, on_info, 0);
	k = poke_later(SIGUSR1, 50);
	T(read(p[0], &c, 1));
	waitpid(k, NULL, 0);

	SECTION("nested handlers");
	setup(SIGUSR2, nested, SA_NODEFER);
	depth = max_depth = raises = 0;
	T(raise(SIGUSR2));
	P("max depth with SA_NODEFER", "%d", max_depth);
	setup(SIGUSR2, nested, 0);
	depth = max_depth = raises = 0;
	T(raise(SIGUSR2));
	P("max depth without", "%d", max_depth);

	SECTION("SA_RESETHAND");
	setup(SIGUSR2, on_info, SA_RESETHAND);
	T(raise(SIGUSR2));
	show_disp("after one delivery", SIGUSR2);
	k = fork();
	if (k == 0) {
		setup(SIGUSR2, on_info, SA_RESETHAND);
		raise(SIGUSR2);
		raise(SIGUSR2);
		_exit(0);
	}
	int st;
	T(waitpid(k, &st, 0) == k);
	P("second delivery kills", "%d", WIFSIGNALED(st) && WTERMSIG(st) == SIGUSR2);

	SECTION("alternate stack");
	alt_base = malloc(65536);
	stack_t ss = { .ss_sp = alt_base, .ss_size = 65536, .ss_flags = 0 };
	T(sigaltstack(&ss, NULL));
	setup(SIGUSR1, on_altstack, SA_ONSTACK);
	T(raise(SIGUSR1));
	P("ran on the alt stack", "%d", on_alt);
	P("ss_flags inside", "%d", alt_flag);
	stack_t cur;
	T(sigaltstack(NULL, &cur));
	P("ss_flags outside", "%d", cur.ss_flags);
	ss.ss_size = 100;
	T(sigaltstack(&ss, NULL));
	ss.ss_flags = 99;
	ss.ss_size = 65536;
	T(sigaltstack(&ss, NULL));
	ss.ss_flags = SS_DISABLE;
	T(sigaltstack(&ss, NULL));

	SECTION("masks and dispositions across fork and exec");
	sigset_t b2;
	sigemptyset(&b2);
	sigaddset(&b2, SIGUSR2);
	MUST(sigprocmask(SIG_BLOCK, &b2, NULL));
	setup(SIGUSR1, on_info, 0);
	signal(SIGPIPE, SIG_IGN);
	k = fork();
	if (k == 0) {
		sigset_t m;
		sigprocmask(SIG_SETMASK, NULL, &m);
		printf("fork: usr2 blocked=%d\n", sigismember(&m, SIGUSR2));
		show_disp("fork: usr1", SIGUSR1);
		execl("/proc/self/exe", "sigdeliver", "exec", (char *)NULL);
		_exit(99);
	}
	T(waitpid(k, &st, 0) == k);
	P("exec child status", "%d", WEXITSTATUS(st));
	signal(SIGPIPE, SIG_DFL);

	SECTION("pending and sigtimedwait");
	MUST(raise(SIGUSR2));
	sigset_t pend;
	T(sigpending(&pend));
	P("usr2 pending", "%d", sigismember(&pend, SIGUSR2));
	siginfo_t si;
	T(sigtimedwait(&b2, &si, &(struct timespec){ 0, 0 }));
	P("taken code", "%d", si.si_code);
	T(sigtimedwait(&b2, &si, &(struct timespec){ 0, 20000000 }));
	sigset_t rt;
	sigemptyset(&rt);
	sigaddset(&rt, SIGRTMIN);
	sigaddset(&rt, SIGRTMIN + 1);
	MUST(sigprocmask(SIG_BLOCK, &rt, NULL));
	for (int i = 0; i < 3; i++) {
		v.sival_int = 10 + i;
		sigqueue(getpid(), SIGRTMIN + 1, v);
		v.sival_int = 20 + i;
		sigqueue(getpid(), SIGRTMIN, v);
	}
	for (int i = 0; i < 6; i++) {
		int s = sigwaitinfo(&rt, &si);
		printf("rt: sig=RTMIN+%d value=%d\n", s - SIGRTMIN, si.si_value.sival_int);
	}
	T(kill(getpid(), 0));
	T(kill(getpid(), 65));
	T(kill(0x3fffffff, SIGUSR1));
	T(syscall(SYS_rt_sigtimedwait, &b2, &si, BADP, 8));

	SECTION("faults");
	setup(SIGSEGV, on_fault, 0);
	setup(SIGBUS, on_fault, 0);
	setup(SIGFPE, on_fault, 0);
	setup(SIGILL, on_fault, 0);
	setup(SIGTRAP, on_fault, 0);
	volatile int *bad = (int *)0x10;
	if (!sigsetjmp(jb, 1))
		*bad = 1;
	P("segv code/addr", "%d %d", got_code, fault_addr == (void *)bad);
	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(jb, 1))
		*(volatile char *)ro = 1;
	P("segv on read-only code/addr", "%d %d", got_code, fault_addr == ro);
	int fd;
	MUST(fd = open("sigbus-file", O_RDWR | O_CREAT | O_TRUNC, 0600));
	MUST(ftruncate(fd, 4096));
	char *m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (!sigsetjmp(jb, 1))
		(void)*(volatile char *)(m + 4096);
	P("bus signo/code/addr", "%d %d %d", got_signo, got_code, fault_addr == m + 4096);
	if (!sigsetjmp(jb, 1)) {
		int a = 1, b = 0;	/* a real idiv: C's 1/x may not divide */
		__asm__ volatile("xor %%edx, %%edx; idivl %1" : "+a"(a) : "r"(b) : "edx");
	}
	P("fpe signo/code", "%d %d", got_signo, got_code);
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("ud2");
	P("ill signo/code", "%d %d", got_signo, got_code);
	if (!sigsetjmp(jb, 1))
		__asm__ volatile("int3");
	P("trap signo/code", "%d %d", got_signo, got_code);

	SECTION("SIGCHLD");
	setup(SIGCHLD, on_info, 0);
	hits = 0;
	k = fork();
	if (k == 0)
		_exit(3);
	T(waitpid(k, &st, 0) == k);
	P("sigchld signo/code", "%d %d", got_signo, got_code);
	signal(SIGCHLD, SIG_DFL);

	SECTION("interval timer");
	setup(SIGALRM, on_info, 0);
	hits = 0;
	struct itimerval it = { { 0, 20000 }, { 0, 20000 } }, old;
	T(setitimer(ITIMER_REAL, &it, NULL));
	while (hits < 3)
		pause();
	memset(&it, 0, sizeof(it));
	T(setitimer(ITIMER_REAL, &it, &old));
	P("interval kept", "%d", old.it_interval.tv_usec == 20000);
	P("alarm code", "%d", got_code);
	T(alarm(5));
	T(alarm(0) > 3);
	T(setitimer(7, &it, NULL));

	SECTION("FP state survives a handler");
	signal(SIGUSR1, on_fp);
	double before = fp_work(1.0);
	volatile double x = 1.0;
	x = fp_work(x);
	raise(SIGUSR1);
	P("fp unchanged", "%d", x == before);
	return 0;
}
