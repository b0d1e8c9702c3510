#include <string.h>
#include "arch.h"

void regs_init_exec(struct cpu_regs *c, uint64_t ip, uint64_t sp)
{
	struct user_regs_struct old = c->r;
	memset(&c->r, 0, sizeof(c->r));
	c->r.rip = ip;
	c->r.rsp = sp;
	/* Segment selectors and flags come from the host's running state;
	 * fs_base/gs_base start at zero as after a real execve. */
	c->r.cs = old.cs;
	c->r.ss = old.ss;
	c->r.ds = old.ds;
	c->r.es = old.es;
	c->r.fs = old.fs;
	c->r.gs = old.gs;
	c->r.eflags = 0x202;
	c->r.orig_rax = (unsigned long long)-1;
}
