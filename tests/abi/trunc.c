/* trunc: truncate ftruncate. */
#include "abi.h"

static void show(const char *path)
{
	struct stat st;
	char buf[64];
	int fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		printf("  %s: %s\n", path, ename(errno));
		return;
	}
	long n = read(fd, buf, sizeof buf);
	close(fd);
	printf("  %s: size=%ld data=", path, (long)st.st_size);
	for (long i = 0; i < n; i++)
		putchar(buf[i] ? buf[i] : '.');
	putchar('\n');
}

int main(void)
{
	scratch();
	SECTION("truncate");
	put_file("f", "0123456789");
	MUST(mkdir("d", 0755));
	MUST(symlink("f", "lf"));
	T(truncate("f", 4));
	show("f");
	T(truncate("f", 8));    /* grows with zeros */
	show("f");
	T(truncate("lf", 2));   /* follows the link */
	show("f");
	T(truncate("f", -1));
	T(truncate("d", 0));
	T(truncate("nope", 0));
	T(truncate("f/", 0));
	T(truncate("", 0));
	T(syscall(SYS_truncate, BADP, 0));

	SECTION("ftruncate");
	int fd = T(open("f", O_RDWR));
	T(write(fd, "abcdef", 6));
	T(ftruncate(fd, 3));
	show("f");
	T(lseek(fd, 0, SEEK_CUR)); /* the offset is not moved */
	T(write(fd, "Z", 1));
	show("f");
	T(ftruncate(fd, 0));
	show("f");
	T(ftruncate(fd, -5));
	T(close(fd));
	fd = T(open("f", O_RDONLY));
	T(ftruncate(fd, 1));
	T(close(fd));
	fd = T(open("d", O_RDONLY));
	T(ftruncate(fd, 1));
	T(close(fd));
	T(ftruncate(99, 0));
	/* an O_APPEND fd may truncate */
	fd = T(open("f", O_WRONLY | O_APPEND));
	T(ftruncate(fd, 5));
	T(close(fd));
	show("f");
	return 0;
}
