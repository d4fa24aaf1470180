/* SPDX-License-Identifier: BSD-3-Clause */
/* The load balancer's options and variables (tools/sched_settings.c): ours,
 * the original's (--poll-interval --sensitivity --loglevel
 * --global-numa-opt, --stats-ep --sched-ep), the original's variables
 * VIO4WD_CORE_SCHED_*, and options overriding variables. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "config.h"
#include "sched_settings.h"

#define MAX_ARGS 16

static struct vio_sched_settings s;
static struct vio_config cfg;
static char err[512];

/* getopt keeps pointers into argv: the strings live to the end. */
static char *kept[1024];
static size_t n_kept;

static char *keep(const char *str)
{
	char *c = strdup(str);

	assert_non_null(c);
	assert_true(n_kept < sizeof(kept) / sizeof(kept[0]));
	kept[n_kept++] = c;
	return c;
}

/* Parse "vio4wd_core_scheduler" and the NULL-terminated arguments. */
static int parse(const char *first, ...)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	va_list ap;

	argv[argc++] = keep("vio4wd_core_scheduler");
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS);
		argv[argc++] = keep(a);
	}
	va_end(ap);
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return vio_sched_parse_args(argc, argv, &s, err, sizeof(err));
}

/* The variables as the forwarder's file would give them ("" = unset). */
static void vars(const char *interval, const char *sensitivity, const char *level,
		 const char *global)
{
	vio_config_defaults(&cfg, 64);
	snprintf(cfg.sched_poll_interval, sizeof(cfg.sched_poll_interval), "%s", interval);
	snprintf(cfg.sched_sensitivity, sizeof(cfg.sched_sensitivity), "%s", sensitivity);
	snprintf(cfg.sched_log_level, sizeof(cfg.sched_log_level), "%s", level);
	snprintf(cfg.sched_global_numa_opt, sizeof(cfg.sched_global_numa_opt), "%s", global);
}

static int apply(void)
{
	memset(err, 0, sizeof(err));
	return vio_sched_apply_vars(&s, &cfg, err, sizeof(err));
}

static void test_defaults(void **state)
{
	assert_int_equal(parse(NULL), 0);
	vars("", "", "", "");
	assert_int_equal(apply(), 0);
	assert_true(s.interval == 5);
	assert_true(s.p.gain == 0.1);
	assert_true(s.p.min_load == 10000);
	assert_false(s.p.cv_rule);
	assert_false(s.p.global_numa);
	assert_int_equal(s.log_level, 6);
	assert_false(s.once || s.dry_run || s.help || s.config_explicit);
	assert_null(s.stats_ep);
	assert_null(s.sched_ep);
}

/* Every option of the original balancer (its argparse table), in the
 * forms argparse took: --opt=V and --opt V. */
static void test_original_options(void **state)
{
	assert_int_equal(parse("--stats-ep=ipc:///run/t/st", "--sched-ep", "ipc:///run/t/cs",
			       "--poll-interval=2.5", "--sensitivity", "0.3", "--loglevel=4",
			       "--global-numa-opt", NULL), 0);
	assert_string_equal(s.stats_ep, "ipc:///run/t/st");
	assert_string_equal(s.sched_ep, "ipc:///run/t/cs");
	assert_true(s.interval == 2.5);
	assert_true(s.p.cv_rule);
	assert_true(s.p.sensitivity == 0.3);
	assert_int_equal(s.log_level, 4);
	assert_true(s.p.global_numa);
	assert_int_equal(parse("--poll-interval", "7", "--loglevel", "7", NULL), 0);
	assert_true(s.interval == 7);
	assert_int_equal(s.log_level, 7);
	/* -h, --help; abbreviations argparse allowed, getopt too */
	assert_int_equal(parse("-h", NULL), 0);
	assert_true(s.help);
	assert_int_equal(parse("--help", NULL), 0);
	assert_true(s.help);
	assert_int_equal(parse("--poll=3", "--sens=0", "--glob", NULL), 0);
	assert_true(s.interval == 3);
	assert_true(s.p.cv_rule && s.p.sensitivity == 0);
	assert_true(s.p.global_numa);
}

static void test_our_options(void **state)
{
	assert_int_equal(parse("-f", "/x.conf", "--interval=0.5", "--gain=0.2", "--min-load=500",
			       "--once", "--dry-run", NULL), 0);
	assert_string_equal(s.config, "/x.conf");
	assert_true(s.config_explicit);
	assert_true(s.interval == 0.5);
	assert_true(s.p.gain == 0.2);
	assert_false(s.p.cv_rule);
	assert_true(s.p.min_load == 500);
	assert_true(s.once && s.dry_run);
	/* --interval and --poll-interval are one setting: the last wins */
	assert_int_equal(parse("--interval=1", "--poll-interval=2", NULL), 0);
	assert_true(s.interval == 2);
}

