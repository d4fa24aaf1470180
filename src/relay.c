/* SPDX-License-Identifier: BSD-3-Clause */
/* The relay table, the VF side and the relay lifecycle; the vhost-user
 * sockets are in relay_sock.c.  See relay.h for the locking rules. */
#define VIO_LOG_MODULE "relay"
#include "relay.h"
#include "relay_priv.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_build_config.h>
#include <rte_mempool.h>
#include <rte_vhost.h>

#include "forward.h"
#include "log.h"
#include "notify.h"
#include "vf_bond.h"
#include "vf_port.h"
#include "worker.h"

static struct vio_relay relays[VIO_RELAYS_HARD_MAX];
static const struct vio_config *cfg;

unsigned vio_max_relays(void)
{
	return RTE_MAX_ETHPORTS < VIO_RELAYS_HARD_MAX ? RTE_MAX_ETHPORTS : VIO_RELAYS_HARD_MAX;
}

const struct vio_config *vio_relay_config(void)
{
	return cfg;
}

void vio_relays_init(const struct vio_config *c)
{
	static const struct vio_vf_event_handlers vf_handlers = {
		.event = vio_relay_vf_event,
		.links_polled = vio_relays_follow_bonds,
	};

	cfg = c;
	for (unsigned i = 0; i < VIO_RELAYS_HARD_MAX; i++) {
		struct vio_relay *r = &relays[i];
		int pins[VIO_NB_DIRS];

		memset(r, 0, sizeof(*r));
		r->id = i;
		r->vid = -1;
		r->conn_vid = -1;
		r->dev_vid = -1;
		r->vf_numa = -1;
		r->vm_numa = -1;
		vio_config_relay_pins(c, i, &pins[VIO_DIR_VF_TO_VM], &pins[VIO_DIR_VM_TO_VF]);
		for (int d = 0; d < VIO_NB_DIRS; d++) {
			r->dirs[d].relay = r;
			r->dirs[d].dir = (enum vio_dir)d;
			r->dirs[d].pinned_cpu = pins[d];
			r->dirs[d].cpu = pins[d];
			r->dirs[d].epfd = -1;
		}
	}
	vio_vf_events_handlers(&vf_handlers);
}

struct vio_relay *vio_relay_get(unsigned id)
{
	return id < vio_max_relays() ? &relays[id] : NULL;
}

int vio_relay_out_of_range(unsigned id, char *err, size_t errlen)
{
	snprintf(err, errlen, "relay id %u is out of range (0-%u)%s", id, vio_max_relays() - 1,
		 vio_max_relays() < VIO_RELAYS_HARD_MAX ? VIO_RELAYS_ROUTE : "");
	return -ERANGE;
}

static const char *dir_name(enum vio_dir d)
{
	return d == VIO_DIR_VF_TO_VM ? "VF->VM" : "VM->VF";
}

static bool dir_ready(const struct vio_relay *r, enum vio_dir d)
{
	if (d == VIO_DIR_VF_TO_VM)
		return r->has_vf && r->port_started && r->vm_running;
	return r->vm_running;
}

void vio_relay_resume(struct vio_relay *r)
{
	VIO_ASSERT_CTL_HELD();
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		if (!dir_ready(r, (enum vio_dir)d) || r->dirs[d].listed)
			continue;
		if (vio_worker_list(&r->dirs[d]))
			VIO_RLOG(ERR, r->id, "cannot schedule %s on a worker",
				 dir_name((enum vio_dir)d));
	}
}

int vio_relay_quiesce(struct vio_relay *r)
{
	bool changed = false;
	int rc;

	VIO_ASSERT_CTL_HELD();
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		if (!r->dirs[d].listed)
			continue;
		rc = vio_worker_unlist(&r->dirs[d]);
		if (rc)
			return rc;
		changed = true;
	}
	if (!changed)
		return 0;
	rc = vio_workers_sync(VIO_SYNC_TIMEOUT_MS);
	if (rc) {
		/* A worker may still be inside this relay: put things back as they
		 * were and fail, rather than change what it reads. */
		VIO_RLOG(ERR, r->id, "workers did not let go in time");
		vio_relay_resume(r);
		return rc;
	}
	for (int d = 0; d < VIO_NB_DIRS; d++)
		vio_notify_unregister(&r->dirs[d]);
	return 0;
}

