/* The systrap platform: guest system calls trap in the guest's own host
 * thread and are answered through shared memory, as gVisor's systrap does.
 *
 * Why this design (measured on a 2-CPU machine where a native getppid
 * costs 0.1-0.2 us): under ptrace every guest call is two context switches
 * and about nine host calls in the kernel (PTRACE_SYSEMU, waitpid, signalfd,
 * GETREGS/SETREGS, epoll), 4 us when the kernel and the guest share a CPU
 * and tens of us when they don't, because waking a sleeping CPU is dear.
 * seccomp user notification would replace ptrace's stops with the same
 * sleep-and-wake per call (and cannot change registers, which signals and
 * exec need). Here the host kernel's seccomp filter (confine.c) turns a
 * guest call into a SIGSYS inside the same thread (about 1 us); the stub's
 * handler (stub/systrap_stub.c) posts it in the thread's slot, in a memory
 * region this kernel maps too, and spins briefly for the answer while this
 * kernel spins briefly for calls, so a busy guest and the kernel hand calls
 * over through memory without a host call on either side. Registers are
 * read and written in place in the host's signal frame. Each side sleeps
 * (a futex, an eventfd in the loop's epoll) only after its spin ran out.
 *
 * The trap itself (the host's signal delivery and rt_sigreturn) is still
 * most of a call's cost: so the call sites a program uses are patched
 * into jumps to the stub's fast entry (mm/patch.c, systrap_layout.h),
 * which posts the same event with a frame of its own, and the kernel
 * cannot tell the two apart.
 *
 * Guest processes are the kernel's own host children (forks are made with
 * CLONE_PARENT), so waitpid reports their ends as under ptrace. Threads and
 * vfork children share their parent's region (one slot each); a forked
 * child gets a region, eventfd and control socket of its own before it
 * touches the shared one, so no guest process can reach another's slots.
 *
 * Everything in a region is guest-writable: the kernel reads what it needs
 * once, checks every pointer against the thread's own area, and waits for
 * the stub with a deadline; a guest that writes its slots can only get its
 * own calls answered wrongly. */
#include "platform_impl.h"
#include "../../stub/systrap_layout.h"
#include "sigframe.h"
#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/kcmp.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

extern const char systrap_stub_image[], systrap_stub_image_end[];

/* How long each side spins before it sleeps: longer than waking the other
 * side costs (60 us across CPUs on a small VM), so that a busy guest and
 * the kernel stay awake together. The kernel halves its spin when it spun
 * for nothing and doubles it when a call came, so a guest that computes for
 * long between calls does not keep a CPU busy for it. On one CPU nobody
 * spins: the other side could not run meanwhile. */
#define SPIN_MAX_NS	200000
#define SPIN_MIN_NS	50000
#define STUB_SPIN_NS	100000
static uint64_t spin_ns = SPIN_MAX_NS, stub_spin_cycles;
static bool spin_allowed;
/* How long the kernel waits for a stub it asked something of before it
 * gives the guest process up: a stub that never answers is a guest that
 * broke its own stub (its other threads can write the slot and the stub's
 * stack), and the whole kernel waits meanwhile, so the wait is short. A
 * clone may copy the page tables of a large process: it gets longer.
 * (Host calls that park the task instead of the kernel would remove the
 * wait altogether: later work.) */
#define STUB_DEADLINE_NS	2000000000LL
#define CLONE_DEADLINE_NS	10000000000LL

/* One guest address space: the region shared with its stub. */
struct space {
	int memfd, efd;
	char *map;		/* the kernel's mapping of the region */
	int refs;		/* threads using it */
	uint64_t used[(ST_MAX_THREADS + 63) / 64];
	int gone_tid[ST_MAX_THREADS];	/* a slot's last thread, maybe still ending */
	int gone_tgid[ST_MAX_THREADS];
	struct space *next, **pprev;
};

/* One guest host thread. */
struct sthread {
	int tid, tgid, idx;
	struct space *sp;
	bool stopped;		/* in its stub, its event taken by the kernel */
	struct k_ucontext *uc;	/* the frame of that event, in our mapping */
	uint64_t fs_base, gs_base;	/* what the host thread has */
	struct sthread *hnext;
	unsigned vi;		/* index in threads[] */
};

static int inner_epfd = -1, sigchld_fd = -1, stub_fd = -1;
static struct space *spaces;
static bool reap_pending;

#define TID_BUCKETS 4096
static struct sthread *tid_table[TID_BUCKETS];
static struct sthread **threads;
static unsigned nthreads, threads_cap, scan_from;

static struct plat_event *deferred;
static size_t ndeferred, deferred_cap;