static void test_bad_options(void **state)
{
	static const char *const bad[][2] = {
		{"--poll-interval=0", "--poll-interval=0: expected a number of seconds from 0.2 to 60"},
		{"--interval=61", "--interval=61"},
		{"--poll-interval=abc", "abc"},
		{"--sensitivity=-0.25", "--sensitivity=-0.25: expected a number from 0 to 100"},
		{"--sensitivity=", "--sensitivity="},
		{"--loglevel=8", "--loglevel=8: expected a log level from 0 to 7"},
		{"--loglevel=6.5", "6.5"},
		{"--loglevel=-1", "-1"},
		{"--gain=1", "--gain=1"},
		{"--min-load=x", "--min-load=x"},
		{"--global-numa-opt=yes", "unknown option"},
		{"--bogus", "unknown option --bogus"},
		{"stray", "unexpected argument \"stray\""},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (parse(bad[i][0], NULL) != -1) {
			print_error("%s: accepted\n", bad[i][0]);
			fail();
		}
		assert_contains(err, bad[i][1]);
	}
	assert_int_equal(parse("--loglevel", NULL), -1);
	assert_contains(err, "needs a value");
	/* two rules for one decision */
	assert_int_equal(parse("--gain=0.2", "--sensitivity=0.3", NULL), -1);
	assert_contains(err, "--gain and --sensitivity");
}

/* The variables, as the original's unit passed them to its script. */
static void test_variables(void **state)
{
	assert_int_equal(parse(NULL), 0);
	vars("2", "0.4", "5", "true");
	assert_int_equal(apply(), 0);
	assert_true(s.interval == 2);
	assert_true(s.p.cv_rule);
	assert_true(s.p.sensitivity == 0.4);
	assert_int_equal(s.log_level, 5);
	assert_true(s.p.global_numa);
	/* the original's "set to anything non-null" as y, and off */
	assert_int_equal(parse(NULL), 0);
	vars("", "", "", "y");
	assert_int_equal(apply(), 0);
	assert_true(s.p.global_numa);
	assert_int_equal(parse(NULL), 0);
	vars("", "", "", "false");
	assert_int_equal(apply(), 0);
	assert_false(s.p.global_numa);
}

/* Options override variables. */
static void test_options_override_variables(void **state)
{
	assert_int_equal(parse("--interval=1", "--sensitivity=0.1", "--loglevel=3", NULL), 0);
	vars("9", "0.9", "7", "");
	assert_int_equal(apply(), 0);
	assert_true(s.interval == 1);
	assert_true(s.p.sensitivity == 0.1);
	assert_int_equal(s.log_level, 3);
	/* --gain is the other rule: it overrides the sensitivity variable */
	assert_int_equal(parse("--gain=0.3", NULL), 0);
	vars("", "0.9", "", "");
	assert_int_equal(apply(), 0);
	assert_false(s.p.cv_rule);
	assert_true(s.p.gain == 0.3);
	/* an option given: its variable is not even checked */
	assert_int_equal(parse("--poll-interval=4", "--global-numa-opt", NULL), 0);
	vars("bogus", "", "", "bogus");
	assert_int_equal(apply(), 0);
	assert_true(s.interval == 4);
	assert_true(s.p.global_numa);
}

static void test_bad_variables(void **state)
{
	static const char *const bad[][5] = {
		{"0", "", "", "", "VIO4WD_CORE_SCHED_POLL_INTERVAL=\"0\" in "},
		{"5s", "", "", "", "VIO4WD_CORE_SCHED_POLL_INTERVAL=\"5s\""},
		{"", "-1", "", "", "VIO4WD_CORE_SCHED_SENSITIVITY=\"-1\""},
		{"", "", "8", "", "VIO4WD_CORE_SCHED_LOG_LEVEL=\"8\""},
		{"", "", "", "maybe", "VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT=\"maybe\""},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(parse("--config=/etc/vio-test.conf", NULL), 0);
		vars(bad[i][0], bad[i][1], bad[i][2], bad[i][3]);
		if (apply() != -1) {
			print_error("%s: accepted\n", bad[i][4]);
			fail();
		}
		assert_contains(err, bad[i][4]);
		assert_contains(err, "/etc/vio-test.conf");
	}
}

/* From a file, through the daemon's table (src/config.c keeps them). */
static void test_from_file(void **state)
{
	char path[] = "/tmp/vio-test-sched-XXXXXX";
	const char *text = "VIO4WD_CORE_SCHED_ENABLE=true\n"
			   "VIO4WD_CORE_SCHED_SENSITIVITY=0.25\n"
			   "VIO4WD_CORE_SCHED_LOG_LEVEL=6\n"
			   "VIO4WD_CORE_SCHED_POLL_INTERVAL=\n"
			   "VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT=y\n";
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	vio_config_defaults(&cfg, 64);
	rc = vio_config_load_file(&cfg, path, err, sizeof(err));
	unlink(path);
	assert_int_equal(rc, 0);
	assert_int_equal(parse(NULL), 0);
	assert_int_equal(apply(), 0);
	assert_true(s.interval == 5); /* blank: the default */
	assert_true(s.p.cv_rule && s.p.sensitivity == 0.25);
	assert_int_equal(s.log_level, 6);
	assert_true(s.p.global_numa);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_original_options),
		cmocka_unit_test(test_our_options),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_variables),
		cmocka_unit_test(test_options_override_variables),
		cmocka_unit_test(test_bad_variables),
		cmocka_unit_test(test_from_file),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	for (size_t i = 0; i < n_kept; i++)
		free(kept[i]);
	return failed;
}
