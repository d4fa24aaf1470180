/* SPDX-License-Identifier: BSD-3-Clause */
/* Helpers shared by the cmocka unit tests. */
#ifndef VIO_TEST_UTIL_H
#define VIO_TEST_UTIL_H

#include <string.h>

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		const char *h_ = (hay), *n_ = (needle);                                \
		if (!strstr(h_, n_)) {                                                 \
			print_error("\"%s\" does not contain \"%s\"\n", h_, n_);       \
			fail();                                                        \
		}                                                                      \
	} while (0)

#endif
