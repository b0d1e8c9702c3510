/* stat: stat fstat lstat newfstatat statx umask. Prints modes, sizes and
 * link counts, and compares inode numbers instead of printing them. */
#include "abi.h"
#include <sys/sysmacros.h>

static struct stat st;

/* the parts of a struct stat that are the same natively and under persona */
static void show_stat(const char *what)
{
	printf("  %s: mode=%o nlink=%lu uid_ok=%d gid_ok=%d", what,
	       st.st_mode, (unsigned long)st.st_nlink,
	       st.st_uid == getuid(), st.st_gid == getgid());
	if (!S_ISDIR(st.st_mode)) /* directory sizes depend on the fs */
		printf(" size=%ld", (long)st.st_size);
	printf("\n");
}

static void t_stat(void)
{
	SECTION("stat");
	put_file("f", "hello\n");
	MUST(mkdir("d", 0755));
	MUST(mkdir("d/sub", 0700));
	MUST(symlink("f", "lf"));
	MUST(symlink("nowhere", "dangling"));
	MUST(symlink("loop", "loop"));
	if (T(stat("f", &st)) == 0)
		show_stat("f");
	if (T(stat("d", &st)) == 0)
		show_stat("d");
	if (T(stat("d/sub", &st)) == 0)
		show_stat("d/sub");
	if (T(stat("lf", &st)) == 0)
		show_stat("lf");
	/* glibc's stat() is newfstatat; the legacy calls, raw */
	if (T(syscall(SYS_stat, "lf", &st)) == 0)
		show_stat("SYS_stat lf");
	if (T(syscall(SYS_lstat, "lf", &st)) == 0)
		show_stat("SYS_lstat lf");
	T(syscall(SYS_stat, "nope", &st));
	T(syscall(SYS_lstat, "f/", &st));
	T(stat("dangling", &st));
	T(stat("loop", &st));
	T(stat("nope", &st));
	T(stat("", &st));
	T(stat("f/x", &st));
	T(stat("d/", &st));
	T(stat("f/", &st));
	T(syscall(SYS_stat, BADP, &st));
	T(syscall(SYS_stat, "f", BADP));
	/* block size and block count are fs details; just check they exist */
	MUST(stat("f", &st));
	P("blksize>0", "%d", st.st_blksize > 0);
	P("times>0", "%d", st.st_mtime > 0 && st.st_ctime > 0 && st.st_atime > 0);
	P("rdev", "%lu", (unsigned long)st.st_rdev);
	struct stat st2;
	MUST(stat("/dev/null", &st2));
	P("/dev/null", "mode=%o major=%u minor=%u", st2.st_mode,
	  major(st2.st_rdev), minor(st2.st_rdev));
}

static void t_lstat(void)
{
	SECTION("lstat");
	if (T(lstat("lf", &st)) == 0)
		show_stat("lf");
	if (T(lstat("dangling", &st)) == 0)
		show_stat("dangling");
	if (T(lstat("f", &st)) == 0)
		show_stat("f");
	T(lstat("nope", &st));
	/* a trailing slash makes lstat follow the link */
	MUST(symlink("d", "ld"));
	if (T(lstat("ld/", &st)) == 0)
		show_stat("ld/");
	T(syscall(SYS_lstat, "lf", BADP));
}

static void t_fstat(void)
{
	SECTION("fstat");
	struct stat byname;
	int fd = T(open("f", O_RDONLY));
	if (T(fstat(fd, &st)) == 0)
		show_stat("fd");
	MUST(stat("f", &byname));
	P("same inode as stat", "%d", st.st_ino == byname.st_ino && st.st_dev == byname.st_dev);
	MUST(stat("d", &byname));
	P("differs from d", "%d", st.st_ino != byname.st_ino);
	if (T(syscall(SYS_fstat, fd, &st)) == 0)
		show_stat("SYS_fstat");
	T(syscall(SYS_fstat, fd, BADP));
	T(fstat(99, &st));
	T(fstat(-1, &st));
	/* size follows writes through another fd */
	int w = T(open("f", O_WRONLY | O_APPEND));
	T(write(w, "more\n", 5));
	if (T(fstat(fd, &st)) == 0)
		show_stat("fd after append");
	/* nlink drops to 0 when the name goes, the fd stays usable */
	T(unlink("f"));
	if (T(fstat(fd, &st)) == 0)
		show_stat("fd after unlink");
	T(close(w));
	T(close(fd));
	put_file("f", "hello\n");
}

