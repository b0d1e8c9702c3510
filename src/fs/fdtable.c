/* The fd table: a process's open files by number.
 *
 * As Linux's fdtable, a bitmap of open fds and a second one of the words
 * of the first that are full, with next_fd, below which every fd is open,
 * find the lowest free fd without looking at each open one: a new fd is
 * O(1) when fds are taken in order, and O(max / 4096) word reads in the
 * worst case, however many fds are open. The bitmaps also let the walks
 * over open fds (fork, exec, close_range, /proc/pid/fd) skip the holes. */
#include "vfs.h"

#define WORD_BITS 64

static unsigned long bit(int n) { return 1UL << (n % WORD_BITS); }
static int words(int nbits) { return (nbits + WORD_BITS - 1) / WORD_BITS; }

/* The first bit >= from that is set (want_set) or clear in map[0..nbits),
 * or nbits. */
static int next_bit(const unsigned long *map, int nbits, int from, bool want_set)
{
	for (int w = from / WORD_BITS; w < words(nbits); w++) {
		unsigned long v = want_set ? map[w] : ~map[w];
		if (w == from / WORD_BITS)
			v &= ~0UL << (from % WORD_BITS);
		if (v) {
			int n = w * WORD_BITS + __builtin_ctzl(v);
			return n < nbits ? n : nbits;
		}
	}
	return nbits;
}

struct files *files_new(void)
{
	struct files *fs = xzalloc(sizeof(*fs));
	fs->refs = 1;
	return fs;
}

int fd_next_open(struct files *fs, int from)
{
	return from >= fs->max ? fs->max : next_bit(fs->open_fds, fs->max, MAX(from, 0), true);
}

void files_put(struct files *fs)
{
	if (--fs->refs)
		return;
	locks_files_gone(fs);
	dnotify_files_gone(fs);
	for (int i = fd_next_open(fs, 0); i < fs->max; i = fd_next_open(fs, i + 1))
		file_put(fs->fd[i]);
	free(fs->fd);
	free(fs->fdflags);
	free(fs->open_fds);
	free(fs->full_words);
	free(fs);
}

struct file *fd_get_unpinned(struct task *t, int fd)
{
	struct files *fs = t->proc->files;
	if (fd < 0 || fd >= fs->max || !fs->fd[fd])
		return NULL;
	return file_get(fs->fd[fd]);
}

/* A call holds the files it looks up by number until it ends, as Linux's
 * fdget holds them across a wait: a read blocked in one thread goes on
 * with its file when another thread closes the fd (or puts another file
 * there), and a pipe keeps that reader. So the call's reruns find the
 * file its first run found. */
struct file *fd_get(struct task *t, int fd)
{
	bool mine = t == current;
	for (int i = 0; mine && i < t->fd_npins; i++)
		if (t->fd_pins[i].fd == fd)
			return file_get(t->fd_pins[i].file);
	struct file *f = fd_get_unpinned(t, fd);
	if (f && mine && t->fd_npins < (int)ARRAY_SIZE(t->fd_pins)) {
		t->fd_pins[t->fd_npins].fd = fd;
		t->fd_pins[t->fd_npins].file = file_get(f);
		t->fd_npins++;
	}
	return f;
}

void fd_unpin_all(struct task *t)
{
	while (t->fd_npins > 0) {
		t->fd_npins--;
		file_put(t->fd_pins[t->fd_npins].file);
	}
}

/* Makes room for fds below `want`: the size stays a multiple of the word,
 * and doubles, so growing is amortised O(1) per fd. */
static void files_grow(struct files *fs, int want)
{
	if (want <= fs->max)
		return;
	int n = words(MAX(want, MAX(WORD_BITS, fs->max * 2))) * WORD_BITS;
	fs->fd = xrealloc(fs->fd, n * sizeof(*fs->fd));
	fs->fdflags = xrealloc(fs->fdflags, n);
	memset(fs->fd + fs->max, 0, (n - fs->max) * sizeof(*fs->fd));
	memset(fs->fdflags + fs->max, 0, n - fs->max);
	int ow = words(fs->max), nw = words(n), ofw = words(ow), nfw = words(nw);
	fs->open_fds = xrealloc(fs->open_fds, nw * sizeof(long));
	memset(fs->open_fds + ow, 0, (nw - ow) * sizeof(long));
	fs->full_words = xrealloc(fs->full_words, nfw * sizeof(long));
	memset(fs->full_words + ofw, 0, (nfw - ofw) * sizeof(long));
	fs->max = n;
}

