/* The top-level /proc files and /proc/sys. The machine is the host's:
 * meminfo, cpuinfo and the CPU lines of stat are passed through from the
 * host, as gVisor does; whatever is about processes, time since boot or
 * the kernel's identity is this kernel's own. */
#include "procfs.h"
#include "waitq.h"
#include "ipc/ipc.h"
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

int proc_show_text(struct pnode *n, struct sbuf *out)
{
	sbuf_add(out, n->e->text, strlen(n->e->text));
	return 0;
}

static int host_file(const char *path, struct sbuf *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	char buf[4096];
	ssize_t r;
	while ((r = read(fd, buf, sizeof(buf))) > 0)
		sbuf_add(out, buf, r);
	int err = r < 0 ? -errno : 0;
	close(fd);
	return err;
}

int proc_show_host(struct pnode *n, struct sbuf *out)
{
	return host_file(n->e->text, out);
}

int proc_meminfo(struct pnode *n UNUSED, struct sbuf *out)
{
	return host_file("/proc/meminfo", out);
}

int proc_cpuinfo(struct pnode *n UNUSED, struct sbuf *out)
{
	return host_file("/proc/cpuinfo", out);
}

/* self and thread-self name the caller, so they differ per reader. */
int proc_self(struct pnode *n UNUSED, struct sbuf *out)
{
	if (!current)
		return -ENOENT;
	sbuf_printf(out, "%d", current->proc->pid);
	return 0;
}

int proc_thread_self(struct pnode *n UNUSED, struct sbuf *out)
{
	if (!current)
		return -ENOENT;
	sbuf_printf(out, "%d/task/%d", current->proc->pid, current->tid);
	return 0;
}

/* ---- time ---- */

/* The wall-clock time of boot, fixed at first use so that btime and the
 * times of /proc/<pid> never wobble. */
static struct timespec boot_real(void)
{
	static struct timespec br;
	static bool known;
	if (!known) {
		br = ts_sub(now_real(), ts_sub(mono_now(), boot_time));
		known = true;
	}
	return br;
}

struct timespec proc_mono_to_real(struct timespec mono)
{
	return ts_add(boot_real(), ts_sub(mono, boot_time));
}

int proc_uptime(struct pnode *n UNUSED, struct sbuf *out)
{
	struct timespec up = ts_sub(mono_now(), boot_time);
	unsigned long long cs = (unsigned long long)up.tv_sec * 100 + up.tv_nsec / 10000000;
	/* Idle time is summed over CPUs; the kernel does not measure it, so
	 * every CPU is said to have idled all along. */
	unsigned long long idle = cs * MAX(1, sysconf(_SC_NPROCESSORS_ONLN));
	sbuf_printf(out, "%llu.%02llu %llu.%02llu\n", cs / 100, cs % 100, idle / 100, idle % 100);
	return 0;
}

/* ---- load and process counts ---- */

struct task_counts { int running, total; };

static void count_tasks(struct task_counts *c)
{
	c->running = c->total = 0;
	for (struct process *p = process_next(NULL); p; p = process_next(p)) {
		struct task *t;
		list_for_each_entry(t, &p->threads, thread_node) {
			if (t->state == TASK_DEAD)
				continue;
			c->total++;
			if (t->state != TASK_BLOCKED)
				c->running++;
		}
	}
}

