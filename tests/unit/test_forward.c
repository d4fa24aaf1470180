/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath (src/forward.c) on real mbufs: a net_ring port is the VF, a
 * fake of librte_vhost's enqueue and dequeue calls is the guest
 * (fake_vhost.c).  Every frame carries a sequence number, so each test
 * checks which frames went where, in what order, and under which counter
 * the others were dropped; and that every mbuf is back in its pool. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>

#include "dp_harness.h"
#include "fake_vhost.h"
#include "flowhash.h"
#include "forward.h"

#define DRAIN_SIZE 255
#define MAX_FRAME 1522                     /* MTU 1500 with two VLAN tags */
#define RX_RING(n) (1ULL << (2 * (n)))     /* guest RX queue n: vring 2n */
#define TX_RING(n) (1ULL << (2 * (n) + 1)) /* guest TX queue n: vring 2n+1 */

static struct vio_relay relay;
static struct vio_relay_dir *const to_vm = &relay.dirs[VIO_DIR_VF_TO_VM];
static struct vio_relay_dir *const to_vf = &relay.dirs[VIO_DIR_VM_TO_VF];
static struct rte_mempool *drain;
static unsigned pool_base, drain_base; /* mbufs free when the test began */

/* Drop what the relay holds, take what the VF got. */
static void clean_up(void)
{
	struct rte_mbuf *m[32];
	uint16_t n;

	for (int d = 0; d < VIO_NB_DIRS; d++)
		if (relay.dirs[d].relay)
			vio_forward_release(&relay.dirs[d]);
	dp_vf_sent(NULL, NULL, UINT_MAX);
	while ((n = rte_eth_rx_burst(dp_vf_port, 0, m, 32)) > 0)
		rte_pktmbuf_free_bulk(m, n);
}

/* A relay with its VF (the ring port) and a guest with queue pair 0.
 * (What a failed test left is cleaned up first, so that it fails alone.) */
static int reset(void **state)
{
	(void)state;
	clean_up();
	pool_base = rte_mempool_avail_count(dp_pool);
	drain_base = rte_mempool_avail_count(drain);
	dp_relay(&relay, MAX_FRAME);
	fv_reset();
	return 0;
}

/* At the end of a test: every mbuf it took is back in its pool. */
static void finish(void)
{
	clean_up();
	assert_int_equal(rte_mempool_avail_count(dp_pool), pool_base);
	assert_int_equal(rte_mempool_avail_count(drain), drain_base);
}

/* n frames of len bytes, seq first.., flow flow, arrive at the VF. */
static void vf_gets(unsigned n, uint32_t first, uint32_t len, uint16_t flow)
{
	struct rte_mbuf *m[64];

	assert_true(n <= 64);
	for (unsigned i = 0; i < n; i++) {
		m[i] = dp_frame(dp_pool, len, first + i, flow);
		assert_non_null(m[i]);
	}
	dp_vf_receive(m, n);
}

/* The guest sends n frames on its first TX ring; one poll takes them all
 * in (what it returns counts them whatever became of them). */
static void guest_sends(unsigned n)
{
	fv.pending[1] = n;
	assert_int_equal(vio_forward_poll(to_vf), n);
}

