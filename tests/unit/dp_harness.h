/* SPDX-License-Identifier: BSD-3-Clause */
/* The datapath harness of the unit tests (test_forward, test_relay_state,
 * test_worker): the EAL in memory (no hugepages, no PCI), a pool of mbufs,
 * a net_ring port standing in for a VF, and test frames (Ethernet, IPv4,
 * UDP or TCP) that carry a sequence number and a flow number, so that a
 * test can say which frame went where and in what order. */
#ifndef VIO_DP_HARNESS_H
#define VIO_DP_HARNESS_H

#include <stdbool.h>
#include <stdint.h>

struct rte_mbuf;
struct rte_mempool;
struct rte_ring;
struct vio_relay;

#define DP_POOL_SIZE 1023 /* mbufs in dp_pool (no per-lcore cache: counts are exact) */
#define DP_VF_TX_ROOM 8   /* frames the VF's TX ring takes before it is full */
#define DP_HDR_UDP 42     /* Ethernet + IPv4 + UDP */
#define DP_HDR_TCP 54     /* Ethernet + IPv4 + TCP */

extern struct rte_mempool *dp_pool;
extern uint16_t dp_vf_port;

/* rte_eal_init in memory on the lcores given ("0", "0,1"); 0 or -1. */
int dp_eal_init(const char *prog, const char *lcores);
/* dp_pool, and with vf the ring port dp_vf_port (configured, started). */
int dp_setup(bool vf);
void dp_teardown(void);

/* A relay zeroed, then running both ways: a guest (vhost device 7) with
 * queue pair 0 enabled, the ring port as its VF with dp_pool, frames up to
 * max_frame bytes; its directions unassigned (cpu -1). */
void dp_relay(struct vio_relay *r, uint32_t max_frame);

/* A UDP frame of len bytes (at least DP_HDR_UDP + 4) from mp: source port
 * 1000 + flow, seq in the first payload bytes, the rest a pattern of seq.
 * Chained over several buffers when longer than one. */
struct rte_mbuf *dp_frame(struct rte_mempool *mp, uint32_t len, uint32_t seq, uint16_t flow);
/* A TCP frame with payload bytes of payload, a guest's segmentation
 * request (RX_LRO, tso_segsz mss) as librte_vhost marks it. */
struct rte_mbuf *dp_tso_frame(struct rte_mempool *mp, uint32_t payload, uint16_t mss, uint32_t seq);
/* The seq a frame (or a segment's first payload bytes) carries. */
uint32_t dp_seq(const struct rte_mbuf *m);

/* Frames arriving at the VF, for the relay to receive. */
void dp_vf_receive(struct rte_mbuf **m, unsigned n);
/* What the relay sent to the VF, in order: up to max frames taken off its
 * TX ring (freed), their seq and length in seq[] and len[] (either may be
 * NULL); returns how many. */
unsigned dp_vf_sent(uint32_t *seq, uint32_t *len, unsigned max);
/* Take what the relay sent to the VF, unfreed, up to max. */
unsigned dp_vf_sent_mbufs(struct rte_mbuf **m, unsigned max);

#endif
