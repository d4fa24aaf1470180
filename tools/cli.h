/* SPDX-License-Identifier: BSD-3-Clause */
/* The command line every control tool shares: getopt_long with --help (and
 * --version), plain string options (endpoints, addresses) stored without a
 * case of their own, and the operand count checked after the last option.
 * Bad usage is answered the way each tool always has: getopt's message or
 * the tool's own, then the usage on stderr (unless terse), exit 2. */
#ifndef VIO_TOOL_CLI_H
#define VIO_TOOL_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

/* An option of a tool, as getopt_long's struct option takes it.  A string
 * option (value not NULL) is stored there; any other is returned as key.
 * The keys 'h' and 'V' are taken by --help and --version. */
struct vio_cli_opt {
	const char *name;
	int has_arg;        /* no_argument, required_argument */
	int key;            /* returned by vio_cli_next; a short option's letter */
	const char **value; /* a string option: its optarg goes here */
};

struct vio_cli {
	const char *prog;               /* for messages */
	void (*usage)(FILE *f);         /* --help: stdout; after bad usage: stderr */
	const char *version;            /* the --version (-V) line; NULL: no such option */
	const char *shortopts;          /* the tool's short options besides -h and -V */
	const struct vio_cli_opt *opts; /* ended by {NULL} */
	unsigned operands;              /* exactly this many after the options */
	bool terse;                     /* bad usage: the message alone, no usage */
	bool name_extra;                /* an operand too many: say which */
};

#define VIO_CLI_MAX_OPTS 32

/* The next of the tool's options (optarg set), or -1 after the last one,
 * with the operands at argv[optind].  --help and --version are answered
 * here (exit 0), and so is bad usage (exit 2). */
int vio_cli_next(const struct vio_cli *cli, int argc, char **argv);

#endif