static void defer(const struct plat_event *ev)
{
	if (ndeferred == deferred_cap) {
		deferred_cap = deferred_cap ? 2 * deferred_cap : 16;
		deferred = xrealloc(deferred, deferred_cap * sizeof(*ev));
	}
	deferred[ndeferred++] = *ev;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* ---- spaces and threads ---- */

static struct st_slot *slot_of(struct space *sp, int idx)
{
	return (struct st_slot *)(sp->map + ((size_t)idx + 1) * ST_AREA_SIZE);
}

static struct st_slot *slot(struct sthread *t) { return slot_of(t->sp, t->idx); }

/* Guest address `a`, `len` bytes, inside area `idx`'s signal stack: the
 * kernel's pointer to it, or NULL. */
static void *in_area(struct space *sp, int idx, uint64_t a, size_t len)
{
	uint64_t base = ST_AREA(idx) + ST_STACK_OFF, end = ST_AREA(idx) + ST_AREA_SIZE;
	if (a < base || a > end || len > end - a)
		return NULL;
	return sp->map + (a - ST_REGION);
}

/* XCR0: the state components XSAVE holds here. */
static uint64_t xfeatures(void)
{
	uint32_t lo, hi;
	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return (uint64_t)hi << 32 | lo;
}

static struct space *space_new(void)
{
	struct space *sp = xzalloc(sizeof(*sp));
	sp->memfd = memfd_create("persona-region", MFD_CLOEXEC);
	if (sp->memfd < 0 || ftruncate(sp->memfd, ST_REGION_SIZE))
		goto fail;
	sp->map = mmap(NULL, ST_REGION_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, sp->memfd, 0);
	if (sp->map == MAP_FAILED)
		goto fail;
	sp->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = sp };
	if (sp->efd < 0 || epoll_ctl(inner_epfd, EPOLL_CTL_ADD, sp->efd, &ev))
		goto fail;
	struct st_header *h = (struct st_header *)sp->map;
	h->spin_cycles = stub_spin_cycles;
	h->xstate_size = (uint32_t)plat_xstate_size();
	h->xfeatures = xfeatures();
	sp->next = spaces;
	if (spaces)
		spaces->pprev = &sp->next;
	spaces = sp;
	sp->pprev = &spaces;
	return sp;
fail:
	if (sp->map && sp->map != MAP_FAILED)
		munmap(sp->map, ST_REGION_SIZE);
	if (sp->memfd >= 0)
		close(sp->memfd);
	free(sp);
	return NULL;
}

static void space_put(struct space *sp)
{
	if (--sp->refs > 0)
		return;
	if (sp->pprev) {
		*sp->pprev = sp->next;
		if (sp->next)
			sp->next->pprev = sp->pprev;
	}
	/* Guest processes on their way out may still hold the eventfd, which
	 * would keep it in the epoll set with a stale pointer. */
	epoll_ctl(inner_epfd, EPOLL_CTL_DEL, sp->efd, NULL);
	close(sp->efd);
	munmap(sp->map, ST_REGION_SIZE);
	close(sp->memfd);
	free(sp);
}

static bool idx_used(struct space *sp, int i) { return sp->used[i / 64] >> (i % 64) & 1; }
static void idx_set(struct space *sp, int i) { sp->used[i / 64] |= 1ULL << (i % 64); }
static void idx_clear(struct space *sp, int i) { sp->used[i / 64] &= ~(1ULL << (i % 64)); }

/* A free slot: unused, and its last thread (which may still be running its
 * last instructions on the area's stack) gone from the host. */
static int idx_alloc(struct space *sp)
{
	for (int i = 0; i < ST_MAX_THREADS; i++) {
		if (idx_used(sp, i))
			continue;
		if (sp->gone_tid[i] && syscall(SYS_tgkill, sp->gone_tgid[i], sp->gone_tid[i], 0) == 0)
			continue;
		sp->gone_tid[i] = 0;
		idx_set(sp, i);
		/* no stale event of the slot's last thread */
		memset(slot_of(sp, i), 0, sizeof(struct st_slot));
		return i;
	}
	return -1;
}

static struct sthread *lookup(int tid)
{
	struct sthread *t = tid_table[(unsigned)tid % TID_BUCKETS];
	while (t && t->tid != tid)
		t = t->hnext;
	return t;
}

static struct sthread *thread_add(int tid, int tgid, int idx, struct space *sp)
{
	struct sthread *t = xzalloc(sizeof(*t));
	t->tid = tid;
	t->tgid = tgid;
	t->idx = idx;
	t->sp = sp;
	sp->refs++;
	idx_set(sp, idx);
	struct sthread **head = &tid_table[(unsigned)tid % TID_BUCKETS];
	t->hnext = *head;
	*head = t;
	if (nthreads == threads_cap) {
		threads_cap = threads_cap ? 2 * threads_cap : 64;
		threads = xrealloc(threads, threads_cap * sizeof(*threads));
	}
	t->vi = nthreads;
	threads[nthreads++] = t;
	return t;
}

static void spare_forget(struct sthread *t);

static void thread_remove(struct sthread *t)
{
	spare_forget(t);
	struct sthread **p = &tid_table[(unsigned)t->tid % TID_BUCKETS];
	while (*p != t)
		p = &(*p)->hnext;
	*p = t->hnext;
	threads[t->vi] = threads[--nthreads];
	threads[t->vi]->vi = t->vi;
	struct space *sp = t->sp;
	idx_clear(sp, t->idx);
	sp->gone_tid[t->idx] = t->tid;
	sp->gone_tgid[t->idx] = t->tgid;
	space_put(sp);
	free(t);
}

/* ---- the hand-over ---- */

