/* SPDX-License-Identifier: BSD-3-Clause */
/* A fake guest behind librte_vhost's calls, for the datapath unit tests:
 * fake_vhost.c defines rte_vhost_enqueue_burst, rte_vhost_dequeue_burst
 * and the device queries relay.c makes, so the real forward.c and relay.c
 * linked into a test program call these instead of the library's (a
 * definition in the program wins over the shared library's).
 *
 * Guest RX rings (even vrings, enqueue): each takes up to room[q] more
 * packets, then refuses; what it took is logged (ring, seq, length) in
 * order.  Guest TX rings (odd vrings, dequeue): pending[q] frames wait on
 * ring q; each dequeue makes up to the count asked of them from the pool
 * given (make(), or dp_frame of len bytes, flow q) and is logged. */
#ifndef VIO_FAKE_VHOST_H
#define VIO_FAKE_VHOST_H

#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;

#define FV_RINGS 8
#define FV_LOG 1024

struct fv_pkt {
	uint16_t ring;
	uint32_t seq;
	uint32_t len;
};

struct fv_dequeue {
	uint16_t ring;
	uint16_t count; /* asked for */
	uint16_t got;
	struct rte_mempool *pool;
};

struct fake_vhost {
	/* guest RX */
	unsigned room[FV_RINGS];
	struct fv_pkt rx[FV_LOG];
	unsigned n_rx;
	unsigned enqueue_calls;
	/* guest TX */
	unsigned pending[FV_RINGS];
	uint32_t next_seq; /* seq of the next frame made, over all rings */
	uint32_t len;      /* of the frames made (default 100) */
	struct rte_mbuf *(*make)(struct rte_mempool *mp, uint16_t ring, uint32_t seq);
	struct fv_dequeue deq[FV_LOG];
	unsigned n_deq;
	/* the device, for relay.c's queries */
	int numa;
	uint64_t features;
	uint16_t vrings;
};

extern struct fake_vhost fv;

/* Every ring empty and refusing, nothing logged, features 0, NUMA 0. */
void fv_reset(void);

#endif
