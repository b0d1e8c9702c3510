/* read, write and their vector and positioned forms; lseek; getdents64. */
#include "vfs.h"
#include "ksyscall.h"
#include "uaccess.h"
#include "pipe.h"
#include "waitq.h"
#include "mm.h"
#include "uapi/rwf.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/inotify.h>
#include <sys/uio.h>
#include <unistd.h>

#define IO_CHUNK (1 << 20)
#define MAX_RW_COUNT (INT_MAX & ~(PAGE_SIZE - 1))	/* Linux's cap on one call */

/* Reads into guest memory at `buf`. A regular file is read in chunks
 * until `n` is met or the file ends; a stream returns what the first read
 * gives. *pos moves only by what reached the guest. */
static long read_to_user(struct task *t, struct file *f, uaddr_t buf, size_t n, uint64_t *pos)
{
	if (f->ops && f->ops->rw_iov)
		return f->ops->rw_iov(f, t, &(struct iovec){ (void *)buf, n }, 1, false);
	size_t done = 0;
	char *kbuf = xmalloc(MIN(n, IO_CHUNK));
	while (done < n) {
		size_t chunk = MIN(n - done, IO_CHUNK);
		uint64_t p = *pos;
		ssize_t r = file_read(f, kbuf, chunk, &p);
		if (r < 0) {
			free(kbuf);
			return done ? (long)done : r;
		}
		if (r > 0 && copy_to_user(t, buf + done, kbuf, r)) {
			free(kbuf);
			return done ? (long)done : -EFAULT;
		}
		*pos = p;
		done += r;
		if ((size_t)r < chunk || !f->ops->seekable)
			break;
	}
	free(kbuf);
	if (done)
		fsnotify_path(f->path, IN_ACCESS);
	return done;
}

static long write_from_user(struct task *t, struct file *f, uaddr_t buf, size_t n, uint64_t *pos)
{
	if (f->ops && f->ops->rw_iov)
		return f->ops->rw_iov(f, t, &(struct iovec){ (void *)buf, n }, 1, true);
	/* A blocking write to a stream (pipe, socket, terminal) goes on until
	 * all is written, as Linux's pipe_write does: what went before a wait
	 * is kept in t->io_done and the rerun carries on after it; a signal
	 * then ends the call with that count (see the dispatcher). */
	bool whole = t->io_whole && !f->ops->seekable && !(f->flags & O_NONBLOCK);
	size_t done = whole ? progress_take(t) : 0;
	long lim = file_write_limit(t, f, *pos, n);
	if (lim < 0)
		return lim;
	n = lim;
	char *kbuf = xmalloc(MIN(n, IO_CHUNK));
	long err = 0;
	while (done < n) {
		size_t chunk = MIN(n - done, IO_CHUNK);
		if (copy_from_user(t, kbuf, buf + done, chunk)) {
			err = -EFAULT;
			break;
		}
		ssize_t r = file_write(f, kbuf, chunk, pos);
		if (r < 0) {
			err = r;
			break;
		}
		done += r;
		if ((size_t)r < chunk && !whole)
			break;
	}
	free(kbuf);
	if (done)
		fsnotify_path(f->path, IN_MODIFY);
	/* some went already: a wait only for a whole write, else a short one */
	return progress_end(t, done, err, whole);
}

static long clamp_count(uint64_t n)
{
	return n > (uint64_t)SSIZE_MAX ? (long)(SSIZE_MAX & ~(PAGE_SIZE - 1)) : (long)n;
}

