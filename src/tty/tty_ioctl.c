/* A terminal's ioctls (man 2 ioctl_tty) and what makes it a session's
 * controlling terminal, as Linux's tty_io.c, tty_ioctl.c and
 * tty_jobctrl.c have them. A terminal belongs to a session (tty->sid)
 * and has a foreground process group (tty->pgrp); the console keeps its
 * own (fs/hostfile.c) but shares the job control check here. */
#include "tty.h"
#include "ksignal.h"
#include "uaccess.h"
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <termios.h>

bool tty_is_ctty(struct tty *tty, struct process *p)
{
	return tty->sid && tty->sid == p->sid;
}

static bool has_ctty(struct process *p)
{
	return tty_of_session(p) || console_is_ctty(p);
}

/* A group is orphaned when no member has a parent in another group of
 * the same session: nobody would continue it if it stopped. */
static bool pgrp_orphaned(int pgrp, int sid)
{
	for (struct process *q = process_next(NULL); q; q = process_next(q)) {
		if (q->pgid != pgrp || q->zombie || !q->parent)
			continue;
		if (q->parent->pgid != pgrp && q->parent->sid == sid)
			return false;
	}
	return true;
}

int tty_job_control(struct process *p, int fg_pgrp, int sig)
{
	if (!fg_pgrp || p->pgid == fg_pgrp)
		return 0;
	struct task *t = current;
	bool ignored = p->sighand->action[sig - 1].handler == (uint64_t)SIG_IGN ||
		       (t->sigmask & SIGBIT(sig));
	if (ignored)
		return sig == SIGTTIN ? -EIO : 0;
	if (pgrp_orphaned(p->pgid, p->sid))
		return -EIO;
	send_signal_pgrp(p->pgid, sig, NULL);
	return -ERESTARTSYS;
}

int tty_check_change(struct tty *tty, int sig)
{
	struct process *p = current->proc;
	return tty_is_ctty(tty, p) ? tty_job_control(p, tty->pgrp, sig) : 0;
}

void tty_open_make_ctty(struct tty *tty, unsigned flags, struct process *p)
{
	/* Linux asks for read access too: a terminal opened to write only
	 * gives no more. */
	if (p->sid == p->pid && !has_ctty(p) && !tty->sid && (flags & O_ACCMODE) != O_WRONLY) {
		tty->sid = p->sid;
		tty->pgrp = p->pgid;
	}
}

/* The session lets its terminal go (Linux's disassociate_ctty): the
 * foreground group gets SIGHUP, and SIGCONT too unless the leader is
 * exiting. */
static void disassociate(struct tty *tty, bool on_exit)
{
	if (tty->pgrp) {
		send_signal_pgrp(tty->pgrp, SIGHUP, NULL);
		if (!on_exit)
			send_signal_pgrp(tty->pgrp, SIGCONT, NULL);
	}
	tty->sid = tty->pgrp = 0;
}

void tty_session_leader_exit(struct process *p)
{
	struct tty *tty = tty_of_session(p);
	if (tty)
		disassociate(tty, true);
}

unsigned tty_nr(struct process *p, int *tpgid)
{
	struct tty *tty = tty_of_session(p);
	uint64_t rdev = tty ? makedev(PTS_MAJOR + tty->index / 256, tty->index % 256)
			    : console_is_ctty(p) ? console_rdev() : 0;
	*tpgid = tty ? tty->pgrp : rdev ? console_fg_pgrp : -1;
	/* The kernel's new_encode_dev, as /proc/<pid>/stat shows it. */
	return (minor(rdev) & 0xff) | (major(rdev) << 8) | ((minor(rdev) & ~0xffu) << 12);
}

void tty_hangup(struct tty *tty)
{
	if (!tty->sid)
		return;
	struct process *leader = process_by_pid(tty->sid);
	if (leader && !leader->zombie && leader->sid == tty->sid) {
		send_signal_process(leader, SIGHUP, NULL);
		send_signal_process(leader, SIGCONT, NULL);
	}
	tty->sid = tty->pgrp = 0;
}

static long set_termios(struct tty *tty, struct task *t, unsigned long cmd, uint64_t arg)
{
	bool v2 = cmd == K_TCSETS2 || cmd == K_TCSETSW2 || cmd == K_TCSETSF2;
	struct ktermios old = tty->tio, tio = tty->tio;
	if (copy_from_user(t, &tio, arg, v2 ? sizeof(tio) : 36))
		return -EFAULT;
	if (cmd == TCSETSF || cmd == K_TCSETSF2)
		n_tty_flush_in(tty);
	tty->tio = tio;
	n_tty_set_termios(tty, &old);
	return 0;
}

static long set_winsize(struct tty *tty, struct task *t, uint64_t arg)
{
	uint16_t ws[4];
	if (copy_from_user(t, ws, arg, sizeof(ws)))
		return -EFAULT;
	if (memcmp(ws, tty->ws, sizeof(ws)) == 0)
		return 0;
	memcpy(tty->ws, ws, sizeof(ws));
	if (tty->pgrp)
		send_signal_pgrp(tty->pgrp, SIGWINCH, NULL);
	return 0;
}

