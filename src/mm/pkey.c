/* pkey_alloc, pkey_free, pkey_mprotect, answered as Linux (built with
 * protection keys) answers them on an x86_64 CPU without them (no
 * PKU/OSPKE): persona does not manage the host's PKRU register for its
 * guests, so it offers no keys. There Linux's allocation map is empty,
 * not even key 0: pkey_alloc finds key 0 free but cannot set its rights
 * (EINVAL from arch_set_user_pkey_access, not the ENOSPC the man page
 * promises, which is what a kernel built without keys says); pkey_free
 * of any key is EINVAL; pkey_mprotect is mprotect for key -1 and EINVAL
 * for any other key. Programs (Node, V8) ask at start and fall back to
 * plain mprotect when pkey_alloc fails. */
#include "mm.h"
#include "ksyscall.h"

long sys_pkey_alloc(struct task *t, const struct sysargs *a)
{
	(void)t;
	(void)a;	/* bad flags or rights are EINVAL too, the same answer */
	return -EINVAL;
}

long sys_pkey_free(struct task *t, const struct sysargs *a)
{
	(void)t;
	(void)a;
	return -EINVAL;		/* no key is allocated */
}

long sys_pkey_mprotect(struct task *t, const struct sysargs *a)
{
	return do_mprotect_pkey(t, a->a[0], a->a[1], (int)a->a[2], (int)a->a[3]);
}
