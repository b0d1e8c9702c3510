/* sched: the scheduling policy calls (man 2 sched_setscheduler,
 * sched_setattr, sched_get_priority_max, sched_rr_get_interval): the
 * priority ranges, argument checks (EINVAL, EFAULT, ESRCH, E2BIG), the
 * policy kept per thread, what fork inherits and SCHED_RESET_ON_FORK
 * resets, and what an unprivileged caller may not do (EPERM). */
#include "abi.h"
#include <sched.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/wait.h>

#ifndef SCHED_RESET_ON_FORK
#define SCHED_RESET_ON_FORK 0x40000000
#endif
#define SCHED_DEADLINE 6

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};

static long setattr(pid_t pid, struct attr *a, unsigned flags)
{
	return syscall(SYS_sched_setattr, pid, a, flags);
}

static void show(const char *label, pid_t pid)
{
	struct sched_param sp = { -1 };
	long pol = syscall(SYS_sched_getscheduler, pid);
	long r = syscall(SYS_sched_getparam, pid, &sp);
	struct attr a;
	memset(&a, 0xee, sizeof(a));
	long g = syscall(SYS_sched_getattr, pid, &a, sizeof(a), 0);
	/* A fair task's runtime is its time slice, which depends on the
	 * number of CPUs unless the task set its own. */
	if (a.policy != SCHED_DEADLINE && a.runtime && a.runtime != 100000 && a.runtime != 100000000)
		a.runtime = 1;
	printf("%s: policy %#lx param %ld/%d getattr %ld size %u policy %u flags %#llx nice %d prio %u"
	       " dl %llu/%llu/%llu\n", label, pol, r, sp.sched_priority, g, a.size, a.policy,
	       (unsigned long long)a.flags, a.nice, a.priority, (unsigned long long)a.runtime,
	       (unsigned long long)a.deadline, (unsigned long long)a.period);
}

static void ranges(void)
{
	SECTION("priority ranges");
	static const int pols[] = { SCHED_OTHER, SCHED_FIFO, SCHED_RR, SCHED_BATCH, 4, SCHED_IDLE,
				    SCHED_DEADLINE, 7, -1, SCHED_FIFO | SCHED_RESET_ON_FORK };
	for (unsigned i = 0; i < sizeof(pols) / sizeof(pols[0]); i++) {
		char l[64];
		snprintf(l, sizeof(l), "max(%#x)", pols[i]);
		TL(l, syscall(SYS_sched_get_priority_max, pols[i]));
		snprintf(l, sizeof(l), "min(%#x)", pols[i]);
		TL(l, syscall(SYS_sched_get_priority_min, pols[i]));
	}
}

static void args(void)
{
	SECTION("arguments");
	struct sched_param sp = { 0 };
	struct timespec ts;
	T(syscall(SYS_sched_getscheduler, -1));
	T(syscall(SYS_sched_getscheduler, 999999));
	T(syscall(SYS_sched_getparam, 0, NULL));
	T(syscall(SYS_sched_getparam, -1, &sp));
	T(syscall(SYS_sched_getparam, 999999, &sp));
	T(syscall(SYS_sched_getparam, 0, BADP));
	T(syscall(SYS_sched_setscheduler, 0, -1, &sp));
	T(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &sp));
	T(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	T(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BADP));
	T(syscall(SYS_sched_setscheduler, 999999, SCHED_OTHER, &sp));
	T(syscall(SYS_sched_setscheduler, 0, 4, &sp));
	T(syscall(SYS_sched_setscheduler, 0, 7, &sp));
	sp.sched_priority = 1;
	T(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &sp));
	T(syscall(SYS_sched_setscheduler, 0, SCHED_IDLE, &sp));
	sp.sched_priority = 0;
	T(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &sp));
	sp.sched_priority = 100;
	T(syscall(SYS_sched_setscheduler, 0, SCHED_RR, &sp));
	sp.sched_priority = -1;
	T(syscall(SYS_sched_setparam, 0, &sp));
	T(syscall(SYS_sched_setparam, 0, NULL));
	T(syscall(SYS_sched_rr_get_interval, -1, &ts));
	T(syscall(SYS_sched_rr_get_interval, 999999, &ts));
	T(syscall(SYS_sched_rr_get_interval, 0, BADP));
	show("unchanged", 0);
}

