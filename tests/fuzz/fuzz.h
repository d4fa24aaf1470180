/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by the libFuzzer harnesses of tests/fuzz (built with -Dfuzz=true,
 * run by scripts/fuzz.sh).  Each harness is one fuzz_<name>.c defining
 * LLVMFuzzerTestOneInput; libFuzzer supplies main(). */
#ifndef VIO_FUZZ_H
#define VIO_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A harness's own check failed: report it like a sanitizer would (libFuzzer
 * saves the input as crash-<sha1>).  Written to file descriptor 2 itself: the
 * control-service harnesses point the stderr stream at /dev/null. */
#define FUZZ_CHECK(cond, ...)                                                         \
	do {                                                                           \
		if (!(cond)) {                                                         \
			dprintf(2, "%s:%d: check failed: %s: ", __FILE__, __LINE__,    \
				#cond);                                                \
			dprintf(2, __VA_ARGS__);                                       \
			dprintf(2, "\n");                                              \
			abort();                                                       \
		}                                                                      \
	} while (0)

/* The n bytes at data as a C string in a heap block of exactly n + 1 bytes,
 * so that AddressSanitizer catches a read one past the terminating NUL. */
static inline char *fuzz_cstr(const void *data, size_t n)
{
	char *s = malloc(n + 1);

	if (!s)
		abort();
	if (n)
		memcpy(s, data, n);
	s[n] = '\0';
	return s;
}

/* Strict UTF-8, as Python decodes it: no overlong forms, no surrogates,
 * nothing above U+10FFFF.  Written here, independently of src/parse.c. */
static inline bool fuzz_utf8_valid(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned cp, min, n;

		if (*s < 0x80) {
			s++;
			continue;
		}
		if ((*s & 0xe0) == 0xc0) {
			n = 1, cp = *s & 0x1f, min = 0x80;
		} else if ((*s & 0xf0) == 0xe0) {
			n = 2, cp = *s & 0x0f, min = 0x800;
		} else if ((*s & 0xf8) == 0xf0) {
			n = 3, cp = *s & 0x07, min = 0x10000;
		} else {
			return false;
		}
		for (unsigned i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80) /* a NUL stops here too */
				return false;
			cp = cp << 6 | (s[i] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

#endif
