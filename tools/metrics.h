/* SPDX-License-Identifier: BSD-3-Clause */
/* The Prometheus text exposition format (version 0.0.4) of a stats reply:
 * what virtioforwarder_exporter serves on /metrics.  Pure rendering, no I/O,
 * so that it is unit-tested on hand-made replies.  Every family and its unit
 * are listed in docs/operation.md, "Prometheus metrics". */
#ifndef VIO_TOOL_METRICS_H
#define VIO_TOOL_METRICS_H

#include <stddef.h>

#include "virtioforwarder.pb-c.h"

#define VIO_METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct vio_metrics_src {
	/* The stats service's reply; NULL (or a status other than OK) when the
	 * daemon did not answer: then only virtioforwarder_up 0 and the build
	 * information are rendered. */
	const Virtioforwarder__StatsResponse *stats;
	/* The config service's reply, for the CPUs assigned to relays (pins
	 * included); NULL when not asked or not answered. */
	const Virtioforwarder__ConfigResponse *config;
	const char *version;      /* labels of virtioforwarder_build_info */
	const char *dpdk_version;
};

/* Render the whole exposition into a malloc'd NUL-terminated text: *out
 * (free it), its length in *len.  0, or -ENOMEM (nothing to free). */
int vio_metrics_render(const struct vio_metrics_src *src, char **out, size_t *len);

/* A label value escaped for the text format: backslash, double quote and
 * newline escaped, bytes that are not valid UTF-8 replaced by '?'.  A
 * malloc'd string (free it), or NULL when out of memory. */
char *vio_metrics_escape_label(const char *value);

#endif
