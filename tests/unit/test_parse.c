/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/parse.c: CPU lists and masks, integers, booleans.
 * Device-side parsers are in test_parse_devices.c. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "parse.h"


static char err[VIO_ERR_MAX];

static void reset_err(void)
{
	memset(err, 0, sizeof(err));
}

/* Parse str as a CPU list and render it back ("1,3-5"). */
static const char *cpus(const char *str)
{
	static char out[512];
	struct vio_cpuset s;

	reset_err();
	if (vio_parse_cpuset(str, &s, err, sizeof(err)))
		return NULL;
	return vio_cpuset_format(&s, out, sizeof(out));
}

/* Expect str to be rejected with a message containing needle. */
static void cpus_bad(const char *str, const char *needle)
{
	struct vio_cpuset s;

	reset_err();
	assert_int_equal(vio_parse_cpuset(str, &s, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	if (needle)
		assert_contains(err, needle);
}

/* ---- CPU lists ---------------------------------------------------------- */

static void test_cpuset_list(void **state)
{
	struct vio_cpuset s;

	assert_int_equal(vio_parse_cpuset("1,2", &s, err, sizeof(err)), 0);
	assert_int_equal(vio_cpuset_count(&s), 2);
	assert_false(vio_cpuset_has(&s, 0));
	assert_true(vio_cpuset_has(&s, 1));
	assert_true(vio_cpuset_has(&s, 2));
	assert_false(vio_cpuset_has(&s, 3));
	assert_string_equal(cpus("1,2"), "1-2");
	assert_string_equal(cpus("7"), "7");
	assert_string_equal(cpus("0"), "0");
	assert_string_equal(cpus("2,1"), "1-2");
	assert_string_equal(cpus("3,3"), "3");
}

static void test_cpuset_ranges(void **state)
{
	struct vio_cpuset s;

	assert_int_equal(vio_parse_cpuset("0-3,6", &s, err, sizeof(err)), 0);
	assert_int_equal(vio_cpuset_count(&s), 5);
	for (unsigned c = 0; c <= 3; c++)
		assert_true(vio_cpuset_has(&s, c));
	assert_false(vio_cpuset_has(&s, 4));
	assert_false(vio_cpuset_has(&s, 5));
	assert_true(vio_cpuset_has(&s, 6));
	assert_string_equal(cpus("0-3,6"), "0-3,6");
	assert_string_equal(cpus("5-5"), "5");
	assert_string_equal(cpus("0-127"), "0-127");
	assert_string_equal(cpus("1,3-5,4,10-11"), "1,3-5,10-11");
}

static void test_cpuset_hex(void **state)
{
	struct vio_cpuset s;

	assert_int_equal(vio_parse_cpuset("0x6", &s, err, sizeof(err)), 0);
	assert_int_equal(vio_cpuset_count(&s), 2);
	assert_true(vio_cpuset_has(&s, 1));
	assert_true(vio_cpuset_has(&s, 2));
	assert_string_equal(cpus("0X1"), "0");
	assert_string_equal(cpus("0xff"), "0-7");
	assert_string_equal(cpus("0xAb"), "0-1,3,5,7");
	assert_string_equal(cpus("0x0006"), "1-2");
	assert_string_equal(cpus("0x10000000000000000"), "64");
	/* bit 127 is the last valid CPU */
	assert_string_equal(cpus("0x80000000000000000000000000000000"), "127");
}

static void test_cpuset_hex_bad(void **state)
{
	cpus_bad("0x", "no digits");
	cpus_bad("0X", "no digits");
	cpus_bad("0x0", "no CPU");
	cpus_bad("0xg", "0xg");
	cpus_bad("0x6 ", "0x6");
	cpus_bad("0x-1", NULL);
	/* bit 128 */
	cpus_bad("0x100000000000000000000000000000000", "127");
}

static void test_cpuset_reversed(void **state)
{
	cpus_bad("3-1", "reversed");
	cpus_bad("0,5-2", "reversed");
}

static void test_cpuset_garbage(void **state)
{
	cpus_bad("abc", "abc");
	cpus_bad("1;2", "1;2");
	cpus_bad("1-", "1-");
	cpus_bad("-1", "-1");
	cpus_bad("1.5", "1.5");
	cpus_bad("1-2-3", "1-2-3");
	cpus_bad("+1", NULL);
	cpus_bad("99999999999999999999999999", NULL);
}

static void test_cpuset_empty(void **state)
{
	struct vio_cpuset s;

	cpus_bad("", "empty");
	reset_err();
	assert_int_equal(vio_parse_cpuset(NULL, &s, err, sizeof(err)), -EINVAL);
	assert_contains(err, "empty");
}

static void test_cpuset_spaces(void **state)
{
	cpus_bad(" 1", NULL);
	cpus_bad("1 ", NULL);
	cpus_bad("1, 2", NULL);
	cpus_bad("1 ,2", NULL);
	cpus_bad("1 - 2", NULL);
}

static void test_cpuset_too_big(void **state)
{
	assert_string_equal(cpus("127"), "127");
	cpus_bad("128", "128");
	cpus_bad("1,200", "200");
	cpus_bad("100-200", "200");
	cpus_bad("4096", "4096");
}

static void test_cpuset_empty_items(void **state)
{
	cpus_bad("1,,2", "1,,2");
	cpus_bad("1,", "1,");
	cpus_bad(",1", ",1");
	cpus_bad(",", NULL);
}

static void test_cpuset_helpers(void **state)
{
	struct vio_cpuset s;

	vio_cpuset_zero(&s);
	assert_int_equal(vio_cpuset_count(&s), 0);
	assert_int_equal(vio_cpuset_next(&s, 0), -1);
	vio_cpuset_set(&s, 3);
	vio_cpuset_set(&s, 64);
	vio_cpuset_set(&s, 127);
	vio_cpuset_set(&s, 128); /* ignored: out of range */
	vio_cpuset_set(&s, 5000);
	assert_int_equal(vio_cpuset_count(&s), 3);
	assert_int_equal(vio_cpuset_next(&s, 0), 3);
	assert_int_equal(vio_cpuset_next(&s, 3), 3);
	assert_int_equal(vio_cpuset_next(&s, 4), 64);
	assert_int_equal(vio_cpuset_next(&s, 65), 127);
	assert_int_equal(vio_cpuset_next(&s, 128), -1);
	assert_false(vio_cpuset_has(&s, 128));
	assert_false(vio_cpuset_has(&s, 100000));
}

static void test_cpuset_format(void **state)
{
	struct vio_cpuset s;
	char buf[64];

	vio_cpuset_zero(&s);
	assert_string_equal(vio_cpuset_format(&s, buf, sizeof(buf)), "");
	vio_cpuset_set(&s, 1);
	vio_cpuset_set(&s, 3);
	vio_cpuset_set(&s, 4);
	vio_cpuset_set(&s, 5);
	assert_string_equal(vio_cpuset_format(&s, buf, sizeof(buf)), "1,3-5");
	assert_ptr_equal(vio_cpuset_format(&s, buf, sizeof(buf)), buf);
	vio_cpuset_set(&s, 127);
	assert_string_equal(vio_cpuset_format(&s, buf, sizeof(buf)), "1,3-5,127");
	vio_cpuset_zero(&s);
	vio_cpuset_set(&s, 63);
	vio_cpuset_set(&s, 64);
	assert_string_equal(vio_cpuset_format(&s, buf, sizeof(buf)), "63-64");
}

static void test_cpuset_format_truncates(void **state)
{
	struct vio_cpuset s;
	char buf[16];

	vio_cpuset_zero(&s);
	for (unsigned c = 0; c < 40; c += 2)
		vio_cpuset_set(&s, c);
	/* stays NUL-terminated inside the buffer and never overruns it */
	memset(buf, 'X', sizeof(buf));
	vio_cpuset_format(&s, buf, 8);
	assert_string_equal(buf, "0,2,4,6");
	assert_int_equal(buf[8], 'X');
	vio_cpuset_format(&s, buf, 1);
	assert_string_equal(buf, "");
}

/* ---- integers and booleans ---------------------------------------------- */

static void test_uint_bounds(void **state)
{
	unsigned long v = 12345;

	assert_int_equal(vio_parse_uint("0", 0, 7, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 0);
	assert_int_equal(vio_parse_uint("7", 0, 7, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 7);
	assert_int_equal(vio_parse_uint("007", 0, 7, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 7);
	v = 99;
	reset_err();
	assert_int_equal(vio_parse_uint("8", 0, 7, &v, err, sizeof(err)), -EINVAL);
	assert_int_equal(v, 99); /* untouched on error */
	assert_contains(err, "8");
	assert_contains(err, "0-7");
	reset_err();
	assert_int_equal(vio_parse_uint("63", 64, 100, &v, err, sizeof(err)), -EINVAL);
	assert_contains(err, "64-100");
	assert_int_equal(vio_parse_uint("64", 64, 100, &v, err, sizeof(err)), 0);
	assert_int_equal(v, 64);
	assert_int_equal(vio_parse_uint("18446744073709551615", 0, ~0UL, &v, err,
					sizeof(err)), 0);
	assert_true(v == ~0UL);
}

static void test_uint_malformed(void **state)
{
	static const char *const bad[] = {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0",
					  "18446744073709551616", "99999999999999999999999"};
	unsigned long v;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset_err();
		assert_int_equal(vio_parse_uint(bad[i], 0, ~0UL, &v, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
	}
	reset_err();
	assert_int_equal(vio_parse_uint("1a", 0, 10, &v, err, sizeof(err)), -EINVAL);
	assert_contains(err, "\"1a\"");
	assert_int_equal(vio_parse_uint(NULL, 0, 10, &v, err, sizeof(err)), -EINVAL);
	/* a NULL error buffer is allowed */
	assert_int_equal(vio_parse_uint("x", 0, 10, &v, NULL, 0), -EINVAL);
}

static void test_bool(void **state)
{
	static const char *const yes[] = {"true", "TRUE", "True", "yes", "Yes", "y", "Y",
					  "on", "ON", "1"};
	static const char *const no[] = {"false", "FALSE", "no", "NO", "n", "N", "off",
					 "Off", "0"};
	static const char *const bad[] = {"", "maybe", "2", "truex", "yess", " true",
					  "true ", "-1", "nope"};
	bool b;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		b = false;
		assert_int_equal(vio_parse_bool(yes[i], &b, err, sizeof(err)), 0);
		assert_true(b);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		b = true;
		assert_int_equal(vio_parse_bool(no[i], &b, err, sizeof(err)), 0);
		assert_false(b);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset_err();
		assert_int_equal(vio_parse_bool(bad[i], &b, err, sizeof(err)), -EINVAL);
		assert_true(err[0] != '\0');
	}
	reset_err();
	assert_int_equal(vio_parse_bool("maybe", &b, err, sizeof(err)), -EINVAL);
	assert_contains(err, "maybe");
}

static void test_utf8(void **state)
{
	static const char *const valid[] = {"", "abc", "\xc3\xa9", "\xe2\x82\xac",
					    "\xf0\x9f\x98\x80", "\xf4\x8f\xbf\xbf"};
	static const char *const invalid[][2] = {
		{"\xff", "?"}, {"a\x80" "b", "a?b"}, {"\xc0\xaf", "??"},       /* overlong / */
		{"\xe0\x80\xaf", "???"}, {"\xed\xa0\x80", "???"},        /* overlong, surrogate */
		{"\xf4\x90\x80\x80", "????"}, {"\xc3", "?"},              /* > U+10FFFF, cut */
		{"\xe2\x82", "??"}, {"x\xf0\x9f\x98", "x???"},
	};
	char buf[16];

	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		assert_true(vio_utf8_valid(valid[i]));
		snprintf(buf, sizeof(buf), "%s", valid[i]);
		vio_utf8_sanitize(buf);
		assert_string_equal(buf, valid[i]);
	}
	for (size_t i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++) {
		assert_false(vio_utf8_valid(invalid[i][0]));
		snprintf(buf, sizeof(buf), "%s", invalid[i][0]);
		vio_utf8_sanitize(buf);
		assert_string_equal(buf, invalid[i][1]);
		assert_true(vio_utf8_valid(buf));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_cpuset_list),
		cmocka_unit_test(test_cpuset_ranges),
		cmocka_unit_test(test_cpuset_hex),
		cmocka_unit_test(test_cpuset_hex_bad),
		cmocka_unit_test(test_cpuset_reversed),
		cmocka_unit_test(test_cpuset_garbage),
		cmocka_unit_test(test_cpuset_empty),
		cmocka_unit_test(test_cpuset_spaces),
		cmocka_unit_test(test_cpuset_too_big),
		cmocka_unit_test(test_cpuset_empty_items),
		cmocka_unit_test(test_cpuset_helpers),
		cmocka_unit_test(test_cpuset_format),
		cmocka_unit_test(test_cpuset_format_truncates),
		cmocka_unit_test(test_uint_bounds),
		cmocka_unit_test(test_uint_malformed),
		cmocka_unit_test(test_bool),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