/* For paths that cannot fail (the VM is gone whatever we do): wait as long
 * as it takes, loudly, but never change what a worker may still read. */
static void quiesce_or_wait(struct vio_relay *r)
{
	while (vio_relay_quiesce(r) == -ETIMEDOUT)
		VIO_RLOG(CRIT, r->id, "still waiting for workers to release it");
}

/* Call before the relay gains its socket or VF: a slot taken anew starts
 * with zero counters. */
void vio_relay_reset_stats_if_new(struct vio_relay *r)
{
	VIO_ASSERT_CTL_HELD();
	if (vio_relay_in_use(r))
		return;
	for (int d = 0; d < VIO_NB_DIRS; d++)
		memset(&r->dirs[d].st, 0, sizeof(r->dirs[d].st));
}

/* The VF port's link (and a bond's members' links) followed or not. */
static void link_watch(struct vio_relay *r, bool live)
{
	vio_vf_link_watch(r->port_id, live);
	for (unsigned i = 0; r->vf.is_bond && i < r->bond.n; i++)
		vio_vf_link_watch(r->member_port[i], live);
}

/* Start the VF port if the VM is there (nothing flows to a VF before). */
static void start_port(struct vio_relay *r)
{
	int rc;

	if (!r->has_vf || r->port_started || !r->vm_running)
		return;
	rc = vio_vf_start(r->port_id);
	if (rc) {
		VIO_RLOG(ERR, r->id, "cannot start port %u (%s): %s", r->port_id, r->vf.name,
			 strerror(-rc));
		return;
	}
	r->port_started = true;
	link_watch(r, true);
}

static void stop_port(struct vio_relay *r)
{
	if (!r->port_started)
		return;
	link_watch(r, false);
	vio_vf_stop(r->port_id);
	r->port_started = false;
}

/* An Ethernet header and up to two VLAN tags around an MTU-sized packet. */
static uint32_t max_frame(uint16_t mtu)
{
	return mtu + 14u + 2 * 4u;
}

/* What the datapath reads of a port just configured (relay quiesced). */
static void port_configured(struct vio_relay *r, const struct vio_vf_opts *o)
{
	r->vf_rx_intr = o->rx_intr;
	r->vf_max_frame = max_frame(o->mtu);
	r->vf_tx_csum = o->tx_csum;
}

/* Lock held: free the retired pools whose buffers are all back (all of
 * them once the port is closed: nothing can hand their buffers back then). */
static void free_retired(struct vio_relay *r, bool port_closed)
{
	unsigned k = 0;

	VIO_ASSERT_CTL_HELD();
	for (unsigned i = 0; i < r->n_retired; i++) {
		struct rte_mempool *mp = r->retired[i];

		if (port_closed || rte_mempool_full(mp)) {
			if (!rte_mempool_full(mp))
				VIO_RLOG(WARNING, r->id,
					 "%u buffers of a retired pool never came "
					 "back",
					 mp->size - rte_mempool_avail_count(mp));
			rte_mempool_free(mp);
		} else {
			r->retired[k++] = mp;
		}
	}
	r->n_retired = k;
}

/* Before the VF port starts for a VM: the relay's buffers belong on the
 * VM's NUMA node, where every packet is copied to or from.  Compared with
 * where the pool's memory really is (a pool made for "any node" has
 * socket_id -1).  The stopped port is configured again on a new pool
 * there; whatever cannot be honoured (no memory on that node, a port that
 * will not take the new pool) is logged and the relay keeps the buffers it
 * has.  The old pool may still lend buffers to the PMD (posted RX buffers,
 * a PMD's own stash): it is freed once they are all back. */
