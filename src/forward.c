/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath: see forward.h. */
#include "forward.h"

#include <string.h>

#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_vhost.h>

#include "flowhash.h"
#include "offload.h"

#define VRING_RX_MASK 0x5555555555555555ULL /* even vrings: guest RX (we enqueue) */
#define VRING_TX_MASK 0xaaaaaaaaaaaaaaaaULL /* odd vrings: guest TX (we dequeue) */

static struct rte_mempool *drain_pool;
static uint64_t hold_cycles;

void vio_forward_init(struct rte_mempool *pool)
{
	drain_pool = pool;
	hold_cycles = rte_get_tsc_hz() / 1000000 * VIO_HOLD_US;
}


static inline uint64_t sum_bytes(struct rte_mbuf **pkts, uint16_t n)
{
	uint64_t b = 0;

	for (uint16_t i = 0; i < n; i++)
		b += rte_pktmbuf_pkt_len(pkts[i]);
	return b;
}

static inline void drop(struct rte_mbuf **pkts, uint16_t n, uint64_t *pkts_ctr,
			uint64_t *bytes_ctr)
{
	if (!n)
		return;
	vio_stat_add(bytes_ctr, sum_bytes(pkts, n));
	vio_stat_add(pkts_ctr, n);
	rte_pktmbuf_free_bulk(pkts, n);
}

static inline uint32_t pkt_hash(const struct rte_mbuf *m)
{
	if (m->ol_flags & RTE_MBUF_F_RX_RSS_HASH)
		return m->hash.rss; /* the VF's own RSS hash: per flow as well */
	return vio_flow_hash(rte_pktmbuf_mtod(m, const uint8_t *), rte_pktmbuf_data_len(m));
}

/* Several guest RX rings: each packet goes to the ring of its flow (one
 * enqueue per ring, order kept within it).  What a full ring refused ends
 * up in pkts[sent..n), in arrival order, for hold_rest().  Returns sent;
 * *bytes gets their length. */
static inline uint16_t enqueue_spread(struct vio_relay *r, uint64_t rx, struct rte_mbuf **pkts,
				      uint16_t n, const uint32_t *len, uint64_t *bytes)
{
	struct rte_mbuf *grp[VIO_BURST], *rest[VIO_BURST];
	uint8_t ring[VIO_BURST];
	bool refused[VIO_BURST];
	uint64_t used = 0;
	uint16_t n_rest = 0;

	for (uint16_t i = 0; i < n; i++) {
		ring[i] = (uint8_t)vio_ring_pick(rx, pkt_hash(pkts[i]));
		used |= 1ULL << ring[i];
		refused[i] = false;
	}
	while (used) {
		unsigned v = (unsigned)__builtin_ctzll(used);
		uint16_t m = 0, k;

		used &= used - 1;
		for (uint16_t i = 0; i < n; i++)
			if (ring[i] == v)
				grp[m++] = pkts[i];
		k = rte_vhost_enqueue_burst(r->vid, (uint16_t)v, grp, m);
		rte_pktmbuf_free_bulk(grp, k); /* enqueue copied them */
		/* the first k of this ring's packets went; mark the others */
		for (uint16_t i = 0, seen = 0; i < n; i++) {
			if (ring[i] != v)
				continue;
			if (seen++ >= k)
				refused[i] = true;
			else
				*bytes += len[i];
		}
	}
	for (uint16_t i = 0; i < n; i++)
		if (refused[i])
			rest[n_rest++] = pkts[i];
	for (uint16_t i = 0; i < n_rest; i++)
		pkts[n - n_rest + i] = rest[i];
	return (uint16_t)(n - n_rest);
}

/* Deliver pkts[0..n), of lengths len[0..n) and total length total, to the
 * destination of d; returns how many it took, and leaves the rest in
 * pkts[sent..n) in their order.  Lengths come from the caller: a PMD may
 * free what it sent before returning. */
static inline uint16_t deliver(struct vio_relay_dir *d, struct rte_mbuf **pkts, uint16_t n,
			       const uint32_t *len, uint64_t total)
{
	struct vio_relay *r = d->relay;
	uint64_t bytes = 0;
	uint16_t sent;

	if (d->dir == VIO_DIR_VF_TO_VM) {
		uint64_t rx = __atomic_load_n(&r->vring_enabled, __ATOMIC_ACQUIRE) & VRING_RX_MASK;

		if (!rx)
			return 0;
		if (rx & (rx - 1)) {
			sent = enqueue_spread(r, rx, pkts, n, len, &bytes);
			goto count;
		}
		sent = rte_vhost_enqueue_burst(r->vid, (uint16_t)__builtin_ctzll(rx), pkts, n);
		rte_pktmbuf_free_bulk(pkts, sent); /* enqueue copied them */
	} else {
		sent = rte_eth_tx_burst(r->port_id, 0, pkts, n);
	}
	if (likely(sent == n)) {
		bytes = total;
	} else {
		for (uint16_t i = 0; i < sent; i++)
			bytes += len[i];
	}
count:
	vio_stat_add(&d->st.tx_bytes, bytes);
	vio_stat_add(&d->st.tx_pkts, sent);
	return sent;
}

