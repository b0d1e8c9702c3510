/* The socket structures of the x86_64 Linux ABI (linux/socket.h,
 * linux/un.h, asm-generic/socket.h), written out so no host libc layout
 * leaks into what the guest sees. The constants (AF_*, SOCK_*, MSG_*,
 * SO_*) are ABI numbers and come from the host's headers. */
#pragma once
#include <stdint.h>
#include <sys/socket.h>

#define LINUX_AF_MAX	46	/* NPROTO in Linux 6.x: AF_MCTP is 45 */
#define LINUX_SOCK_MAX	11	/* SOCK_PACKET + 1 */
#define SOCK_TYPE_MASK	0xf
#define UIO_MAXIOV	1024
#define SCM_MAX_FD	253
#define LINUX_SOMAXCONN	4096	/* net.core.somaxconn */
#define MAX_RW_COUNT	(INT32_MAX & ~4095L)

#ifndef MSG_CMSG_COMPAT
#define MSG_CMSG_COMPAT	0x80000000	/* the 32-bit calls' own flag */
#endif
#ifndef SO_RCVTIMEO_OLD
#define SO_RCVTIMEO_OLD	20
#define SO_SNDTIMEO_OLD	21
#endif
#ifndef SO_RCVTIMEO_NEW
#define SO_RCVTIMEO_NEW	66
#define SO_SNDTIMEO_NEW	67
#endif

struct linux_sockaddr_storage {
	uint16_t family;
	char data[126];
} __attribute__((aligned(8)));
_Static_assert(sizeof(struct linux_sockaddr_storage) == 128, "sockaddr_storage is 128 bytes");

#define SUN_PATH_OFFSET	2	/* offsetof(struct sockaddr_un, sun_path) */
#define SUN_LEN_MAX	110	/* sizeof(struct sockaddr_un) */

/* struct user_msghdr */
struct linux_msghdr {
	uint64_t name;
	int32_t namelen;
	uint32_t pad0;
	uint64_t iov;
	uint64_t iovlen;
	uint64_t control;
	uint64_t controllen;
	uint32_t flags;
	uint32_t pad1;
};
_Static_assert(sizeof(struct linux_msghdr) == 56, "x86_64 msghdr is 56 bytes");

struct linux_mmsghdr {
	struct linux_msghdr hdr;
	uint32_t len;
	uint32_t pad;
};
_Static_assert(sizeof(struct linux_mmsghdr) == 64, "x86_64 mmsghdr is 64 bytes");

struct linux_cmsghdr {
	uint64_t len;
	int32_t level;
	int32_t type;
};
_Static_assert(sizeof(struct linux_cmsghdr) == 16, "x86_64 cmsghdr is 16 bytes");

#define LCMSG_ALIGN(n)	(((n) + 7) & ~(size_t)7)
#define LCMSG_LEN(n)	(sizeof(struct linux_cmsghdr) + (n))
#define LCMSG_SPACE(n)	(sizeof(struct linux_cmsghdr) + LCMSG_ALIGN(n))

struct linux_ucred { int32_t pid; uint32_t uid, gid; };
struct linux_linger { int32_t onoff, linger; };
struct linux_timeval { int64_t sec, usec; };
