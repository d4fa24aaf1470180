/* SPDX-License-Identifier: BSD-3-Clause */
/* The VF side of a relay: a DPDK ethdev port hot-plugged at run time from a
 * PCI address or a virtual device string, configured with one queue pair.
 * Attaching, configuring, starting, stopping, resetting and detaching a port
 * and creating a relay's pool are control operations: [ctl], the control
 * lock held (asserted, ctl_lock.h).  int-returning ones: 0 or a negative
 * errno (with a message in err where they take one). */
#ifndef VIO_VF_PORT_H
#define VIO_VF_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "parse.h"

/* The most packets one poll takes from a VF port or a guest's ring (the
 * datapath's burst; a relay's buffer pool has room for those it holds). */
#define VIO_BURST 32

struct rte_mempool;

struct vio_vf_opts {
	bool jumbo;          /* 9000-byte MTU, scattered RX / multi-segment TX */
	unsigned relay_id;   /* for names and messages */
	bool bond;           /* a bond port: its PMD sets the members' MTU as it starts them */
	bool rx_intr;        /* out: RX interrupts configured (idle sleeping) */
	uint16_t mtu;        /* out: the MTU the port got */
	bool tx_csum;        /* out: the port completes TCP/UDP checksums */
};

/* Probe the device and find its port.  Fails if a port of that name exists
 * already (in use by another relay) or the device cannot be probed. */
int vio_vf_attach(const struct vio_vf_dev *dev, uint16_t *port_id, char *err, size_t errlen);

/* NUMA node of the port, or -1 when unknown. */
int vio_vf_numa(uint16_t port_id);

/* A pool of n 2 KiB mbufs on numa (-1: any node). */
struct rte_mempool *vio_mbuf_pool_create(const char *name, unsigned n, unsigned cache, int numa);

/* Create a buffer pool for the relay on numa (-1: any); with fallback, on
 * any node when numa has no memory left. */
struct rte_mempool *vio_vf_pool_create(unsigned relay_id, int numa, bool jumbo, bool fallback);

/* The NUMA node a pool's memory is really on (a pool created for "any"
 * node has socket_id -1 but memory on one), -1 when unknown. */
int vio_pool_node(const struct rte_mempool *mp);

/* Configure one RX and one TX queue on pool; not started. */
int vio_vf_configure(uint16_t port_id, struct rte_mempool *pool, struct vio_vf_opts *o,
		     char *err, size_t errlen);

/* Reset the port (a driver's request) and configure it again on pool, as
 * vio_vf_configure does; not started. */
int vio_vf_reset(uint16_t port_id, struct rte_mempool *pool, struct vio_vf_opts *o, char *err,
		 size_t errlen);

int vio_vf_start(uint16_t port_id);
void vio_vf_stop(uint16_t port_id);

/* Close the port and remove the device. */
void vio_vf_detach(uint16_t port_id);

#endif
