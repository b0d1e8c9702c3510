/* fileio: open openat close close_range read write readv writev pread64
 * pwrite64 lseek. */
#include "abi.h"
#include <sys/uio.h>
#include <linux/close_range.h>

static char buf[256];

/* read n bytes at the current offset and print them as a string */
static void show_read(int fd, size_t n)
{
	memset(buf, 0, sizeof buf);
	long r = T(read(fd, buf, n));
	if (r > 0)
		P("data", "\"%.*s\"", (int)r, buf);
}

static void t_open(void)
{
	SECTION("open");
	put_file("f", "hello world\n");
	MUST(mkdir("d", 0755));
	T(open("f", O_RDONLY));
	T(close(3));
	T(open("nope", O_RDONLY));
	T(open("f", O_CREAT | O_EXCL | O_WRONLY, 0644));
	T(open("d", O_WRONLY));
	T(open("d", O_RDWR));
	T(open("d", O_RDONLY | O_DIRECTORY));
	T(close(3));
	T(open("f", O_RDONLY | O_DIRECTORY));
	T(open("f/x", O_RDONLY));
	T(open("f/", O_RDONLY));
	T(open("", O_RDONLY));
	T(open("nodir/x", O_CREAT | O_WRONLY, 0644));
	/* glibc's open() is openat; the legacy call, raw */
	T(syscall(SYS_open, "f", O_RDONLY));
	T(close(3));
	T(syscall(SYS_open, "d", O_WRONLY));
	T(syscall(SYS_open, BADP, O_RDONLY));
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = 0;
	T(open(longname, O_RDONLY));
	T(open(longname, O_CREAT | O_WRONLY, 0644));
	/* O_CREAT makes the file with mode & ~umask (022) */
	T(open("new", O_CREAT | O_WRONLY, 0777));
	struct stat st;
	MUST(fstat(3, &st));
	P("new mode", "%o", st.st_mode);
	T(close(3));
	/* O_TRUNC empties the file */
	put_file("t", "0123456789");
	T(open("t", O_WRONLY | O_TRUNC));
	MUST(fstat(3, &st));
	P("t size after O_TRUNC", "%ld", (long)st.st_size);
	T(close(3));
	/* lowest free fd is reused */
	T(open("f", O_RDONLY));
	T(open("f", O_RDONLY));
	T(open("f", O_RDONLY));
	T(close(4));
	T(open("f", O_RDONLY));
	T(close(3));
	T(close(4));
	T(close(5));
}

static void t_openat(void)
{
	SECTION("openat");
	int dfd;
	MUST(dfd = open("d", O_RDONLY | O_DIRECTORY));
	put_file("d/inner", "inner\n");
	T(openat(dfd, "inner", O_RDONLY));
	show_read(4, 100);
	T(close(4));
	T(openat(AT_FDCWD, "d/inner", O_RDONLY));
	T(close(4));
	T(openat(dfd, "../f", O_RDONLY));
	T(close(4));
	T(openat(dfd, "nope", O_RDONLY));
	T(openat(99, "inner", O_RDONLY));
	T(openat(-5, "inner", O_RDONLY));
	/* an absolute path ignores the dirfd, even a bad one */
	T(openat(99, "/", O_RDONLY | O_DIRECTORY));
	T(close(4));
	int ffd;
	MUST(ffd = open("f", O_RDONLY));
	T(openat(ffd, "x", O_RDONLY));
	T(syscall(SYS_openat, dfd, BADP, O_RDONLY));
	T(openat(dfd, "made", O_CREAT | O_WRONLY, 0600));
	T(close(5));
	T(access("d/made", F_OK));
	T(close(ffd));
	T(close(dfd));
}

static void t_close(void)
{
	SECTION("close");
	T(close(42));
	T(close(-1));
	T(open("f", O_RDONLY));
	T(close(3));
	T(close(3));
	/* close_range: open 3..7, close 4..6 */
	for (int i = 0; i < 5; i++)
		MUST(open("f", O_RDONLY));
	T(syscall(SYS_close_range, 4, 6, 0));
	T(fcntl(3, F_GETFD));
	T(fcntl(4, F_GETFD));
	T(fcntl(6, F_GETFD));
	T(fcntl(7, F_GETFD));
	T(syscall(SYS_close_range, 3, 3, CLOSE_RANGE_CLOEXEC));
	T(fcntl(3, F_GETFD));
	T(syscall(SYS_close_range, 6, 4, 0));
	T(syscall(SYS_close_range, 3, 10, 0x80));
	T(syscall(SYS_close_range, 3, ~0U, 0));
	T(fcntl(3, F_GETFD));
	T(fcntl(7, F_GETFD));
	T(open("f", O_RDONLY));
	T(close(3));
}

