#pragma once
#include "task.h"

/* Replaces the calling process's program: kernel strings in, registers
 * set for the new entry point on success. */
int do_execve(struct task *t, const char *path, char *const argv[], char *const envp[]);
/* Whether `path` names a file the caller may execute (the common
 * failures, found before any work is done). */
int exec_check(struct task *t, const char *path);
/* Whether do_execve would fail before its point of no return (the file,
 * a #! chain, the ELF headers, the interpreter), without loading. */
int exec_check_image(struct task *t, const char *path, char *const argv[], char *const envp[]);
