/* Things every kernel file needs: integer types, errno, small helpers. */
#pragma once
#define _GNU_SOURCE
#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include "list.h"

typedef uint64_t uaddr_t;	/* an address in guest memory */

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define PAGE_SIZE 4096UL
#define PAGE_ALIGN(x) (((x) + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1))
#define PAGE_DOWN(x) ((x) & ~(PAGE_SIZE - 1))
#define UNUSED __attribute__((unused))

/* Kernel-internal return codes, never seen by the guest (as in Linux). */
#define ERESTARTSYS		512
#define ERESTARTNOINTR		513
#define ERESTARTNOHAND		514
#define ERESTART_RESTARTBLOCK	516
/* The handler parked the task on a wait queue; run it again when woken. */
#define EWOULDBLOCK_TASK	600

/* Bounded error-checked allocation: the kernel has no way to recover from
 * running out of host memory, so it stops loudly. */
void *xmalloc(size_t n);
void *xzalloc(size_t n);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* Messages from persona itself (not the guest) go to the host's stderr. */
void kwarn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
_Noreturn void kpanic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A growable byte buffer, used to build /proc files and trace lines. */
struct sbuf { char *buf; size_t len, cap; };
void sbuf_printf(struct sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void sbuf_add(struct sbuf *b, const void *p, size_t n);
void sbuf_free(struct sbuf *b);
