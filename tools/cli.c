/* SPDX-License-Identifier: BSD-3-Clause */
/* The control tools' command line: see cli.h. */
#include "cli.h"

#include <getopt.h>
#include <stdlib.h>

#include "client.h"

static void __attribute__((noreturn)) bad_usage(const struct vio_cli *cli)
{
	if (!cli->terse)
		cli->usage(stderr);
	exit(VIO_EXIT_USAGE);
}

/* The operands left once the options are read: as many as the tool takes. */
static void check_operands(const struct vio_cli *cli, int argc, char **argv)
{
	unsigned n = (unsigned)(argc - optind);

	if (n == cli->operands)
		return;
	if (cli->name_extra && n > cli->operands)
		fprintf(stderr, "%s: unexpected argument '%s'\n", cli->prog,
			argv[optind + (int)cli->operands]);
	bad_usage(cli);
}

int vio_cli_next(const struct vio_cli *cli, int argc, char **argv)
{
	struct option lopts[VIO_CLI_MAX_OPTS + 3];
	char shorts[2 * VIO_CLI_MAX_OPTS + 3];
	const struct vio_cli_opt *o;
	unsigned n = 0;
	int c;

	/* The tool's options, then --help and --version, in getopt's form. */
	for (o = cli->opts; o->name; o++) {
		if (n == VIO_CLI_MAX_OPTS) {
			fprintf(stderr, "%s: more than %d options (VIO_CLI_MAX_OPTS)\n", cli->prog,
				VIO_CLI_MAX_OPTS);
			exit(VIO_EXIT_USAGE);
		}
		lopts[n++] = (struct option){o->name, o->has_arg, NULL, o->key};
	}
	lopts[n++] = (struct option){"help", no_argument, NULL, 'h'};
	if (cli->version)
		lopts[n++] = (struct option){"version", no_argument, NULL, 'V'};
	lopts[n] = (struct option){NULL, 0, NULL, 0};
	snprintf(shorts, sizeof(shorts), "%sh%s", cli->shortopts ? cli->shortopts : "",
		 cli->version ? "V" : "");

	while ((c = getopt_long(argc, argv, shorts, lopts, NULL)) != -1) {
		if (c == 'h') {
			cli->usage(stdout);
			exit(VIO_EXIT_OK);
		}
		if (c == 'V' && cli->version) {
			printf("%s\n", cli->version);
			exit(VIO_EXIT_OK);
		}
		if (c == '?') /* getopt said what */
			bad_usage(cli);
		for (o = cli->opts; o->name && o->key != c; o++)
			;
		if (!o->name || !o->value)
			return c;
		*o->value = optarg;
	}
	check_operands(cli, argc, argv);
	return -1;
}