static void t_fstatat(void)
{
	SECTION("newfstatat");
	int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
	if (T(fstatat(dfd, "sub", &st, 0)) == 0)
		show_stat("sub");
	if (T(fstatat(AT_FDCWD, "lf", &st, AT_SYMLINK_NOFOLLOW)) == 0)
		show_stat("lf nofollow");
	if (T(fstatat(AT_FDCWD, "lf", &st, 0)) == 0)
		show_stat("lf follow");
	if (T(fstatat(dfd, "", &st, AT_EMPTY_PATH)) == 0)
		show_stat("d by fd");
	T(fstatat(dfd, "", &st, 0));
	if (T(fstatat(dfd, "../f", &st, 0)) == 0)
		show_stat("../f");
	T(fstatat(dfd, "nope", &st, 0));
	T(fstatat(99, "sub", &st, 0));
	if (T(fstatat(99, "/", &st, 0)) == 0)
		P("/ is dir", "%d", S_ISDIR(st.st_mode));
	T(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x1));
	T(syscall(SYS_newfstatat, AT_FDCWD, "f", &st, 0x80000000));
	T(syscall(SYS_newfstatat, AT_FDCWD, BADP, &st, 0));
	T(syscall(SYS_newfstatat, AT_FDCWD, "f", BADP, 0));
	int ffd = T(open("f", O_RDONLY));
	T(fstatat(ffd, "x", &st, 0));
	if (T(fstatat(ffd, "", &st, AT_EMPTY_PATH)) == 0)
		show_stat("f by fd");
	T(close(ffd));
	T(close(dfd));
}

static void t_statx(void)
{
	SECTION("statx");
	struct statx sx;
	struct stat ref;
	MUST(stat("f", &ref));
	if (T(statx(AT_FDCWD, "f", 0, STATX_BASIC_STATS, &sx)) == 0) {
		P("basic in mask", "%d", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
		P("f", "mode=%o nlink=%u size=%llu", sx.stx_mode, sx.stx_nlink,
		  (unsigned long long)sx.stx_size);
		P("same ino as stat", "%d", sx.stx_ino == ref.st_ino);
		P("same dev as stat", "%d", makedev(sx.stx_dev_major, sx.stx_dev_minor) == ref.st_dev);
		P("uid_ok", "%d", sx.stx_uid == getuid());
		P("blksize>0", "%d", sx.stx_blksize > 0);
	}
	if (T(statx(AT_FDCWD, "lf", AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &sx)) == 0)
		P("lf nofollow", "mode=%o size=%llu", sx.stx_mode, (unsigned long long)sx.stx_size);
	if (T(statx(AT_FDCWD, "lf", 0, STATX_BASIC_STATS, &sx)) == 0)
		P("lf follow", "mode=%o", sx.stx_mode);
	if (T(statx(AT_FDCWD, "d", 0, STATX_TYPE | STATX_MODE, &sx)) == 0)
		P("d", "mode=%o", sx.stx_mode);
	int fd = T(open("f", O_RDONLY));
	if (T(statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS, &sx)) == 0)
		P("by fd", "mode=%o size=%llu", sx.stx_mode, (unsigned long long)sx.stx_size);
	T(close(fd));
	T(statx(AT_FDCWD, "nope", 0, STATX_BASIC_STATS, &sx));
	T(statx(AT_FDCWD, "dangling", 0, STATX_BASIC_STATS, &sx));
	T(statx(99, "f", 0, STATX_BASIC_STATS, &sx));
	/* both sync flags at once, an unknown flag, a reserved mask bit */
	T(syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_FORCE_SYNC | AT_STATX_DONT_SYNC, STATX_BASIC_STATS, &sx));
	T(syscall(SYS_statx, AT_FDCWD, "f", 0x1, STATX_BASIC_STATS, &sx));
	T(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX__RESERVED, &sx));
	T(syscall(SYS_statx, AT_FDCWD, BADP, 0, STATX_BASIC_STATS, &sx));
	T(syscall(SYS_statx, AT_FDCWD, "f", 0, STATX_BASIC_STATS, BADP));
	/* AT_STATX_SYNC_AS_STAT is the default and fine */
	T(syscall(SYS_statx, AT_FDCWD, "f", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, &sx));
}

static void t_umask(void)
{
	SECTION("umask");
	T(umask(077));
	T(umask(077));
	int fd = T(open("u1", O_CREAT | O_WRONLY, 0666));
	T(close(fd));
	MUST(stat("u1", &st));
	P("u1 mode", "%o", st.st_mode);
	T(mkdir("u2", 0777));
	MUST(stat("u2", &st));
	P("u2 mode", "%o", st.st_mode);
	/* only the low 9 bits are kept */
	T(umask(0777777));
	T(umask(0));
	fd = T(open("u3", O_CREAT | O_WRONLY, 0666));
	T(close(fd));
	MUST(stat("u3", &st));
	P("u3 mode", "%o", st.st_mode);
	/* umask does not apply to symlinks */
	MUST(symlink("u3", "u4"));
	MUST(lstat("u4", &st));
	P("u4 mode", "%o", st.st_mode);
	T(umask(022));
}

int main(void)
{
	scratch();
	t_stat();
	t_lstat();
	t_fstat();
	t_fstatat();
	t_statx();
	t_umask();
	return 0;
}
