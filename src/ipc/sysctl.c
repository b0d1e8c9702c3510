/* The IPC sysctls of /proc/sys/kernel (Linux's ipc/ipc_sysctl.c): the
 * limits of the caller's IPC namespace, and the *_next_id knobs that
 * choose the id of the next object made (checkpoint/restore). Each is
 * read and written as integers, within Linux's ranges (EINVAL outside). */
#include "ipc.h"
#include <limits.h>

struct ipc_sysctl {
	const char *name;
	int n;			/* how many values */
	bool ulong;		/* unsigned long (shmmax, shmall), else int */
	long min, max;
};

static const struct ipc_sysctl ctls[] = {
	{ "msg_next_id", 1, false, 0, INT_MAX },
	{ "msgmax", 1, false, 0, INT_MAX },
	{ "msgmnb", 1, false, 0, INT_MAX },
	{ "msgmni", 1, false, 0, IPCMNI },
	{ "sem", 4, false, 0, INT_MAX },
	{ "sem_next_id", 1, false, 0, INT_MAX },
	{ "shm_next_id", 1, false, 0, INT_MAX },
	{ "shmall", 1, true, 0, 0 },
	{ "shmmax", 1, true, 0, 0 },
	{ "shmmni", 1, false, 0, IPCMNI },
};

/* Where the values of `c` live in `ns`: ints, or one unsigned long. */
static void *ctl_data(struct ipc_namespace *ns, const char *name)
{
	if (!strcmp(name, "msg_next_id")) return &ns->ids[IPC_MSG_IDS].next_id;
	if (!strcmp(name, "sem_next_id")) return &ns->ids[IPC_SEM_IDS].next_id;
	if (!strcmp(name, "shm_next_id")) return &ns->ids[IPC_SHM_IDS].next_id;
	if (!strcmp(name, "msgmax")) return &ns->msg_ctlmax;
	if (!strcmp(name, "msgmnb")) return &ns->msg_ctlmnb;
	if (!strcmp(name, "msgmni")) return &ns->msg_ctlmni;
	if (!strcmp(name, "sem")) return ns->sem_ctls;
	if (!strcmp(name, "shmall")) return &ns->shm_ctlall;
	if (!strcmp(name, "shmmax")) return &ns->shm_ctlmax;
	if (!strcmp(name, "shmmni")) return &ns->shm_ctlmni;
	return NULL;
}

static const struct ipc_sysctl *ctl_find(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(ctls); i++)
		if (!strcmp(ctls[i].name, name))
			return &ctls[i];
	return NULL;
}

int ipc_sysctl_show(const char *name, struct sbuf *out)
{
	const struct ipc_sysctl *c = ctl_find(name);
	void *d = ctl_data(ipc_ns_of(current ? current->proc : NULL), name);
	if (!c || !d)
		return -ENOENT;
	if (c->ulong) {
		sbuf_printf(out, "%lu\n", *(unsigned long *)d);
		return 0;
	}
	for (int i = 0; i < c->n; i++)
		sbuf_printf(out, "%d%c", ((int *)d)[i], i + 1 < c->n ? '\t' : '\n');
	return 0;
}

ssize_t ipc_sysctl_write(const char *name, const char *buf, size_t len)
{
	const struct ipc_sysctl *c = ctl_find(name);
	void *d = ctl_data(ipc_ns_of(current ? current->proc : NULL), name);
	if (!c || !d)
		return -ENOENT;
	char tmp[128], *p = tmp, *end;
	if (len >= sizeof(tmp))
		return -EINVAL;
	memcpy(tmp, buf, len);
	tmp[len] = 0;
	if (c->ulong) {
		errno = 0;
		unsigned long v = strtoul(p, &end, 10);
		if (end == p || errno || strchr(p, '-'))
			return -EINVAL;
		*(unsigned long *)d = v;
		return len;
	}
	int vals[4];
	memcpy(vals, d, c->n * sizeof(int));
	/* Fewer values than the file has change only the first ones. */
	for (int i = 0; i < c->n; i++) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (!*p)
			break;
		errno = 0;
		long v = strtol(p, &end, 10);
		if (end == p || errno || v < c->min || v > c->max)
			return -EINVAL;
		vals[i] = (int)v;
		p = end;
	}
	if (c->n == 4 && (vals[3] < 0 || vals[3] > IPCMNI))
		return -EINVAL;	/* semmni */
	memcpy(d, vals, c->n * sizeof(int));
	return len;
}