int proc_loadavg(struct pnode *n UNUSED, struct sbuf *out)
{
	struct sbuf host = { 0 };
	char a[16] = "0.00", b[16] = "0.00", c[16] = "0.00";
	if (host_file("/proc/loadavg", &host) == 0 && host.buf)
		sscanf(host.buf, "%15s %15s %15s", a, b, c);
	sbuf_free(&host);
	struct task_counts tc;
	count_tasks(&tc);
	sbuf_printf(out, "%s %s %s %d/%d %d\n", a, b, c, tc.running, tc.total, last_pid);
	return 0;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The host's CPU, interrupt and context-switch lines; the boot time and
 * process counts of this kernel in place of the host's. */
int proc_stat(struct pnode *n UNUSED, struct sbuf *out)
{
	struct sbuf host = { 0 };
	int err = host_file("/proc/stat", &host);
	if (err || !host.buf) {
		sbuf_free(&host);
		return err;
	}
	struct task_counts tc;
	count_tasks(&tc);
	char *line = host.buf;
	while (*line) {
		char *end = strchrnul(line, '\n');
		size_t len = end - line + (*end == '\n');
		if (starts_with(line, "btime "))
			sbuf_printf(out, "btime %lld\nprocesses %d\nprocs_running %d\nprocs_blocked 0\n",
				    (long long)boot_real().tv_sec, last_pid, tc.running);
		else if (!starts_with(line, "processes ") && !starts_with(line, "procs_"))
			sbuf_add(out, line, len);
		line += len;
	}
	sbuf_free(&host);
	return 0;
}

/* ---- the kernel's identity ---- */

int proc_version(struct pnode *n UNUSED, struct sbuf *out)
{
	struct utsname u;
	kernel_uname(&u);
	sbuf_printf(out, "%s version %s (persona@persona) (gcc version " __VERSION__ ") %s\n",
		    u.sysname, u.release, u.version);
	return 0;
}

int proc_sys_hostname(struct pnode *n UNUSED, struct sbuf *out)
{
	struct utsname u;
	kernel_uname(&u);
	sbuf_printf(out, "%s\n", u.nodename);
	return 0;
}

int proc_sys_ostype(struct pnode *n UNUSED, struct sbuf *out)
{
	struct utsname u;
	kernel_uname(&u);
	sbuf_printf(out, "%s\n", u.sysname);
	return 0;
}

int proc_sys_osrelease(struct pnode *n UNUSED, struct sbuf *out)
{
	struct utsname u;
	kernel_uname(&u);
	sbuf_printf(out, "%s\n", u.release);
	return 0;
}

int proc_sys_version(struct pnode *n UNUSED, struct sbuf *out)
{
	struct utsname u;
	kernel_uname(&u);
	sbuf_printf(out, "%s\n", u.version);
	return 0;
}

/* A random (version 4) UUID, as /proc/sys/kernel/random prints them. */
static void uuid_v4(char out[37])
{
	unsigned char b[16] = { 0 };
	size_t got = 0;
	while (got < sizeof(b)) {
		ssize_t r = getrandom(b + got, sizeof(b) - got, 0);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0)
			got += r;
	}
	b[6] = (b[6] & 0x0f) | 0x40;
	b[8] = (b[8] & 0x3f) | 0x80;
	snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
		 b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11],
		 b[12], b[13], b[14], b[15]);
}

/* boot_id is fixed for the life of the kernel; uuid is new at each read. */
int proc_sys_boot_id(struct pnode *n UNUSED, struct sbuf *out)
{
	static char id[37];
	if (!id[0])
		uuid_v4(id);
	sbuf_printf(out, "%s\n", id);
	return 0;
}

int proc_sys_uuid(struct pnode *n UNUSED, struct sbuf *out)
{
	char id[37];
	uuid_v4(id);
	sbuf_printf(out, "%s\n", id);
	return 0;
}

/* ---- System V IPC (ipc/) ---- */

int proc_sys_ipc(struct pnode *n, struct sbuf *out)
{
	return ipc_sysctl_show(n->e->name, out);
}

ssize_t proc_sys_ipc_write(struct pnode *n, const char *buf, size_t len)
{
	return ipc_sysctl_write(n->e->name, buf, len);
}

int proc_sysvipc(struct pnode *n, struct sbuf *out)
{
	if (!strcmp(n->e->name, "msg"))
		return ipc_show_msg(out);
	if (!strcmp(n->e->name, "sem"))
		return ipc_show_sem(out);
	return ipc_show_shm(out);
}
