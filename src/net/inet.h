/* What the host-socket families (inet.c: AF_INET, AF_INET6, route
 * netlink) share with the files that check what reaches their host
 * sockets: inet_opt.c (options) and inet_cmsg.c (control messages). */
#pragma once
#include "socket.h"

/* A setsockopt / getsockopt on host socket `fd` for `sk`'s guest: the
 * options on persona's lists only, their values copied and checked. */
long host_setsockopt(struct sock *sk, int fd, struct task *t, int level, int name, uaddr_t val,
		     int len);
long host_getsockopt(struct sock *sk, int fd, struct task *t, int level, int name, uaddr_t val,
		     uaddr_t ulen);

/* The control messages of a send on a host socket as they may go to the
 * host: *out (malloc'd, *outlen bytes; NULL if none) holds the allowed
 * ones, copied; or an error, Linux's for the first refused one. */
long host_cmsgs(struct sock *sk, const char *ctl, size_t len, char **out, size_t *outlen);

/* Whether IP options carry only those any process may send (inet_opt.c). */
bool ip_options_unprivileged(const unsigned char *p, int l);

/* The first line of a host file under /proc/sys (as `name`), or NULL
 * with buf empty if it cannot be read. */
char *host_sysctl(const char *name, char *buf, size_t n);
