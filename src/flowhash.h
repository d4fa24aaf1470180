/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow hashing for spreading VF->VM traffic over a guest's RX queues
 * (multiqueue, guide section 12).  DPDK-free: it reads raw frame bytes.
 *
 * A flow is what must stay in order: for IPv4 and IPv6 the addresses, the
 * protocol and, for TCP, UDP and SCTP, the ports; behind up to two VLAN
 * tags (802.1Q, 802.1ad, 0x9100).  Fragments hash on addresses and protocol
 * only (later fragments carry no ports).  Other frames hash on the MAC pair
 * and EtherType.  Equal flows always get equal hashes. */
#ifndef VIO_FLOWHASH_H
#define VIO_FLOWHASH_H

#include <stdint.h>

/* Hash of the flow of frame[0..len) (the first segment suffices: headers
 * are read only as far as they are present). */
uint32_t vio_flow_hash(const uint8_t *frame, uint32_t len);

/* The ring for hash among the set bits of mask (mask != 0): the hash is
 * scaled onto the number of set bits, so every enabled ring is reachable
 * and gaps (rings 0 and 4 enabled, 2 not) are skipped. */
unsigned vio_ring_pick(uint64_t mask, uint32_t hash);

#endif
