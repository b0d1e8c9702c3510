/* personality(2): the execution domain and its flags, kept per process,
 * inherited by fork and kept by exec (which clears READ_IMPLIES_EXEC for
 * a 64-bit program). Linux accepts any value: only PER_LINUX exists, the
 * other domains are kept and ignored. The flags persona acts on:
 * READ_IMPLIES_EXEC (mmap, mprotect), STICKY_TIMEOUTS (select, pselect6,
 * ppoll), UNAME26 (uname). ADDR_NO_RANDOMIZE and the others are kept and
 * shown in /proc/<pid>/personality only. */
#include "task.h"
#include "ksyscall.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/utsname.h>

long sys_personality(struct task *t, const struct sysargs *a)
{
	unsigned old = t->proc->personality, pers = (unsigned)a->a[0];
	if (pers != 0xffffffff)
		t->proc->personality = pers;
	return old;
}

int personality_prot(struct process *p, int prot)
{
	return (p->personality & READ_IMPLIES_EXEC) && (prot & PROT_READ) ? prot | PROT_EXEC : prot;
}

/* UNAME26: the release as 2.6.(60 + minor) with the host's suffix, as
 * Linux's override_release, for programs that parse only 2.6 versions. */
void personality_uname(struct process *p, struct utsname *u)
{
	if (!(p->personality & UNAME26))
		return;
	const char *rest = u->release;
	int ndots = 0;
	while (*rest) {
		if (*rest == '.' && ++ndots >= 3)
			break;
		if (!(*rest >= '0' && *rest <= '9') && *rest != '.')
			break;
		rest++;
	}
	const char *dot = strchr(u->release, '.');
	unsigned minor = dot ? (unsigned)atoi(dot + 1) : 0;
	char buf[2 * sizeof(u->release)];
	snprintf(buf, sizeof(buf), "2.6.%u%s", minor + 60, rest);
	memcpy(u->release, buf, sizeof(u->release) - 1);
	u->release[sizeof(u->release) - 1] = 0;
}
