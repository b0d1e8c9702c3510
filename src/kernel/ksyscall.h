/* System call dispatch, generated from src/syscalls.tbl. */
#pragma once
#include "task.h"

#define SYSCALL(name, x86, a64, fmt, flags, status, note) \
	long sys_##name(struct task *t, const struct sysargs *a);
#define NOSYS(name, x86, a64)
#include "../syscalls.tbl"
#undef SYSCALL
#undef NOSYS

/* Handlers return a value or -errno; these kernel-internal codes say
 * something else happened. */
#define EJUSTRETURN	601	/* registers already set: resume as they are */
#define ENORETURN	602	/* the task is gone: do not resume it */

void syscall_dispatch(struct task *t);
void syscall_print_table(const char *format);	/* persona syscalls */
const char *syscall_name(long nr);

extern bool trace_enabled;
extern bool quiet;