/* deliver() for packets whose lengths are not at hand. */
static inline uint16_t deliver_measured(struct vio_relay_dir *d, struct rte_mbuf **pkts, uint16_t n)
{
	uint32_t len[VIO_SEG_MAX];
	uint64_t total = 0;

	for (uint16_t i = 0; i < n; i++) {
		len[i] = rte_pktmbuf_pkt_len(pkts[i]);
		total += len[i];
	}
	return deliver(d, pkts, n, len, total);
}

static inline void count_long(struct vio_relay_dir *d, uint64_t nb, uint64_t nbytes)
{
	if (nb) {
		vio_stat_add(&d->st.long_pkts, nb);
		vio_stat_add(&d->st.long_bytes, nbytes);
	}
}

/* What a poll knows of its burst after filter(). */
struct burst {
	uint64_t in_bytes;  /* of all the packets received */
	uint64_t out_bytes; /* of those kept */
	bool csum;          /* a kept guest packet asks for an L4 checksum */
};

/* One pass over a received burst: counts its bytes, drops and counts the
 * frames longer than the VF's MTU allows, notes the lengths of the others
 * in len[] and, from a guest, whether any asks for a checksum.  Keeps the
 * order of the others; returns how many are left.
 *
 * Too long: the VF would refuse or truncate them on the way out, and a VF
 * that let one in would hand the guest a frame its own side could not
 * carry.  A guest's TSO packets are segmented on the way when it negotiated
 * TSO; from any other guest they are too long like the rest
 * (vio_offload_too_long).  Checksums: a guest that negotiated
 * VIRTIO_NET_F_CSUM leaves them to the device (see complete_offloads); the
 * common case, no request, costs one flag test.  When the relay segments,
 * requests are made after segmentation (remeasure), for the segments. */
static inline uint16_t filter(struct vio_relay_dir *d, struct rte_mbuf **pkts, uint16_t n,
			      uint32_t *len, struct burst *b)
{
	uint32_t max = d->relay->vf_max_frame;
	bool from_vm = d->dir == VIO_DIR_VM_TO_VF;
	bool segment = from_vm && d->relay->vm_tso;
	uint64_t nb = 0, nbytes = 0, in = 0, out = 0;
	bool csum = false;
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];
		uint32_t l = rte_pktmbuf_pkt_len(m);

		in += l;
		if (unlikely(vio_offload_too_long(m, max, segment))) {
			nb++;
			nbytes += l;
			rte_pktmbuf_free(m);
			continue;
		}
		if (from_vm && !segment &&
		    (m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE &&
		    vio_offload_tx_request(m))
			csum = true;
		len[k] = l;
		out += l;
		pkts[k++] = m;
	}
	count_long(d, nb, nbytes);
	b->in_bytes = in;
	b->out_bytes = out;
	b->csum = csum;
	return k;
}

/* The guest's TSO packets, cut into segments here (from the relay's pool):
 * pkts[0..n) becomes the segments and the other packets in their order, at
 * most VIO_SEG_MAX.  A packet that cannot be cut is dropped and counted as
 * too long. */
static inline uint16_t segment_burst(struct vio_relay_dir *d, struct rte_mbuf **pkts, uint16_t n)
{
	struct rte_mbuf *in[VIO_BURST];
	uint64_t nb = 0, nbytes = 0;
	uint16_t k = 0;

	for (uint16_t i = 0; i < n; i++)
		in[i] = pkts[i];
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = in[i];
		int s = vio_offload_segment(m, d->relay->pool, pkts + k,
					    (unsigned)(VIO_SEG_MAX - k - (n - i - 1)));

		if (s == 0) {
			pkts[k++] = m;
			continue;
		}
		if (s > 0) {
			k = (uint16_t)(k + s);
		} else {
			nb++;
			nbytes += rte_pktmbuf_pkt_len(m);
		}
		rte_pktmbuf_free(m);
	}
	count_long(d, nb, nbytes);
	return k;
}

/* Checksums the guest left to the device (VIRTIO_NET_F_CSUM), turned into
 * TX requests by filter() or segment_burst(): a VF that completes them gets
 * the packets as they are, after its own TX preparation; for any other VF
 * they are completed here.  A packet whose headers do not match its flags
 * goes out with the flags cleared, as it came. */
