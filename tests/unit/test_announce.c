/* SPDX-License-Identifier: BSD-3-Clause */
/* Announcing a migrating guest (src/announce.c) with the real datapath
 * (forward.c): the RARP the VM->VF worker sends on the VF (a net_ring
 * port), byte for byte; when it is sent and when not; the guest's MAC learnt
 * from its frames (fake_vhost.c is the guest); and the control side's steps
 * on the EAL alarm: asked every interval while the guest is silent, stopped
 * once it sends, when logging goes off or when the device stops. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <rte_ethdev.h>
#include <rte_mbuf.h>

#include "announce.h"
#include "config.h"
#include "ctl_lock.h"
#include "dp_harness.h"
#include "fake_vhost.h"
#include "forward.h"
#include "relay.h"
#include "worker.h"

#define INTERVAL_MS 20
#define MAC_WORD(a, b, c, d, e, f)                                                                 \
	((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24 |          \
	 (uint64_t)(e) << 32 | (uint64_t)(f) << 40)

static struct vio_relay relay;
static struct vio_relay_dir *const to_vf = &relay.dirs[VIO_DIR_VM_TO_VF];
static struct rte_mempool *drain;
static unsigned wakes;
static int woken_cpu = -2;

/* What announce.c needs of the relay table and the workers. */
unsigned vio_max_relays(void)
{
	return 2;
}

struct vio_relay *vio_relay_get(unsigned id)
{
	VIO_ASSERT_CTL_HELD();
	return id == relay.id ? &relay : NULL;
}

void vio_worker_wake_cpu(int cpu)
{
	__atomic_store_n(&woken_cpu, cpu, __ATOMIC_RELAXED);
	__atomic_fetch_add(&wakes, 1, __ATOMIC_RELAXED);
}

static void start(unsigned interval_ms, const char *guest_mac)
{
	struct vio_config c;
	char err[VIO_ERR_MAX];

	vio_config_defaults(&c, 32);
	c.announce_ms = interval_ms;
	if (guest_mac) {
		assert_int_equal(
			vio_parse_guest_mac(guest_mac, &c.guest_macs[0], 32, err, sizeof(err)), 0);
		c.n_guest_macs = 1;
	}
	vio_announce_init(&c);
}

static int reset(void **state)
{
	(void)state;
	vio_announce_fini();
	dp_vf_sent(NULL, NULL, UINT_MAX);
	dp_relay(&relay, 1522);
	relay.id = 1;
	for (int d = 0; d < VIO_NB_DIRS; d++)
		relay.dirs[d].cpu = 1;
	fv_reset();
	wakes = 0;
	woken_cpu = -2;
	return 0;
}

static int stop(void **state)
{
	(void)state;
	vio_announce_fini();
	vio_ctl_lock();
	vio_announce_stop(&relay);
	vio_ctl_unlock();
	dp_vf_sent(NULL, NULL, UINT_MAX);
	return 0;
}

/* The frames the VF got: exactly n, the first copied into first[60]. */
static void vf_got(unsigned n, uint8_t *first)
{
	struct rte_mbuf *m[8];
	unsigned got = dp_vf_sent_mbufs(m, 8);

	assert_int_equal(got, n);
	if (n && first) {
		assert_int_equal(rte_pktmbuf_pkt_len(m[0]), 60);
		memcpy(first, rte_pktmbuf_mtod(m[0], uint8_t *), 60);
	}
	for (unsigned i = 0; i < got; i++)
		rte_pktmbuf_free(m[i]);
}

/* The worker's poll with the guest silent. */
static void poll_once(void)
{
	vio_forward_poll(to_vf);
}

static void test_rarp_bytes(void **state)
{
	static const uint8_t want[60] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x52, 0x54, 0x00, 0x12, 0x34, 0x56, /* L2 */
		0x80, 0x35, 0x00, 0x01, 0x08, 0x00, 6,    4,    0x00, 0x03,             /* RARP */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0,    0,    0,    0,                /* sender */
		0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0,    0,    0,    0,                /* target */
	};
	uint8_t got[60];

	(void)state;
	relay.guest_mac = MAC_WORD(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
	relay.migrating = VIO_MIG_ANNOUNCING;
	relay.announce_req = 1;
	poll_once();
	vf_got(1, got);
	assert_memory_equal(got, want, sizeof(want));
	assert_int_equal(to_vf->st.announce_pkts, 1);
	assert_int_equal(to_vf->announce_done, 1);
	/* one per request: nothing more until asked again */
	poll_once();
	vf_got(0, NULL);
	relay.announce_req = 3; /* two asks in between: one frame */
	poll_once();
	vf_got(1, NULL);
	assert_int_equal(to_vf->st.announce_pkts, 2);
	assert_int_equal(to_vf->st.tx_pkts, 0); /* not counted as relayed traffic */
}

