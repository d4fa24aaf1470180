/* SPDX-License-Identifier: BSD-3-Clause */
/* Configuration file reader: see conffile.h. */
#include "conffile.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_VALUES 256
#define MAX_WORD 4096
#define MAX_FILE (1024 * 1024)

struct lexer {
	const char *p;
	unsigned line;
	char *err;
	size_t errlen;
};

static int lex_fail(struct lexer *lx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int lex_fail(struct lexer *lx, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(lx->err, lx->errlen, "line %u: %s", lx->line, msg);
	return -EINVAL;
}

/* Skip blanks (not newlines) and backslash-newline continuations. */
static void skip_blanks(struct lexer *lx)
{
	for (;;) {
		if (*lx->p == ' ' || *lx->p == '\t' || *lx->p == '\r') {
			lx->p++;
		} else if (lx->p[0] == '\\' && lx->p[1] == '\n') {
			lx->p += 2;
			lx->line++;
		} else {
			return;
		}
	}
}

static void skip_comment(struct lexer *lx)
{
	while (*lx->p && *lx->p != '\n')
		lx->p++;
}

static int push(struct lexer *lx, char *buf, size_t *n, char c)
{
	if (*n + 1 >= MAX_WORD)
		return lex_fail(lx, "value is longer than %d characters", MAX_WORD - 1);
	buf[(*n)++] = c;
	return 0;
}

static bool word_end(char c)
{
	return c == '\0' || c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ')' ||
	       c == '(';
}

/* One shell word at lx->p into buf (NUL-terminated).  hash_comment: a '#'
 * starting the word begins a comment (not so right after NAME=, as in bash). */
static int lex_word(struct lexer *lx, char *buf, bool hash_comment)
{
	size_t n = 0;

	while (!word_end(*lx->p)) {
		char c = *lx->p;

		if (c == '\'') {
			unsigned start = lx->line;

			lx->p++;
			while (*lx->p != '\'') {
				if (!*lx->p) {
					lx->line = start;
					return lex_fail(lx, "unterminated single quote");
				}
				if (*lx->p == '\n')
					lx->line++;
				if (push(lx, buf, &n, *lx->p++))
					return -EINVAL;
			}
			lx->p++;
		} else if (c == '"') {
			unsigned start = lx->line;

			lx->p++;
			while (*lx->p != '"') {
				char d = *lx->p;

				if (!d) {
					lx->line = start;
					return lex_fail(lx, "unterminated double quote");
				}
				if (d == '$' || d == '`')
					return lex_fail(lx, "shell expansion ('%c') is not "
							"supported; write the value literally", d);
				/* strchr() also finds the terminating NUL: a
				 * backslash ending the text escapes nothing. */
				if (d == '\\' && lx->p[1] && strchr("\"\\$`\n", lx->p[1])) {
					lx->p++;
					d = *lx->p;
					if (d == '\n') { /* line continuation */
						lx->line++;
						lx->p++;
						continue;
					}
				}
				if (d == '\n')
					lx->line++;
				if (push(lx, buf, &n, d))
					return -EINVAL;
				lx->p++;
			}
			lx->p++;
		} else if (c == '\\') {
			lx->p++;
			if (*lx->p == '\n') {
				lx->line++;
				lx->p++;
				continue;
			}
			if (!*lx->p)
				return lex_fail(lx, "trailing backslash");
			if (push(lx, buf, &n, *lx->p++))
				return -EINVAL;
		} else if (c == '$' || c == '`') {
			return lex_fail(lx, "shell expansion ('%c') is not supported; write the "
					"value literally", c);
		} else if (c == '#' && n == 0 && hash_comment) {
			break; /* a comment can only start a word */
		} else {
			if (push(lx, buf, &n, c))
				return -EINVAL;
			lx->p++;
		}
	}
	buf[n] = '\0';
	return 0;
}

/* After a value: blanks, optional comment, then end of line or file. */
static int expect_eol(struct lexer *lx)
{
	skip_blanks(lx);
	if (*lx->p == '#')
		skip_comment(lx);
	if (*lx->p == '\n') {
		lx->p++;
		lx->line++;
		return 0;
	}
	if (*lx->p == '\0')
		return 0;
	return lex_fail(lx, "unexpected text after the value: \"%.20s\" (quote values "
			"that contain spaces)", lx->p);
}

static void free_values(char **values, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(values[i]);
}

static int lex_array(struct lexer *lx, char **values, size_t *nvalues, char *buf)
{
	unsigned start = lx->line;

	lx->p++; /* '(' */
	for (;;) {
		skip_blanks(lx);
		if (*lx->p == '\n') {
			lx->p++;
			lx->line++;
			continue;
		}
		if (*lx->p == '#') {
			skip_comment(lx);
			continue;
		}
		if (*lx->p == ')') {
			lx->p++;
			return 0;
		}
		if (*lx->p == '\0') {
			lx->line = start;
			return lex_fail(lx, "array is not closed with ')'");
		}
		if (*lx->p == '(')
			return lex_fail(lx, "nested '(' in array");
		if (lex_word(lx, buf, true))
			return -EINVAL;
		if (*nvalues == MAX_VALUES)
			return lex_fail(lx, "array has more than %d items", MAX_VALUES);
		values[*nvalues] = strdup(buf);
		if (!values[*nvalues])
			return lex_fail(lx, "out of memory");
		(*nvalues)++;
	}
}

static int lex_assignment(struct lexer *lx, vio_conffile_cb cb, void *ctx, char *buf)
{
	char name[128];
	size_t nlen = 0;
	char *values[MAX_VALUES];
	size_t nvalues = 0;
	bool is_array = false;
	unsigned line;
	int rc;

	if (strncmp(lx->p, "export", 6) == 0 && (lx->p[6] == ' ' || lx->p[6] == '\t')) {
		lx->p += 6;
		skip_blanks(lx);
	}
	if (!isalpha((unsigned char)*lx->p) && *lx->p != '_')
		return lex_fail(lx, "expected NAME=value, found \"%.20s\"", lx->p);
	while (isalnum((unsigned char)*lx->p) || *lx->p == '_') {
		if (nlen + 1 >= sizeof(name))
			return lex_fail(lx, "variable name too long");
		name[nlen++] = *lx->p++;
	}
	name[nlen] = '\0';
	if (*lx->p != '=')
		return lex_fail(lx, "expected '=' right after %s (no spaces around '=')", name);
	lx->p++;
	line = lx->line;

	if (*lx->p == '(') {
		is_array = true;
		rc = lex_array(lx, values, &nvalues, buf);
	} else {
		rc = lex_word(lx, buf, false);
		if (rc == 0) {
			values[0] = strdup(buf);
			nvalues = values[0] ? 1 : 0;
			if (!values[0])
				rc = lex_fail(lx, "out of memory");
		}
	}
	if (rc == 0)
		rc = expect_eol(lx);
	if (rc == 0) {
		char sub[512];

		sub[0] = '\0';
		if (cb(ctx, name, (const char *const *)values, nvalues, is_array, sub,
		       sizeof(sub))) {
			lx->line = line;
			rc = lex_fail(lx, "%s", sub);
		}
	}
	free_values(values, nvalues);
	return rc;
}

int vio_conffile_parse(const char *text, vio_conffile_cb cb, void *ctx, char *err,
		       size_t errlen)
{
	struct lexer lx = {.p = text, .line = 1, .err = err, .errlen = errlen};
	char *buf = malloc(MAX_WORD);
	int rc = 0;

	if (!buf) {
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while (rc == 0 && *lx.p) {
		skip_blanks(&lx);
		if (*lx.p == '\n') {
			lx.p++;
			lx.line++;
		} else if (*lx.p == '#') {
			skip_comment(&lx);
		} else if (*lx.p) {
			rc = lex_assignment(&lx, cb, ctx, buf);
		}
	}
	free(buf);
	return rc;
}

int vio_conffile_load(const char *path, vio_conffile_cb cb, void *ctx, char *err,
		      size_t errlen)
{
	FILE *f = fopen(path, "r");
	char *text;
	size_t n;
	int rc;

	if (!f) {
		rc = -errno;
		snprintf(err, errlen, "cannot read configuration file %s: %s", path, strerror(-rc));
		return rc;
	}
	text = malloc(MAX_FILE + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -ENOMEM;
	}
	n = fread(text, 1, MAX_FILE + 1, f);
	if (ferror(f) || n > MAX_FILE) {
		rc = ferror(f) ? -errno : -EFBIG;
		snprintf(err, errlen, "cannot read configuration file %s: %s", path,
			 rc == -EFBIG ? "larger than 1 MiB" : strerror(-rc));
		fclose(f);
		free(text);
		return rc;
	}
	fclose(f);
	text[n] = '\0';
	if (memchr(text, '\0', n)) {
		snprintf(err, errlen, "configuration file %s contains NUL bytes", path);
		free(text);
		return -EINVAL;
	}
	rc = vio_conffile_parse(text, cb, ctx, err, errlen);
	if (rc) {
		char tmp[600];

		snprintf(tmp, sizeof(tmp), "%s: %s", path, err);
		snprintf(err, errlen, "%s", tmp);
	}
	free(text);
	return rc;
}
