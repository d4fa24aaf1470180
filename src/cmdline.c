/* SPDX-License-Identifier: BSD-3-Clause */
/* Command-line parsing: see cmdline.h. */
#include "cmdline.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "vio_build_config.h"

#define OPT_CONFIG 'f'
#define OPT_HELP 'h'
#define OPT_VERSION 'v'
#define OPT_LONG_BASE 256
#define MAX_OPTS 64

struct pending {
	const struct vio_var *var;
	const char *value;
};

/* A second long name of an earlier option (the original's name): it shares
 * the short letter, and so getopt's code. */
static bool is_alias(size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (vio_vars[i].opt_short && vio_vars[j].opt_long &&
		    vio_vars[j].opt_short == vio_vars[i].opt_short)
			return true;
	return false;
}

/* long_vars[k]: the variable of longopts[k] (NULL for --config, --help,
 * --version), so that a message names the long option given. */
static int build_options(struct option *longopts, const struct vio_var **long_vars,
			 char *shortopts)
{
	size_t n = 0, s = 0;

	shortopts[s++] = ':';
	for (size_t i = 0; i < vio_n_vars; i++) {
		const struct vio_var *v = &vio_vars[i];
		int has_arg = v->arg == VIO_ARG_NONE ? no_argument
			      : v->arg == VIO_ARG_REQUIRED ? required_argument
							   : optional_argument;

		if (!v->opt_long)
			continue;
		long_vars[n] = v;
		/* An alias has its option's code: "--pid" is then no ambiguous
		 * abbreviation of --pid-dir and --pid-path. */
		longopts[n++] = (struct option){v->opt_long, has_arg, NULL,
						v->opt_short ? v->opt_short
							     : OPT_LONG_BASE + (int)i};
		if (v->opt_short && !is_alias(i)) {
			shortopts[s++] = (char)v->opt_short;
			if (v->arg != VIO_ARG_NONE)
				shortopts[s++] = ':';
			if (v->arg == VIO_ARG_OPTIONAL)
				shortopts[s++] = ':';
		}
	}
	long_vars[n] = long_vars[n + 1] = long_vars[n + 2] = NULL;
	longopts[n++] = (struct option){"config", required_argument, NULL, OPT_CONFIG};
	longopts[n++] = (struct option){"help", no_argument, NULL, OPT_HELP};
	longopts[n++] = (struct option){"version", no_argument, NULL, OPT_VERSION};
	longopts[n] = (struct option){NULL, 0, NULL, 0};
	memcpy(shortopts + s, "f:hv", 5);
	return 0;
}

static const struct vio_var *var_for_code(int code)
{
	if (code >= OPT_LONG_BASE && (size_t)(code - OPT_LONG_BASE) < vio_n_vars)
		return &vio_vars[code - OPT_LONG_BASE];
	for (size_t i = 0; i < vio_n_vars; i++)
		if (vio_vars[i].opt_long && vio_vars[i].opt_short == code)
			return &vio_vars[i];
	return NULL;
}

int vio_cmdline_parse(int argc, char **argv, struct vio_config *c,
		      enum vio_cmdline_action *action, char *err, size_t errlen)
{
	struct option longopts[MAX_OPTS];
	const struct vio_var *long_vars[MAX_OPTS];
	char shortopts[3 * MAX_OPTS];
	struct pending *items;
	size_t nitems = 0, max_items = 1;
	int code, li = -1, rc = -EINVAL;

	*action = VIO_CMD_RUN;
	build_options(longopts, long_vars, shortopts);
	/* Grouped short options ("-dJi") give one item per letter: at most
	 * one per character of the arguments. */
	for (int i = 1; i < argc; i++)
		max_items += strlen(argv[i]);
	items = calloc(max_items, sizeof(*items));
	if (!items) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	opterr = 0;
	optind = 0; /* 0, not 1: also resets glibc's position inside a word */
	while ((code = getopt_long(argc, argv, shortopts, longopts, &li)) != -1) {
		const struct vio_var *v;
		const char *value = optarg;
		int idx = li; /* the long option matched, or -1 */

		li = -1;
		switch (code) {
		case OPT_HELP:
			*action = VIO_CMD_HELP;
			rc = 0;
			goto out;
		case OPT_VERSION:
			*action = VIO_CMD_VERSION;
			rc = 0;
			goto out;
		case OPT_CONFIG:
			snprintf(c->config_file, sizeof(c->config_file), "%s", optarg);
			c->config_file_explicit = true;
			continue;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			goto out;
		case '?':
			snprintf(err, errlen, "unknown option %s (see --help)", argv[optind - 1]);
			goto out;
		}
		v = idx >= 0 && long_vars[idx] ? long_vars[idx] : var_for_code(code);
		if (!v) {
			snprintf(err, errlen, "unknown option %s (see --help)", argv[optind - 1]);
			goto out;
		}
		/* An optional value may also be the next argument ("-u root"):
		 * a word that is no option would be refused anyway. */
		if (v->arg == VIO_ARG_OPTIONAL && !value && optind < argc &&
		    argv[optind][0] != '-')
			value = argv[optind++];
		items[nitems++] = (struct pending){v, value};
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (see --help)", argv[optind]);
		goto out;
	}

	if (access(c->config_file, F_OK) == 0 || c->config_file_explicit) {
		rc = vio_config_load_file(c, c->config_file, err, errlen);
		if (rc)
			goto out;
	}
	for (size_t i = 0; i < nitems; i++) {
		rc = vio_config_set(c, items[i].var, items[i].value, true, err, errlen);
		if (rc)
			goto out;
	}
	vio_config_finish(c);
	rc = 0;
out:
	free(items);
	return rc;
}

void vio_cmdline_usage(const char *prog)
{
	printf("Usage: %s [options]\n\n"
	       "Relays traffic between SR-IOV VFs (DPDK ports) and vhost-user virtio devices.\n"
	       "Options override the configuration file (%s by default).\n\n",
	       prog, VIO_SYSCONF_FILE);
	printf("  %-34s %s\n", "-f, --config=FILE", "configuration file to read");
	for (size_t i = 0; i < vio_n_vars; i++) {
		const struct vio_var *v = &vio_vars[i];
		const char *arg = v->arg == VIO_ARG_REQUIRED ? "=VALUE"
				  : v->arg == VIO_ARG_OPTIONAL ? "[=VALUE]" : "";
		char opt[64];

		if (!v->opt_long || !v->help)
			continue;
		if (v->opt_short && !is_alias(i))
			snprintf(opt, sizeof(opt), "-%c, --%s%s", v->opt_short, v->opt_long, arg);
		else
			snprintf(opt, sizeof(opt), "    --%s%s", v->opt_long, arg);
		printf("  %-34s %s%s%s%s\n", opt, v->help, v->name ? " [" : "",
		       v->name ? v->name : "", v->name ? "]" : "");
	}
	printf("  %-34s %s\n", "-v, --version", "print the version and exit");
	printf("  %-34s %s\n", "    --help", "print this help and exit");
	printf("\nAn optional value may also be the next argument: -u root, --zmq-stats-ep EP.\n");
}
