/* Relay statistics: consistent-enough snapshots of the per-direction
 * counters (each counter read atomically; no lock with the workers). */
#ifndef VIO_STATS_H
#define VIO_STATS_H

#include "relay.h"

void vio_stats_read(const struct vio_relay *r, struct vio_dir_stats out[VIO_NB_DIRS]);

/* Frames the relay's VF port itself refused (too long, bad): its own
 * counter (0 without a VF). */
uint64_t vio_stats_vf_rx_errors(const struct vio_relay *r);

/* Log the state and counters of every relay in use (SIGUSR1, shutdown). */
void vio_stats_log_all(void);

#endif
