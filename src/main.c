/* persona: a Linux kernel personality in user space. The command line. */
#include "common.h"
#include "kernel/boot.h"
#include "kernel/ksyscall.h"
#include "platform.h"
#include <getopt.h>

#define VERSION "0.1.0"

static void usage(FILE *out)
{
	fprintf(out,
		"usage: persona run [options] -- PROGRAM [ARGS...]\n"
		"       persona syscalls [--format md|tsv]\n"
		"       persona --help | --version\n"
		"\n"
		"run options:\n"
		"  --root DIR          use host directory DIR as / (confined beneath it)\n"
		"  --bind SRC:DST      mount host directory SRC at DST, writable\n"
		"  --ro-bind SRC:DST   mount host directory SRC at DST, read-only\n"
		"  --tmpfs DIR         mount a fresh tmpfs at DIR\n"
		"  --size BYTES        the size of the next --tmpfs (K, M, G suffixes;\n"
		"                      default: half of the machine's memory)\n"
		"  --chdir DIR         start in DIR\n"
		"  --setenv KEY VALUE  set an environment variable\n"
		"  --trace             print each system call to stderr\n"
		"  --quiet             do not report unimplemented system calls\n"
		"  --platform NAME     how guests are run: %s (default: %s,\n"
		"                      or $PERSONA_PLATFORM)\n"
		"\n"
		"Without --root, the host's / is a read-only lower layer under a\n"
		"writable in-memory layer, with fresh /proc, /dev, /tmp and /dev/shm.\n",
		plat_names, plat_name());
}

static _Noreturn void bad_usage(const char *fmt, const char *arg)
{
	fprintf(stderr, "persona: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, " (see persona --help)\n");
	exit(2);
}

/* --size BYTES, as bubblewrap's, with tmpfs's size= suffixes allowed. */
static uint64_t parse_size(const char *s)
{
	char *end;
	errno = 0;
	unsigned long long n = strtoull(s, &end, 10);
	int shift = 0;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	}
	if (errno || *end || !n || *s == '-' || n > (UINT64_MAX >> shift))
		bad_usage("--size needs a size in bytes, got '%s'", s);
	return (uint64_t)n << shift;
}

static uint64_t next_size;	/* --size for the next --tmpfs */

static int add_mount(struct boot_options *o, const char *spec, int kind)
{
	o->mounts = xrealloc(o->mounts, (o->nmounts + 1) * sizeof(*o->mounts));
	struct mount_spec *m = &o->mounts[o->nmounts++];
	m->kind = kind;
	m->size = 0;
	if (kind == M_TMPFS) {
		m->src = NULL;
		m->dst = spec;
		m->size = next_size;
		next_size = 0;
	} else {
		char *colon = strchr(spec, ':');
		if (!colon || colon == spec || !colon[1])
			bad_usage("expected SRC:DST, got '%s'", spec);
		m->src = xstrdup(spec);
		((char *)m->src)[colon - spec] = 0;
		m->dst = colon + 1;
	}
	if (m->dst[0] != '/')
		bad_usage("mount destination must be absolute: '%s'", m->dst);
	return 0;
}

static void select_platform(const char *name)
{
	if (plat_select(name))
		bad_usage("no platform '%s' on this host", name);
}

static int cmd_run(int argc, char **argv)
{
	enum { O_ROOT = 256, O_BIND, O_RO_BIND, O_TMPFS, O_SIZE, O_CHDIR, O_SETENV, O_TRACE, O_QUIET,
	       O_PLATFORM };
	static const struct option opts[] = {
		{ "root", required_argument, 0, O_ROOT },
		{ "bind", required_argument, 0, O_BIND },
		{ "ro-bind", required_argument, 0, O_RO_BIND },
		{ "tmpfs", required_argument, 0, O_TMPFS },
		{ "size", required_argument, 0, O_SIZE },
		{ "chdir", required_argument, 0, O_CHDIR },
		{ "setenv", required_argument, 0, O_SETENV },
		{ "trace", no_argument, 0, O_TRACE },
		{ "quiet", no_argument, 0, O_QUIET },
		{ "platform", required_argument, 0, O_PLATFORM },
		{ 0, 0, 0, 0 },
	};
	struct boot_options o = { 0 };
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case O_ROOT: o.root = optarg; break;
		case O_BIND: add_mount(&o, optarg, M_BIND); break;
		case O_RO_BIND: add_mount(&o, optarg, M_RO_BIND); break;
		case O_TMPFS: add_mount(&o, optarg, M_TMPFS); break;
		case O_SIZE: next_size = parse_size(optarg); break;
		case O_CHDIR: o.chdir = optarg; break;
		case O_SETENV:
			if (optind >= argc)
				bad_usage("%s needs KEY VALUE", "--setenv");
			o.env = xrealloc(o.env, (o.nenv + 1) * sizeof(*o.env));
			o.env[o.nenv].key = optarg;
			o.env[o.nenv++].value = argv[optind++];
			break;
		case O_TRACE: trace_enabled = true; break;
		case O_QUIET: quiet = true; break;
		case O_PLATFORM: select_platform(optarg); break;
		case ':': bad_usage("option '%s' needs an argument", argv[optind - 1]);
		default: bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (next_size)
		bad_usage("%s must come before the --tmpfs it sizes", "--size");
	if (optind >= argc)
		bad_usage("%s: no program given", "run");
	o.argv = argv + optind;
	return boot_run(&o);
}

static int cmd_syscalls(int argc, char **argv)
{
	const char *format = "md";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			format = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			format = argv[i] + 9;
		else
			bad_usage("unknown option '%s'", argv[i]);
	}
	if (strcmp(format, "md") && strcmp(format, "tsv"))
		bad_usage("unknown format '%s' (md or tsv)", format);
	syscall_print_table(format);
	return 0;
}

int main(int argc, char **argv)
{
	const char *env = getenv("PERSONA_PLATFORM");
	if (env && *env)
		select_platform(env);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("persona %s (platform: %s)\n", VERSION, plat_name());
		return 0;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "syscalls"))
		return cmd_syscalls(argc - 1, argv + 1);
	bad_usage("unknown command '%s'", argv[1]);
}
