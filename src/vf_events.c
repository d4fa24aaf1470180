/* SPDX-License-Identifier: BSD-3-Clause */
/* VF port events: see vf_events.h. */
#define VIO_LOG_MODULE "vf_events"
#include "vf_events.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <rte_alarm.h>
#include <rte_ethdev.h>

#include "ctl_lock.h"
#include "log.h"

#define RETRY_US 10000   /* the control lock was busy: try again in 10 ms */

/* Per port, written by the interrupt thread and by control, read by the
 * stats services: relaxed atomics, no lock. */
struct port_watch {
	bool watched;
	bool live;          /* started: its link means something */
	unsigned relay_id;
	int state;
	uint32_t speed;
	uint64_t changes;
};

static struct port_watch watch[RTE_MAX_ETHPORTS];
static const struct vio_vf_event_handlers *handlers;

void vio_vf_events_handlers(const struct vio_vf_event_handlers *h)
{
	handlers = h;
}

const char *vio_vf_link_name(int state)
{
	return state > 0 ? "up" : state == 0 ? "down" : "unknown";
}

/* Store the link as read now; true when it differs from what we knew. */
static bool store_link(uint16_t port, const struct rte_eth_link *l)
{
	struct port_watch *w = &watch[port];
	int s = l->link_status == RTE_ETH_LINK_UP;
	int old = __atomic_exchange_n(&w->state, s, __ATOMIC_RELAXED);
	uint32_t speed = l->link_speed == RTE_ETH_SPEED_NUM_UNKNOWN ? 0 : l->link_speed;

	__atomic_store_n(&w->speed, speed, __ATOMIC_RELAXED);
	if (old == s)
		return false;
	if (old >= 0)
		__atomic_fetch_add(&w->changes, 1, __ATOMIC_RELAXED);
	return true;
}

static void log_link(uint16_t port)
{
	struct port_watch *w = &watch[port];
	int s = __atomic_load_n(&w->state, __ATOMIC_RELAXED);
	uint32_t speed = __atomic_load_n(&w->speed, __ATOMIC_RELAXED);

	/* A flapping link must not flood the log: at most 10 lines a second. */
	if (s > 0 && speed)
		VIO_RLOG_RL(NOTICE, 100, w->relay_id, "VF port %u link up, %u Mb/s", port, speed);
	else
		VIO_RLOG_RL(NOTICE, 100, w->relay_id, "VF port %u link %s", port,
			    vio_vf_link_name(s));
}

/* Removal and reset touch the relay: they run on the control path from an
 * EAL alarm, lock held.  pending[port] holds the events not yet handled. */
#define PENDING_RMV 1u
#define PENDING_RESET 2u
static uint8_t pending[RTE_MAX_ETHPORTS];

static void run_deferred(void *arg)
{
	uint16_t port = (uint16_t)(uintptr_t)arg;
	struct port_watch *w = &watch[port];
	uint8_t ev;
	int rc = -ENOENT;

	if (!vio_ctl_trylock())
		goto later;
	ev = __atomic_exchange_n(&pending[port], 0, __ATOMIC_ACQ_REL);
	if (ev && handlers && __atomic_load_n(&w->watched, __ATOMIC_RELAXED))
		rc = handlers->event(w->relay_id, port,
				     ev & PENDING_RMV ? VIO_VF_EV_REMOVED : VIO_VF_EV_RESET);
	if (rc == -EAGAIN)
		__atomic_fetch_or(&pending[port], ev, __ATOMIC_ACQ_REL);
	vio_ctl_unlock();
	if (rc != -EAGAIN) {
		if (rc == -ENOENT && ev)
			VIO_LOG(INFO, "VF port %u: event for a port no longer in use: ignored",
				port);
		return;
	}
later:
	if (rte_eal_alarm_set(RETRY_US, run_deferred, arg))
		VIO_LOG(ERR, "VF port %u: cannot schedule the handling of its events", port);
}

static void defer(uint16_t port, uint8_t ev)
{
	__atomic_fetch_or(&pending[port], ev, __ATOMIC_ACQ_REL);
	if (rte_eal_alarm_set(1, run_deferred, (void *)(uintptr_t)port))
		VIO_LOG(ERR, "VF port %u: cannot schedule the handling of its events", port);
}

/* Not every driver raises link interrupts (net_tap updates its link without
 * one): the link of every watched port is also read ten times a second
 * (a bond's members too: a bond fails over on what this poll sees when the
 * PMD does not tell). */
#define LINK_POLL_US 100000
static bool polling;

static void poll_links(void *arg)
{
	struct rte_eth_link l;

	(void)arg;
	if (vio_ctl_trylock()) { /* busy: a port may be closing, next round */
		for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
			if (watch[p].watched && watch[p].live &&
			    rte_eth_link_get_nowait(p, &l) == 0 && store_link(p, &l))
				log_link(p);
		if (handlers)
			handlers->links_polled();
		vio_ctl_unlock();
	}
	if (__atomic_load_n(&polling, __ATOMIC_ACQUIRE) &&
	    rte_eal_alarm_set(LINK_POLL_US, poll_links, NULL))
		VIO_LOG(ERR, "cannot schedule link polling: link changes go unnoticed");
}

