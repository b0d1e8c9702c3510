/* The process table: tasks by host tid and by guest tid, processes by
 * pid, and the end of a task's or a process's life. */
#include "task.h"
#include "loop.h"
#include "waitq.h"
#include "ksignal.h"
#include "platform.h"
#include "fdbudget.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <sys/wait.h>

struct task *current;
struct process *init_process;

#define HASH_SIZE 1024
static struct task *by_host_tid[HASH_SIZE], *by_tid[HASH_SIZE];
static struct process *by_pid[HASH_SIZE];
static int next_pid = 1;
int last_pid;

/* Every process in pid order (pids only grow, so new ones go last). A
 * freed process stays on it, marked, until its memory goes, so that a
 * walk standing on it can go on (process_next). */
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
	for (struct task *t = by_tid[(unsigned)tid % HASH_SIZE]; t; t = t->tid_next)
		if (t->tid == tid && t->state != TASK_DEAD)
			return t;
	return NULL;
}

void task_hash_add(struct task *t)
{
	t->hash_next = by_host_tid[t->host_tid % HASH_SIZE];
	by_host_tid[t->host_tid % HASH_SIZE] = t;
	t->tid_next = by_tid[t->tid % HASH_SIZE];
	by_tid[t->tid % HASH_SIZE] = t;
}

void task_hash_remove(struct task *t)
{
	struct task **pp = &by_host_tid[t->host_tid % HASH_SIZE];
	while (*pp && *pp != t)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = t->hash_next;
	for (pp = &by_tid[t->tid % HASH_SIZE]; *pp && *pp != t; pp = &(*pp)->tid_next)
		;
	if (*pp)
		*pp = t->tid_next;
}

struct task *task_new(struct process *p, int host_tid)
{
	struct task *t = xzalloc(sizeof(*t));
	t->host_tid = host_tid;
	t->proc = p;
	t->tid = p->nthreads == 0 ? p->pid : alloc_pid();
	t->state = TASK_IN_KERNEL;
	list_init(&t->waiters);
	sigpending_init(&t->pending);
	t->altstack.flags = SS_DISABLE;
	list_init(&t->ready_node);
	list_add_tail(&t->thread_node, &p->threads);
	p->nthreads++;
	task_hash_add(t);
	return t;
}

struct process *process_new(void)
{
	struct process *p = xzalloc(sizeof(*p));
	p->pid = alloc_pid();
	list_init(&p->threads);
	list_init(&p->children);
	sigpending_init(&p->shared_pending);
	p->exit_signal = SIGCHLD;
	list_init(&p->sibling);
	p->child_wait = xmalloc(sizeof(*p->child_wait));
	waitq_init(p->child_wait);
	p->start_time = mono_now();
	list_add_tail(&p->all_node, &all_procs);
	p->pid_next = by_pid[p->pid % HASH_SIZE];
	by_pid[p->pid % HASH_SIZE] = p;
	return p;
}

/* The next living process after `prev` in pid order; `prev` may have been
 * freed by what the caller did to it (it is still on the list, marked). */
struct process *process_next(struct process *prev)
{
	struct list_head *n = prev ? prev->all_node.next : all_procs.next;
	for (; n != &all_procs; n = n->next) {
		struct process *p = list_entry(n, struct process, all_node);
		if (!p->unlisted)
			return p;
	}
	return NULL;
}

struct process *process_by_pid(int pid)
{
	for (struct process *p = by_pid[(unsigned)pid % HASH_SIZE]; p; p = p->pid_next)
		if (p->pid == pid)
			return p;
	return NULL;
}

static void process_unlist(struct process *p)
{
	struct process **pp = &by_pid[p->pid % HASH_SIZE];
	while (*pp && *pp != p)
		pp = &(*pp)->pid_next;
	if (*pp)
		*pp = p->pid_next;
	p->unlisted = true;
}

/* Freed processes whose memory goes back only when the event that freed
 * them is over: the handler that did it may still hold the process (a
 * kill(getpid(), SIGKILL) with SIGCHLD ignored frees the caller's own
 * process inside its own system call, which then still looks at it). */
static struct list_head graveyard = LIST_HEAD_INIT(graveyard);

void process_free(struct process *p)
{
	process_unlist(p);
	list_del(&p->sibling);
	while (!list_empty(&p->threads)) {	/* tasks whose host exit is pending */
		struct task *t = list_entry(p->threads.next, struct task, thread_node);
		list_del(&t->thread_node);
		list_init(&t->thread_node);
	}
	list_add_tail(&p->sibling, &graveyard);
}

void process_free_deferred(void)
{
	while (!list_empty(&graveyard)) {
		struct process *p = list_entry(graveyard.next, struct process, sibling);
		list_del(&p->sibling);
		list_del(&p->all_node);
		sigpending_flush(&p->shared_pending);
		if (p->sighand && --p->sighand->refs == 0)
			free(p->sighand);
		free(p->child_wait);
		free(p->groups);
		fdbudget_process_gone(p);
		free(p);
	}
}