/* Answers the stub of stopped thread `t` with `req`. */
static void reply(struct sthread *t, uint32_t req)
{
	struct st_slot *s = slot(t);
	s->req = req;
	s->long_wait = 0;
	__atomic_store_n(&s->state, ST_REPLY, __ATOMIC_RELEASE);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (s->stub_sleeping) {
		syscall(SYS_futex, &s->state, FUTEX_WAKE, 1, NULL, NULL, 0);
		/* Its next call comes after a wake-up, which takes long on
		 * another CPU: wait for it the longest. */
		spin_ns = SPIN_MAX_NS;
	}
}

static bool posted(struct sthread *t)
{
	return __atomic_load_n(&slot(t)->state, __ATOMIC_ACQUIRE) == ST_EVENT;
}

/* A stub that broke the protocol (its guest wrote its slot): the guest
 * process ends; its exit comes through waitpid. */
static void give_up(struct sthread *t)
{
	kill(t->tgid, SIGKILL);
}

/* Takes the frame of the event `t` posted: false if it is not where the
 * thread's own signal stack is. */
static bool take_frame(struct sthread *t)
{
	t->stopped = true;
	t->uc = in_area(t->sp, t->idx, slot(t)->uc, sizeof(struct k_ucontext));
	if (!t->uc || (slot(t)->uc & 7)) {
		give_up(t);
		return false;
	}
	return true;
}

/* Whether `t` still runs: a zombie process (ours, not yet reaped) does
 * not, though signals to it still succeed. */
static bool alive(struct sthread *t)
{
	siginfo_t si = { 0 };
	if (syscall(SYS_tgkill, t->tgid, t->tid, 0))
		return false;
	return !(waitid(P_PID, t->tgid, &si, WEXITED | WNOHANG | WNOWAIT) == 0 && si.si_pid == t->tgid);
}

/* Waits for stopped thread `t`'s stub to post `want` (after a request):
 * 0, or -ESRCH when it died or broke the protocol (then it is killed). */
static int wait_long(struct sthread *t, uint32_t want, uint64_t deadline)
{
	struct st_slot *s = slot(t);
	uint64_t start = now_ns();
	for (unsigned spins = 0; !posted(t); spins++) {
		if (spins < 4096) {
			__builtin_ia32_pause();
			continue;
		}
		if (!alive(t))
			return -ESRCH;
		if (now_ns() - start > deadline) {
			give_up(t);
			return -ESRCH;
		}
		s->kernel_waiting = 1;
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		/* Sleep only on the state just seen: a post after this read
		 * changes the word, and the wait returns at once. */
		uint32_t seen = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		struct timespec ts = { 0, 10000000 };
		if (seen != ST_EVENT)
			syscall(SYS_futex, &s->state, FUTEX_WAIT, seen, &ts, NULL, 0);
		s->kernel_waiting = 0;
	}
	if (s->event != want || !take_frame(t)) {
		give_up(t);
		return -ESRCH;
	}
	return 0;
}

static int wait_for(struct sthread *t, uint32_t want)
{
	return wait_long(t, want, STUB_DEADLINE_NS);
}

/* ---- registers ---- */

static void regs_from_frame(struct sthread *t, struct cpu_regs *r)
{
	const struct k_sigcontext *c = &t->uc->uc_mcontext;
	memset(r, 0, sizeof(*r));
	r->r.r8 = c->r8; r->r.r9 = c->r9; r->r.r10 = c->r10; r->r.r11 = c->r11;
	r->r.r12 = c->r12; r->r.r13 = c->r13; r->r.r14 = c->r14; r->r.r15 = c->r15;
	r->r.rdi = c->rdi; r->r.rsi = c->rsi; r->r.rbp = c->rbp; r->r.rbx = c->rbx;
	r->r.rdx = c->rdx; r->r.rax = c->rax; r->r.rcx = c->rcx; r->r.rsp = c->rsp;
	r->r.rip = c->rip; r->r.eflags = c->eflags;
	r->r.cs = USER_CS;
	r->r.ss = USER_DS;
	r->r.orig_rax = (unsigned long long)-1;
	r->r.fs_base = t->fs_base;
	r->r.gs_base = t->gs_base;
}

static int systrap_get_regs(int tid, struct cpu_regs *r)
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	regs_from_frame(t, r);
	return 0;
}

/* The guest's %gs base. The host's is the thread's area while the guest
 * has none (patched calls find their slot through it: %gs:0). */
static void set_gs(struct sthread *t, uint64_t base)
{
	struct st_slot *s = slot(t);
	t->gs_base = base;
	s->gs_base = base ? base : ST_AREA(t->idx);
	s->set_gs = 1;
}