/* The guest got frames first..first+n-1, in order, from fv.rx[from]. */
static void guest_got_seqs(unsigned from, uint32_t first, unsigned n)
{
	assert_true(fv.n_rx >= from + n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(fv.rx[from + i].seq, first + i);
}

/* The VF sent exactly frames first..first+n-1, in order. */
static void vf_sent_seqs(uint32_t first, unsigned n)
{
	uint32_t seq[64];

	assert_int_equal(dp_vf_sent(seq, NULL, 64), n);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(seq[i], first + i);
}

static void assert_counts(const struct vio_dir_stats *s, uint64_t rx, uint64_t tx, uint64_t full,
			  uint64_t nc, uint64_t too_long)
{
	assert_int_equal(s->rx_pkts, rx);
	assert_int_equal(s->tx_pkts, tx);
	assert_int_equal(s->full_pkts, full);
	assert_int_equal(s->nc_pkts, nc);
	assert_int_equal(s->long_pkts, too_long);
}

/* The held frames' deadline: VIO_HOLD_US after the hold, measured around
 * the poll that held them. */
static void assert_deadline(uint64_t before, uint64_t after, uint64_t deadline)
{
	uint64_t hold = rte_get_tsc_hz() / 1000000 * VIO_HOLD_US;

	assert_true(deadline >= before + hold);
	assert_true(deadline <= after + hold);
}

static void vf_to_vm_delivers_in_order(void **state)
{
	(void)state;
	relay.vring_enabled = RX_RING(1) | TX_RING(1); /* one ring, not ring 0 */
	fv.room[2] = 64;
	vf_gets(10, 0, 100, 0);
	assert_int_equal(vio_forward_poll(to_vm), 10);
	assert_int_equal(fv.n_rx, 10);
	guest_got_seqs(0, 0, 10);
	for (unsigned i = 0; i < 10; i++) {
		assert_int_equal(fv.rx[i].ring, 2);
		assert_int_equal(fv.rx[i].len, 100);
	}
	assert_counts(&to_vm->st, 10, 10, 0, 0, 0);
	assert_int_equal(to_vm->st.rx_bytes, 1000);
	assert_int_equal(to_vm->st.tx_bytes, 1000);
	assert_int_equal(to_vm->n_held, 0);
	assert_int_equal(vio_forward_poll(to_vm), 0); /* nothing more */
	finish();
}

/* A full guest ring: what it refused is held, retried first and in order;
 * nothing new is taken from the VF until the backlog is gone. */
static void vf_to_vm_full_ring_held_in_order(void **state)
{
	uint64_t before, after;

	(void)state;
	fv.room[0] = 3;
	vf_gets(10, 0, 100, 0);
	before = rte_get_tsc_cycles();
	assert_int_equal(vio_forward_poll(to_vm), 10);
	after = rte_get_tsc_cycles();
	assert_int_equal(fv.n_rx, 3);
	assert_int_equal(to_vm->n_held, 7);
	assert_int_equal(dp_seq(to_vm->held[to_vm->held_first]), 3);
	assert_deadline(before, after, to_vm->held_deadline);
	to_vm->held_deadline = UINT64_MAX; /* no time limit in this test */

	fv.room[0] = 2;
	vf_gets(5, 10, 100, 0);
	assert_int_equal(vio_forward_poll(to_vm), 2); /* 3 and 4 */
	assert_int_equal(to_vm->n_held, 5);
	assert_int_equal(dp_seq(to_vm->held[to_vm->held_first]), 5);
	assert_int_equal(to_vm->st.rx_pkts, 10); /* 10..14 still wait at the VF */

	fv.room[0] = 100;
	assert_int_equal(vio_forward_poll(to_vm), 5 + 5);
	assert_int_equal(to_vm->n_held, 0);
	assert_int_equal(to_vm->held_first, 0);
	assert_int_equal(fv.n_rx, 15);
	guest_got_seqs(0, 0, 15);
	assert_counts(&to_vm->st, 15, 15, 0, 0, 0);
	assert_int_equal(to_vm->st.tx_bytes, 1500);
	finish();
}

/* The same towards a VF whose TX ring is full (it takes DP_VF_TX_ROOM). */
static void vm_to_vf_full_ring_held_in_order(void **state)
{
	(void)state;
	guest_sends(20);
	assert_int_equal(fv.n_deq, 1);
	assert_int_equal(fv.deq[0].count, VIO_BURST);
	assert_ptr_equal(fv.deq[0].pool, dp_pool);
	assert_int_equal(to_vf->n_held, 12);
	to_vf->held_deadline = UINT64_MAX;
	vf_sent_seqs(0, 8);

	assert_int_equal(vio_forward_poll(to_vf), 8);
	assert_int_equal(fv.n_deq, 1); /* nothing new while frames are held */
	assert_int_equal(to_vf->n_held, 4);
	vf_sent_seqs(8, 8);

	fv.pending[1] = 5;
	assert_int_equal(vio_forward_poll(to_vf), 4 + 5); /* 16..19, then 20..23 */
	assert_int_equal(fv.n_deq, 2);
	assert_int_equal(to_vf->n_held, 1);
	assert_int_equal(dp_seq(to_vf->held[to_vf->held_first]), 24);
	to_vf->held_deadline = UINT64_MAX;
	vf_sent_seqs(16, 8);
	assert_int_equal(vio_forward_poll(to_vf), 1);
	vf_sent_seqs(24, 1);
	assert_counts(&to_vf->st, 25, 25, 0, 0, 0);
	assert_int_equal(to_vf->st.tx_bytes, 2500);
	assert_int_equal(to_vf->st.rx_bytes, 2500);
	finish();
}

/* Held frames the VF still does not take are dropped once VIO_HOLD_US
 * has passed, counted as "queue full"; not before. */
static void held_frames_dropped_after_deadline(void **state)
{
	uint64_t before, after, deadline;

	(void)state;
	fv.pending[1] = 12;
	before = rte_get_tsc_cycles();
	assert_int_equal(vio_forward_poll(to_vf), 12);
	after = rte_get_tsc_cycles();
	assert_int_equal(to_vf->n_held, 4);
	deadline = to_vf->held_deadline;
	assert_deadline(before, after, deadline);

	/* negative control: still within the time, still held */
	to_vf->held_deadline = UINT64_MAX;
	assert_int_equal(vio_forward_poll(to_vf), 0);
	assert_int_equal(to_vf->n_held, 4);
	assert_int_equal(to_vf->st.full_pkts, 0);

	to_vf->held_deadline = deadline;
	rte_delay_us_sleep(2 * VIO_HOLD_US);
	assert_int_equal(vio_forward_poll(to_vf), 4);
	assert_int_equal(to_vf->n_held, 0);
	assert_int_equal(to_vf->held_first, 0);
	assert_counts(&to_vf->st, 12, 8, 4, 0, 0);
	assert_int_equal(to_vf->st.full_bytes, 400);
	vf_sent_seqs(0, 8); /* 8..11 are gone */

	guest_sends(2); /* and the direction takes new frames again */
	vf_sent_seqs(12, 2);
	finish();
}

/* What a direction holds when its destination goes counts as not
 * connected (vio_forward_release). */
static void release_counts_held_as_not_connected(void **state)
{
	(void)state;
	fv.room[0] = 1;
	vf_gets(6, 0, 200, 0);
	assert_int_equal(vio_forward_poll(to_vm), 6);
	assert_int_equal(to_vm->n_held, 5);
	vio_forward_release(to_vm);
	assert_int_equal(to_vm->n_held, 0);
	assert_int_equal(to_vm->held_first, 0);
	assert_counts(&to_vm->st, 6, 1, 0, 5, 0);
	assert_int_equal(to_vm->st.nc_bytes, 1000);
	finish();
}

/* Frame lengths the guest sends: 1000, 1600, 1000, 1523, 1522, 64. */
static const uint32_t lens[] = {1000, 1600, 1000, MAX_FRAME + 1, MAX_FRAME, 64};

static struct rte_mbuf *make_by_seq(struct rte_mempool *mp, uint16_t ring, uint32_t seq)
{
	return dp_frame(mp, lens[seq % RTE_DIM(lens)], seq, ring);
}

/* Frames longer than the VF takes are dropped, counted as too long with
 * their bytes, in both directions; the others go in their order. */
static void over_long_frames_dropped(void **state)
{
	uint32_t seq[8], len[8];

	(void)state;
	fv.make = make_by_seq;
	guest_sends(6);
	assert_int_equal(dp_vf_sent(seq, len, 8), 4);
	assert_int_equal(seq[0], 0);
	assert_int_equal(seq[1], 2);
	assert_int_equal(seq[2], 4);
	assert_int_equal(seq[3], 5);
	assert_int_equal(len[2], MAX_FRAME);
	assert_counts(&to_vf->st, 6, 4, 0, 0, 2);
	assert_int_equal(to_vf->st.long_bytes, 1600 + MAX_FRAME + 1);
	assert_int_equal(to_vf->st.rx_bytes, 1000 + 1600 + 1000 + 1523 + 1522 + 64);
	assert_int_equal(to_vf->st.tx_bytes, 1000 + 1000 + 1522 + 64);

	fv.room[0] = 64;
	vf_gets(1, 100, 1000, 0);
	vf_gets(1, 101, 1600, 0);
	vf_gets(1, 102, 64, 0);
	assert_int_equal(vio_forward_poll(to_vm), 3);
	assert_int_equal(fv.n_rx, 2);
	assert_int_equal(fv.rx[0].seq, 100);
	assert_int_equal(fv.rx[1].seq, 102);
	assert_counts(&to_vm->st, 3, 2, 0, 0, 1);
	assert_int_equal(to_vm->st.long_bytes, 1600);
	finish();
}

static struct rte_mbuf *make_tso(struct rte_mempool *mp, uint16_t ring, uint32_t seq)
{
	(void)ring;
	return dp_tso_frame(mp, 3000, 1000, seq);
}

/* A guest that negotiated TSO: few packets a poll, each cut into segments
 * the VF takes, checksums completed.  From a guest without TSO the same
 * request is a frame too long for the VF. */
static void tso_guest_segmented_others_too_long(void **state)
{
	struct rte_mbuf *seg[8];

	(void)state;
	fv.make = make_tso;
	fv.pending[1] = 1;
	relay.vm_tso = true;
	assert_int_equal(vio_forward_poll(to_vf), 1);
	assert_int_equal(fv.deq[0].count, VIO_TSO_BURST);
	assert_int_equal(dp_vf_sent_mbufs(seg, 8), 3);
	for (unsigned i = 0; i < 3; i++) {
		const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(seg[i], void *, 14);
		const struct rte_tcp_hdr *t = rte_pktmbuf_mtod_offset(seg[i], void *, 34);

		assert_int_equal(rte_pktmbuf_pkt_len(seg[i]), DP_HDR_TCP + 1000);
		assert_int_equal(rte_be_to_cpu_32(t->sent_seq), 1 + 1000 * i);
		assert_int_equal(rte_ipv4_udptcp_cksum_mbuf_verify(seg[i], ip, 34), 0);
	}
	assert_int_equal(dp_seq(seg[0]), 0);
	rte_pktmbuf_free_bulk(seg, 3);
	assert_counts(&to_vf->st, 1, 3, 0, 0, 0);
	assert_int_equal(to_vf->st.tx_bytes, 3 * (DP_HDR_TCP + 1000));

	relay.vm_tso = false;
	guest_sends(1);
	assert_int_equal(fv.deq[1].count, VIO_BURST);
	assert_int_equal(dp_vf_sent(NULL, NULL, 8), 0);
	assert_counts(&to_vf->st, 2, 3, 0, 0, 1);
	assert_int_equal(to_vf->st.long_bytes, DP_HDR_TCP + 3000);
	finish();
}

/* The ring a flow's frames go to among several guest RX rings. */
static unsigned ring_of_flow(uint64_t mask, uint16_t flow)
{
	struct rte_mbuf *m = dp_frame(dp_pool, 100, 0, flow);
	unsigned ring;

	assert_non_null(m);
	ring = vio_ring_pick(
		mask, vio_flow_hash(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m)));
	rte_pktmbuf_free(m);
	return ring;
}

