/* exec_args: how much argv and envp execve takes (Linux's
 * bprm_stack_limits): the strings (the file name as given, then envp and
 * argv) and the argv and envp pointers must fit in a quarter of the stack
 * limit, capped at 6 MiB and never under 128 KiB; one string may have
 * 32 pages with its NUL. Each case runs in a child with its stack limit,
 * exactly at the edge and one byte past it. */
#include "abi.h"
#include <sys/resource.h>
#include <sys/wait.h>

#define SELF "/proc/self/exe"
#define MAX_STRLEN (32 * 4096)
#define MIN(a, b) ((a) < (b) ? (a) : (b))

static char *env[] = { "EXEC_ARGS_CHILD=1", NULL };

/* Runs SELF with argv[0] "x", then strings of nearly 32 pages, the last
 * cut so that the whole is `bytes` (strings and pointers). */
static void try(const char *label, rlim_t stack, size_t bytes)
{
	static char big[MAX_STRLEN];
	size_t fixed = sizeof(SELF) + strlen(env[0]) + 1 + 8 + 2 + 8;	/* name, env, "x" */
	size_t left = bytes - fixed, n = 1;
	char **argv = calloc(bytes / MAX_STRLEN + 8, sizeof(char *));
	memset(big, 'a', sizeof(big) - 1);
	argv[0] = "x";
	while (left > 8) {
		size_t take = MIN(left - 8, (size_t)MAX_STRLEN - 16);	/* with NUL */
		argv[n++] = big + sizeof(big) - take;
		left -= take + 8;
	}
	if (left)	/* too little left for a string: spread it over the rest */
		argv[1] -= left;
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit r = { stack, stack };
		MUST(setrlimit(RLIMIT_STACK, &r));
		execve(SELF, argv, env);
		printf("%s: execve = -1 %s\n", label, ename(errno));
		exit(0);
	}
	int st;
	MUST(waitpid(pid, &st, 0));
	free(argv);
}

static void one_string(const char *label, size_t len)
{
	char *s = malloc(len + 1);
	memset(s, 'b', len);
	s[len] = 0;
	pid_t pid = fork();
	if (pid == 0) {
		execve(SELF, (char *[]){ "x", s, NULL }, env);
		printf("%s: execve = -1 %s\n", label, ename(errno));
		exit(0);
	}
	MUST(waitpid(pid, NULL, 0));
	free(s);
}

int main(int argc, char **argv)
{
	if (getenv("EXEC_ARGS_CHILD")) {
		size_t total = 0;
		for (int i = 0; i < argc; i++)
			total += strlen(argv[i]) + 1;
		printf("  ran: argc=%d, %zu bytes of argv\n", argc, total);
		return 0;
	}
	SECTION("8 MiB stack: 2 MiB");
	try("2 MiB", 8 << 20, 2 << 20);
	try("2 MiB + 1", 8 << 20, (2 << 20) + 1);
	try("5.6 MB", 8 << 20, 5600000);
	SECTION("256 KiB stack: the 128 KiB floor");
	try("128 KiB", 256 << 10, 128 << 10);
	try("128 KiB + 1", 256 << 10, (128 << 10) + 1);
	SECTION("64 MiB stack: 6 MiB at most");
	try("5.6 MB", 64 << 20, 5600000);
	try("6 MiB", 64 << 20, 6 << 20);
	try("6 MiB + 1", 64 << 20, (6 << 20) + 1);
	SECTION("one string");
	one_string("32 pages with NUL", MAX_STRLEN - 1);
	one_string("one byte more", MAX_STRLEN);
	SECTION("no arguments");
	pid_t pid = fork();
	if (pid == 0) {
		execve(SELF, (char *[]){ NULL }, env);
		printf("execve = -1 %s\n", ename(errno));
		exit(0);
	}
	MUST(waitpid(pid, NULL, 0));
	return 0;
}
