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
};

#endif
