/* Loading programs: ELF (static, static-PIE, dynamic with PT_INTERP read
 * from the guest VFS) and #! scripts, and the initial stack with argv,
 * envp and the auxiliary vector. */
#include "exec.h"
#include "../mm/mm.h"
#include "../fs/vfs.h"
#include "uaccess.h"
#include "platform.h"
#include <elf.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <sys/syscall.h>

#define ELF_ET_DYN_BASE	0x555555554000UL
#define MAX_ARG_STRLEN	(32 * PAGE_SIZE)
#define MAX_SHEBANG_DEPTH 4

struct image {
	uaddr_t entry;		/* the program's own entry */
	uaddr_t phdr;		/* where its program headers are in memory */
	int phnum;
	uaddr_t load_end;	/* the end of its highest segment (brk starts here) */
	uaddr_t interp_base, interp_entry;
};

static int read_exact(struct file *f, void *buf, size_t n, uint64_t off)
{
	ssize_t r = file_read(f, buf, n, &off);
	return r == (ssize_t)n ? 0 : r < 0 ? (int)r : -ENOEXEC;
}

static int check_ehdr(const Elf64_Ehdr *e)
{
	if (memcmp(e->e_ident, ELFMAG, SELFMAG) || e->e_ident[EI_CLASS] != ELFCLASS64 ||
	    e->e_ident[EI_DATA] != ELFDATA2LSB || (e->e_type != ET_EXEC && e->e_type != ET_DYN) ||
	    e->e_machine != ELF_MACHINE_NATIVE || e->e_phentsize != sizeof(Elf64_Phdr) ||
	    e->e_phnum == 0 || e->e_phnum > 65536 / sizeof(Elf64_Phdr))
		return -ENOEXEC;
	return 0;
}

static int prot_of(uint32_t pf)
{
	return (pf & PF_R ? PROT_READ : 0) | (pf & PF_W ? PROT_WRITE : 0) | (pf & PF_X ? PROT_EXEC : 0);
}

/* Whether every PT_LOAD of an ELF file can be mapped: found before the
 * old program's memory goes. */
static int check_segments(const Elf64_Phdr *ph, int n)
{
	for (int i = 0; i < n; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_memsz &&
		    (ph[i].p_filesz > ph[i].p_memsz ||
		     (ph[i].p_vaddr & (PAGE_SIZE - 1)) != (ph[i].p_offset & (PAGE_SIZE - 1))))
			return -ENOEXEC;
	return 0;
}

/* Maps every PT_LOAD of an ELF file at `bias` (check_segments passed);
 * returns the end of the highest segment. */
static long map_segments(struct task *t, struct file *f, const Elf64_Phdr *ph, int n, uaddr_t bias)
{
	uaddr_t end = 0;
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD || ph[i].p_memsz == 0)
			continue;
		uaddr_t va = bias + ph[i].p_vaddr, start = PAGE_DOWN(va);
		uaddr_t file_end = va + ph[i].p_filesz, mem_end = va + ph[i].p_memsz;
		int prot = prot_of(ph[i].p_flags);
		long r;
		if (ph[i].p_filesz) {
			r = do_mmap(t, start, PAGE_ALIGN(file_end) - start, prot | PROT_WRITE,
				    MAP_PRIVATE | MAP_FIXED, f, PAGE_DOWN(ph[i].p_offset));
			if (r < 0)
				return r;
			/* The rest of the last file page belongs to .bss. */
			if (mem_end > file_end && (file_end & (PAGE_SIZE - 1)) &&
			    clear_user(t, file_end, PAGE_ALIGN(file_end) - file_end))
				return -EFAULT;
			if (!(prot & PROT_WRITE) &&
			    (r = do_mprotect(t, start, PAGE_ALIGN(file_end) - start, prot)) < 0)
				return r;
		}
		uaddr_t anon = ph[i].p_filesz ? PAGE_ALIGN(file_end) : start;
		if (PAGE_ALIGN(mem_end) > anon) {
			r = do_mmap(t, anon, PAGE_ALIGN(mem_end) - anon, prot,
				    MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS, NULL, 0);
			if (r < 0)
				return r;
		}
		end = MAX(end, mem_end);
	}
	return end;
}

/* The span [lo, hi) the PT_LOADs cover, page-aligned. */
static void load_span(const Elf64_Phdr *ph, int n, uaddr_t *lo, uaddr_t *hi)
{
	*lo = UINT64_MAX;
	*hi = 0;
	for (int i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		*lo = MIN(*lo, PAGE_DOWN(ph[i].p_vaddr));
		*hi = MAX(*hi, PAGE_ALIGN(ph[i].p_vaddr + ph[i].p_memsz));
	}
}

