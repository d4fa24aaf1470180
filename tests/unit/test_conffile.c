/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/conffile.c: the bash-subset reader of
 * /etc/default/virtioforwarder. */
#include <errno.h>
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

#include "conffile.h"


#define MAX_REC 16
#define MAX_VALS 16

struct rec {
	char name[64];
	char values[MAX_VALS][128];
	size_t nvalues;
	bool is_array;
};

struct recorder {
	struct rec recs[MAX_REC];
	size_t n;
	const char *fail_name; /* callback fails for this variable */
};

static struct recorder R;
static char err[1024];

static int record_cb(void *ctx, const char *name, const char *const *values, size_t nvalues,
		     bool is_array, char *cerr, size_t cerrlen)
{
	struct recorder *r = ctx;
	struct rec *e;

	if (r->fail_name && strcmp(name, r->fail_name) == 0) {
		snprintf(cerr, cerrlen, "callback rejects %s", name);
		return -EINVAL;
	}
	if (r->n == MAX_REC || nvalues > MAX_VALS) {
		snprintf(cerr, cerrlen, "recorder full");
		return -ENOSPC;
	}
	e = &r->recs[r->n++];
	snprintf(e->name, sizeof(e->name), "%s", name);
	for (size_t i = 0; i < nvalues; i++)
		snprintf(e->values[i], sizeof(e->values[i]), "%s", values[i]);
	e->nvalues = nvalues;
	e->is_array = is_array;
	return 0;
}

static int parse(const char *text)
{
	memset(&R, 0, sizeof(R));
	memset(err, 0, sizeof(err));
	return vio_conffile_parse(text, record_cb, &R, err, sizeof(err));
}

static void expect_ok(const char *text)
{
	if (parse(text) != 0) {
		print_error("parse of <<%s>> failed: %s\n", text, err);
		fail();
	}
}

/* Entry i is a scalar name=value. */
static void expect_scalar(size_t i, const char *name, const char *value)
{
	assert_true(i < R.n);
	assert_string_equal(R.recs[i].name, name);
	assert_false(R.recs[i].is_array);
	assert_int_equal(R.recs[i].nvalues, 1);
	assert_string_equal(R.recs[i].values[0], value);
}

/* Parse must fail with "line N" and the given fragment in the message. */
static void expect_error(const char *text, unsigned line, const char *needle)
{
	char want[32];

	if (parse(text) == 0) {
		print_error("parse of <<%s>> unexpectedly succeeded\n", text);
		fail();
	}
	snprintf(want, sizeof(want), "line %u:", line);
	assert_contains(err, want);
	if (needle)
		assert_contains(err, needle);
}

/* ---- accepted syntax -------------------------------------------------------- */

static void test_plain(void **state)
{
	expect_ok("A=1\nB=hello\nC_2=/usr/lib/x.so\n_D=0x6\n");
	assert_int_equal(R.n, 4);
	expect_scalar(0, "A", "1");
	expect_scalar(1, "B", "hello");
	expect_scalar(2, "C_2", "/usr/lib/x.so");
	expect_scalar(3, "_D", "0x6");
	/* no final newline, blank lines, leading blanks, CRLF */
	expect_ok("\n\n  A=1\n\t\nB=2\r\nC=3");
	assert_int_equal(R.n, 3);
	expect_scalar(0, "A", "1");
	expect_scalar(1, "B", "2");
	expect_scalar(2, "C", "3");
	/* '=' inside the value */
	expect_ok("S=0000:05:08.1=1\n");
	expect_scalar(0, "S", "0000:05:08.1=1");
	expect_ok("");
	assert_int_equal(R.n, 0);
}

static void test_export(void **state)
{
	expect_ok("export A=1\nexport\tB=two\nexport    C='x y'\n");
	assert_int_equal(R.n, 3);
	expect_scalar(0, "A", "1");
	expect_scalar(1, "B", "two");
	expect_scalar(2, "C", "x y");
	/* "export" that is the start of a name */
	expect_ok("exported=1\n");
	expect_scalar(0, "exported", "1");
}

static void test_comments(void **state)
{
	expect_ok("# whole line\n   # indented comment\nA=1 # after value\nB=a#b\n"
		  "C=x#y   # real comment\nD='q' #c\n#E=2\n");
	assert_int_equal(R.n, 4);
	expect_scalar(0, "A", "1");
	expect_scalar(1, "B", "a#b");
	expect_scalar(2, "C", "x#y");
	expect_scalar(3, "D", "q");
	/* a comment right after '=' (separated by a blank) leaves the value empty */
	expect_ok("E= # nothing\n");
	expect_scalar(0, "E", "");
	/* a comment without a final newline */
	expect_ok("A=1 #end");
	expect_scalar(0, "A", "1");
}