static int systrap_set_regs(int tid, const struct cpu_regs *r)
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	struct k_sigcontext *c = &t->uc->uc_mcontext;
	c->r8 = r->r.r8; c->r9 = r->r.r9; c->r10 = r->r.r10; c->r11 = r->r.r11;
	c->r12 = r->r.r12; c->r13 = r->r.r13; c->r14 = r->r.r14; c->r15 = r->r.r15;
	c->rdi = r->r.rdi; c->rsi = r->r.rsi; c->rbp = r->r.rbp; c->rbx = r->r.rbx;
	c->rdx = r->r.rdx; c->rax = r->r.rax; c->rcx = r->r.rcx; c->rsp = r->r.rsp;
	c->rip = r->r.rip; c->eflags = r->r.eflags;
	c->cs = USER_CS;
	c->ss = USER_DS;
	c->fs = c->gs = 0;
	t->uc->uc_flags |= UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	struct st_slot *s = slot(t);
	if (r->r.fs_base != t->fs_base) {
		t->fs_base = s->fs_base = r->r.fs_base;
		s->set_fs = 1;
	}
	if (r->r.gs_base != t->gs_base)
		set_gs(t, r->r.gs_base);
	return 0;
}

static int systrap_resume(int tid)
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	t->stopped = false;
	reply(t, ST_REQ_RESUME);
	return 0;
}

static void systrap_interrupt(int tid)
{
	struct sthread *t = lookup(tid);
	if (t)
		syscall(SYS_tgkill, t->tgid, t->tid, ST_KICK_SIG);
}

/* ---- floating point: the frame's XSAVE area ---- */

static size_t systrap_fpstate_size(void)
{
	return plat_xstate_size();
}

static int systrap_get_fpstate(int tid, void *buf)
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	size_t n = plat_xstate_size();
	uint64_t fp = t->uc->uc_mcontext.fpstate;
	void *src = fp ? in_area(t->sp, t->idx, fp, n) : NULL;
	if (src) {
		memcpy(buf, src, n);
		return 0;
	}
	if (fp)
		return -EFAULT;
	/* A thread that never trapped yet has the initial state. */
	plat_fpstate_init(buf);
	return 0;
}

static int systrap_set_fpstate(int tid, const void *buf)
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	size_t n = plat_xstate_size();
	uint64_t fp = t->uc->uc_mcontext.fpstate;
	void *dst = fp ? in_area(t->sp, t->idx, fp, n + 4) : NULL;
	if (!dst || (fp & 63)) {
		/* A frame of the stub's own: its XSAVE area is ours to place. */
		if (n + 4 > ST_FAKE_FP_MAX)
			return -EINVAL;
		fp = ST_AREA(t->idx) + ST_FAKE_FP_OFF;
		dst = in_area(t->sp, t->idx, fp, n + 4);
		t->uc->uc_mcontext.fpstate = fp;
	}
	memcpy(dst, buf, n);
	uint32_t magic2 = FP_XSTATE_MAGIC2;
	memcpy((char *)dst + n, &magic2, 4);
	return 0;
}

/* ---- host calls in the guest process ---- */

/* Asks stopped thread `tid`'s stub for `req` with `nr` and `args`, and
 * returns its result (-ESRCH if the stub is gone or broke the protocol). */
static long ask(int tid, uint32_t req, long nr, const long args[6])
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	struct st_slot *s = slot(t);
	s->nr = nr;
	for (int i = 0; i < 6; i++)
		s->args[i] = args[i];
	reply(t, req);
	if (wait_for(t, ST_EV_DONE))
		return -ESRCH;
	return (long)s->result;
}

static long systrap_host_syscall(int tid, long nr, const long args[6])
{
	return ask(tid, ST_REQ_SYSCALL, nr, args);
}

static long systrap_map_sent_fd(int tid, const long args[6])
{
	return ask(tid, ST_REQ_MAPFD, 0, args);
}

static uint64_t systrap_scratch(int tid)
{
	struct sthread *t = lookup(tid);
	return t ? ST_AREA(t->idx) + ST_SCRATCH_OFF : 0;
}

static void *systrap_scratch_ptr(int tid)
{
	struct sthread *t = lookup(tid);
	return t ? (char *)slot(t) + ST_SCRATCH_OFF : NULL;
}

/* Whether host process `pid` is a child of ours not yet known. */
static bool new_child(int pid)
{
	siginfo_t si;
	return pid > 0 && !lookup(pid) &&
	       waitid(P_PID, pid, &si, WEXITED | WSTOPPED | WCONTINUED | WNOHANG | WNOWAIT) == 0;
}

/* The new thread `c` inherits its parent's floating-point state and TLS
 * bases (the stub made it a frame of its own, with none). */
static int inherit_state(struct sthread *parent, struct sthread *c)
{
	size_t n = plat_xstate_size();
	char *buf = xmalloc(n);
	int err = systrap_get_fpstate(parent->tid, buf);
	if (!err)
		err = systrap_set_fpstate(c->tid, buf);
	free(buf);
	c->fs_base = parent->fs_base;
	if (parent->gs_base)	/* the child's stub set the host's to its area */
		set_gs(c, parent->gs_base);
	return err;
}

/* Sends the three fds of a forked child's own over its parent's control
 * socket, which the child still shares (see fork_start in the stub). */
static int send_fds(int kfd, const int fds[3])
{
	char byte = 0;
	struct iovec iov = { &byte, 1 };
	union { char buf[CMSG_SPACE(3 * sizeof(int))]; struct cmsghdr align; } u;
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
			     .msg_control = u.buf, .msg_controllen = CMSG_LEN(3 * sizeof(int)) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(3 * sizeof(int));
	memcpy(CMSG_DATA(c), fds, 3 * sizeof(int));
	return sendmsg(kfd, &mh, MSG_DONTWAIT) == 1 ? 0 : -errno;
}

