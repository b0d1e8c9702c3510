/* mmap: mmap munmap mprotect madvise mremap. Addresses are never printed;
 * protections are probed with pwrite(2) from the mapping to a file (not
 * /dev/null, which never reads its buffer), which gives EFAULT instead of
 * a signal when the page is not readable. */
#include "abi.h"
#include <sys/mman.h>

#define PG 4096L

static int sink;

/* can the kernel read this address? 1 or the errno name */
static void probe(const char *label, const void *p)
{
	errno = 0;
	long r = pwrite(sink, p, 1, 0);
	printf("  readable %s: %s\n", label, r == 1 ? "yes" : ename(errno));
}

/* can the kernel write this address? (read(2) into it from a file) */
static int zfd;
static void probe_w(const char *label, void *p)
{
	errno = 0;
	long r = pread(zfd, p, 1, 0);
	printf("  writable %s: %s\n", label, r == 1 ? "yes" : ename(errno));
}

/* mmap through the raw call, so the result is -1/errno or an address
 * that is printed only as "ok" */
static char *map(const char *label, void *addr, long len, int prot, int flags, int fd, long off)
{
	errno = 0;
	long r = syscall(SYS_mmap, addr, len, prot, flags, fd, off);
	if (r < 0 && r > -4096)
		r = -1;  /* not reached: syscall() already folded the error */
	if (r == -1)
		printf("%s = -1 %s\n", label, ename(errno));
	else
		printf("%s = ok%s\n", label, (addr && (void *)r == addr) ? " (at hint)" : "");
	return r == -1 ? NULL : (char *)r;
}
#define MAP(a, l, p, f, fd, o) map("mmap(" #a ", " #l ", " #p ", " #f ", " #fd ", " #o ")", a, l, p, f, fd, o)

