/* memfd_create: an anonymous tmpfs file (see memfd_new in tmpfs.c). */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "uapi/memfd.h"

#define MFD_NAME_MAX 249	/* NAME_MAX less "memfd:" */

long sys_memfd_create(struct task *t, const struct sysargs *a)
{
	unsigned flags = (unsigned)a->a[1];
	if (flags & ~(MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC))
		return -EINVAL;
	if (flags & MFD_HUGETLB)
		return -EINVAL;	/* no huge page pool here */
	if ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC))
		return -EINVAL;
	char name[MFD_NAME_MAX + 1];
	long n = strncpy_from_user(t, name, a->a[0], sizeof(name));
	if (n == -ENAMETOOLONG)
		return -EINVAL;
	if (n < 0)
		return n;
	int err;
	struct file *f = memfd_new(name, flags, &err);
	if (!f)
		return err;
	int fd = fd_install(t, f, 0, flags & MFD_CLOEXEC);
	if (fd < 0)
		file_put(f);
	return fd;
}