/* Multiqueue: each frame goes to the ring of its flow's hash, one enqueue
 * a ring, in order within the ring; flows spread over the rings. */
static void multiqueue_ring_by_flow_hash(void **state)
{
	const uint64_t mask = RX_RING(0) | RX_RING(1) | RX_RING(2);
	unsigned want[16], used = 0, rings_used = 0;
	int64_t prev[FV_RINGS];

	(void)state;
	relay.vring_enabled = mask | TX_RING(0);
	for (uint16_t f = 0; f < 16; f++) {
		want[f] = ring_of_flow(mask, f);
		used |= 1u << want[f];
	}
	rings_used = (unsigned)__builtin_popcount(used);
	assert_true(rings_used >= 2); /* 16 flows do spread */
	fv.room[0] = fv.room[2] = fv.room[4] = 64;
	for (uint32_t s = 0; s < 32; s++)
		vf_gets(1, s, 100, (uint16_t)(s % 16));
	assert_int_equal(vio_forward_poll(to_vm), 32);
	assert_int_equal(fv.n_rx, 32);
	assert_int_equal(fv.enqueue_calls, rings_used);
	for (unsigned r = 0; r < FV_RINGS; r++)
		prev[r] = -1;
	for (unsigned i = 0; i < 32; i++) {
		const struct fv_pkt *p = &fv.rx[i];

		assert_int_equal(p->ring, want[p->seq % 16]);
		assert_true((int64_t)p->seq > prev[p->ring]); /* in order within a ring */
		prev[p->ring] = p->seq;
	}
	assert_counts(&to_vm->st, 32, 32, 0, 0, 0);
	assert_int_equal(to_vm->st.tx_bytes, 3200);
	finish();
}

