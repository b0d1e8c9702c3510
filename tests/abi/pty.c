/* pty: pseudo-terminals and their line discipline. /dev/ptmx and the
 * slave's lock, TIOCGPTPEER; canonical input with erase, word erase,
 * kill, literal next and EOF, echo, CR/NL mapping; output processing;
 * non-canonical VMIN/VTIME reads; flow control; signals from the
 * keyboard characters, the controlling terminal of a session, job
 * control, hangups; bad pointers and bad arguments.
 *
 * Every master is opened with O_NOCTTY and the controlling-terminal cases
 * run in children that start their own session, so the result does not
 * depend on whether the test itself runs on a terminal. */
#include "abi.h"
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

static char buf[8192];

/* A new pair: the master, and the slave in *slave (unlocked, opened). */
static int pair(int *slave)
{
	int m;
	MUST(m = posix_openpt(O_RDWR | O_NOCTTY));
	MUST(unlockpt(m));
	MUST(*slave = open(ptsname(m), O_RDWR | O_NOCTTY));
	return m;
}

/* Reads what is there now from a non-blocking view of fd, and prints it
 * with control characters spelled out. */
static void drain(const char *label, int fd)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	while (n < sizeof(buf) && poll(&p, 1, 200) == 1 && (p.revents & POLLIN)) {
		ssize_t r = read(fd, buf + n, sizeof(buf) - n);
		if (r <= 0)
			break;
		n += r;
	}
	printf("%s: \"", label);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = buf[i];
		if (c >= 32 && c < 127 && c != '\\' && c != '"')
			putchar(c);
		else
			printf("\\x%02x", c);
	}
	printf("\" (%zu)\n", n);
}

static void put(int fd, const char *s)
{
	MUST(write(fd, s, strlen(s)));
}

static void set_lflag(int fd, tcflag_t on, tcflag_t off)
{
	struct termios t;
	MUST(tcgetattr(fd, &t));
	t.c_lflag = (t.c_lflag | on) & ~off;
	MUST(tcsetattr(fd, TCSANOW, &t));
}