void vio_vf_events_start(void)
{
	__atomic_store_n(&polling, true, __ATOMIC_RELEASE);
	poll_links(NULL);
}

void vio_vf_events_stop(void)
{
	__atomic_store_n(&polling, false, __ATOMIC_RELEASE);
	rte_eal_alarm_cancel(poll_links, NULL);
	rte_eal_alarm_cancel(run_deferred, (void *)-1);
}

static int on_event(uint16_t port, enum rte_eth_event_type type, void *arg, void *ret)
{
	struct rte_eth_link l;

	(void)arg;
	(void)ret;
	if (port >= RTE_MAX_ETHPORTS || !__atomic_load_n(&watch[port].watched, __ATOMIC_RELAXED))
		return 0;
	switch (type) {
	case RTE_ETH_EVENT_INTR_LSC:
		if (__atomic_load_n(&watch[port].live, __ATOMIC_ACQUIRE) &&
		    rte_eth_link_get_nowait(port, &l) == 0 && store_link(port, &l))
			log_link(port);
		break;
	case RTE_ETH_EVENT_INTR_RMV:
		VIO_RLOG(WARNING, watch[port].relay_id, "VF port %u was removed by its driver",
			 port);
		defer(port, PENDING_RMV);
		break;
	case RTE_ETH_EVENT_INTR_RESET:
		VIO_RLOG(WARNING, watch[port].relay_id, "VF port %u asks for a reset", port);
		defer(port, PENDING_RESET);
		break;
	default:
		break;
	}
	return 0;
}

static const enum rte_eth_event_type watched_events[] = {
	RTE_ETH_EVENT_INTR_LSC, RTE_ETH_EVENT_INTR_RMV, RTE_ETH_EVENT_INTR_RESET};

int vio_vf_events_register(uint16_t port, unsigned relay_id)
{
	struct port_watch *w;
	int rc = 0;

	VIO_ASSERT_CTL_HELD();
	if (port >= RTE_MAX_ETHPORTS)
		return -EINVAL;
	w = &watch[port];
	w->relay_id = relay_id;
	__atomic_store_n(&w->state, -1, __ATOMIC_RELAXED);
	__atomic_store_n(&w->speed, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->changes, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&w->live, false, __ATOMIC_RELAXED);
	__atomic_store_n(&w->watched, true, __ATOMIC_RELEASE);
	for (size_t i = 0; i < RTE_DIM(watched_events); i++) {
		int r = rte_eth_dev_callback_register(port, watched_events[i], on_event, NULL);

		if (r && !rc)
			rc = r;
	}
	return rc;
}

void vio_vf_events_unregister(uint16_t port)
{
	VIO_ASSERT_CTL_HELD();
	if (port >= RTE_MAX_ETHPORTS)
		return;
	__atomic_store_n(&watch[port].watched, false, __ATOMIC_RELEASE);
	for (size_t i = 0; i < RTE_DIM(watched_events); i++)
		rte_eth_dev_callback_unregister(port, watched_events[i], on_event, NULL);
}

void vio_vf_link_watch(uint16_t port, bool live)
{
	struct rte_eth_link l;

	VIO_ASSERT_CTL_HELD();
	if (port >= RTE_MAX_ETHPORTS)
		return;
	__atomic_store_n(&watch[port].live, live, __ATOMIC_RELEASE);
	if (!live) {
		__atomic_store_n(&watch[port].state, -1, __ATOMIC_RELAXED);
		return;
	}
	if (rte_eth_link_get_nowait(port, &l) == 0 && store_link(port, &l))
		log_link(port);
}

void vio_vf_link_get(uint16_t port, struct vio_vf_link *out)
{
	const struct port_watch *w;

	*out = (struct vio_vf_link){.state = -1};
	if (port >= RTE_MAX_ETHPORTS)
		return;
	w = &watch[port];
	if (!__atomic_load_n(&w->watched, __ATOMIC_ACQUIRE))
		return;
	out->state = __atomic_load_n(&w->state, __ATOMIC_RELAXED);
	out->speed = __atomic_load_n(&w->speed, __ATOMIC_RELAXED);
	out->changes = __atomic_load_n(&w->changes, __ATOMIC_RELAXED);
}

static int test_event(void)
{
	const char *v = getenv("VIO_TEST_VF_EVENT");

	if (!v)
		return -1;
	if (strcmp(v, "rmv") == 0)
		return RTE_ETH_EVENT_INTR_RMV;
	if (strcmp(v, "reset") == 0)
		return RTE_ETH_EVENT_INTR_RESET;
	return -1;
}

bool vio_vf_events_test_enabled(void)
{
	return test_event() >= 0;
}

void vio_vf_events_test_inject(void)
{
	int ev = test_event();

	if (ev < 0)
		return;
	VIO_LOG(NOTICE, "test hook: delivering %s to every VF port",
		ev == RTE_ETH_EVENT_INTR_RMV ? "a removal" : "a reset request");
	for (uint16_t p = 0; p < RTE_MAX_ETHPORTS; p++)
		if (__atomic_load_n(&watch[p].watched, __ATOMIC_ACQUIRE))
			on_event(p, (enum rte_eth_event_type)ev, NULL, NULL);
}
