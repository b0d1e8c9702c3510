/* Patched system calls, the kernel's half (the layout and the stub's
 * half: stub/systrap_layout.h).
 *
 * A trapped call costs a host signal delivery and its return, most of a
 * call's price under systrap. So once a program has made a few calls,
 * each `mov $nr, %eax; syscall` it traps from, in its private file text,
 * becomes a jump through the patch table into an entry that hands the
 * call to the stub's fast entry, which posts it to the kernel through the
 * same slot and frame a trap does: the kernel sees the same events.
 *
 * A site changes only while no thread runs in its address space (each of
 * them is in the kernel, none stopped inside the 7 bytes), as a guest
 * thread could otherwise execute them half-written. The table is shared
 * by a process and its forks (the entries never change once made) and
 * mapped read-only into each: a guest can jump into an entry or the stub
 * as into any code of its own, and gains nothing it could not do itself.
 */
#include "mm.h"
#include "uaccess.h"
#include "platform.h"
#include "../../stub/systrap_layout.h"
#include <fcntl.h>
#include <sys/syscall.h>

#define HOST(t, nr, ...) plat_host_syscall((t)->host_tid, nr, __VA_ARGS__)

/* Calls a site makes before it is patched: patching one costs about as
 * much as a dozen trapped calls (three host calls and a copy of the text
 * page), so a site a program calls from a few times only stays as it is.
 * The kernel counts each site in a small table per address space, and
 * remembers a site it looked at and left (so that a call it cannot patch,
 * syscall(3)'s `mov %rdi, %rax`, costs no look every time). */
#define PATCH_AFTER	16
#define SITE_SLOTS	1024
#define SITE_DONE	0xffff

struct patch_sites {
	uaddr_t ret[SITE_SLOTS];
	uint16_t calls[SITE_SLOTS];
};

struct patch_table {
	int refs;
	int memfd;
	uint8_t *map;			/* the kernel's view, writable */
	unsigned used;
	uaddr_t ret[ST_PATCH_SITES];	/* each entry's return address */
	/* return address -> entry + 1 (open addressing), for calls that
	 * come through the fast entry */
	uint32_t by_ret[2 * ST_PATCH_SITES];
};

struct patch_table *patch_get(struct patch_table *pt)
{
	if (pt)
		pt->refs++;
	return pt;
}

void patch_put(struct patch_table *pt)
{
	if (!pt || --pt->refs)
		return;
	munmap(pt->map, ST_PATCH_SIZE);
	close(pt->memfd);
	free(pt);
}

static struct patch_table *table_new(void)
{
	struct patch_table *pt = xzalloc(sizeof(*pt));
	pt->refs = 1;
	pt->memfd = memfd_create("persona-patch", MFD_CLOEXEC);
	if (pt->memfd >= 0 && ftruncate(pt->memfd, ST_PATCH_SIZE) == 0) {
		pt->map = mmap(NULL, ST_PATCH_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, pt->memfd, 0);
		if (pt->map != MAP_FAILED)
			return pt;
	}
	if (pt->memfd >= 0)
		close(pt->memfd);
	free(pt);
	return NULL;
}

/* The table in t's address space, read-only and executable, at its fixed
 * address (false if the guest has something there). */
static bool table_map(struct task *t, struct mm *mm, struct patch_table *pt)
{
	if (!range_free(mm, ST_PATCH_BASE, ST_PATCH_BASE + ST_PATCH_SIZE))
		return false;
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pt->memfd);
	int ro = open(path, O_RDONLY | O_CLOEXEC);	/* never writable in the guest */
	if (ro < 0)
		return false;
	long r = plat_map_fd(t->host_tid, ro, ST_PATCH_BASE, ST_PATCH_SIZE, PROT_READ | PROT_EXEC,
			     MAP_SHARED | MAP_FIXED, 0);
	close(ro);
	if (r != (long)ST_PATCH_BASE)
		return false;
	mm_add_stub(mm, ST_PATCH_BASE, ST_PATCH_BASE + ST_PATCH_SIZE, PROT_READ | PROT_EXEC);
	return true;
}

bool patch_is_table(const struct vma *v)
{
	return v->kind == VMA_STUB && v->start == ST_PATCH_BASE;
}

