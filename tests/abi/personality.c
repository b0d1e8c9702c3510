/* personality: personality(2) keeps any value and returns the old one,
 * 0xffffffff only asks; fork inherits it, exec keeps it but clears
 * READ_IMPLIES_EXEC; /proc/self/personality shows it; READ_IMPLIES_EXEC
 * makes readable mappings executable, UNAME26 changes uname's release,
 * STICKY_TIMEOUTS keeps select's timeout unchanged. */
#include "abi.h"
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/select.h>
#include <sys/utsname.h>
#include <sys/wait.h>

static long pers(unsigned long p) { return syscall(SYS_personality, p); }

static void proc_personality(const char *label)
{
	char buf[32] = "";
	int fd = open("/proc/self/personality", O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) < 0)
		printf("%s: /proc/self/personality: %s\n", label, ename(errno));
	else
		printf("%s: /proc/self/personality: %s", label, buf);
	if (fd >= 0)
		close(fd);
}

/* Whether the mapping at p is executable, from /proc/self/maps. */
static char exec_bit(void *p)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	char r = '?';
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long lo, hi;
		char perms[8];
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perms) == 3 && (unsigned long)p >= lo &&
		    (unsigned long)p < hi)
			r = perms[2];
	}
	if (f)
		fclose(f);
	return r;
}

int main(int argc, char **argv)
{
	if (argc > 1) {		/* after exec */
		printf("after exec: %#lx\n", pers(0xffffffff));
		proc_personality("after exec");
		return 0;
	}
	SECTION("values");
	static const unsigned long vals[] = { PER_LINUX, PER_SVR4, PER_BSD, PER_LINUX32,
					      PER_HPUX, 0x7f, 0x12345678, 0xfffffffe,
					      0x1fffffffful, PER_LINUX };
	printf("first = %#lx\n", pers(0xffffffff));
	for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
		long old = pers(vals[i]);
		printf("personality(%#lx) = %#lx, now %#lx\n", vals[i], old, pers(0xffffffff));
	}
	proc_personality("PER_LINUX");
	SECTION("fork and exec");
	pers(PER_LINUX | ADDR_NO_RANDOMIZE | READ_IMPLIES_EXEC | SHORT_INODE);
	proc_personality("flags");
	pid_t pid = fork();
	if (pid == 0) {
		printf("child: %#lx\n", pers(0xffffffff));
		execl("/proc/self/exe", argv[0], "exec", (char *)NULL);
		_exit(127);
	}
	int st;
	waitpid(pid, &st, 0);
	P("child exit", "%d", WEXITSTATUS(st));
	SECTION("READ_IMPLIES_EXEC");
	void *m = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("mmap PROT_READ", "%c", exec_bit(m));
	T(mprotect(m, 4096, PROT_READ | PROT_WRITE));
	P("mprotect PROT_READ|PROT_WRITE", "%c", exec_bit(m));
	void *w = mmap(NULL, 4096, PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("mmap PROT_WRITE", "%c", exec_bit(w));
	pers(PER_LINUX);
	T(mprotect(m, 4096, PROT_READ));
	P("mprotect PROT_READ without it", "%c", exec_bit(m));
	SECTION("UNAME26");
	struct utsname u;
	pers(UNAME26);
	uname(&u);
	P("release starts", "%.4s", u.release);
	pers(PER_LINUX);
	uname(&u);
	P("release starts 2.6.", "%d", strncmp(u.release, "2.6.", 4) == 0);
	SECTION("STICKY_TIMEOUTS");
	int p[2];
	MUST(pipe(p));
	for (int i = 0; i < 2; i++) {
		pers(i ? PER_LINUX | STICKY_TIMEOUTS : PER_LINUX);
		struct timeval tv = { 0, 20000 };
		fd_set r;
		FD_ZERO(&r);
		FD_SET(p[0], &r);
		T(select(p[0] + 1, &r, NULL, NULL, &tv));
		P(i ? "sticky timeout left" : "timeout left", "%ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
		struct timespec ts = { 0, 20000000 };
		FD_SET(p[0], &r);
		T(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL));
		P(i ? "sticky pselect timeout left" : "pselect timeout left", "%ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	}
	pers(PER_LINUX);
	return 0;
}
