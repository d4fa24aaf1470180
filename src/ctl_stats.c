/* SPDX-License-Identifier: BSD-3-Clause */
/* The stats service: RelayState of all or selected relays, with counters and
 * rates (docs/control.md).
 *
 * Rates come either from the background sampler (delay 0: the rates of the
 * last VIO_CTL_TICK_MS interval) or from a window of `delay` ms measured for
 * that request alone: the counters are read when the request arrives, and
 * the reply is built when the window ends.  The transport serves other
 * requests meanwhile, so neither way busy-waits or disturbs another client.
 */
#define VIO_LOG_MODULE "stats_service"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_service.h"
#include "log.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__StatsRequest Request;
typedef Virtioforwarder__StatsResponse Response;
typedef Virtioforwarder__RelayState RelayState;

#define MAX_RELAYS 64
#define MAX_DELAY_MS 60000
#define MAX_PENDING 64
#define NO_NUMA 4294967295u

enum { R_RX_PKTS, R_RX_BYTES, R_TX_PKTS, R_TX_BYTES, NB_RATES };

struct rates {
	float v[VIO_NB_DIRS][NB_RATES];
};

/* The background sampler's state, per relay id. */
static struct {
	bool valid;
	uint64_t t_ns;
	struct vio_dir_stats st[VIO_NB_DIRS];
	struct rates rates;
} samples[MAX_RELAYS];

/* A request waiting for the end of its window. */
struct pending {
	unsigned n;
	bool include_inactive;
	uint64_t t0_ns;
	uint32_t ids[MAX_RELAYS];
	struct vio_dir_stats st[MAX_RELAYS][VIO_NB_DIRS];
};
static unsigned n_pending;

static float per_sec(uint64_t now, uint64_t then, uint64_t dt_ns)
{
	if (now < then || dt_ns == 0) /* the slot was reused: counters restarted */
		return 0;
	return (float)((double)(now - then) * 1e9 / (double)dt_ns);
}

static void compute_rates(const struct vio_dir_stats now[VIO_NB_DIRS],
			  const struct vio_dir_stats then[VIO_NB_DIRS], uint64_t dt_ns,
			  struct rates *out)
{
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		out->v[d][R_RX_PKTS] = per_sec(now[d].rx_pkts, then[d].rx_pkts, dt_ns);
		out->v[d][R_RX_BYTES] = per_sec(now[d].rx_bytes, then[d].rx_bytes, dt_ns);
		out->v[d][R_TX_PKTS] = per_sec(now[d].tx_pkts, then[d].tx_pkts, dt_ns);
		out->v[d][R_TX_BYTES] = per_sec(now[d].tx_bytes, then[d].tx_bytes, dt_ns);
	}
}

static void stats_tick(const struct vio_ctl_backend *be)
{
	uint64_t t = be->now_ns();

	for (unsigned id = 0; id < be->max_relays && id < MAX_RELAYS; id++) {
		struct vio_ctl_relay r;

		if (be->relay(id, &r) || !vio_ctl_relay_in_use(&r)) {
			memset(&samples[id], 0, sizeof(samples[id]));
			continue;
		}
		if (samples[id].valid)
			compute_rates(r.st, samples[id].st, t - samples[id].t_ns,
				      &samples[id].rates);
		samples[id].valid = true;
		samples[id].t_ns = t;
		memcpy(samples[id].st, r.st, sizeof(r.st));
	}
}

/* Everything one RelayState points to. */
struct relay_msg {
	RelayState rs;
	Virtioforwarder__RelayState__CPU cpu;
	Virtioforwarder__RelayState__VHOST vhost;
	Virtioforwarder__RelayState__VF vf;
	Virtioforwarder__RelayState__VFtoVM v2m;
	Virtioforwarder__RelayState__VMtoVF m2v;
	Virtioforwarder__RelayState__VF__Member member[VIO_BOND_MAX], *members[VIO_BOND_MAX];
	struct vio_ctl_relay r;
};

#define MAX_WORKERS 128 /* worker CPUs reported, at most */
#define SET(msg, field, val) ((msg).has_##field = 1, (msg).field = (val))

