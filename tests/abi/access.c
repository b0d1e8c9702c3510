/* access: access faccessat faccessat2. Runs as whatever user the runner
 * is; the cases avoid answers that differ between root and others
 * (root still needs an x bit for X_OK). glibc's faccessat emulates flags
 * in user space, so the calls are raw. */
#include "abi.h"

static void t_access(void)
{
	SECTION("access");
	put_file("f", "x");
	MUST(chmod("f", 0644));
	put_file("x", "#!/bin/sh\n");
	MUST(chmod("x", 0755));
	MUST(mkdir("d", 0755));
	MUST(symlink("nowhere", "dangling"));
	MUST(symlink("x", "lx"));
	T(syscall(SYS_access, "f", F_OK));
	T(syscall(SYS_access, "f", R_OK));
	T(syscall(SYS_access, "f", R_OK | W_OK));
	T(syscall(SYS_access, "f", X_OK));
	T(syscall(SYS_access, "x", X_OK));
	T(syscall(SYS_access, "lx", X_OK));
	T(syscall(SYS_access, "d", R_OK | W_OK | X_OK));
	T(syscall(SYS_access, "nope", F_OK));
	T(syscall(SYS_access, "dangling", F_OK));
	T(syscall(SYS_access, "f/", F_OK));
	T(syscall(SYS_access, "f/x", F_OK));
	T(syscall(SYS_access, "", F_OK));
	T(syscall(SYS_access, "f", 0x10));
	T(syscall(SYS_access, "f", -1));
	T(syscall(SYS_access, BADP, F_OK));
	T(syscall(SYS_access, "/", X_OK));
}

static void t_faccessat(void)
{
	SECTION("faccessat");
	int dfd = T(open("d", O_RDONLY | O_DIRECTORY));
	put_file("d/in", "y");
	T(syscall(SYS_faccessat, dfd, "in", R_OK));
	T(syscall(SYS_faccessat, dfd, "in", X_OK));
	T(syscall(SYS_faccessat, dfd, "../x", X_OK));
	T(syscall(SYS_faccessat, AT_FDCWD, "x", X_OK));
	T(syscall(SYS_faccessat, 99, "in", F_OK));
	T(syscall(SYS_faccessat, 99, "/", F_OK));
	T(syscall(SYS_faccessat, dfd, "nope", F_OK));
	T(syscall(SYS_faccessat, dfd, "in", 8));
	T(syscall(SYS_faccessat, dfd, BADP, F_OK));
	int ffd = T(open("f", O_RDONLY));
	T(syscall(SYS_faccessat, ffd, "in", F_OK));

	SECTION("faccessat2");
	T(syscall(SYS_faccessat2, dfd, "in", R_OK, 0));
	T(syscall(SYS_faccessat2, dfd, "in", X_OK, AT_EACCESS));
	T(syscall(SYS_faccessat2, AT_FDCWD, "x", X_OK, AT_EACCESS));
	T(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0));
	T(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	T(syscall(SYS_faccessat2, AT_FDCWD, "lx", X_OK, AT_SYMLINK_NOFOLLOW));
	T(syscall(SYS_faccessat2, ffd, "", R_OK, AT_EMPTY_PATH));
	T(syscall(SYS_faccessat2, ffd, "", R_OK, 0));
	T(syscall(SYS_faccessat2, dfd, "in", R_OK, 0x1));
	T(syscall(SYS_faccessat2, dfd, "in", R_OK, 0x10000));
	T(syscall(SYS_faccessat2, dfd, "in", 0x10, 0));
	T(syscall(SYS_faccessat2, dfd, BADP, R_OK, 0));
	T(syscall(SYS_faccessat2, 99, "in", R_OK, 0));
	T(close(ffd));
	T(close(dfd));
}

int main(void)
{
	scratch();
	t_access();
	t_faccessat();
	return 0;
}
