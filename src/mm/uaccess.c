#include "uaccess.h"
#include "platform.h"
#include <limits.h>

int copy_from_user(struct task *t, void *dst, uaddr_t src, size_t n)
{
	if (n == 0)
		return 0;
	if (src + n < src)
		return -EFAULT;
	return plat_read_mem(t->host_tid, dst, src, n) == (long)n ? 0 : -EFAULT;
}

int copy_to_user(struct task *t, uaddr_t dst, const void *src, size_t n)
{
	if (n == 0)
		return 0;
	if (dst + n < dst)
		return -EFAULT;
	return plat_write_mem(t->host_tid, dst, src, n) == (long)n ? 0 : -EFAULT;
}

int copy_struct_from_user(struct task *t, void *dst, size_t ksize, uaddr_t src, size_t usize)
{
	memset(dst, 0, ksize);
	for (size_t off = ksize; off < usize;) {
		char buf[256];
		size_t n = MIN(sizeof(buf), usize - off);
		if (copy_from_user(t, buf, src + off, n))
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return -E2BIG;
		off += n;
	}
	return copy_from_user(t, dst, src, MIN(ksize, usize));
}

int clear_user(struct task *t, uaddr_t dst, size_t n)
{
	static const char zeros[4096];
	while (n) {
		size_t k = MIN(n, sizeof(zeros));
		if (copy_to_user(t, dst, zeros, k))
			return -EFAULT;
		dst += k;
		n -= k;
	}
	return 0;
}

long strncpy_from_user(struct task *t, char *dst, uaddr_t src, size_t max)
{
	size_t done = 0;
	while (done < max) {
		/* Never read across a page boundary in one go: the next page
		 * may be unmapped although the string ends before it. */
		size_t chunk = PAGE_SIZE - ((src + done) & (PAGE_SIZE - 1));
		chunk = MIN(chunk, max - done);
		if (plat_read_mem(t->host_tid, dst + done, src + done, chunk) != (long)chunk)
			return -EFAULT;
		char *nul = memchr(dst + done, 0, chunk);
		if (nul)
			return nul - dst;
		done += chunk;
	}
	return -ENAMETOOLONG;
}

void user_pages_init(struct user_pages *u, struct task *t)
{
	u->t = t;
	u->valid[0] = u->valid[1] = false;
	u->next = 0;
}

/* The cached copy of the guest page at `page`, or NULL if unmapped. */
static const char *user_page(struct user_pages *u, uaddr_t page)
{
	for (int i = 0; i < 2; i++)
		if (u->valid[i] && u->page[i] == page)
			return u->data[i];
	unsigned i = u->next;
	u->next ^= 1;
	u->valid[i] = plat_read_mem(u->t->host_tid, u->data[i], page, PAGE_SIZE) == PAGE_SIZE;
	u->page[i] = page;
	return u->valid[i] ? u->data[i] : NULL;
}

int user_pages_read(struct user_pages *u, void *dst, uaddr_t src, size_t n)
{
	if (src + n < src)
		return -EFAULT;
	while (n) {
		size_t off = src & (PAGE_SIZE - 1), k = MIN(n, PAGE_SIZE - off);
		const char *p = user_page(u, src - off);
		if (!p)
			return -EFAULT;
		memcpy(dst, p + off, k);
		dst = (char *)dst + k;
		src += k;
		n -= k;
	}
	return 0;
}

long user_pages_str(struct user_pages *u, char *dst, uaddr_t src, size_t max)
{
	size_t done = 0;
	while (done < max) {
		uaddr_t a = src + done;
		size_t off = a & (PAGE_SIZE - 1), k = MIN(max - done, PAGE_SIZE - off);
		const char *p = a < src ? NULL : user_page(u, a - off);
		if (!p)
			return -EFAULT;
		const char *nul = memchr(p + off, 0, k);
		size_t take = nul ? (size_t)(nul - (p + off)) + 1 : k;
		memcpy(dst + done, p + off, take);
		if (nul)
			return done + take - 1;
		done += k;
	}
	return -ENAMETOOLONG;
}

static char *getname_flags(struct task *t, uaddr_t src, int *err, bool empty_ok)
{
	char *buf = xmalloc(PATH_MAX);
	long n = strncpy_from_user(t, buf, src, PATH_MAX);
	if (n == 0 && !empty_ok)
		n = -ENOENT;
	if (n < 0) {
		free(buf);
		*err = (int)n;
		return NULL;
	}
	return buf;
}

char *getname(struct task *t, uaddr_t src, int *err)
{
	return getname_flags(t, src, err, false);
}

char *getname_empty_ok(struct task *t, uaddr_t src, int *err)
{
	return getname_flags(t, src, err, true);
}

int get_user_timespec(struct task *t, uaddr_t src, struct timespec *ts)
{
	if (copy_from_user(t, ts, src, sizeof(*ts)))
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000)
		return -EINVAL;
	return 0;
}