static void t_anon(void)
{
	SECTION("anonymous");
	char *p = MAP(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	P("zero filled", "%d", p[0] == 0 && p[3 * PG - 1] == 0);
	p[0] = 'a';
	p[PG] = 'b';
	probe("p", p);
	/* address is page aligned */
	P("aligned", "%d", ((unsigned long)p & (PG - 1)) == 0);
	MAP(NULL, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MAP(NULL, PG, PROT_READ, MAP_ANONYMOUS, -1, 0);          /* neither private nor shared */
	MAP(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	MAP(NULL, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1);  /* unaligned offset */
	MAP((void *)(p + 1), PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	MAP(NULL, 1L << 47, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MAP(NULL, -PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	MAP(NULL, PG, PROT_READ, MAP_PRIVATE, 99, 0);               /* bad fd */
	/* MAP_FIXED replaces what was there */
	char *q = MAP(p + PG, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (q)
		P("replaced page is zero", "%d", q[0] == 0);
	P("neighbours kept", "%d", p[0] == 'a');
	MAP(p, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	/* a shared anonymous mapping */
	char *s = MAP(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (s) {
		s[10] = 'z';
		P("shared anon", "%c", s[10]);
		T(munmap(s, PG));
	}

	SECTION("munmap");
	T(munmap(p + 2 * PG, PG));
	probe("unmapped page", p + 2 * PG);
	probe("page before", p + PG);
	T(munmap(p + 1, PG));
	T(munmap(p, 0));
	T(munmap(p + 2 * PG, PG));    /* already unmapped: fine */
	T(munmap((void *)(1L << 47), PG));
	T(munmap(p, 2 * PG));
	probe("after munmap", p);

	SECTION("mprotect");
	p = MAP(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'x';
	T(mprotect(p, PG, PROT_READ));
	probe("read-only", p);
	probe_w("read-only", p);
	probe_w("still rw", p + PG);
	T(mprotect(p, PG, PROT_NONE));
	probe("PROT_NONE", p);
	T(mprotect(p, PG, PROT_READ | PROT_WRITE));
	P("content kept", "%c", p[0]);
	T(mprotect(p + 1, PG, PROT_READ));
	T(mprotect(p, PG, 0x100));
	/* a range that runs into a hole fails: make the hole ourselves */
	char *h = MAP(NULL, 3 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	T(munmap(h + 2 * PG, PG));
	T(mprotect(h, 3 * PG, PROT_READ | PROT_WRITE));
	T(madvise(h, 3 * PG, MADV_WILLNEED));
	T(munmap(h, 2 * PG));
	T(mprotect(p, 0, PROT_READ));
	T(munmap(p, 2 * PG));
	T(mprotect(p, PG, PROT_READ));
}

static void t_file(void)
{
	SECTION("file mappings");
	char data[2 * PG];
	memset(data, 'f', sizeof data);
	memcpy(data, "HEADER", 6);
	memcpy(data + PG, "PAGE2", 5);
	int fd;
	MUST(fd = open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
	MUST(write(fd, data, sizeof data));
	char *p = MAP(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
	if (p)
		P("private read", "%.6s %.5s", p, p + PG);
	char *o = MAP(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
	if (o)
		P("at offset", "%.5s", o);
	MAP(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 100);
	/* private writes are not seen by the file */
	char *w = MAP(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	char buf[8] = {0};
	if (w) {
		w[0] = 'h';
		MUST(pread(fd, buf, 6, 0));
		P("file after private write", "%s", buf);
	}
	/* shared writes are */
	char *s = MAP(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (s) {
		memcpy(s, "SHARED", 6);
		MUST(pread(fd, buf, 6, 0));
		P("file after shared write", "%s", buf);
		/* and the file's writes show in the mapping */
		MUST(pwrite(fd, "WRITTEN", 7, 0));
		P("mapping after pwrite", "%.7s", s);
	}
	/* past the end of the file the page is there but the rest is zero */
	MUST(ftruncate(fd, PG + 10));
	P("tail zero", "%d", p ? p[PG + 10] == 0 && p[PG + 9] == 'f' : -1);
	int ro;
	MUST(ro = open("f", O_RDONLY));
	MAP(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0);
	MAP(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
	int wo;
	MUST(wo = open("f", O_WRONLY));
	MAP(NULL, PG, PROT_READ, MAP_PRIVATE, wo, 0);
	int dfd;
	MUST(dfd = open(".", O_RDONLY | O_DIRECTORY));
	MAP(NULL, PG, PROT_READ, MAP_PRIVATE, dfd, 0);
	close(ro);
	close(wo);
	close(dfd);
	/* the mapping outlives the fd */
	T(close(fd));
	if (s)
		P("after close", "%.7s", s);

	SECTION("madvise");
	char *a = MAP(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	a[0] = 'q';
	a[PG] = 'r';
	T(madvise(a, PG, MADV_DONTNEED));
	P("anon after DONTNEED", "%d %c", a[0], a[PG]);
	if (s) {
		T(madvise(s, PG, MADV_DONTNEED));
		P("shared file after DONTNEED", "%.7s", s);
	}
	if (w) {
		T(madvise(w, PG, MADV_DONTNEED));  /* private copy dropped: file data again */
		P("private file after DONTNEED", "%.7s", w);
	}
	T(madvise(a, 2 * PG, MADV_NORMAL));
	T(madvise(a, 2 * PG, MADV_WILLNEED));
	T(madvise(a, 2 * PG, MADV_SEQUENTIAL));
	T(madvise(a, 2 * PG, MADV_RANDOM));
	T(madvise(a, 0, MADV_NORMAL));
	T(madvise(a + 1, PG, MADV_NORMAL));
	T(madvise(a, PG, 12345));
	T(munmap(a, 2 * PG));
	T(madvise(a, PG, MADV_NORMAL));
}

static void t_mremap(void)
{
	SECTION("mremap");
	char *p = MAP(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	p[0] = 'm';
	p[PG] = 'n';
	/* shrinking stays in place */
	char *r = (char *)syscall(SYS_mremap, p, 2 * PG, PG, 0);
	P("shrink in place", "%d", r == p);
	probe("cut page", p + PG);
	/* growing into a used neighbour without MREMAP_MAYMOVE fails */
	char *nb = MAP(p + PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	T(syscall(SYS_mremap, p, PG, 2 * PG, 0));
	/* with MREMAP_MAYMOVE the content follows */
	r = (char *)syscall(SYS_mremap, p, PG, 4 * PG, MREMAP_MAYMOVE);
	P("grow moved ok", "%d", r != MAP_FAILED);
	if (r != MAP_FAILED) {
		P("content", "%c", r[0]);
		P("new tail zero", "%d", r[4 * PG - 1] == 0);
		probe("old address", p);
		p = r;
	}
	munmap(nb, PG);
	T(syscall(SYS_mremap, p + 1, PG, PG, 0));
	T(syscall(SYS_mremap, p, PG, PG, 0x80));
	T(syscall(SYS_mremap, p, PG, 2 * PG, MREMAP_FIXED, p + 8 * PG)); /* FIXED needs MAYMOVE */
	T(syscall(SYS_mremap, p, 0, PG, MREMAP_MAYMOVE));    /* old_size 0: shared only */
	T(syscall(SYS_mremap, p, PG, 0, MREMAP_MAYMOVE));
	T(syscall(SYS_mremap, (void *)(1L << 46), PG, 2 * PG, MREMAP_MAYMOVE));
	/* MREMAP_FIXED to a reserved spot */
	char *dst = MAP(NULL, 2 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	r = (char *)syscall(SYS_mremap, p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst);
	P("moved to fixed", "%d", r == dst);
	if (r == dst)
		P("content", "%c", dst[0]);
	T(syscall(SYS_mremap, dst, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst));  /* overlap */
}

int main(void)
{
	scratch();
	MUST(sink = open("sink", O_WRONLY | O_CREAT, 0644));
	put_file("z", "zzzz");
	MUST(zfd = open("z", O_RDONLY));
	t_anon();
	t_file();
	t_mremap();
	return 0;
}