static int read_phdrs(struct file *f, Elf64_Ehdr *e, Elf64_Phdr **ph)
{
	int err = read_exact(f, e, sizeof(*e), 0);
	if (err || (err = check_ehdr(e)))
		return err;
	*ph = xmalloc(e->e_phnum * sizeof(Elf64_Phdr));
	err = read_exact(f, *ph, e->e_phnum * sizeof(Elf64_Phdr), e->e_phoff);
	if (!err)
		err = check_segments(*ph, e->e_phnum);
	if (err) {
		free(*ph);
		*ph = NULL;
	}
	return err;
}

static int open_exec(struct task *t, const char *path, struct file **out)
{
	struct file *f;
	int err = do_open(t, AT_FDCWD, path, O_RDONLY, 0, &f);
	if (err)
		return err == -EISDIR ? -EACCES : err;
	if (!S_ISREG(f->path.dentry->inode->mode))
		err = -EACCES;
	else
		err = inode_permission(f->path.dentry->inode, MAY_EXEC);
	if (err) {
		file_put(f);
		return err;
	}
	*out = f;
	return 0;
}

/* The interpreter, opened and its headers read (ELIBBAD if it is no ELF
 * file persona loads). */
static int open_interp(struct task *t, const char *path, struct file **f, Elf64_Ehdr *e,
		       Elf64_Phdr **ph)
{
	int err = open_exec(t, path, f);
	if (err)
		return err;
	if ((err = read_phdrs(*f, e, ph))) {
		file_put(*f);
		return err == -ENOEXEC ? -ELIBBAD : err;
	}
	return 0;
}

static int load_interp(struct task *t, const char *path, struct image *img)
{
	struct file *f;
	Elf64_Ehdr e;
	Elf64_Phdr *ph;
	int err = open_interp(t, path, &f, &e, &ph);
	if (err)
		return err;
	uaddr_t lo, hi, bias = 0;
	load_span(ph, e.e_phnum, &lo, &hi);
	if (e.e_type == ET_DYN) {
		uaddr_t base = mm_get_unmapped(t->proc->mm, hi - lo);
		if (!base)
			err = -ENOMEM;
		bias = base - lo;
	}
	long r = err ? err : map_segments(t, f, ph, e.e_phnum, bias);
	free(ph);
	file_put(f);
	if (r < 0)
		return (int)r;
	img->interp_base = bias + lo;
	img->interp_entry = bias + e.e_entry;
	return 0;
}

/* The PT_INTERP path of an ELF file in *out, or NULL for none. */
static int read_interp(struct file *f, const Elf64_Ehdr *e, const Elf64_Phdr *ph, char **out)
{
	*out = NULL;
	for (int i = 0; i < e->e_phnum; i++) {
		if (ph[i].p_type != PT_INTERP)
			continue;
		if (ph[i].p_filesz < 2 || ph[i].p_filesz > PATH_MAX)
			return -ENOEXEC;
		char *interp = xmalloc(ph[i].p_filesz + 1);
		int err = read_exact(f, interp, ph[i].p_filesz, ph[i].p_offset);
		interp[ph[i].p_filesz] = 0;
		if (err || strlen(interp) != ph[i].p_filesz - 1) {
			free(interp);
			return -ENOEXEC;
		}
		*out = interp;
		return 0;
	}
	return 0;
}

/* What load_elf would find wrong before it maps anything. */
static int check_elf(struct task *t, struct file *f, const Elf64_Ehdr *e, const Elf64_Phdr *ph)
{
	char *interp;
	int err = read_interp(f, e, ph, &interp);
	if (err || !interp)
		return err;
	struct file *fi;
	Elf64_Ehdr ei;
	Elf64_Phdr *phi;
	if (!(err = open_interp(t, interp, &fi, &ei, &phi))) {
		free(phi);
		file_put(fi);
	}
	free(interp);
	return err;
}

static int load_elf(struct task *t, struct file *f, const Elf64_Ehdr *e, const Elf64_Phdr *ph,
		    struct image *img)
{
	char *interp;
	int err = read_interp(f, e, ph, &interp);
	if (err)
		return err;
	/* The map is a fresh one (sys_exec.c): only the host-made parts. */
	uaddr_t lo, hi, bias = 0;
	load_span(ph, e->e_phnum, &lo, &hi);
	if (e->e_type == ET_DYN)
		bias = ELF_ET_DYN_BASE - lo;
	long end = map_segments(t, f, ph, e->e_phnum, bias);
	if (end < 0) {
		free(interp);
		return (int)end;
	}
	img->entry = bias + e->e_entry;
	img->load_end = end;
	img->phnum = e->e_phnum;
	img->phdr = 0;
	for (int i = 0; i < e->e_phnum; i++) {
		if (ph[i].p_type == PT_PHDR)
			img->phdr = bias + ph[i].p_vaddr;
	}
	if (!img->phdr)	/* no PT_PHDR: find the headers in a loaded segment */
		for (int i = 0; i < e->e_phnum; i++)
			if (ph[i].p_type == PT_LOAD && ph[i].p_offset <= e->e_phoff &&
			    e->e_phoff < ph[i].p_offset + ph[i].p_filesz)
				img->phdr = bias + ph[i].p_vaddr + (e->e_phoff - ph[i].p_offset);
	img->interp_base = 0;
	img->interp_entry = 0;
	if (interp) {
		err = load_interp(t, interp, img);
		free(interp);
	}
	return err;
}

