/* SPDX-License-Identifier: BSD-3-Clause */
/* The load balancer's settings: see sched_settings.h. */
#include "sched_settings.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "vio_build_config.h"

#define PROG "vio4wd_core_scheduler"

enum {
	OPT_CONFIG = 'f',
	OPT_HELP = 'h',
	OPT_STATS_EP = 256,
	OPT_SCHED_EP,
	OPT_INTERVAL,
	OPT_GAIN,
	OPT_SENSITIVITY,
	OPT_MIN_LOAD,
	OPT_LOGLEVEL,
	OPT_GLOBAL_NUMA,
	OPT_ONCE,
	OPT_DRY_RUN,
};

void vio_sched_usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options]\n"
		"  -f, --config=FILE   the forwarder's configuration (default " VIO_SYSCONF_FILE ")\n"
		"  --stats-ep=EP       override VIRTIOFWD_ZMQ_STATS_EP\n"
		"  --sched-ep=EP       override VIRTIOFWD_ZMQ_CORE_SCHED_EP\n"
		"  --interval=SECONDS  a round every SECONDS, its measurement window\n"
		"                      (default 5, 0.2-60) [VIO4WD_CORE_SCHED_POLL_INTERVAL]\n"
		"  --poll-interval=SECONDS  the original's name of --interval\n"
		"  --gain=FRACTION     apply a plan only if it lowers the busiest CPU's load\n"
		"                      by this share (default 0.1)\n"
		"  --sensitivity=S     the original's rule instead of --gain: apply a plan only\n"
		"                      if it lowers the coefficient of variation of the worker\n"
		"                      CPUs' loads by more than S (0-100; the original's default\n"
		"                      was 0.25) [VIO4WD_CORE_SCHED_SENSITIVITY]\n"
		"  --min-load=PPS      leave CPUs below this load alone (default 10000)\n"
		"  --global-numa-opt   any worker CPU for any relay, not its NUMA node's first\n"
		"                      [VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT]\n"
		"  --loglevel=LEVEL    print messages up to this syslog level, 0-7 (default 6)\n"
		"                      [VIO4WD_CORE_SCHED_LOG_LEVEL]\n"
		"  --once              one round, then exit (0: nothing to do or applied)\n"
		"  --dry-run           plan and log, never move\n"
		"  -h, --help          print this help and exit\n"
		"Options override their variables in the configuration file.\n"
		"exit: 0 ok (or disabled in the configuration), 1 error reply, 2 bad usage, 3 no reply (--once)\n");
}

