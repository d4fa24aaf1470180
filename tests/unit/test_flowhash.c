/* SPDX-License-Identifier: BSD-3-Clause */
/* Flow hashing and ring selection (src/flowhash.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "flowhash.h"

struct frame {
	uint8_t b[256];
	uint32_t len;
};

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* Ethernet header with n_tags VLAN tags (vid varies the tag contents). */
static uint8_t *eth(struct frame *f, unsigned n_tags, uint16_t vid, uint16_t et)
{
	static const uint8_t dst[6] = {0x52, 0x54, 0, 0, 0, 1}, src[6] = {0x52, 0x54, 0, 0, 0, 2};
	uint8_t *p = f->b + 12;

	memset(f, 0, sizeof(*f));
	memcpy(f->b, dst, 6);
	memcpy(f->b + 6, src, 6);
	for (unsigned i = 0; i < n_tags; i++) {
		put16(p, i == 0 && n_tags == 2 ? 0x88A8 : 0x8100);
		put16(p + 2, vid);
		p += 4;
	}
	put16(p, et);
	return p + 2;
}

static void ipv4(struct frame *f, unsigned tags, uint8_t proto, uint32_t saddr, uint16_t sport,
		 uint16_t dport, uint16_t frag, uint8_t payload)
{
	uint8_t *ip = eth(f, tags, 7, 0x0800), *l4 = ip + 20;

	ip[0] = 0x45;
	put16(ip + 6, frag);
	ip[8] = 64;
	ip[9] = proto;
	memcpy(ip + 12, &saddr, 4);
	ip[16] = 10, ip[19] = 9;
	put16(l4, sport);
	put16(l4 + 2, dport);
	memset(l4 + 8, payload, 32);
	f->len = (uint32_t)(l4 + 40 - f->b);
}

/* IPv6 with an optional hop-by-hop header, or a fragment header. */
static void ipv6(struct frame *f, unsigned tags, uint8_t proto, uint16_t sport, bool hbh,
		 int frag_off)
{
	uint8_t *ip = eth(f, tags, 3, 0x86DD), *p = ip + 40;

	ip[0] = 0x60;
	ip[7] = 64;
	ip[8] = 0x20, ip[9] = 0x01, ip[23] = 1;  /* 2001::1 */
	ip[24] = 0x20, ip[25] = 0x01, ip[39] = 2; /* 2001::2 */
	ip[6] = proto;
	if (hbh) {
		ip[6] = 0;
		p[0] = proto;
		p[1] = 0; /* 8 bytes */
		p += 8;
	} else if (frag_off >= 0) {
		ip[6] = 44;
		p[0] = proto;
		put16(p + 2, (uint16_t)(frag_off << 3 | 1));
		p += 8;
	}
	put16(p, sport);
	put16(p + 2, 80);
	f->len = (uint32_t)(p + 40 - f->b);
}

static uint32_t H(const struct frame *f)
{
	return vio_flow_hash(f->b, f->len);
}

static void test_ipv4_ports_and_payload(void **state)
{
	struct frame a, b;

	(void)state;
	ipv4(&a, 0, 17, 0x0100000a, 1000, 53, 0, 1);
	ipv4(&b, 0, 17, 0x0100000a, 1000, 53, 0, 2);
	assert_int_equal(H(&a), H(&b)); /* payload does not matter */
	ipv4(&b, 0, 17, 0x0100000a, 1001, 53, 0, 1);
	assert_int_not_equal(H(&a), H(&b)); /* a port does */
	ipv4(&b, 0, 17, 0x0200000a, 1000, 53, 0, 1);
	assert_int_not_equal(H(&a), H(&b)); /* an address does */
	ipv4(&b, 0, 6, 0x0100000a, 1000, 53, 0, 1);
	assert_int_not_equal(H(&a), H(&b)); /* so does the protocol */
	ipv4(&a, 0, 132, 0x0100000a, 1000, 53, 0, 1);
	ipv4(&b, 0, 132, 0x0100000a, 2000, 53, 0, 1);
	assert_int_not_equal(H(&a), H(&b)); /* SCTP ports count */
	ipv4(&a, 0, 1, 0x0100000a, 1000, 53, 0, 1);
	ipv4(&b, 0, 1, 0x0100000a, 2000, 53, 0, 1);
	assert_int_equal(H(&a), H(&b)); /* ICMP has no ports */
}

static void test_ipv4_fragments_stay_together(void **state)
{
	struct frame first, later;

	(void)state;
	ipv4(&first, 0, 17, 0x0100000a, 1000, 53, 0x2000, 1); /* MF, offset 0 */
	ipv4(&later, 0, 17, 0x0100000a, 7777, 9999, 185, 2);  /* offset 185*8 */
	assert_int_equal(H(&first), H(&later));
}