static void test_hash_right_after_equals(void **state)
{
	/* In bash '#' only starts a comment at the start of a word, and "A=#x" is a
	 * single word: A gets "#x". */
	expect_ok("A=#x\n");
	expect_scalar(0, "A", "#x");
}

static void test_single_quotes(void **state)
{
	expect_ok("A='x y'\nB='a\\b'\nC='$HOME `ls`'\nD='say \"hi\"'\nE='#no comment'\n");
	assert_int_equal(R.n, 5);
	expect_scalar(0, "A", "x y");
	expect_scalar(1, "B", "a\\b");
	expect_scalar(2, "C", "$HOME `ls`");
	expect_scalar(3, "D", "say \"hi\"");
	expect_scalar(4, "E", "#no comment");
}

static void test_double_quotes(void **state)
{
	expect_ok("A=\"p q\"\nB=\"x\\\"y\\\\z\\$w\\`v\"\nC=\"a\\nb\"\nD=\"it's\"\n"
		  "E=\"# not a comment\"\n");
	assert_int_equal(R.n, 5);
	expect_scalar(0, "A", "p q");
	expect_scalar(1, "B", "x\"y\\z$w`v");
	expect_scalar(2, "C", "a\\nb"); /* \n is not an escape in bash double quotes */
	expect_scalar(3, "D", "it's");
	expect_scalar(4, "E", "# not a comment");
}

static void test_mixed_quoting(void **state)
{
	expect_ok("A=pre'mid'\"post\"\nB=a\\ b\nC=\\$x\nD=\"multi\nline\"\nE=1\n");
	assert_int_equal(R.n, 5);
	expect_scalar(0, "A", "premidpost");
	expect_scalar(1, "B", "a b");
	expect_scalar(2, "C", "$x");
	expect_scalar(3, "D", "multi\nline");
	expect_scalar(4, "E", "1");
}

static void test_empty_values(void **state)
{
	expect_ok("A=\nB=''\nC=\"\"\nD=   \nE=\t# c\n");
	assert_int_equal(R.n, 5);
	expect_scalar(0, "A", "");
	expect_scalar(1, "B", "");
	expect_scalar(2, "C", "");
	expect_scalar(3, "D", "");
	expect_scalar(4, "E", "");
	expect_ok("A=");
	expect_scalar(0, "A", "");
}

static void test_array_one_line(void **state)
{
	expect_ok("A=(x y z)\nB=()\nC=(one)\nD=(  spaced\titems  ) # comment\n");
	assert_int_equal(R.n, 4);
	assert_string_equal(R.recs[0].name, "A");
	assert_true(R.recs[0].is_array);
	assert_int_equal(R.recs[0].nvalues, 3);
	assert_string_equal(R.recs[0].values[0], "x");
	assert_string_equal(R.recs[0].values[1], "y");
	assert_string_equal(R.recs[0].values[2], "z");
	assert_string_equal(R.recs[1].name, "B");
	assert_true(R.recs[1].is_array);
	assert_int_equal(R.recs[1].nvalues, 0);
	assert_true(R.recs[2].is_array);
	assert_int_equal(R.recs[2].nvalues, 1);
	assert_string_equal(R.recs[2].values[0], "one");
	assert_int_equal(R.recs[3].nvalues, 2);
	assert_string_equal(R.recs[3].values[0], "spaced");
	assert_string_equal(R.recs[3].values[1], "items");
}

static void test_array_multi_line(void **state)
{
	expect_ok("A=(x # first\n"
		  "   y\n"
		  "   # a whole-line comment\n"
		  "\n"
		  "   z a#b\n"
		  ")\n"
		  "B=1\n");
	assert_int_equal(R.n, 2);
	assert_true(R.recs[0].is_array);
	assert_int_equal(R.recs[0].nvalues, 4);
	assert_string_equal(R.recs[0].values[0], "x");
	assert_string_equal(R.recs[0].values[1], "y");
	assert_string_equal(R.recs[0].values[2], "z");
	assert_string_equal(R.recs[0].values[3], "a#b");
	expect_scalar(1, "B", "1");
	/* the line count after a multi-line array is right */
	expect_error("A=(x\ny\nz)\nB=c d\n", 4, "unexpected text");
}

static void test_array_quoted_items(void **state)
{
	expect_ok("A=('a b' \"c d\" e\\ f \"g\\\"h\" '' \"(paren)\")\n");
	assert_int_equal(R.n, 1);
	assert_true(R.recs[0].is_array);
	assert_int_equal(R.recs[0].nvalues, 6);
	assert_string_equal(R.recs[0].values[0], "a b");
	assert_string_equal(R.recs[0].values[1], "c d");
	assert_string_equal(R.recs[0].values[2], "e f");
	assert_string_equal(R.recs[0].values[3], "g\"h");
	assert_string_equal(R.recs[0].values[4], "");
	assert_string_equal(R.recs[0].values[5], "(paren)");
}

