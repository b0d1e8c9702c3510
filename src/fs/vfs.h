/* The virtual filesystem: inodes, dentries, mounts, open files.
 *
 * A dentry is a name in a directory, held while something uses it (an open
 * file, a cwd, a mount, a child dentry); unused dentries are freed at once,
 * and filesystems keep whatever they must remember themselves (tmpfs keeps
 * its tree, hostfs asks the host again). A path is (mount, dentry). */
#pragma once
#include "common.h"
#include "task.h"
#include <sys/stat.h>
#include <time.h>

struct inode;
struct poll_table;
struct dentry;
struct mount;
struct file;
struct super_block;
struct iovec;
struct statfs;


/* What stat reports; filled by the filesystem's getattr. */
struct kstat {
	uint64_t dev, ino, nlink, rdev, size, blocks;
	uint32_t mode, uid, gid, blksize;
	struct timespec atime, mtime, ctime, btime;
};

/* A change of attributes (chmod, chown, truncate, utimes). */
enum { ATTR_MODE = 1, ATTR_UID = 2, ATTR_GID = 4, ATTR_SIZE = 8,
       ATTR_ATIME = 16, ATTR_MTIME = 32, ATTR_CTIME = 64 };
struct iattr {
	unsigned valid;
	uint32_t mode, uid, gid;
	uint64_t size;
	struct timespec atime, mtime;
};

typedef void (*readdir_emit)(void *ctx, const char *name, uint64_t ino, unsigned dtype);

struct inode_ops {
	int (*lookup)(struct inode *dir, const char *name, struct inode **res);
	/* Regular files, FIFOs, sockets and device nodes. */
	int (*create)(struct inode *dir, const char *name, uint32_t mode, uint64_t rdev,
		      struct inode **res);
	int (*mkdir)(struct inode *dir, const char *name, uint32_t mode);
	int (*symlink)(struct inode *dir, const char *name, const char *target);
	int (*link)(struct inode *old, struct inode *dir, const char *name);
	int (*unlink)(struct inode *dir, const char *name, struct inode *victim);
	int (*rmdir)(struct inode *dir, const char *name, struct inode *victim);
	int (*rename)(struct inode *odir, const char *oname, struct inode *ndir,
		      const char *nname, unsigned flags);
	int (*readlink)(struct inode *i, char *buf, size_t len);
	/* "Magic" links (/proc/self/exe): following jumps to a path. */
	int (*jump)(struct inode *i, struct path *out);
	int (*getattr)(struct inode *i, struct kstat *st);
	int (*setattr)(struct inode *i, const struct iattr *ia);
	int (*readdir)(struct inode *dir, readdir_emit emit, void *ctx);
	/* Fills f->ops and f->priv; f->flags holds the open flags. */
	int (*open)(struct inode *i, struct file *f);
	void (*destroy)(struct inode *i);
	/* Extended attributes, after xattr.c checked the name, the size and
	 * the caller's permission. get and list with size 0 give the size
	 * needed, and -ERANGE when it is more than size. No op: EOPNOTSUPP. */
	ssize_t (*getxattr)(struct inode *i, const char *name, void *buf, size_t size);
	int (*setxattr)(struct inode *i, const char *name, const void *value, size_t size, int flags);
	ssize_t (*listxattr)(struct inode *i, char *buf, size_t size);
	int (*removexattr)(struct inode *i, const char *name);
};