/* The VF's RSS hash, when it gives one, chooses the ring; a ring that is
 * full holds back only its own frames, which go first and in order later. */
static void multiqueue_rss_hash_and_full_ring(void **state)
{
	struct rte_mbuf *m[8];

	(void)state;
	relay.vring_enabled = RX_RING(0) | RX_RING(1) | TX_RING(0);
	for (uint32_t s = 0; s < 8; s++) {
		m[s] = dp_frame(dp_pool, 100, s, 0); /* one flow: the hash decides */
		assert_non_null(m[s]);
		m[s]->ol_flags |= RTE_MBUF_F_RX_RSS_HASH;
		m[s]->hash.rss = s % 2 ? 0xf0000000u : 0x10000000u; /* ring 2 : ring 0 */
	}
	dp_vf_receive(m, 8);
	fv.room[0] = 8;
	fv.room[2] = 2;
	assert_int_equal(vio_forward_poll(to_vm), 8);
	assert_int_equal(fv.n_rx, 6);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(fv.rx[i].ring, 0);
		assert_int_equal(fv.rx[i].seq, 2 * i);
	}
	assert_int_equal(fv.rx[4].ring, 2);
	assert_int_equal(fv.rx[4].seq, 1);
	assert_int_equal(fv.rx[5].seq, 3);
	assert_int_equal(to_vm->n_held, 2);
	assert_int_equal(dp_seq(to_vm->held[to_vm->held_first]), 5);
	assert_int_equal(dp_seq(to_vm->held[to_vm->held_first + 1]), 7);
	to_vm->held_deadline = UINT64_MAX;
	assert_int_equal(to_vm->st.tx_pkts, 6);

	fv.room[2] = 8;
	assert_int_equal(vio_forward_poll(to_vm), 2);
	assert_int_equal(fv.n_rx, 8);
	assert_int_equal(fv.rx[6].ring, 2);
	assert_int_equal(fv.rx[6].seq, 5);
	assert_int_equal(fv.rx[7].seq, 7);
	assert_counts(&to_vm->st, 8, 8, 0, 0, 0);
	finish();
}

