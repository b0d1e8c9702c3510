#pragma once
#include <stdbool.h>
#include "common.h"

struct mount_spec {
	const char *src, *dst;
	enum { M_BIND, M_RO_BIND, M_TMPFS } kind;
	uint64_t size;			/* a tmpfs's, from --size; 0: the default */
};
struct env_spec { const char *key, *value; };

struct boot_options {
	const char *root;		/* --root, or NULL for the default world */
	struct mount_spec *mounts;
	int nmounts;
	struct env_spec *env;
	int nenv;
	const char *chdir;
	char **argv;			/* the program and its arguments */
};

/* Builds the world, starts the program as pid 1 and runs the kernel until
 * it exits; returns persona's exit status. */
int boot_run(const struct boot_options *o);
