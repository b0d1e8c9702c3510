/* The line discipline of persona's terminals, after Linux's
 * drivers/tty/n_tty.c: input processing (ISIG signals, CR/NL mapping,
 * canonical lines with erase, word erase, kill, literal next and EOF),
 * echo, output processing (OPOST: ONLCR, OCRNL, ONOCR, ONLRET, tab
 * expansion), flow control (IXON's stop and start characters) and the
 * non-canonical VMIN/VTIME reads.
 *
 * Not done: ECHOPRT's hardcopy erase, VREPRINT and VDISCARD (taken as
 * ordinary characters), parity and break handling (IGNPAR, PARMRK,
 * BRKINT: a pty has neither), and Linux's extended processing (EXTPROC).
 *
 * Every change wakes the queue that cares: in_wait for the slave's
 * readers and the master's writers, out_wait for the master's readers
 * and the slave's writers. */
#include "tty.h"
#include "ksignal.h"
#include <fcntl.h>
#include <termios.h>

static bool L(struct tty *tty, uint32_t flag) { return tty->tio.lflag & flag; }
static bool I(struct tty *tty, uint32_t flag) { return tty->tio.iflag & flag; }
static bool O(struct tty *tty, uint32_t flag) { return tty->tio.oflag & flag; }

/* A control character `c` is: a disabled one (0) matches nothing. */
static bool is_cc(struct tty *tty, unsigned char c, int which)
{
	return tty->tio.cc[which] && c == tty->tio.cc[which];
}

static bool is_cntrl(unsigned char c) { return c < 32 || c == 127; }

/* A byte that continues a UTF-8 character (IUTF8): not a column. */
static bool is_continuation(struct tty *tty, unsigned char c)
{
	return I(tty, IUTF8) && (c & 0xc0) == 0x80;
}

void n_tty_init(struct tty *tty)
{
	static const uint8_t init_cc[19] = {
		[VINTR] = 003, [VQUIT] = 034, [VERASE] = 0177, [VKILL] = 025,
		[VEOF] = 004, [VTIME] = 0, [VMIN] = 1, [VSTART] = 021,
		[VSTOP] = 023, [VSUSP] = 032, [VREPRINT] = 022, [VDISCARD] = 017,
		[VWERASE] = 027, [VLNEXT] = 026,
	};
	/* Linux's tty_std_termios, as a new pty slave has it (no HUPCL). */
	tty->tio.iflag = ICRNL | IXON;
	tty->tio.oflag = OPOST | ONLCR;
	tty->tio.cflag = B38400 | CS8 | CREAD;
	tty->tio.lflag = ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN;
	memcpy(tty->tio.cc, init_cc, sizeof(init_cc));
	tty->tio.ispeed = tty->tio.ospeed = 38400;
	waitq_init(&tty->in_wait);
	waitq_init(&tty->out_wait);
}

/* ---- output ---- */

/* One byte of output through OPOST into `out`, as Linux's
 * do_output_char: false if it does not fit. The column is kept for
 * ONOCR and for erasing tabs. */
static bool output_char(struct tty *tty, unsigned char c)
{
	unsigned char buf[8];
	size_t n = 1;
	buf[0] = c;
	if (O(tty, OPOST)) {
		switch (c) {
		case '\n':
			if (O(tty, ONLRET))
				tty->column = 0;
			if (O(tty, ONLCR)) {
				buf[0] = '\r';
				buf[1] = '\n';
				n = 2;
				tty->column = 0;
			}
			break;
		case '\r':
			if (O(tty, ONOCR) && tty->column == 0)
				return true;
			if (O(tty, OCRNL)) {
				buf[0] = '\n';
				if (O(tty, ONLRET))
					tty->column = 0;
				break;
			}
			tty->column = 0;
			break;
		case '\t': {
			size_t spaces = 8 - (tty->column & 7);
			if ((tty->tio.oflag & TABDLY) == XTABS) {
				memset(buf, ' ', spaces);
				n = spaces;
			}
			tty->column += spaces;
			break;
		}
		case '\b':
			if (tty->column > 0)
				tty->column--;
			break;
		default:
			if (O(tty, OLCUC) && c >= 'a' && c <= 'z')
				buf[0] = c - 'a' + 'A';
			if (!is_cntrl(c) && !is_continuation(tty, c))
				tty->column++;
		}
	}
	if (tty->out_len + n > TTY_OUT_SIZE)
		return false;
	memcpy(tty->out + tty->out_len, buf, n);
	tty->out_len += n;
	return true;
}

