/* procfs internals, shared by procfs.c (the tree: nodes, lookup, listing,
 * open/read), procfs_pid.c and procfs_fd.c (/proc/<pid>/...) and
 * procfs_sys.c (the top-level files and /proc/sys).
 *
 * Every /proc node is an entry of a static table (struct pentry) seen for
 * one process, thread or fd (struct pnode, the inode's priv). Adding a file
 * is one table line in procfs.c and one show function. */
#pragma once
#include "vfs.h"
#include <sys/utsname.h>

struct pnode;

enum proc_dyn {
	DYN_NONE,
	DYN_PIDS,	/* one directory per process (the root) */
	DYN_TASKS,	/* one directory per thread (task/) */
	DYN_FDS,	/* one magic link per open fd (fd/) */
	DYN_FDINFO,	/* one file per open fd (fdinfo/) */
};

/* Entry flags. */
enum {
	/* under /proc/sys and /proc/net: opening for write needs a write
	 * method, even for root (EACCES) */
	P_STRICT_WRITE = 1,
};

struct pentry {
	const char *name;
	uint32_t mode;
	/* A file's contents, or a link's target text. */
	int (*show)(struct pnode *n, struct sbuf *out);
	/* Magic links: following them lands on this path (a reference). */
	int (*jump)(struct pnode *n, struct path *out);
	ssize_t (*write)(struct pnode *n, const char *buf, size_t len);
	const struct pentry *dir;	/* static children, ended by a NULL name */
	enum proc_dyn dyn;		/* children made from kernel objects */
	const char *text;		/* fixed contents, for proc_show_text */
	unsigned flags;
};

struct pnode {
	const struct pentry *e;
	int pid;	/* the process; 0 outside /proc/<pid> */
	int tid;	/* one thread's view (task/<tid>, /proc/<tid>); 0: the process */
	int fd;		/* fd/<n>, fdinfo/<n>; -1 elsewhere */
};

/* ---- what procfs needs from the rest of the kernel ---- */

/* NEEDS (kernel/task.c): the pid (or tid) alloc_pid() handed out last. */
extern int last_pid;
/* Defined in kernel/sys_info.c: CLOCK_MONOTONIC when the kernel started,
 * and the supplementary groups the guest runs with. */
extern struct timespec boot_time;
extern gid_t host_groups[64];
extern int host_ngroups;
/* NEEDS (kernel): what uname(2) tells the guest. */
void kernel_uname(struct utsname *u);
/* NEEDS (fs/dcache.c): the mount table in mount order; NULL prev gives the
 * first, NULL is returned after the last. */
struct mount *mount_next(struct mount *prev);

/* ---- procfs_pid.c, procfs_fd.c ---- */

struct process *proc_of(const struct pnode *n);
struct task *task_of(const struct pnode *n);
/* The open file at `fd` of n's process (no reference taken), or NULL. */
struct file *proc_fd_file(const struct pnode *n, int fd);
uint32_t proc_fd_mode(const struct pnode *n);
/* The reader's root, against which /proc links are printed. */
struct path proc_reader_root(void);
/* Whether the caller may look inside p (Linux's ptrace_may_access). */
bool proc_may_access(struct process *p);

int proc_pid_cmdline(struct pnode *n, struct sbuf *out);
int proc_pid_environ(struct pnode *n, struct sbuf *out);
int proc_pid_comm(struct pnode *n, struct sbuf *out);
ssize_t proc_pid_comm_write(struct pnode *n, const char *buf, size_t len);
int proc_pid_stat(struct pnode *n, struct sbuf *out);
int proc_pid_statm(struct pnode *n, struct sbuf *out);
int proc_pid_status(struct pnode *n, struct sbuf *out);
int proc_pid_maps(struct pnode *n, struct sbuf *out);
int proc_pid_limits(struct pnode *n, struct sbuf *out);
int proc_pid_personality(struct pnode *n, struct sbuf *out);
int proc_pid_mounts(struct pnode *n, struct sbuf *out);
int proc_pid_mountinfo(struct pnode *n, struct sbuf *out);
ssize_t proc_pid_oom_adj_write(struct pnode *n, const char *buf, size_t len);
int proc_pid_exe(struct pnode *n, struct sbuf *out);
int proc_pid_exe_jump(struct pnode *n, struct path *out);
int proc_pid_cwd(struct pnode *n, struct sbuf *out);
int proc_pid_cwd_jump(struct pnode *n, struct path *out);
int proc_pid_root(struct pnode *n, struct sbuf *out);
int proc_pid_root_jump(struct pnode *n, struct path *out);
int proc_fd_link(struct pnode *n, struct sbuf *out);
int proc_fd_jump(struct pnode *n, struct path *out);
int proc_fdinfo(struct pnode *n, struct sbuf *out);

/* ---- procfs_sys.c ---- */

int proc_show_text(struct pnode *n, struct sbuf *out);
int proc_show_host(struct pnode *n, struct sbuf *out);
int proc_self(struct pnode *n, struct sbuf *out);
int proc_thread_self(struct pnode *n, struct sbuf *out);
int proc_meminfo(struct pnode *n, struct sbuf *out);
int proc_cpuinfo(struct pnode *n, struct sbuf *out);
int proc_uptime(struct pnode *n, struct sbuf *out);
int proc_loadavg(struct pnode *n, struct sbuf *out);
int proc_stat(struct pnode *n, struct sbuf *out);
int proc_version(struct pnode *n, struct sbuf *out);
int proc_sys_hostname(struct pnode *n, struct sbuf *out);
int proc_sys_ostype(struct pnode *n, struct sbuf *out);
int proc_sys_osrelease(struct pnode *n, struct sbuf *out);
int proc_sys_version(struct pnode *n, struct sbuf *out);
int proc_sys_boot_id(struct pnode *n, struct sbuf *out);
int proc_sys_uuid(struct pnode *n, struct sbuf *out);
/* The IPC sysctls of /proc/sys/kernel and /proc/sysvipc/{msg,sem,shm}
 * (ipc/), by the entry's name. */
int proc_sys_ipc(struct pnode *n, struct sbuf *out);
ssize_t proc_sys_ipc_write(struct pnode *n, const char *buf, size_t len);
int proc_sysvipc(struct pnode *n, struct sbuf *out);
/* Converts a CLOCK_MONOTONIC time to CLOCK_REALTIME (for stat times). */
struct timespec proc_mono_to_real(struct timespec mono);
