/* signalfd (man 2 signalfd), after the behavior of Linux's fs/signalfd.c:
 * an fd from which the reading task takes its pending signals of a given
 * set, as struct signalfd_siginfo records, instead of having them
 * delivered. As in Linux the fd names no task: reads and polls look at
 * whoever reads or polls (its own pending signals first, then its
 * process's), so a forked child reads its own signals.
 *
 * The signals are normally blocked, so their arrival wakes no one by
 * itself; the signal code wakes `signal_queued` whenever it queues any
 * signal, and readers and pollers of a signalfd wait there (Linux's
 * per-process signalfd_wqh; ours is one queue for all, so a wake may be
 * for someone else and the woken look again). */
#include "anon_inode.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/signalfd.h>

struct waitq signal_queued = WAITQ_INIT(signal_queued);

/* struct signalfd_siginfo, as Linux lays it out: 128 bytes. */
struct ksiginfo {
	uint32_t signo;
	int32_t err, code;
	uint32_t pid, uid;
	int32_t fd;
	uint32_t tid, band, overrun, trapno;
	int32_t status, int_;
	uint64_t ptr, utime, stime, addr;
	uint16_t addr_lsb, pad2;
	int32_t syscall;
	uint64_t call_addr;
	uint32_t arch;
	uint8_t pad[28];
};
_Static_assert(sizeof(struct ksiginfo) == 128, "signalfd_siginfo is 128 bytes");

/* The set of signals a signalfd takes (SIGKILL and SIGSTOP never). */
struct sigfd { uint64_t mask; };

static const struct file_ops signalfd_ops;

static uint64_t sfd_mask(struct file *f)
{
	return ((struct sigfd *)f->priv)->mask;
}

/* Which of Linux's siginfo layouts (kernel/signal.c's siginfo_layout) a
 * signal's info has: it decides which fields the record carries. */
enum layout { L_KILL, L_TIMER, L_POLL, L_FAULT, L_CHLD, L_RT, L_SYS };

static enum layout layout_of(int sig, int code)
{
	if (code > SI_USER && code < SI_KERNEL) {
		/* si_code values specific to the signal: how many it has. */
		static const struct { int sig, limit; enum layout l; } specific[] = {
			{ SIGILL, 11, L_FAULT }, { SIGFPE, 15, L_FAULT },
			{ SIGSEGV, 10, L_FAULT }, { SIGBUS, 5, L_FAULT },
			{ SIGTRAP, 6, L_FAULT }, { SIGCHLD, 6, L_CHLD },
			{ SIGPOLL, 6, L_POLL }, { SIGSYS, 2, L_SYS },
		};
		for (size_t i = 0; i < ARRAY_SIZE(specific); i++)
			if (specific[i].sig == sig)
				return code <= specific[i].limit ? specific[i].l
					: code <= 6 ? L_POLL : L_KILL;
		return code <= 6 ? L_POLL : L_KILL;	/* NSIGPOLL */
	}
	if (code == SI_TIMER)
		return L_TIMER;
	if (code == SI_SIGIO)
		return L_POLL;
	return code < 0 ? L_RT : L_KILL;
}

static void fill_record(struct ksiginfo *r, const siginfo_t *si)
{
	memset(r, 0, sizeof(*r));
	r->signo = si->si_signo;
	r->err = si->si_errno;
	r->code = si->si_code;
	switch (layout_of(si->si_signo, si->si_code)) {
	case L_KILL:
		r->pid = si->si_pid;
		r->uid = si->si_uid;
		break;
	case L_TIMER:
		r->tid = si->si_timerid;
		r->overrun = si->si_overrun;
		r->ptr = (uint64_t)si->si_ptr;
		r->int_ = si->si_int;
		break;
	case L_POLL:
		r->band = si->si_band;
		r->fd = si->si_fd;
		break;
	case L_FAULT:
		r->addr = (uint64_t)si->si_addr;
		if (si->si_signo == SIGBUS && (si->si_code == BUS_MCEERR_AR || si->si_code == BUS_MCEERR_AO))
			r->addr_lsb = si->si_addr_lsb;
		break;
	case L_CHLD:
		r->pid = si->si_pid;
		r->uid = si->si_uid;
		r->status = si->si_status;
		r->utime = si->si_utime;
		r->stime = si->si_stime;
		break;
	case L_RT:
		r->pid = si->si_pid;
		r->uid = si->si_uid;
		r->ptr = (uint64_t)si->si_ptr;
		r->int_ = si->si_int;
		break;
	case L_SYS:
		r->call_addr = (uint64_t)si->si_call_addr;
		r->syscall = si->si_syscall;
		r->arch = si->si_arch;
		break;
	}
}

