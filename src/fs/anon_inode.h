/* Files with no inode of their own (epoll, eventfd, timerfd, signalfd),
 * shown as Linux's anon_inodefs shows them. */
#pragma once
#include "vfs.h"

/* A fresh O_RDWR file with these ops and private data; `flags` adds
 * O_NONBLOCK where the caller asked for it. */
struct file *anon_file_new(const struct file_ops *ops, void *priv, unsigned flags);
/* Installs `f` at the lowest free fd and returns it; on failure the file
 * is dropped and the error returned. */
long anon_install(struct task *t, struct file *f, bool cloexec);
/* fstat of such a file: mode 0600 with no file type, one link. */
int anon_getattr(struct file *f, struct kstat *st);
/* An fd's file as Linux's fdget sees it: NULL if the fd is not open or
 * is an O_PATH fd. */
struct file *fd_get_io(struct task *t, int fd);
/* The file at `fd` when it has these ops; else NULL with *err set to
 * -EBADF (no file there) or -EINVAL (another kind of file). */
struct file *anon_fd_get(struct task *t, int fd, const struct file_ops *ops, long *err);