/* A bond's mode and members (our addition to RelayState.VF). */
static void fill_bond(struct relay_msg *m)
{
	const struct vio_ctl_relay *r = &m->r;

	SET(m->vf, bond_mode, r->bond_mode);
	for (unsigned i = 0; i < r->n_members && i < VIO_BOND_MAX; i++) {
		Virtioforwarder__RelayState__VF__Member *b = &m->member[i];

		virtioforwarder__relay_state__vf__member__init(b);
		b->name = (char *)r->member[i].name;
		if (r->member[i].link >= 0)
			SET(*b, link_up, r->member[i].link > 0);
		SET(*b, primary, r->member[i].primary);
		m->members[i] = b;
	}
	m->vf.n_bond_member = r->n_members;
	m->vf.bond_member = m->members;
}

static void fill_relay(struct relay_msg *m, const struct rates *rt)
{
	const struct vio_ctl_relay *r = &m->r;
	const struct vio_dir_stats *a = &r->st[VIO_DIR_VF_TO_VM], *b = &r->st[VIO_DIR_VM_TO_VF];

	virtioforwarder__relay_state__init(&m->rs);
	virtioforwarder__relay_state__cpu__init(&m->cpu);
	virtioforwarder__relay_state__vhost__init(&m->vhost);
	virtioforwarder__relay_state__vf__init(&m->vf);
	virtioforwarder__relay_state__vfto_vm__init(&m->v2m);
	virtioforwarder__relay_state__vmto_vf__init(&m->m2v);

	m->rs.id = r->id;
	m->rs.active = vio_ctl_relay_active(r);
	m->rs.socket_id = r->numa < 0 ? NO_NUMA : (uint32_t)r->numa;
	m->vhost.vhost_socket_name = r->has_socket ? (char *)r->socket : (char *)"NONE";
	m->rs.vhost = &m->vhost;
	if (r->has_vf) {
		m->vf.pci_addr_str = (char *)r->vf.name;
		if (r->vf_link >= 0)
			SET(m->vf, link_up, r->vf_link > 0);
		if (r->vf_speed)
			SET(m->vf, link_speed_mbps, r->vf_speed);
		SET(m->vf, link_changes, r->vf_link_changes);
		SET(m->vf, rx_errors, r->vf_rx_errors);
		SET(m->vf, rx_missed, r->vf_rx_missed);
		if (r->vf.is_bond)
			fill_bond(m);
		m->rs.vf = &m->vf;
	}
	if (r->cpu[VIO_DIR_VF_TO_VM] >= 0)
		SET(m->cpu, vf_to_vm, r->cpu[VIO_DIR_VF_TO_VM]);
	if (r->cpu[VIO_DIR_VM_TO_VF] >= 0)
		SET(m->cpu, vm_to_vf, r->cpu[VIO_DIR_VM_TO_VF]);
	if (m->cpu.has_vf_to_vm || m->cpu.has_vm_to_vf)
		m->rs.cpu = &m->cpu;

	m->v2m.active = r->running[VIO_DIR_VF_TO_VM];
	m->v2m.internal_state = (char *)vio_ctl_dir_state(r, VIO_DIR_VF_TO_VM);
	SET(m->v2m, pkts_rx_from_vf, a->rx_pkts);
	SET(m->v2m, bytes_rx_from_vf, a->rx_bytes);
	SET(m->v2m, pkts_tx_to_vm, a->tx_pkts);
	SET(m->v2m, bytes_tx_to_vm, a->tx_bytes);
	SET(m->v2m, pkts_dropped_vm_queue_full, a->full_pkts);
	SET(m->v2m, bytes_dropped_vm_queue_full, a->full_bytes);
	SET(m->v2m, pkts_dropped_vm_not_connected, a->nc_pkts);
	SET(m->v2m, bytes_dropped_vm_not_connected, a->nc_bytes);
	SET(m->v2m, pkts_dropped_too_long, a->long_pkts);
	SET(m->v2m, bytes_dropped_too_long, a->long_bytes);
	SET(m->v2m, busy_cycles, a->busy_cycles);
	SET(m->v2m, busy_polls, a->busy_polls);
	m->v2m.pkt_rate_rx_from_vf = rt->v[VIO_DIR_VF_TO_VM][R_RX_PKTS];
	m->v2m.byte_rate_rx_from_vf = rt->v[VIO_DIR_VF_TO_VM][R_RX_BYTES];
	m->v2m.pkt_rate_tx_to_vm = rt->v[VIO_DIR_VF_TO_VM][R_TX_PKTS];
	m->v2m.byte_rate_tx_to_vm = rt->v[VIO_DIR_VF_TO_VM][R_TX_BYTES];
	m->rs.vf_to_vm = &m->v2m;

	m->m2v.active = r->running[VIO_DIR_VM_TO_VF];
	m->m2v.internal_state = (char *)vio_ctl_dir_state(r, VIO_DIR_VM_TO_VF);
	SET(m->m2v, pkts_rx_from_vm, b->rx_pkts);
	SET(m->m2v, bytes_rx_from_vm, b->rx_bytes);
	SET(m->m2v, pkts_tx_to_vf, b->tx_pkts);
	SET(m->m2v, bytes_tx_to_vf, b->tx_bytes);
	SET(m->m2v, pkts_dropped_vf_queue_full, b->full_pkts);
	SET(m->m2v, bytes_dropped_vf_queue_full, b->full_bytes);
	SET(m->m2v, pkts_dropped_vf_not_connected, b->nc_pkts);
	SET(m->m2v, bytes_dropped_vf_not_connected, b->nc_bytes);
	SET(m->m2v, pkts_dropped_too_long, b->long_pkts);
	SET(m->m2v, bytes_dropped_too_long, b->long_bytes);
	SET(m->m2v, busy_cycles, b->busy_cycles);
	SET(m->m2v, busy_polls, b->busy_polls);
	SET(m->m2v, announcements, b->announce_pkts);
	m->m2v.pkt_rate_rx_from_vm = rt->v[VIO_DIR_VM_TO_VF][R_RX_PKTS];
	m->m2v.byte_rate_rx_from_vm = rt->v[VIO_DIR_VM_TO_VF][R_RX_BYTES];
	m->m2v.pkt_rate_tx_to_vf = rt->v[VIO_DIR_VM_TO_VF][R_TX_PKTS];
	m->m2v.byte_rate_tx_to_vf = rt->v[VIO_DIR_VM_TO_VF][R_TX_BYTES];
	m->rs.vm_to_vf = &m->m2v;
}