static void attr_args(void)
{
	SECTION("sched_setattr and sched_getattr");
	struct attr a = { .size = sizeof(a) };
	T(setattr(0, NULL, 0));
	T(setattr(-1, &a, 0));
	T(setattr(0, &a, 1));
	T(setattr(0, BADP, 0));
	T(setattr(999999, &a, 0));
	a.size = 47;
	T(setattr(0, &a, 0));
	P("size told back", "%u", a.size);
	char big[128] = { 0 };
	struct attr *b = (struct attr *)big;
	b->size = sizeof(big);
	T(setattr(0, b, 0));
	big[100] = 1;
	T(setattr(0, b, 0));
	P("size told back", "%u", b->size);
	a = (struct attr){ .size = 0, .policy = SCHED_BATCH, .nice = 5 };
	T(setattr(0, &a, 0));
	show("batch nice 5", 0);
	T(getpriority(PRIO_PROCESS, 0));
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER, .nice = 99 };
	T(setattr(0, &a, 0));
	show("nice clamped", 0);
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER, .flags = 0x80 };
	T(setattr(0, &a, 0));
	a = (struct attr){ .size = 48, .policy = SCHED_OTHER, .flags = 0x20 };
	T(setattr(0, &a, 0));
	a = (struct attr){ .size = sizeof(a), .policy = -1 };
	T(setattr(0, &a, 0));
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_RR, .priority = 7 };
	T(setattr(0, &a, 0));
	show("rr 7", 0);
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_FIFO, .priority = 3, .flags = 0x08 };
	T(setattr(0, &a, 0));
	show("keep policy", 0);
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_FIFO, .priority = 50, .flags = 0x10 };
	T(setattr(0, &a, 0));
	show("keep params", 0);
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER };
	T(setattr(0, &a, 0));
	struct attr g;
	T(syscall(SYS_sched_getattr, 0, NULL, sizeof(g), 0));
	T(syscall(SYS_sched_getattr, -1, &g, sizeof(g), 0));
	T(syscall(SYS_sched_getattr, 0, &g, 47, 0));
	T(syscall(SYS_sched_getattr, 0, &g, 4097, 0));
	T(syscall(SYS_sched_getattr, 0, &g, sizeof(g), 1));
	T(syscall(SYS_sched_getattr, 0, BADP, sizeof(g), 0));
	T(syscall(SYS_sched_getattr, 999999, &g, sizeof(g), 0));
	memset(big, 0x55, sizeof(big));
	T(syscall(SYS_sched_getattr, 0, big, sizeof(big), 0));
	P("size", "%u", ((struct attr *)big)->size);
	P("bytes past the struct zeroed", "%d", big[60] == 0 && big[127] == 0);
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER, .runtime = 50000 };
	T(setattr(0, &a, 0));
	show("own slice, raised to 0.1 ms", 0);
	struct sched_param sp = { 0 };
	T(sched_setscheduler(0, SCHED_BATCH, &sp));
	show("kept by sched_setscheduler", 0);
	a.runtime = 500000000;
	T(setattr(0, &a, 0));
	show("own slice, lowered to 100 ms", 0);
	a.runtime = 0;
	T(setattr(0, &a, 0));
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_RR, .priority = 3 };
	T(setattr(0, &a, 0));
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER, .flags = 0x10 };
	T(setattr(0, &a, 0));
	a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER };
	T(setattr(0, &a, 0));
}

