/* fallocate: fallocate(2) on a tmpfs file (the scratch directory is one
 * under persona, and /dev/shm natively and under persona): preallocation
 * with and without FALLOC_FL_KEEP_SIZE, PUNCH_HOLE|KEEP_SIZE, the modes
 * tmpfs refuses (EOPNOTSUPP), and the checks before any file system:
 * EINVAL, EBADF, ESPIPE, EISDIR, ENODEV, EFBIG, EOPNOTSUPP. */
#include "abi.h"
#include <linux/falloc.h>
#include <sys/socket.h>

static void size(const char *label, int fd)
{
	struct stat st;
	fstat(fd, &st);
	P(label, "size %ld allocated %s", (long)st.st_size, st.st_blocks ? "some" : "none");
}

static void data(const char *label, int fd, off_t off)
{
	char b[4] = { 0 };
	pread(fd, b, 3, off);
	P(label, "%02x %02x %02x", b[0], b[1], b[2]);
}

int main(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/dev/shm/persona-abi-fallocate-%d", getpid());
	int fd;
	MUST(fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600));
	unlink(path);
	SECTION("tmpfs");
	size("new", fd);
	T(fallocate(fd, 0, 0, 8192));
	size("allocated 8192", fd);
	T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
	size("KEEP_SIZE past the end", fd);
	T(fallocate(fd, 0, 4096, 100));
	size("inside", fd);
	MUST(pwrite(fd, "abcdef", 6, 4094));
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 4096, 4096));
	data("after the punched page", fd, 4094);
	size("punched", fd);
	T(fallocate(fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_INSERT_RANGE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_UNSHARE_RANGE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_COLLAPSE_RANGE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	T(fallocate(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_PUNCH_HOLE, 0, 4096));
	T(fallocate(fd, 0x100, 0, 4096));
	T(fallocate(fd, 0, -1, 4096));
	T(fallocate(fd, 0, 0, 0));
	T(fallocate(fd, 0, 0, -1));
	T(fallocate(fd, 0, 0x7fffffffffffffffL, 2));
	T(fallocate(fd, FALLOC_FL_KEEP_SIZE, 0x7fffffff00000000L, 0x100000000L));
	size("after the errors", fd);

	SECTION("other files");
	T(fallocate(-1, 0, 0, 4096));
	T(fallocate(999, 0, 0, 4096));
	T(fallocate(fd, 0, -1, 0));
	int ro = open("/proc/self/exe", O_RDONLY);
	T(fallocate(ro, 0, 0, 4096));
	T(fallocate(ro, 0, -1, 4096));
	int p[2];
	MUST(pipe(p));
	T(fallocate(p[0], 0, 0, 4096));
	T(fallocate(p[1], 0, 0, 4096));
	T(fallocate(p[1], FALLOC_FL_PUNCH_HOLE, 0, 4096));
	int d = open("/dev/shm", O_RDONLY | O_DIRECTORY);
	T(fallocate(d, 0, 0, 4096));
	int s[2];
	MUST(socketpair(AF_UNIX, SOCK_STREAM, 0, s));
	T(fallocate(s[0], 0, 0, 4096));
	int path_fd = open("/dev/shm", O_PATH);
	T(fallocate(path_fd, 0, 0, 4096));
	int null = open("/dev/null", O_WRONLY);
	T(fallocate(null, 0, 0, 4096));
	return 0;
}