static void place_pool(struct vio_relay *r)
{
	struct vio_vf_opts opts = {.jumbo = cfg->jumbo, .relay_id = r->id,
				   .bond = r->has_vf && r->vf.is_bond};
	struct rte_mempool *pool, *old = r->pool;
	char err[VIO_ERR_MAX];
	int node;

	if (!r->has_vf || r->port_started || r->vm_numa < 0)
		return;
	node = vio_pool_node(old);
	if (node < 0 || node == r->vm_numa)
		return;
	if (r->n_retired == VIO_RETIRED_POOLS) {
		VIO_RLOG(NOTICE, r->id,
			 "buffers stay on NUMA node %d (earlier pools are still "
			 "in use)",
			 node);
		return;
	}
	pool = vio_vf_pool_create(r->id, r->vm_numa, cfg->jumbo, false);
	if (!pool) {
		VIO_RLOG(NOTICE, r->id,
			 "no memory for buffers on the VM's NUMA node %d: they "
			 "stay on node %d",
			 r->vm_numa, node);
		return;
	}
	if (vio_vf_configure(r->port_id, pool, &opts, err, sizeof(err))) {
		VIO_RLOG(WARNING, r->id, "%s: buffers stay on NUMA node %d", err, node);
		if (vio_vf_configure(r->port_id, old, &opts, err, sizeof(err)))
			VIO_RLOG(ERR, r->id, "port %u cannot be configured again: %s", r->port_id,
				 err);
		rte_mempool_free(pool);
		return;
	}
	r->pool = pool;
	port_configured(r, &opts);
	r->retired[r->n_retired++] = old;
	free_retired(r, false);
	VIO_RLOG(INFO, r->id, "buffers moved to the VM's NUMA node %d", r->vm_numa);
}

int vio_relay_vm_up(struct vio_relay *r, int vid)
{
	char ifname[PATH_MAX];
	uint64_t features;

	VIO_ASSERT_CTL_HELD();
	if (r->vm_running) {
		VIO_RLOG(WARNING, r->id, "vhost device %d refused: device %d is running", vid,
			 r->vid);
		return -EBUSY;
	}
	r->vid = vid;
	r->vm_running = true;
	r->vm_numa = rte_vhost_get_numa_node(vid);
	r->vm_tso = rte_vhost_get_negotiated_features(vid, &features) == 0 &&
		    (features & ((1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6)));
	place_pool(r);
	start_port(r);
	vio_relay_resume(r);
	rte_vhost_get_ifname(vid, ifname, sizeof(ifname));
	VIO_RLOG(INFO, r->id, "VM connected on %s (vhost device %d, %u rings)%s", ifname, vid,
		 rte_vhost_get_vring_num(vid), r->has_vf ? "" : ", no VF yet");
	return 0;
}

void vio_relay_vm_down(struct vio_relay *r)
{
	VIO_ASSERT_CTL_HELD();
	quiesce_or_wait(r);
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		vio_forward_release(&r->dirs[d]);
		r->dirs[d].cpu = r->dirs[d].pinned_cpu;
	}
	stop_port(r);
	r->vid = -1;
	r->vm_running = false;
	r->vm_tso = false;
	r->vm_numa = -1;
	VIO_RLOG(INFO, r->id, "VM disconnected");
}

/* Another relay has dev (a bond's identity: its name), or, with bond, one
 * of its members: -EBUSY with the reason. */
static int vf_in_use(const struct vio_vf_dev *dev, const struct vio_bond *bond, char *err,
		     size_t errlen)
{
	unsigned n = bond ? bond->n : 1;

	for (unsigned i = 0; i < vio_max_relays(); i++) {
		const struct vio_relay *o = &relays[i];

		if (!o->has_vf)
			continue;
		if (vio_vf_dev_same(&o->vf, dev)) {
			snprintf(err, errlen, "%s%s is already relayed by relay %u",
				 dev->is_bond ? "bond " : "", dev->name, i);
			return -EBUSY;
		}
		for (unsigned k = 0; k < n; k++) {
			const struct vio_vf_dev *d = bond ? &bond->member[k] : dev;

			if (o->vf.is_bond ? vio_bond_has_member(&o->bond, d)
					  : vio_vf_dev_same(&o->vf, d)) {
				snprintf(err, errlen, "%s is already relayed by relay %u%s%s", d->name,
					 i, o->vf.is_bond ? " as a member of bond " : "",
					 o->vf.is_bond ? o->vf.name : "");
				return -EBUSY;
			}
		}
	}
	return 0;
}