size_t n_tty_write(struct tty *tty, const unsigned char *buf, size_t n)
{
	size_t done = 0;
	if (tty->flow_stopped)
		return 0;
	while (done < n && output_char(tty, buf[done]))
		done++;
	if (done)
		wake_up(&tty->out_wait);
	return done;
}

/* ---- echo ---- */

/* Echo goes out as output does; what does not fit is lost. */
static void echo_raw(struct tty *tty, unsigned char c)
{
	output_char(tty, c);
}

/* A control character echoes as ^X with ECHOCTL (tab and newline as
 * themselves). */
static void echo_char(struct tty *tty, unsigned char c)
{
	if (L(tty, ECHOCTL) && is_cntrl(c) && c != '\t' && c != '\n') {
		echo_raw(tty, '^');
		echo_raw(tty, c ^ 0100);
	} else {
		echo_raw(tty, c);
	}
}

/* ---- input ---- */

void n_tty_flush_in(struct tty *tty)
{
	tty->in_len = tty->canon_len = 0;
	tty->lnext = false;
	wake_up(&tty->in_wait);
}

void n_tty_flush_out(struct tty *tty)
{
	tty->out_len = 0;
	wake_up(&tty->out_wait);
}

void n_tty_set_stopped(struct tty *tty, bool stopped)
{
	tty->flow_stopped = stopped;
	if (!stopped)
		wake_up(&tty->out_wait);
}

static void store(struct tty *tty, unsigned char c, unsigned char mark)
{
	tty->in[tty->in_len] = c;
	tty->mark[tty->in_len] = mark;
	tty->in_len++;
	if (mark)
		tty->canon_len = tty->in_len;
	clock_gettime(CLOCK_MONOTONIC, &tty->last_input);
	wake_up(&tty->in_wait);
}

/* The width the echo of the partial line's first `upto` bytes took. */
static size_t echo_column(struct tty *tty, size_t upto)
{
	size_t col = tty->canon_column;
	for (size_t i = tty->canon_len; i < upto; i++) {
		unsigned char c = tty->in[i];
		if (c == '\t')
			col = (col | 7) + 1;
		else if (is_cntrl(c))
			col += L(tty, ECHOCTL) ? 2 : 0;
		else if (!is_continuation(tty, c))
			col++;
	}
	return col;
}

/* Takes the last character (a whole UTF-8 one with IUTF8) off the
 * partial line and, with ECHOE, off the screen. */
static void erase_one(struct tty *tty, bool visual)
{
	size_t end = tty->in_len, start = end - 1;
	while (start > tty->canon_len && is_continuation(tty, tty->in[start]))
		start--;
	unsigned char c = tty->in[start];
	tty->in_len = start;
	if (!visual)
		return;
	size_t backs = 1;
	if (c == '\t')	/* back to where the tab started */
		backs = 8 - (echo_column(tty, start) & 7);
	else if (is_cntrl(c))
		backs = L(tty, ECHOCTL) ? 2 : 0;
	for (size_t i = 0; i < backs; i++) {
		echo_raw(tty, '\b');
		if (c != '\t') {
			echo_raw(tty, ' ');
			echo_raw(tty, '\b');
		}
	}
}

static bool is_word(unsigned char c)
{
	return c == '_' || (c >= '0' && c <= '9') || ((c | 040) >= 'a' && (c | 040) <= 'z') ||
	       c >= 0x80;
}

/* VERASE, VWERASE and VKILL on the partial line (Linux's eraser). */
static void eraser(struct tty *tty, unsigned char c)
{
	if (tty->in_len == tty->canon_len)
		return;
	bool echo = L(tty, ECHO);
	if (is_cc(tty, c, VERASE)) {
		if (echo && !L(tty, ECHOE))
			echo_char(tty, c);
		erase_one(tty, echo && L(tty, ECHOE));
		return;
	}
	if (is_cc(tty, c, VKILL)) {
		bool visual = echo && L(tty, ECHOE) && L(tty, ECHOKE);
		if (echo && !visual) {
			tty->in_len = tty->canon_len;
			echo_char(tty, c);
			if (L(tty, ECHOK))
				echo_raw(tty, '\n');
			return;
		}
		while (tty->in_len > tty->canon_len)
			erase_one(tty, visual);
		return;
	}
	/* VWERASE: the blanks before the cursor, then the word. */
	bool visual = echo && L(tty, ECHOE);
	while (tty->in_len > tty->canon_len && !is_word(tty->in[tty->in_len - 1]))
		erase_one(tty, visual);
	while (tty->in_len > tty->canon_len && is_word(tty->in[tty->in_len - 1]))
		erase_one(tty, visual);
	if (echo && !visual)
		echo_char(tty, c);
}

