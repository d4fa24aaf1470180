/* SPDX-License-Identifier: BSD-3-Clause */
/* Software completion of guest offloads (src/offload.c): TCP segmentation
 * of IPv4 and IPv6 packets held in chained buffers, and TCP/UDP checksums,
 * on real mbufs (EAL in memory, no hugepages).  Every segment's headers,
 * payload bytes and checksum are checked against what the original carried. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_tcp.h>
#include <rte_udp.h>

#include "offload.h"

#define POOL_SIZE 1023
#define SEQ0 0x7ffffff0u  /* wraps past 2^31 within the test */
#define ID0 0xfffe        /* wraps past 65535 */

static struct rte_mempool *pool;

static uint8_t pattern(uint32_t i)
{
	return (uint8_t)(i * 7 + 3);
}

/* Append len bytes to m, chaining a new buffer every chunk bytes (so the
 * payload spans several buffers as librte_vhost's copies do). */
static void put(struct rte_mbuf *m, const void *data, uint32_t len, uint32_t chunk)
{
	const uint8_t *p = data;

	while (len) {
		struct rte_mbuf *tail = rte_pktmbuf_lastseg(m);
		uint32_t room = rte_pktmbuf_tailroom(tail);
		uint32_t n = RTE_MIN(len, chunk < room ? chunk : room);

		if (!n || (tail != m && tail->data_len >= chunk)) {
			struct rte_mbuf *more = rte_pktmbuf_alloc(pool);

			assert_non_null(more);
			assert_int_equal(rte_pktmbuf_chain(m, more), 0);
			continue;
		}
		memcpy(rte_pktmbuf_mtod_offset(tail, uint8_t *, tail->data_len), p, n);
		tail->data_len = (uint16_t)(tail->data_len + n);
		m->pkt_len += n;
		p += n;
		len -= n;
	}
}

/* A TCP (or UDP) packet over IPv4 or IPv6 with payload bytes pattern(i). */
static struct rte_mbuf *packet(bool v6, bool udp, uint32_t payload)
{
	static uint8_t body[65536];
	uint8_t hdr[14 + 40 + 20];
	struct rte_mbuf *m = rte_pktmbuf_alloc(pool);
	uint32_t l3 = v6 ? 40 : 20, l4 = udp ? 8 : 20, off = 14;

	assert_non_null(m);
	assert_true(payload <= sizeof(body));
	memset(hdr, 0, sizeof(hdr));
	memset(hdr, 0x02, 12);
	hdr[12] = v6 ? 0x86 : 0x08;
	hdr[13] = v6 ? 0xdd : 0x00;
	if (v6) {
		struct rte_ipv6_hdr *ip = (struct rte_ipv6_hdr *)(hdr + off);

		ip->vtc_flow = rte_cpu_to_be_32(0x60000000);
		ip->payload_len = rte_cpu_to_be_16((uint16_t)(l4 + payload));
		ip->proto = udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->hop_limits = 64;
		ip->src_addr[0] = 0xfd;
		ip->src_addr[15] = 1;
		ip->dst_addr[0] = 0xfd;
		ip->dst_addr[15] = 2;
	} else {
		struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(hdr + off);

		ip->version_ihl = 0x45;
		ip->total_length = rte_cpu_to_be_16((uint16_t)(l3 + l4 + payload));
		ip->packet_id = rte_cpu_to_be_16(ID0);
		ip->time_to_live = 64;
		ip->next_proto_id = udp ? IPPROTO_UDP : IPPROTO_TCP;
		ip->src_addr = rte_cpu_to_be_32(0x0a000002);
		ip->dst_addr = rte_cpu_to_be_32(0x0a000001);
		ip->hdr_checksum = rte_ipv4_cksum(ip);
	}
	off += l3;
	if (udp) {
		struct rte_udp_hdr *u = (struct rte_udp_hdr *)(hdr + off);

		u->src_port = rte_cpu_to_be_16(40000);
		u->dst_port = rte_cpu_to_be_16(8000);
		u->dgram_len = rte_cpu_to_be_16((uint16_t)(8 + payload));
		u->dgram_cksum = 0x1234; /* what a partial checksum leaves: anything */
	} else {
		struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(hdr + off);

		t->src_port = rte_cpu_to_be_16(40000);
		t->dst_port = rte_cpu_to_be_16(8000);
		t->sent_seq = rte_cpu_to_be_32(SEQ0);
		t->data_off = 0x50;
		t->tcp_flags = RTE_TCP_ACK_FLAG | RTE_TCP_PSH_FLAG | RTE_TCP_FIN_FLAG |
			       RTE_TCP_CWR_FLAG;
		t->rx_win = rte_cpu_to_be_16(65535);
		t->cksum = 0x1234;
	}
	off += l4;
	put(m, hdr, off, off);
	for (uint32_t i = 0; i < payload; i++)
		body[i] = pattern(i);
	put(m, body, payload, 1000);
	return m;
}