static void opening(void)
{
	SECTION("ptmx, lock, names");
	int m = T(posix_openpt(O_RDWR | O_NOCTTY));
	unsigned n;
	T(ioctl(m, TIOCGPTN, &n));
	T(ioctl(m, TIOCGPTN, BADP));
	char name[64];
	snprintf(name, sizeof(name), "/dev/pts/%u", n);
	P("ptsname is /dev/pts/N", "%d", strcmp(ptsname(m), name) == 0);
	int lock = -1;
	T(ioctl(m, TIOCGPTLCK, &lock));
	P("locked", "%d", lock);
	T(open(name, O_RDWR | O_NOCTTY));
	T(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY));
	T(grantpt(m));
	T(unlockpt(m));
	T(ioctl(m, TIOCGPTLCK, &lock));
	P("locked", "%d", lock);
	int s = T(open(name, O_RDWR | O_NOCTTY));
	P("isatty master, slave", "%d %d", isatty(m), isatty(s));
	struct stat st;
	T(fstat(s, &st));
	P("slave", "chr %d major %u minor is N %d", S_ISCHR(st.st_mode), major(st.st_rdev),
	  minor(st.st_rdev) == n % 256);
	T(fstat(m, &st));
	P("master", "chr %d rdev %u,%u", S_ISCHR(st.st_mode), major(st.st_rdev),
	  minor(st.st_rdev));
	T(stat("/dev/pts/ptmx", &st));
	P("/dev/pts/ptmx", "rdev %u,%u", major(st.st_rdev), minor(st.st_rdev));
	P("ttyname(slave) is the name", "%d", strcmp(ttyname(s), name) == 0);
	P("/dev/pts lists N", "%d", access(name, F_OK) == 0);
	T(ioctl(s, TIOCGPTN, &n));
	int peer = T(ioctl(m, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
	T(fcntl(peer, F_GETFD));
	T(fcntl(peer, F_GETFL) & O_ACCMODE);
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", peer);
	ssize_t k = readlink(link, target, sizeof(target) - 1);
	target[k > 0 ? k : 0] = 0;
	P("peer's link is the name", "%d", strcmp(target, name) == 0);
	T(fstat(peer, &st));
	P("peer", "chr %d major %u", S_ISCHR(st.st_mode), major(st.st_rdev));
	T(close(peer));
	T(ioctl(s, TIOCGPTPEER, O_RDWR));
	T(close(s));
	T(close(m));
	T(open("/dev/pts/99999", O_RDWR | O_NOCTTY));
}

static void termios_calls(void)
{
	SECTION("termios");
	int s, m = pair(&s);
	struct termios t;
	T(tcgetattr(s, &t));
	P("iflag oflag cflag lflag", "%#o %#o %#o %#o", t.c_iflag, t.c_oflag, t.c_cflag,
	  t.c_lflag);
	P("cc", "%d %d %d %d %d %d %d %d %d %d %d", t.c_cc[VINTR], t.c_cc[VQUIT],
	  t.c_cc[VERASE], t.c_cc[VKILL], t.c_cc[VEOF], t.c_cc[VTIME], t.c_cc[VMIN],
	  t.c_cc[VSTART], t.c_cc[VSTOP], t.c_cc[VSUSP], t.c_cc[VWERASE]);
	P("speed", "%d", cfgetospeed(&t) == B38400);
	struct termios tm;
	T(tcgetattr(m, &tm));
	P("the master shows the slave's", "%d", tm.c_lflag == t.c_lflag);
	T(ioctl(s, TCGETS, BADP));
	T(ioctl(s, TCSETS, BADP));
	T(ioctl(s, TCFLSH, 7));
	T(ioctl(s, TCXONC, 9));
	T(ioctl(s, 0x54ff, 0));
	struct winsize ws = { 24, 80, 0, 0 };
	T(ioctl(m, TIOCSWINSZ, &ws));
	memset(&ws, 0, sizeof(ws));
	T(ioctl(s, TIOCGWINSZ, &ws));
	P("winsize", "%d %d", ws.ws_row, ws.ws_col);
	T(ioctl(s, TIOCGWINSZ, BADP));
	int d = -1;
	T(ioctl(s, TIOCGETD, &d));
	P("line discipline", "%d", d);
	T(ioctl(s, TIOCGPGRP, &d));
	T(ioctl(m, TIOCGPGRP, &d));
	P("master's pgrp", "%d", d);
	T(ioctl(s, TIOCGSID, &d));
	T(ioctl(m, TIOCGSID, &d));
	T(close(s));
	T(close(m));
}

static void canonical(void)
{
	SECTION("canonical input and echo");
	int s, m = pair(&s);
	put(m, "hello\rworld\x7f\x7fLD\n");
	T(read(s, buf, sizeof(buf)));
	P("line", "%.6s", buf);
	int n = -1;
	T(ioctl(s, FIONREAD, &n));
	P("FIONREAD", "%d", n);
	T(read(s, buf, sizeof(buf)));
	drain("echo", m);
	put(m, "abcdef\n");
	T(read(s, buf, 3));
	T(read(s, buf, sizeof(buf)));
	drain("echo", m);
	put(m, "one two  \x17three\x15kill\x15x\tY\x7f\x7f\x7fz\n");
	T(read(s, buf, sizeof(buf)));
	P("line", "%.2s", buf);
	drain("echo of erases", m);
	put(m, "\x16\x03\x16\x7f\n");	/* literal ^C and DEL */
	n = T(read(s, buf, sizeof(buf)));
	P("bytes", "%#x %#x", buf[0] & 0xff, buf[1] & 0xff);
	drain("echo", m);
	put(m, "\x04");
	T(read(s, buf, sizeof(buf)));
	put(m, "part\x04rest\n");
	T(read(s, buf, sizeof(buf)));
	T(read(s, buf, sizeof(buf)));
	drain("echo", m);
	put(m, "\xc3\xa9\x7f" "e\n");	/* IUTF8 off: DEL takes one byte */
	n = T(read(s, buf, sizeof(buf)));
	P("bytes", "%#x %#x", buf[0] & 0xff, buf[1] & 0xff);
	struct termios t;
	MUST(tcgetattr(s, &t));
	t.c_iflag |= IUTF8;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(m, "\xc3\xa9\x7f" "e\n");
	T(read(s, buf, sizeof(buf)));
	drain("echo", m);

	SECTION("echo off, ECHONL, CR and NL mapping");
	set_lflag(s, ECHONL, ECHO);
	put(m, "secret\n");
	T(read(s, buf, sizeof(buf)));
	drain("echo", m);
	MUST(tcgetattr(s, &t));
	t.c_iflag = (t.c_iflag & ~ICRNL) | INLCR;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(m, "a\rb\n\x04");	/* no line end but the EOF */
	n = T(read(s, buf, sizeof(buf)));
	P("bytes", "%#x %#x %#x %#x", buf[0], buf[1], buf[2], buf[3]);
	t.c_iflag = (t.c_iflag & ~INLCR) | IGNCR;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(m, "c\rd\n");
	T(read(s, buf, sizeof(buf)));
	drain("echo", m);
	put(m, "pending");
	set_lflag(s, 0, ICANON);
	T(read(s, buf, sizeof(buf)));	/* all of it, at once */
	set_lflag(s, ICANON, 0);
	put(m, "flushed\n");
	T(tcflush(s, TCIFLUSH));
	n = -1;
	T(ioctl(s, FIONREAD, &n));
	P("FIONREAD", "%d", n);
	T(close(s));
	T(close(m));
}

static void output(void)
{
	SECTION("output processing");
	int s, m = pair(&s);
	put(s, "a\nb\r\tc\n");
	drain("ONLCR", m);
	struct termios t;
	MUST(tcgetattr(s, &t));
	t.c_oflag |= OCRNL | ONOCR | XTABS;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(s, "\rx\ty\rz\n");
	drain("OCRNL ONOCR XTABS", m);
	t.c_oflag &= ~OPOST;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(s, "raw\n");
	drain("no OPOST", m);

	SECTION("flow control");
	MUST(fcntl(s, F_SETFL, O_NONBLOCK));
	put(m, "\x13");		/* ^S */
	usleep(100000);		/* Linux takes input in a worker */
	T(write(s, "stopped", 7));
	P("slave revents while stopped", "%#x", revents(s));
	put(m, "\x11");		/* ^Q */
	usleep(100000);
	T(write(s, "going", 5));
	drain("output", m);
	T(tcflow(s, TCOOFF));
	T(write(s, "x", 1));
	T(tcflow(s, TCOON));
	T(write(s, "y", 1));
	drain("output", m);
	T(close(s));
	T(close(m));
}

static void noncanonical(void)
{
	SECTION("VMIN and VTIME");
	int s, m = pair(&s);
	struct termios t;
	MUST(tcgetattr(s, &t));
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	MUST(tcsetattr(s, TCSANOW, &t));
	T(read(s, buf, sizeof(buf)));		/* nothing: 0 at once */
	P("slave revents, empty", "%#x", revents(s));
	t.c_cc[VTIME] = 1;
	MUST(tcsetattr(s, TCSANOW, &t));
	T(read(s, buf, sizeof(buf)));		/* 0 after 0.1 s */
	put(m, "q");
	T(read(s, buf, sizeof(buf)));
	t.c_cc[VMIN] = 3;
	t.c_cc[VTIME] = 0;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(m, "ab");
	usleep(100000);
	P("slave revents, 2 of VMIN 3", "%#x", revents(s));
	put(m, "c");
	usleep(100000);
	P("slave revents, 3 of VMIN 3", "%#x", revents(s));
	T(read(s, buf, 2));			/* VMIN above the count asked */
	put(m, "ef");
	T(read(s, buf, sizeof(buf)));		/* the VMIN there are */
	t.c_cc[VTIME] = 1;
	MUST(tcsetattr(s, TCSANOW, &t));
	put(m, "d");
	usleep(100000);
	P("slave revents, 1 of VMIN 3 with VTIME", "%#x", revents(s));
	T(read(s, buf, sizeof(buf)));		/* 1 after 0.1 s without more */
	MUST(fcntl(s, F_SETFL, O_NONBLOCK));
	T(read(s, buf, sizeof(buf)));
	T(close(s));
	T(close(m));
}

static volatile sig_atomic_t got[65];
static void note(int sig) { got[sig]++; }

/* Counts `sig` in got[]; it stays blocked but while pause_for() waits. */
static void catch(int sig)
{
	struct sigaction sa = { .sa_handler = note };
	sigaction(sig, &sa, NULL);
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_BLOCK, &set, NULL);
}

