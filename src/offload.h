/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest offloads the VF cannot complete, completed in software.
 *
 * A guest that negotiated VIRTIO_NET_F_CSUM may send TCP and UDP packets
 * whose L4 checksum holds only the pseudo-header sum.  librte_vhost (with
 * RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS) marks them RX_L4_CKSUM_NONE, as a
 * NIC would mark a packet whose checksum it did not check; before such a
 * packet goes to a VF it becomes a TX checksum request (l2_len, l3_len,
 * TX_IPV4/6, TX_TCP/UDP_CKSUM), which a VF with those offloads finishes
 * itself, and which the relay finishes in software for any other VF. */
#ifndef VIO_OFFLOAD_H
#define VIO_OFFLOAD_H

#include <stdbool.h>
#include <stdint.h>

#include <rte_mbuf.h>

struct rte_mbuf;
struct rte_mempool;

/* Turn a guest's partial checksum (RX_L4_CKSUM_NONE) into a TX checksum
 * request.  Returns 1 when the packet now asks for one, 0 when it has
 * nothing to finish (or nothing this relay can: not TCP or UDP). */
int vio_offload_tx_request(struct rte_mbuf *m);

/* A guest's TCP segmentation request (VIRTIO_NET_F_HOST_TSO4/6: marked
 * RX_LRO with tso_segsz by librte_vhost): cut m into segments of at most
 * tso_segsz payload bytes, in new buffers from mp (chained when a segment
 * is longer than a buffer), headers copied and fixed (IPv4 length, id and
 * checksum; IPv6 payload length; TCP sequence, FIN/PSH on the last only, CWR
 * on the first only); each segment leaves its TCP checksum to
 * vio_offload_tx_request().  Writes at most room segments to out and returns
 * how many, 0 when m is no segmentation request (untouched), or a negative
 * errno when it cannot be cut (-EINVAL: not TCP, no segment size, headers not
 * in its first buffer; -ENOSPC: more segments than room; -ENOMEM: out of
 * buffers): nothing is left allocated.  m itself is not freed. */
int vio_offload_segment(struct rte_mbuf *m, struct rte_mempool *mp, struct rte_mbuf **out,
			unsigned room);

/* Whether a frame is too long for a VF that takes frames of at most max
 * bytes.  A segmentation request (RX_LRO, from librte_vhost) is not, when
 * the relay segments it (segment: the guest negotiated HOST_TSO4/6 and the
 * packet comes from the guest); otherwise it is measured like any other:
 * librte_vhost marks a guest's GSO packet RX_LRO whenever the guest sets
 * gso_type, TSO negotiated or not, and such a frame may be 64 KiB. */
static inline bool vio_offload_too_long(const struct rte_mbuf *m, uint32_t max, bool segment)
{
	return m->pkt_len > max && !(segment && (m->ol_flags & RTE_MBUF_F_RX_LRO));
}

/* Compute the L4 checksum the mbuf's TX flags ask for and clear those flags.
 * Returns 0, or a negative errno when the packet cannot be completed and must
 * not be sent: -EINVAL when the headers the flags describe are not there,
 * -ENOTSUP for a checksum other than TCP's or UDP's. */
int vio_offload_sw_csum(struct rte_mbuf *m);

#endif