/* VINTR, VQUIT, VSUSP: the foreground group's signal, after flushing
 * (unless NOFLSH) the input and the echo not yet sent. Linux sends echo
 * when it has taken a batch of input, so what the master wrote in the
 * same write is not echoed; output the master may read already stays.
 * Output starts again. */
static void signal_char(struct tty *tty, unsigned char c, int sig)
{
	if (!L(tty, NOFLSH)) {
		n_tty_flush_in(tty);
		tty->out_len = MIN(tty->out_len, tty->batch_start);
	}
	tty->flow_stopped = false;
	if (tty->pgrp)
		send_signal_pgrp(tty->pgrp, sig, NULL);
	if (L(tty, ECHO))
		echo_char(tty, c);
	wake_up(&tty->out_wait);
}

/* One byte from the master. False if there is no room for it yet. */
static bool receive_char(struct tty *tty, unsigned char c)
{
	bool canon = L(tty, ICANON);
	if (tty->in_len == TTY_IN_SIZE || (canon && tty->canon_len >= TTY_IN_SIZE - 1))
		return false;
	if (I(tty, ISTRIP))
		c &= 0x7f;
	if (I(tty, IUCLC) && L(tty, IEXTEN) && c >= 'A' && c <= 'Z')
		c += 'a' - 'A';
	if (tty->lnext) {
		tty->lnext = false;
		goto ordinary;
	}
	if (I(tty, IXON)) {
		if (is_cc(tty, c, VSTOP)) {
			tty->flow_stopped = true;
			return true;
		}
		if (is_cc(tty, c, VSTART)) {
			tty->flow_stopped = false;
			wake_up(&tty->out_wait);
			return true;
		}
		if (I(tty, IXANY) && tty->flow_stopped) {
			tty->flow_stopped = false;
			wake_up(&tty->out_wait);
		}
	}
	if (L(tty, ISIG)) {
		int sig = is_cc(tty, c, VINTR) ? SIGINT : is_cc(tty, c, VQUIT) ? SIGQUIT :
			  is_cc(tty, c, VSUSP) ? SIGTSTP : 0;
		if (sig) {
			signal_char(tty, c, sig);
			return true;
		}
	}
	if (c == '\r') {
		if (I(tty, IGNCR))
			return true;
		if (I(tty, ICRNL))
			c = '\n';
	} else if (c == '\n' && I(tty, INLCR)) {
		c = '\r';
	}
	if (canon) {
		if (is_cc(tty, c, VERASE) || is_cc(tty, c, VKILL) ||
		    (is_cc(tty, c, VWERASE) && L(tty, IEXTEN))) {
			eraser(tty, c);
			return true;
		}
		if (is_cc(tty, c, VLNEXT) && L(tty, IEXTEN)) {
			tty->lnext = true;
			if (L(tty, ECHO) && L(tty, ECHOCTL)) {
				echo_raw(tty, '^');
				echo_raw(tty, '\b');
			}
			return true;
		}
		if (c == '\n') {
			if (L(tty, ECHO) || L(tty, ECHONL))
				echo_raw(tty, '\n');
			store(tty, c, MARK_EOL);
			return true;
		}
		if (is_cc(tty, c, VEOF)) {
			store(tty, 0, MARK_EOF);
			return true;
		}
		if (is_cc(tty, c, VEOL) || (is_cc(tty, c, VEOL2) && L(tty, IEXTEN))) {
			if (L(tty, ECHO))
				echo_char(tty, c);
			store(tty, c, MARK_EOL);
			return true;
		}
	}
ordinary:
	/* A full partial line takes no more but its end (and erasing). */
	if (canon && tty->in_len >= TTY_IN_SIZE - 1)
		return true;
	if (tty->in_len == tty->canon_len)	/* a line starts: where? */
		tty->canon_column = tty->column;
	if (L(tty, ECHO)) {
		if (c == '\n')
			echo_raw(tty, c);
		else
			echo_char(tty, c);
	}
	store(tty, c, 0);
	return true;
}

