/* Dispatch, tracing and the coverage table, all built from the one table
 * in src/syscalls.tbl so none of them can disagree with the others. */
#include "ksyscall.h"
#include "loop.h"
#include "uaccess.h"
#include "ksignal.h"
#include "waitq.h"
#include "vfs.h"
#include <stdarg.h>
#include <fcntl.h>
#include <unistd.h>

enum status { ST_NONE, ST_DONE, ST_PARTIAL, ST_STUB };
static const char *status_names[] = { "MISSING", "DONE", "PARTIAL", "STUB" };

typedef long (*handler_fn)(struct task *, const struct sysargs *);

struct syscall_desc {
	const char *name;
	handler_fn fn;
	int x86, a64;
	const char *fmt, *flags, *note;
	enum status status;
};

#define SYSCALL(n, x, a, f, fl, st, nt) \
	[x] = { .name = #n, .fn = sys_##n, .x86 = x, .a64 = a, .fmt = f, .flags = fl, .note = nt, .status = ST_##st },
#define NOSYS(n, x, a) \
	[x] = { .name = #n, .x86 = x, .a64 = a, .fmt = "", .flags = "", .note = "", .status = ST_NONE },
static const struct syscall_desc table[] = {
#include "../syscalls.tbl"
};
#undef SYSCALL
#undef NOSYS

#define NR_SYSCALLS ((long)ARRAY_SIZE(table))

bool trace_enabled;
bool quiet;
static uint8_t warned[NR_SYSCALLS];

const char *syscall_name(long nr)
{
	if (nr >= 0 && nr < NR_SYSCALLS && table[nr].name)
		return table[nr].name;
	return NULL;
}

static void trace_arg(struct sbuf *b, struct task *t, char f, uint64_t v, uint64_t next)
{
	switch (f) {
	case 'd': sbuf_printf(b, "%d", (int)v); break;
	case 'u': sbuf_printf(b, "%lu", (unsigned long)v); break;
	case 'o': sbuf_printf(b, "0%lo", (unsigned long)v); break;
	case 'f':
		if ((int)v == AT_FDCWD)
			sbuf_printf(b, "AT_FDCWD");
		else
			sbuf_printf(b, "%d", (int)v);
		break;
	case 's': case 'b': {
		char s[48];
		long n;
		if (f == 's') {
			n = strncpy_from_user(t, s, v, sizeof(s));
			if (n == -ENAMETOOLONG)
				n = sizeof(s);
		} else {
			n = MIN(next, sizeof(s));
			if (copy_from_user(t, s, v, n))
				n = -EFAULT;
		}
		if (n < 0) {
			sbuf_printf(b, "0x%lx", (unsigned long)v);
			break;
		}
		sbuf_add(b, "\"", 1);
		for (long i = 0; i < n && (f == 'b' || s[i]); i++) {
			unsigned char c = s[i];
			if (c == '\n') sbuf_add(b, "\\n", 2);
			else if (c == '"' || c == '\\') sbuf_printf(b, "\\%c", c);
			else if (c < 32 || c >= 127) sbuf_printf(b, "\\x%02x", c);
			else sbuf_add(b, &s[i], 1);
		}
		sbuf_add(b, "\"", 1);
		if ((f == 'b' && next > sizeof(s)) || (f == 's' && n == sizeof(s)))
			sbuf_add(b, "...", 3);
		break;
	}
	case 'p':
		if (v == 0) { sbuf_printf(b, "NULL"); break; }
		/* fall through */
	default: sbuf_printf(b, "0x%lx", (unsigned long)v); break;
	}
}

/* The call and its arguments, read from guest memory as the call starts
 * (an execve's path is gone by the time it returns). */
static void trace_enter(struct task *t, const struct syscall_desc *d)
{
	struct sbuf b = { 0 };
	sbuf_printf(&b, "[pid %d] ", t->tid);
	if (d && d->name)
		sbuf_printf(&b, "%s(", d->name);
	else
		sbuf_printf(&b, "syscall_%ld(", t->sysno);
	const char *fmt = d && d->fn ? d->fmt : "xxxxxx";
	for (int i = 0; fmt[i]; i++) {
		if (i)
			sbuf_add(&b, ", ", 2);
		trace_arg(&b, t, fmt[i], t->args.a[i], i < 5 ? t->args.a[i + 1] : 0);
	}
	free(t->trace_line);
	t->trace_line = b.buf;
}

static void trace(struct task *t, const struct syscall_desc *d, long ret)
{
	struct sbuf b = { 0 };
	if (t->trace_line)
		sbuf_add(&b, t->trace_line, strlen(t->trace_line));
	free(t->trace_line);
	t->trace_line = NULL;
	if (ret == -ENORETURN)
		sbuf_printf(&b, ") = ?\n");
	else if (ret < 0 && ret >= -4095)
		sbuf_printf(&b, ") = -1 %s (%s)\n", strerrorname_np(-ret) ?: "E?", strerror(-ret));
	else if (d && strchr(d->flags, 'R'))
		sbuf_printf(&b, ") = 0x%lx\n", ret);
	else
		sbuf_printf(&b, ") = %ld\n", ret);
	ssize_t unused = write(2, b.buf, b.len);
	(void)unused;
	sbuf_free(&b);
}

void syscall_dispatch(struct task *t)
{
	const struct syscall_desc *d = NULL;
	long ret;
	current = t;
	t->state = TASK_IN_KERNEL;
	t->wake_pending = false;
	if (t->sysno >= 0 && t->sysno < NR_SYSCALLS)
		d = &table[t->sysno];
	if (trace_enabled && !t->rerun)
		trace_enter(t, d);
	if (d && d->fn) {
		ret = d->fn(t, &t->args);
	} else {
		if (!quiet && t->sysno >= 0 && t->sysno < NR_SYSCALLS && !warned[t->sysno]) {
			warned[t->sysno] = 1;
			kwarn("unimplemented syscall %s (%ld) from pid %d (%s)",
			      d && d->name ? d->name : "?", t->sysno, t->proc->pid, t->comm);
		} else if (!quiet && (t->sysno < 0 || t->sysno >= NR_SYSCALLS)) {
			kwarn("unknown syscall %ld from pid %d (%s)", t->sysno, t->proc->pid, t->comm);
		}
		ret = -ENOSYS;
	}
	current = NULL;
	if (ret == -EWOULDBLOCK_TASK && t->state == TASK_IN_KERNEL) {
		if (t->wake_pending) {
			t->wake_pending = false;
			task_unwait(t);
			t->state = TASK_READY;	/* run it again at once */
			loop_make_ready(t);
			return;
		}
		/* A vfork parent waits for its child whatever comes (only
		 * SIGKILL, which ends it, is stronger): returning or restarting
		 * while the child runs on its memory would run both on it. */
		if (!signal_pending(t) || vfork_waited_child(t)) {
			t->state = TASK_BLOCKED;
			return;
		}
		/* A signal came: the wait ends with the call's restart code,
		 * or with what a write moved before it waited. */
		task_unwait(t);
		ret = t->io_done ? (long)t->io_done : -(t->restart_code ? t->restart_code : ERESTARTSYS);
		t->io_done = 0;
	}
	if (ret == -EWOULDBLOCK_TASK)	/* the task was killed or parked */
		return;
	current = t;	/* a file the call held may be released now */
	fd_unpin_all(t);
	current = NULL;
	if (trace_enabled)
		trace(t, d, ret == -EJUSTRETURN ? regs_ret(&t->regs) : ret);
	if (ret == -ENORETURN)
		return;
	if (ret == -EJUSTRETURN)
		task_resume(t);
	else
		task_return(t, ret);
}

void syscall_print_table(const char *format)
{
	bool md = strcmp(format, "md") == 0;
	int counts[4] = { 0 };
	if (md)
		printf("| x86_64 | aarch64 | name | status | note |\n|---:|---:|---|---|---|\n");
	else
		printf("x86_64\taarch64\tname\tstatus\tnote\n");
	for (long i = 0; i < NR_SYSCALLS; i++) {
		const struct syscall_desc *d = &table[i];
		if (!d->name)
			continue;
		counts[d->status]++;
		char a64[16] = "-";
		if (d->a64 >= 0)
			snprintf(a64, sizeof(a64), "%d", d->a64);
		if (md)
			printf("| %d | %s | %s | %s | %s |\n", d->x86, a64, d->name,
			       status_names[d->status], d->note);
		else
			printf("%d\t%s\t%s\t%s\t%s\n", d->x86, a64, d->name,
			       status_names[d->status], d->note);
	}
	if (md) {
		printf("\n%d DONE, %d PARTIAL, %d STUB, %d MISSING\n",
		       counts[ST_DONE], counts[ST_PARTIAL], counts[ST_STUB], counts[ST_NONE]);
		printf("\nThe ia32 table (int 0x80, sysenter, calls from 32-bit code) is not "
		       "provided: as on a kernel built without IA32 emulation, such a call is a "
		       "SIGSEGV (SI_KERNEL) at the instruction.\n");
	}
}