/* The VF side of relay r: the device dev, or the bond bond (dev is then
 * its identity, vio_bond_ident). */
static int add_vf_locked(struct vio_relay *r, const struct vio_vf_dev *dev,
			 const struct vio_bond *bond, char *err, size_t errlen)
{
	struct vio_vf_opts opts = {.jumbo = cfg->jumbo, .relay_id = r->id,
				   .bond = bond != NULL};
	uint16_t members[VIO_BOND_MAX];
	struct rte_mempool *pool;
	uint16_t port;
	int rc;

	VIO_ASSERT_CTL_HELD();
	if (r->has_vf) {
		if (vio_vf_dev_same(&r->vf, dev) && (!bond || vio_bond_same(&r->bond, bond))) {
			snprintf(err, errlen, "relay %u already has %s", r->id, dev->name);
			return -EEXIST;
		}
		snprintf(err, errlen, "relay %u already has a%s VF side (%s%s)", r->id,
			 vio_vf_dev_same(&r->vf, dev) ? " different" : "nother",
			 r->vf.is_bond ? "bond " : "", r->vf.name);
		return -EBUSY;
	}
	rc = vf_in_use(dev, bond, err, errlen);
	if (rc)
		return rc;
	rc = bond ? vio_bond_attach(bond, -1, &port, members, err, errlen)
		  : vio_vf_attach(dev, &port, err, errlen);
	if (rc)
		return rc;
	/* Buffers on the VM's node when it is there (see place_pool). */
	pool = vio_vf_pool_create(r->id, r->vm_running && r->vm_numa >= 0 ? r->vm_numa
									 : vio_vf_numa(port),
				  cfg->jumbo, true);
	if (!pool) {
		snprintf(err, errlen, "relay %u: no memory for packet buffers", r->id);
		rc = -ENOMEM;
		goto detach;
	}
	rc = vio_vf_configure(port, pool, &opts, err, errlen);
	if (rc == 0)
		rc = vio_relay_quiesce(r); /* VM->VF switches from the drain pool */
	if (rc) {
		rte_mempool_free(pool);
		goto detach;
	}
	vio_relay_reset_stats_if_new(r);
	r->vf = *dev;
	if (bond) {
		r->bond = *bond;
		memcpy(r->member_port, members, sizeof(members[0]) * bond->n);
	}
	port_configured(r, &opts);
	r->port_id = port;
	r->pool = pool;
	r->vf_numa = vio_vf_numa(port);
	r->has_vf = true;
	if (vio_vf_events_register(port, r->id))
		VIO_RLOG(WARNING, r->id, "port %u reports no link or removal events", port);
	for (unsigned i = 0; bond && i < bond->n; i++)
		if (vio_vf_events_register(members[i], r->id))
			VIO_RLOG(WARNING, r->id,
				 "bond member %s (port %u) reports no link "
				 "events",
				 bond->member[i].name, members[i]);
	start_port(r);
	vio_relay_resume(r);
	if (bond)
		VIO_RLOG(INFO, r->id,
			 "bond %s (%s, members %s) attached as port %u (NUMA %d, "
			 "MTU %u)",
			 bond->name, vio_bond_mode_name(bond->mode), dev->devargs, port, r->vf_numa,
			 opts.mtu);
	else
		VIO_RLOG(INFO, r->id, "VF %s attached as port %u (NUMA %d)", dev->devargs, port,
			 r->vf_numa);
	return 0;
detach:
	if (bond)
		vio_bond_detach(port, members, bond->n);
	else
		vio_vf_detach(port);
	return rc;
}