static unsigned hash(uaddr_t ret)
{
	return (unsigned)((ret * 0x9e3779b97f4a7c15ULL) >> 50) % (2 * ST_PATCH_SITES);
}

static int entry_of_ret(struct patch_table *pt, uaddr_t ret)
{
	for (unsigned h = hash(ret);; h = (h + 1) % (2 * ST_PATCH_SITES)) {
		uint32_t e = pt->by_ret[h];
		if (!e)
			return -1;
		if (pt->ret[e - 1] == ret)
			return (int)e - 1;
	}
}

static uaddr_t entry_addr(unsigned k)
{
	return ST_PATCH_ENTRIES + (uaddr_t)k * ST_PATCH_ENTRY_SIZE;
}

/* Entry k's own syscall instruction: where a call through it restarts. */
static uaddr_t slow_insn(unsigned k)
{
	return entry_addr(k) + ST_PATCH_SLOW_OFF;
}

/* Entry k's code, for the call `nr` returning to `ret`. */
static void entry_write(struct patch_table *pt, unsigned k, uint32_t nr, uaddr_t ret)
{
	uint8_t *e = pt->map + (entry_addr(k) - ST_PATCH_BASE), *p = e;
	uint32_t area_hi = (uint32_t)(ST_AREA(0) >> 16), areas = ST_MAX_THREADS;
	uint64_t fast = ST_FAST_ENTRY;
#define BYTES(...) do { const uint8_t b_[] = { __VA_ARGS__ }; memcpy(p, b_, sizeof(b_)); p += sizeof(b_); } while (0)
#define IMM(v) do { memcpy(p, &(v), sizeof(v)); p += sizeof(v); } while (0)
	BYTES(0xb8); IMM(nr);					/* mov $nr, %eax */
	_Static_assert(ST_PATCH_GS_OFF == 5, "the %gs load after the mov");
	BYTES(0x65, 0x4c, 0x8b, 0x1c, 0x25, 0, 0, 0, 0);	/* mov %gs:0, %r11 */
	BYTES(0x49, 0xc1, 0xeb, 0x10);				/* shr $16, %r11 */
	BYTES(0x49, 0x81, 0xeb); IMM(area_hi);			/* sub $area_hi, %r11 */
	BYTES(0x49, 0x81, 0xfb); IMM(areas);			/* cmp $areas, %r11 */
	BYTES(0x73, ST_PATCH_SLOW_OFF - 34);			/* jae slow */
	BYTES(0x48, 0xb9); IMM(ret);				/* movabs $ret, %rcx */
	BYTES(0x49, 0xbb); IMM(fast);				/* movabs $fast, %r11 */
	BYTES(0x41, 0xff, 0xe3);				/* jmp *%r11 */
	if (p - e != ST_PATCH_SLOW_OFF)
		kpanic("patch entry layout");
	BYTES(0x0f, 0x05);					/* slow: syscall */
#undef BYTES
#undef IMM
	_Static_assert(ST_PATCH_SLOW_OFF + 2 <= ST_PATCH_ENTRY_SIZE, "an entry fits");
	uint64_t where = entry_addr(k);
	memcpy(pt->map + 8 * k, &where, 8);
	pt->ret[k] = ret;
	unsigned h = hash(ret);
	while (pt->by_ret[h])
		h = (h + 1) % (2 * ST_PATCH_SITES);
	pt->by_ret[h] = k + 1;
}

/* Whether the site may change now: no other thread of the address space
 * runs guest code, or is stopped inside the site's bytes. */
static bool quiet(struct task *t, uaddr_t site)
{
	if (t->proc->mm->refs != 1)	/* a vfork child runs on it too */
		return false;
	struct task *o;
	list_for_each_entry(o, &t->proc->threads, thread_node) {
		if (o == t)
			continue;
		if (o->state == TASK_RUNNING || (o->regs.r.rip > site && o->regs.r.rip < site + 7))
			return false;
	}
	return true;
}

/* The count of the site returning to `ret`, or NULL if the table is full
 * there (such a site is never patched). */
static uint16_t *site_calls(struct mm *mm, uaddr_t ret)
{
	if (!mm->sites)
		mm->sites = xzalloc(sizeof(*mm->sites));
	struct patch_sites *ps = mm->sites;
	unsigned h = hash(ret) % SITE_SLOTS;
	for (unsigned i = 0; i < 8; i++, h = (h + 1) % SITE_SLOTS) {
		if (ps->ret[h] == ret)
			return &ps->calls[h];
		if (!ps->ret[h]) {
			ps->ret[h] = ret;
			return &ps->calls[h];
		}
	}
	return NULL;
}

