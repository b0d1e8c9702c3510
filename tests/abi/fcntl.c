/* fcntl: descriptor flags, status flags, F_DUPFD*, bad commands, and the
 * record-lock queries a single process can see. */
#include "abi.h"

int main(void)
{
	scratch();
	put_file("f", "0123456789");
	MUST(mkdir("d", 0755));
	int fd = T(open("f", O_RDWR));

	SECTION("F_GETFD/F_SETFD");
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_SETFD, FD_CLOEXEC));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_SETFD, 0));
	T(fcntl(fd, F_GETFD));
	T(fcntl(fd, F_SETFD, 0xff));  /* only FD_CLOEXEC is kept */
	T(fcntl(fd, F_GETFD));
	int cfd = T(open("f", O_RDONLY | O_CLOEXEC));
	T(fcntl(cfd, F_GETFD));
	T(close(cfd));
	T(fcntl(99, F_GETFD));
	T(fcntl(-1, F_SETFD, 0));

	SECTION("F_GETFL/F_SETFL");
	/* on x86_64 the kernel adds O_LARGEFILE; print in octal */
	printf("rdwr: %o\n", fcntl(fd, F_GETFL));
	int r = open("f", O_RDONLY);
	printf("rdonly: %o\n", fcntl(r, F_GETFL));
	close(r);
	r = open("f", O_WRONLY | O_APPEND | O_NONBLOCK);
	printf("wronly|append|nonblock: %o\n", fcntl(r, F_GETFL));
	close(r);
	r = open("d", O_RDONLY | O_DIRECTORY);
	printf("directory: %o\n", fcntl(r, F_GETFL));
	close(r);
	/* creation flags are not kept */
	r = open("f", O_RDWR | O_CREAT | O_TRUNC | O_EXCL | O_NOCTTY, 0644);
	printf("excl on existing: %d %s\n", r, ename(errno));
	r = open("f", O_RDWR | O_CREAT | O_NOCTTY, 0644);
	printf("creat|noctty: %o\n", fcntl(r, F_GETFL));
	close(r);
	T(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK));
	printf("after setfl: %o\n", fcntl(fd, F_GETFL));
	/* the access mode cannot change */
	T(fcntl(fd, F_SETFL, O_WRONLY));
	printf("after setfl wronly: %o\n", fcntl(fd, F_GETFL));
	T(fcntl(fd, F_SETFL, 0));
	printf("after setfl 0: %o\n", fcntl(fd, F_GETFL));
	T(fcntl(99, F_GETFL));

	SECTION("F_DUPFD");
	T(fcntl(fd, F_DUPFD, 0));
	T(fcntl(fd, F_DUPFD, 20));
	T(fcntl(fd, F_DUPFD, 20));
	T(fcntl(21, F_GETFD));
	T(fcntl(fd, F_DUPFD_CLOEXEC, 30));
	T(fcntl(30, F_GETFD));
	T(fcntl(fd, F_DUPFD, -1));
	T(fcntl(fd, F_DUPFD, 1 << 30));
	T(fcntl(99, F_DUPFD, 0));
	T(close(4));
	T(close(20));
	T(close(21));
	T(close(30));

	SECTION("bad commands");
	T(fcntl(fd, 9999));
	T(fcntl(fd, -1));
	T(fcntl(99, 9999));

	SECTION("locks");
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 5 };
	T(fcntl(fd, F_SETLK, &fl));
	/* a process never conflicts with its own locks */
	struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0 };
	T(fcntl(fd, F_GETLK, &q));
	P("F_GETLK type is F_UNLCK", "%d", q.l_type == F_UNLCK);
	fl.l_type = F_UNLCK;
	T(fcntl(fd, F_SETLK, &fl));
	fl.l_type = 42;
	T(fcntl(fd, F_SETLK, &fl));
	T(fcntl(fd, F_GETLK, BADP));
	T(fcntl(fd, F_SETLK, BADP));
	r = T(open("f", O_RDONLY));
	fl.l_type = F_WRLCK;
	T(fcntl(r, F_SETLK, &fl));   /* a write lock needs a writable fd */
	fl.l_type = F_RDLCK;
	T(fcntl(r, F_SETLK, &fl));
	T(close(r));
	T(close(fd));
	return 0;
}
