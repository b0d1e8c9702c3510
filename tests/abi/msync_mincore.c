/* msync_mincore: msync(2)'s flag, alignment and range checks (EINVAL,
 * ENOMEM for holes, EBUSY for MS_INVALIDATE of locked memory), a shared
 * file mapping's writes seen by read after MS_SYNC; mincore(2)'s checks
 * (EINVAL, ENOMEM, EFAULT) and locked pages reported resident. */
#include "abi.h"
#include <sys/mman.h>

int main(void)
{
	scratch();
	long pg = 4096;
	char *m = mmap(NULL, 4 * pg, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MUST(munmap(m + 2 * pg, pg));	/* a hole at page 2 */
	SECTION("msync");
	T(msync(m, pg, 0));
	T(msync(m, pg, MS_ASYNC | MS_SYNC));
	T(msync(m, pg, 8));
	T(msync(m + 1, pg, MS_SYNC));
	T(msync(m, 0, MS_SYNC));
	T(msync(m, 4 * pg, MS_ASYNC));
	T(msync(m, 4 * pg, MS_SYNC));
	T(msync(m, 4 * pg, MS_INVALIDATE));
	T(msync(m + 2 * pg, pg, MS_ASYNC));
	T(msync(m, (size_t)-pg, MS_ASYNC));
	MUST(mlock(m, pg));
	T(msync(m, pg, MS_INVALIDATE));
	T(msync(m, pg, MS_SYNC));
	int fd;
	MUST(fd = open("f", O_RDWR | O_CREAT, 0644));
	MUST(ftruncate(fd, pg));
	char *s = mmap(NULL, pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	memcpy(s, "written", 8);
	T(msync(s, pg, MS_SYNC));
	char b[8] = "";
	pread(fd, b, 8, 0);
	P("file after MS_SYNC", "%s", b);
	SECTION("mincore");
	unsigned char vec[8];
	memset(vec, 0xee, sizeof(vec));
	T(mincore(m + 1, pg, vec));
	T(mincore(m, pg, BADP));
	T(mincore(m, 4 * pg, vec));
	T(mincore(m + 2 * pg, pg, vec));
	T(mincore((void *)0x7ffffffff000UL, 2 * pg, vec));
	T(mincore(m, 0, vec));
	T(mincore(m, 1, vec));
	P("locked page", "%d", vec[0] & 1);
	T(mincore(s, pg, vec));
	P("written shared file page", "%d", vec[0] & 1);
	return 0;
}
