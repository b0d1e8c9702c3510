/* Terminals of persona's own: pseudo-terminal pairs (/dev/ptmx and
 * /dev/pts/N) with a line discipline in the kernel, as Linux's n_tty.
 * (The console, the terminal persona itself runs on, is the host's and
 * is served by fs/hostfile.c: its line discipline is the host's.)
 *
 * One struct tty is a pair. What the master writes goes through the
 * input side of the line discipline (signals, editing, echo) into `in`,
 * where the slave reads it; what the slave writes (and echo) goes through
 * output processing into `out`, where the master reads it. */
#pragma once
#include "vfs.h"
#include "waitq.h"

/* struct termios as the kernel lays it out (termios2 with the speeds);
 * glibc's struct termios is another layout. */
struct ktermios {
	uint32_t iflag, oflag, cflag, lflag;
	uint8_t line;
	uint8_t cc[19];
	uint32_t ispeed, ospeed;
};

/* The termios2 ioctls, spelled out: their glibc macros need a struct the
 * C library does not declare. */
#define K_TCGETS2	0x802c542aUL
#define K_TCSETS2	0x402c542bUL
#define K_TCSETSW2	0x402c542cUL
#define K_TCSETSF2	0x402c542dUL

#define TTY_IN_SIZE 4096	/* Linux's N_TTY_BUF_SIZE */
#define TTY_OUT_SIZE 8192	/* what the slave may write ahead of the master */

struct tty {
	int index;			/* N of /dev/pts/N */
	struct ktermios tio;
	uint16_t ws[4];			/* struct winsize */
	/* Input the slave reads: bytes [0, in_len). The first canon_len of
	 * them are complete lines (canonical mode); mark[i] says a byte ends
	 * a line (MARK_EOL), or is an end-of-file that ends one and is not
	 * read (MARK_EOF). */
	unsigned char in[TTY_IN_SIZE], mark[TTY_IN_SIZE];
	size_t in_len, canon_len;
#define MARK_EOL 1
#define MARK_EOF 2
	struct timespec last_input;	/* for VTIME between bytes */
	bool lnext;			/* the next byte is taken literally */
	/* Output the master reads. */
	unsigned char out[TTY_OUT_SIZE];
	size_t out_len;
	size_t batch_start;		/* out_len when this input began */
	size_t column, canon_column;	/* of the output, and where the
					 * partial line began: for erasing */
	bool flow_stopped;		/* by VSTOP (IXON) or TCOOFF */
	struct waitq in_wait, out_wait;	/* changes of in and of out */
	int pgrp, sid;			/* foreground group, session (0: none) */
	int slaves;			/* open slave files */
	bool master_open, slave_closed;	/* slave_closed: all slaves went */
	bool locked;			/* TIOCSPTLCK: the slave cannot open */
	uint32_t uid, gid;		/* the slave's owner (devpts) */
	struct timespec atime, mtime, ctime;
};

/* The line discipline (n_tty.c). */
void n_tty_init(struct tty *tty);
/* Bytes the master wrote: how many were taken (a full input stops it). */
size_t n_tty_receive(struct tty *tty, const unsigned char *buf, size_t n);
/* The slave's write, through output processing: how many were taken. */
size_t n_tty_write(struct tty *tty, const unsigned char *buf, size_t n);
/* The slave's read: bytes, 0 at end of file, or -EWOULDBLOCK_TASK
 * (or -EAGAIN) with the task parked. */
ssize_t n_tty_read(struct tty *tty, struct file *f, unsigned char *buf, size_t n);
/* Whether a read would return now (poll). */
bool n_tty_readable(struct tty *tty);
/* Discarding the input the slave would read, or the output the master
 * would read; what a termios change does to the input. */
void n_tty_flush_in(struct tty *tty);
void n_tty_flush_out(struct tty *tty);
void n_tty_set_termios(struct tty *tty, const struct ktermios *old);
/* Output stops (TCOOFF) or starts again (TCOON). */
void n_tty_set_stopped(struct tty *tty, bool stopped);

/* Pseudo-terminals (pty.c). */
int ptmx_open(struct file *f);
/* Opens the slave of pair `index` (an open of /dev/pts/N); f->flags
 * still holds O_NOCTTY. */
int pts_open(unsigned index, struct file *f);
/* The pair `index` while /dev/pts/N shows it (its master is open). */
struct tty *pty_lookup(unsigned index);
/* The controlling terminal of process `p`'s session, if it is a pty. */
struct tty *tty_of_session(struct process *p);
/* An open of /dev/tty by a process whose terminal is a pty. */
int tty_open_ctty(struct tty *tty, struct file *f);
/* What stat shows of a slave's /dev/pts node. */
void pty_slave_stat(struct tty *tty, struct kstat *st);
#define PTS_MAJOR 136
#define PTY_MAX 4096		/* pairs at once (Linux's default limit) */
/* The pair number of slave device `rdev`, or -1. */
int pts_index(uint64_t rdev);

/* Controlling terminals and their ioctls (tty_ioctl.c). */
long tty_ioctl(struct tty *tty, struct task *t, unsigned long cmd, uint64_t arg, bool master);
/* Whether `p`'s session has `tty` for its terminal. */
bool tty_is_ctty(struct tty *tty, struct process *p);
/* An open without O_NOCTTY: a session leader without a terminal takes
 * one that no session has. */
void tty_open_make_ctty(struct tty *tty, unsigned flags, struct process *p);
/* tty_job_control for the calling process, if `tty` is its terminal. */
int tty_check_change(struct tty *tty, int sig);
/* Job control, as Linux's tty_check_change, for a process `p` of the
 * terminal's session whose foreground group is `fg_pgrp` (the console's
 * too): 0 if `p` may go on, else -ERESTARTSYS with SIGTTIN or SIGTTOU
 * (`sig`) sent to its group, or -EIO where that group would not stop: a
 * read that ignores or blocks SIGTTIN, or any call from an orphaned
 * group. */
int tty_job_control(struct process *p, int fg_pgrp, int sig);
/* A session leader exits: its terminal's foreground group gets SIGHUP,
 * and the terminal no session. */
void tty_session_leader_exit(struct process *p);
/* The terminal of `p`'s session as /proc/<pid>/stat gives it (tty_nr,
 * 0 for none) and its foreground group in *tpgid (-1 for none). */
unsigned tty_nr(struct process *p, int *tpgid);
/* The master hung up: the session leader gets SIGHUP and SIGCONT, and
 * the terminal no session. */
void tty_hangup(struct tty *tty);

/* The devpts filesystem: /dev/pts (devpts.c). */
struct inode *devpts_new_root(void);
uint64_t devpts_dev(void);