static void reply_error(struct vio_ctl_reply *reply, Virtioforwarder__StatsResponse__Status st,
			const char *why)
{
	vio_ctl_reply_error(reply, &virtioforwarder__stats_response__descriptor, st, 0,
			    VIO_LOG_MODULE, NULL, why);
}

/* Reply for relays ids[0..n-1]; p (when not NULL) holds the counters at the
 * start of the request's window, otherwise the sampler's rates are used. */
static void reply_relays(const struct vio_ctl_backend *be, const uint32_t *ids, unsigned n,
			 bool include_inactive, const struct pending *p,
			 struct vio_ctl_reply *reply)
{
	Response resp = VIRTIOFORWARDER__STATS_RESPONSE__INIT;
	struct relay_msg *msgs = calloc(n ? n : 1, sizeof(*msgs));
	RelayState **list = calloc(n ? n : 1, sizeof(*list));
	struct vio_worker_stats ws[MAX_WORKERS];
	Virtioforwarder__WorkerState wmsg[MAX_WORKERS], *wlist[MAX_WORKERS];
	uint64_t t = be->now_ns();

	if (!msgs || !list) {
		reply_error(reply, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__ENOMEM,
			    "out of memory for the reply");
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		struct relay_msg *m = &msgs[resp.n_relay];
		struct rates window;
		const struct rates *rt;

		if (be->relay(ids[i], &m->r))
			continue;
		if (!include_inactive && !vio_ctl_relay_active(&m->r))
			continue;
		if (p) {
			compute_rates(m->r.st, p->st[i], t - p->t0_ns, &window);
			rt = &window;
		} else {
			memset(&window, 0, sizeof(window));
			rt = ids[i] < MAX_RELAYS && samples[ids[i]].valid ? &samples[ids[i]].rates
									  : &window;
		}
		fill_relay(m, rt);
		list[resp.n_relay++] = &m->rs;
	}
	resp.status = VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK;
	resp.relay = list;
	resp.n_worker = be->worker_stats ? be->worker_stats(ws, MAX_WORKERS) : 0;
	for (size_t i = 0; i < resp.n_worker; i++) {
		Virtioforwarder__WorkerState *w = &wmsg[i];

		virtioforwarder__worker_state__init(w);
		w->cpu = ws[i].cpu;
		SET(*w, busy_cycles, ws[i].busy_cycles);
		SET(*w, idle_cycles, ws[i].idle_cycles);
		SET(*w, sleep_cycles, ws[i].sleep_cycles);
		SET(*w, busy_passes, ws[i].busy_passes);
		SET(*w, idle_passes, ws[i].idle_passes);
		SET(*w, pkts, ws[i].pkts);
		SET(*w, tsc_hz, ws[i].tsc_hz);
		wlist[i] = w;
	}
	resp.worker = wlist;
	vio_ctl_pack(&resp.base, reply);
out:
	free(msgs);
	free(list);
}