static void test_continuation(void **state)
{
	expect_ok("A=abc\\\ndef\nB=(x \\\n y)\nC=\"one \\\ntwo\"\nexport \\\n  D=4\n");
	assert_int_equal(R.n, 4);
	expect_scalar(0, "A", "abcdef");
	assert_int_equal(R.recs[1].nvalues, 2);
	assert_string_equal(R.recs[1].values[0], "x");
	assert_string_equal(R.recs[1].values[1], "y");
	expect_scalar(2, "C", "one two");
	expect_scalar(3, "D", "4");
	/* continuations count as lines */
	expect_error("A=a\\\nb\nB=$x\n", 3, "expansion");
	expect_error("A=1 \\\n  \\\n  B=2\n", 3, "unexpected text");
}

/* ---- errors --------------------------------------------------------------------- */

static void test_unterminated_single(void **state)
{
	expect_error("X=1\nA='abc\nB=2\n", 2, "unterminated single quote");
	expect_error("A='abc", 1, "unterminated single quote");
	expect_error("X=1\nY=2\nA=(a 'b\nc)\n", 3, "unterminated single quote");
}

static void test_unterminated_double(void **state)
{
	expect_error("X=1\nY=2\nA=\"abc\nB=2\n\n", 3, "unterminated double quote");
	expect_error("A=\"abc\\\"", 1, "unterminated double quote");
	/* quote opened after a continuation line */
	expect_error("A=x\\\ny\nB=\"open\n", 3, "unterminated double quote");
}

/* A backslash as the file's last byte inside double quotes escapes the
 * terminating NUL: the lexer read past the buffer (issue 13, defect 11;
 * ASan, which the sanitizer run of the unit tests uses, reports it).  The
 * text sits in a heap buffer of exactly its length + 1. */
static void test_backslash_at_end_in_quotes(void **state)
{
	static const char *const texts[] = {"A=\"x\\", "A=\"\\", "A=(\"a\\", "X=1\nA=\"x\\"};
	static const unsigned lines[] = {1, 1, 1, 2};

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		char *t = strdup(texts[i]);

		expect_error(t, lines[i], "unterminated double quote");
		free(t);
	}
}

static void test_unclosed_array(void **state)
{
	expect_error("X=1\nA=(a b\nc\n", 2, "not closed");
	expect_error("A=(", 1, "not closed");
	expect_error("X=1\n\nA=(a # comment )\n", 3, "not closed");
}

static void test_spaces_around_equals(void **state)
{
	expect_error("X=1\nNAME = value\n", 2, "'='");
	expect_error("NAME =value\n", 1, "NAME");
	expect_error("X=1\nNAME= value\n", 2, "unexpected text");
	expect_error("NAME\n", 1, "'='");
}

static void test_expansion_rejected(void **state)
{
	expect_error("A=$HOME\n", 1, "expansion");
	expect_error("X=1\nA=\"$HOME\"\n", 2, "expansion");
	expect_error("A=`ls`\n", 1, "expansion");
	expect_error("A=\"`ls`\"\n", 1, "expansion");
	expect_error("A=$(ls)\n", 1, "expansion");
	expect_error("A=x${Y}\n", 1, "expansion");
	expect_error("X=1\nY=2\nA=(a $b)\n", 3, "expansion");
}

static void test_text_after_value(void **state)
{
	expect_error("X=1\n\nA=b c\n", 3, "unexpected text");
	expect_error("A='b' c\n", 1, "unexpected text");
	expect_error("A=(x) y\n", 1, "unexpected text");
	expect_error("A=1 B=2\n", 1, "unexpected text");
	expect_error("A=b)\n", 1, "unexpected text");
}

static void test_nested_paren(void **state)
{
	expect_error("A=(a (b))\n", 1, "nested");
	expect_error("X=1\nA=(a\n(b))\n", 3, "nested");
	expect_error("A=a(b)\n", 1, NULL);
}

static void test_invalid_name(void **state)
{
	expect_error("1A=b\n", 1, "NAME=value");
	expect_error("X=1\n-A=b\n", 2, NULL);
	expect_error("A-B=1\n", 1, NULL);
	expect_error("=1\n", 1, NULL);
	expect_error("A.B=1\n", 1, NULL);
	expect_error("X=1\nY=2\nZ=3\n$A=1\n", 4, NULL);
}

static void test_trailing_backslash(void **state)
{
	expect_error("A=abc\\", 1, "backslash");
}

