/* Control messages of a send on an AF_INET / AF_INET6 host socket
 * (inet.c). The host reads them with persona's privileges, so only those
 * on the lists below go, each copied whole into a buffer of persona's
 * (their layout is the host's: x86_64 Linux), the host checking their
 * sizes and values as for anyone. What needs a capability over the
 * network gets Linux's answer to a process without it (SO_MARK,
 * SO_PRIORITY above 6, IPv6 extension headers: EPERM; privileged IP
 * options: EINVAL); a message of a level the socket reads but of a type
 * it does not know is EINVAL, as in Linux; and a message the socket
 * would ignore (another level; SCM_RIGHTS and SCM_CREDENTIALS, which
 * Linux ignores on these sockets) stays behind, so the host never sees
 * the guest's fd numbers. */
#include "inet.h"
#include <netinet/in.h>

#ifndef IP_PROTOCOL
#define IP_PROTOCOL 52
#endif
#ifndef IPV6_FLOWINFO
#define IPV6_FLOWINFO 11
#endif
#ifndef SOL_UDP
#define SOL_UDP 17
#endif
#define UDP_SEGMENT_ 103	/* linux/udp.h's UDP_SEGMENT */

enum { PASS = 1, SKIP = 2 };

struct host_ctl {
	struct sock *sk;
	char *out;
	size_t used;
};

/* A u32 value Linux wants exactly, as *v; false if the size is wrong. */
static bool u32_data(const struct linux_cmsghdr *c, uint32_t *v)
{
	if (c->len != LCMSG_LEN(sizeof(*v)))
		return false;
	memcpy(v, c + 1, sizeof(*v));
	return true;
}

/* Linux's __sock_cmsg_send, for every family. */
static int sol_socket(const struct linux_cmsghdr *c)
{
	uint32_t v;
	switch (c->type) {
	case SO_TIMESTAMPING_OLD: case SO_TIMESTAMPING_NEW: case SCM_TXTIME:
		return PASS;
	case SO_PRIORITY:	/* 0..6 without CAP_NET_ADMIN */
		if (!u32_data(c, &v))
			return -EINVAL;
		return v > 6 ? -EPERM : PASS;
	case SO_MARK:		/* CAP_NET_ADMIN */
		return u32_data(c, &v) ? -EPERM : -EINVAL;
	case SCM_RIGHTS: case SCM_CREDENTIALS:
		return SKIP;
	}
	return -EINVAL;
}

/* Linux's ip_cmsg_send. */
static int sol_ip(const struct linux_cmsghdr *c)
{
	switch (c->type) {
	case IP_PKTINFO: case IP_TTL: case IP_TOS: case IP_PROTOCOL:
		return PASS;
	case IP_RETOPTS: {
		size_t n = MIN(c->len - sizeof(*c), (size_t)40);
		return ip_options_unprivileged((const unsigned char *)(c + 1), (int)n) ? PASS
										       : -EINVAL;
	}
	}
	return -EINVAL;
}

/* Linux's ip6_datagram_send_ctl. */
static int sol_ipv6(const struct linux_cmsghdr *c)
{
	switch (c->type) {
	case IPV6_PKTINFO: case IPV6_2292PKTINFO: case IPV6_FLOWINFO: case IPV6_HOPLIMIT:
	case IPV6_2292HOPLIMIT: case IPV6_TCLASS: case IPV6_DONTFRAG:
		return PASS;
	case IPV6_HOPOPTS: case IPV6_2292HOPOPTS: case IPV6_DSTOPTS: case IPV6_2292DSTOPTS:
	case IPV6_RTHDRDSTOPTS:		/* extension headers: CAP_NET_RAW */
		return -EPERM;
	}
	return -EINVAL;
}

/* What becomes of one message on this socket: PASS, SKIP or an error. */
static int judge(struct sock *sk, const struct linux_cmsghdr *c)
{
	bool dgram = sk->type == SOCK_DGRAM;
	bool udp = dgram && (sk->protocol == 0 || sk->protocol == IPPROTO_UDP);
	if (c->level == SOL_SOCKET)
		return sol_socket(c);
	/* TCP reads SOL_SOCKET messages only */
	if (c->level == SOL_IP && dgram && sk->family == AF_INET)
		return sol_ip(c);
	if (c->level == SOL_IPV6 && dgram && sk->family == AF_INET6)
		return sol_ipv6(c);
	if (c->level == SOL_UDP && udp)
		return c->type == UDP_SEGMENT_ ? PASS : -EINVAL;
	return SKIP;
}

static int one(const struct linux_cmsghdr *c, void *arg)
{
	struct host_ctl *h = arg;
	int r = judge(h->sk, c);
	if (r < 0)
		return r;
	if (r == PASS) {
		memcpy(h->out + h->used, c, c->len);
		h->used += LCMSG_ALIGN(c->len);
	}
	return 0;
}

long host_cmsgs(struct sock *sk, const char *ctl, size_t len, char **out, size_t *outlen)
{
	/* each message kept takes its room in `ctl` at most, the last one
	 * with its alignment */
	struct host_ctl h = { sk, xzalloc(len + 8), 0 };
	int err = cmsg_walk(ctl, len, one, &h);
	if (err || !h.used) {
		free(h.out);
		h.out = NULL;
		h.used = 0;
	}
	*out = h.out;
	*outlen = h.used;
	return err;
}