static void deadline(void)
{
	SECTION("SCHED_DEADLINE");
	struct attr a = { .size = sizeof(a), .policy = SCHED_DEADLINE, .runtime = 10000000,
			  .deadline = 30000000, .period = 30000000 };
	struct attr bad = a;
	bad.runtime = 40000000;
	T(setattr(0, &bad, 0));
	bad = a;
	bad.deadline = 0;
	T(setattr(0, &bad, 0));
	bad = a;
	bad.period = 10000;
	T(setattr(0, &bad, 0));
	bad = a;
	bad.period = 1ULL << 63;
	T(setattr(0, &bad, 0));
	bad = a;
	bad.runtime = 100;
	T(setattr(0, &bad, 0));
	bad = a;
	bad.runtime = bad.deadline = bad.period = 5000000000ULL;
	T(setattr(0, &bad, 0));
	pid_t pid = fork();
	if (pid == 0) {
		T(setattr(0, &a, 0));
		show("deadline", 0);
		T(fork());
		a.flags = 1;
		T(setattr(0, &a, 0));
		pid_t c = fork();
		if (c == 0)
			_exit(syscall(SYS_sched_getscheduler, 0));
		int st;
		waitpid(c, &st, 0);
		P("child of a reset-on-fork deadline task", "policy %d", WEXITSTATUS(st));
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

static void inherit(void)
{
	SECTION("fork and SCHED_RESET_ON_FORK");
	struct sched_param sp = { 10 };
	pid_t pid = fork();
	if (pid == 0) {
		T(sched_setscheduler(0, SCHED_RR, &sp));
		struct timespec ts = { -1, -1 };
		T(syscall(SYS_sched_rr_get_interval, 0, &ts));
		P("rr slice", "%ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
		sp.sched_priority = 20;
		T(sched_setparam(0, &sp));
		pid_t c = fork();
		if (c == 0) {
			show("child of rr", 0);
			_exit(0);
		}
		waitpid(c, NULL, 0);
		T(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO | SCHED_RESET_ON_FORK, &sp));
		show("fifo reset-on-fork", 0);
		int pfd[2];
		MUST(pipe(pfd));
		c = fork();
		if (c == 0) {
			char x;
			read(pfd[0], &x, 1);
			_exit(0);
		}
		show("its child", c);
		sp.sched_priority = 5;
		T(syscall(SYS_sched_setparam, c, &sp));
		T(syscall(SYS_sched_setscheduler, c, SCHED_FIFO, &sp));
		show("child set fifo", c);
		write(pfd[1], "x", 1);
		waitpid(c, NULL, 0);
		struct attr a = { .size = sizeof(a), .policy = SCHED_OTHER, .nice = -5, .flags = 1 };
		T(setattr(0, &a, 0));
		c = fork();
		if (c == 0) {
			show("child of nice -5 reset-on-fork", 0);
			_exit(0);
		}
		waitpid(c, NULL, 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
	show("parent unchanged", 0);
}

static void perms(void)
{
	SECTION("permissions");
	pid_t parent = getpid();
	struct sched_param sp = { 10 };
	pid_t pid = fork();
	if (pid == 0) {
		struct attr a = { .size = sizeof(a), .policy = SCHED_OTHER, .flags = 1 };
		T(setattr(0, &a, 0));
		MUST(setuid(65534));
		T(sched_setscheduler(0, SCHED_FIFO, &sp));
		sp.sched_priority = 0;
		T(sched_setscheduler(0, SCHED_BATCH, &sp));
		T(sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp));
		T(sched_setscheduler(parent, SCHED_OTHER, &sp));
		T(syscall(SYS_sched_getscheduler, parent));
		a = (struct attr){ .size = sizeof(a), .policy = SCHED_OTHER, .nice = -1, .flags = 1 };
		T(setattr(0, &a, 0));
		a.nice = 3;
		T(setattr(0, &a, 0));
		a.nice = 2;
		T(setattr(0, &a, 0));
		T(sched_setscheduler(0, SCHED_IDLE, &sp));
		T(sched_setscheduler(0, SCHED_OTHER | SCHED_RESET_ON_FORK, &sp));
		a = (struct attr){ .size = sizeof(a), .policy = SCHED_DEADLINE, .runtime = 10000000,
				   .deadline = 30000000, .period = 30000000 };
		T(setattr(0, &a, 0));
		show("unprivileged", 0);
		_exit(0);
	}
	waitpid(pid, NULL, 0);
}

int main(void)
{
	ranges();
	args();
	attr_args();
	deadline();
	inherit();
	perms();
	return 0;
}
