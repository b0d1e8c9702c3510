/* lock_socket_fail: a process holding a POSIX lock makes socket calls that
 * fail after their fds were reserved (socketpair with a bad pointer or an
 * unsupported family, accept on a non-socket): the lock stays, the fds are
 * free again. persona crashed closing the placeholder of the reserved fd
 * (a NULL inode in lock_key), found by tests/fuzz. */
#include "abi.h"
#include <sys/socket.h>
#include <sys/wait.h>

int main(void)
{
	scratch();
	int fd;
	MUST(fd = open("f", O_RDWR | O_CREAT, 0644));
	struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
	T(fcntl(fd, F_SETLK, &l));
	T(syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM, 0, BADP));
	int sv[2];
	T(socketpair(AF_INET, SOCK_STREAM, 0, sv));
	T(syscall(SYS_accept4, fd, NULL, NULL, 0));
	/* the lock is still there: a child sees it */
	if (fork() == 0) {
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10 };
		fcntl(fd, F_GETLK, &q);
		P("child sees", "%s", q.l_type == F_WRLCK ? "the lock" : "no lock");
		_exit(0);
	}
	wait(NULL);
	T(dup(0));	/* the lowest fd is free again */
	return 0;
}
