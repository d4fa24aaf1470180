/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake guest: see fake_vhost.h. */
#include "fake_vhost.h"

#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "dp_harness.h"

struct fake_vhost fv;

void fv_reset(void)
{
	memset(&fv, 0, sizeof(fv));
	fv.len = 100;
	fv.vrings = 2;
}

uint16_t rte_vhost_enqueue_burst(int vid, uint16_t queue_id, struct rte_mbuf **pkts, uint16_t count)
{
	uint16_t n = 0;

	(void)vid;
	fv.enqueue_calls++;
	if (queue_id >= FV_RINGS)
		return 0;
	while (n < count && fv.room[queue_id] && fv.n_rx < FV_LOG) {
		fv.rx[fv.n_rx++] = (struct fv_pkt){.ring = queue_id,
						   .seq = dp_seq(pkts[n]),
						   .len = rte_pktmbuf_pkt_len(pkts[n])};
		fv.room[queue_id]--;
		n++;
	}
	return n; /* copied: the caller frees them */
}

uint16_t rte_vhost_dequeue_burst(int vid, uint16_t queue_id, struct rte_mempool *mbuf_pool,
				 struct rte_mbuf **pkts, uint16_t count)
{
	struct fv_dequeue *d = fv.n_deq < FV_LOG ? &fv.deq[fv.n_deq++] : NULL;
	uint16_t n = 0;

	(void)vid;
	while (queue_id < FV_RINGS && n < count && fv.pending[queue_id]) {
		uint32_t seq = fv.next_seq;
		struct rte_mbuf *m = fv.make ? fv.make(mbuf_pool, queue_id, seq)
					     : dp_frame(mbuf_pool, fv.len, seq, queue_id);

		if (!m)
			break;
		pkts[n++] = m;
		fv.next_seq++;
		fv.pending[queue_id]--;
	}
	if (d)
		*d = (struct fv_dequeue){
			.ring = queue_id, .count = count, .got = n, .pool = mbuf_pool};
	return n;
}

int rte_vhost_get_numa_node(int vid)
{
	(void)vid;
	return fv.numa;
}

int rte_vhost_get_negotiated_features(int vid, uint64_t *features)
{
	(void)vid;
	*features = fv.features;
	return 0;
}

uint16_t rte_vhost_get_vring_num(int vid)
{
	(void)vid;
	return fv.vrings;
}

int rte_vhost_get_ifname(int vid, char *buf, size_t len)
{
	snprintf(buf, len, "/tmp/fake-vhost-%d.sock", vid);
	return 0;
}
