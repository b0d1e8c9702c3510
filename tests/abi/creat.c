/* creat: creat(2) is open(path, O_CREAT | O_WRONLY | O_TRUNC, mode): it
 * makes a file with the mode less the umask, truncates one that exists,
 * and gives a descriptor that writes but does not read. */
#include "abi.h"

int main(void)
{
	scratch();
	int fd;
	char c;
	struct stat st;
	fd = T(syscall(SYS_creat, "new", 0640));
	T(write(fd, "abc", 3));
	T(read(fd, &c, 1));
	T(fcntl(fd, F_GETFL) & O_ACCMODE);
	close(fd);
	MUST(stat("new", &st));
	P("mode", "%04o", (unsigned)(st.st_mode & 07777));
	P("size", "%ld", (long)st.st_size);
	umask(0);
	fd = T(syscall(SYS_creat, "new", 0777));
	close(fd);
	MUST(stat("new", &st));
	P("existing: mode kept", "%04o", (unsigned)(st.st_mode & 07777));
	P("existing: truncated", "%ld", (long)st.st_size);
	fd = T(syscall(SYS_creat, "open777", 0777));
	close(fd);
	MUST(stat("open777", &st));
	P("umask 0 mode", "%04o", (unsigned)(st.st_mode & 07777));
	MUST(mkdir("dir", 0755));
	T(syscall(SYS_creat, "dir", 0644));
	T(syscall(SYS_creat, "missing/f", 0644));
	T(syscall(SYS_creat, BADP, 0644));
	return 0;
}
