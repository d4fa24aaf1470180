/* SPDX-License-Identifier: BSD-3-Clause */
/* Software completion of guest offloads: see offload.h. */
#include "offload.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <rte_ip.h>
#include <rte_mempool.h>
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

/* Append len bytes of src from off to dst, chaining buffers from mp. */
static int append_from(struct rte_mbuf *dst, const struct rte_mbuf *src, uint32_t off,
		       uint32_t len, struct rte_mempool *mp)
{
	struct rte_mbuf *tail = rte_pktmbuf_lastseg(dst);

	while (len) {
		uint32_t chunk = rte_pktmbuf_tailroom(tail);
		uint8_t *to;
		const void *from;

		if (!chunk) {
			struct rte_mbuf *more = rte_pktmbuf_alloc(mp);

			if (!more)
				return -ENOMEM;
			tail->next = more;
			tail = more;
			dst->nb_segs++;
			continue;
		}
		chunk = RTE_MIN(chunk, len);
		to = rte_pktmbuf_mtod_offset(tail, uint8_t *, tail->data_len);
		from = rte_pktmbuf_read(src, off, chunk, to);
		if (!from)
			return -EINVAL;
		if (from != to)
			memcpy(to, from, chunk);
		tail->data_len = (uint16_t)(tail->data_len + chunk);
		dst->pkt_len += chunk;
		off += chunk;
		len -= chunk;
	}
	return 0;
}

int vio_offload_segment(struct rte_mbuf *m, struct rte_mempool *mp, struct rte_mbuf **out,
			unsigned room)
{
	struct rte_net_hdr_lens lens;
	uint32_t ptype, hdr, payload, mss, seq0, nseg;
	const uint8_t *h;
	uint16_t id0 = 0;
	uint8_t flags0;

	if (!(m->ol_flags & RTE_MBUF_F_RX_LRO))
		return 0;
	ptype = rte_net_get_ptype(m, &lens, RTE_PTYPE_L2_MASK | RTE_PTYPE_L3_MASK |
					    RTE_PTYPE_L4_MASK);
	mss = m->tso_segsz;
	hdr = (uint32_t)lens.l2_len + lens.l3_len + lens.l4_len;
	if ((ptype & RTE_PTYPE_L4_MASK) != RTE_PTYPE_L4_TCP || !mss ||
	    rte_pktmbuf_data_len(m) < hdr || rte_pktmbuf_pkt_len(m) < hdr)
		return -EINVAL;
	payload = rte_pktmbuf_pkt_len(m) - hdr;
	nseg = payload ? (payload + mss - 1) / mss : 1;
	if (nseg > room)
		return -ENOSPC;
	h = rte_pktmbuf_mtod(m, const uint8_t *);
	{
		const struct rte_tcp_hdr *t = (const void *)(h + lens.l2_len + lens.l3_len);

		seq0 = rte_be_to_cpu_32(t->sent_seq);
		flags0 = t->tcp_flags;
	}
	if (RTE_ETH_IS_IPV4_HDR(ptype))
		id0 = rte_be_to_cpu_16(((const struct rte_ipv4_hdr *)(h + lens.l2_len))->packet_id);
	for (uint32_t i = 0; i < nseg; i++) {
		uint32_t len = RTE_MIN(mss, payload - i * mss);
		struct rte_mbuf *s = rte_pktmbuf_alloc(mp);
		uint8_t *sh, *ip;
		struct rte_tcp_hdr *t;

		if (!s || !rte_pktmbuf_append(s, (uint16_t)hdr) ||
		    append_from(s, m, hdr + i * mss, len, mp)) {
			rte_pktmbuf_free(s);
			rte_pktmbuf_free_bulk(out, i);
			return -ENOMEM;
		}
		sh = rte_pktmbuf_mtod(s, uint8_t *);
		memcpy(sh, h, hdr);
		ip = sh + lens.l2_len;
		t = (struct rte_tcp_hdr *)(ip + lens.l3_len);
		if (RTE_ETH_IS_IPV4_HDR(ptype)) {
			struct rte_ipv4_hdr *v4 = (struct rte_ipv4_hdr *)ip;

			v4->total_length = rte_cpu_to_be_16((uint16_t)(lens.l3_len + lens.l4_len + len));
			v4->packet_id = rte_cpu_to_be_16((uint16_t)(id0 + i));
			v4->hdr_checksum = 0;
			v4->hdr_checksum = rte_ipv4_cksum(v4);
		} else {
			struct rte_ipv6_hdr *v6 = (struct rte_ipv6_hdr *)ip;

			v6->payload_len = rte_cpu_to_be_16(
				(uint16_t)(lens.l3_len - sizeof(*v6) + lens.l4_len + len));
		}
		t->sent_seq = rte_cpu_to_be_32(seq0 + i * mss);
		t->tcp_flags = flags0;
		if (i + 1 < nseg)
			t->tcp_flags &= (uint8_t)~(RTE_TCP_FIN_FLAG | RTE_TCP_PSH_FLAG);
		if (i > 0)
			t->tcp_flags &= (uint8_t)~RTE_TCP_CWR_FLAG;
		/* Its checksum is still to be made, as the guest's was. */
		s->ol_flags = RTE_MBUF_F_RX_L4_CKSUM_NONE;
		out[i] = s;
	}
	return (int)nseg;
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
		return -ENOTSUP; /* SCTP: no virtio-net guest asks for it */
	hdr_len = l4 == RTE_MBUF_F_TX_TCP_CKSUM ? sizeof(struct rte_tcp_hdr)
						 : sizeof(struct rte_udp_hdr);
	/* librte_vhost parsed these headers in the first segment. */
	if (!(m->ol_flags & (RTE_MBUF_F_TX_IPV4 | RTE_MBUF_F_TX_IPV6)) ||
	    rte_pktmbuf_data_len(m) < l4_off + hdr_len)
		return -EINVAL;
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
		return -EINVAL;
	memcpy(field, &zero, sizeof(zero));
	if (rte_raw_cksum_mbuf(m, l4_off, l4_len, &raw))
		return -EINVAL;
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
