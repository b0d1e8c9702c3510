/* Clocks and sleeping. Reading the time is the host's business (and the
 * guest mostly asks the vDSO, never reaching here); sleeping parks the
 * task on the kernel's timer list. */
#include "task.h"
#include "ksignal.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "waitq.h"
#include <sys/random.h>
#include <sys/time.h>

#define NSEC 1000000000L

/* A guest clock id as a host clock id. The CPU-time clocks of the
 * calling process and thread are the host's clocks of the host process
 * and thread that run them (Linux's MAKE_PROCESS_CPUCLOCK encoding). */
static int host_clock(struct task *t, int id, clockid_t *out)
{
	switch (id) {
	case CLOCK_REALTIME: case CLOCK_MONOTONIC: case CLOCK_MONOTONIC_RAW:
	case CLOCK_REALTIME_COARSE: case CLOCK_MONOTONIC_COARSE: case CLOCK_BOOTTIME:
	case CLOCK_REALTIME_ALARM: case CLOCK_BOOTTIME_ALARM: case CLOCK_TAI:
		*out = id;
		return 0;
	case CLOCK_PROCESS_CPUTIME_ID:
		*out = (clockid_t)((~(unsigned)t->host_tid) << 3) | 2;
		return 0;
	case CLOCK_THREAD_CPUTIME_ID:
		*out = (clockid_t)((~(unsigned)t->host_tid) << 3) | 2 | 4;
		return 0;
	}
	return -EINVAL;
}

/* A thread's CPU time, from the host's scheduler statistics: the host
 * lets no other process read a thread's CPU clock. */
static int thread_cputime(struct task *t, struct timespec *ts)
{
	char path[64];
	unsigned long long ns = 0;
	snprintf(path, sizeof(path), "/proc/%d/schedstat", t->host_tid);
	FILE *f = fopen(path, "re");
	if (!f)
		return -EINVAL;
	int n = fscanf(f, "%llu", &ns);
	fclose(f);
	if (n != 1)
		return -EINVAL;
	ts->tv_sec = ns / 1000000000ULL;
	ts->tv_nsec = ns % 1000000000ULL;
	return 0;
}

long sys_clock_gettime(struct task *t, const struct sysargs *a)
{
	clockid_t c;
	struct timespec ts;
	int err = host_clock(t, (int)a->a[0], &c);
	if (err)
		return err;
	if ((int)a->a[0] == CLOCK_THREAD_CPUTIME_ID) {
		if ((err = thread_cputime(t, &ts)))
			return err;
	} else if (clock_gettime(c, &ts)) {
		return -errno;
	}
	return copy_to_user(t, a->a[1], &ts, sizeof(ts));
}

long sys_clock_getres(struct task *t, const struct sysargs *a)
{
	clockid_t c;
	struct timespec ts;
	int err = host_clock(t, (int)a->a[0], &c);
	if (err)
		return err;
	if ((int)a->a[0] == CLOCK_THREAD_CPUTIME_ID)
		ts = (struct timespec){ 0, 1 };
	else if (clock_getres(c, &ts))
		return -errno;
	return a->a[1] ? copy_to_user(t, a->a[1], &ts, sizeof(ts)) : 0;
}

long sys_gettimeofday(struct task *t, const struct sysargs *a)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
	if (a->a[0] && copy_to_user(t, a->a[0], &tv, sizeof(tv)))
		return -EFAULT;
	if (a->a[1]) {
		struct timezone tz = { 0, 0 };
		if (copy_to_user(t, a->a[1], &tz, sizeof(tz)))
			return -EFAULT;
	}
	return 0;
}

long sys_time(struct task *t, const struct sysargs *a)
{
	int64_t now = time(NULL);
	if (a->a[0] && copy_to_user(t, a->a[0], &now, sizeof(now)))
		return -EFAULT;
	return now;
}

/* The sleep shared by nanosleep, clock_nanosleep and restart_syscall.
 * The deadline is fixed on the first run and kept in the task across
 * reruns. As in Linux, a signal ends a relative sleep with the time left
 * written to *rem (EFAULT if it can't be) and ERESTART_RESTARTBLOCK: a
 * handler makes that EINTR whatever SA_RESTART says, and without one
 * restart_syscall sleeps on to the same deadline. An absolute sleep ends
 * with ERESTARTNOHAND and runs again as it was. The signal is looked at
 * here, before the task parks, since rem must be written as the wait
 * ends (the loop only reruns us when a signal wakes the sleep). */
long sleep_until_deadline(struct task *t, uaddr_t urem, bool absolute)
{
	struct timespec now = mono_now();
	if (ts_cmp(now, t->deadline) >= 0)
		return 0;
	if (signal_pending(t)) {
		if (absolute)
			return -ERESTARTNOHAND;
		struct timespec left = ts_sub(t->deadline, now);
		if (urem && copy_to_user(t, urem, &left, sizeof(left)))
			return -EFAULT;
		t->sleep_rem = urem;
		return -ERESTART_RESTARTBLOCK;
	}
	wait_until(t, &t->deadline);
	t->restart_code = absolute ? ERESTARTNOHAND : ERESTART_RESTARTBLOCK;
	return -EWOULDBLOCK_TASK;
}

long sys_nanosleep(struct task *t, const struct sysargs *a)
{
	if (!t->rerun) {
		struct timespec req;
		int err = get_user_timespec(t, a->a[0], &req);
		if (err)
			return err;
		t->deadline = ts_add(mono_now(), req);
	}
	return sleep_until_deadline(t, a->a[1], false);
}

long sys_clock_nanosleep(struct task *t, const struct sysargs *a)
{
	int id = (int)a->a[0], flags = (int)a->a[1];
	if (!t->rerun) {
		if (id == CLOCK_THREAD_CPUTIME_ID)
			return -EINVAL;
		clockid_t c;
		int err = host_clock(t, id, &c);
		if (err)
			return err;
		if (id != CLOCK_REALTIME && id != CLOCK_MONOTONIC && id != CLOCK_BOOTTIME &&
		    id != CLOCK_TAI && id != CLOCK_PROCESS_CPUTIME_ID)
			return -ENOTSUP;
		struct timespec req;
		if ((err = get_user_timespec(t, a->a[2], &req)))
			return err;
		if (flags & TIMER_ABSTIME) {
			/* An absolute time on clock `c`: the wait is its
			 * distance from that clock's now. */
			struct timespec cnow;
			clock_gettime(c, &cnow);
			if (ts_cmp(req, cnow) <= 0)
				return 0;
			req = ts_sub(req, cnow);
		}
		t->deadline = ts_add(mono_now(), req);
	}
	return sleep_until_deadline(t, a->a[3], flags & TIMER_ABSTIME);
}

long sys_getrandom(struct task *t, const struct sysargs *a)
{
	size_t len = a->a[1];
	unsigned flags = (unsigned)a->a[2];
	if (flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	if ((flags & GRND_RANDOM) && (flags & GRND_INSECURE))
		return -EINVAL;
	len = MIN(len, (size_t)0x1ffffff);
	char buf[4096];
	size_t done = 0;
	while (done < len) {
		size_t k = MIN(len - done, sizeof(buf));
		ssize_t n = getrandom(buf, k, 0);
		if (n <= 0)
			return done ? (long)done : -EIO;
		if (copy_to_user(t, a->a[0] + done, buf, n))
			return done ? (long)done : -EFAULT;
		done += n;
	}
	return done;
}