static void stats_reject(const char *why, struct vio_ctl_reply *reply)
{
	reply_error(reply, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__EBADR, why);
}

static int stats_handle(const struct vio_ctl_backend *be, const uint8_t *req, size_t len,
			struct vio_ctl_reply *reply, void **token, uint64_t *due_ns)
{
	Request *m = virtioforwarder__stats_request__unpack(NULL, len, req);
	uint32_t ids[MAX_RELAYS];
	unsigned n = 0, max = be->max_relays < MAX_RELAYS ? be->max_relays : MAX_RELAYS;
	bool inactive;
	uint32_t delay;
	char why[160];
	int rc = VIO_CTL_DONE;

	if (!m) {
		stats_reject("not a StatsRequest (truncated or garbage)", reply);
		return VIO_CTL_DONE;
	}
	inactive = m->has_include_inactive ? m->include_inactive : true;
	delay = m->has_delay ? m->delay : 0;
	if (m->n_relay > max) {
		snprintf(why, sizeof(why), "%zu relays asked, at most %u exist", m->n_relay, max);
		reply_error(reply, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__E2BIG, why);
		goto out;
	}
	for (size_t i = 0; i < m->n_relay; i++) {
		if (m->relay[i] >= max) {
			snprintf(why, sizeof(why), "relay %u is out of range (0-%u)", m->relay[i],
				 max - 1);
			stats_reject(why, reply);
			goto out;
		}
		ids[n++] = m->relay[i];
	}
	if (m->n_relay == 0)
		for (n = 0; n < max; n++)
			ids[n] = n;
	if (delay > MAX_DELAY_MS) {
		snprintf(why, sizeof(why), "delay %u ms is longer than %u ms", delay, MAX_DELAY_MS);
		stats_reject(why, reply);
		goto out;
	}
	if (delay == 0) {
		reply_relays(be, ids, n, inactive, NULL, reply);
		goto out;
	}
	{
		struct pending *p;

		if (n_pending >= MAX_PENDING || !(p = calloc(1, sizeof(*p)))) {
			snprintf(why, sizeof(why), "%u measurements under way", n_pending);
			reply_error(reply, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__ENOMEM, why);
			goto out;
		}
		p->n = n;
		p->include_inactive = inactive;
		p->t0_ns = be->now_ns();
		memcpy(p->ids, ids, n * sizeof(ids[0]));
		for (unsigned i = 0; i < n; i++) {
			struct vio_ctl_relay r;

			if (be->relay(ids[i], &r) == 0)
				memcpy(p->st[i], r.st, sizeof(r.st));
		}
		n_pending++;
		*token = p;
		*due_ns = p->t0_ns + (uint64_t)delay * 1000000u;
		rc = VIO_CTL_DEFERRED;
	}
out:
	virtioforwarder__stats_request__free_unpacked(m, NULL);
	return rc;
}

static void stats_finish(const struct vio_ctl_backend *be, void *token,
			 struct vio_ctl_reply *reply)
{
	struct pending *p = token;

	if (reply)
		reply_relays(be, p->ids, p->n, p->include_inactive, p, reply);
	n_pending--;
	free(p);
}

const struct vio_ctl_service vio_ctl_stats_service = {
	.name = "stats",
	.handle = stats_handle,
	.finish = stats_finish,
	.reject = stats_reject,
	.tick = stats_tick,
};