static int clone_shared(struct sthread *t, unsigned long flags, int *child)
{
	bool thread = flags & CLONE_THREAD;
	int idx = idx_alloc(t->sp);
	if (idx < 0)
		return -EAGAIN;
	struct st_slot *s = slot(t);
	s->args[0] = (long)(flags | (thread ? 0 : CLONE_PARENT));
	s->args[1] = idx;
	reply(t, ST_REQ_CLONE);
	int err = wait_long(t, ST_EV_DONE, CLONE_DEADLINE_NS);
	long pid = s->result;
	idx_clear(t->sp, idx);	/* thread_add takes it again for the child */
	if (err)
		return -EAGAIN;
	if (pid <= 0 || pid > INT32_MAX)
		return pid < 0 && pid >= -4095 ? (int)pid : -EAGAIN;
	bool ok = thread ? !lookup((int)pid) && syscall(SYS_tgkill, t->tgid, (int)pid, 0) == 0
			 : new_child((int)pid);
	if (!ok) {
		give_up(t);
		return -EAGAIN;
	}
	struct sthread *c = thread_add((int)pid, thread ? t->tgid : (int)pid, idx, t->sp);
	if (wait_for(c, ST_EV_READY) || inherit_state(t, c)) {
		give_up(c);
		return -EAGAIN;
	}
	if (thread)
		chan_share(t->tid, c->tid);
	else if (chan_inherit(t->tid, c->tid))
		return (give_up(c), -EAGAIN);
	*child = c->tid;
	return 0;
}

/* A fork in three steps, so that the kernel can also make one without
 * waiting for it (the spare below): the parent's stub clones; the kernel
 * sends the child its own region, socket and eventfd; the child maps them
 * and says it is ready. */
struct forking {
	struct sthread *parent, *child;
	struct space *sp;
	int sv[2];	/* the child's control socket: [0] the kernel's end */
};

static int fork_begin(struct forking *f, struct sthread *t, unsigned long flags)
{
	memset(f, 0, sizeof(*f));
	f->parent = t;
	if (chan_kfd(t->tid) < 0 || !(f->sp = space_new()))
		return -EAGAIN;
	f->sp->refs++;	/* held across the set-up */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, f->sv)) {
		space_put(f->sp);
		return -EAGAIN;
	}
	struct st_slot *s = slot(t);
	s->args[0] = (long)(flags | CLONE_PARENT);
	s->args[1] = t->idx;
	reply(t, ST_REQ_CLONE);
	return 0;
}

/* The parent's stub posted that it cloned. */
static int fork_cloned(struct forking *f)
{
	long pid = slot(f->parent)->result;
	if (pid <= 0 || pid > INT32_MAX)
		return pid < 0 && pid >= -4095 ? (int)pid : -EAGAIN;
	if (!new_child((int)pid)) {
		give_up(f->parent);
		return -EAGAIN;
	}
	f->child = thread_add((int)pid, (int)pid, f->parent->idx, f->sp);
	const int fds[3] = { f->sp->memfd, f->sv[1], f->sp->efd };
	return send_fds(chan_kfd(f->parent->tid), fds);
}

/* The child posted that it is ready. It holds our socket and eventfd only
 * if the fds are the ones sent: another thread of its parent may have
 * taken the message off the shared socket first. */
static int fork_ready(struct forking *f)
{
	struct sthread *c = f->child;
	if (syscall(SYS_kcmp, kernel_pid(), c->tid, KCMP_FILE, f->sv[1], ST_CTL_FD) ||
	    syscall(SYS_kcmp, kernel_pid(), c->tid, KCMP_FILE, f->sp->efd, ST_KICK_FD) ||
	    inherit_state(f->parent, c))
		return -EAGAIN;
	return 0;
}

static int fork_end(struct forking *f, int err)
{
	if (err && f->child)
		give_up(f->child);
	close(f->sv[1]);
	space_put(f->sp);
	if (err)
		close(f->sv[0]);
	else
		chan_add(f->child->tid, f->sv[0]);
	return err;
}

static int clone_fork(struct sthread *t, unsigned long flags, int *child)
{
	struct forking f;
	int err = fork_begin(&f, t, flags);
	if (err)
		return err;
	if (wait_long(t, ST_EV_DONE, CLONE_DEADLINE_NS))
		err = -EAGAIN;
	if (!err && !(err = fork_cloned(&f)))
		err = wait_for(f.child, ST_EV_READY) ? -EAGAIN : fork_ready(&f);
	if (fork_end(&f, err))
		return err;
	*child = f.child->tid;
	return 0;
}

static int systrap_clone(int tid, unsigned long host_flags, int *child)
{
	struct sthread *t = lookup(tid);
	if (!t || !t->stopped)
		return -ESRCH;
	*child = 0;
	return (host_flags & CLONE_VM) ? clone_shared(t, host_flags, child)
				       : clone_fork(t, host_flags, child);
}

