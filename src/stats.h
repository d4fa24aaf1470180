/* SPDX-License-Identifier: BSD-3-Clause */
/* Relay statistics: consistent-enough snapshots of the per-direction
 * counters (each counter read atomically; no lock with the workers). */
#ifndef VIO_STATS_H
#define VIO_STATS_H

#include "relay.h"

void vio_stats_read(const struct vio_relay *r, struct vio_dir_stats out[VIO_NB_DIRS]);

/* What the relay's VF port dropped on receive, from its own counters (0
 * without a VF): frames it refused (too long, bad) and frames it had no room
 * for because its receive queues were not drained in time. */
struct vio_vf_drops {
	uint64_t rx_errors;
	uint64_t rx_missed;
};
void vio_stats_vf_drops(const struct vio_relay *r, struct vio_vf_drops *out);

/* Log the state and counters of every relay in use (SIGUSR1, shutdown). */
void vio_stats_log_all(void);

#endif
