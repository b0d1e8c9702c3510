/* Scheduling policies and sched_setattr's struct (Linux's
 * uapi/linux/sched.h and sched/types.h); the values are the kernel ABI. */
#pragma once
#include <stdint.h>

#define K_SCHED_OTHER		0
#define K_SCHED_FIFO		1
#define K_SCHED_RR		2
#define K_SCHED_BATCH		3
#define K_SCHED_IDLE		5
#define K_SCHED_DEADLINE	6
#define K_SCHED_EXT		7
#define K_SCHED_RESET_ON_FORK	0x40000000

#define SCHED_FLAG_RESET_ON_FORK	0x01
#define SCHED_FLAG_RECLAIM		0x02
#define SCHED_FLAG_DL_OVERRUN		0x04
#define SCHED_FLAG_KEEP_POLICY		0x08
#define SCHED_FLAG_KEEP_PARAMS		0x10
#define SCHED_FLAG_UTIL_CLAMP_MIN	0x20
#define SCHED_FLAG_UTIL_CLAMP_MAX	0x40
#define SCHED_FLAG_KEEP_ALL	(SCHED_FLAG_KEEP_POLICY | SCHED_FLAG_KEEP_PARAMS)
#define SCHED_FLAG_UTIL_CLAMP	(SCHED_FLAG_UTIL_CLAMP_MIN | SCHED_FLAG_UTIL_CLAMP_MAX)
#define SCHED_FLAG_ALL	(SCHED_FLAG_RESET_ON_FORK | SCHED_FLAG_RECLAIM | \
			 SCHED_FLAG_DL_OVERRUN | SCHED_FLAG_KEEP_ALL | SCHED_FLAG_UTIL_CLAMP)
#define SCHED_FLAG_SUGOV	0x10000000

struct k_sched_attr {
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
	uint32_t sched_util_min, sched_util_max;
};
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_SIZE_VER1 56
_Static_assert(sizeof(struct k_sched_attr) == SCHED_ATTR_SIZE_VER1, "sched_attr");