struct file_ops {
	/* Both take kernel buffers; *pos is the file position to use. */
	ssize_t (*read)(struct file *f, char *buf, size_t n, uint64_t *pos);
	ssize_t (*write)(struct file *f, const char *buf, size_t n, uint64_t *pos);
	long (*ioctl)(struct file *f, struct task *t, unsigned long cmd, uint64_t arg);
	/* A host fd of the contents, for mmap (tmpfs memfd, hostfs fd). */
	int (*host_fd)(struct file *f);
	/* Stat of an open file whose inode does not know it (host stdio). */
	int (*getattr)(struct file *f, struct kstat *st);
	int (*truncate)(struct file *f, uint64_t size);
	/* fallocate(2) of a regular file, mode and range already checked
	 * (sys_fallocate); no op: EOPNOTSUPP. */
	int (*fallocate)(struct file *f, int mode, uint64_t off, uint64_t len);
	void (*release)(struct file *f);
	/* Readiness (POLLIN, POLLOUT, ...). With `pt`, the file also calls
	 * poll_wait() for each wait queue a change would be announced on, as
	 * in Linux. NULL means always ready for reading and writing. */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	bool seekable;		/* lseek works (else ESPIPE) */
	/* Files of no filesystem: their name in /proc/<pid>/fd links, as
	 * Linux's anon_inodefs has them ("[eventfd]"). */
	const char *anon_name;
	/* Or a name of their own ("socket:[INO]"), which the caller frees. */
	char *(*link_name)(struct file *f);
	/* Files that move data to and from guest memory themselves, a whole
	 * vector at once (a socket's writev is one datagram): read, write,
	 * readv and writev call this instead of .read and .write. */
	long (*rw_iov)(struct file *f, struct task *t, const struct iovec *iov, int cnt,
		       bool write);
};

/* Registers the polling task on `q`; see file_ops.poll. A key (poll
 * events) makes it wait only for wakes that announce one of them. */
struct poll_table { struct task *task; unsigned key; };
struct waitq;
void poll_wait(struct poll_table *pt, struct waitq *q);
/* poll() of any file. */
unsigned file_poll(struct file *f, struct poll_table *pt);
/* Readiness of a host fd as the host's poll says (host stdio, host
 * sockets). A poller that will wait joins the loop's watch on the fd for
 * what is not ready yet (never for what is: that watch would fire at
 * once, again and again). */
unsigned hostfd_poll(int fd, struct poll_table *pt);
/* The file is closed for good: epoll instances forget it. */
void eventpoll_release(struct file *f);

struct super_block {
	const char *type;	/* "tmpfs", "proc", ... as /proc/mounts says */
	uint64_t dev;
	bool readonly;
	/* Device nodes here don't open (EACCES), as on a nodev mount: the
	 * host directories, so that no host device is reached through them. */
	bool nodev;
	void *priv;
};

struct pipe;
struct inode {
	int refs;
	struct pipe *fifo;	/* a named pipe's buffer while it is open */
	uint32_t mode;		/* S_IFMT bits at least */
	uint64_t ino;
	struct super_block *sb;
	const struct inode_ops *ops;
	void *priv;
};

struct dentry {
	int refs;
	char *name;
	struct dentry *parent;	/* holds a reference; NULL at an fs root */
	struct inode *inode;
	struct list_head children, sibling;
	int mounted;		/* how many mounts sit on it */
	bool deleted;		/* unlinked: " (deleted)" in /proc links */
};

struct mount {
	struct mount *parent;	/* NULL for the root mount */
	struct dentry *mountpoint, *root;
	struct super_block *sb;
	bool readonly;
	char *source;
	int id;
	struct list_head node;
};

struct dirent_snap { char *name; uint64_t ino; unsigned char type; };

struct file {
	int refs;
	struct path path;
	struct inode *inode;
	const struct file_ops *ops;
	unsigned flags;		/* O_ACCMODE, O_APPEND, O_NONBLOCK, ... */
	uint64_t pos;
	void *priv;
	struct dirent_snap *dents;	/* directory listing, taken at pos 0 */
	size_t ndents;
	struct list_head *epoll_links;	/* epoll entries on this file (epoll.c) */
	int owner;		/* F_SETOWN: a pid, or minus a process group */
	unsigned owner_uid, owner_euid;	/* of who set it: SIGIO's permission */
	int sig;		/* F_SETSIG: the signal for it, 0 for SIGIO */
	bool notify_close;	/* opened by open(2): its close is an event */
};

struct fs_context {
	int refs;
	struct path root, cwd;
	uint32_t umask;
};

