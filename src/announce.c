/* SPDX-License-Identifier: BSD-3-Clause */
/* Announcing a migrating guest on its relay's VF: see announce.h. */
#define VIO_LOG_MODULE "announce"
#include "announce.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <rte_alarm.h>

#include "log.h"
#include "relay.h"
#include "worker.h"

#define RETRY_US 10000 /* the control lock was busy */

static unsigned interval_ms;

/* Per relay, seen by the alarm and by vio_announce_stop (both under the
 * control lock). */
static struct mig {
	bool active;      /* an announcing period is under way */
	uint64_t rx_base; /* guest frames relayed when it began */
	uint64_t t0_ns;
	unsigned asked; /* announcements asked of the worker */
	bool no_mac_said;
} mig[VIO_RELAYS_HARD_MAX];

/* The alarm is pending or running (one chain at a time). */
static bool armed;

static void tick(void *arg);

static void arm(unsigned us)
{
	if (__atomic_exchange_n(&armed, true, __ATOMIC_ACQ_REL))
		return;
	if (rte_eal_alarm_set(us, tick, NULL)) {
		__atomic_store_n(&armed, false, __ATOMIC_RELEASE);
		VIO_LOG_RL(ERR, 1000, "cannot schedule the announcement of a migrating guest");
	}
}

void vio_mac_format(uint64_t mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", (unsigned)(mac & 0xff),
		 (unsigned)(mac >> 8 & 0xff), (unsigned)(mac >> 16 & 0xff),
		 (unsigned)(mac >> 24 & 0xff), (unsigned)(mac >> 32 & 0xff),
		 (unsigned)(mac >> 40 & 0xff));
}

static uint64_t mac_word(const uint8_t mac[6])
{
	uint64_t w = 0;

	for (unsigned i = 0; i < 6; i++)
		w |= (uint64_t)mac[i] << (8 * i);
	return w;
}

void vio_announce_init(const struct vio_config *cfg)
{
	interval_ms = cfg->announce_ms;
	vio_ctl_lock();
	for (unsigned i = 0; i < cfg->n_guest_macs; i++) {
		struct vio_relay *r = vio_relay_get(cfg->guest_macs[i].relay);

		if (!r)
			continue;
		__atomic_store_n(&r->guest_mac, mac_word(cfg->guest_macs[i].mac), __ATOMIC_RELAXED);
		r->guest_mac_fixed = true;
	}
	vio_ctl_unlock();
}

void vio_announce_fini(void)
{
	rte_eal_alarm_cancel(tick, NULL);
	__atomic_store_n(&armed, false, __ATOMIC_RELEASE);
}

void vio_announce_logging(struct vio_relay *r, bool on)
{
	uint8_t none = VIO_MIG_NONE;

	if (!on) {
		/* Migration over or cancelled: the primary comes back on its own. */
		__atomic_store_n(&r->migrating, VIO_MIG_NONE, __ATOMIC_RELEASE);
		return;
	}
	if (!interval_ms)
		return;
	if (__atomic_compare_exchange_n(&r->migrating, &none, VIO_MIG_ANNOUNCING, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		arm(1);
}

static uint64_t guest_frames(const struct vio_relay *r)
{
	return __atomic_load_n(&r->dirs[VIO_DIR_VM_TO_VF].st.rx_pkts, __ATOMIC_RELAXED);
}

static uint64_t sent(const struct vio_relay *r)
{
	return __atomic_load_n(&r->dirs[VIO_DIR_VM_TO_VF].st.announce_pkts, __ATOMIC_RELAXED);
}

static void finish(struct vio_relay *r, struct mig *m, const char *why)
{
	VIO_RLOG(INFO, r->id,
		 "%s %.0f ms after the migration started: announcements stop (%u asked, "
		 "%" PRIu64 " sent in all)",
		 why, (double)(vio_monotonic_ns() - m->t0_ns) / 1e6, m->asked, sent(r));
	m->active = false;
}

/* [ctl] One step for a relay whose guest migrates; true while it goes on. */
static bool step(struct vio_relay *r, struct mig *m)
{
	uint64_t mac = __atomic_load_n(&r->guest_mac, __ATOMIC_RELAXED);
	char macs[24];

	if (!r->vm_running) { /* the device went without vio_announce_stop */
		__atomic_store_n(&r->migrating, VIO_MIG_NONE, __ATOMIC_RELEASE);
		if (m->active)
			finish(r, m, "the guest's device stopped");
		return false;
	}
	if (!m->active) {
		*m = (struct mig){
			.active = true, .rx_base = guest_frames(r), .t0_ns = vio_monotonic_ns()};
		vio_mac_format(mac, macs, sizeof(macs));
		if (mac)
			VIO_RLOG(INFO, r->id,
				 "the guest is migrating (dirty-page logging on): announcing %s "
				 "(%s) on the VF every %u ms until the guest sends through the "
				 "relay",
				 macs, r->guest_mac_fixed ? "configured" : "learnt", interval_ms);
	} else if (guest_frames(r) != m->rx_base) {
		/* Its own frames teach the network from now on. */
		__atomic_store_n(&r->migrating, VIO_MIG_HEARD, __ATOMIC_RELEASE);
		finish(r, m, "the guest sends through the relay");
		return false;
	}
	if (!mac) {
		if (!m->no_mac_said)
			VIO_RLOG(WARNING, r->id,
				 "the guest is migrating but its MAC is not known (it sent "
				 "nothing through the relay): not announced; set "
				 "VIRTIOFWD_GUEST_MACS for a failover standby");
		m->no_mac_said = true;
		return true; /* it may still send something */
	}
	if (!r->has_vf)
		return true;
	__atomic_fetch_add(&r->announce_req, 1, __ATOMIC_RELEASE);
	m->asked++;
	if (r->dirs[VIO_DIR_VM_TO_VF].cpu >= 0)
		vio_worker_wake_cpu(r->dirs[VIO_DIR_VM_TO_VF].cpu);
	return true;
}

static void tick(void *arg)
{
	bool more = false;

	(void)arg;
	__atomic_store_n(&armed, false, __ATOMIC_RELEASE);
	if (!vio_ctl_trylock()) { /* busy: a relay may be going, next round */
		arm(RETRY_US);
		return;
	}
	for (unsigned id = 0; id < vio_max_relays(); id++) {
		struct vio_relay *r = vio_relay_get(id);
		struct mig *m = &mig[id];

		if (!r)
			continue;
		switch (__atomic_load_n(&r->migrating, __ATOMIC_ACQUIRE)) {
		case VIO_MIG_ANNOUNCING:
			more |= step(r, m);
			break;
		case VIO_MIG_NONE:
			if (m->active)
				finish(r, m, "dirty-page logging went off");
			break;
		default:
			break;
		}
	}
	vio_ctl_unlock();
	if (more)
		arm(interval_ms * 1000);
}

void vio_announce_stop(struct vio_relay *r)
{
	struct mig *m = &mig[r->id];

	VIO_ASSERT_CTL_HELD();
	__atomic_store_n(&r->migrating, VIO_MIG_NONE, __ATOMIC_RELEASE);
	if (m->active)
		finish(r, m, "the guest's device stopped");
}
