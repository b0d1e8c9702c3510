/* misc: sysinfo arch_prctl sched_yield sched_getaffinity set_robust_list. */
#include "abi.h"
#include <asm/prctl.h>
#include <sched.h>
#include <sys/sysinfo.h>

static void t_sysinfo(void)
{
	SECTION("sysinfo");
	struct sysinfo si;
	memset(&si, 0, sizeof si);
	T(syscall(SYS_sysinfo, &si));
	P("mem_unit > 0", "%d", si.mem_unit > 0);
	P("totalram > 0", "%d", si.totalram > 0);
	P("freeram <= totalram", "%d", si.freeram <= si.totalram);
	P("procs > 0", "%d", si.procs > 0);
	P("uptime > 0", "%d", si.uptime > 0);
	T(syscall(SYS_sysinfo, BADP));
	T(syscall(SYS_sysinfo, NULL));
}

/* arch_prctl without libc: while FS points elsewhere, errno and stdio
 * (which live in TLS) must not be touched */
static long raw_arch_prctl(long code, unsigned long addr)
{
	long r;
	__asm__ volatile("syscall" : "=a"(r) : "0"((long)SYS_arch_prctl), "D"(code), "S"(addr)
			 : "rcx", "r11", "memory");
	return r;
}

static void t_arch_prctl(void)
{
	SECTION("arch_prctl");
	unsigned long fs = 0, gs = 1, self;
	T(syscall(SYS_arch_prctl, ARCH_GET_FS, &fs));
	/* glibc keeps a pointer to the thread control block at %fs:0 */
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	P("fs base is the TCB", "%d", fs != 0 && self == fs);
	T(syscall(SYS_arch_prctl, ARCH_GET_GS, &gs));
	P("gs base", "%lu", gs);
	/* setting FS to the same value keeps TLS working */
	T(syscall(SYS_arch_prctl, ARCH_SET_FS, fs));
	errno = 0;
	P("TLS errno still works", "%d", errno == 0);
	/* move FS to a copy of the TCB area and back */
	static unsigned long fake[64];
	fake[0] = (unsigned long)fake;
	long r1 = raw_arch_prctl(ARCH_SET_FS, (unsigned long)fake);
	__asm__ volatile("mov %%fs:0, %0" : "=r"(self));
	long r2 = raw_arch_prctl(ARCH_SET_FS, fs);
	P("set to fake, set back", "%ld %ld", r1, r2);
	P("%fs:0 followed the base", "%d", self == (unsigned long)fake);
	T(syscall(SYS_arch_prctl, ARCH_GET_FS, BADP));
	T(syscall(SYS_arch_prctl, 0x9999, 0));
	T(syscall(SYS_arch_prctl, ARCH_SET_FS, 1UL << 63));  /* non-canonical */
}

static void t_sched(void)
{
	SECTION("sched");
	T(sched_yield());
	T(syscall(SYS_sched_yield));
	cpu_set_t set;
	CPU_ZERO(&set);
	/* the size of the kernel's mask is a configuration detail: not printed */
	long r = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
	P("returned a whole number of longs", "%d", r > 0 && r % sizeof(long) == 0);
	P("at least one cpu", "%d", CPU_COUNT(&set) >= 1);
	P("libc agrees", "%d", sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1);
	T(syscall(SYS_sched_getaffinity, 0, 1, &set) );       /* smaller than the kernel's mask */
	T(syscall(SYS_sched_getaffinity, 0, 7, &set));        /* not a multiple of long */
	T(syscall(SYS_sched_getaffinity, 0, sizeof set, BADP));
	T(syscall(SYS_sched_getaffinity, 999999999, sizeof set, &set));
	P("by own pid", "%d", syscall(SYS_sched_getaffinity, getpid(), sizeof set, &set) == r);
}

static void t_robust(void)
{
	SECTION("set_robust_list");
	/* struct robust_list_head is 24 bytes on x86_64 */
	static unsigned long head[3];
	head[0] = (unsigned long)head;
	T(syscall(SYS_set_robust_list, head, 24));
	T(syscall(SYS_set_robust_list, head, 23));
	T(syscall(SYS_set_robust_list, head, 0));
	T(syscall(SYS_set_robust_list, NULL, 24));
}

int main(void)
{
	t_sysinfo();
	t_arch_prctl();
	t_sched();
	t_robust();
	return 0;
}
