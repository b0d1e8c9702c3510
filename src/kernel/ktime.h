/* Times in nanoseconds (int64_t, as Linux's ktime_t), for the timers that
 * keep their deadlines on CLOCK_MONOTONIC: timerfd and POSIX timers. */
#pragma once
#include <stdint.h>
#include <time.h>

#define KT_NSEC 1000000000LL

/* Nanoseconds, saturating where ktime_t does (some 292 years). */
static inline int64_t ts_ns(struct timespec ts)
{
	if (ts.tv_sec >= INT64_MAX / KT_NSEC - 1)
		return INT64_MAX;
	return ts.tv_sec * KT_NSEC + ts.tv_nsec;
}

static inline struct timespec ns_ts(int64_t ns)
{
	return (struct timespec){ ns / KT_NSEC, ns % KT_NSEC };
}

static inline int64_t now_ns(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return ts_ns(ts);
}

static inline int64_t sat_add(int64_t a, int64_t b)
{
	return a > INT64_MAX - b ? INT64_MAX : a + b;
}

/* The CLOCK_MONOTONIC time of an absolute time on clock `clockid` (the
 * alarm clocks count as their plain ones): fixed by the clock's offset
 * now, so a later change of the realtime clock does not move it. */
static inline int64_t to_mono(int clockid, int64_t abs)
{
	clockid_t c = clockid == CLOCK_REALTIME_ALARM ? CLOCK_REALTIME :
		      clockid == CLOCK_BOOTTIME_ALARM ? CLOCK_BOOTTIME : clockid;
	int64_t mono = now_ns(CLOCK_MONOTONIC);
	if (c == CLOCK_MONOTONIC)
		return abs;
	return sat_add(abs - now_ns(c), mono);
}
