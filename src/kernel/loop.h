/* The kernel's event loop: one thread, all kernel state. */
#pragma once
#include "task.h"

void loop_make_ready(struct task *t);
/* Runs until the init process exits; returns persona's exit status. */
int loop_run(void);
/* Finishes a system call: stores the result and lets the task run. */
void task_return(struct task *t, long result);
/* Lets a stopped task run on without touching its registers' result. */
void task_resume(struct task *t);
/* The init process is gone: the loop ends with this exit status. */
void loop_init_exited(int status);
