/* altstack_size: the sizes sigaltstack accepts. Linux's MINSIGSTKSZ is a
 * constant, 2048 on x86_64: 2048 and 8192 are taken, 2047 is ENOMEM
 * (whatever the C library's own MINSIGSTKSZ says, which may be a larger
 * size found at run time). A handler runs on a stack of 8192 bytes, and
 * a handler's return (sigreturn) puts back the stack the frame holds. */
#include "abi.h"
#include <signal.h>

static char stack_mem[16384];
static volatile int on_alt;

static void on_usr1(int s)
{
	char here;
	(void)s;
	on_alt = &here > stack_mem && &here < stack_mem + sizeof(stack_mem);
}

static long set_size(size_t size)
{
	stack_t ss = { .ss_sp = stack_mem, .ss_size = size, .ss_flags = 0 };
	return syscall(SYS_sigaltstack, &ss, NULL);
}

int main(void)
{
	SECTION("sizes");
	T(set_size(2047));
	T(set_size(2048));
	T(set_size(4096));
	T(set_size(8192));
	T(set_size(0));
	stack_t cur;
	T(syscall(SYS_sigaltstack, NULL, &cur));
	P("size kept", "%zu", cur.ss_size);

	SECTION("a handler on 8192 bytes");
	struct sigaction sa = { .sa_handler = on_usr1, .sa_flags = SA_ONSTACK };
	MUST(sigaction(SIGUSR1, &sa, NULL));
	T(raise(SIGUSR1));
	P("ran on the alternate stack", "%d", on_alt);
	T(syscall(SYS_sigaltstack, NULL, &cur));
	P("size after the handler", "%zu", cur.ss_size);
	P("flags after the handler", "%d", cur.ss_flags);
	return 0;
}