static void complete_offloads(struct vio_relay *r, struct rte_mbuf **pkts, uint16_t n)
{
	if (r->vf_tx_csum) {
		uint16_t i = 0;

		while (i < n) {
			i += rte_eth_tx_prepare(r->port_id, 0, pkts + i, (uint16_t)(n - i));
			if (i < n) { /* the driver cannot take this one as it is */
				if (vio_offload_sw_csum(pkts[i]))
					pkts[i]->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
				i++;
			}
		}
		return;
	}
	for (uint16_t i = 0; i < n; i++)
		if ((pkts[i]->ol_flags & RTE_MBUF_F_TX_L4_MASK) && vio_offload_sw_csum(pkts[i]))
			pkts[i]->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
}

/* After segment_burst(): the lengths of the new burst, and whether any of
 * its packets (segments included) asks for a checksum. */
static uint16_t remeasure(struct rte_mbuf **pkts, uint16_t n, uint32_t *len, struct burst *b)
{
	b->out_bytes = 0;
	b->csum = false;
	for (uint16_t i = 0; i < n; i++) {
		struct rte_mbuf *m = pkts[i];

		len[i] = rte_pktmbuf_pkt_len(m);
		b->out_bytes += len[i];
		if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) == RTE_MBUF_F_RX_L4_CKSUM_NONE &&
		    vio_offload_tx_request(m))
			b->csum = true;
	}
	return n;
}

/* Retry what a full destination left; drop it once its time is up.
 * Returns packets moved, and whether anything is still held. */
static inline unsigned retry_held(struct vio_relay_dir *d, bool *still_held)
{
	uint16_t sent = deliver_measured(d, d->held + d->held_first, d->n_held);

	d->held_first += sent;
	d->n_held -= sent;
	if (d->n_held && rte_get_tsc_cycles() > d->held_deadline) {
		unsigned n = d->n_held;

		drop(d->held + d->held_first, d->n_held, &d->st.full_pkts, &d->st.full_bytes);
		d->n_held = 0;
		sent += (uint16_t)n;
	}
	if (!d->n_held)
		d->held_first = 0;
	*still_held = d->n_held != 0;
	return sent;
}

static inline void hold_rest(struct vio_relay_dir *d, struct rte_mbuf **pkts, uint16_t from,
			     uint16_t n)
{
	for (uint16_t i = from; i < n; i++)
		d->held[i - from] = pkts[i];
	d->n_held = (uint16_t)(n - from);
	d->held_first = 0;
	d->held_deadline = rte_get_tsc_cycles() + hold_cycles;
}

/* The enabled ring after v in mask (wrapping); mask must not be 0. */
static inline uint16_t next_ring(uint64_t mask, unsigned v)
{
	uint64_t above = v + 1 < VIO_MAX_VRINGS ? mask & (~0ULL << (v + 1)) : 0;

	return (uint16_t)__builtin_ctzll(above ? above : mask);
}

static inline uint16_t receive(struct vio_relay_dir *d, struct rte_mbuf **pkts)
{
	struct vio_relay *r = d->relay;
	uint64_t tx;
	uint16_t v;

	if (d->dir == VIO_DIR_VF_TO_VM)
		return rte_eth_rx_burst(r->port_id, 0, pkts, VIO_BURST);

	tx = __atomic_load_n(&r->vring_enabled, __ATOMIC_ACQUIRE) & VRING_TX_MASK;
	if (!tx)
		return 0; /* no guest TX ring enabled: nothing to poll, no spinning */
	/* Round robin over the enabled guest TX rings, one burst per poll. */
	v = d->next_vring;
	if (v >= VIO_MAX_VRINGS || !((tx >> v) & 1))
		v = next_ring(tx, v);
	d->next_vring = next_ring(tx, v);
	/* A guest that may send 64 KiB TSO packets: few at a time, so that
	 * their segments fit in one poll's array. */
	return rte_vhost_dequeue_burst(r->vid, v, r->has_vf ? r->pool : drain_pool, pkts,
				       r->vm_tso ? VIO_TSO_BURST : VIO_BURST);
}

/* Announcing a migrating guest for announce.c (see announce.h): a RARP
 * "reverse request" from the guest's MAC, as QEMU sends to announce a guest
 * after a migration (a learning switch takes the source address), sent on
 * the VF queue this worker owns, once per increment of announce_req seen. */
#define RARP_ETHERTYPE 0x8035
#define RARP_OP_REQUEST_REVERSE 3
#define MIN_FRAME 60 /* Ethernet minimum without the FCS */

