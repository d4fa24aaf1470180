/* What the core pinner and the load monitor share: the worker CPUs
 * (core_sched GET_EAL_CORES) and the relays' placement (stats). */
#ifndef VIO_TOOL_CORE_MAP_H
#define VIO_TOOL_CORE_MAP_H

#include "virtioforwarder.pb-c.h"

#define VIO_MAX_WORKERS 256

/* Worker CPUs from the core_sched service; -1 after printing why. */
int vio_get_workers(const char *prog, const char *sched_ep, unsigned *cpus, unsigned *n);

/* Every relay's state (include_inactive); rates measured over delay_ms.
 * NULL after printing why. */
Virtioforwarder__StatsResponse *vio_get_relays(const char *prog, const char *stats_ep,
					       unsigned delay_ms);

/* The original tool's table: a column per worker CPU, each with the ids of
 * the relays whose VM->VF (left) and VF->VM (right) directions it serves. */
void vio_print_core_map(const unsigned *cpus, unsigned n,
			const Virtioforwarder__StatsResponse *stats);

#endif