static void set_open(struct files *fs, int fd, struct file *f, bool cloexec)
{
	int w = fd / WORD_BITS;
	fs->fd[fd] = f;
	fs->fdflags[fd] = cloexec ? FD_CLOEXEC_BIT : 0;
	fs->open_fds[w] |= bit(fd);
	if (fs->open_fds[w] == ~0UL)
		fs->full_words[w / WORD_BITS] |= bit(w);
}

static struct file *clear_open(struct files *fs, int fd)
{
	int w = fd / WORD_BITS;
	struct file *f = fs->fd[fd];
	fs->fd[fd] = NULL;
	fs->fdflags[fd] = 0;
	fs->open_fds[w] &= ~bit(fd);
	fs->full_words[w / WORD_BITS] &= ~bit(w);
	if (fd < fs->next_fd)
		fs->next_fd = fd;
	return f;
}

/* The lowest free fd >= start (fs->max or more if none is allocated). */
static int find_free_fd(struct files *fs, int start)
{
	int w = start / WORD_BITS, nw = words(fs->max);
	if (w >= nw)
		return start;
	unsigned long free = ~fs->open_fds[w] & (~0UL << (start % WORD_BITS));
	if (free)
		return w * WORD_BITS + __builtin_ctzl(free);
	w = next_bit(fs->full_words, nw, w + 1, false);	/* the next word with room */
	if (w >= nw)
		return fs->max;
	return w * WORD_BITS + __builtin_ctzl(~fs->open_fds[w]);
}

static int nofile_limit(struct task *t)
{
	rlim_t lim = t->proc->rlim[RLIMIT_NOFILE].rlim_cur;
	return lim > 1 << 20 ? 1 << 20 : (int)lim;
}

/* An fd of `f` in table `fs` closed: the locks and the directory
 * notifications it held there end (Linux's filp_close). */
static void fd_released(struct files *fs, struct file *f)
{
	locks_close(fs, f);
	dnotify_close(fs, f);
}

int fd_install(struct task *t, struct file *f, int min, bool cloexec)
{
	struct files *fs = t->proc->files;
	int limit = nofile_limit(t);
	min = MAX(min, 0);
	if (min >= limit)
		return -EINVAL;
	int fd = find_free_fd(fs, MAX(min, fs->next_fd));
	if (fd >= limit)
		return -EMFILE;
	files_grow(fs, fd + 1);
	set_open(fs, fd, f, cloexec);
	if (min <= fs->next_fd)
		fs->next_fd = fd + 1;
	return fd;
}

int fd_install_at(struct task *t, struct file *f, int fd, bool cloexec)
{
	struct files *fs = t->proc->files;
	if (fd < 0 || fd >= nofile_limit(t))
		return -EBADF;
	files_grow(fs, fd + 1);
	struct file *old = fs->fd[fd];
	set_open(fs, fd, f, cloexec);
	if (old) {
		fd_released(fs, old);
		file_put(old);
	}
	return fd;
}

int fd_close(struct task *t, int fd)
{
	struct files *fs = t->proc->files;
	if (fd < 0 || fd >= fs->max || !fs->fd[fd])
		return -EBADF;
	struct file *f = clear_open(fs, fd);
	fd_released(fs, f);
	file_put(f);
	return 0;
}

/* A forked child's copy of the fd table: the same open files. */
struct files *files_dup(struct files *old)
{
	struct files *fs = files_new();
	files_grow(fs, old->max);
	for (int i = fd_next_open(old, 0); i < old->max; i = fd_next_open(old, i + 1))
		set_open(fs, i, file_get(old->fd[i]), old->fdflags[i] & FD_CLOEXEC_BIT);
	fs->next_fd = old->next_fd;
	return fs;
}

/* Closes the fds marked close-on-exec. */
void files_close_on_exec(struct files *fs)
{
	for (int i = fd_next_open(fs, 0); i < fs->max; i = fd_next_open(fs, i + 1))
		if (fs->fdflags[i] & FD_CLOEXEC_BIT) {
			struct file *f = clear_open(fs, i);
			fd_released(fs, f);
			file_put(f);
		}
}