static void systrap_exit_thread(int tid)
{
	struct sthread *t = lookup(tid);
	if (!t)
		return;
	if (t->stopped)
		reply(t, ST_REQ_EXIT);
	else
		give_up(t);
	struct plat_event ev = { .kind = PEV_EXITED, .tid = tid };
	defer(&ev);
	thread_remove(t);
}

/* ---- events ---- */

/* Turns the event `t` posted into `ev`: 1, or 0 when there is nothing for
 * the kernel (a host signal that is not a fault: dropped, as under ptrace). */
static int take(struct sthread *t, struct plat_event *ev)
{
	if (!take_frame(t))
		return 0;
	struct st_slot *s = slot(t);
	memset(ev, 0, sizeof(*ev));
	ev->tid = t->tid;
	memcpy(&ev->si, s->siginfo, sizeof(ev->si));
	switch (s->event) {
	case ST_EV_SYSCALL: {
		ev->kind = PEV_SYSCALL;
		regs_from_frame(t, &ev->regs);
		/* siginfo's _sigsys: call address, number, audit arch */
		int nr;
		uint32_t arch;
		memcpy(&nr, s->siginfo + 24, 4);
		memcpy(&arch, s->siginfo + 28, 4);
		ev->regs.r.orig_rax = (unsigned long long)(long)nr;
		ev->compat = arch != AUDIT_ARCH_X86_64;
		ev->patched = ev->si.si_errno == ST_SI_PATCHED;
		return 1;
	}
	case ST_EV_SIGNAL:
		if (!plat_is_fault(&ev->si)) {
			t->stopped = false;
			reply(t, ST_REQ_RESUME);
			return 0;
		}
		ev->kind = PEV_SIGNAL;
		ev->sig = ev->si.si_signo;
		return 1;
	default:	/* the kick, or an event a guest forged */
		ev->kind = PEV_INTERRUPTED;
		return 1;
	}
}

static void reap(void)
{
	int st, pid;
	while ((pid = waitpid(-1, &st, WNOHANG | __WALL)) > 0) {
		for (unsigned i = 0; i < nthreads;) {
			struct sthread *t = threads[i];
			if (t->tgid != pid) {
				i++;
				continue;
			}
			struct plat_event ev = { .kind = PEV_EXITED, .tid = t->tid, .status = st };
			defer(&ev);
			thread_remove(t);	/* threads[i] is another one now */
		}
	}
	reap_pending = false;
}

static bool spare_event(struct sthread *t);

static int systrap_next_event(struct plat_event *ev)
{
	if (reap_pending)
		reap();
	if (ndeferred) {
		*ev = deferred[0];
		memmove(deferred, deferred + 1, --ndeferred * sizeof(*ev));
		return 1;
	}
	for (unsigned n = 0; n < nthreads; n++) {
		if (scan_from >= nthreads)
			scan_from = 0;
		struct sthread *t = threads[scan_from++];
		if (!t->stopped && posted(t) && !spare_event(t) && take(t, ev))
			return 1;
	}
	return 0;
}

static bool any_posted(void)
{
	for (unsigned i = 0; i < nthreads; i++)
		if (!threads[i]->stopped && posted(threads[i]))
			return true;
	return false;
}

/* Threads waiting on a call that blocked in the kernel sleep at once
 * instead of spinning out their budget. */
static void tell_waiters(void)
{
	for (unsigned i = 0; i < nthreads; i++)
		if (threads[i]->stopped)
			slot(threads[i])->long_wait = 1;
}

static bool systrap_spin(void)
{
	if (ndeferred || reap_pending)
		return true;
	tell_waiters();
	bool running = false;
	for (unsigned i = 0; i < nthreads && !running; i++)
		running = !threads[i]->stopped;
	if (!running || !spin_allowed)
		return false;
	uint64_t start = now_ns();
	for (unsigned spins = 0;; spins++) {
		if (any_posted()) {
			spin_ns = MIN(2 * spin_ns, SPIN_MAX_NS);
			return true;
		}
		if ((spins & 63) == 63 && now_ns() - start > spin_ns) {
			spin_ns = MAX(spin_ns / 2, SPIN_MIN_NS);
			return false;
		}
		__builtin_ia32_pause();
	}
}

static void set_sleeping(uint32_t v)
{
	for (struct space *sp = spaces; sp; sp = sp->next)
		((struct st_header *)sp->map)->kernel_sleeping = v;
}

static bool systrap_sleep_begin(void)
{
	set_sleeping(1);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	return !any_posted() && !ndeferred;
}

static void systrap_sleep_end(void)
{
	set_sleeping(0);
}

static void systrap_fd_ready(void)
{
	struct epoll_event evs[64];
	int n = epoll_wait(inner_epfd, evs, ARRAY_SIZE(evs), 0);
	for (int i = 0; i < n; i++) {
		struct space *sp = evs[i].data.ptr;
		if (!sp) {
			struct signalfd_siginfo si[8];
			while (read(sigchld_fd, si, sizeof(si)) > 0)
				;
			reap_pending = true;
		} else {
			uint64_t v;
			if (read(sp->efd, &v, sizeof(v)) < 0 && errno != EAGAIN)
				kpanic("eventfd read: %s", strerror(errno));
		}
	}
}