void patch_sites_free(struct mm *mm)
{
	free(mm->sites);
	mm->sites = NULL;
}

/* Patches the site the call just trapped from, if it is one. */
static void patch_site(struct task *t, struct mm *mm)
{
	uaddr_t ret = t->regs.r.rip, site = ret - 7, page = PAGE_DOWN(site);
	long nr = t->sysno;
	uint8_t b[7];
	if (nr < 0 || nr >= 1024 || site < MMAP_MIN_ADDR || PAGE_DOWN(ret - 1) != page ||
	    copy_from_user(t, b, site, 7) || b[0] != 0xb8 || b[5] != 0x0f || b[6] != 0x05)
		return;
	uint32_t imm;
	memcpy(&imm, b + 1, 4);
	struct vma *v = vma_find(mm, site);
	if (imm != (uint32_t)nr || !v || v->kind != VMA_NORMAL || !v->file ||
	    (v->flags & MAP_SHARED) || (v->prot & (PROT_EXEC | PROT_WRITE)) != PROT_EXEC ||
	    !quiet(t, site))
		return;
	if (!mm->patch) {
		if (!(mm->patch = table_new()) || !table_map(t, mm, mm->patch)) {
			patch_put(mm->patch);
			mm->patch = NULL;
			mm->no_patch = true;
			return;
		}
	}
	struct patch_table *pt = mm->patch;
	if (pt->used == ST_PATCH_SITES) {
		mm->no_patch = true;
		return;
	}
	unsigned k = pt->used++;
	entry_write(pt, k, (uint32_t)nr, ret);
	uint32_t word = (uint32_t)(ST_PATCH_BASE + 8 * k);
	uint8_t jmp[7] = { 0xff, 0x24, 0x25 };		/* jmp *word */
	memcpy(jmp + 3, &word, 4);
	/* The text is a private file mapping: the write makes the page the
	 * process's own copy, as a debugger's breakpoint does. */
	int prot = v->prot & (PROT_READ | PROT_WRITE | PROT_EXEC);
	if (HOST(t, SYS_mprotect, page, PAGE_SIZE, prot | PROT_WRITE, 0, 0, 0) < 0) {
		mm->no_patch = true;
		return;
	}
	if (copy_to_user(t, site, jmp, 7))
		mm->no_patch = true;
	else	/* this call's restart, if any, cannot run the old bytes */
		t->syscall_insn = slow_insn(k);
	HOST(t, SYS_mprotect, page, PAGE_SIZE, prot, 0, 0, 0);
}

void patch_syscall_entry(struct task *t, bool fast)
{
	struct mm *mm = t->proc->mm;
	struct patch_table *pt = mm->patch;
	uaddr_t rip = t->regs.r.rip;
	t->syscall_insn = rip - 2;
	if (pt && rip >= ST_PATCH_ENTRIES && rip < ST_PATCH_BASE + ST_PATCH_SIZE) {
		/* the slow way of entry k: the call is the site's */
		uaddr_t off = rip - ST_PATCH_ENTRIES;
		unsigned k = (unsigned)(off / ST_PATCH_ENTRY_SIZE);
		if (off % ST_PATCH_ENTRY_SIZE == ST_PATCH_SLOW_OFF + 2 && k < pt->used) {
			t->regs.r.rip = t->regs.r.rcx = pt->ret[k];
			t->syscall_insn = slow_insn(k);
		}
		return;
	}
	if (fast) {
		/* A restart goes through the entry's slow way, which runs the
		 * number the kernel puts in rax (restart_syscall too). */
		int k = pt ? entry_of_ret(pt, rip) : -1;
		if (k >= 0)
			t->syscall_insn = slow_insn((unsigned)k);
		return;
	}
	if (!plat_patchable() || mm->no_patch)
		return;
	uint16_t *calls = site_calls(mm, rip);
	if (!calls || *calls == SITE_DONE || ++*calls < PATCH_AFTER)
		return;
	*calls = SITE_DONE;	/* patched, or never to be */
	patch_site(t, mm);
}
