/* Pipes and FIFOs (man 7 pipe, man 7 fifo): the pipe object shared by
 * pipe.c (the buffer, anonymous pipes, pipe(2)) and fifo.c (named pipes:
 * opening, which may wait for the other end). */
#pragma once
#include "vfs.h"
#include "waitq.h"

#define PIPE_DEF_SLOTS	16		/* 65536 bytes */
#define PIPE_MAX_SIZE	1048576		/* /proc/sys/fs/pipe-max-size */

/* One page of data, as in Linux: the pipe is a ring of such slots, and
 * its capacity is counted in slots, not bytes. */
struct pipe_slot {
	char *page;
	uint32_t off, len;
	bool packet;		/* written in O_DIRECT mode: one read each */
};

struct pipe {
	struct pipe_slot *slots;
	unsigned nslots;	/* a power of two */
	unsigned head, tail;	/* free-running; head - tail slots in use */
	int readers, writers;	/* open ends (and FIFO opens granted) */
	unsigned w_counter;	/* writer opens ever: gates a FIFO's POLLHUP */
	struct waitq rd_wait;	/* readers wait for data or EOF */
	struct waitq wr_wait;	/* writers wait for room or EPIPE */
	uint64_t ino;
	uint32_t uid, gid;
	struct timespec atime, mtime, ctime;
	/* FIFOs only: the inode's identity, the open-waiters, the registry. */
	bool fifo;
	uint64_t dev, fino;
	struct list_head openers;	/* struct fifo_opener */
	struct waitq open_wait;
	struct list_head node;
};

/* What an open end of a pipe keeps (file->priv). */
struct pipe_end {
	struct pipe *p;
	/* A FIFO reader opened O_NONBLOCK with no writer sees no POLLHUP
	 * until a writer has come (Linux's f_version trick). */
	bool hup_gated;
	unsigned w_seen;
};

extern const struct file_ops fifo_fops;

struct pipe *pipe_alloc(void);
void pipe_free(struct pipe *p);
/* Gives `f` the pipe's file ops and an end for it (counts already made). */
void pipe_attach(struct file *f, struct pipe *p, const struct file_ops *ops,
		 bool hup_gated);
/* One reader and/or writer less: wakes who must learn of it. */
void pipe_drop_end(struct pipe *p, bool reader, bool writer);

/* Opens a FIFO inode into `f` (open(2) of a named pipe); may block. */
int fifo_open(struct inode *i, struct file *f);
/* A FIFO end was closed (after pipe_drop_end): frees an unused FIFO. */
void fifo_end_closed(struct pipe *p);
/* Drops FIFO open grants whose task went away (they hold counts). */
void fifo_prune(struct pipe *p);

/* F_GETPIPE_SZ / F_SETPIPE_SZ; -EBADF on a file that is not a pipe. */
long pipe_fcntl(struct file *f, struct task *t, int cmd, unsigned arg);
/* Whether `f` is an end of a pipe or FIFO (splice needs one). */
bool file_is_pipe(struct file *f);
/* What splice reads from a pipe: pipe_peek is read(2) that leaves the
 * bytes in the pipe (it may wait, as read does), pipe_consume then drops
 * as many as the other end took, so what it did not take stays. */
ssize_t pipe_peek(struct file *f, char *buf, size_t n);
void pipe_consume(struct file *f, size_t n);
/* "pipe:[INO]" for an anonymous pipe, or NULL when `f` is not one. */
char *pipe_link_name(struct file *f);
