/* fork, vfork, clone, clone3. The host clones the guest process (or
 * thread) itself, so a forked child's memory is the host's copy-on-write
 * copy; the kernel copies or shares its own objects as the flags say. */
#include "task.h"
#include "loop.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "platform.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include <sched.h>
#include <linux/sched.h>

#define CLONE_KNOWN (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PIDFD | \
		     CLONE_PTRACE | CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | \
		     CLONE_SETTLS | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | \
		     CLONE_UNTRACED | CLONE_CHILD_SETTID | CLONE_IO | CLONE_CLEAR_SIGHAND | \
		     CLONE_INTO_CGROUP)
#define CLONE_NAMESPACES (CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | \
			  CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWTIME)

struct clone_req {
	uint64_t flags;
	int exit_signal;
	uaddr_t stack, ptid, ctid, tls;
};

static int check_flags(uint64_t f)
{
	if (f & CLONE_NAMESPACES)
		return -EPERM;	/* no namespaces inside the guest (yet) */
	if (f & ~(uint64_t)CLONE_KNOWN)
		return -EINVAL;
	if ((f & CLONE_THREAD) && !(f & CLONE_SIGHAND))
		return -EINVAL;
	if ((f & CLONE_SIGHAND) && !(f & CLONE_VM))
		return -EINVAL;
	if ((f & CLONE_CLEAR_SIGHAND) && (f & CLONE_SIGHAND))
		return -EINVAL;
	if (f & (CLONE_PIDFD | CLONE_INTO_CGROUP))
		return -EINVAL;	/* not yet */
	return 0;
}

static struct sighand *sighand_copy(struct sighand *old, bool clear)
{
	struct sighand *sh = sighand_new();
	memcpy(sh->action, old->action, sizeof(sh->action));
	if (clear)
		for (int i = 0; i < 64; i++)
			if (sh->action[i].handler != (uint64_t)SIG_IGN)
				memset(&sh->action[i], 0, sizeof(sh->action[i]));
	return sh;
}

/* The kernel objects of a new process, copied or shared. */
static struct process *copy_process(struct process *p, uint64_t f)
{
	struct process *c = process_new();
	struct process *parent = (f & CLONE_PARENT) && p->parent ? p->parent : p;
	c->parent = parent;
	list_add_tail(&c->sibling, &parent->children);
	c->pgid = p->pgid;
	c->sid = p->sid;
	c->uid = p->uid; c->euid = p->euid; c->suid = p->suid; c->fsuid = p->fsuid;
	c->gid = p->gid; c->egid = p->egid; c->sgid = p->sgid; c->fsgid = p->fsgid;
	c->ngroups = p->ngroups;
	c->groups = xmalloc((p->ngroups + 1) * sizeof(uint32_t));
	memcpy(c->groups, p->groups, p->ngroups * sizeof(uint32_t));
	c->nice = p->nice;
	c->personality = p->personality;
	memcpy(c->rlim, p->rlim, sizeof(c->rlim));
	c->dumpable = p->dumpable;
	c->no_new_privs = p->no_new_privs;
	if (f & CLONE_VM) {
		c->mm = p->mm;
		c->mm->refs++;
	} else {
		c->mm = mm_dup(p->mm);
	}
	if (f & CLONE_FILES) {
		c->files = p->files;
		c->files->refs++;
	} else {
		c->files = files_dup(p->files);
	}
	if (f & CLONE_FS) {
		c->fs = p->fs;
		c->fs->refs++;
	} else {
		c->fs = fs_context_dup(p->fs);
	}
	if (f & CLONE_SIGHAND) {
		c->sighand = p->sighand;
		c->sighand->refs++;
	} else {
		c->sighand = sighand_copy(p->sighand, f & CLONE_CLEAR_SIGHAND);
	}
	if (p->exe.dentry)
		c->exe = path_get(p->exe);
	return c;
}

struct process *vfork_waited_child(struct task *t)
{
	struct process *c = t->vfork_child ? process_by_pid(t->vfork_child) : NULL;
	return c && c->vfork_parent == t ? c : NULL;
}

