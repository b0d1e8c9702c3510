/* poll, ppoll, select, pselect6 (man 2 poll, man 2 select), after Linux's
 * fs/select.c. Each run asks every file for its readiness; when nothing
 * is ready and the call may wait, the same pass has also parked the task
 * on every queue a change would be announced on (poll_wait), and a timer
 * holds the deadline. Any wake runs the call again from the top, which
 * asks again. The deadline is fixed on the first run in t->deadline.
 *
 * A wait cut short by a signal ends with ERESTARTNOHAND. select, pselect6
 * and ppoll write the time left back to the guest's timeout before each
 * wait, as Linux does when they return, so a restart waits only for
 * what is left. Differences from Linux: poll restarts with its whole
 * timeout (Linux uses a restart block that keeps the time left).
 * ppoll/pselect6 wait with their signal mask in force; it stays so for the
 * handler of the signal that ended the wait, and goes otherwise, as in
 * Linux's poll_select_finish. */
#include "vfs.h"
#include "waitq.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/personality.h>
#include <sys/select.h>

/* When the call's time runs out. */
enum { TO_NEVER, TO_NOW, TO_LATER };

struct timeout {
	int kind;
	struct timespec len;	/* for TO_LATER */
};

/* Starts the clock on the first run; later runs keep t->deadline. */
static void timeout_start(struct task *t, struct timeout *to)
{
	if (to->kind == TO_LATER && !t->rerun) {
		/* A timeout of more than 30 years is waited for as one of 30
		 * years, which keeps the clock arithmetic from overflowing. */
		if (to->len.tv_sec > 1000000000)
			to->len.tv_sec = 1000000000;
		t->deadline = ts_add(mono_now(), to->len);
	}
}

static bool timeout_expired(struct task *t, const struct timeout *to)
{
	if (to->kind == TO_NOW)
		return true;
	return to->kind == TO_LATER && ts_cmp(mono_now(), t->deadline) >= 0;
}

/* A timespec as Linux's poll_select_set_timeout takes it. */
static int timeout_from_ts(struct timeout *to, int64_t sec, int64_t nsec)
{
	if (sec < 0 || nsec < 0 || nsec >= 1000000000)
		return -EINVAL;
	to->kind = sec || nsec ? TO_LATER : TO_NOW;
	to->len = (struct timespec){ sec, nsec };
	return 0;
}

/* Nothing ready: sleep until a queue the pass joined is woken, or the
 * deadline. Linux restarts select and poll with ERESTARTNOHAND. */
static long block(struct task *t, const struct timeout *to)
{
	if (to->kind == TO_LATER && !t->timer)
		wait_until(t, &t->deadline);
	t->restart_code = ERESTARTNOHAND;
	return -EWOULDBLOCK_TASK;
}

/* Readiness of one fd; POLLNVAL if it is not open (an O_PATH file has
 * no poll either, as Linux's fdget sees it). */
static unsigned poll_fd(struct task *t, int fd, struct poll_table *pt)
{
	struct file *f = fd_get_unpinned(t, fd);
	if (!f)
		return POLLNVAL;
	unsigned m = f->flags & O_PATH ? POLLNVAL : file_poll(f, pt);
	file_put(f);
	return m;
}

/* ---- poll ---- */

/* Fills revents; stops joining queues once something is ready, since
 * the call will not wait then. Returns how many entries have revents. */
static int poll_pass(struct task *t, struct pollfd *fds, unsigned nfds, struct poll_table *pt)
{
	int count = 0;
	for (unsigned i = 0; i < nfds; i++) {
		struct pollfd *p = &fds[i];
		p->revents = 0;
		if (p->fd < 0)
			continue;
		unsigned m = poll_fd(t, p->fd, pt);
		if (m != POLLNVAL)
			m &= (unsigned short)p->events | POLLERR | POLLHUP;
		p->revents = m;
		if (m) {
			count++;
			pt->task = NULL;
		}
	}
	return count;
}

