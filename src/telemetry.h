/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK telemetry commands of the daemon, served on EAL's telemetry socket
 * (<runtime dir>/dpdk_telemetry.v2, root only: see eal.c):
 *
 *   /virtio_forwarder/relays        ids of the relays in use
 *   /virtio_forwarder/relay,<id>    one relay: sides, link, per-direction
 *                                   counters (drops by cause), worker CPUs
 *   /virtio_forwarder/workers       per worker CPU: the relay directions it
 *                                   serves and where its cycles went
 *
 * The callbacks run in DPDK's telemetry client threads.  They copy what they
 * report under the control lock, through the snapshot the stats service
 * uses (vio_control_relay: the two never disagree), and build the reply
 * after releasing it.  A malformed or
 * out-of-range relay id makes the command answer null.
 */
#ifndef VIO_TELEMETRY_H
#define VIO_TELEMETRY_H

/* Register the commands (once, after the relay table and the workers are
 * initialised).  0 or a negative errno; a failure is logged and is not
 * fatal (the daemon forwards without them). */
int vio_telemetry_init(void);

/* From now on the commands answer null, and no callback is still reading
 * the relay table when this returns (before the relays are torn down).
 * DPDK 22.11 cannot unregister a telemetry command. */
void vio_telemetry_fini(void);

#endif
