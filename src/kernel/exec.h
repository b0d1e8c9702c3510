#pragma once
#include "task.h"

/* Replaces the calling process's program: kernel strings in, registers
 * set for the new entry point on success. */
int do_execve(struct task *t, const char *path, char *const argv[], char *const envp[]);
