/* The share of persona's own host fd table that guest objects may hold
 * (fdbudget.c). */
#pragma once
#include <sys/resource.h>

struct process;
struct fd_account;

/* Sets the budget from persona's RLIMIT_NOFILE (at boot). */
void fdbudget_init(rlim_t nofile);
/* Charges one host fd about to be made for a guest object to the current
 * guest process: 0 and the account to hand back to fdbudget_uncharge when
 * the fd is closed, or -ENFILE. Outside a guest's call (boot), the fd is
 * persona's own: *acct is NULL and nothing is counted. */
int fdbudget_charge(struct fd_account **acct);
void fdbudget_uncharge(struct fd_account *acct);
/* The host call `call`, which makes an fd or fails with errno, made under
 * a charge: the fd, or -errno (-ENFILE when the budget says no). */
#define fdbudget_open(acct, call) \
	({ int e_ = fdbudget_charge(acct); e_ ? e_ : fdbudget_opened((call), *(acct)); })
int fdbudget_opened(int fd, struct fd_account *acct);
/* A process struct goes: its account lives on while fds charged to it do. */
void fdbudget_process_gone(struct process *p);