/* The signal Linux's next_signal picks among `set`: the synchronous
 * (fault) signals first, then the lowest number. 0 if none. */
static int next_signal(uint64_t set)
{
	uint64_t sync = SIGBIT(SIGSEGV) | SIGBIT(SIGBUS) | SIGBIT(SIGILL) | SIGBIT(SIGTRAP) |
			SIGBIT(SIGFPE) | SIGBIT(SIGSYS);
	if (set & sync)
		set &= sync;
	return set ? __builtin_ctzll(set) + 1 : 0;
}

/* The task's next signal in `mask`: its own pending ones first. */
static int sfd_next(struct task *t, uint64_t mask)
{
	int sig = next_signal(t->pending.set & mask);
	return sig ? sig : next_signal(t->proc->shared_pending.set & mask);
}

static ssize_t signalfd_read(struct file *f, char *buf, size_t n, uint64_t *pos UNUSED)
{
	struct task *t = current;
	size_t count = n / sizeof(struct ksiginfo), done = 0;
	if (!count)
		return -EINVAL;
	for (; done < count; done++) {
		int sig = sfd_next(t, sfd_mask(f));
		if (!sig)
			break;
		siginfo_t si;
		signal_take(t, sig, &si);
		fill_record((struct ksiginfo *)buf + done, &si);
	}
	if (done)
		return done * sizeof(struct ksiginfo);
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(t, &signal_queued);
	return -EWOULDBLOCK_TASK;
}

/* Readable while the polling task has a signal of the set pending. */
static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	poll_wait(pt, &signal_queued);
	if (current && sfd_next(current, sfd_mask(f)))
		return POLLIN | POLLRDNORM;
	return 0;
}

static void signalfd_release(struct file *f)
{
	free(f->priv);
}

static const struct file_ops signalfd_ops = {
	.anon_name = "[signalfd]",
	.read = signalfd_read, .poll = signalfd_poll, .release = signalfd_release,
	.getattr = anon_getattr,
};

static long do_signalfd4(struct task *t, int fd, uaddr_t umask, size_t size, int flags)
{
	uint64_t mask;
	if (size != sizeof(mask))
		return -EINVAL;
	if (copy_from_user(t, &mask, umask, sizeof(mask)))
		return -EFAULT;
	if (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK))
		return -EINVAL;
	mask &= ~UNBLOCKABLE;
	if (fd == -1) {
		struct sigfd *s = xzalloc(sizeof(*s));
		s->mask = mask;
		struct file *f = anon_file_new(&signalfd_ops, s, flags & SFD_NONBLOCK);
		return anon_install(t, f, flags & SFD_CLOEXEC);
	}
	/* A new set for an existing signalfd; its flags stay as they were. */
	long err;
	struct file *f = anon_fd_get(t, fd, &signalfd_ops, &err);
	if (!f)
		return err;
	((struct sigfd *)f->priv)->mask = mask;
	file_put(f);
	wake_up(&signal_queued);	/* readers look again with the new set */
	return fd;
}

long sys_signalfd(struct task *t, const struct sysargs *a)
{
	return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], 0);
}

long sys_signalfd4(struct task *t, const struct sysargs *a)
{
	return do_signalfd4(t, (int)a->a[0], a->a[1], a->a[2], (int)a->a[3]);
}
