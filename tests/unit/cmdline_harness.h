/* SPDX-License-Identifier: BSD-3-Clause */
/* The harness of the command-line unit tests (test_cmdline.c,
 * test_cmdline_orig.c): each parse gets --config with a temporary file, so
 * the host's configuration file is never read.  Included by one test
 * program each, so its state is that program's. */
#ifndef VIO_TEST_CMDLINE_HARNESS_H
#define VIO_TEST_CMDLINE_HARNESS_H

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

#include "cmdline.h"
#include "config.h"

#define MAX_RELAYS 32
#define MAX_ARGS 32

static struct vio_config cfg;
static enum vio_cmdline_action action;
static char err[2048];
static char conf_path[64]; /* temporary configuration file, empty by default */

/* Argument strings stay allocated until the end of the program: getopt keeps
 * pointers into the argv of the previous parse. */
#define MAX_KEPT 4096
static char *kept[MAX_KEPT];
static size_t n_kept;

static inline char *keep(const char *s)
{
	char *c = strdup(s);

	assert_non_null(c);
	assert_true(n_kept < MAX_KEPT);
	kept[n_kept++] = c;
	return c;
}

static inline void write_conf(const char *text)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static inline int setup(void **state)
{
	int fd;

	strcpy(conf_path, "/tmp/vio-test-cmdline-XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	close(fd);
	vio_config_defaults(&cfg, MAX_RELAYS);
	memset(err, 0, sizeof(err));
	action = (enum vio_cmdline_action)-1;
	return 0;
}

static inline int teardown(void **state)
{
	unlink(conf_path);
	return 0;
}

/* Start over inside a test: a fresh configuration and temporary file. */
static inline void reset(void **state)
{
	teardown(state);
	setup(state);
}

/* Parse "virtio-forwarder" followed by the NULL-terminated arguments.  The
 * strings are copied: getopt may permute argv. */
static inline int parse_v(const char *first, va_list ap)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0, rc;
	const char *a;

	argv[argc++] = keep("virtio-forwarder");
	for (a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS);
		argv[argc++] = keep(a);
	}
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	rc = vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
	return rc;
}

static inline int parse(const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_v(first, ap);
	va_end(ap);
	return rc;
}

/* Parse "--config <conf_path>" followed by the NULL-terminated options. */
static inline int parse_va(const char *first, va_list ap)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	const char *a;

	argv[argc++] = keep("virtio-forwarder");
	argv[argc++] = keep("--config");
	argv[argc++] = keep(conf_path);
	for (a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS);
		argv[argc++] = keep(a);
	}
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
}

/* Parse "--config <conf_path> a [b]". */
static inline int parse_va_list2(const char *a, const char *b)
{
	char *argv[6];
	int argc = 0;

	argv[argc++] = keep("virtio-forwarder");
	argv[argc++] = keep("--config");
	argv[argc++] = keep(conf_path);
	argv[argc++] = keep(a);
	if (b)
		argv[argc++] = keep(b);
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
}

/* Expect success and VIO_CMD_RUN. */
static inline void parse_ok(const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_va(first, ap);
	va_end(ap);
	if (rc != 0) {
		print_error("parse failed: %s\n", err);
		fail();
	}
	assert_int_equal(action, VIO_CMD_RUN);
}

/* Expect an error containing needle. */
static inline void parse_bad(const char *needle, const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_va(first, ap);
	va_end(ap);
	if (rc == 0) {
		print_error("parse unexpectedly succeeded\n");
		fail();
	}
	if (needle)
		assert_contains(err, needle);
}

static const char *workers(void)
{
	static char buf[128];

	return vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf));
}

/* ---- options ------------------------------------------------------------------ */

/* Free what keep() kept: at the end of main. */
static inline void free_kept(void)
{
	for (size_t i = 0; i < n_kept; i++)
		free(kept[i]);
}

#endif