static void build_rarp(struct rte_mbuf *m, uint64_t mac)
{
	uint8_t *p = rte_pktmbuf_mtod(m, uint8_t *);

	memset(p, 0, MIN_FRAME);
	memset(p, 0xff, 6); /* broadcast */
	for (unsigned i = 0; i < 6; i++) {
		p[6 + i] = (uint8_t)(mac >> (8 * i)); /* source: the guest */
		p[22 + i] = p[6 + i];                 /* sender hardware address */
		p[32 + i] = p[6 + i];                 /* target hardware address */
	}
	p[12] = RARP_ETHERTYPE >> 8;
	p[13] = RARP_ETHERTYPE & 0xff;
	p[15] = 1;    /* hardware: Ethernet */
	p[16] = 0x08; /* protocol: IPv4 */
	p[18] = 6;
	p[19] = 4;
	p[21] = RARP_OP_REQUEST_REVERSE;
	m->data_len = MIN_FRAME;
	m->pkt_len = MIN_FRAME;
}

static void __attribute__((noinline, cold)) announce(struct vio_relay_dir *d)
{
	struct vio_relay *r = d->relay;
	uint64_t mac;
	struct rte_mbuf *m;

	d->announce_done = __atomic_load_n(&r->announce_req, __ATOMIC_ACQUIRE);
	mac = __atomic_load_n(&r->guest_mac, __ATOMIC_RELAXED);
	if (__atomic_load_n(&r->migrating, __ATOMIC_ACQUIRE) != VIO_MIG_ANNOUNCING || !mac ||
	    !r->has_vf)
		return; /* asked before the device stopped or the guest was heard */
	m = rte_pktmbuf_alloc(r->pool);
	if (!m)
		return; /* the next step asks again */
	build_rarp(m, mac);
	if (rte_eth_tx_burst(r->port_id, 0, &m, 1) == 1)
		vio_stat_add(&d->st.announce_pkts, 1);
	else
		rte_pktmbuf_free(m);
}

/* The guest's MAC for announce.c: the source of the first frame of each
 * burst it sends, unless one is configured (one 8-byte compare a burst). */
static inline void learn_mac(struct vio_relay *r, const struct rte_mbuf *m)
{
	const uint8_t *src = rte_pktmbuf_mtod(m, const uint8_t *) + 6;
	uint64_t mac = 0;

	if (r->guest_mac_fixed || unlikely(rte_pktmbuf_data_len(m) < 12) || (src[0] & 1))
		return;
	memcpy(&mac, src, 6);
	if (unlikely(mac != __atomic_load_n(&r->guest_mac, __ATOMIC_RELAXED)) && mac)
		__atomic_store_n(&r->guest_mac, mac, __ATOMIC_RELAXED);
}

unsigned vio_forward_poll(struct vio_relay_dir *d)
{
	struct rte_mbuf *pkts[VIO_SEG_MAX];
	uint32_t len[VIO_SEG_MAX];
	struct burst b;
	unsigned moved = 0;
	uint16_t n, rx, sent;

	if (d->dir == VIO_DIR_VM_TO_VF &&
	    unlikely(__atomic_load_n(&d->relay->announce_req, __ATOMIC_RELAXED) !=
		     d->announce_done))
		announce(d);
	if (d->n_held) {
		bool still_held;

		moved = retry_held(d, &still_held);
		if (still_held)
			return moved; /* keep order: nothing new until the backlog is gone */
	}
	rx = receive(d, pkts);
	if (!rx)
		return moved;
	vio_stat_add(&d->st.rx_pkts, rx);
	if (d->dir == VIO_DIR_VM_TO_VF)
		learn_mac(d->relay, pkts[0]);

	if (d->dir == VIO_DIR_VM_TO_VF ? !d->relay->has_vf
				       : !(__atomic_load_n(&d->relay->vring_enabled, __ATOMIC_ACQUIRE) &
					   VRING_RX_MASK)) {
		uint64_t bytes = sum_bytes(pkts, rx);

		vio_stat_add(&d->st.rx_bytes, bytes);
		vio_stat_add(&d->st.nc_bytes, bytes);
		vio_stat_add(&d->st.nc_pkts, rx);
		rte_pktmbuf_free_bulk(pkts, rx);
		return moved + rx;
	}
	n = filter(d, pkts, rx, len, &b);
	vio_stat_add(&d->st.rx_bytes, b.in_bytes);
	if (!n)
		return moved + rx;
	if (d->dir == VIO_DIR_VM_TO_VF) {
		if (d->relay->vm_tso) {
			n = remeasure(pkts, segment_burst(d, pkts, n), len, &b);
			if (!n)
				return moved + rx;
		}
		if (unlikely(b.csum))
			complete_offloads(d->relay, pkts, n);
	}
	sent = deliver(d, pkts, n, len, b.out_bytes);
	if (sent < n)
		hold_rest(d, pkts, sent, n);
	return moved + rx;
}

void vio_forward_release(struct vio_relay_dir *d)
{
	if (d->n_held)
		drop(d->held + d->held_first, d->n_held, &d->st.nc_pkts, &d->st.nc_bytes);
	d->n_held = 0;
	d->held_first = 0;
}
