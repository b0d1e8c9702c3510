/* System V IPC (man 7 sysvipc): message queues (msg.c), semaphore sets
 * (sem.c) and shared memory segments (shm.c), each kind a table of
 * objects named by key and by id, with permissions checked as Linux's
 * ipc/util.c does (util.c). All tables and limits of one IPC namespace
 * live in one struct ipc_namespace; today there is one, init_ipc_ns. */
#pragma once
#include "task.h"
#include "waitq.h"
#include "uapi/ipc.h"
#include <time.h>

/* Ids are index + seq * IPCMNI, as Linux's (without ipcmni_extend). */
#define IPCMNI		32768
#define IPCMNI_SHIFT	15
#define IPC_MAX_SEQ	(0x7fffffff >> IPCMNI_SHIFT)

/* Linux's defaults (include/uapi/linux/{msg,sem,shm}.h). */
#define MSGMAX	8192
#define MSGMNB	16384
#define MSGMNI	32000
#define MSGSSZ	16
#define SEMMSL	32000
#define SEMMNI	32000
#define SEMMNS	(SEMMNI * SEMMSL)
#define SEMOPM	500
#define SEMVMX	32767
#define SEMAEM	SEMVMX
#define SEMUSZ	20
#define SHMMIN	1
#define SHMMNI	4096
#define SHMMAX	(~0UL - (1UL << 24))
#define SHMALL	(~0UL - (1UL << 24))
#define SHMLBA	PAGE_SIZE

/* The access ipcperms is asked for, as Linux names it. */
#define S_IRUGO	0444
#define S_IWUGO	0222
#define S_IXUGO	0111

enum ipc_kind { IPC_SEM_IDS, IPC_MSG_IDS, IPC_SHM_IDS, IPC_NKINDS };

/* What every object starts with (Linux's kern_ipc_perm). */
struct kern_ipc_perm {
	int id;
	int32_t key;
	unsigned uid, gid, cuid, cgid, mode;	/* mode: 0777, and SHM_DEST/SHM_LOCKED */
	unsigned short seq;
};

/* One kind's objects, by index (slots grow up to IPCMNI). */
struct ipc_ids {
	struct kern_ipc_perm **slots;
	int nslots;
	int in_use;
	int last_idx;		/* where the next index is looked for after */
	unsigned short seq;
	/* The id the next object gets (the *_next_id sysctls), or -1. */
	int next_id;
};

struct ipc_namespace {
	struct ipc_ids ids[IPC_NKINDS];
	/* The sysctls (/proc/sys/kernel). */
	int msg_ctlmax, msg_ctlmnb, msg_ctlmni;
	int sem_ctls[4];	/* semmsl, semmns, semopm, semmni */
	unsigned long shm_ctlmax, shm_ctlall;
	int shm_ctlmni;
	/* Usage, for the limits and the *_INFO answers. */
	long msg_bytes, msg_hdrs;
	int used_sems;
	unsigned long shm_tot;	/* pages */
};

/* The namespace of a process (one for now: the containers work adds more). */
struct ipc_namespace *ipc_ns_of(struct process *p);

/* ---- util.c ---- */

/* What an *get call asks for, and the kind's hooks. */
struct ipc_params {
	int32_t key;
	int flg;
	union { size_t size; int nsems; } u;
};
struct ipc_ops {
	/* Makes a new object with perm filled in but no id: 0 or -errno. */
	int (*newobj)(struct ipc_namespace *ns, struct ipc_params *p, struct kern_ipc_perm **out);
	/* An existing object's extra checks (size, nsems): 0 or -errno. */
	int (*more_checks)(struct kern_ipc_perm *perm, struct ipc_params *p);
};
/* msgget/semget/shmget: the id, or -errno (ENOENT, EEXIST, EACCES, ENOSPC...). */
long ipcget(struct task *t, struct ipc_namespace *ns, enum ipc_kind kind,
	    const struct ipc_ops *ops, struct ipc_params *p);
/* The object of `id`, or NULL (a bad or stale id). */
struct kern_ipc_perm *ipc_lookup(struct ipc_namespace *ns, enum ipc_kind kind, int id);
/* The object at index `idx` (*_STAT, *_STAT_ANY), or NULL. */
struct kern_ipc_perm *ipc_at(struct ipc_namespace *ns, enum ipc_kind kind, int idx);
/* The object IPC_STAT (by id, `by_index` false) or *_STAT and *_STAT_ANY
 * (by index) name, readable by `t` unless `any`; else NULL with *err
 * EINVAL or EACCES. */
struct kern_ipc_perm *ipc_stat_obtain(struct task *t, struct ipc_namespace *ns, enum ipc_kind kind,
				      int id, bool by_index, bool any, int *err);
/* Takes the object's id out of the table (removal). */
void ipc_rmid(struct ipc_namespace *ns, enum ipc_kind kind, struct kern_ipc_perm *perm);
/* The highest index in use, or -1. */
int ipc_max_idx(struct ipc_namespace *ns, enum ipc_kind kind);
/* Whether `t` may access the object in the ways of `flag` (S_IRUGO,
 * S_IWUGO...: any of the 0777 bits): 0 or -EACCES (CAP_IPC_OWNER passes). */
int ipcperms(struct task *t, struct kern_ipc_perm *perm, int flag);
/* IPC_SET and IPC_RMID: the owner, the creator or CAP_SYS_ADMIN; else -EPERM. */
int ipc_may_change(struct task *t, struct kern_ipc_perm *perm);
/* IPC_SET's part common to every kind. */
void ipc_update_perm(struct kern_ipc_perm *perm, const struct ipc64_perm *in);
/* IPC_STAT's part common to every kind. */
void ipc_fill_perm(const struct kern_ipc_perm *perm, struct ipc64_perm *out);
/* For each object of a kind, in index order. */
#define ipc_for_each(ns, kind, i, perm) \
	for ((i) = 0; (i) < (ns)->ids[kind].nslots; (i)++) \
		if (((perm) = (ns)->ids[kind].slots[i]))
time_t ipc_now(void);

/* ---- /proc (procfs) ---- */
struct sbuf;
int ipc_show_msg(struct sbuf *out);
int ipc_show_sem(struct sbuf *out);
int ipc_show_shm(struct sbuf *out);
/* /proc/sys/kernel/{msgmax,msgmnb,msgmni,sem,shmall,shmmax,shmmni,*_next_id}. */
int ipc_sysctl_show(const char *name, struct sbuf *out);
ssize_t ipc_sysctl_write(const char *name, const char *buf, size_t len);