/* Asked, but the migration ended, the guest was heard, no MAC or no VF:
 * nothing goes out and the request counts as served. */
static void test_not_sent(void **state)
{
	(void)state;
	relay.guest_mac = MAC_WORD(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
	relay.announce_req = 1;
	relay.migrating = VIO_MIG_NONE;
	poll_once();
	relay.migrating = VIO_MIG_HEARD;
	relay.announce_req = 2;
	poll_once();
	relay.migrating = VIO_MIG_ANNOUNCING;
	relay.guest_mac = 0;
	relay.announce_req = 3;
	poll_once();
	vf_got(0, NULL);
	assert_int_equal(to_vf->announce_done, 3);
	assert_int_equal(to_vf->st.announce_pkts, 0);
	/* the VM->VF direction only: VF->VM never sends one */
	relay.guest_mac = MAC_WORD(0x52, 0x54, 0x00, 0x12, 0x34, 0x56);
	relay.announce_req = 4;
	vio_forward_poll(&relay.dirs[VIO_DIR_VF_TO_VM]);
	vf_got(0, NULL);
}

static struct rte_mbuf *make_from(struct rte_mempool *mp, uint16_t ring, uint32_t seq)
{
	struct rte_mbuf *m = dp_frame(mp, 100, seq, ring);
	uint8_t *src = rte_pktmbuf_mtod(m, uint8_t *) + 6;
	/* seq 1: unicast 52:54:00:aa:bb:01; seq 2: a multicast source */
	static const uint8_t mac1[6] = {0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01};
	static const uint8_t mac2[6] = {0x53, 0x54, 0x00, 0xaa, 0xbb, 0x02};

	memcpy(src, seq == 2 ? mac2 : mac1, 6);
	return m;
}

/* The guest sends frame seq (make_from) through the relay to the VF; the
 * MAC the relay then has. */
static uint64_t guest_sends(uint32_t seq)
{
	fv.next_seq = seq;
	fv.pending[1] = 1;
	poll_once();
	vf_got(1, NULL);
	return relay.guest_mac;
}

static void test_learn(void **state)
{
	const uint64_t learnt = MAC_WORD(0x52, 0x54, 0x00, 0xaa, 0xbb, 0x01);

	(void)state;
	fv.make = make_from;
	assert_int_equal(guest_sends(1), learnt);
	/* a multicast source is not the guest's */
	assert_int_equal(guest_sends(2), learnt);
	/* a configured MAC is never replaced */
	relay.guest_mac = MAC_WORD(2, 0, 0, 0, 0, 9);
	relay.guest_mac_fixed = true;
	assert_int_equal(guest_sends(1), MAC_WORD(2, 0, 0, 0, 0, 9));
}

static uint32_t asked(void)
{
	return __atomic_load_n(&relay.announce_req, __ATOMIC_ACQUIRE);
}

/* Wait (bounded) until the alarm asked at least n times. */
static void wait_asked(uint32_t n)
{
	for (int i = 0; i < 2000 && asked() < n; i++)
		usleep(1000);
	assert_true(asked() >= n);
}

static uint8_t migrating(void)
{
	return __atomic_load_n(&relay.migrating, __ATOMIC_ACQUIRE);
}

/* Logging on: asked at once, then every interval while the guest is
 * silent, with the worker woken each time; the guest heard: no more. */
static void test_steps_until_heard(void **state)
{
	uint32_t n;

	(void)state;
	start(INTERVAL_MS, "1=52:54:00:12:34:56");
	assert_int_equal(relay.guest_mac, MAC_WORD(0x52, 0x54, 0x00, 0x12, 0x34, 0x56));
	assert_true(relay.guest_mac_fixed);
	vio_announce_logging(&relay, true);
	assert_int_equal(migrating(), VIO_MIG_ANNOUNCING);
	wait_asked(3);
	assert_true(__atomic_load_n(&wakes, __ATOMIC_RELAXED) >= 3);
	assert_int_equal(__atomic_load_n(&woken_cpu, __ATOMIC_RELAXED), 1);
	/* the worker serves them */
	poll_once();
	vf_got(1, NULL);
	/* the guest sends through the relay: the next step stops */
	__atomic_store_n(&to_vf->st.rx_pkts, 5, __ATOMIC_RELAXED);
	for (int i = 0; i < 2000 && migrating() == VIO_MIG_ANNOUNCING; i++)
		usleep(1000);
	assert_int_equal(migrating(), VIO_MIG_HEARD);
	n = asked();
	usleep(5 * INTERVAL_MS * 1000);
	assert_int_equal(asked(), n);
	/* logging on again while heard changes nothing; off ends it */
	vio_announce_logging(&relay, true);
	assert_int_equal(migrating(), VIO_MIG_HEARD);
	vio_announce_logging(&relay, false);
	assert_int_equal(migrating(), VIO_MIG_NONE);
}

/* Logging off, or the device stopping, ends the asking. */
static void test_steps_end(void **state)
{
	uint32_t n;

	(void)state;
	start(INTERVAL_MS, "1=52:54:00:12:34:56");
	vio_announce_logging(&relay, true);
	wait_asked(2);
	vio_announce_logging(&relay, false);
	usleep(3 * INTERVAL_MS * 1000);
	n = asked();
	usleep(5 * INTERVAL_MS * 1000);
	assert_int_equal(asked(), n);

	vio_announce_logging(&relay, true);
	wait_asked(n + 2);
	vio_ctl_lock();
	vio_announce_stop(&relay);
	vio_ctl_unlock();
	assert_int_equal(migrating(), VIO_MIG_NONE);
	usleep(3 * INTERVAL_MS * 1000);
	n = asked();
	usleep(5 * INTERVAL_MS * 1000);
	assert_int_equal(asked(), n);
	/* what was asked before the stop is not sent after it */
	poll_once();
	vf_got(0, NULL);
}

/* Off (interval 0), or no MAC known: never asked. */
static void test_off_or_no_mac(void **state)
{
	(void)state;
	start(0, "1=52:54:00:12:34:56");
	vio_announce_logging(&relay, true);
	assert_int_equal(migrating(), VIO_MIG_NONE);
	usleep(5 * INTERVAL_MS * 1000);
	assert_int_equal(asked(), 0);

	relay.guest_mac = 0;
	relay.guest_mac_fixed = false;
	start(INTERVAL_MS, NULL);
	assert_int_equal(relay.guest_mac, 0);
	vio_announce_logging(&relay, true);
	assert_int_equal(migrating(), VIO_MIG_ANNOUNCING);
	usleep(5 * INTERVAL_MS * 1000);
	assert_int_equal(asked(), 0);
	assert_int_equal(__atomic_load_n(&wakes, __ATOMIC_RELAXED), 0);
	/* a MAC learnt meanwhile is announced from the next step on */
	__atomic_store_n(&relay.guest_mac, MAC_WORD(0x52, 0x54, 0, 1, 2, 3), __ATOMIC_RELAXED);
	wait_asked(1);
}

static void test_mac_format(void **state)
{
	char buf[24];

	(void)state;
	vio_mac_format(MAC_WORD(0x52, 0x54, 0x00, 0xab, 0xcd, 0xef), buf, sizeof(buf));
	assert_string_equal(buf, "52:54:00:ab:cd:ef");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_rarp_bytes, reset, stop),
		cmocka_unit_test_setup_teardown(test_not_sent, reset, stop),
		cmocka_unit_test_setup_teardown(test_learn, reset, stop),
		cmocka_unit_test_setup_teardown(test_steps_until_heard, reset, stop),
		cmocka_unit_test_setup_teardown(test_steps_end, reset, stop),
		cmocka_unit_test_setup_teardown(test_off_or_no_mac, reset, stop),
		cmocka_unit_test(test_mac_format),
	};

	if (dp_eal_init("test_announce", "0") || dp_setup(true))
		return 1;
	drain = rte_pktmbuf_pool_create("drain", 255, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE,
					SOCKET_ID_ANY);
	if (!drain)
		return 1;
	vio_forward_init(drain);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
