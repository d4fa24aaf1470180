/* SPDX-License-Identifier: BSD-3-Clause */
/* Relay directions and their cumulative counters (DPDK-free: shared by the
 * datapath, the stats service and the unit tests). */
#ifndef VIO_COUNTERS_H
#define VIO_COUNTERS_H

#include <stdint.h>

enum vio_dir { VIO_DIR_VF_TO_VM = 0, VIO_DIR_VM_TO_VF = 1, VIO_NB_DIRS = 2 };

/* Cumulative per-direction counters, written only by the worker serving the
 * direction (relaxed atomic stores), read by anyone (relaxed loads). */
struct vio_dir_stats {
	uint64_t rx_pkts, rx_bytes;        /* from the source side */
	uint64_t tx_pkts, tx_bytes;        /* delivered to the destination */
	uint64_t full_pkts, full_bytes;    /* dropped: destination queue full */
	uint64_t nc_pkts, nc_bytes;        /* dropped: destination not connected */
	uint64_t long_pkts, long_bytes;    /* dropped: longer than the VF's MTU allows */
	uint64_t busy_cycles;              /* TSC cycles of its polls that took packets */
	uint64_t busy_polls;               /* its polls that took packets */
	uint64_t announce_pkts;            /* VM->VF: RARPs sent for a migrating guest */
};

/* Where a worker's time goes, in TSC cycles since it started (written by
 * the worker only, relaxed atomic stores; read by anyone).  Every cycle is
 * in one of three: busy (passes over its directions that took packets),
 * idle (passes that took none) or asleep (waiting for input, with what it
 * takes to arm and disarm the wake-up sources). */
struct vio_worker_stats {
	unsigned cpu;
	uint64_t busy_cycles, idle_cycles, sleep_cycles;
	uint64_t busy_passes, idle_passes;
	uint64_t pkts;                     /* packets taken in (both directions) */
	uint64_t tsc_hz;
};

/* Single writer (the owning worker); readers use relaxed loads. */
static inline void vio_stat_add(uint64_t *ctr, uint64_t v)
{
	__atomic_store_n(ctr, *ctr + v, __ATOMIC_RELAXED);
}

#endif