int vio_relay_add_vf(unsigned id, const struct vio_vf_dev *dev, char *err, size_t errlen)
{
	struct vio_relay *r = vio_relay_get(id);
	int rc;

	if (!r)
		return vio_relay_out_of_range(id, err, errlen);
	vio_ctl_lock();
	if (r->busy) {
		snprintf(err, errlen, "relay %u is busy with another operation", id);
		rc = -EBUSY;
	} else {
		rc = add_vf_locked(r, dev, NULL, err, errlen);
	}
	vio_ctl_unlock();
	return rc;
}

int vio_relay_add_bond(unsigned id, const struct vio_bond *b, char *err, size_t errlen)
{
	struct vio_relay *r = vio_relay_get(id);
	struct vio_vf_dev ident;
	int rc;

	if (!r)
		return vio_relay_out_of_range(id, err, errlen);
	if (vio_bond_check(b, err, errlen))
		return -EINVAL;
	vio_bond_ident(b, &ident);
	vio_ctl_lock();
	if (r->busy) {
		snprintf(err, errlen, "relay %u is busy with another operation", id);
		rc = -EBUSY;
	} else {
		rc = add_vf_locked(r, &ident, b, err, errlen);
	}
	vio_ctl_unlock();
	return rc;
}

/* Lock held, relay quiesced: drop the VF; VM->VF goes on draining the guest,
 * counting what it drops. */
static void drop_vf_locked(struct vio_relay *r)
{
	VIO_ASSERT_CTL_HELD();
	for (int d = 0; d < VIO_NB_DIRS; d++)
		vio_forward_release(&r->dirs[d]);
	stop_port(r);
	r->has_vf = false;
	vio_relay_resume(r);
	vio_vf_events_unregister(r->port_id);
	if (r->vf.is_bond) {
		for (unsigned i = 0; i < r->bond.n; i++)
			vio_vf_events_unregister(r->member_port[i]);
		vio_bond_detach(r->port_id, r->member_port, r->bond.n);
	} else {
		vio_vf_detach(r->port_id);
	}
	rte_mempool_free(r->pool);
	free_retired(r, true);
	r->pool = NULL;
	r->vf_numa = -1;
}

int vio_relay_remove_vf(unsigned id, char *err, size_t errlen)
{
	struct vio_relay *r = vio_relay_get(id);
	int rc = 0;

	if (!r)
		return vio_relay_out_of_range(id, err, errlen);
	vio_ctl_lock();
	if (r->busy) {
		snprintf(err, errlen, "relay %u is busy with another operation", id);
		rc = -EBUSY;
		goto out;
	}
	if (!r->has_vf) {
		snprintf(err, errlen, "relay %u has no VF", id);
		rc = -ENOENT;
		goto out;
	}
	rc = vio_relay_quiesce(r);
	if (rc) {
		snprintf(err, errlen, "relay %u: workers did not release it in time", id);
		goto out;
	}
	drop_vf_locked(r);
	VIO_RLOG(INFO, id, "%s %s detached", r->vf.is_bond ? "bond" : "VF", r->vf.name);
out:
	vio_ctl_unlock();
	return rc;
}

/* A reset the driver asked for: the port is stopped, reset and configured
 * again on the same buffers; on failure the VF is dropped (a port we cannot
 * configure is one a worker must not poll). */
static void reset_vf_locked(struct vio_relay *r)
{
	struct vio_vf_opts opts = {.jumbo = cfg->jumbo, .relay_id = r->id,
				   .bond = r->has_vf && r->vf.is_bond};
	char err[VIO_ERR_MAX];
	int rc;

	VIO_ASSERT_CTL_HELD();
	for (int d = 0; d < VIO_NB_DIRS; d++)
		vio_forward_release(&r->dirs[d]);
	if (r->port_started) /* the reset stops it */
		link_watch(r, false);
	r->port_started = false;
	rc = vio_vf_reset(r->port_id, r->pool, &opts, err, sizeof(err));
	if (rc) {
		VIO_RLOG(ERR, r->id, "VF %s: %s; dropping the VF", r->vf.name, err);
		drop_vf_locked(r);
		return;
	}
	port_configured(r, &opts);
	start_port(r);
	vio_relay_resume(r);
	VIO_RLOG(NOTICE, r->id, "VF %s reset and running again", r->vf.name);
}

