/* signals: rt_sigaction and rt_sigprocmask through the raw calls and the
 * kernel's own struct (glibc's sigaction adds SA_RESTORER and hides
 * sigsetsize). No signal is delivered here. */
#include "abi.h"
#include <signal.h>

struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

#define BIT(s) (1UL << ((s) - 1))

static void handler(int sig) { (void)sig; }
static void restorer(void) { }

static long sigact(int sig, const struct ksigaction *act, struct ksigaction *old, size_t size)
{
	return syscall(SYS_rt_sigaction, sig, act, old, size);
}

static long mask(int how, const unsigned long *set, unsigned long *old, size_t size)
{
	return syscall(SYS_rt_sigprocmask, how, set, old, size);
}

static const char *disp(void (*h)(int))
{
	return h == SIG_DFL ? "SIG_DFL" : h == SIG_IGN ? "SIG_IGN" : h == handler ? "handler" : "other";
}

static void t_sigaction(void)
{
	SECTION("rt_sigaction");
	struct ksigaction act = { handler, SA_RESTORER | SA_RESTART, restorer, BIT(SIGUSR2) | BIT(SIGKILL) | BIT(SIGSTOP) };
	struct ksigaction old, dfl = { SIG_DFL, 0, NULL, 0 };
	/* start from a known state: the runner may have left anything */
	T(sigact(SIGUSR1, &dfl, NULL, 8));
	memset(&old, 0x55, sizeof old);
	T(sigact(SIGUSR1, &act, &old, 8));
	P("old", "%s flags=%lx mask=%lx", disp(old.handler), old.flags, old.mask);
	memset(&old, 0, sizeof old);
	T(sigact(SIGUSR1, NULL, &old, 8));
	/* SIGKILL and SIGSTOP never stay in sa_mask */
	P("now", "%s flags=%lx restorer_kept=%d mask=%lx", disp(old.handler), old.flags,
	  old.restorer == restorer, old.mask);
	struct ksigaction ign = { SIG_IGN, SA_RESTORER, restorer, 0 };
	T(sigact(SIGUSR1, &ign, &old, 8));
	P("old", "%s", disp(old.handler));
	T(sigact(SIGUSR1, NULL, &old, 8));
	P("now", "%s flags=%lx", disp(old.handler), old.flags);
	T(sigact(SIGUSR1, &dfl, NULL, 8));
	/* flags are kept as given, even odd combinations */
	struct ksigaction odd = { handler, SA_RESTORER | SA_SIGINFO | SA_NODEFER | SA_RESETHAND | SA_ONSTACK, restorer, 0 };
	T(sigact(SIGUSR2, &odd, NULL, 8));
	T(sigact(SIGUSR2, NULL, &old, 8));
	P("odd flags", "%lx", old.flags);
	T(sigact(SIGUSR2, &dfl, NULL, 8));
	/* real-time signals */
	T(sigact(SIGRTMIN, &act, NULL, 8));
	T(sigact(64, &act, NULL, 8));
	T(sigact(64, &dfl, NULL, 8));
	T(sigact(SIGRTMIN, &dfl, NULL, 8));
	/* bad signal numbers, uncatchable signals, bad size, bad pointers */
	T(sigact(0, &act, NULL, 8));
	T(sigact(65, &act, NULL, 8));
	T(sigact(-1, &act, NULL, 8));
	T(sigact(SIGKILL, &act, NULL, 8));
	T(sigact(SIGSTOP, &ign, NULL, 8));
	T(sigact(SIGKILL, NULL, &old, 8));   /* reading is fine */
	P("SIGKILL", "%s", disp(old.handler));
	T(sigact(SIGUSR1, &act, NULL, 4));
	T(sigact(SIGUSR1, &act, NULL, 16));
	T(sigact(SIGUSR1, BADP, NULL, 8));
	T(sigact(SIGUSR1, NULL, BADP, 8));
	T(sigact(SIGUSR1, NULL, NULL, 8));
}

static void t_sigprocmask(void)
{
	SECTION("rt_sigprocmask");
	unsigned long set, old;
	set = 0;
	T(mask(SIG_SETMASK, &set, NULL, 8));
	set = BIT(SIGUSR1) | BIT(SIGINT);
	T(mask(SIG_BLOCK, &set, &old, 8));
	P("old", "%lx", old);
	T(mask(SIG_BLOCK, NULL, &old, 8));
	P("now", "%lx", old);
	set = BIT(SIGINT);
	T(mask(SIG_UNBLOCK, &set, &old, 8));
	T(mask(SIG_SETMASK, NULL, &old, 8));
	P("after unblock", "%lx", old);
	/* SIGKILL and SIGSTOP are silently dropped */
	set = BIT(SIGKILL) | BIT(SIGSTOP) | BIT(SIGTERM) | BIT(SIGRTMIN) | BIT(64);
	T(mask(SIG_SETMASK, &set, &old, 8));
	P("old", "%lx", old);
	T(mask(SIG_BLOCK, NULL, &old, 8));
	P("after setmask", "%lx", old);
	/* how is ignored when set is NULL, checked otherwise */
	T(mask(99, NULL, &old, 8));
	T(mask(99, &set, &old, 8));
	T(mask(-1, &set, NULL, 8));
	T(mask(SIG_BLOCK, &set, NULL, 4));
	T(mask(SIG_BLOCK, &set, NULL, 16));
	T(mask(SIG_BLOCK, NULL, NULL, 7));
	T(mask(SIG_BLOCK, BADP, NULL, 8));
	T(mask(SIG_BLOCK, NULL, BADP, 8));
	T(mask(SIG_BLOCK, NULL, NULL, 8));
	/* failed calls did not change the mask */
	T(mask(SIG_BLOCK, NULL, &old, 8));
	P("unchanged", "%lx", old);
	/* glibc's view agrees */
	sigset_t s;
	sigemptyset(&s);
	T(sigprocmask(SIG_BLOCK, NULL, &s));
	P("libc sees SIGTERM", "%d", sigismember(&s, SIGTERM));
	P("libc sees SIGKILL", "%d", sigismember(&s, SIGKILL));
	set = 0;
	T(mask(SIG_SETMASK, &set, NULL, 8));
}

int main(void)
{
	t_sigaction();
	t_sigprocmask();
	return 0;
}
