/* The data of a send or receive (an iterator over guest or kernel
 * iovecs), and control messages (man 7 unix, man 3 cmsg): SCM_RIGHTS
 * passes open files, SCM_CREDENTIALS a (pid, uid, gid). Parsing and
 * delivery follow Linux's net/core/scm.c: the same checks in the same
 * order, the same MSG_CTRUNC rules. */
#include "socket.h"
#include "uaccess.h"
#include <limits.h>

/* ---- the data iterator ---- */

void uio_init(struct uio *u, struct task *t, const struct iovec *iov, int cnt)
{
	*u = (struct uio){ .t = t, .iov = iov, .cnt = cnt };
	for (int i = 0; i < cnt; i++)
		u->left += iov[i].iov_len;
}

/* Moves n bytes between the iterator's memory and kernel buffer k. */
static int uio_move(struct uio *u, void *k, size_t n, bool to_iter)
{
	char *p = k;
	while (n && u->idx < u->cnt) {
		const struct iovec *v = &u->iov[u->idx];
		size_t c = MIN(n, v->iov_len - u->off);
		char *at = (char *)v->iov_base + u->off;
		if (c && !u->t)
			memcpy(to_iter ? at : p, to_iter ? p : at, c);
		else if (c && to_iter && copy_to_user(u->t, (uaddr_t)at, p, c))
			return -EFAULT;
		else if (c && !to_iter && copy_from_user(u->t, p, (uaddr_t)at, c))
			return -EFAULT;
		p += c;
		n -= c;
		u->left -= c;
		u->off += c;
		if (u->off == v->iov_len) {
			u->idx++;
			u->off = 0;
		}
	}
	return 0;
}

int uio_copy_from(struct uio *u, void *dst, size_t n) { return uio_move(u, dst, n, false); }
int uio_copy_to(struct uio *u, const void *src, size_t n) { return uio_move(u, (void *)src, n, true); }

void uio_skip(struct uio *u, size_t n)
{
	while (n && u->idx < u->cnt) {
		size_t c = MIN(n, u->iov[u->idx].iov_len - u->off);
		n -= c;
		u->left -= c;
		u->off += c;
		if (u->off == u->iov[u->idx].iov_len) {
			u->idx++;
			u->off = 0;
		}
	}
}

/* ---- credentials ---- */

struct linux_ucred cred_of_task(struct task *t, bool effective)
{
	struct process *p = t->proc;
	return (struct linux_ucred){ p->pid, effective ? p->euid : p->uid,
				     effective ? p->egid : p->gid };
}

/* Linux's scm_check_creds: a process may claim itself and ids it holds;
 * root (CAP_SYS_ADMIN, CAP_SETUID, CAP_SETGID) may claim anything. */
static int check_creds(struct task *t, const struct linux_ucred *c)
{
	struct process *p = t->proc;
	if (c->uid == (uint32_t)-1 || c->gid == (uint32_t)-1)
		return -EINVAL;
	bool root = p->euid == 0;
	bool pid_ok = c->pid == p->pid || root;
	bool uid_ok = c->uid == p->uid || c->uid == p->euid || c->uid == p->suid || root;
	bool gid_ok = c->gid == p->gid || c->gid == p->egid || c->gid == p->sgid || root;
	if (!(pid_ok && uid_ok && gid_ok))
		return -EPERM;
	return process_by_pid(c->pid) ? 0 : -ESRCH;
}

/* ---- sending ---- */

void scm_destroy(struct scm *scm)
{
	for (int i = 0; i < scm->nfp; i++)
		file_put(scm->fp[i]);
	free(scm->fp);
	scm->fp = NULL;
	scm->nfp = 0;
}

void scm_dup(struct scm *dst, const struct scm *src)
{
	*dst = *src;
	dst->fp = NULL;
	if (src->nfp) {
		dst->fp = xmalloc(src->nfp * sizeof(*dst->fp));
		for (int i = 0; i < src->nfp; i++)
			dst->fp[i] = file_get(src->fp[i]);
	}
}

/* SCM_RIGHTS: a reference to each file (O_PATH ones too, as fget_raw). */
static int fp_copy(struct task *t, const struct linux_cmsghdr *c, struct scm *scm)
{
	int num = (int)((c->len - sizeof(*c)) / sizeof(int));
	if (num <= 0)
		return 0;
	if (num > SCM_MAX_FD || scm->nfp + num > SCM_MAX_FD)
		return -EINVAL;
	const int *fds = (const int *)(c + 1);
	scm->fp = xrealloc(scm->fp, (scm->nfp + num) * sizeof(*scm->fp));
	for (int i = 0; i < num; i++) {
		struct file *f = fds[i] < 0 ? NULL : fd_get(t, fds[i]);
		if (!f)
			return -EBADF;
		scm->fp[scm->nfp++] = f;
	}
	return 0;
}