static bool l4_checksum_ok(struct rte_mbuf *m, bool v6)
{
	const void *ip = rte_pktmbuf_mtod_offset(m, const void *, 14);
	uint16_t off = (uint16_t)(14 + (v6 ? 40 : 20));

	if (v6)
		return rte_ipv6_udptcp_cksum_mbuf_verify(m, ip, off) == 0;
	return rte_ipv4_udptcp_cksum_mbuf_verify(m, ip, off) == 0;
}

static void check_segments(bool v6, uint32_t payload, uint16_t mss, unsigned want)
{
	struct rte_mbuf *m = packet(v6, false, payload), *seg[64];
	int n;

	m->ol_flags = RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE;
	m->tso_segsz = mss;
	n = vio_offload_segment(m, pool, seg, 64);
	assert_int_equal(n, want);
	for (int i = 0; i < n; i++) {
		struct rte_mbuf *s = seg[i];
		uint32_t len = RTE_MIN(mss, payload - (uint32_t)i * mss), hl = 14 + (v6 ? 40 : 20) + 20;
		const struct rte_tcp_hdr *t;
		static uint8_t buf[65536];
		const uint8_t *p;

		assert_int_equal(rte_pktmbuf_pkt_len(s), hl + len);
		if (v6) {
			const struct rte_ipv6_hdr *ip = rte_pktmbuf_mtod_offset(s, void *, 14);

			assert_int_equal(rte_be_to_cpu_16(ip->payload_len), 20 + len);
		} else {
			const struct rte_ipv4_hdr *ip = rte_pktmbuf_mtod_offset(s, void *, 14);

			assert_int_equal(rte_be_to_cpu_16(ip->total_length), 40 + len);
			assert_int_equal(rte_be_to_cpu_16(ip->packet_id), (uint16_t)(ID0 + i));
			assert_int_equal(rte_ipv4_cksum(ip), 0); /* a valid header sums to 0 */
		}
		t = rte_pktmbuf_mtod_offset(s, const void *, 14 + (v6 ? 40 : 20));
		assert_int_equal(rte_be_to_cpu_32(t->sent_seq), (uint32_t)(SEQ0 + (uint32_t)i * mss));
		assert_int_equal(!!(t->tcp_flags & RTE_TCP_CWR_FLAG), i == 0);
		assert_int_equal(!!(t->tcp_flags & RTE_TCP_FIN_FLAG), i == n - 1);
		assert_int_equal(!!(t->tcp_flags & RTE_TCP_PSH_FLAG), i == n - 1);
		assert_true(t->tcp_flags & RTE_TCP_ACK_FLAG);
		p = rte_pktmbuf_read(s, hl, len, buf);
		assert_non_null(p);
		for (uint32_t k = 0; k < len; k++)
			if (p[k] != pattern((uint32_t)i * mss + k))
				fail_msg("segment %d byte %u: %u, expected %u", i, k, p[k],
					 pattern((uint32_t)i * mss + k));
		/* The checksum is left to the VF or the software path. */
		assert_int_equal(vio_offload_tx_request(s), 1);
		assert_true(s->ol_flags & RTE_MBUF_F_TX_TCP_CKSUM);
		assert_int_equal(vio_offload_sw_csum(s), 0);
		assert_true(l4_checksum_ok(s, v6));
		rte_pktmbuf_free(s);
	}
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE);
}

static void segments_ipv4(void **state)
{
	(void)state;
	check_segments(false, 5000, 1448, 4);   /* 3 full, 656 left */
	check_segments(false, 2896, 1448, 2);   /* exact multiple */
	check_segments(false, 65000, 1448, 45); /* 64 KiB, ids wrap */
}