static long do_poll(struct task *t, uaddr_t ufds, unsigned nfds, struct timeout *to)
{
	if (nfds > t->proc->rlim[RLIMIT_NOFILE].rlim_cur)
		return -EINVAL;
	if (nfds > (1U << 22))
		return -ENOMEM;
	struct pollfd *fds = xmalloc(MAX(nfds, 1) * sizeof(*fds));
	long r;
	if (copy_from_user(t, fds, ufds, nfds * sizeof(*fds))) {
		r = -EFAULT;
		goto out;
	}
	bool may_wait = !timeout_expired(t, to);
	struct poll_table pt = { may_wait ? t : NULL, 0 };
	r = poll_pass(t, fds, nfds, &pt);
	if (r == 0 && may_wait) {
		r = block(t, to);
		goto out;
	}
	if (may_wait)
		task_unwait(t);	/* leave the queues the pass joined */
	/* Linux writes back only revents; the rest is what was read. */
	if (copy_to_user(t, ufds, fds, nfds * sizeof(*fds)))
		r = -EFAULT;
out:
	free(fds);
	return r;
}

long sys_poll(struct task *t, const struct sysargs *a)
{
	int ms = (int)a->a[2];
	struct timeout to = { ms < 0 ? TO_NEVER : ms ? TO_LATER : TO_NOW,
			      { ms / 1000, (ms % 1000) * 1000000L } };
	timeout_start(t, &to);
	return do_poll(t, a->a[0], (unsigned)a->a[1], &to);
}

/* Reads a timespec timeout (NULL: none). */
static int get_ts_timeout(struct task *t, uaddr_t uts, struct timeout *to)
{
	struct timespec ts;
	to->kind = TO_NEVER;
	if (!uts)
		return 0;
	if (copy_from_user(t, &ts, uts, sizeof(ts)))
		return -EFAULT;
	return timeout_from_ts(to, ts.tv_sec, ts.tv_nsec);
}

/* personality(STICKY_TIMEOUTS): the timeout is never written back, so a
 * wait cut short cannot restart with the time left: it ends with EINTR,
 * as in Linux's poll_select_finish. */
static bool sticky(struct task *t, long *r)
{
	if (!(t->proc->personality & STICKY_TIMEOUTS))
		return false;
	if (*r == -ERESTARTNOHAND)
		*r = -EINTR;
	return true;
}

/* Writes the time left back, as Linux's poll_select_finish does (also
 * before a wait: see the top); a timeout in read-only memory is left
 * alone. */
static long finish_ts(struct task *t, uaddr_t uts, const struct timeout *to, long r)
{
	if (sticky(t, &r) || !uts || to->kind != TO_LATER)
		return r;
	struct timespec left = deadline_left(t);
	copy_to_user(t, uts, &left, sizeof(left));
	return r;
}

long sys_ppoll(struct task *t, const struct sysargs *a)
{
	struct timeout to;
	int err = get_ts_timeout(t, a->a[2], &to);
	if (!err)
		err = signal_wait_mask(t, a->a[3], a->a[4]);
	if (err)
		return err;
	timeout_start(t, &to);
	long r = do_poll(t, a->a[0], (unsigned)a->a[1], &to);
	return signal_wait_mask_done(t, finish_ts(t, a->a[2], &to, r));
}

/* ---- select ---- */

#define WORD_BITS 64
/* Linux's POLLIN_SET, POLLOUT_SET and POLLEX_SET. */
#define IN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define OUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define EX_SET (POLLPRI)

struct fdsets {
	uint64_t *in, *out, *ex;		/* as asked */
	uint64_t *rin, *rout, *rex;		/* as answered */
	size_t words;
};

static bool bit(const uint64_t *set, int fd)
{
	return set[fd / WORD_BITS] >> (fd % WORD_BITS) & 1;
}

static void set_bit(uint64_t *set, int fd)
{
	set[fd / WORD_BITS] |= 1ULL << (fd % WORD_BITS);
}

/* Copies in the sets; a NULL pointer is an empty set. */
static int get_sets(struct task *t, const struct sysargs *a, struct fdsets *s)
{
	size_t n = s->words * 8;
	uaddr_t u[3] = { a->a[1], a->a[2], a->a[3] };
	uint64_t *k[3] = { s->in, s->out, s->ex };
	for (int i = 0; i < 3; i++)
		if (u[i] && copy_from_user(t, k[i], u[i], n))
			return -EFAULT;
	return 0;
}

static int put_sets(struct task *t, const struct sysargs *a, struct fdsets *s)
{
	size_t n = s->words * 8;
	uaddr_t u[3] = { a->a[1], a->a[2], a->a[3] };
	uint64_t *k[3] = { s->rin, s->rout, s->rex };
	for (int i = 0; i < 3; i++)
		if (u[i] && copy_to_user(t, u[i], k[i], n))
			return -EFAULT;
	return 0;
}