/* Bytes a read would find: in canonical mode, those of whole lines
 * without their EOF marks. */
static int input_count(struct tty *tty)
{
	if (!(tty->tio.lflag & ICANON))
		return (int)tty->in_len;
	int n = 0;
	for (size_t i = 0; i < tty->canon_len; i++)
		n += tty->mark[i] != MARK_EOF;
	return n;
}

static long set_pgrp(struct tty *tty, struct task *t, uint64_t arg)
{
	struct process *p = t->proc;
	int jc = tty_check_change(tty, SIGTTOU);
	if (jc)
		return jc == -EIO ? -ENOTTY : jc;
	int pgrp;
	if (copy_from_user(t, &pgrp, arg, sizeof(pgrp)))
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (!tty_is_ctty(tty, p))
		return -ENOTTY;
	bool exists = false, same_session = false;
	for (struct process *q = process_next(NULL); q; q = process_next(q)) {
		if (q->pgid == pgrp && !q->zombie) {
			exists = true;
			same_session |= q->sid == p->sid;
		}
	}
	if (!exists)
		return -ESRCH;
	if (!same_session)
		return -EPERM;
	tty->pgrp = pgrp;
	return 0;
}

/* TIOCSCTTY: a session leader without a terminal takes this one, if no
 * session has it (or, with arg 1, root takes it from another). */
static long set_ctty(struct tty *tty, struct process *p, uint64_t arg)
{
	if (tty_is_ctty(tty, p) && p->sid == p->pid)
		return 0;
	if (p->sid != p->pid || has_ctty(p))
		return -EPERM;
	if (tty->sid) {
		if (arg != 1 || p->euid != 0)
			return -EPERM;
	}
	tty->sid = p->sid;
	tty->pgrp = p->pgid;
	return 0;
}

/* The ioctls of a terminal, on its slave or (`master`) its master. */
long tty_ioctl(struct tty *tty, struct task *t, unsigned long cmd, uint64_t arg, bool master)
{
	struct process *p = t->proc;
	int v, jc;
	if (!master && !tty->master_open)	/* hung up */
		return cmd == TIOCSPGRP ? -ENOTTY : -EIO;
	switch (cmd) {
	case TCGETS:
		return copy_to_user(t, arg, &tty->tio, 36);
	case K_TCGETS2:
		return copy_to_user(t, arg, &tty->tio, sizeof(tty->tio));
	case TCSETS: case TCSETSW: case TCSETSF:
	case K_TCSETS2: case K_TCSETSW2: case K_TCSETSF2:
		if (!master && (jc = tty_check_change(tty, SIGTTOU)))
			return jc;
		return set_termios(tty, t, cmd, arg);
	case TIOCGWINSZ:
		return copy_to_user(t, arg, tty->ws, sizeof(tty->ws));
	case TIOCSWINSZ:
		return set_winsize(tty, t, arg);
	case FIONREAD:
		v = master ? (int)tty->out_len : input_count(tty);
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCOUTQ:
		v = 0;	/* a pty keeps no output of its own */
		return copy_to_user(t, arg, &v, sizeof(v));
	case TCFLSH:
		if (arg > TCIOFLUSH)
			return -EINVAL;
		if (!master && (jc = tty_check_change(tty, SIGTTOU)))
			return jc;
		/* Each end's input: the master's is the slave's output. Output
		 * a pty has none of its own (Linux's pty_flush_buffer). */
		if (arg != TCOFLUSH) {
			if (master)
				n_tty_flush_out(tty);
			else
				n_tty_flush_in(tty);
		}
		return 0;
	case TCXONC:
		if (arg > TCION)
			return -EINVAL;
		if (!master && (jc = tty_check_change(tty, SIGTTOU)))
			return jc;
		if (arg == TCOOFF || arg == TCOON)
			n_tty_set_stopped(tty, arg == TCOOFF);
		return 0;
	case TCSBRK: case TCSBRKP: case TIOCSBRK: case TIOCCBRK:
		return 0;	/* nothing waits to be sent; a pty has no line */
	case TIOCGETD:
		v = 0;		/* N_TTY */
		return copy_to_user(t, arg, &v, sizeof(v));
	case TIOCGPGRP:
		if (!master && !tty_is_ctty(tty, p))
			return -ENOTTY;
		return copy_to_user(t, arg, &tty->pgrp, sizeof(tty->pgrp));
	case TIOCSPGRP:
		return set_pgrp(tty, t, arg);
	case TIOCGSID:
		if ((!master && !tty_is_ctty(tty, p)) || !tty->sid)
			return -ENOTTY;
		return copy_to_user(t, arg, &tty->sid, sizeof(tty->sid));
	case TIOCSCTTY:
		return set_ctty(tty, p, arg);
	case TIOCNOTTY:
		if (!tty_is_ctty(tty, p))
			return -ENOTTY;
		if (p->sid == p->pid)
			disassociate(tty, false);
		return 0;
	}
	return -ENOTTY;
}