/* ---- start ---- */

static bool systrap_available(void)
{
	/* The stub needs a seccomp filter with SECCOMP_RET_TRAP (Linux 3.5,
	 * x86_64): a container may forbid seccomp, and then ptrace it is.
	 * Asked once, of a child that installs a filter that allows all. */
	static int known = -1;
	if (known >= 0)
		return known;
	struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_fprog prog = { 1, &allow };
	pid_t pid = fork();
	if (pid == 0)
		_exit(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) ||
		      syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) ? 1 : 0);
	int st;
	known = pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
	return known;
}

/* At the kernel's exit: every host process of the guests is a child of the
 * kernel (CLONE_PARENT) and dies with it by its parent-death signal, but a
 * guest could also have made one through the stub's own clone, which no
 * parent-death signal covers: all of the kernel's children go. */
static void kill_children(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[64], buf[512];
	while (d && (e = readdir(d))) {
		int pid = atoi(e->d_name);
		if (pid <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
		if (fd >= 0)
			close(fd);
		if (n <= 0)
			continue;
		buf[n] = 0;
		char *p = strrchr(buf, ')');
		int ppid;
		if (p && sscanf(p + 2, "%*c %d", &ppid) == 1 && ppid == getpid())
			kill(pid, SIGKILL);
	}
	if (d)
		closedir(d);
}

/* TSC cycles per `ns` nanoseconds, measured (the stub has no clock). */
static uint64_t tsc_cycles(uint64_t ns)
{
	uint64_t t0 = now_ns(), c0 = __builtin_ia32_rdtsc(), t1;
	while ((t1 = now_ns()) - t0 < 1000000)
		;
	return (__builtin_ia32_rdtsc() - c0) * ns / (t1 - t0);
}

static int systrap_init(void)
{
	cpu_set_t cpus;
	spin_allowed = sched_getaffinity(0, sizeof(cpus), &cpus) == 0 && CPU_COUNT(&cpus) > 1;
	stub_spin_cycles = spin_allowed ? tsc_cycles(STUB_SPIN_NS) : 0;
	atexit(kill_children);
	stub_fd = stub_image_fd(systrap_stub_image, systrap_stub_image_end);
	stub_namespaces_init();
	sigchld_fd = sigchld_fd_open();
	inner_epfd = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
	if (inner_epfd < 0 || epoll_ctl(inner_epfd, EPOLL_CTL_ADD, sigchld_fd, &ev))
		kpanic("systrap platform: %s", strerror(errno));
	return inner_epfd;
}

/* In the new host process: the stub's fds in place, then its image. */
static _Noreturn void exec_stub(int ctl, struct space *sp)
{
	stub_enter_namespaces();
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	setsid();	/* terminal signals go to the kernel, not here */
	sigset_t all;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);	/* until the first guest code */
	_Static_assert(ST_CTL_FD == STUB_FIRST_FD && ST_KICK_FD == STUB_FIRST_FD + 1 &&
		       ST_REGION_FD == STUB_FIRST_FD + 2, "the stub's fds in stub_exec's order");
	int fds[4] = { ctl, sp->efd, sp->memfd, stub_fd };
	stub_exec(fds, 4);
}

/* A stub process made from the stub's image, stopped in its first frame. */
static struct sthread *spawn_stub(void)
{
	int ctl[2];	/* [0] the kernel's end, [1] the guest's */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, ctl))
		return NULL;
	struct space *sp = space_new();
	if (!sp) {
		close(ctl[0]);
		close(ctl[1]);
		return NULL;
	}
	struct st_header *h = (struct st_header *)sp->map;
	h->filter_len = stub_filter_systrap(h->filter, ARRAY_SIZE(h->filter));
	pid_t pid = fork();
	if (pid == 0)
		exec_stub(ctl[1], sp);
	close(ctl[1]);
	if (pid < 0) {
		close(ctl[0]);
		sp->refs = 1;
		space_put(sp);
		return NULL;
	}
	struct sthread *t = thread_add(pid, pid, 0, sp);
	if (wait_for(t, ST_EV_READY)) {
		kill(pid, SIGKILL);
		close(ctl[0]);
		return NULL;	/* its exit comes through waitpid */
	}
	/* The host's initial TLS bases are zero. */
	chan_add(pid, ctl[0]);
	return t;
}

/* Every new guest process is a fork of one stub process that never runs
 * guest code, the zygote: cloning a process of a few pages is much cheaper
 * than a host exec and the stub's set-up (signal handlers, filter,
 * privileges) each time, and its children need nothing of that redone. */
static struct sthread *zygote;
static int zygote_maps = -1;	/* its address space, as /proc shows it */