static void pause_for(int sig)
{
	sigset_t none;
	sigemptyset(&none);
	while (!got[sig])
		sigsuspend(&none);
}

/* In a child: a new session with the slave for its terminal. */
static int session_on(const char *name)
{
	MUST(setsid());
	int s;
	MUST(s = open(name, O_RDWR));	/* no O_NOCTTY: it becomes ours */
	return s;
}

static void wait_report(pid_t pid)
{
	int st;
	MUST(waitpid(pid, &st, WUNTRACED));
	if (WIFSTOPPED(st))
		printf("child stopped by %s\n", sigabbrev_np(WSTOPSIG(st)));
	else if (WIFSIGNALED(st))
		printf("child killed by %s\n", sigabbrev_np(WTERMSIG(st)));
	else
		printf("child exit %d\n", WEXITSTATUS(st));
}

static void controlling(void)
{
	SECTION("controlling terminal");
	int s, m = pair(&s);
	char name[64];
	snprintf(name, sizeof(name), "%s", ptsname(m));
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		int c = session_on(name);
		P("tcgetsid is own pid", "%d", tcgetsid(c) == getpid());
		P("tcgetpgrp is own pid", "%d", tcgetpgrp(c) == getpid());
		T(ioctl(c, TIOCSCTTY, 0));
		int fd = T(open("/dev/tty", O_RDWR) >= 0 ? 1 : -1);
		fd = open("/dev/tty", O_RDWR);
		T(write(fd, "via /dev/tty\n", 13));
		T(tcsetpgrp(c, 999999));
		T(ioctl(c, TIOCSPGRP, BADP));
		pid_t pg = -1;
		T(ioctl(c, TIOCSPGRP, &pg));
		fflush(stdout);
		_exit(0);
	}
	wait_report(pid);
	drain("master", m);
	T(ioctl(s, TIOCGPGRP, &pid));	/* not our terminal */

	SECTION("once its leader is gone, another session takes it");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		MUST(setsid());
		T(ioctl(s, TIOCSCTTY, 0));
		T(open("/dev/tty", O_RDWR));
		fflush(stdout);
		_exit(0);
	}
	wait_report(pid);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		T(ioctl(s, TIOCSCTTY, 0));	/* not a session leader */
		fflush(stdout);
		_exit(0);
	}
	wait_report(pid);

	SECTION("keyboard signals and SIGWINCH");
	int ready[2];
	MUST(pipe(ready));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int c = session_on(name);
		catch(SIGINT);
		catch(SIGQUIT);
		catch(SIGWINCH);
		MUST(write(ready[1], "r", 1));
		pause_for(SIGINT);
		pause_for(SIGQUIT);
		pause_for(SIGWINCH);
		P("caught INT QUIT WINCH", "%d %d %d", got[SIGINT], got[SIGQUIT], got[SIGWINCH]);
		int n = -1;
		ioctl(c, FIONREAD, &n);
		P("input after the signals", "%d", n);
		fflush(stdout);
		_exit(0);
	}
	MUST(read(ready[0], buf, 1));
	put(m, "typed\x03");	/* one write: its echo never goes out */
	usleep(100000);
	put(m, "\x1c");
	usleep(100000);
	struct winsize ws = { 30, 100, 0, 0 };
	MUST(ioctl(m, TIOCSWINSZ, &ws));
	wait_report(pid);
	drain("echo", m);

	SECTION("job control");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int c = session_on(name);
		fflush(stdout);
		pid_t bg = fork();
		if (bg == 0) {
			MUST(setpgid(0, 0));
			T(read(c, buf, 1));	/* stops with SIGTTIN */
			fflush(stdout);
			_exit(0);
		}
		wait_report(bg);
		kill(bg, SIGKILL);
		wait_report(bg);
		bg = fork();
		if (bg == 0) {
			MUST(setpgid(0, 0));
			signal(SIGTTIN, SIG_IGN);
			T(read(c, buf, 1));	/* ignored: EIO */
			T(write(c, "bg write\n", 9));	/* no TOSTOP: allowed */
			signal(SIGTTOU, SIG_IGN);
			T(tcsetpgrp(c, getpgrp()));	/* ignored SIGTTOU: allowed */
			fflush(stdout);
			_exit(0);
		}
		wait_report(bg);
		P("foreground is the child's group", "%d", tcgetpgrp(c) == bg);
		fflush(stdout);
		_exit(0);
	}
	wait_report(pid);
	drain("master", m);

	SECTION("the session leader exits");
	int done[2];
	MUST(pipe(done));
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int c = session_on(name);
		fflush(stdout);
		pid_t member = fork();
		if (member == 0) {
			catch(SIGHUP);
			MUST(write(ready[1], "r", 1));
			pause_for(SIGHUP);
			P("member got SIGHUP", "%d", got[SIGHUP]);
			T(tcgetsid(c));
			fflush(stdout);
			MUST(write(done[1], "d", 1));
			_exit(0);
		}
		MUST(read(ready[0], buf, 1));
		_exit(0);
	}
	MUST(read(done[0], buf, 1));	/* the member is done */
	wait_report(pid);

	SECTION("the master closes");
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		close(m);
		int c = session_on(name);
		catch(SIGHUP);
		catch(SIGCONT);
		MUST(write(ready[1], "r", 1));
		pause_for(SIGHUP);
		pause_for(SIGCONT);
		P("leader got HUP CONT", "%d %d", got[SIGHUP], got[SIGCONT]);
		T(read(c, buf, 1));
		T(write(c, "x", 1));
		P("revents", "%#x", revents(c));
		T(tcgetpgrp(c));
		fflush(stdout);
		_exit(0);
	}
	MUST(read(ready[0], buf, 1));
	MUST(close(m));		/* the child speaks next */
	wait_report(pid);
	while (wait(NULL) > 0)
		;
	T(read(s, buf, 1));
	T(close(s));
}

static void slave_closes(void)
{
	SECTION("the slave closes");
	int s, m = pair(&s);
	put(s, "last");
	T(close(s));
	P("master revents", "%#x", revents(m));
	T(read(m, buf, sizeof(buf)));
	T(read(m, buf, sizeof(buf)));
	P("master revents", "%#x", revents(m));
	T(write(m, "in", 2));
	usleep(100000);		/* Linux echoes in a worker */
	s = T(open(ptsname(m), O_RDWR | O_NOCTTY));
	P("master revents, slave back", "%#x", revents(m));
	T(close(s));
	T(close(m));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	opening();
	termios_calls();
	canonical();
	output();
	noncanonical();
	controlling();
	slave_closes();
	return 0;
}
