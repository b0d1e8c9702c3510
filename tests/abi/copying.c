/* Copying between files in the kernel: sendfile, copy_file_range, splice,
 * and memfd_create with seals. */
#include "abi.h"
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <linux/memfd.h>

static void show(const char *label, int fd)
{
	char buf[64] = { 0 };
	pread(fd, buf, sizeof(buf) - 1, 0);
	printf("%s: \"%s\"\n", label, buf);
}

int main(void)
{
	scratch();
	put_file("src", "0123456789abcdef");
	int in, out, p[2];
	MUST(in = open("src", O_RDONLY));
	MUST(out = open("dst", O_RDWR | O_CREAT | O_TRUNC, 0644));

	SECTION("sendfile");
	off_t off = 4;
	T(sendfile(out, in, &off, 6));
	P("offset", "%ld", (long)off);
	P("in position unchanged", "%ld", (long)lseek(in, 0, SEEK_CUR));
	T(sendfile(out, in, NULL, 3));
	P("in position", "%ld", (long)lseek(in, 0, SEEK_CUR));
	show("dst", out);
	off = -1;
	T(sendfile(out, in, &off, 3));
	T(sendfile(out, in, BADP, 3));
	T(sendfile(in, out, NULL, 3));
	T(sendfile(99, in, NULL, 3));

	SECTION("copy_file_range");
	loff_t ioff = 10, ooff = 0;
	T(copy_file_range(in, &ioff, out, &ooff, 4, 0));
	P("offsets", "%ld %ld", (long)ioff, (long)ooff);
	show("dst", out);
	T(copy_file_range(in, NULL, out, NULL, 4, 1));
	T(copy_file_range(out, &ooff, out, &ooff, 4, 0));
	int dir;
	MUST(dir = open(".", O_RDONLY | O_DIRECTORY));
	T(copy_file_range(dir, NULL, out, NULL, 4, 0));
	MUST(pipe(p));
	T(copy_file_range(in, NULL, p[1], NULL, 4, 0));
	T(copy_file_range(in, BADP, out, NULL, 4, 0));

	SECTION("splice");
	ioff = 0;
	T(splice(in, &ioff, p[1], NULL, 5, 0));
	P("offset", "%ld", (long)ioff);
	loff_t o2 = 20;
	T(splice(p[0], NULL, out, &o2, 5, 0));
	show("dst", out);
	T(splice(in, NULL, out, NULL, 5, 0));
	T(splice(p[0], &ioff, out, NULL, 5, 0));
	T(splice(in, NULL, p[1], NULL, 5, 0x100));

	/* From a pipe into a pipe with room for one page: one page moves, and
	 * what did not fit stays in the first pipe. */
	int a[2], b[2], avail;
	static char page[4096];
	MUST(pipe(a));
	MUST(pipe2(b, O_NONBLOCK));
	for (int i = 0; i < 3; i++)
		MUST(write(a[1], page, sizeof(page)));
	for (int i = 0; i < 15; i++)
		MUST(write(b[1], page, sizeof(page)));
	T(splice(a[0], NULL, b[1], NULL, 3 * sizeof(page), SPLICE_F_NONBLOCK));
	MUST(ioctl(a[0], FIONREAD, &avail));
	P("left in the first pipe", "%d", avail);
	T(splice(a[0], NULL, b[1], NULL, 3 * sizeof(page), SPLICE_F_NONBLOCK));
	MUST(ioctl(a[0], FIONREAD, &avail));
	P("left in the first pipe", "%d", avail);

	SECTION("memfd");
	int m = T(memfd_create("scratch", MFD_ALLOW_SEALING | MFD_CLOEXEC));
	T(write(m, "sealed", 6));
	P("cloexec", "%d", fcntl(m, F_GETFD));
	T(fcntl(m, F_GET_SEALS));
	T(fcntl(m, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
	T(fcntl(m, F_GET_SEALS));
	T(write(m, "x", 1));
	T(ftruncate(m, 2));
	T(pwrite(m, "S", 1, 0));
	show("memfd", m);
	T(fcntl(m, F_ADD_SEALS, F_SEAL_SEAL));
	T(fcntl(m, F_ADD_SEALS, F_SEAL_WRITE));
	char *map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, m, 0);
	P("mapped", "%.6s", map);
	int plain = T(memfd_create("plain", 0));
	T(fcntl(plain, F_GET_SEALS));
	T(fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE));
	T(fcntl(out, F_GET_SEALS));
	T(memfd_create("bad", 0x100));
	T(memfd_create(BADP, 0));
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	T(memfd_create(longname, 0));
	return 0;
}
