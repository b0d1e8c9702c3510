/* Between epoll.c (epoll instances, the interest list, readiness) and
 * epoll_wait.c (the calls that wait). */
#pragma once
#include "vfs.h"
#include <limits.h>

#define EPOLL_EVENT_SIZE 12	/* struct epoll_event on x86_64: packed */
#define EP_MAX_EVENTS (INT_MAX / EPOLL_EVENT_SIZE)

bool is_epoll(struct file *f);
/* kcmp's KCMP_EPOLL_TFD: the file of the toff-th entry for fd tfd in
 * epoll file ep, not a reference; -EINVAL if ep is no epoll, -ENOENT if
 * there is no such entry. */
long epoll_target(struct file *ep, int tfd, unsigned toff, struct file **target);
/* Writes up to `max` ready events to the guest's buffer, in Linux's
 * order, and takes them (EPOLLET, EPOLLONESHOT): how many, 0 if none is
 * ready, or -EFAULT if not even the first could be written. */
long epoll_send_events(struct task *t, struct file *f, uaddr_t uev, int max);
/* Parks the poll table's task on every queue a change of the set's
 * readiness would be announced on. */
void epoll_register(struct file *f, struct poll_table *pt);
