/* SPDX-License-Identifier: BSD-3-Clause */
/* The load balancer's settings (vio4wd_core_scheduler): its options, ours
 * and the original's, and the original's variables VIO4WD_CORE_SCHED_* of
 * the forwarder's configuration file.  An option overrides its variable.
 * Kept free of I/O besides the messages, so that unit tests drive it.
 *
 *   variable / original option          here
 *   VIO4WD_CORE_SCHED_POLL_INTERVAL      --interval (--poll-interval): seconds
 *   VIO4WD_CORE_SCHED_SENSITIVITY        --sensitivity: the original's rule
 *                                        (coefficient of variation) instead
 *                                        of --gain
 *   VIO4WD_CORE_SCHED_LOG_LEVEL          --loglevel: 0-7, messages above it
 *                                        are not printed
 *   VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT    --global-numa-opt: any worker CPU
 *                                        for any relay */
#ifndef VIO_TOOL_SCHED_SETTINGS_H
#define VIO_TOOL_SCHED_SETTINGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "balance.h"
#include "config.h"

#define VIO_SCHED_INTERVAL_MIN 0.2
#define VIO_SCHED_INTERVAL_MAX 60.0
#define VIO_SCHED_SENSITIVITY_MAX 100.0

struct vio_sched_settings {
	const char *config;        /* the forwarder's configuration file */
	bool config_explicit;      /* -f/--config given: it must exist */
	const char *stats_ep, *sched_ep; /* NULL: from the file */
	double interval;           /* seconds: a round's measurement window */
	struct vio_bal_params p;
	unsigned log_level;        /* syslog levels: print messages up to it */
	bool once, dry_run, help;

	/* which settings an option gave (the variables do not override them) */
	bool opt_interval, opt_gain, opt_sensitivity, opt_log_level, opt_global;
};

/* Defaults, then argv.  Returns 0, or -1 with a message in err for a bad
 * option or value (exit status 2). */
int vio_sched_parse_args(int argc, char **argv, struct vio_sched_settings *s, char *err,
			 size_t errlen);

/* The file's VIO4WD_CORE_SCHED_* (as cfg keeps them) for every setting no
 * option gave.  Returns 0, or -1 with a message naming the variable, the
 * value and the file. */
int vio_sched_apply_vars(struct vio_sched_settings *s, const struct vio_config *cfg,
			 char *err, size_t errlen);

void vio_sched_usage(FILE *f);

#endif
