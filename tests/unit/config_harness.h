/* SPDX-License-Identifier: BSD-3-Clause */
/* The fixture of the configuration unit tests (test_config.c,
 * test_config_relays.c): a configuration with the defaults, files written
 * to a temporary path and loaded into it, validation against a fake set of
 * online CPUs (0-3).  Included by one test program each, so its state is
 * that program's. */
#ifndef VIO_TEST_CONFIG_HARNESS_H
#define VIO_TEST_CONFIG_HARNESS_H

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "config.h"

#ifndef VIO_SRC_DIR
#define VIO_SRC_DIR "/work/main"
#endif

#define MAX_RELAYS 32
#define NO_SUCH_USER "vio-no-such-user-4711"
#define NO_SUCH_GROUP "vio-no-such-group-4711"

static struct vio_config cfg;
static char err[2048];
static struct vio_cpuset online; /* fake: CPUs 0-3 */

static inline int setup(void **state)
{
	vio_config_defaults(&cfg, MAX_RELAYS);
	memset(err, 0, sizeof(err));
	vio_cpuset_zero(&online);
	for (unsigned c = 0; c < 4; c++)
		vio_cpuset_set(&online, c);
	return 0;
}

/* Write text to a temporary file and load it into cfg. */
static inline int load(const char *text)
{
	char path[] = "/tmp/vio-test-config-XXXXXX";
	size_t len = strlen(text);
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	memset(err, 0, sizeof(err));
	rc = vio_config_load_file(&cfg, path, err, sizeof(err));
	unlink(path);
	return rc;
}

static inline void load_ok(const char *text)
{
	if (load(text) != 0) {
		print_error("loading <<%s>> failed: %s\n", text, err);
		fail();
	}
}

static inline void load_bad(const char *text, const char *needle1, const char *needle2)
{
	if (load(text) == 0) {
		print_error("loading <<%s>> unexpectedly succeeded\n", text);
		fail();
	}
	if (needle1)
		assert_contains(err, needle1);
	if (needle2)
		assert_contains(err, needle2);
}

static inline int validate(void)
{
	memset(err, 0, sizeof(err));
	return vio_config_validate(&cfg, &online, err, sizeof(err));
}

/* Validation fails (-EINVAL) with an error naming needle1 and needle2
 * (either may be NULL). */
static inline void validate_bad(const char *needle1, const char *needle2)
{
	assert_int_equal(validate(), -EINVAL);
	if (needle1)
		assert_contains(err, needle1);
	if (needle2)
		assert_contains(err, needle2);
}

static inline void validate_ok(void)
{
	if (validate() != 0) {
		print_error("validation failed: %s\n", err);
		fail();
	}
}

#endif
