/* dup: dup dup2 dup3, and what a duplicate shares (offset, status flags)
 * and does not share (the close-on-exec flag). */
#include "abi.h"

int main(void)
{
	scratch();
	put_file("f", "0123456789");
	SECTION("dup");
	int fd = T(open("f", O_RDWR));
	int d = T(dup(fd));
	T(lseek(fd, 4, SEEK_SET));
	T(lseek(d, 0, SEEK_CUR));   /* shared offset */
	char c;
	T(read(d, &c, 1));
	P("read", "%c", c);
	T(lseek(fd, 0, SEEK_CUR));
	T(dup(99));
	T(dup(-1));
	T(close(fd));
	T(dup(d));                  /* lowest free: 3 */
	T(close(3));
	T(fcntl(d, F_SETFL, O_APPEND | O_NONBLOCK));
	int d2 = T(dup(d));
	T(fcntl(d2, F_GETFL) & (O_APPEND | O_NONBLOCK));  /* shared status */
	T(fcntl(d, F_SETFD, FD_CLOEXEC));
	int d3 = T(dup(d));
	T(fcntl(d3, F_GETFD));       /* not shared */
	T(close(d));
	T(close(d2));
	T(close(d3));

	SECTION("dup2");
	fd = T(open("f", O_RDONLY));
	T(syscall(SYS_dup2, fd, 10));
	T(fcntl(10, F_GETFD));
	T(syscall(SYS_dup2, fd, fd));     /* same fd: returns it */
	T(syscall(SYS_dup2, 99, 99));     /* ... if it is open */
	T(syscall(SYS_dup2, 99, 11));
	T(syscall(SYS_dup2, fd, -1));
	T(syscall(SYS_dup2, fd, 1 << 30)); /* past RLIMIT_NOFILE */
	/* dup2 onto an open fd closes it silently */
	int g = T(open("f", O_RDONLY));
	T(lseek(g, 7, SEEK_SET));
	T(syscall(SYS_dup2, fd, g));
	T(lseek(g, 0, SEEK_CUR));
	T(fcntl(fd, F_SETFD, FD_CLOEXEC));
	T(syscall(SYS_dup2, fd, 12));
	T(fcntl(12, F_GETFD));
	T(close(10));
	T(close(12));

	SECTION("dup3");
	T(dup3(fd, 13, 0));
	T(fcntl(13, F_GETFD));
	T(dup3(fd, 14, O_CLOEXEC));
	T(fcntl(14, F_GETFD));
	T(dup3(fd, fd, 0));                  /* unlike dup2: EINVAL */
	T(dup3(fd, 15, O_NONBLOCK));         /* only O_CLOEXEC allowed */
	T(dup3(fd, 15, 0x1));
	T(dup3(99, 15, 0));
	T(dup3(fd, -1, 0));
	T(fcntl(15, F_GETFD));
	T(close(13));
	T(close(14));
	T(close(fd));
	T(close(g));
	return 0;
}
