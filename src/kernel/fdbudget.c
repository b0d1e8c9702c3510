/* Host fds held for guest objects: hostfs inodes (an O_PATH fd each) and
 * open hostfs files, tmpfs file data (a memfd each), inet and netlink
 * sockets, console opens. They all live in persona's one host fd table,
 * so without a budget one guest process could fill it and every other
 * guest's open, socket and exec would fail, and persona's own (the
 * control channel of a new guest process, /proc reads) with them.
 *
 * Two rules, both answered with ENFILE ("the system's file table is
 * full": the guest's own RLIMIT_NOFILE, which getrlimit reports, is not
 * what ran out, so EMFILE would mislead it):
 *  - a reserve for persona itself: a tenth of its RLIMIT_NOFILE, and at
 *    least 256 fds (half of a tiny limit), is never given to guests;
 *  - a share per guest process: a process may hold at most half of what
 *    the other guest processes leave of the budget. One process alone
 *    gets half of it, a second one half of the rest, and whoever comes
 *    next always finds room for a few fds. Half is the simplest share
 *    that needs no knowledge of how many processes will come.
 * Charges stay with the process that made the object (as Linux charges a
 * user for its pipes and locked memory), even when the object is passed
 * on by fork or SCM_RIGHTS, until the fd is closed. */
#include "fdbudget.h"
#include "task.h"
#include <errno.h>
#include <limits.h>

struct fd_account {
	long held;		/* host fds charged to the process */
	bool orphan;		/* the process is gone: free at held == 0 */
};

static long budget, used;

void fdbudget_init(rlim_t nofile)
{
	long lim = nofile > INT_MAX ? INT_MAX : (long)nofile;
	long reserve = MAX(lim / 10, MIN(256, lim / 2));
	budget = lim - reserve;
}

int fdbudget_charge(struct fd_account **acct)
{
	*acct = NULL;
	if (!current)
		return 0;
	struct process *p = current->proc;
	long held = p->fd_account ? p->fd_account->held : 0;
	long left = budget - (used - held);	/* what the others leave */
	if (used >= budget || held >= left / 2)
		return -ENFILE;
	if (!p->fd_account)
		p->fd_account = xzalloc(sizeof(*p->fd_account));
	p->fd_account->held++;
	used++;
	*acct = p->fd_account;
	return 0;
}

void fdbudget_uncharge(struct fd_account *a)
{
	if (!a)
		return;
	used--;
	if (--a->held == 0 && a->orphan)
		free(a);
}

int fdbudget_opened(int fd, struct fd_account *acct)
{
	if (fd >= 0)
		return fd;
	int e = errno;
	fdbudget_uncharge(acct);
	return -e;
}

void fdbudget_process_gone(struct process *p)
{
	struct fd_account *a = p->fd_account;
	p->fd_account = NULL;
	if (a && a->held)
		a->orphan = true;
	else
		free(a);
}
