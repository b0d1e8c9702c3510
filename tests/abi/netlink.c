/* netlink: route netlink sockets (man 7 netlink, man 7 rtnetlink) as a
 * program reads the network with them: the loopback interface and its
 * address by dumps, by if_nametoindex and by getifaddrs; an error reply;
 * addresses, truncation, bad pointers, bad types and protocols. Only what
 * every Linux network namespace has is printed (lo is index 1 with
 * 127.0.0.1), never the host's other interfaces. Requests that would
 * change the network are not sent here: the native run would change the
 * host's (tests/e2e/containment.sh checks that persona refuses them). */
#include "abi.h"
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static char buf[65536];

static int nl_open(void)
{
	int fd;
	MUST(fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
	return fd;
}

/* Sends a request of `type` with a body, NLM_F_REQUEST and `flags`. */
static long nl_request(int fd, int type, int flags, const void *body, size_t len)
{
	struct {
		struct nlmsghdr h;
		char body[64];
	} req = { 0 };
	req.h.nlmsg_len = NLMSG_LENGTH(len);
	req.h.nlmsg_type = type;
	req.h.nlmsg_flags = NLM_F_REQUEST | flags;
	req.h.nlmsg_seq = 7;
	memcpy(req.body, body, len);
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	return sendto(fd, &req, req.h.nlmsg_len, 0, (struct sockaddr *)&kernel, sizeof(kernel));
}

/* Reads a dump to its NLMSG_DONE, calling `each` for every message. */
static int read_dump(int fd, void (*each)(struct nlmsghdr *h))
{
	int parts = 0;
	for (;;) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		if (n <= 0)
			return -1;
		for (struct nlmsghdr *h = (void *)buf; NLMSG_OK(h, n); h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return parts;
			if (h->nlmsg_type == NLMSG_ERROR)
				return -1;
			parts++;
			each(h);
		}
	}
}

static int lo_index = -1, lo_loopback = -1, lo_has_127 = 0, seq_ok = 1;

static void each_link(struct nlmsghdr *h)
{
	struct ifinfomsg *ifi = NLMSG_DATA(h);
	int len = IFLA_PAYLOAD(h);
	seq_ok &= h->nlmsg_seq == 7;
	for (struct rtattr *a = IFLA_RTA(ifi); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFLA_IFNAME && strcmp(RTA_DATA(a), "lo") == 0) {
			lo_index = ifi->ifi_index;
			lo_loopback = !!(ifi->ifi_flags & IFF_LOOPBACK);
		}
}

static void each_addr(struct nlmsghdr *h)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = IFA_PAYLOAD(h);
	for (struct rtattr *a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len))
		if (a->rta_type == IFA_LOCAL && ifa->ifa_family == AF_INET &&
		    *(uint32_t *)RTA_DATA(a) == htonl(INADDR_LOOPBACK))
			lo_has_127 = ifa->ifa_index == 1;
}

static void sockets(void)
{
	SECTION("sockets");
	int fd = T(socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE));
	T(close(fd));
	fd = T(socket(AF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK, NETLINK_ROUTE));
	T(close(fd));
	T(socket(AF_NETLINK, SOCK_STREAM, NETLINK_ROUTE));
	T(socket(AF_NETLINK, SOCK_RAW, 99));
	int sv[2];
	T(socketpair(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE, sv));

	SECTION("bind and names");
	fd = nl_open();
	struct sockaddr_nl me = { .nl_family = AF_NETLINK };
	T(bind(fd, (struct sockaddr *)&me, sizeof(me)));
	socklen_t len = sizeof(me);
	memset(&me, 0, sizeof(me));
	T(getsockname(fd, (struct sockaddr *)&me, &len));
	P("name", "len %u family %d port set %d groups %u", len, me.nl_family, me.nl_pid != 0,
	  me.nl_groups);
	T(bind(fd, (struct sockaddr *)&me, 4));
	T(getsockname(fd, BADP, &len));
	T(close(fd));
}

static void dumps(void)
{
	SECTION("dumps");
	int fd = nl_open();
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };
	T(nl_request(fd, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi)));
	P("links", "%d", read_dump(fd, each_link) > 0);
	P("lo", "index %d loopback %d, replies carry the request's seq %d", lo_index,
	  lo_loopback, seq_ok);
	struct ifaddrmsg ifa = { .ifa_family = AF_INET };
	T(nl_request(fd, RTM_GETADDR, NLM_F_DUMP, &ifa, sizeof(ifa)));
	P("addresses", "%d", read_dump(fd, each_addr) > 0);
	P("127.0.0.1 on index 1", "%d", lo_has_127);

	SECTION("an error reply");
	ifi.ifi_index = 999999;
	T(nl_request(fd, RTM_GETLINK, NLM_F_ACK, &ifi, sizeof(ifi)));
	ssize_t n = T(recv(fd, buf, sizeof(buf), 0) > 0);
	struct nlmsghdr *h = (void *)buf;
	struct nlmsgerr *e = NLMSG_DATA(h);
	P("reply", "type error %d, %s", h->nlmsg_type == NLMSG_ERROR, ename(-e->error));
	(void)n;

	SECTION("truncation and bad pointers");
	T(nl_request(fd, RTM_GETLINK, NLM_F_DUMP, &ifi, sizeof(ifi)));
	char small[16];
	n = recv(fd, small, sizeof(small), MSG_PEEK | MSG_TRUNC);
	P("MSG_TRUNC gives the whole length", "%d", n > (ssize_t)sizeof(small));
	T(recv(fd, BADP, sizeof(buf), 0));
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	T(sendto(fd, BADP, 32, 0, (struct sockaddr *)&kernel, sizeof(kernel)));
	T(sendto(fd, buf, 16, 0, BADP, sizeof(kernel)));
	T(close(fd));
}

