/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath harness of the unit tests: see dp_harness.h. */
#include "dp_harness.h"
#include "relay.h"

#include <string.h>

#include <rte_eal.h>
#include <rte_eth_ring.h>
#include <rte_ethdev.h>
#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_ring.h>
#include <rte_tcp.h>
#include <rte_udp.h>

struct rte_mempool *dp_pool;
uint16_t dp_vf_port = UINT16_MAX;
static struct rte_ring *vf_rx, *vf_tx;

int dp_eal_init(const char *prog, const char *lcores)
{
	char *argv[] = {(char *)prog,  "--no-huge",     "-m", "128",         "--no-pci",
			"--no-shconf", "--log-level=2", "-l", (char *)lcores};

	return rte_eal_init((int)RTE_DIM(argv), argv) < 0 ? -1 : 0;
}

int dp_setup(bool vf)
{
	struct rte_eth_conf conf;
	int port;

	dp_pool = rte_pktmbuf_pool_create("dp_pool", DP_POOL_SIZE, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					  SOCKET_ID_ANY);
	if (!dp_pool)
		return -1;
	if (!vf)
		return 0;
	vf_rx = rte_ring_create("dp_vf_rx", 1024, SOCKET_ID_ANY, RING_F_SP_ENQ | RING_F_SC_DEQ);
	vf_tx = rte_ring_create("dp_vf_tx", DP_VF_TX_ROOM, SOCKET_ID_ANY,
				RING_F_EXACT_SZ | RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (!vf_rx || !vf_tx)
		return -1;
	port = rte_eth_from_rings("net_ring_dp_vf", &vf_rx, 1, &vf_tx, 1, 0);
	if (port < 0)
		return -1;
	dp_vf_port = (uint16_t)port;
	memset(&conf, 0, sizeof(conf));
	if (rte_eth_dev_configure(dp_vf_port, 1, 1, &conf) ||
	    rte_eth_rx_queue_setup(dp_vf_port, 0, 64, 0, NULL, dp_pool) ||
	    rte_eth_tx_queue_setup(dp_vf_port, 0, 64, 0, NULL) || rte_eth_dev_start(dp_vf_port))
		return -1;
	return 0;
}

void dp_teardown(void)
{
	if (dp_vf_port != UINT16_MAX) {
		rte_eth_dev_stop(dp_vf_port);
		rte_eth_dev_close(dp_vf_port);
		dp_vf_port = UINT16_MAX;
	}
	rte_ring_free(vf_rx);
	rte_ring_free(vf_tx);
	rte_mempool_free(dp_pool);
	vf_rx = vf_tx = NULL;
	dp_pool = NULL;
	rte_eal_cleanup();
}

/* bytes[0..len) in as many buffers of mp as it takes. */
static struct rte_mbuf *from_bytes(struct rte_mempool *mp, const uint8_t *bytes, uint32_t len)
{
	struct rte_mbuf *head = NULL;

	do {
		struct rte_mbuf *s = rte_pktmbuf_alloc(mp);
		uint16_t n;

		if (!s)
			goto fail;
		n = (uint16_t)RTE_MIN(len, rte_pktmbuf_tailroom(s));
		memcpy(rte_pktmbuf_append(s, n), bytes, n);
		bytes += n;
		len -= n;
		if (!head) {
			head = s;
		} else if (rte_pktmbuf_chain(head, s)) {
			rte_pktmbuf_free(s);
			goto fail;
		}
	} while (len);
	return head;
fail:
	rte_pktmbuf_free(head);
	return NULL;
}

/* Ethernet and IPv4 headers of a frame of len bytes carrying proto. */
static void l2_l3(uint8_t *f, uint32_t len, uint8_t proto)
{
	struct rte_ipv4_hdr *ip = (struct rte_ipv4_hdr *)(f + 14);

	memset(f, 0, DP_HDR_TCP);
	memset(f, 0x02, 6);     /* destination 02:02:02:02:02:02 */
	memset(f + 6, 0x04, 6); /* source 04:04:04:04:04:04 */
	f[12] = 0x08;
	ip->version_ihl = 0x45;
	ip->total_length = rte_cpu_to_be_16((uint16_t)(len - 14));
	ip->time_to_live = 64;
	ip->next_proto_id = proto;
	ip->src_addr = rte_cpu_to_be_32(0x0a000001);
	ip->dst_addr = rte_cpu_to_be_32(0x0a000002);
	ip->hdr_checksum = rte_ipv4_cksum(ip);
}

static uint8_t frame_buf[65536];

struct rte_mbuf *dp_frame(struct rte_mempool *mp, uint32_t len, uint32_t seq, uint16_t flow)
{
	struct rte_udp_hdr *u = (struct rte_udp_hdr *)(frame_buf + 34);

	if (len < DP_HDR_UDP + 4 || len > sizeof(frame_buf))
		return NULL;
	l2_l3(frame_buf, len, IPPROTO_UDP);
	u->src_port = rte_cpu_to_be_16((uint16_t)(1000 + flow));
	u->dst_port = rte_cpu_to_be_16(4789);
	u->dgram_len = rte_cpu_to_be_16((uint16_t)(len - 34));
	memcpy(frame_buf + DP_HDR_UDP, &seq, 4);
	for (uint32_t i = DP_HDR_UDP + 4; i < len; i++)
		frame_buf[i] = (uint8_t)(seq + i);
	return from_bytes(mp, frame_buf, len);
}

struct rte_mbuf *dp_tso_frame(struct rte_mempool *mp, uint32_t payload, uint16_t mss, uint32_t seq)
{
	struct rte_tcp_hdr *t = (struct rte_tcp_hdr *)(frame_buf + 34);
	uint32_t len = DP_HDR_TCP + payload;
	struct rte_mbuf *m;

	if (payload < 4 || len > sizeof(frame_buf))
		return NULL;
	l2_l3(frame_buf, len, IPPROTO_TCP);
	t->src_port = rte_cpu_to_be_16(1000);
	t->dst_port = rte_cpu_to_be_16(80);
	t->sent_seq = rte_cpu_to_be_32(1);
	t->data_off = 0x50;
	t->tcp_flags = RTE_TCP_ACK_FLAG;
	t->rx_win = rte_cpu_to_be_16(65535);
	memcpy(frame_buf + DP_HDR_TCP, &seq, 4);
	for (uint32_t i = DP_HDR_TCP + 4; i < len; i++)
		frame_buf[i] = (uint8_t)(i * 13);
	m = from_bytes(mp, frame_buf, len);
	if (m) {
		m->ol_flags = RTE_MBUF_F_RX_LRO | RTE_MBUF_F_RX_L4_CKSUM_NONE;
		m->tso_segsz = mss;
	}
	return m;
}

uint32_t dp_seq(const struct rte_mbuf *m)
{
	const uint8_t *proto = rte_pktmbuf_mtod_offset(m, const uint8_t *, 23);
	uint32_t seq, buf;
	const void *p =
		rte_pktmbuf_read(m, *proto == IPPROTO_TCP ? DP_HDR_TCP : DP_HDR_UDP, 4, &buf);

	if (!p)
		return UINT32_MAX;
	memcpy(&seq, p, 4);
	return seq;
}

void dp_vf_receive(struct rte_mbuf **m, unsigned n)
{
	rte_ring_enqueue_bulk(vf_rx, (void **)m, n, NULL);
}

unsigned dp_vf_sent_mbufs(struct rte_mbuf **m, unsigned max)
{
	return rte_ring_dequeue_burst(vf_tx, (void **)m, max, NULL);
}

unsigned dp_vf_sent(uint32_t *seq, uint32_t *len, unsigned max)
{
	struct rte_mbuf *m[DP_VF_TX_ROOM];
	unsigned n = 0;

	while (n < max) {
		unsigned k = dp_vf_sent_mbufs(m, RTE_MIN(max - n, (unsigned)DP_VF_TX_ROOM));

		if (!k)
			break;
		for (unsigned i = 0; i < k; i++, n++) {
			if (seq)
				seq[n] = dp_seq(m[i]);
			if (len)
				len[n] = rte_pktmbuf_pkt_len(m[i]);
		}
		rte_pktmbuf_free_bulk(m, k);
	}
	return n;
}

void dp_relay(struct vio_relay *r, uint32_t max_frame)
{
	memset(r, 0, sizeof(*r));
	r->vid = 7;
	r->vm_running = true;
	r->has_vf = true;
	r->port_started = true;
	r->port_id = dp_vf_port;
	r->pool = dp_pool;
	r->vf_max_frame = max_frame;
	r->vring_enabled = 3; /* vrings 0 and 1: guest RX and TX queue 0 */
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		r->dirs[d].relay = r;
		r->dirs[d].dir = (enum vio_dir)d;
		r->dirs[d].cpu = -1;
	}
}