static void segments_ipv6(void **state)
{
	(void)state;
	check_segments(true, 5000, 1428, 4);
	check_segments(true, 8948 * 3, 8948, 3); /* jumbo segments span buffers */
}

static void not_a_request_or_not_possible(void **state)
{
	struct rte_mbuf *seg[4];
	struct rte_mbuf *m = packet(false, false, 3000);

	(void)state;
	assert_int_equal(vio_offload_segment(m, pool, seg, 4), 0); /* no RX_LRO: untouched */
	m->ol_flags = RTE_MBUF_F_RX_LRO;
	m->tso_segsz = 1000;
	assert_int_equal(vio_offload_segment(m, pool, seg, 2), -ENOSPC); /* needs 3 */
	m->tso_segsz = 0;
	assert_int_equal(vio_offload_segment(m, pool, seg, 4), -EINVAL); /* no MSS */
	rte_pktmbuf_free(m);
	m = packet(false, true, 3000);
	m->ol_flags = RTE_MBUF_F_RX_LRO;
	m->tso_segsz = 1000;
	assert_int_equal(vio_offload_segment(m, pool, seg, 4), -EINVAL); /* UDP */
	rte_pktmbuf_free(m);
	assert_int_equal(rte_mempool_avail_count(pool), POOL_SIZE); /* nothing left allocated */
}

static void partial_checksums(void **state)
{
	(void)state;
	for (int v6 = 0; v6 < 2; v6++) {
		for (int udp = 0; udp < 2; udp++) {
			struct rte_mbuf *m = packet(v6, udp, 3333);

			assert_int_equal(vio_offload_tx_request(m), 0); /* nothing asked */
			m->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE;
			assert_int_equal(vio_offload_tx_request(m), 1);
			assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK,
					 udp ? RTE_MBUF_F_TX_UDP_CKSUM : RTE_MBUF_F_TX_TCP_CKSUM);
			assert_int_equal(m->l2_len, 14);
			assert_int_equal(m->l3_len, v6 ? 40 : 20);
			assert_int_equal(vio_offload_sw_csum(m), 0);
			assert_int_equal(m->ol_flags & RTE_MBUF_F_TX_L4_MASK, 0);
			assert_true(l4_checksum_ok(m, v6));
			rte_pktmbuf_free(m);
		}
	}
}

static int setup(void **state)
{
	char *argv[] = {"test_offload", "--no-huge", "-m", "64", "--no-pci", "--no-shconf",
			"--log-level=2", "-l", "0"};

	(void)state;
	if (rte_eal_init((int)RTE_DIM(argv), argv) < 0)
		return -1;
	pool = rte_pktmbuf_pool_create("test", POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
				       SOCKET_ID_ANY);
	return pool ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	rte_mempool_free(pool);
	rte_eal_cleanup();
	return 0;
}

/* Issue 13, defect 10: a guest without TSO that sets gso_type anyway gets
 * its packet marked RX_LRO by librte_vhost; such a frame longer than the
 * VF's limit is too long unless the relay segments it. */
static void gso_without_tso_is_too_long(void **state)
{
	struct rte_mbuf *m = packet(false, false, 20000);
	struct rte_mbuf *small = packet(false, false, 1000);

	m->ol_flags |= RTE_MBUF_F_RX_LRO;
	m->tso_segsz = 1448;
	assert_true(vio_offload_too_long(m, 1522, false));  /* no TSO: dropped */
	assert_false(vio_offload_too_long(m, 1522, true));  /* TSO: segmented */
	m->ol_flags &= ~RTE_MBUF_F_RX_LRO;
	assert_true(vio_offload_too_long(m, 1522, true));   /* no request: too long */
	assert_false(vio_offload_too_long(m, 65535, false));
	small->ol_flags |= RTE_MBUF_F_RX_LRO;
	assert_false(vio_offload_too_long(small, 1522, false));
	rte_pktmbuf_free(m);
	rte_pktmbuf_free(small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(segments_ipv4),
		cmocka_unit_test(segments_ipv6),
		cmocka_unit_test(not_a_request_or_not_possible),
		cmocka_unit_test(partial_checksums),
		cmocka_unit_test(gso_without_tso_is_too_long),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