/* A number in [min, max]; the message says what is expected. */
static int parse_num(const char *s, double min, double max, const char *what, double *out,
		     char *err, size_t errlen)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= min && v <= max)) {
		snprintf(err, errlen, "expected %s from %g to %g", what, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_interval(const char *s, double *out, char *err, size_t errlen)
{
	return parse_num(s, VIO_SCHED_INTERVAL_MIN, VIO_SCHED_INTERVAL_MAX, "a number of seconds",
			 out, err, errlen);
}

static int parse_sensitivity(const char *s, double *out, char *err, size_t errlen)
{
	return parse_num(s, 0, VIO_SCHED_SENSITIVITY_MAX, "a number", out, err, errlen);
}

static int parse_level(const char *s, unsigned *out, char *err, size_t errlen)
{
	unsigned long n;

	if (vio_parse_uint(s, 0, 7, &n, NULL, 0)) {
		snprintf(err, errlen, "expected a log level from 0 to 7");
		return -1;
	}
	*out = (unsigned)n;
	return 0;
}

int vio_sched_parse_args(int argc, char **argv, struct vio_sched_settings *s, char *err,
			 size_t errlen)
{
	static const struct option lopts[] = {
		{"config", required_argument, NULL, OPT_CONFIG},
		{"stats-ep", required_argument, NULL, OPT_STATS_EP},
		{"sched-ep", required_argument, NULL, OPT_SCHED_EP},
		{"interval", required_argument, NULL, OPT_INTERVAL},
		{"poll-interval", required_argument, NULL, OPT_INTERVAL},
		{"gain", required_argument, NULL, OPT_GAIN},
		{"sensitivity", required_argument, NULL, OPT_SENSITIVITY},
		{"min-load", required_argument, NULL, OPT_MIN_LOAD},
		{"loglevel", required_argument, NULL, OPT_LOGLEVEL},
		{"global-numa-opt", no_argument, NULL, OPT_GLOBAL_NUMA},
		{"once", no_argument, NULL, OPT_ONCE},
		{"dry-run", no_argument, NULL, OPT_DRY_RUN},
		{"help", no_argument, NULL, OPT_HELP},
		{NULL, 0, NULL, 0},
	};
	char sub[160];
	int c, li = -1;

	*s = (struct vio_sched_settings){
		.config = VIO_SYSCONF_FILE,
		.interval = 5,
		.p = {.min_load = 10000, .gain = 0.1},
		.log_level = 6,
	};
	opterr = 0;
	optind = 0; /* afresh, also inside a word (unit tests parse many times) */
	while ((c = getopt_long(argc, argv, ":f:h", lopts, &li)) != -1) {
		/* the option as given, for messages */
		const char *name = li >= 0 ? lopts[li].name : NULL;
		int rc = 0;

		li = -1;
		sub[0] = '\0';
		switch (c) {
		case OPT_CONFIG:
			s->config = optarg;
			s->config_explicit = true;
			break;
		case OPT_STATS_EP:
			s->stats_ep = optarg;
			break;
		case OPT_SCHED_EP:
			s->sched_ep = optarg;
			break;
		case OPT_INTERVAL:
			rc = parse_interval(optarg, &s->interval, sub, sizeof(sub));
			s->opt_interval = true;
			break;
		case OPT_GAIN:
			rc = parse_num(optarg, 0, 0.99, "a fraction", &s->p.gain, sub, sizeof(sub));
			s->opt_gain = true;
			break;
		case OPT_SENSITIVITY:
			rc = parse_sensitivity(optarg, &s->p.sensitivity, sub, sizeof(sub));
			s->opt_sensitivity = true;
			break;
		case OPT_MIN_LOAD:
			rc = parse_num(optarg, 0, 1e12, "packets per second", &s->p.min_load, sub,
				       sizeof(sub));
			break;
		case OPT_LOGLEVEL:
			rc = parse_level(optarg, &s->log_level, sub, sizeof(sub));
			s->opt_log_level = true;
			break;
		case OPT_GLOBAL_NUMA:
			s->p.global_numa = true;
			s->opt_global = true;
			break;
		case OPT_ONCE:
			s->once = true;
			break;
		case OPT_DRY_RUN:
			s->dry_run = true;
			break;
		case OPT_HELP:
			s->help = true;
			return 0;
		case ':':
			snprintf(err, errlen, "option %s needs a value", argv[optind - 1]);
			return -1;
		default:
			snprintf(err, errlen, "unknown option %s (see --help)", argv[optind - 1]);
			return -1;
		}
		if (rc) {
			snprintf(err, errlen, "--%s=%s: %s", name ? name : "?", optarg, sub);
			return -1;
		}
	}
	if (optind < argc) {
		snprintf(err, errlen, "unexpected argument \"%s\" (see --help)", argv[optind]);
		return -1;
	}
	if (s->opt_gain && s->opt_sensitivity) {
		snprintf(err, errlen, "--gain and --sensitivity are two rules for the same decision: "
			 "give one");
		return -1;
	}
	s->p.cv_rule = s->opt_sensitivity;
	return 0;
}

int vio_sched_apply_vars(struct vio_sched_settings *s, const struct vio_config *cfg,
			 char *err, size_t errlen)
{
	const char *name = NULL, *value = NULL;
	char sub[160];
	bool b;

	sub[0] = '\0';
	if (!s->opt_interval && cfg->sched_poll_interval[0]) {
		name = "VIO4WD_CORE_SCHED_POLL_INTERVAL";
		value = cfg->sched_poll_interval;
		if (parse_interval(value, &s->interval, sub, sizeof(sub)))
			goto bad;
	}
	/* an option --gain overrides the variable too: it is the other rule */
	if (!s->opt_sensitivity && !s->opt_gain && cfg->sched_sensitivity[0]) {
		name = "VIO4WD_CORE_SCHED_SENSITIVITY";
		value = cfg->sched_sensitivity;
		if (parse_sensitivity(value, &s->p.sensitivity, sub, sizeof(sub)))
			goto bad;
		s->p.cv_rule = true;
	}
	if (!s->opt_log_level && cfg->sched_log_level[0]) {
		name = "VIO4WD_CORE_SCHED_LOG_LEVEL";
		value = cfg->sched_log_level;
		if (parse_level(value, &s->log_level, sub, sizeof(sub)))
			goto bad;
	}
	if (!s->opt_global && cfg->sched_global_numa_opt[0]) {
		name = "VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT";
		value = cfg->sched_global_numa_opt;
		if (vio_parse_bool(value, &b, NULL, 0)) {
			snprintf(sub, sizeof(sub), "expected true or false (yes/no, 1/0)");
			goto bad;
		}
		s->p.global_numa = b;
	}
	return 0;
bad:
	snprintf(err, errlen, "%s=\"%s\" in %s: %s", name, value, s->config, sub);
	return -1;
}
