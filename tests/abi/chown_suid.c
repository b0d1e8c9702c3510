/* chown_suid: chown(2) of a regular file takes S_ISUID away, and S_ISGID
 * when group execute is set (without it the bit marks mandatory locking
 * and stays), by root as by anyone, even a chown to -1, -1; a directory
 * keeps both. Run as root (natively and in the guest). */
#include "abi.h"

static void show(const char *label, const char *path)
{
	struct stat st;
	MUST(lstat(path, &st));
	P(label, "%04o", (unsigned)(st.st_mode & 07777));
}

static void try(const char *label, mode_t mode, uid_t uid, gid_t gid)
{
	MUST(chmod("f", mode));
	errno = 0;
	long r = chown("f", uid, gid);
	printf("%s: ", label);
	abi_show("chown", r, errno);
	show("  mode", "f");
}

int main(void)
{
	scratch();
	put_file("f", "x");
	SECTION("regular file");
	try("suid, to 0:0", 04755, 0, 0);
	try("suid, to 1:1", 04755, 1, 1);
	try("suid+sgid, -1:-1", 06755, -1, -1);
	try("sgid without g+x", 02744, 0, -1);
	try("sgid+suid without g+x", 06744, -1, 0);
	try("plain 0755", 0755, 0, 0);
	errno = 0;
	MUST(chmod("f", 06755));
	int fd;
	MUST(fd = open("f", O_RDONLY));
	T(fchown(fd, 2, 2));
	show("fchown", "f");
	close(fd);

	SECTION("directory");
	MUST(mkdir("d", 0755));
	MUST(chmod("d", 07755));
	T(chown("d", 3, 3));
	show("d", "d");
	return 0;
}