static void library(void)
{
	SECTION("the C library's view");
	T(if_nametoindex("lo"));
	char name[IF_NAMESIZE] = "";
	P("if_indextoname(1)", "%s", if_indextoname(1, name) ? name : ename(errno));
	T(if_nametoindex("no-such-if0"));
	struct if_nameindex *ni = if_nameindex();
	int found = 0;
	for (struct if_nameindex *i = ni; i && i->if_index; i++)
		found |= i->if_index == 1 && strcmp(i->if_name, "lo") == 0;
	P("if_nameindex lists lo as 1", "%d", found);
	if_freenameindex(ni);
	struct ifaddrs *all;
	T(getifaddrs(&all));
	found = 0;
	for (struct ifaddrs *i = all; i; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET && strcmp(i->ifa_name, "lo") == 0)
			found = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr ==
				htonl(INADDR_LOOPBACK);
	P("getifaddrs: lo is 127.0.0.1", "%d", found);
	freeifaddrs(all);
}

/* The netdevice ioctls answer on any socket, an AF_UNIX one too. */
static void device_ioctls(void)
{
	SECTION("network device ioctls");
	int fd;
	MUST(fd = socket(AF_UNIX, SOCK_DGRAM, 0));
	struct ifreq r = { 0 };
	strcpy(r.ifr_name, "lo");
	T(ioctl(fd, SIOCGIFINDEX, &r));
	P("index", "%d", r.ifr_ifindex);
	T(ioctl(fd, SIOCGIFFLAGS, &r));
	P("flags up, loopback", "%d %d", !!(r.ifr_flags & IFF_UP), !!(r.ifr_flags & IFF_LOOPBACK));
	T(ioctl(fd, SIOCGIFADDR, &r));		/* an AF_INET socket's */
	int in;
	MUST(in = socket(AF_INET, SOCK_DGRAM, 0));
	T(ioctl(in, SIOCGIFADDR, &r));
	P("address", "%s", inet_ntoa(((struct sockaddr_in *)&r.ifr_addr)->sin_addr));
	T(ioctl(in, SIOCGIFNETMASK, &r));
	P("netmask", "%s", inet_ntoa(((struct sockaddr_in *)&r.ifr_netmask)->sin_addr));
	T(close(in));
	strcpy(r.ifr_name, "no-such-if0");
	T(ioctl(fd, SIOCGIFFLAGS, &r));
	T(ioctl(fd, SIOCGIFINDEX, BADP));
	struct ifconf c = { .ifc_len = 0, .ifc_buf = NULL };
	T(ioctl(fd, SIOCGIFCONF, &c));
	P("SIOCGIFCONF without a buffer: a length", "%d", c.ifc_len > 0);
	struct ifreq all[64];
	c.ifc_len = sizeof(all);
	c.ifc_req = all;
	T(ioctl(fd, SIOCGIFCONF, &c));
	int found = 0;
	for (int i = 0; i < c.ifc_len / (int)sizeof(struct ifreq); i++)
		found |= strcmp(all[i].ifr_name, "lo") == 0;
	P("SIOCGIFCONF lists lo", "%d", found);
	c.ifc_req = BADP;
	T(ioctl(fd, SIOCGIFCONF, &c));
	T(close(fd));
}

/* /proc/net: the devices and routes, as ifconfig and route read them. */
static void proc_net(void)
{
	SECTION("/proc/net");
	char link[64];
	ssize_t k = readlink("/proc/net", link, sizeof(link) - 1);
	P("/proc/net links to", "%.*s", (int)(k > 0 ? k : 0), link);
	FILE *f = fopen("/proc/net/dev", "r");
	P("/proc/net/dev opens", "%d", f != NULL);
	int lo = 0, lines = 0;
	char line[512];
	while (f && fgets(line, sizeof(line), f)) {
		if (lines++ < 2)
			printf("header: %s", line);
		lo |= strncmp(line + strspn(line, " "), "lo:", 3) == 0;
	}
	P("lo listed", "%d", lo);
	if (f)
		fclose(f);
	f = fopen("/proc/net/route", "r");
	if (f && fgets(line, sizeof(line), f))
		printf("route header: %s", line);
	if (f)
		fclose(f);
	T(open("/proc/net/dev", O_WRONLY));
}

int main(void)
{
	proc_net();
	sockets();
	dumps();
	library();
	device_ioctls();
	return 0;
}
