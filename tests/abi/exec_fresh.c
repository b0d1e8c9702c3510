/* exec_fresh: a new program starts from nothing of the old one's
 * (persona may load it into the caller's own host process, so each thing
 * the old program left in it must be gone):
 *   - the floating-point state: MXCSR and the x87 control word are the
 *     initial ones even if the old program changed them;
 *   - memory: a mapping the old program made is gone (a write there
 *     faults), shared or private, below or above the usual areas;
 *   - an exec that fails for the file (a missing ELF interpreter) comes
 *     back to the caller with its memory whole. */
#include "abi.h"
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>

#define LOW ((char *)0x200000000UL)
#define HIGH ((char *)0x7f0000000000UL)

/* In a child: does writing to `p` fault? */
static const char *write_faults(char *p)
{
	pid_t pid = fork();
	if (pid == 0) {
		*(volatile char *)p = 1;
		_exit(0);
	}
	int st;
	waitpid(pid, &st, 0);
	return WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV ? "faults" : "no fault";
}

static void after_exec(void)
{
	unsigned mxcsr;
	unsigned short fcw;
	__asm__ volatile("stmxcsr %0" : "=m"(mxcsr));
	__asm__ volatile("fnstcw %0" : "=m"(fcw));
	P("MXCSR after exec", "%#x", mxcsr);
	P("x87 control word after exec", "%#x", fcw);
	P("low private mapping", "%s", write_faults(LOW));
	P("high shared mapping", "%s", write_faults(HIGH));
}

/* A copy of a dynamic program whose PT_INTERP names no file. */
static int make_bad_interp(const char *out)
{
	FILE *in = fopen("/bin/true", "rb");
	if (!in)
		return -1;
	static char buf[1 << 20];
	size_t n = fread(buf, 1, sizeof(buf), in);
	fclose(in);
	char *p = memmem(buf, n, "/lib64/ld-linux-x86-64.so.2", 27);
	if (!p)
		return -1;
	p[26] = 'X';
	put_file(out, "");
	FILE *o = fopen(out, "wb");
	fwrite(buf, 1, n, o);
	fclose(o);
	return chmod(out, 0755);
}

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		after_exec();
		/* the scratch directory the old program made */
		char dir[4096];
		MUST(unlink("badinterp"));
		MUST(getcwd(dir, sizeof(dir)) ? 0 : -1);
		MUST(chdir("/"));
		MUST(rmdir(dir));
		return 0;
	}
	scratch();
	MUST(make_bad_interp("badinterp"));
	char *low = mmap(LOW, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	char *high = mmap(HIGH, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	MUST(low == LOW && high == HIGH ? 0 : -1);
	low[0] = 7;
	high[0] = 8;
	P("before exec, low", "%s", write_faults(LOW));

	SECTION("an exec that fails for its interpreter");
	char *bad[] = { "badinterp", NULL };
	T(execv("badinterp", bad));
	P("memory after the failed exec", "%d %d", low[0], high[0]);

	SECTION("the new program");
	fflush(stdout);
	unsigned mxcsr = 0x9fc0;	/* flush-to-zero, denormals-are-zero */
	unsigned short fcw = 0x27f;	/* 53-bit precision */
	__asm__ volatile("ldmxcsr %0" : : "m"(mxcsr));
	__asm__ volatile("fldcw %0" : : "m"(fcw));
	char *args[] = { argv[0], "child", NULL };
	execv("/proc/self/exe", args);
	printf("execv = -1 %s\n", ename(errno));
	return 1;
}
