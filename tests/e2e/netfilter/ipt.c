/* ipt: the iptables "filter" table through the kernel's own interface,
 * what iptables-legacy does, for tests/e2e/containment-net.sh. Run it
 * in a network namespace of its own.
 *
 *   ipt show            (getsockopt IPT_SO_GET_INFO, IPT_SO_GET_ENTRIES)
 *                       the table as one line: its entry count and the
 *                       policy of each built-in chain
 *   ipt drop SOCKTYPE   (setsockopt IPT_SO_SET_REPLACE) writes a fresh
 *                       table whose FORWARD policy is DROP, through a
 *                       raw, udp or tcp socket; prints each step */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <linux/netfilter_ipv4/ip_tables.h>

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s: -1 %s\n", what, strerrorname_np(errno));
	else
		printf("%s: %ld\n", what, r);
}

static int open_sock(const char *type)
{
	if (!strcmp(type, "raw"))
		return socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (!strcmp(type, "tcp"))
		return socket(AF_INET, SOCK_STREAM, 0);
	return socket(AF_INET, SOCK_DGRAM, 0);
}

static const char *verdict_name(int v)
{
	return v == -NF_ACCEPT - 1 ? "ACCEPT" : v == -NF_DROP - 1 ? "DROP" : "OTHER";
}

/* The verdict of the built-in chain at `hook`: its policy, the last
 * entry of the chain (its underflow). */
static int *policy(void *entries, unsigned underflow)
{
	struct ipt_entry *e = (void *)((char *)entries + underflow);
	struct xt_standard_target *t = (void *)((char *)e + e->target_offset);
	return &t->verdict;
}

static int show_table(int s)
{
	struct ipt_getinfo info = { .name = "filter" };
	socklen_t len = sizeof(info);
	if (getsockopt(s, SOL_IP, IPT_SO_GET_INFO, &info, &len)) {
		show("get-info", -1);
		return 1;
	}
	len = sizeof(struct ipt_get_entries) + info.size;
	struct ipt_get_entries *e = calloc(1, len);
	strcpy(e->name, "filter");
	e->size = info.size;
	if (getsockopt(s, SOL_IP, IPT_SO_GET_ENTRIES, e, &len)) {
		show("get-entries", -1);
		return 1;
	}
	printf("filter: %u entries, INPUT %s, FORWARD %s, OUTPUT %s\n", info.num_entries,
	       verdict_name(*policy(e->entrytable, info.underflow[NF_INET_LOCAL_IN])),
	       verdict_name(*policy(e->entrytable, info.underflow[NF_INET_FORWARD])),
	       verdict_name(*policy(e->entrytable, info.underflow[NF_INET_LOCAL_OUT])));
	return 0;
}

/* A table as the kernel starts it: one policy entry per built-in chain
 * (INPUT, FORWARD, OUTPUT), then the ERROR entry that ends it. */
struct policy_entry {
	struct ipt_entry e;
	struct xt_standard_target t;
};
struct error_entry {
	struct ipt_entry e;
	struct xt_error_target t;
};
struct table {
	struct ipt_replace r;
	struct policy_entry chain[3];
	struct error_entry end;
};

static int drop_forward(int s)
{
	static struct table tb;
	static struct xt_counters counters[4];
	strcpy(tb.r.name, "filter");
	tb.r.valid_hooks = 1 << NF_INET_LOCAL_IN | 1 << NF_INET_FORWARD | 1 << NF_INET_LOCAL_OUT;
	tb.r.num_entries = 4;
	tb.r.size = sizeof(tb) - sizeof(tb.r);
	tb.r.num_counters = 4;
	tb.r.counters = counters;
	for (int i = 0; i < 3; i++) {
		struct policy_entry *p = &tb.chain[i];
		p->e.target_offset = sizeof(p->e);
		p->e.next_offset = sizeof(*p);
		p->t.target.u.user.target_size = sizeof(p->t);
		p->t.verdict = i == 1 ? -NF_DROP - 1 : -NF_ACCEPT - 1;
		tb.r.hook_entry[NF_INET_LOCAL_IN + i] = tb.r.underflow[NF_INET_LOCAL_IN + i] =
			i * sizeof(*p);
	}
	tb.end.e.target_offset = sizeof(tb.end.e);
	tb.end.e.next_offset = sizeof(tb.end);
	tb.end.t.target.u.user.target_size = sizeof(tb.end.t);
	strcpy(tb.end.t.target.u.user.name, XT_ERROR_TARGET);
	strcpy(tb.end.t.errorname, XT_ERROR_TARGET);
	long r = setsockopt(s, SOL_IP, IPT_SO_SET_REPLACE, &tb, sizeof(tb));
	show("replace", r);
	return r != 0;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return 2;
	int s = open_sock(argc > 2 ? argv[2] : "udp");
	if (!strcmp(argv[1], "show"))
		return s < 0 ? 1 : show_table(s);
	show("socket", s);
	return s < 0 ? 1 : drop_forward(s);
}
