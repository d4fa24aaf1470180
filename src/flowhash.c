/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow hashing: see flowhash.h. */
#include "flowhash.h"

#include <stdbool.h>
#include <string.h>

#define ETH_HLEN 14
#define ET_IPV4 0x0800
#define ET_IPV6 0x86DD
#define ET_VLAN 0x8100
#define ET_QINQ 0x88A8
#define ET_QINQ_OLD 0x9100
#define PROTO_TCP 6
#define PROTO_UDP 17
#define PROTO_SCTP 132
#define MAX_V6_EXT 8

static inline uint32_t rotl32(uint32_t x, unsigned r)
{
	return (x << r) | (x >> (32 - r));
}

/* Murmur3's 32-bit block step and finaliser. */
static inline uint32_t mix(uint32_t h, uint32_t k)
{
	k *= 0xcc9e2d51u;
	k = rotl32(k, 15);
	k *= 0x1b873593u;
	h ^= k;
	h = rotl32(h, 13);
	return h * 5 + 0xe6546b64u;
}

static inline uint32_t fin(uint32_t h, uint32_t nbytes)
{
	h ^= nbytes;
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

static inline uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t word(const uint8_t *p)
{
	uint32_t w;

	memcpy(&w, p, sizeof(w));
	return w;
}

static uint32_t hash_bytes(uint32_t h, const uint8_t *p, unsigned n)
{
	for (unsigned i = 0; i + 4 <= n; i += 4)
		h = mix(h, word(p + i));
	return h;
}

static bool has_ports(uint8_t proto)
{
	return proto == PROTO_TCP || proto == PROTO_UDP || proto == PROTO_SCTP;
}

/* Addresses at p (n bytes each way, already checked), protocol, and the
 * ports at l4 when present. */
static uint32_t hash_ip(const uint8_t *addrs, unsigned n, uint8_t proto, const uint8_t *l4,
			const uint8_t *end)
{
	uint32_t h = hash_bytes(0x9e3779b9u, addrs, 2 * n);

	h = mix(h, proto);
	if (l4 && has_ports(proto) && l4 + 4 <= end)
		h = mix(h, word(l4));
	return fin(h, 2 * n + 1);
}

static uint32_t hash_ipv4(const uint8_t *ip, const uint8_t *end)
{
	unsigned ihl;
	uint16_t frag;

	if (ip + 20 > end || (ip[0] >> 4) != 4)
		return 0;
	ihl = (ip[0] & 0x0f) * 4u;
	if (ihl < 20)
		return 0;
	frag = be16(ip + 6) & 0x3fff; /* MF and the offset */
	return hash_ip(ip + 12, 4, ip[9], frag ? NULL : ip + ihl, end);
}

/* Hop-by-hop (0), routing (43), fragment (44), authentication (51),
 * destination options (60). */
static bool is_v6_ext(uint8_t nh)
{
	return nh == 0 || nh == 43 || nh == 44 || nh == 51 || nh == 60;
}

static uint32_t hash_ipv6(const uint8_t *ip, const uint8_t *end)
{
	const uint8_t *p = ip + 40;
	uint8_t nh;

	if (ip + 40 > end || (ip[0] >> 4) != 6)
		return 0;
	nh = ip[6];
	for (int i = 0; i < MAX_V6_EXT && is_v6_ext(nh); i++) {
		uint8_t next;

		if (p + 8 > end) /* truncated: what we have */
			return hash_ip(ip + 8, 16, nh, NULL, end);
		if (nh == 44) /* fragment: addresses and the inner protocol only */
			return hash_ip(ip + 8, 16, p[0], NULL, end);
		next = p[0];
		/* the authentication header counts 4-byte units, the others 8 */
		p += nh == 51 ? (p[1] + 2u) * 4 : (p[1] + 1u) * 8;
		nh = next;
	}
	return hash_ip(ip + 8, 16, nh, p, end);
}

uint32_t vio_flow_hash(const uint8_t *frame, uint32_t len)
{
	const uint8_t *end = frame + len, *l3 = frame + ETH_HLEN;
	uint16_t et;
	uint32_t h;

	if (len < ETH_HLEN)
		return 0;
	et = be16(frame + 12);
	for (int tags = 0; tags < 2 && (et == ET_VLAN || et == ET_QINQ || et == ET_QINQ_OLD);
	     tags++) {
		if (l3 + 4 > end)
			return 0;
		et = be16(l3 + 2);
		l3 += 4;
	}
	if (et == ET_IPV4 && (h = hash_ipv4(l3, end)) != 0)
		return h;
	if (et == ET_IPV6 && (h = hash_ipv6(l3, end)) != 0)
		return h;
	/* not IP (or a truncated header): the MAC pair and EtherType */
	h = hash_bytes(0x85ebca6bu, frame, 12);
	return fin(mix(h, et), 14);
}

unsigned vio_ring_pick(uint64_t mask, uint32_t hash)
{
	unsigned n = (unsigned)__builtin_popcountll(mask);
	unsigned k = (unsigned)(((uint64_t)hash * n) >> 32);

	while (k--)
		mask &= mask - 1; /* drop the lowest set bit */
	return (unsigned)__builtin_ctzll(mask);
}
