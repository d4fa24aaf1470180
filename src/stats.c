/* SPDX-License-Identifier: BSD-3-Clause */
/* Relay statistics: see stats.h. */
#define VIO_LOG_MODULE "stats"
#include "stats.h"

#include <inttypes.h>

#include <rte_ethdev.h>
#include <rte_malloc.h>
#include <rte_mempool.h>
#include <rte_vhost.h>

#include "log.h"
#include "vf_bond.h"
#include "worker.h"

/* The 64-bit counters in the log lines: one, and packets/bytes. */
#define CNT "%" PRIu64
#define PAIR CNT "/" CNT

static void count_pool(struct rte_mempool *mp, void *arg)
{
	(void)mp;
	(*(unsigned *)arg)++;
}

/* What the relays hold: tests compare it before and after churn. */
static void log_resources(void)
{
	struct rte_malloc_socket_stats ms;
	size_t heap = 0;
	unsigned pools = 0;

	for (unsigned s = 0; s < RTE_MAX_NUMA_NODES; s++)
		if (rte_malloc_get_socket_stats((int)s, &ms) == 0)
			heap += ms.heap_allocsz_bytes;
	rte_mempool_walk(count_pool, &pools);
	VIO_LOG(NOTICE, "resources: ports=%u mempools=%u heap_bytes=%zu",
		rte_eth_dev_count_total(), pools, heap);
}

static void read_dir(const struct vio_dir_stats *s, struct vio_dir_stats *o)
{
	o->rx_pkts = __atomic_load_n(&s->rx_pkts, __ATOMIC_RELAXED);
	o->rx_bytes = __atomic_load_n(&s->rx_bytes, __ATOMIC_RELAXED);
	o->tx_pkts = __atomic_load_n(&s->tx_pkts, __ATOMIC_RELAXED);
	o->tx_bytes = __atomic_load_n(&s->tx_bytes, __ATOMIC_RELAXED);
	o->full_pkts = __atomic_load_n(&s->full_pkts, __ATOMIC_RELAXED);
	o->full_bytes = __atomic_load_n(&s->full_bytes, __ATOMIC_RELAXED);
	o->nc_pkts = __atomic_load_n(&s->nc_pkts, __ATOMIC_RELAXED);
	o->nc_bytes = __atomic_load_n(&s->nc_bytes, __ATOMIC_RELAXED);
	o->long_pkts = __atomic_load_n(&s->long_pkts, __ATOMIC_RELAXED);
	o->long_bytes = __atomic_load_n(&s->long_bytes, __ATOMIC_RELAXED);
	o->busy_cycles = __atomic_load_n(&s->busy_cycles, __ATOMIC_RELAXED);
	o->busy_polls = __atomic_load_n(&s->busy_polls, __ATOMIC_RELAXED);
	o->announce_pkts = __atomic_load_n(&s->announce_pkts, __ATOMIC_RELAXED);
}

/* Where each worker's cycles went (one parseable line each). */
static void log_workers(void)
{
	for (unsigned i = 0; i < vio_workers_count(); i++) {
		struct vio_worker_stats w;
		uint64_t total;

		if (vio_worker_stats_read(i, &w))
			continue;
		total = w.busy_cycles + w.idle_cycles + w.sleep_cycles;
		VIO_LOG(NOTICE, "worker cpu %u: busy_cycles=%" PRIu64 " idle_cycles=%" PRIu64
			" sleep_cycles=%" PRIu64 " busy_passes=%" PRIu64 " idle_passes=%" PRIu64
			" pkts=%" PRIu64 " busy_share=%.3f cycles_per_pkt=%.1f tsc_hz=%" PRIu64,
			w.cpu, w.busy_cycles, w.idle_cycles, w.sleep_cycles, w.busy_passes,
			w.idle_passes, w.pkts, total ? (double)w.busy_cycles / (double)total : 0.0,
			w.pkts ? (double)w.busy_cycles / (double)w.pkts : 0.0, w.tsc_hz);
	}
}

/* Ring indexes of a connected VM (DEBUG): a direction that stops moving shows
 * here whether the guest stopped posting (avail == last_avail) or we stopped
 * taking (avail != last_avail). */
static void log_rings(const struct vio_relay *r)
{
	uint16_t nr;

	if (!r->vm_running || (int)vio_log_level() < VIO_LL_DEBUG)
		return;
	nr = rte_vhost_get_vring_num(r->vid);
	for (uint16_t q = 0; q < nr; q++) {
		struct rte_vhost_vring vr;
		uint16_t last_avail = 0, last_used = 0;

		if (rte_vhost_get_vhost_vring(r->vid, q, &vr) || !vr.avail || !vr.used)
			continue;
		rte_vhost_get_vring_base(r->vid, q, &last_avail, &last_used);
		VIO_LOG(DEBUG, "relay %u ring %u: avail=%u last_avail=%u used=%u last_used=%u "
			"avail_flags=%#x used_flags=%#x kickfd=%d", r->id, q,
			__atomic_load_n(&vr.avail->idx, __ATOMIC_RELAXED), last_avail,
			__atomic_load_n(&vr.used->idx, __ATOMIC_RELAXED), last_used,
			vr.avail->flags, vr.used->flags, vr.kickfd);
	}
}

