/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath: one poll of one relay direction.  Runs on worker lcores only.
 * Never allocates (beyond mbufs from the relay's pool), locks or logs. */
#ifndef VIO_FORWARD_H
#define VIO_FORWARD_H

#include <stdint.h>

#include "relay.h"

/* How long packets a full destination did not take are held and retried
 * before they are dropped (and counted as "queue full"). */
#define VIO_HOLD_US 500

void vio_forward_init(struct rte_mempool *drain_pool);

/* Poll d once; returns the number of packets that moved or were dropped. */
unsigned vio_forward_poll(struct vio_relay_dir *d);

/* [ctl, d quiesced] Drop what d still holds, counting it as not connected. */
void vio_forward_release(struct vio_relay_dir *d);

#endif