#define FD_CLOEXEC_BIT 1
struct files {
	int refs;
	int max;		/* slots allocated, a multiple of 64 */
	int next_fd;		/* every fd below it is open */
	struct file **fd;
	unsigned char *fdflags;
	unsigned long *open_fds;	/* a bit per fd: open */
	unsigned long *full_words;	/* a bit per word of open_fds: all open */
};

/* Inodes and dentries. */
struct inode *inode_new(struct super_block *sb, const struct inode_ops *ops, uint32_t mode, uint64_t ino);
struct inode *inode_get(struct inode *i);
void inode_put(struct inode *i);
int inode_stat(struct inode *i, struct kstat *st);
struct dentry *dentry_get(struct dentry *d);
void dentry_put(struct dentry *d);
struct dentry *dentry_new_root(struct inode *i);
struct path path_get(struct path p);
void path_put(struct path *p);
bool path_equal(struct path a, struct path b);
/* The guest-visible absolute path of p relative to root; free the result. */
char *d_path(struct path p, struct path root);
/* The same, or NULL if it is longer than PATH_MAX with its NUL. */
char *d_path_max(struct path p, struct path root);

/* Mounts. */
struct super_block *sb_new(const char *type);
struct mount *mount_add(struct path where, struct inode *root, struct super_block *sb,
			bool readonly, const char *source);
void mounts_show(struct sbuf *out, struct path root);
struct mount *mount_internal(struct inode *root, const char *source);

/* Path lookup. */
enum { LOOKUP_FOLLOW = 1, LOOKUP_DIRECTORY = 2, LOOKUP_EMPTY = 4, LOOKUP_NOAUTOMOUNT = 8,
       /* openat2's RESOLVE_* restrictions, for the whole walk (symlinks
	* included): no mount crossing (EXDEV), no /proc magic links (ELOOP),
	* no symlinks at all (ELOOP), nothing outside the starting directory
	* (EXDEV), or that directory taken as the root. */
       LOOKUP_NO_XDEV = 16, LOOKUP_NO_MAGICLINKS = 32, LOOKUP_NO_SYMLINKS = 64,
       LOOKUP_BENEATH = 128, LOOKUP_IN_ROOT = 256 };
#define LOOKUP_SCOPED (LOOKUP_BENEATH | LOOKUP_IN_ROOT)
#define LOOKUP_RESOLVE (LOOKUP_NO_XDEV | LOOKUP_NO_MAGICLINKS | LOOKUP_NO_SYMLINKS | LOOKUP_SCOPED)
int path_lookup(struct task *t, int dirfd, const char *name, int flags, struct path *out);
/* Finds the parent of the last component; *last points into a copy the
 * caller frees with free(*buf). Fails on "" or a path ending in "." or "..". */
int path_parent(struct task *t, int dirfd, const char *name, struct path *parent,
		char **last, char **buf);
/* path_lookup of a name in guest memory. */
int user_path_at(struct task *t, int dirfd, uaddr_t uname, int flags, struct path *out);
/* The same, walking relative names from `base` (not from a dirfd). */
int path_lookup_at(struct task *t, struct path base, const char *name, int flags, struct path *out);
int path_parent_at(struct task *t, struct path base, const char *name, int flags, struct path *parent,
		   char **last, char **buf);
/* Where a relative name given with `dirfd` starts (a reference). */
int lookup_base(struct task *t, int dirfd, const char *name, struct path *base);
/* Looks `name` up in directory `dir`; -ENOENT if absent. */
int lookup_one(struct path dir, const char *name, struct path *out);

/* Opening and open files. */
struct file *file_open_path(struct path p, unsigned flags, int *err);
/* openat2: do_open with LOOKUP_RESOLVE restrictions on the walk. */
int do_open_resolve(struct task *t, int dirfd, const char *name, unsigned flags, uint32_t mode,
		    int resolve, struct file **out);
int do_open(struct task *t, int dirfd, const char *name, unsigned flags, uint32_t mode,
	    struct file **out);
