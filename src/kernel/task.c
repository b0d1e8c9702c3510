/* The process table: tasks by host tid and by guest tid, processes by
 * pid, and the end of a task's or a process's life. */
#include "task.h"
#include "loop.h"
#include "waitq.h"
#include "ksignal.h"
#include "platform.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <sys/wait.h>

struct task *current;
struct process *init_process;

#define HASH_SIZE 1024
static struct task *by_host_tid[HASH_SIZE];
static int next_pid = 1;
int last_pid;

/* Every process in pid order (pids only grow). */
struct proc_entry { struct process *p; struct list_head node; };
static struct list_head all_procs = LIST_HEAD_INIT(all_procs);

int alloc_pid(void)
{
	return last_pid = next_pid++;
}

struct task *task_by_host_tid(int host_tid)
{
	struct task *t = by_host_tid[host_tid % HASH_SIZE];
	while (t && t->host_tid != host_tid)
		t = t->hash_next;
	return t;
}

struct task *task_by_tid(int tid)
{
	for (int i = 0; i < HASH_SIZE; i++)
		for (struct task *t = by_host_tid[i]; t; t = t->hash_next)
			if (t->tid == tid && t->state != TASK_DEAD)
				return t;
	return NULL;
}

void task_hash_remove(struct task *t)
{
	struct task **pp = &by_host_tid[t->host_tid % HASH_SIZE];
	while (*pp && *pp != t)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = t->hash_next;
}

struct task *task_new(struct process *p, int host_tid)
{
	struct task *t = xzalloc(sizeof(*t));
	t->host_tid = host_tid;
	t->proc = p;
	t->tid = p->nthreads == 0 ? p->pid : alloc_pid();
	t->state = TASK_IN_KERNEL;
	list_init(&t->waiters);
	list_init(&t->ready_node);
	list_add_tail(&t->thread_node, &p->threads);
	p->nthreads++;
	t->hash_next = by_host_tid[host_tid % HASH_SIZE];
	by_host_tid[host_tid % HASH_SIZE] = t;
	return t;
}

struct process *process_new(void)
{
	struct process *p = xzalloc(sizeof(*p));
	p->pid = alloc_pid();
	list_init(&p->threads);
	p->start_time = mono_now();
	struct proc_entry *e = xmalloc(sizeof(*e));
	e->p = p;
	list_add_tail(&e->node, &all_procs);
	return p;
}

struct process *process_next(struct process *prev)
{
	struct proc_entry *e;
	bool take = prev == NULL;
	list_for_each_entry(e, &all_procs, node) {
		if (take)
			return e->p;
		if (e->p == prev)
			take = true;
	}
	return NULL;
}

struct process *process_by_pid(int pid)
{
	struct proc_entry *e;
	list_for_each_entry(e, &all_procs, node)
		if (e->p->pid == pid)
			return e->p;
	return NULL;
}

static void process_unlist(struct process *p)
{
	struct proc_entry *e;
	list_for_each_entry(e, &all_procs, node)
		if (e->p == p) {
			list_del(&e->node);
			free(e);
			return;
		}
}

/* Releases what a dead process holds. */
static void process_release(struct process *p)
{
	if (p->files)
		files_put(p->files);
	if (p->fs)
		fs_context_put(p->fs);
	if (p->mm)
		mm_put(p->mm);
	if (p->exe.dentry)
		path_put(&p->exe);
	p->files = NULL;
	p->fs = NULL;
	p->mm = NULL;
}

/* Ends every thread of `p`: `status` is a wait() status word, built by
 * the caller from an exit code or a signal. */
static void process_kill_all(struct process *p, int status)
{
	struct task *t;
	p->exit_status = status;
	list_for_each_entry(t, &p->threads, thread_node) {
		if (t->state == TASK_DEAD)
			continue;
		task_unwait(t);
		if (t->state == TASK_READY)
			list_del(&t->ready_node);
		t->state = TASK_DEAD;
		plat_kill(t->host_tid);
	}
	process_release(p);
	process_unlist(p);
	if (p == init_process)
		loop_init_exited(WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status));
}

void process_exit(struct process *p, int sig)
{
	process_kill_all(p, sig & 0x7f);
}

void process_exit_code(struct process *p, int code)
{
	process_kill_all(p, (code & 0xff) << 8);
}

void task_exit(struct task *t, int code)
{
	if (t->proc->nthreads <= 1) {
		process_exit_code(t->proc, code);
		return;
	}
	t->proc->nthreads--;
	t->state = TASK_DEAD;
	plat_kill(t->host_tid);
}