long sys_read(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r;
	char none;
	if (a->a[2])
		r = read_to_user(t, f, a->a[1], clamp_count(a->a[2]), &f->pos);
	else if ((f->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	else if (f->ops && f->ops->anon_name)
		/* Linux hands a read of nothing to the file: eventfd,
		 * timerfd, signalfd and inotify find it too small */
		r = file_read(f, &none, 0, &f->pos);
	else
		r = 0;
	file_put(f);
	return r;
}

long sys_write(struct task *t, const struct sysargs *a)
{
	t->io_whole = true;	/* write(2) itself: see write_from_user */
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	/* A socket's write of nothing still sends: an empty datagram, or EPIPE. */
	bool sends = a->a[2] || (f->ops && f->ops->rw_iov);
	long r = sends ? write_from_user(t, f, a->a[1], clamp_count(a->a[2]), &f->pos)
		       : ((f->flags & O_ACCMODE) == O_RDONLY ? -EBADF : 0);
	file_put(f);
	return r;
}

static long positioned(struct task *t, const struct sysargs *a, bool is_write)
{
	int64_t off = (int64_t)a->a[3];
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r;
	uint64_t pos = off;
	if (off < 0)
		r = -EINVAL;
	else if (!f->ops || !f->ops->seekable)
		r = -ESPIPE;
	else if (a->a[2] == 0)
		r = 0;
	else if (is_write)
		r = write_from_user(t, f, a->a[1], clamp_count(a->a[2]), &pos);
	else
		r = read_to_user(t, f, a->a[1], clamp_count(a->a[2]), &pos);
	file_put(f);
	return r;
}

long sys_pread64(struct task *t, const struct sysargs *a) { return positioned(t, a, false); }
long sys_pwrite64(struct task *t, const struct sysargs *a) { return positioned(t, a, true); }

/* A guest vector, read in and checked as Linux's import_iovec: a count
 * over IOV_MAX or a negative length is EINVAL, then a segment that is not
 * all user addresses EFAULT; the total is cut at MAX_RW_COUNT. */
static long import_iovec(struct task *t, uaddr_t uiov, unsigned long cnt, struct iovec **out,
			 size_t *total)
{
	*out = NULL;
	*total = 0;
	if (cnt > IOV_MAX)
		return -EINVAL;
	if (!cnt)
		return 0;
	struct iovec *iov = xmalloc(sizeof(*iov) * cnt);
	if (copy_from_user(t, iov, uiov, sizeof(*iov) * cnt)) {
		free(iov);
		return -EFAULT;
	}
	for (unsigned long i = 0; i < cnt; i++)
		if ((ssize_t)iov[i].iov_len < 0) {
			free(iov);
			return -EINVAL;
		}
	for (unsigned long i = 0; i < cnt; i++) {
		uint64_t base = (uint64_t)iov[i].iov_base, end = base + iov[i].iov_len;
		if (end < base || end >= TASK_SIZE) {
			free(iov);
			return -EFAULT;
		}
		iov[i].iov_len = MIN(iov[i].iov_len, MAX_RW_COUNT - *total);
		*total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

/* Whether the file can take RWF_NOWAIT: streams can, and regular files
 * of a filesystem that reads and writes without sleeping on its own
 * (Linux's FMODE_NOWAIT), which tmpfs is not. */
static bool nowait_ok(struct file *f)
{
	if (!f->ops->seekable)
		return true;
	return f->inode && S_ISREG(f->inode->mode) && strcmp(f->inode->sb->type, "tmpfs");
}

/* RWF_* as Linux's kiocb_set_rw_flags checks them. */
static long check_rwf(struct file *f, unsigned rwf, bool is_write)
{
	if (rwf & ~RWF_KNOWN)
		return -EOPNOTSUPP;
	if ((rwf & RWF_APPEND) && (rwf & RWF_NOAPPEND))
		return -EINVAL;
	if ((rwf & RWF_NOWAIT) && !nowait_ok(f))
		return -EOPNOTSUPP;
	/* No filesystem of persona's writes atomically past a page or drops
	 * its cache per call (tmpfs and pipes don't either). */
	if (rwf & RWF_ATOMIC)
		return -EOPNOTSUPP;
	if ((rwf & RWF_DONTCACHE) && !(f->inode && S_ISREG(f->inode->mode) &&
				       strcmp(f->inode->sb->type, "hostfs") == 0))
		return -EOPNOTSUPP;
	(void)is_write;
	return 0;
}

/* Moves the whole vector at `pos` (the file's position for readv and
 * writev), one segment after another; a fault or error after some bytes
 * makes a short count. */
static long rw_vector(struct task *t, struct file *f, struct iovec *iov, unsigned long cnt,
		      size_t total, uint64_t *pos, bool is_write)
{
	if (f->ops && f->ops->rw_iov)	/* the file takes the whole vector */
		return f->ops->rw_iov(f, t, iov, (int)cnt, is_write);
	long done = 0;
	for (unsigned long i = 0; i < cnt; i++) {
		if (!iov[i].iov_len)
			continue;
		if (is_write && (size_t)done == total)
			break;
		size_t len = is_write ? MIN(iov[i].iov_len, total - done) : iov[i].iov_len;
		long r = is_write ? write_from_user(t, f, (uaddr_t)iov[i].iov_base, len, pos)
				  : read_to_user(t, f, (uaddr_t)iov[i].iov_base, len, pos);
		if (r < 0)
			return progress_end(t, done, r, false);	/* after some: short */
		done += r;
		if ((size_t)r < len)
			break;
	}
	return done;
}

/* readv, writev, preadv, pwritev, preadv2, pwritev2, in the order of
 * Linux's checks: the offset (-1 is the file position where `any_off`),
 * the fd, a position on a file that has none (ESPIPE), the fd's mode,
 * the vector, the range, and the flags only when there is something to
 * move. The flags hold for this call only. */
static long do_rwv(struct task *t, int fd, uaddr_t uiov, unsigned long cnt, int64_t off,
		   bool positioned, unsigned rwf, bool is_write)
{
	if (positioned && off < 0)
		return -EINVAL;
	struct file *f = fd_get(t, fd);
	if (!f)
		return -EBADF;
	struct iovec *iov = NULL;
	size_t total = 0;
	uint64_t pos = positioned ? (uint64_t)off : f->pos;
	unsigned saved = f->flags;
	long r;
	if (f->flags & O_PATH)
		r = -EBADF;
	else if (positioned && (!f->ops || !f->ops->seekable))
		r = -ESPIPE;
	else if (is_write ? !file_writable(f) : (f->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	else if ((r = import_iovec(t, uiov, cnt, &iov, &total)) || !total)
		;
	else if (f->ops && f->ops->seekable && pos + total > (uint64_t)INT64_MAX)
		r = -EINVAL;
	else if ((r = check_rwf(f, rwf, is_write)))
		;
	else {
		if (rwf & RWF_NOWAIT)
			f->flags |= O_NONBLOCK;
		if (is_write && (rwf & RWF_APPEND))
			f->flags |= O_APPEND;
		if (is_write && (rwf & RWF_NOAPPEND))
			f->flags &= ~O_APPEND;
		t->io_nosignal = rwf & RWF_NOSIGNAL;
		if (is_write && (r = file_write_limit(t, f, pos, total)) >= 0)
			total = r;	/* the vector is one write: cut where the limit is */
		if (r >= 0)
			r = rw_vector(t, f, iov, cnt, total, &pos, is_write);
		if (r > 0 && is_write && (rwf & (RWF_DSYNC | RWF_SYNC)) && f->ops->seekable) {
			long e = file_fsync(f, !(rwf & RWF_SYNC));
			r = e ? e : r;
		}
		t->io_nosignal = false;
		f->flags = saved;
		if (!positioned)
			f->pos = pos;
	}
	file_put(f);
	free(iov);
	return r;
}

long sys_readv(struct task *t, const struct sysargs *a)
{
	return do_rwv(t, (int)a->a[0], a->a[1], a->a[2], 0, false, 0, false);
}

long sys_writev(struct task *t, const struct sysargs *a)
{
	return do_rwv(t, (int)a->a[0], a->a[1], a->a[2], 0, false, 0, true);
}

/* The offset comes as two halves for 32-bit callers; on x86_64 the low
 * one holds it all (Linux's pos_from_hilo). */
long sys_preadv(struct task *t, const struct sysargs *a)
{
	return do_rwv(t, (int)a->a[0], a->a[1], a->a[2], (int64_t)a->a[3], true, 0, false);
}

long sys_pwritev(struct task *t, const struct sysargs *a)
{
	return do_rwv(t, (int)a->a[0], a->a[1], a->a[2], (int64_t)a->a[3], true, 0, true);
}

long sys_preadv2(struct task *t, const struct sysargs *a)
{
	int64_t off = (int64_t)a->a[3];
	return do_rwv(t, (int)a->a[0], a->a[1], a->a[2], off, off != -1, (unsigned)a->a[5], false);
}

long sys_pwritev2(struct task *t, const struct sysargs *a)
{
	int64_t off = (int64_t)a->a[3];
	return do_rwv(t, (int)a->a[0], a->a[1], a->a[2], off, off != -1, (unsigned)a->a[5], true);
}

long sys_lseek(struct task *t, const struct sysargs *a)
{
	int64_t off = (int64_t)a->a[1];
	int whence = (int)a->a[2];
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r;
	int64_t base = 0;
	struct kstat st;
	if (!f->ops || !f->ops->seekable) {
		r = -ESPIPE;
		goto out;
	}
	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->pos; break;
	case SEEK_END: case SEEK_DATA: case SEEK_HOLE:
		if ((r = file_stat(f, &st)))
			goto out;
		if (whence == SEEK_END) {
			base = st.size;
			break;
		}
		/* A file on a host fd (tmpfs's memfd, a host file) has the
		 * host's holes: ask it. */
		int hfd = f->inode && S_ISREG(f->inode->mode) ? file_host_fd(f) : -1;
		if (hfd >= 0) {
			off_t o = lseek(hfd, off, whence);
			r = o < 0 ? -errno : (long)(f->pos = o);
			goto out;
		}
		/* Otherwise the whole file is data. */
		if (off < 0 || (uint64_t)off >= st.size) {
			r = -ENXIO;
			goto out;
		}
		r = whence == SEEK_DATA ? off : (long)st.size;
		f->pos = r;
		goto out;
	default:
		r = -EINVAL;
		goto out;
	}
	if ((off > 0 && base > INT64_MAX - off) || base + off < 0) {
		r = -EINVAL;
		goto out;
	}
	f->pos = base + off;
	r = f->pos;
out:
	file_put(f);
	return r;
}

/* ---- directories ---- */

struct snap_ctx { struct file *f; size_t cap; };

static void snap_add(void *p, const char *name, uint64_t ino, unsigned type)
{
	struct snap_ctx *c = p;
	struct file *f = c->f;
	if (f->ndents == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 32;
		f->dents = xrealloc(f->dents, c->cap * sizeof(*f->dents));
	}
	f->dents[f->ndents++] = (struct dirent_snap){ xstrdup(name), ino, type };
}

/* Takes the listing at position 0: ".", "..", then the filesystem's. */
static int snapshot(struct file *f)
{
	for (size_t i = 0; i < f->ndents; i++)
		free(f->dents[i].name);
	f->ndents = 0;
	struct snap_ctx c = { f, 0 };
	free(f->dents);
	f->dents = NULL;
	struct inode *dir = f->path.dentry->inode;
	struct kstat st;
	inode_stat(dir, &st);
	snap_add(&c, ".", st.ino, DT_DIR);
	struct dentry *up = f->path.dentry->parent;
	if (!up && f->path.mnt->parent)
		up = f->path.mnt->mountpoint->parent ? f->path.mnt->mountpoint->parent : f->path.mnt->mountpoint;
	uint64_t upino = st.ino;
	if (up && inode_stat(up->inode, &st) == 0)
		upino = st.ino;
	snap_add(&c, "..", upino, DT_DIR);
	return dir->ops->readdir ? dir->ops->readdir(dir, snap_add, &c) : 0;
}

long sys_getdents64(struct task *t, const struct sysargs *a)
{
	struct file *f = fd_get(t, (int)a->a[0]);
	if (!f)
		return -EBADF;
	long r = 0;
	size_t cap = a->a[2], used = 0;
	if (!f->path.dentry || !S_ISDIR(f->path.dentry->inode->mode) || (f->flags & O_PATH)) {
		r = f->flags & O_PATH ? -EBADF : -ENOTDIR;
		goto out;
	}
	if (f->path.dentry->deleted) {
		r = -ENOENT;	/* as Linux says of a dead directory */
		goto out;
	}
	if (f->pos == 0 || !f->dents)
		if ((r = snapshot(f)))
			goto out;
	char *kbuf = xmalloc(MIN(cap, 65536) + 1);
	cap = MIN(cap, 65536);
	uint64_t start = f->pos;
	while (f->pos < f->ndents) {
		struct dirent_snap *d = &f->dents[f->pos];
		size_t namelen = strlen(d->name);
		size_t reclen = (19 + namelen + 1 + 7) & ~7UL;
		if (used + reclen > cap)
			break;
		char *rec = kbuf + used;
		memset(rec, 0, reclen);
		uint64_t ino = d->ino;
		int64_t off = f->pos + 1;
		uint16_t rl = reclen;
		memcpy(rec, &ino, 8);
		memcpy(rec + 8, &off, 8);
		memcpy(rec + 16, &rl, 2);
		rec[18] = d->type;
		memcpy(rec + 19, d->name, namelen);
		used += reclen;
		f->pos++;
	}
	if (used == 0 && f->pos < f->ndents)
		r = -EINVAL;
	else if (copy_to_user(t, a->a[1], kbuf, used)) {
		f->pos = start;
		r = -EFAULT;
	}
	else
		r = used;
	free(kbuf);
	if (r >= 0)
		fsnotify_path(f->path, IN_ACCESS);
out:
	file_put(f);
	return r;
}

/* Copies up to `count` bytes from `in` at *ipos to `out` at *opos
 * through a kernel buffer (sendfile, copy_file_range and splice all come
 * here). The positions move by what was written: input not written is
 * not consumed, and a pipe is only peeked at until the other end took
 * the bytes. Returns the bytes copied or the first error. */
static long copy_data(struct task *t, struct file *in, uint64_t *ipos, struct file *out, uint64_t *opos,
		      size_t count)
{
	bool from_pipe = file_is_pipe(in);
	long lim = file_write_limit(t, out, *opos, count);
	if (lim < 0)
		return lim;
	count = lim;
	char *buf = xmalloc(MIN(count, (size_t)IO_CHUNK) + 1);
	size_t done = 0;
	long r = 0;
	while (done < count) {
		size_t chunk = MIN(count - done, (size_t)IO_CHUNK);
		uint64_t p = *ipos;
		ssize_t n = from_pipe ? pipe_peek(in, buf, chunk) : file_read(in, buf, chunk, &p);
		if (n <= 0) {
			r = n;
			break;
		}
		ssize_t w = file_write(out, buf, n, opos);
		if (w <= 0) {
			r = w;
			break;
		}
		if (from_pipe)
			pipe_consume(in, w);
		*ipos += w;
		done += w;
		if (w < n || (size_t)n < chunk)
			break;
	}
	free(buf);
	return progress_end(t, done, r, false);	/* after some: a short copy */
}

/* An optional guest offset argument: read in, written back after. */
static int get_off(struct task *t, uaddr_t u, struct file *f, uint64_t *pos)
{
	int64_t off;
	if (!u) {
		*pos = f->pos;
		return 0;
	}
	if (copy_from_user(t, &off, u, sizeof(off)))
		return -EFAULT;
	if (off < 0)
		return -EINVAL;
	if (!f->ops || !f->ops->seekable)
		return -ESPIPE;
	*pos = off;
	return 0;
}

static int put_off(struct task *t, uaddr_t u, struct file *f, uint64_t pos)
{
	int64_t off = pos;
	if (!u) {
		f->pos = pos;
		return 0;
	}
	return copy_to_user(t, u, &off, sizeof(off));
}

long sys_sendfile(struct task *t, const struct sysargs *a)
{
	struct file *in = fd_get(t, (int)a->a[1]), *out = fd_get(t, (int)a->a[0]);
	size_t count = MIN(a->a[3], (uint64_t)0x7ffff000);
	uint64_t ipos;
	long r;
	if (!in || !out)
		r = -EBADF;
	else if (!file_writable(out) || (in->flags & O_ACCMODE) == O_WRONLY)
		r = -EBADF;
	else if (out->flags & O_APPEND)
		r = -EINVAL;
	else if (!(r = get_off(t, a->a[2], in, &ipos))) {
		r = copy_data(t, in, &ipos, out, &out->pos, count);
		if (put_off(t, a->a[2], in, ipos))
			r = -EFAULT;
	}
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

static bool is_regular(struct file *f)
{
	return f->inode && S_ISREG(f->inode->mode);
}

long sys_copy_file_range(struct task *t, const struct sysargs *a)
{
	struct file *in = fd_get(t, (int)a->a[0]), *out = fd_get(t, (int)a->a[2]);
	size_t count = MIN(a->a[4], (uint64_t)0x7ffff000);
	uint64_t ipos, opos;
	long r;
	if (!in || !out)
		r = -EBADF;
	else if (a->a[5])
		r = -EINVAL;
	else if ((in->flags & O_ACCMODE) == O_WRONLY || !file_writable(out) || (out->flags & O_APPEND))
		r = -EBADF;
	else if ((in->inode && S_ISDIR(in->inode->mode)) || (out->inode && S_ISDIR(out->inode->mode)))
		r = -EISDIR;
	else if (!is_regular(in) || !is_regular(out))
		r = -EINVAL;
	else if (!(r = get_off(t, a->a[1], in, &ipos)) && !(r = get_off(t, a->a[3], out, &opos))) {
		/* The same file's ranges must not overlap. */
		if (in->inode == out->inode && ipos < opos + count && opos < ipos + count)
			r = -EINVAL;
		else {
			r = copy_data(t, in, &ipos, out, &opos, count);
			if (put_off(t, a->a[1], in, ipos) || put_off(t, a->a[3], out, opos))
				r = -EFAULT;
		}
	}
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}

/* splice: one end must be a pipe. The bytes go through a kernel buffer
 * rather than moving pipe pages, which nobody can tell from outside. */
long sys_splice(struct task *t, const struct sysargs *a)
{
	struct file *in = fd_get(t, (int)a->a[0]), *out = fd_get(t, (int)a->a[2]);
	size_t count = MIN(a->a[4], (uint64_t)0x7ffff000);
	unsigned flags = (unsigned)a->a[5];
	uint64_t ipos, opos;
	long r;
	if (!in || !out)
		r = -EBADF;
	else if (flags & ~0xfU)
		r = -EINVAL;
	else if ((in->flags & O_ACCMODE) == O_WRONLY || !file_writable(out))
		r = -EBADF;
	else if (!file_is_pipe(in) && !file_is_pipe(out))
		r = -EINVAL;
	else if ((file_is_pipe(in) && a->a[1]) || (file_is_pipe(out) && a->a[3]))
		r = -ESPIPE;
	else if (out->flags & O_APPEND)
		r = -EINVAL;
	else if (!(r = get_off(t, a->a[1], in, &ipos)) && !(r = get_off(t, a->a[3], out, &opos))) {
		/* SPLICE_F_NONBLOCK: the pipe ends don't wait (the other may) */
		unsigned in_flags = in->flags, out_flags = out->flags;
		if (flags & SPLICE_F_NONBLOCK) {
			if (file_is_pipe(in))
				in->flags |= O_NONBLOCK;
			if (file_is_pipe(out))
				out->flags |= O_NONBLOCK;
		}
		r = count ? copy_data(t, in, &ipos, out, &opos, count) : 0;
		in->flags = in_flags;
		out->flags = out_flags;
		if (r >= 0 && (put_off(t, a->a[1], in, ipos) || put_off(t, a->a[3], out, opos)))
			r = -EFAULT;
	}
	if (in)
		file_put(in);
	if (out)
		file_put(out);
	return r;
}
