/* SPDX-License-Identifier: BSD-3-Clause */
/* What the core pinner, the load monitor and the load balancer share: the
 * worker CPUs (core_sched GET_EAL_CORES), the relays' placement (stats) and
 * moving relays (core_sched UPDATE). */
#ifndef VIO_TOOL_CORE_MAP_H
#define VIO_TOOL_CORE_MAP_H

#include <stddef.h>

#include "cli.h"
#include "client.h"
#include "virtioforwarder.pb-c.h"

#define VIO_MAX_WORKERS 256

/* The endpoints of the two services the core map asks, their defaults, and
 * their options --stats-ep and --sched-ep for a tool's table (cli.h). */
struct vio_core_map_eps {
	const char *stats, *sched;
};
/* (clang-format takes these initializers for blocks) */
/* clang-format off */
#define VIO_CORE_MAP_EPS {VIO_DEFAULT_EP_DIR "stats", VIO_DEFAULT_EP_DIR "core_sched"}
#define VIO_CORE_MAP_EP_OPTS(eps)                                                                  \
	{"stats-ep", required_argument, 's', &(eps).stats},                                        \
	{"sched-ep", required_argument, 'S', &(eps).sched}
/* clang-format on */

/* Worker CPUs from the core_sched service; -1 after printing why. */
int vio_get_workers(const char *prog, const char *sched_ep, unsigned *cpus, unsigned *n);

/* Every relay's state (include_inactive); rates measured over delay_ms.
 * NULL after printing why. */
Virtioforwarder__StatsResponse *vio_get_relays(const char *prog, const char *stats_ep,
					       unsigned delay_ms);

/* One core_sched UPDATE with map[0..n-1]: VIO_EXIT_OK, VIO_EXIT_NO_REPLY
 * after printing why, or VIO_EXIT_ERROR_REPLY with the daemon's reason in
 * why: "<error_code_source> (<errno text>)". */
int vio_move_relays(const char *prog, const char *sched_ep,
		    Virtioforwarder__CoreSchedRequest__RelayCPU **map, size_t n, char *why,
		    size_t len);

/* The original tool's table: a column per worker CPU, each with the ids of
 * the relays whose VM->VF (left) and VF->VM (right) directions it serves. */
void vio_print_core_map(const unsigned *cpus, unsigned n,
			const Virtioforwarder__StatsResponse *stats);

#endif
