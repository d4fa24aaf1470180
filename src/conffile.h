/* SPDX-License-Identifier: BSD-3-Clause */
/* Reader for /etc/default/virtioforwarder: the subset of bash assignment
 * syntax that the file uses, parsed without running a shell.
 *
 *   NAME=value            # comment
 *   export NAME="double quoted \"value\""
 *   NAME='single quoted'
 *   NAME=(item1 "item 2"  # arrays may span lines and carry comments
 *         item3)
 *
 * Shell expansion ($VAR, `cmd`, $(cmd)) is rejected rather than guessed at.
 */
#ifndef VIO_CONFFILE_H
#define VIO_CONFFILE_H

#include <stdbool.h>
#include <stddef.h>

/* Called once per assignment.  values[] holds nvalues strings (a scalar
 * assignment has exactly one, possibly empty).  Return 0 to continue, or a
 * negative errno with a message in err (without the line number: the parser
 * adds it). */
typedef int (*vio_conffile_cb)(void *ctx, const char *name, const char *const *values,
			       size_t nvalues, bool is_array, char *err, size_t errlen);

/* Parse text: 0, or -EINVAL (-ENOMEM) with err reading "line N: ...". */
int vio_conffile_parse(const char *text, vio_conffile_cb cb, void *ctx, char *err,
		       size_t errlen);

/* Read and parse a file: 0, or a negative errno with the reason in err
 * (an unreadable file: its errno, the path named; -EFBIG over 1 MiB). */
int vio_conffile_load(const char *path, vio_conffile_cb cb, void *ctx, char *err,
		      size_t errlen);

#endif