static void t_readwrite(void)
{
	SECTION("read/write");
	int fd = T(open("rw", O_RDWR | O_CREAT | O_TRUNC, 0644));
	T(write(fd, "abcdefghij", 10));
	T(write(fd, "", 0));
	T(lseek(fd, 0, SEEK_CUR));
	T(lseek(fd, 0, SEEK_SET));
	show_read(fd, 4);
	show_read(fd, 100);
	show_read(fd, 100); /* EOF: 0 */
	T(read(fd, buf, 0));
	T(syscall(SYS_read, fd, BADP, 0));
	T(lseek(fd, 0, SEEK_SET));
	T(syscall(SYS_read, fd, BADP, 4));
	T(syscall(SYS_write, fd, BADP, 4));
	T(lseek(fd, 0, SEEK_CUR));
	T(read(77, buf, 4));
	T(write(77, "x", 1));
	T(close(fd));
	/* access mode is enforced */
	fd = T(open("rw", O_RDONLY));
	T(write(fd, "x", 1));
	T(close(fd));
	fd = T(open("rw", O_WRONLY));
	T(read(fd, buf, 1));
	T(close(fd));
	/* a directory cannot be read(2) */
	fd = T(open("d", O_RDONLY));
	T(read(fd, buf, 10));
	T(write(fd, "x", 1));
	T(close(fd));
	/* O_APPEND writes at the end whatever the offset */
	fd = T(open("rw", O_WRONLY | O_APPEND));
	T(lseek(fd, 0, SEEK_SET));
	T(write(fd, "KL", 2));
	T(lseek(fd, 0, SEEK_CUR));
	T(close(fd));
	fd = T(open("rw", O_RDONLY));
	show_read(fd, 100);
	T(close(fd));
}

static void t_lseek(void)
{
	SECTION("lseek");
	int fd = T(open("rw", O_RDWR));
	T(lseek(fd, 3, SEEK_SET));
	T(lseek(fd, 2, SEEK_CUR));
	T(lseek(fd, -1, SEEK_CUR));
	T(lseek(fd, 0, SEEK_END));
	T(lseek(fd, -3, SEEK_END));
	show_read(fd, 10);
	T(lseek(fd, -100, SEEK_SET));
	T(lseek(fd, -100, SEEK_END));
	T(lseek(fd, 0, 7));
	T(lseek(fd, 0, SEEK_DATA));
	T(lseek(fd, 0, SEEK_HOLE));
	T(lseek(fd, 100, SEEK_DATA));
	T(lseek(99, 0, SEEK_SET));
	/* seeking past the end and writing leaves zeros behind */
	T(lseek(fd, 20, SEEK_SET));
	T(write(fd, "Z", 1));
	T(lseek(fd, 10, SEEK_SET));
	long n = T(read(fd, buf, 100));
	for (long i = 0; i < n; i++)
		printf("%02x", (unsigned char)buf[i]);
	printf("\n");
	struct stat st;
	MUST(fstat(fd, &st));
	P("size", "%ld", (long)st.st_size);
	T(close(fd));
}

static void t_vec(void)
{
	SECTION("readv/writev");
	int fd = T(open("v", O_RDWR | O_CREAT | O_TRUNC, 0644));
	struct iovec wv[3] = {
		{ "one ", 4 }, { "", 0 }, { "two three", 9 },
	};
	T(writev(fd, wv, 3));
	T(writev(fd, wv, 0));
	T(syscall(SYS_writev, fd, wv, -1));
	T(syscall(SYS_writev, fd, wv, 1025));
	T(syscall(SYS_writev, fd, BADP, 1));
	struct iovec bad[2] = { { BADP, 3 }, { "x", 1 } };
	T(syscall(SYS_writev, fd, bad, 2));
	T(lseek(fd, 0, SEEK_SET));
	char a[3], b[5], c[20];
	memset(c, 0, sizeof c);
	struct iovec rv[3] = { { a, 3 }, { b, 5 }, { c, sizeof c } };
	T(readv(fd, rv, 3));
	P("a", "%.3s", a);
	P("b", "%.5s", b);
	P("c", "%s", c);
	T(readv(fd, rv, 3));
	T(lseek(fd, 0, SEEK_SET));
	T(syscall(SYS_readv, fd, rv, -1));
	T(syscall(SYS_readv, fd, BADP, 2));
	T(readv(123, rv, 1));
	T(close(fd));
}

static void t_pos(void)
{
	SECTION("pread/pwrite");
	int fd = T(open("p", O_RDWR | O_CREAT | O_TRUNC, 0644));
	T(write(fd, "0123456789", 10));
	T(lseek(fd, 2, SEEK_SET));
	memset(buf, 0, sizeof buf);
	T(pread(fd, buf, 4, 5));
	P("data", "%s", buf);
	T(pread(fd, buf, 4, 100));
	T(pread(fd, buf, 4, -1));
	T(pwrite(fd, "AB", 2, 8));
	T(pwrite(fd, "CD", 2, 12));
	T(pwrite(fd, "x", 1, -5));
	T(syscall(SYS_pread64, fd, BADP, 4, 0));
	T(syscall(SYS_pwrite64, fd, BADP, 4, 0));
	T(lseek(fd, 0, SEEK_CUR)); /* unchanged: 2 */
	memset(buf, 0, sizeof buf);
	long n = T(pread(fd, buf, 100, 0));
	for (long i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : '.');
	putchar('\n');
	T(close(fd));
	/* Linux quirk: pwrite on an O_APPEND fd appends anyway */
	fd = T(open("p", O_WRONLY | O_APPEND));
	T(pwrite(fd, "E", 1, 0));
	T(close(fd));
	struct stat st;
	MUST(stat("p", &st));
	P("size", "%ld", (long)st.st_size);
	fd = T(open("p", O_WRONLY));
	T(pread(fd, buf, 1, 0));
	T(close(fd));
	fd = T(open("d", O_RDONLY));
	T(pread(fd, buf, 1, 0));
	T(close(fd));
	T(pread(99, buf, 1, 0));
}

int main(void)
{
	scratch();
	t_open();
	t_openat();
	t_close();
	t_readwrite();
	t_lseek();
	t_vec();
	t_pos();
	return 0;
}