struct file *file_get(struct file *f);
void file_put(struct file *f);
struct file *file_alloc(void);
int file_host_fd(struct file *f);
int file_check_mmap(struct file *f, int prot, int flags);
bool file_writable(struct file *f);
void file_describe(struct file *f, uint64_t *dev, uint64_t *ino, char **name);
ssize_t file_read(struct file *f, char *buf, size_t n, uint64_t *pos);
ssize_t file_write(struct file *f, const char *buf, size_t n, uint64_t *pos);
int file_stat(struct file *f, struct kstat *st);
/* fsync(2)'s work on an open file. */
long file_fsync(struct file *f, bool data_only);
/* RLIMIT_FSIZE: how much of a write of n at pos may be done (or -EFBIG,
 * with SIGXFSZ sent); whether a file may be truncated to size. */
long file_write_limit(struct task *t, struct file *f, uint64_t pos, size_t n);
int file_size_limit(struct task *t, uint64_t size);

/* The fd table. */
struct files *files_new(void);
void files_put(struct files *fs);
struct file *fd_get(struct task *t, int fd);	/* a reference, or NULL */
/* As fd_get, but the file is looked up anew on each run of the call:
 * poll and select, which Linux also look up on each pass. */
struct file *fd_get_unpinned(struct task *t, int fd);
/* The call ended: the files it held by number go (fd_get). */
void fd_unpin_all(struct task *t);
int fd_install(struct task *t, struct file *f, int min, bool cloexec);
int fd_install_at(struct task *t, struct file *f, int fd, bool cloexec);
int fd_close(struct task *t, int fd);
/* The lowest open fd >= from, or fs->max if there is none. */
int fd_next_open(struct files *fs, int from);

/* Advisory locks (locks.c): fcntl's lock commands; the releases that
 * closing an fd (POSIX locks of that fd table on the file), the end of an
 * fd table, and the last reference to an open file (OFD and flock locks)
 * make. */
long fcntl_lock(struct task *t, struct file *f, int cmd, uaddr_t arg);
void locks_close(struct files *fs, struct file *f);
void locks_files_gone(struct files *fs);
void locks_file_gone(struct file *f);

/* Directory notification (dnotify.c): fcntl F_NOTIFY; the releases an
 * fd's close and the end of an fd table make; and the events the VFS
 * reports after a change (DN_CREATE, DN_DELETE, DN_RENAME in directory
 * `dir`; DN_ACCESS, DN_MODIFY, DN_ATTRIB of the file at a path, to its
 * directory). */
long dnotify_fcntl(struct task *t, int fd, struct file *f, unsigned long arg);
/* F_SETOWN's work (sys_fd.c): `who` a pid, minus a group, or 0. */
long set_owner(struct task *t, struct file *f, int who);
void dnotify_close(struct files *fs, struct file *f);
void dnotify_files_gone(struct files *fs);
void dnotify_event(struct inode *dir, unsigned event);
void dnotify_path_event(struct path p, unsigned event);

/* Change notification (fsnotify.c): the VFS reports each change once,
 * as an inotify IN_* mask, and dnotify and inotify hear of it. */
/* An event on the object at p (IN_ACCESS, IN_MODIFY, IN_ATTRIB, ...),
 * for watchers of it and of its directory. */
void fsnotify_path(struct path p, uint32_t mask);
/* The IN_* mask of a change of attributes (ATTR_* bits). */
uint32_t fsnotify_attr_mask(unsigned valid);
/* An open (IN_OPEN) and the last close of that open file. */
void fsnotify_open(struct file *f);
void fsnotify_close(struct file *f);
/* A new name in dir; a new link to obj. */
void fsnotify_create(struct inode *dir, const char *name, bool is_dir);
void fsnotify_link(struct inode *dir, const char *name, struct inode *obj);
/* An object that loses a name, taken before it does (it may be gone
 * after); then its unlink or rmdir, or a rename (which may replace one). */
struct fsn_victim { bool known; struct kstat st; struct inode *inode; };
void fsnotify_victim(struct inode *i, struct fsn_victim *v);
void fsnotify_delete(struct inode *dir, const char *name, struct fsn_victim *v);
void fsnotify_move(struct inode *od, const char *oname, struct inode *nd, const char *nname,
		   struct fsn_victim *moved, struct fsn_victim *replaced);