static int select_pass(struct task *t, int n, struct fdsets *s, struct poll_table *pt)
{
	int count = 0;
	memset(s->rin, 0, s->words * 8 * 3);
	for (int fd = 0; fd < n; fd++) {
		bool in = bit(s->in, fd), out = bit(s->out, fd), ex = bit(s->ex, fd);
		if (!in && !out && !ex)
			continue;
		unsigned m = poll_fd(t, fd, pt);
		int before = count;
		if (in && (m & IN_SET)) {
			set_bit(s->rin, fd);
			count++;
		}
		if (out && (m & OUT_SET)) {
			set_bit(s->rout, fd);
			count++;
		}
		if (ex && (m & EX_SET)) {
			set_bit(s->rex, fd);
			count++;
		}
		if (count > before)
			pt->task = NULL;
	}
	return count;
}

/* Every fd named in a set must be open (Linux's max_select_fd). */
static bool sets_valid(struct task *t, int n, struct fdsets *s)
{
	struct files *fs = t->proc->files;
	for (int fd = 0; fd < n; fd++)
		if ((bit(s->in, fd) || bit(s->out, fd) || bit(s->ex, fd)) && !fs->fd[fd])
			return false;
	return true;
}

/* The sets are a->a[1..3]. */
static long do_select(struct task *t, const struct sysargs *a, struct timeout *to)
{
	int n = (int)a->a[0];
	if (n < 0)
		return -EINVAL;
	/* Bits past the fd table are never looked at, as in Linux. */
	n = MIN(n, t->proc->files->max);
	struct fdsets s;
	s.words = (n + WORD_BITS - 1) / WORD_BITS;
	uint64_t *mem = xzalloc(MAX(s.words, 1) * 8 * 6);
	s.in = mem, s.out = mem + s.words, s.ex = mem + 2 * s.words;
	s.rin = mem + 3 * s.words, s.rout = mem + 4 * s.words, s.rex = mem + 5 * s.words;
	long r = get_sets(t, a, &s);
	if (r)
		goto out;
	if (!sets_valid(t, n, &s)) {
		r = -EBADF;
		goto out;
	}
	bool may_wait = !timeout_expired(t, to);
	struct poll_table pt = { may_wait ? t : NULL, 0 };
	r = select_pass(t, n, &s, &pt);
	if (r == 0 && may_wait) {
		r = block(t, to);
		goto out;
	}
	if (may_wait)
		task_unwait(t);
	if (put_sets(t, a, &s))
		r = -EFAULT;
out:
	free(mem);
	return r;
}

long sys_select(struct task *t, const struct sysargs *a)
{
	struct timeout to = { TO_NEVER, { 0, 0 } };
	struct timeval tv;
	uaddr_t utv = a->a[4];
	if (utv) {
		if (copy_from_user(t, &tv, utv, sizeof(tv)))
			return -EFAULT;
		/* Linux carries whole seconds out of tv_usec. */
		if (timeout_from_ts(&to, tv.tv_sec + tv.tv_usec / 1000000,
				    (tv.tv_usec % 1000000) * 1000))
			return -EINVAL;
	}
	timeout_start(t, &to);
	long r = do_select(t, a, &to);
	if (sticky(t, &r) || !utv || to.kind != TO_LATER)
		return r;
	struct timespec left = deadline_left(t);
	tv = (struct timeval){ left.tv_sec, left.tv_nsec / 1000 };
	copy_to_user(t, utv, &tv, sizeof(tv));
	return r;
}

long sys_pselect6(struct task *t, const struct sysargs *a)
{
	/* The sixth argument: { const sigset_t *ss; size_t ss_len; }. */
	struct { uint64_t ss, len; } sig = { 0, 0 };
	if (a->a[5] && copy_from_user(t, &sig, a->a[5], sizeof(sig)))
		return -EFAULT;
	struct timeout to;
	int err = get_ts_timeout(t, a->a[4], &to);
	if (!err)
		err = signal_wait_mask(t, sig.ss, sig.len);
	if (err)
		return err;
	timeout_start(t, &to);
	long r = do_select(t, a, &to);
	return signal_wait_mask_done(t, finish_ts(t, a->a[4], &to, r));
}