int cmsg_walk(const char *ctl, size_t len, int (*each)(const struct linux_cmsghdr *c, void *arg),
	      void *arg)
{
	size_t off = 0;
	while (len - off >= sizeof(struct linux_cmsghdr)) {
		struct linux_cmsghdr c;
		memcpy(&c, ctl + off, sizeof(c));
		/* Linux's CMSG_OK: at least a header, within the buffer. */
		if (c.len < sizeof(c) || c.len > len - off)
			return -EINVAL;
		int err = each((const struct linux_cmsghdr *)(ctl + off), arg);
		if (err)
			return err;
		off += LCMSG_ALIGN(c.len);
		if (off > len)
			break;
	}
	return 0;
}

struct scm_walk {
	struct task *t;
	struct scm *scm;
};

static int cmsg_one(const struct linux_cmsghdr *c, void *arg)
{
	struct task *t = ((struct scm_walk *)arg)->t;
	struct scm *scm = ((struct scm_walk *)arg)->scm;
	if (c->level != SOL_SOCKET)
		return 0;
	switch (c->type) {
	case SCM_RIGHTS:
		return fp_copy(t, c, scm);
	case SCM_CREDENTIALS: {
		if (c->len != LCMSG_LEN(sizeof(struct linux_ucred)))
			return -EINVAL;
		struct linux_ucred cr;
		memcpy(&cr, c + 1, sizeof(cr));
		int err = check_creds(t, &cr);
		if (err)
			return err;
		scm->has_creds = true;
		scm->creds = cr;
		return 0;
	}
	}
	return -EINVAL;
}

int scm_send(struct task *t, const char *ctl, size_t len, struct scm *scm)
{
	memset(scm, 0, sizeof(*scm));
	struct scm_walk w = { t, scm };
	int err = cmsg_walk(ctl, len, cmsg_one, &w);
	if (err)
		scm_destroy(scm);
	return err;
}

/* ---- receiving ---- */

struct cmsg_out {
	struct task *t;
	uaddr_t base;
	size_t len, used;
	int *flags;
};

/* Linux's put_cmsg: what fits, cut short with MSG_CTRUNC. */
static int put_cmsg(struct cmsg_out *o, int type, const void *data, size_t dlen)
{
	size_t room = o->len - o->used, cmlen = LCMSG_LEN(dlen);
	if (room < sizeof(struct linux_cmsghdr)) {
		*o->flags |= MSG_CTRUNC;
		return 0;
	}
	if (room < cmlen) {
		*o->flags |= MSG_CTRUNC;
		cmlen = room;
	}
	struct linux_cmsghdr h = { cmlen, SOL_SOCKET, type };
	uaddr_t at = o->base + o->used;
	if (copy_to_user(o->t, at, &h, sizeof(h)) ||
	    copy_to_user(o->t, at + sizeof(h), data, cmlen - sizeof(h)))
		return -EFAULT;
	o->used += MIN(LCMSG_SPACE(dlen), room);
	return 0;
}

/* Linux's scm_detach_fds: installs what fits in the buffer, in order,
 * until the fd table is full; the rest are dropped, with MSG_CTRUNC. */
static void detach_fds(struct cmsg_out *o, struct scm *scm, bool cloexec)
{
	size_t room = o->len - o->used;
	int fdmax = room <= sizeof(struct linux_cmsghdr) ? 0
		    : (int)MIN((room - sizeof(struct linux_cmsghdr)) / sizeof(int), (size_t)INT_MAX);
	fdmax = MIN(fdmax, scm->nfp);
	uaddr_t data = o->base + o->used + sizeof(struct linux_cmsghdr);
	int i;
	for (i = 0; i < fdmax; i++) {
		int fd = fd_install(o->t, file_get(scm->fp[i]), 0, cloexec);
		if (fd < 0) {
			file_put(scm->fp[i]);
			break;
		}
		if (copy_to_user(o->t, data + i * sizeof(int), &fd, sizeof(fd))) {
			fd_close(o->t, fd);
			break;
		}
	}
	if (i > 0) {
		struct linux_cmsghdr h = { LCMSG_LEN(i * sizeof(int)), SOL_SOCKET, SCM_RIGHTS };
		if (!copy_to_user(o->t, o->base + o->used, &h, sizeof(h)))
			o->used += MIN(LCMSG_SPACE(i * sizeof(int)), room);
	}
	if (i < scm->nfp)
		*o->flags |= MSG_CTRUNC;
}

void scm_recv(struct task *t, struct sock *sk, struct kmsg *m, uaddr_t ctl, size_t *ctllen)
{
	bool passcred = sk->flags & SKF_PASSCRED;
	if (m->no_cmsg) {
		if (passcred || m->scm.nfp)
			m->out_flags |= MSG_CTRUNC;
		scm_destroy(&m->scm);
		*ctllen = 0;
		return;
	}
	struct cmsg_out o = { t, ctl, *ctllen, 0, &m->out_flags };
	if (passcred) {
		/* A message sent before anyone asked carries none. */
		struct linux_ucred cr = m->scm.has_creds ? m->scm.creds
				       : (struct linux_ucred){ 0, 65534, 65534 };
		put_cmsg(&o, SCM_CREDENTIALS, &cr, sizeof(cr));
	}
	if (m->scm.nfp)
		detach_fds(&o, &m->scm, m->flags & MSG_CMSG_CLOEXEC);
	scm_destroy(&m->scm);
	*ctllen = o.used;
}