static size_t strv_count(char *const v[])
{
	size_t n = 0;
	while (v && v[n])
		n++;
	return n;
}

/* Builds the initial stack: strings at the top, then auxv, envp, argv and
 * argc below them, 16-byte aligned, as the x86_64 ABI wants. */
static int setup_stack(struct task *t, struct image *img, const char *execfn,
		       char *const argv[], char *const envp[], uaddr_t *sp_out)
{
	struct mm *mm = t->proc->mm;
	rlim_t lim = t->proc->rlim[RLIMIT_STACK].rlim_cur;
	size_t stack_size = lim == RLIM_INFINITY || lim > (64 << 20) ? 8 << 20 : MAX(lim, 128 << 10);
	stack_size = PAGE_ALIGN(stack_size);
	uaddr_t top = mm->stack_top;
	long r = do_mmap(t, top - stack_size, stack_size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED | MAP_GROWSDOWN, NULL, 0);
	if (r < 0)
		return (int)r;
	struct vma *sv = vma_find(mm, top - 1);
	if (sv)
		sv->kind = VMA_STACK;

	size_t argc = strv_count(argv), envc = strv_count(envp);
	struct sbuf strs = { 0 };	/* all strings, laid out from `base` up */
	size_t *argoff = xmalloc((argc + envc + 1) * sizeof(size_t));
	for (size_t i = 0; i < argc; i++) {
		argoff[i] = strs.len;
		sbuf_add(&strs, argv[i], strlen(argv[i]) + 1);
	}
	size_t args_end = strs.len;
	for (size_t i = 0; i < envc; i++) {
		argoff[argc + i] = strs.len;
		sbuf_add(&strs, envp[i], strlen(envp[i]) + 1);
	}
	size_t env_end = strs.len;
	size_t execfn_off = strs.len;
	sbuf_add(&strs, execfn, strlen(execfn) + 1);
	size_t platform_off = strs.len;
	sbuf_add(&strs, ARCH_NAME, sizeof(ARCH_NAME));
	size_t random_off = (strs.len + 15) & ~15UL;
	char rnd[16];
	if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
		memset(rnd, 0x5a, sizeof(rnd));
	while (strs.len < random_off)
		sbuf_add(&strs, "", 1);
	sbuf_add(&strs, rnd, sizeof(rnd));

	uaddr_t base = (top - 16 - strs.len) & ~15UL;
	uint64_t auxv[][2] = {
		{ AT_SYSINFO_EHDR, mm->vdso_base }, { AT_MINSIGSTKSZ, getauxval(AT_MINSIGSTKSZ) },
		{ AT_HWCAP, getauxval(AT_HWCAP) }, { AT_PAGESZ, PAGE_SIZE }, { AT_CLKTCK, 100 },
		{ AT_PHDR, img->phdr }, { AT_PHENT, sizeof(Elf64_Phdr) }, { AT_PHNUM, img->phnum },
		{ AT_BASE, img->interp_base }, { AT_FLAGS, 0 }, { AT_ENTRY, img->entry },
		{ AT_UID, t->proc->uid }, { AT_EUID, t->proc->euid }, { AT_GID, t->proc->gid },
		{ AT_EGID, t->proc->egid }, { AT_SECURE, 0 }, { AT_RANDOM, base + random_off },
		{ AT_HWCAP2, getauxval(AT_HWCAP2) }, { AT_EXECFN, base + execfn_off },
		{ AT_PLATFORM, base + platform_off }, { AT_NULL, 0 },
	};
	size_t nwords = 1 + argc + 1 + envc + 1 + 2 * ARRAY_SIZE(auxv);
	uaddr_t sp = (base - nwords * 8) & ~15UL;
	uint64_t *w = xmalloc(nwords * 8), *p = w;
	*p++ = argc;
	for (size_t i = 0; i < argc; i++)
		*p++ = base + argoff[i];
	*p++ = 0;
	for (size_t i = 0; i < envc; i++)
		*p++ = base + argoff[argc + i];
	*p++ = 0;
	memcpy(p, auxv, sizeof(auxv));
	int err = 0;
	if (top - sp > stack_size / 4 * 3)
		err = -E2BIG;
	else if (copy_to_user(t, sp, w, nwords * 8) || copy_to_user(t, base, strs.buf, strs.len))
		err = -EFAULT;
	mm->arg_start = base;
	mm->arg_end = base + args_end;
	mm->env_start = base + args_end;
	mm->env_end = base + env_end;
	free(w);
	free(argoff);
	sbuf_free(&strs);
	*sp_out = sp;
	return err;
}

