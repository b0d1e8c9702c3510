/* sync_range: sync_file_range(2) in the order of Linux's checks: the fd
 * (EBADF, also for O_PATH), flags and range (EINVAL), then the kind of
 * file: only regular files, directories and block devices have pages to
 * write back, anything else is ESPIPE. fsync and fdatasync of an O_PATH
 * fd are EBADF too. */
#include "abi.h"
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#define SFR(fd, off, n, fl) syscall(SYS_sync_file_range, fd, (long)(off), (long)(n), fl)

int main(void)
{
	scratch();
	put_file("f", "data");
	int f, d, p[2], s[2], e, ep, nul, opath;
	MUST(f = open("f", O_RDWR));
	MUST(d = open(".", O_RDONLY | O_DIRECTORY));
	MUST(pipe(p));
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	MUST(e = eventfd(0, 0));
	MUST(ep = epoll_create1(0));
	MUST(nul = open("/dev/null", O_RDWR));
	MUST(opath = open("f", O_PATH));

	SECTION("kinds of file");
	TL("regular", SFR(f, 0, 0, SYNC_FILE_RANGE_WRITE));
	TL("directory", SFR(d, 0, 0, 0));
	TL("pipe read end", SFR(p[0], 0, 0, 0));
	TL("pipe write end", SFR(p[1], 0, 0, SYNC_FILE_RANGE_WAIT_AFTER));
	TL("socket", SFR(s[0], 0, 0, 0));
	TL("eventfd", SFR(e, 0, 0, 0));
	TL("epoll", SFR(ep, 0, 0, 0));
	TL("/dev/null", SFR(nul, 0, 0, 0));
	TL("O_PATH", SFR(opath, 0, 0, 0));
	TL("closed fd", SFR(99, 0, 0, 0));

	SECTION("order of checks");
	TL("bad flags on a pipe", SFR(p[0], 0, 0, 8));
	TL("bad flags on a closed fd", SFR(99, 0, 0, 8));
	TL("negative offset on a socket", SFR(s[0], -1, 0, 0));
	TL("negative length", SFR(f, 10, -5, 0));
	TL("range past the end of offsets", SFR(f, 0x7fffffffffffffffL, 1, 0));
	TL("whole file", SFR(f, 0, 0, 7));

	SECTION("fsync, fdatasync");
	T(fsync(f));
	T(fdatasync(f));
	T(fsync(p[0]));
	T(fsync(opath));
	T(fdatasync(opath));
	return 0;
}