int vio_relay_vf_event(unsigned id, uint16_t port, enum vio_vf_event ev)
{
	struct vio_relay *r = vio_relay_get(id);

	VIO_ASSERT_CTL_HELD();
	for (unsigned i = 0; r && r->has_vf && r->vf.is_bond && i < r->bond.n; i++) {
		if (r->member_port[i] != port)
			continue;
		/* The bonding PMD owns its members: it goes on with the others. */
		VIO_RLOG(WARNING, id, "bond %s: member %s (port %u) %s: left to the bond",
			 r->vf.name, r->bond.member[i].name, port,
			 ev == VIO_VF_EV_RESET ? "asks for a reset" : "was removed");
		return 0;
	}
	if (!r || !r->has_vf || r->port_id != port)
		return -ENOENT;
	if (r->busy || vio_relay_quiesce(r))
		return -EAGAIN;
	if (ev == VIO_VF_EV_RESET) {
		reset_vf_locked(r);
		return 0;
	}
	drop_vf_locked(r);
	VIO_RLOG(WARNING, id,
		 "VF %s is gone: detached (attach a VF again to resume "
		 "forwarding)",
		 r->vf.name);
	return 0;
}

int vio_relay_move(unsigned id, unsigned cpu_vf_to_vm, unsigned cpu_vm_to_vf, char *err,
		   size_t errlen)
{
	struct vio_relay *r = vio_relay_get(id);
	const unsigned cpus[VIO_NB_DIRS] = {cpu_vf_to_vm, cpu_vm_to_vf};
	bool moving = false;
	int rc = 0;

	if (!r)
		return vio_relay_out_of_range(id, err, errlen);
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		if (!vio_worker_cpu_valid(cpus[d])) {
			snprintf(err, errlen, "CPU %u is not a worker CPU", cpus[d]);
			return -EINVAL;
		}
	}
	vio_ctl_lock();
	if (r->busy) {
		snprintf(err, errlen, "relay %u is busy with another operation", id);
		rc = -EBUSY;
		goto out;
	}
	for (int d = 0; d < VIO_NB_DIRS; d++)
		if (r->dirs[d].listed && r->dirs[d].cpu != (int)cpus[d])
			moving = true;
	if (moving) {
		rc = vio_relay_quiesce(r);
		if (rc) {
			snprintf(err, errlen, "relay %u: workers did not release it in time", id);
			goto out;
		}
	}
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		r->dirs[d].pinned_cpu = (int)cpus[d];
		if (!r->dirs[d].listed)
			r->dirs[d].cpu = (int)cpus[d];
	}
	if (moving)
		vio_relay_resume(r);
out:
	vio_ctl_unlock();
	return rc;
}

void vio_relays_follow_bonds(void)
{
	VIO_ASSERT_CTL_HELD();
	for (unsigned i = 0; i < vio_max_relays(); i++) {
		const struct vio_relay *r = &relays[i];

		if (r->has_vf && r->vf.is_bond && r->port_started && !r->busy)
			vio_bond_follow_links(r->port_id, r->member_port, r->bond.n, r->vf.name);
	}
}

void vio_relay_vf_link(const struct vio_relay *r, struct vio_vf_link *out)
{
	VIO_ASSERT_CTL_HELD();
	if (r->vf.is_bond)
		vio_bond_link_get(r->member_port, r->bond.n, out);
	else
		vio_vf_link_get(r->port_id, out);
}

void vio_relays_housekeep(void)
{
	for (unsigned i = 0; i < vio_max_relays(); i++) {
		/* Retired pools wait a second more when control is busy. */
		if (vio_ctl_trylock()) {
			free_retired(&relays[i], false);
			vio_ctl_unlock();
		}
	}
}

void vio_relays_fini(void)
{
	char err[VIO_ERR_MAX];

	for (unsigned i = 0; i < vio_max_relays(); i++)
		if (relays[i].has_vf)
			vio_relay_remove_vf(i, err, sizeof(err));
}