struct fs_context *fs_context_new(struct path root);
void fs_context_put(struct fs_context *fs);

/* Permission check on an inode for the calling task (MAY_READ etc.). */
enum { MAY_EXEC = 1, MAY_WRITE = 2, MAY_READ = 4 };
int inode_permission(struct inode *i, int mask);
/* Whether the path's mount and filesystem accept writes. */
int path_may_write(struct path p);
/* Whether a new name `last` may be made in directory `parent` (mkdir,
 * mknod, link, symlink, AF_UNIX bind): -EEXIST if it exists. A trailing
 * slash asks for a directory, so only mkdir may pass one as false. */
int may_create(struct path parent, const char *last, bool trailing_slash);

/* The in-memory store of extended attributes (tmpfs), a list of them. */
ssize_t xattrs_get(struct list_head *xs, const char *name, void *buf, size_t size);
int xattrs_set(struct list_head *xs, const char *name, const void *value, size_t size, int flags);
int xattrs_remove(struct list_head *xs, const char *name);
ssize_t xattrs_list(struct list_head *xs, char *buf, size_t size);
void xattrs_free(struct list_head *xs);

/* Filesystems. */
struct inode *hostfs_root(const char *host_dir, bool readonly, int *err);
int hostfs_statfs(struct inode *i, struct statfs *out);
/* A tmpfs of `size` bytes; 0 for the default, half of the machine's
 * memory, as Linux's. */
struct inode *tmpfs_new_root(uint32_t mode, uint64_t size);
uint64_t tmpfs_default_size(void);
/* statfs's blocks of a tmpfs (false if `i` is not one). */
bool tmpfs_statfs(struct inode *i, struct statfs *out);
struct inode *overlay_new_root(struct inode *lower, struct inode *upper);
struct inode *devfs_new_root(void);
struct inode *procfs_new_root(void);
int procfs_dir_pid(struct inode *i);
/* A file on a host fd (the console, persona's own stdio). */
struct file *hostfile_new(int host_fd, unsigned flags);
/* Opens a character device by number; fills f->ops. */
int chrdev_open(uint64_t rdev, struct file *f);
bool tmpfs_is_whiteout(struct inode *i);
/* memfd_create's file, and fcntl's F_ADD_SEALS/F_GET_SEALS on it. */
struct file *memfd_new(const char *name, unsigned flags, int *err);
/* An unlinked tmpfs file, opened O_RDWR, whose path /proc shows as
 * "/LABEL (deleted)" (memfd, System V shared memory). */
struct file *tmpfs_anon_new(const char *label, uint32_t mode, int *err);
long tmpfs_seals(struct file *f, int cmd, unsigned arg);
bool tmpfs_is_opaque(struct inode *i);
void tmpfs_set_opaque(struct inode *i);

/* The root filesystem set up at boot. */
extern struct path fs_root;

/* Dentry cache internals shared by namei.c and the syscalls. */
struct dentry *dentry_child(struct dentry *parent, const char *name, struct inode *inode);
struct dentry *dentry_lookup_cached(struct dentry *parent, const char *name);
void dentry_delete(struct dentry *d);
struct mount *mount_lookup(struct mount *mnt, struct dentry *d);
void dentry_move(struct dentry *d, struct dentry *parent, const char *name);
bool dentry_is_ancestor(struct dentry *anc, struct dentry *d);
/* /dev/tty and /dev/console: the terminal persona runs on. */
int console_open(struct file *f);
/* The device number of persona's terminal, 0 if it has none. */
uint64_t console_rdev(void);
/* Whether the console is the controlling terminal of `p`'s session. */
bool console_is_ctty(struct process *p);
/* The console's foreground process group. */
extern int console_fg_pgrp;
/* A host stat as the guest's stat shows it. */
void kstat_from_host(struct kstat *k, const struct stat *st);
/* What /proc/<pid>/fd/<n> says for an open file. */
char *file_link_name(struct file *f);
struct files *files_dup(struct files *old);
void files_close_on_exec(struct files *fs);
struct fs_context *fs_context_dup(struct fs_context *old);
