/* Copying between kernel buffers and guest memory. Every access checks
 * the guest pointer for real: a bad pointer is -EFAULT, never a crash. */
#pragma once
#include "task.h"

int copy_from_user(struct task *t, void *dst, uaddr_t src, size_t n);
int copy_to_user(struct task *t, uaddr_t dst, const void *src, size_t n);
/* Copies a NUL-terminated string of at most `max` bytes (NUL included);
 * returns its length, -EFAULT, or -ENAMETOOLONG. */
long strncpy_from_user(struct task *t, char *dst, uaddr_t src, size_t max);
/* Copies a path argument into a fresh PATH_MAX buffer (free it), or NULL
 * with *err set: -EFAULT, -ENAMETOOLONG, or -ENOENT for "". */
char *getname(struct task *t, uaddr_t src, int *err);
/* Like getname but "" is allowed (for AT_EMPTY_PATH). */
char *getname_empty_ok(struct task *t, uaddr_t src, int *err);
/* A timespec argument: -EFAULT, or -EINVAL when out of range. */
int get_user_timespec(struct task *t, uaddr_t src, struct timespec *ts);
/* Copies an extensible struct (clone3, openat2, sched_setattr), as
 * Linux's copy_struct_from_user: `usize` bytes from the guest into a
 * kernel struct of `ksize`; a shorter one is zero-filled, a longer one
 * must hold only zeros beyond ksize (-E2BIG otherwise), or -EFAULT. */
int copy_struct_from_user(struct task *t, void *dst, size_t ksize, uaddr_t src, size_t usize);
/* Zeroes guest memory. */
int clear_user(struct task *t, uaddr_t dst, size_t n);

/* Reads many small pieces of guest memory (exec's argument and environment
 * vectors and strings) a page at a time: one host call per page instead of
 * one per piece. The guest may change the memory meanwhile, as it may
 * while Linux copies; each piece is still read exactly once. */
struct user_pages {
	struct task *t;
	uaddr_t page[2];
	bool valid[2];
	unsigned next;
	char data[2][PAGE_SIZE];
};
void user_pages_init(struct user_pages *u, struct task *t);
int user_pages_read(struct user_pages *u, void *dst, uaddr_t src, size_t n);
/* As strncpy_from_user. */
long user_pages_str(struct user_pages *u, char *dst, uaddr_t src, size_t max);