/* VM->VF takes one burst a poll from each enabled guest TX ring in turn;
 * with none enabled it does not poll the guest at all. */
static void vm_to_vf_round_robin_over_tx_rings(void **state)
{
	static const uint16_t order[] = {1, 3, 7, 1, 3, 7, 1, 7, 1};

	(void)state;
	relay.vring_enabled = RX_RING(0) | TX_RING(0) | TX_RING(1) | TX_RING(3);
	fv.pending[1] = fv.pending[3] = fv.pending[7] = 2;
	for (unsigned i = 0; i < 6; i++)
		vio_forward_poll(to_vf);
	relay.vring_enabled &= ~TX_RING(1); /* the guest disables vring 3 */
	for (unsigned i = 0; i < 3; i++)
		vio_forward_poll(to_vf);
	assert_int_equal(fv.n_deq, RTE_DIM(order));
	for (unsigned i = 0; i < RTE_DIM(order); i++)
		assert_int_equal(fv.deq[i].ring, order[i]);
	assert_int_equal(dp_vf_sent(NULL, NULL, 64), 6);

	relay.vring_enabled = RX_RING(0);
	assert_int_equal(vio_forward_poll(to_vf), 0);
	assert_int_equal(fv.n_deq, RTE_DIM(order));
	finish();
}

/* A side that is not there: the guest's frames are drained into the drain
 * pool and counted as not connected; so are the VF's while no guest RX
 * ring is enabled. */
static void missing_side_counted_not_connected(void **state)
{
	(void)state;
	relay.has_vf = false;
	guest_sends(5);
	assert_ptr_equal(fv.deq[0].pool, drain);
	assert_int_equal(dp_vf_sent(NULL, NULL, 64), 0);
	assert_counts(&to_vf->st, 5, 0, 0, 5, 0);
	assert_int_equal(to_vf->st.nc_bytes, 500);
	assert_int_equal(to_vf->st.rx_bytes, 500);

	relay.has_vf = true;
	relay.vring_enabled = TX_RING(0); /* no RX ring */
	fv.room[0] = 64;
	vf_gets(4, 0, 100, 0);
	assert_int_equal(vio_forward_poll(to_vm), 4);
	assert_int_equal(fv.enqueue_calls, 0);
	assert_counts(&to_vm->st, 4, 0, 0, 4, 0);
	assert_int_equal(to_vm->st.nc_bytes, 400);
	finish();
}

static int setup(void **state)
{
	(void)state;
	if (dp_eal_init("test_forward", "0") || dp_setup(true))
		return -1;
	drain = rte_pktmbuf_pool_create("drain", DRAIN_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	if (!drain)
		return -1;
	vio_forward_init(drain);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rte_mempool_free(drain);
	dp_teardown();
	return 0;
}

#define T(f) cmocka_unit_test_setup(f, reset)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(vf_to_vm_delivers_in_order),           T(vf_to_vm_full_ring_held_in_order),
		T(vm_to_vf_full_ring_held_in_order),     T(held_frames_dropped_after_deadline),
		T(release_counts_held_as_not_connected), T(over_long_frames_dropped),
		T(tso_guest_segmented_others_too_long),  T(multiqueue_ring_by_flow_hash),
		T(multiqueue_rss_hash_and_full_ring),    T(vm_to_vf_round_robin_over_tx_rings),
		T(missing_side_counted_not_connected),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