static void test_callback_error(void **state)
{
	memset(&R, 0, sizeof(R));
	R.fail_name = "BAD";
	memset(err, 0, sizeof(err));
	assert_int_equal(vio_conffile_parse("A=1\nBAD=2\nC=3\n", record_cb, &R, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "line 2:");
	assert_contains(err, "callback rejects BAD");
	assert_int_equal(R.n, 1); /* A was delivered, C never reached */

	/* an array spanning lines is reported at the line of its assignment */
	memset(&R, 0, sizeof(R));
	R.fail_name = "BAD";
	assert_int_equal(
		vio_conffile_parse("A=1\n\nBAD=(a\nb\nc)\n", record_cb, &R, err, sizeof(err)),
		-EINVAL);
	assert_contains(err, "line 3:");
}

/* ---- files ----------------------------------------------------------------------- */

static void write_file(char *path, const char *text, size_t len)
{
	int fd;

	strcpy(path, "/tmp/vio-test-conffile-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
}

static void test_load_missing(void **state)
{
	const char *path = "/nonexistent/vio-test/virtioforwarder";

	memset(&R, 0, sizeof(R));
	assert_int_equal(vio_conffile_load(path, record_cb, &R, err, sizeof(err)), -ENOENT);
	assert_contains(err, path);
	assert_int_equal(R.n, 0);
}

static void test_load_file(void **state)
{
	static const char text[] = "# test\nA=1\nB=(x 'y z')\n";
	char path[64];
	int rc;

	write_file(path, text, strlen(text));
	memset(&R, 0, sizeof(R));
	rc = vio_conffile_load(path, record_cb, &R, err, sizeof(err));
	unlink(path);
	assert_int_equal(rc, 0);
	assert_int_equal(R.n, 2);
	expect_scalar(0, "A", "1");
	assert_true(R.recs[1].is_array);
	assert_int_equal(R.recs[1].nvalues, 2);
	assert_string_equal(R.recs[1].values[1], "y z");
}

static void test_load_file_error(void **state)
{
	static const char text[] = "A=1\nB=\"open\n";
	char path[64];
	int rc;

	write_file(path, text, strlen(text));
	memset(&R, 0, sizeof(R));
	rc = vio_conffile_load(path, record_cb, &R, err, sizeof(err));
	unlink(path);
	assert_int_equal(rc, -EINVAL);
	assert_contains(err, path);
	assert_contains(err, "line 2:");
	assert_contains(err, "unterminated double quote");
}

static void test_load_file_nul(void **state)
{
	static const char text[] = "A=1\0\nB=2\n";
	char path[64];
	int rc;

	write_file(path, text, sizeof(text) - 1);
	memset(&R, 0, sizeof(R));
	rc = vio_conffile_load(path, record_cb, &R, err, sizeof(err));
	unlink(path);
	assert_int_equal(rc, -EINVAL);
	assert_contains(err, path);
	assert_contains(err, "NUL");
}

static void test_load_file_too_big(void **state)
{
	size_t len = 1024 * 1024 + 10;
	char *text = malloc(len);
	char path[64];
	int rc;

	assert_non_null(text);
	memset(text, '#', len);
	write_file(path, text, len);
	free(text);
	memset(&R, 0, sizeof(R));
	rc = vio_conffile_load(path, record_cb, &R, err, sizeof(err));
	unlink(path);
	assert_int_equal(rc, -EFBIG);
	assert_contains(err, path);
	assert_contains(err, "1 MiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_export),
		cmocka_unit_test(test_comments),
		cmocka_unit_test(test_hash_right_after_equals),
		cmocka_unit_test(test_single_quotes),
		cmocka_unit_test(test_double_quotes),
		cmocka_unit_test(test_mixed_quoting),
		cmocka_unit_test(test_empty_values),
		cmocka_unit_test(test_array_one_line),
		cmocka_unit_test(test_array_multi_line),
		cmocka_unit_test(test_array_quoted_items),
		cmocka_unit_test(test_continuation),
		cmocka_unit_test(test_unterminated_single),
		cmocka_unit_test(test_unterminated_double),
		cmocka_unit_test(test_backslash_at_end_in_quotes),
		cmocka_unit_test(test_unclosed_array),
		cmocka_unit_test(test_spaces_around_equals),
		cmocka_unit_test(test_expansion_rejected),
		cmocka_unit_test(test_text_after_value),
		cmocka_unit_test(test_nested_paren),
		cmocka_unit_test(test_invalid_name),
		cmocka_unit_test(test_trailing_backslash),
		cmocka_unit_test(test_callback_error),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_file_error),
		cmocka_unit_test(test_load_file_nul),
		cmocka_unit_test(test_load_file_too_big),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