static int zygote_ready(void)
{
	if (zygote && alive(zygote))
		return 0;
	if (zygote)
		give_up(zygote);	/* reaped with the others */
	zygote = spawn_stub();
	if (!zygote)
		return -EAGAIN;
	/* The host's initial stack is no use to anyone: the zygote goes. */
	char buf[8192];
	int fd = proc_maps_fd(zygote->tid);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		unsigned long s, e;
		if (strstr(line, "[stack]") && sscanf(line, "%lx-%lx", &s, &e) == 2) {
			const long args[6] = { (long)s, (long)(e - s) };
			systrap_host_syscall(zygote->tid, SYS_munmap, args);
		}
	}
	if (zygote_maps >= 0)
		close(zygote_maps);
	zygote_maps = memfd_create("persona-zygote-maps", MFD_CLOEXEC);
	fd = proc_maps_fd(zygote->tid);
	n = fd >= 0 ? read(fd, buf, sizeof(buf)) : -1;
	if (fd >= 0)
		close(fd);
	if (zygote_maps < 0 || n <= 0 || write(zygote_maps, buf, n) != n) {
		give_up(zygote);
		zygote = NULL;
		return -EAGAIN;
	}
	return 0;
}

static int systrap_maps_fd(int tid)
{
	(void)tid;	/* a fork of the zygote, untouched */
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", zygote_maps);
	return open(path, O_RDONLY | O_CLOEXEC);
}

/* The next new process, made ahead while the kernel does other work: an
 * exec that needs a new host process (a vfork child's, as posix_spawn
 * makes, or a threaded process's) takes it at once instead of waiting
 * for the zygote's clone and the child's set-up, hand-overs that each
 * cost a wake-up on a busy machine. */
static struct {
	enum { SPARE_NONE, SPARE_CLONING, SPARE_STARTING, SPARE_READY } state;
	struct forking f;
} spare;

static void spare_fail(void)
{
	fork_end(&spare.f, -EAGAIN);
	spare.state = SPARE_NONE;
}

static void spare_start(void)
{
	if (spare.state != SPARE_NONE || zygote_ready() || fork_begin(&spare.f, zygote, SIGCHLD))
		return;
	zygote->stopped = false;	/* its answer comes as an event */
	spare.state = SPARE_CLONING;
}

/* Whether the event `t` posted is one of the spare's making (the zygote's
 * clone done, or the child ready), taken here. */
static bool spare_event(struct sthread *t)
{
	uint32_t want = spare.state == SPARE_CLONING ? ST_EV_DONE : ST_EV_READY;
	if (!(spare.state == SPARE_CLONING && t == zygote) &&
	    !(spare.state == SPARE_STARTING && t == spare.f.child))
		return false;
	if (slot(t)->event != want || !take_frame(t)) {
		give_up(t);
		spare_fail();
	} else if (spare.state == SPARE_CLONING) {
		if (fork_cloned(&spare.f))
			spare_fail();
		else
			spare.state = SPARE_STARTING;
	} else if (fork_end(&spare.f, fork_ready(&spare.f))) {
		spare.state = SPARE_NONE;
	} else {
		spare.state = SPARE_READY;
	}
	return true;
}

/* The spare's host threads gone: nothing may point at them. */
static void spare_forget(struct sthread *t)
{
	if (spare.state == SPARE_CLONING && t == zygote)
		spare_fail();
	if (t == zygote)
		zygote = NULL;
	if (spare.state != SPARE_NONE && t == spare.f.child) {
		spare.f.child = NULL;
		if (spare.state == SPARE_READY)
			spare.state = SPARE_NONE;
		else
			spare_fail();
	}
}

static int systrap_spawn(int *out_tid)
{
	/* The spare, finished here if it is on its way. */
	while (spare.state == SPARE_CLONING || spare.state == SPARE_STARTING) {
		struct sthread *t = spare.state == SPARE_CLONING ? zygote : spare.f.child;
		uint32_t want = spare.state == SPARE_CLONING ? ST_EV_DONE : ST_EV_READY;
		if (wait_long(t, want, CLONE_DEADLINE_NS)) {
			spare_fail();
			break;
		}
		spare_event(t);
	}
	int err = 0;
	if (spare.state == SPARE_READY) {
		*out_tid = spare.f.child->tid;
		spare.state = SPARE_NONE;
	} else if (!(err = zygote_ready())) {
		err = clone_fork(zygote, SIGCHLD, out_tid);
	}
	spare_start();
	return err;
}

const struct platform systrap_platform = {
	.name = "systrap",
	.available = systrap_available,
	.init = systrap_init,
	.fd_ready = systrap_fd_ready,
	.spin = systrap_spin,
	.sleep_begin = systrap_sleep_begin,
	.sleep_end = systrap_sleep_end,
	.next_event = systrap_next_event,
	.spawn = systrap_spawn,
	.get_regs = systrap_get_regs,
	.set_regs = systrap_set_regs,
	.resume = systrap_resume,
	.interrupt = systrap_interrupt,
	.fpstate_size = systrap_fpstate_size,
	.get_fpstate = systrap_get_fpstate,
	.set_fpstate = systrap_set_fpstate,
	.host_syscall = systrap_host_syscall,
	.clone = systrap_clone,
	.exit_thread = systrap_exit_thread,
	.scratch = systrap_scratch,
	.scratch_ptr = systrap_scratch_ptr,
	.map_sent_fd = systrap_map_sent_fd,
	.maps_fd = systrap_maps_fd,
	.patchable = true,
};