static long do_clone(struct task *t, const struct clone_req *req)
{
	uint64_t f = req->flags;
	if (t->rerun && t->vfork_child) {
		/* A vfork parent woken: is the child done with our memory? */
		if (vfork_waited_child(t))
			return -EWOULDBLOCK_TASK;
		long pid = t->vfork_child;
		t->vfork_child = 0;
		return pid;
	}
	int err = check_flags(f);
	if (err)
		return err;
	if (!nproc_may_fork(t->proc))
		return -EAGAIN;
	if ((err = sched_fork_check(t)))
		return err;
	if (req->exit_signal < 0 || req->exit_signal > 64)
		return -EINVAL;
	if ((f & CLONE_SETTLS) && req->tls >= TASK_SIZE)
		return -EPERM;		/* as arch_prctl(ARCH_SET_FS) */
	unsigned long host = (f & CLONE_THREAD) ? CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_FS | CLONE_FILES
						: ((f & CLONE_VM) ? CLONE_VM : 0) | SIGCHLD;
	int child_host;
	if ((err = plat_clone(t->host_tid, host, &child_host)))
		return err == -ESRCH ? -EAGAIN : err;
	struct process *cp = (f & CLONE_THREAD) ? t->proc : copy_process(t->proc, f);
	struct task *c = task_new(cp, child_host);
	sched_fork(t, c, !(f & CLONE_THREAD));
	c->regs = t->regs;
	regs_set_ret(&c->regs, 0);
	if (req->stack)
		c->regs.r.rsp = req->stack;
	if (f & CLONE_SETTLS)
		c->regs.r.fs_base = req->tls;
	c->sigmask = t->sigmask;
	memcpy(c->comm, t->comm, sizeof(c->comm));
	if (f & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = req->ctid;
	/* The tid writes land in the child's memory (a copy unless shared)
	 * and in the parent's. */
	if (f & CLONE_CHILD_SETTID)
		copy_to_user(c, req->ctid, &c->tid, sizeof(int));
	if (f & CLONE_PARENT_SETTID)
		copy_to_user(t, req->ptid, &c->tid, sizeof(int));
	long ret = c->tid;
	if (f & CLONE_VFORK) {
		cp->vfork_parent = t;
		t->vfork_child = cp->pid;
		ret = -EWOULDBLOCK_TASK;
	}
	task_resume(c);
	return ret;
}

long sys_clone(struct task *t, const struct sysargs *a)
{
	/* x86_64 order: flags, stack, parent_tid, child_tid, tls. */
	struct clone_req r = { .flags = a->a[0] & ~0xffUL, .exit_signal = a->a[0] & 0xff,
			       .stack = a->a[1], .ptid = a->a[2], .ctid = a->a[3], .tls = a->a[4] };
	if (r.flags & CLONE_CLEAR_SIGHAND)
		return -EINVAL;	/* clone3 only */
	return do_clone(t, &r);
}

long sys_fork(struct task *t, const struct sysargs *a UNUSED)
{
	struct clone_req r = { .exit_signal = SIGCHLD };
	return do_clone(t, &r);
}

long sys_vfork(struct task *t, const struct sysargs *a UNUSED)
{
	struct clone_req r = { .flags = CLONE_VM | CLONE_VFORK, .exit_signal = SIGCHLD };
	return do_clone(t, &r);
}

long sys_clone3(struct task *t, const struct sysargs *a)
{
	struct clone_args ca;
	size_t size = a->a[1];
	if (t->rerun && t->vfork_child) {
		struct clone_req r = { 0 };
		return do_clone(t, &r);
	}
	if (size < CLONE_ARGS_SIZE_VER0)
		return -EINVAL;
	if (size > PAGE_SIZE)
		return -E2BIG;
	int err = copy_struct_from_user(t, &ca, sizeof(ca), a->a[0], size);
	if (err)
		return err;
	if (ca.set_tid || ca.set_tid_size)
		return -EINVAL;
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	if ((ca.flags & CLONE_THREAD) && ca.exit_signal)
		return -EINVAL;
	struct clone_req r = { .flags = ca.flags, .exit_signal = (int)ca.exit_signal,
			       .stack = ca.stack ? ca.stack + ca.stack_size : 0,
			       .ptid = ca.parent_tid, .ctid = ca.child_tid, .tls = ca.tls };
	return do_clone(t, &r);
}