static void test_vlan_tags_are_looked_through(void **state)
{
	struct frame plain, one, two;

	(void)state;
	ipv4(&plain, 0, 6, 0x0100000a, 40000, 443, 0, 1);
	ipv4(&one, 1, 6, 0x0100000a, 40000, 443, 0, 1);
	ipv4(&two, 2, 6, 0x0100000a, 40000, 443, 0, 1);
	assert_int_equal(H(&plain), H(&one));
	assert_int_equal(H(&plain), H(&two));
	ipv4(&one, 1, 6, 0x0100000a, 40001, 443, 0, 1);
	assert_int_not_equal(H(&plain), H(&one)); /* ports still read behind the tag */
}

static void test_ipv6(void **state)
{
	struct frame a, b;

	(void)state;
	ipv6(&a, 0, 6, 1000, false, -1);
	ipv6(&b, 0, 6, 1001, false, -1);
	assert_int_not_equal(H(&a), H(&b));
	ipv6(&b, 0, 6, 1000, true, -1);
	assert_int_equal(H(&a), H(&b)); /* hop-by-hop header skipped, ports found */
	ipv6(&b, 1, 6, 1000, false, -1);
	assert_int_equal(H(&a), H(&b)); /* VLAN */
	ipv6(&a, 0, 17, 1000, false, 0);
	ipv6(&b, 0, 17, 5555, false, 100);
	assert_int_equal(H(&a), H(&b)); /* fragments: addresses and protocol */
}

static void test_non_ip_and_truncated(void **state)
{
	struct frame a, b;
	uint32_t h;

	(void)state;
	eth(&a, 0, 0, 0x88B5);
	a.len = 60;
	eth(&b, 0, 0, 0x88B5);
	b.len = 60;
	b.b[40] = 9; /* payload */
	assert_int_equal(H(&a), H(&b));
	b.b[11] = 3; /* another source MAC */
	assert_int_not_equal(H(&a), H(&b));
	/* every truncation of an IPv6/VLAN frame hashes without reading past it */
	ipv6(&a, 2, 6, 1000, true, -1);
	for (uint32_t n = 0; n <= a.len; n++)
		h = vio_flow_hash(a.b, n);
	(void)h;
	ipv4(&a, 1, 17, 1, 2, 3, 0, 0);
	a.b[18] = 0x41; /* IHL 4: invalid */
	(void)H(&a);
}

/* Many flows over 4 rings: each gets a fair share. */
static void test_spread(void **state)
{
	unsigned count[4] = {0};
	struct frame f;

	(void)state;
	for (unsigned i = 0; i < 4096; i++) {
		ipv4(&f, 0, 17, 0x0100000a + (i << 24), (uint16_t)(1024 + i), 4789, 0, 0);
		count[vio_ring_pick(0x55, H(&f)) / 2]++;
	}
	for (int q = 0; q < 4; q++)
		assert_in_range(count[q], 850, 1200);
}

static void test_ring_pick(void **state)
{
	bool seen[64] = {false};

	(void)state;
	assert_int_equal(vio_ring_pick(1ULL << 6, 0), 6);
	assert_int_equal(vio_ring_pick(1ULL << 6, 0xffffffffu), 6);
	/* rings 0 and 4 enabled, 2 not: only those two, both reachable */
	for (uint32_t h = 0; h < 64; h++) {
		unsigned r = vio_ring_pick(0x11, h * 0x04000000u);

		assert_true(r == 0 || r == 4);
		seen[r] = true;
	}
	assert_true(seen[0] && seen[4]);
	/* 32 RX rings: the lowest hash picks ring 0, the highest ring 62 */
	assert_int_equal(vio_ring_pick(0x5555555555555555ULL, 0), 0);
	assert_int_equal(vio_ring_pick(0x5555555555555555ULL, 0xffffffffu), 62);
	memset(seen, 0, sizeof(seen));
	for (uint32_t k = 0; k < 32; k++)
		seen[vio_ring_pick(0x5555555555555555ULL, k * (1u << 27) + 1)] = true;
	for (unsigned r = 0; r < 64; r += 2)
		assert_true(seen[r]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_ports_and_payload),
		cmocka_unit_test(test_ipv4_fragments_stay_together),
		cmocka_unit_test(test_vlan_tags_are_looked_through),
		cmocka_unit_test(test_ipv6),
		cmocka_unit_test(test_non_ip_and_truncated),
		cmocka_unit_test(test_spread),
		cmocka_unit_test(test_ring_pick),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