size_t n_tty_receive(struct tty *tty, const unsigned char *buf, size_t n)
{
	size_t done = 0;
	tty->batch_start = tty->out_len;
	while (done < n && receive_char(tty, buf[done]))
		done++;
	if (tty->out_len)
		wake_up(&tty->out_wait);
	return done;
}

/* ---- reading ---- */

/* Takes `count` bytes off the front of the input. */
static void consume(struct tty *tty, size_t count)
{
	memmove(tty->in, tty->in + count, tty->in_len - count);
	memmove(tty->mark, tty->mark + count, tty->in_len - count);
	tty->in_len -= count;
	tty->canon_len = tty->canon_len > count ? tty->canon_len - count : 0;
	wake_up(&tty->in_wait);
}

/* One line at most, without its EOF mark; a short buffer takes part. */
static size_t read_canon(struct tty *tty, unsigned char *buf, size_t n)
{
	size_t copied = 0, used = 0;
	while (used < tty->canon_len && copied < n) {
		unsigned char mark = tty->mark[used];
		if (mark == MARK_EOF) {
			used++;
			break;
		}
		buf[copied++] = tty->in[used++];
		if (mark == MARK_EOL)
			break;
	}
	consume(tty, used);
	return copied;
}

static struct timespec deciseconds(unsigned ds)
{
	return (struct timespec){ ds / 10, (ds % 10) * 100000000L };
}

bool n_tty_readable(struct tty *tty)
{
	if (L(tty, ICANON))
		return tty->canon_len > 0;
	/* poll waits for VMIN bytes only when there is no VTIME */
	unsigned min = tty->tio.cc[VMIN], time = tty->tio.cc[VTIME];
	return tty->in_len >= (min && !time ? min : 1);
}

ssize_t n_tty_read(struct tty *tty, struct file *f, unsigned char *buf, size_t n)
{
	struct task *t = current;
	if (L(tty, ICANON)) {
		if (tty->canon_len)
			return read_canon(tty, buf, n);
	} else {
		/* VMIN bytes (no more than asked for); with VTIME, what came
		 * before the time between bytes (or, with VMIN 0, the time
		 * of the whole read) ran out. */
		unsigned min = tty->tio.cc[VMIN], time = tty->tio.cc[VTIME];
		size_t want = MIN((size_t)(min ? min : 1), n);
		struct timespec now = mono_now();
		bool timed_out = false;
		if (time && !min) {
			if (!t->rerun)
				t->deadline = ts_add(now, deciseconds(time));
		} else if (time && tty->in_len) {
			t->deadline = ts_add(tty->last_input, deciseconds(time));
		}
		if (time && (!min || tty->in_len))
			timed_out = ts_cmp(now, t->deadline) >= 0;
		if (tty->in_len >= want || (tty->in_len && timed_out) ||
		    (!min && (!time || timed_out))) {
			size_t c = MIN(n, tty->in_len);
			memcpy(buf, tty->in, c);
			consume(tty, c);
			return c;
		}
		if (time && (!min || tty->in_len) && !(f->flags & O_NONBLOCK))
			wait_until(t, &t->deadline);
	}
	if (f->flags & O_NONBLOCK)
		return -EAGAIN;
	wait_on(t, &tty->in_wait);
	return -EWOULDBLOCK_TASK;
}

/* A termios change, as Linux's n_tty_set_termios: leaving canonical mode
 * makes all input readable; entering it makes what is there one line. */
void n_tty_set_termios(struct tty *tty, const struct ktermios *old)
{
	if ((old->lflag ^ tty->tio.lflag) & ICANON) {
		memset(tty->mark, 0, tty->in_len);
		tty->canon_len = 0;
		if (L(tty, ICANON) && tty->in_len) {
			tty->mark[tty->in_len - 1] = MARK_EOL;
			tty->canon_len = tty->in_len;
		}
		tty->lnext = false;
	}
	if (!I(tty, IXON) && tty->flow_stopped) {
		tty->flow_stopped = false;
		wake_up(&tty->out_wait);
	}
	wake_up(&tty->in_wait);
}
