/* ioctl on regular files and directories (never a tty): FIONREAD,
 * FIONBIO, FIOCLEX/FIONCLEX, and ENOTTY for terminal requests. */
#include "abi.h"
#include <sys/ioctl.h>
#include <termios.h>

int main(void)
{
	scratch();
	put_file("f", "0123456789");
	int fd = T(open("f", O_RDWR));
	int n = -1;

	SECTION("FIONREAD");
	T(ioctl(fd, FIONREAD, &n));
	P("n", "%d", n);
	T(lseek(fd, 3, SEEK_SET));
	T(ioctl(fd, FIONREAD, &n));
	P("n", "%d", n);
	T(lseek(fd, 50, SEEK_SET));
	T(ioctl(fd, FIONREAD, &n));
	P("n", "%d", n);
	T(ioctl(fd, FIONREAD, BADP));
	T(ioctl(99, FIONREAD, &n));

	SECTION("FIONBIO");
	int on = 1, off = 0;
	T(ioctl(fd, FIONBIO, &on));
	T(fcntl(fd, F_GETFL) & O_NONBLOCK);
	T(ioctl(fd, FIONBIO, &off));
	T(fcntl(fd, F_GETFL) & O_NONBLOCK);
	T(ioctl(fd, FIONBIO, BADP));

	SECTION("FIOCLEX/FIONCLEX");
	T(ioctl(fd, FIOCLEX));
	T(fcntl(fd, F_GETFD));
	T(ioctl(fd, FIONCLEX));
	T(fcntl(fd, F_GETFD));

	SECTION("terminal requests on a file");
	struct termios tio;
	struct winsize ws;
	pid_t pg;
	T(ioctl(fd, TCGETS, &tio));
	T(ioctl(fd, TCSETS, &tio));
	T(ioctl(fd, TIOCGWINSZ, &ws));
	T(ioctl(fd, TIOCGPGRP, &pg));
	T(ioctl(fd, TIOCSCTTY, 0));
	T(isatty(fd));
	T(ioctl(fd, 0x12345678, 0));
	T(ioctl(99, TCGETS, &tio));

	SECTION("directory");
	int dfd = T(open(".", O_RDONLY | O_DIRECTORY));
	T(ioctl(dfd, TCGETS, &tio));
	T(ioctl(dfd, FIOCLEX));
	T(fcntl(dfd, F_GETFD));
	T(close(dfd));

	SECTION("/dev/null");
	int nfd = T(open("/dev/null", O_RDWR));
	T(ioctl(nfd, TCGETS, &tio));
	T(isatty(nfd));
	T(close(nfd));
	T(close(fd));
	return 0;
}