/* A bond's members: "member=<name>/<link>[/primary]" each. */
static void log_bond(const struct vio_relay *r)
{
	int primary = r->port_started ? vio_bond_primary(r->port_id) : -1;
	char buf[VIO_BOND_MAX * 96];
	size_t used = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < r->bond.n && used < sizeof(buf); i++) {
		bool active =
			r->port_started && vio_bond_member_active(r->port_id, r->member_port[i]);
		struct vio_vf_link l;
		int k;

		vio_vf_link_get(r->member_port[i], &l);
		k = snprintf(buf + used, sizeof(buf) - used, " member=%s/%s%s%s",
			     r->bond.member[i].name, vio_vf_link_name(l.state),
			     active ? "/active" : "",
			     primary == r->member_port[i] ? "/primary" : "");
		if (k < 0)
			break;
		used += (size_t)k;
	}
	VIO_LOG(NOTICE, "relay %u bond: name=%s mode=%s%s", r->id, r->vf.name,
		vio_bond_mode_name(r->bond.mode), buf);
}

void vio_stats_read(const struct vio_relay *r, struct vio_dir_stats out[VIO_NB_DIRS])
{
	for (int d = 0; d < VIO_NB_DIRS; d++)
		read_dir(&r->dirs[d].st, &out[d]);
}

void vio_stats_vf_drops(const struct vio_relay *r, struct vio_vf_drops *out)
{
	struct rte_eth_stats st;

	out->rx_errors = out->rx_missed = 0;
	if (!r->has_vf || rte_eth_stats_get(r->port_id, &st))
		return;
	out->rx_errors = st.ierrors;
	out->rx_missed = st.imissed;
}

void vio_stats_log_all(void)
{
	vio_ctl_lock();
	log_resources();
	log_workers();
	for (unsigned i = 0; i < vio_max_relays(); i++) {
		const struct vio_relay *r = vio_relay_get(i);
		struct vio_dir_stats s[VIO_NB_DIRS];
		struct vio_vf_link link = {.state = -1};
		struct vio_vf_drops vf;

		if (!vio_relay_in_use(r))
			continue;
		vio_stats_read(r, s);
		vio_stats_vf_drops(r, &vf);
		if (r->has_vf)
			vio_relay_vf_link(r, &link);
		if (!r->has_vf && !r->vm_running && !s[0].rx_pkts && !s[1].rx_pkts)
			continue; /* an idle socket: nothing to say */
		/* One parseable line per relay: key=value pairs. */
		VIO_RLOG(NOTICE, i,
			 "vf=%s vm=%s link=%s link_changes=" CNT " pool_free=%u/%u "
			 "vf_to_vm.rx=" PAIR " vf_to_vm.tx=" PAIR " vf_to_vm.drop_full=" PAIR
			 " vf_to_vm.drop_nc=" PAIR " vm_to_vf.rx=" PAIR " vm_to_vf.tx=" PAIR
			 " vm_to_vf.drop_full=" PAIR " vm_to_vf.drop_nc=" PAIR
			 " vf_to_vm.drop_long=" PAIR " vm_to_vf.drop_long=" PAIR
			 " vf.rx_errors=" CNT " vf.rx_missed=" CNT " vf_to_vm.busy_cycles=" CNT
			 " vf_to_vm.busy_polls=" CNT " vm_to_vf.busy_cycles=" CNT
			 " vm_to_vf.busy_polls=" CNT " vm_to_vf.announcements=" CNT,
			 r->has_vf ? r->vf.name : "none", r->vm_running ? "connected" : "none",
			 vio_vf_link_name(link.state), link.changes,
			 r->pool ? rte_mempool_avail_count(r->pool) : 0,
			 r->pool ? r->pool->size : 0, s[0].rx_pkts, s[0].rx_bytes, s[0].tx_pkts,
			 s[0].tx_bytes, s[0].full_pkts, s[0].full_bytes, s[0].nc_pkts,
			 s[0].nc_bytes, s[1].rx_pkts, s[1].rx_bytes, s[1].tx_pkts, s[1].tx_bytes,
			 s[1].full_pkts, s[1].full_bytes, s[1].nc_pkts, s[1].nc_bytes,
			 s[0].long_pkts, s[0].long_bytes, s[1].long_pkts, s[1].long_bytes,
			 vf.rx_errors, vf.rx_missed, s[0].busy_cycles, s[0].busy_polls,
			 s[1].busy_cycles, s[1].busy_polls, s[1].announce_pkts);
		if (r->has_vf && r->vf.is_bond)
			log_bond(r);
		log_rings(r);
	}
	vio_ctl_unlock();
}