/* Parses "#!interp [arg]" from the first line. */
static int parse_shebang(char *buf, size_t n, char **interp, char **arg)
{
	char *nl = memchr(buf, '\n', n);
	if (!nl) {
		if (n >= 256)
			return -ENOEXEC;
		nl = buf + n;
	}
	*nl = 0;
	char *p = buf + 2;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!*p)
		return -ENOEXEC;
	*interp = p;
	while (*p && *p != ' ' && *p != '\t')
		p++;
	*arg = NULL;
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		char *e = p + strlen(p);
		while (e > p && (e[-1] == ' ' || e[-1] == '\t'))
			*--e = 0;
		if (*p)
			*arg = p;
	}
	return 0;
}

static int check_args(char *const argv[], char *const envp[])
{
	size_t total = 0;
	for (int k = 0; k < 2; k++)
		for (char *const *v = k ? envp : argv; v && *v; v++) {
			size_t n = strlen(*v) + 1;
			if (n > MAX_ARG_STRLEN)
				return -E2BIG;
			total += n + sizeof(char *);
		}
	return total > (6 << 20) ? -E2BIG : 0;
}

/* `execfn` is the name the caller executed: for a #! script the script,
 * which Linux keeps as AT_EXECFN and the process's comm. A dry run only
 * looks for what would make the exec fail before its point of no return. */
static int exec_depth(struct task *t, const char *path, const char *execfn, char *const argv[],
		      char *const envp[], int depth, bool dry)
{
	struct file *f;
	int err = check_args(argv, envp);
	if (err || (err = open_exec(t, path, &f)))
		return err;
	char head[256];
	uint64_t pos = 0;
	ssize_t n = file_read(f, head, sizeof(head), &pos);
	if (n < 0) {
		file_put(f);
		return (int)n;
	}
	if (n >= 2 && head[0] == '#' && head[1] == '!') {
		file_put(f);
		char *interp, *arg;
		if (depth >= MAX_SHEBANG_DEPTH)
			return -ELOOP;
		if ((err = parse_shebang(head, n, &interp, &arg)))
			return err;
		size_t argc = strv_count(argv);
		char **nargv = xmalloc((argc + 3) * sizeof(char *));
		size_t k = 0;
		nargv[k++] = interp;
		if (arg)
			nargv[k++] = arg;
		nargv[k++] = (char *)path;
		for (size_t i = 1; i < argc; i++)
			nargv[k++] = argv[i];
		nargv[k] = NULL;
		err = exec_depth(t, interp, execfn, nargv, envp, depth + 1, dry);
		free(nargv);
		return err;
	}
	Elf64_Ehdr e;
	Elf64_Phdr *ph = NULL;
	if ((err = read_phdrs(f, &e, &ph)) || dry) {
		if (!err)
			err = check_elf(t, f, &e, ph);
		free(ph);
		file_put(f);
		return err;
	}
	struct image img = { 0 };
	uaddr_t sp = 0;
	err = load_elf(t, f, &e, ph, &img);
	free(ph);
	if (!err)
		err = setup_stack(t, &img, execfn, argv, envp, &sp);
	if (err) {
		file_put(f);
		return err;
	}
	struct mm *mm = t->proc->mm;
	mm->brk_start = mm->brk = PAGE_ALIGN(img.load_end);
	if (t->proc->exe.dentry)
		path_put(&t->proc->exe);
	t->proc->exe = path_get(f->path);
	file_put(f);
	const char *base = strrchr(execfn, '/');
	snprintf(t->comm, sizeof(t->comm), "%s", base ? base + 1 : execfn);
	regs_init_exec(&t->regs, img.interp_entry ? img.interp_entry : img.entry, sp);
	return 0;
}

int exec_check(struct task *t, const char *path)
{
	struct file *f;
	int err = open_exec(t, path, &f);
	if (!err)
		file_put(f);
	return err;
}

int do_execve(struct task *t, const char *path, char *const argv[], char *const envp[])
{
	return exec_depth(t, path, path, argv, envp, 0, false);
}

int exec_check_image(struct task *t, const char *path, char *const argv[], char *const envp[])
{
	return exec_depth(t, path, path, argv, envp, 0, true);
}
