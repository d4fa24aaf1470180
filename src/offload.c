/* Software completion of guest offloads: see offload.h. */
#include "offload.h"

#include <stddef.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mbuf.h>
#include <rte_net.h>
#include <rte_tcp.h>
#include <rte_udp.h>

int vio_offload_tx_request(struct rte_mbuf *m)
{
	struct rte_net_hdr_lens lens;
	uint32_t ptype;

	if ((m->ol_flags & RTE_MBUF_F_RX_L4_CKSUM_MASK) != RTE_MBUF_F_RX_L4_CKSUM_NONE)
		return 0;
	m->ol_flags &= ~(RTE_MBUF_F_RX_L4_CKSUM_MASK | RTE_MBUF_F_RX_IP_CKSUM_MASK);
	ptype = rte_net_get_ptype(m, &lens, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
					    RTE_PTYPE_L4_MASK);
	switch (ptype & RTE_PTYPE_L4_MASK) {
	case RTE_PTYPE_L4_TCP:
		m->ol_flags |= RTE_MBUF_F_TX_TCP_CKSUM;
		break;
	case RTE_PTYPE_L4_UDP:
		m->ol_flags |= RTE_MBUF_F_TX_UDP_CKSUM;
		break;
	default:
		return 0;
	}
	m->ol_flags |= RTE_ETH_IS_IPV4_HDR(ptype) ? RTE_MBUF_F_TX_IPV4 : RTE_MBUF_F_TX_IPV6;
	m->l2_len = lens.l2_len;
	m->l3_len = lens.l3_len;
	return 1;
}

int vio_offload_sw_csum(struct rte_mbuf *m)
{
	uint64_t l4 = m->ol_flags & RTE_MBUF_F_TX_L4_MASK;
	uint32_t l4_off = (uint32_t)m->l2_len + m->l3_len;
	uint32_t sum, hdr_len, l4_len;
	uint16_t raw, phdr, cks, zero = 0;
	uint8_t *field;
	const void *l3;

	if (!l4)
		return 0;
	if (l4 != RTE_MBUF_F_TX_TCP_CKSUM && l4 != RTE_MBUF_F_TX_UDP_CKSUM)
		return -1; /* SCTP: no virtio-net guest asks for it */
	hdr_len = l4 == RTE_MBUF_F_TX_TCP_CKSUM ? sizeof(struct rte_tcp_hdr)
						 : sizeof(struct rte_udp_hdr);
	/* librte_vhost parsed these headers in the first segment. */
	if (!(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) ||
	    rte_pktmbuf_data_len(m) < l4_off + hdr_len)
		return -1;
	l3 = rte_pktmbuf_mtod_offset(m, const void *, m->l2_len);
	field = rte_pktmbuf_mtod_offset(m, uint8_t *, l4_off) +
		(l4 == RTE_MBUF_F_TX_TCP_CKSUM ? offsetof(struct rte_tcp_hdr, cksum)
					       : offsetof(struct rte_udp_hdr, dgram_cksum));
	/* The L4 length the IP header gives (a frame may carry padding). */
	if (m->ol_flags & RTE_MBUF_F_TX_IPV4) {
		const struct rte_ipv4_hdr *ip = l3;

		phdr = rte_ipv4_phdr_cksum(ip, 0);
		l4_len = rte_be_to_cpu_16(ip->total_length) - (uint32_t)m->l3_len;
	} else {
		const struct rte_ipv6_hdr *ip = l3;

		phdr = rte_ipv6_phdr_cksum(ip, 0);
		l4_len = rte_be_to_cpu_16(ip->payload_len) + sizeof(*ip) - (uint32_t)m->l3_len;
	}
	if (l4_len < hdr_len || l4_len > rte_pktmbuf_pkt_len(m) - l4_off)
		return -1;
	memcpy(field, &zero, sizeof(zero));
	if (rte_raw_cksum_mbuf(m, l4_off, l4_len, &raw))
		return -1;
	sum = (uint32_t)raw + phdr;
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	cks = (uint16_t)~sum;
	if (cks == 0 && l4 == RTE_MBUF_F_TX_UDP_CKSUM)
		cks = 0xffff; /* RFC 768: a computed zero is sent as all ones */
	memcpy(field, &cks, sizeof(cks));
	m->ol_flags &= ~RTE_MBUF_F_TX_L4_MASK;
	return 0;
}
