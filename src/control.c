/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's implementation of the control backend (ctl_backend.h) on top
 * of the relay table, and the start of the control services. */
#define VIO_LOG_MODULE "control"
#include "control.h"

#include <errno.h>
#include <string.h>

#include <rte_mempool.h>

#include "ctl_server.h"
#include "log.h"
#include "relay.h"
#include "stats.h"
#include "vf_bond.h"
#include "vf_port.h"
#include "worker.h"

/* A bond's mode and members: each one's link, and which one it sends on. */
static void bond_snapshot(const struct vio_relay *r, struct vio_ctl_relay *out)
{
	int primary = r->port_started ? vio_bond_primary(r->port_id) : -1;

	out->bond_mode = r->bond.mode;
	out->n_members = r->bond.n;
	for (unsigned i = 0; i < r->bond.n; i++) {
		struct vio_vf_link l;

		vio_vf_link_get(r->member_port[i], &l);
		snprintf(out->member[i].name, sizeof(out->member[i].name), "%s",
			 r->bond.member[i].name);
		out->member[i].link = l.state;
		out->member[i].primary = primary == r->member_port[i];
	}
}

int vio_control_relay(unsigned id, struct vio_ctl_relay *out)
{
	const struct vio_relay *r = vio_relay_get(id);

	if (!r)
		return -ERANGE;
	memset(out, 0, sizeof(*out));
	vio_ctl_lock();
	out->id = id;
	out->has_socket = r->sock_registered;
	out->has_vf = r->has_vf;
	out->vm_connected = r->vm_running;
	out->vf_started = r->port_started;
	if (r->sock_registered)
		snprintf(out->socket, sizeof(out->socket), "%s", r->sock_path);
	out->vf_link = -1;
	out->vf_port = -1;
	if (r->has_vf) {
		struct vio_vf_link l;
		struct vio_vf_drops drops;

		out->vf = r->vf;
		out->vf_port = r->port_id;
		vio_relay_vf_link(r, &l);
		out->vf_link = l.state;
		out->vf_speed = l.speed;
		out->vf_link_changes = l.changes;
		vio_stats_vf_drops(r, &drops);
		out->vf_rx_errors = drops.rx_errors;
		out->vf_rx_missed = drops.rx_missed;
		if (r->vf.is_bond)
			bond_snapshot(r, out);
	}
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		out->cpu[d] = r->dirs[d].listed ? r->dirs[d].cpu : -1;
		out->pinned[d] = r->dirs[d].pinned_cpu;
		out->running[d] = r->dirs[d].listed;
	}
	out->numa = r->pool ? vio_pool_node(r->pool) : -1; /* where its memory is */
	vio_stats_read(r, out->st);
	vio_ctl_unlock();
	return 0;
}

static unsigned be_worker_cpus(unsigned *cpus, unsigned max)
{
	unsigned n = vio_workers_count();

	for (unsigned i = 0; i < n && i < max; i++)
		cpus[i] = vio_worker_cpu(i);
	return n < max ? n : max;
}

static unsigned be_worker_stats(struct vio_worker_stats *out, unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; i < vio_workers_count() && n < max; i++)
		if (vio_worker_stats_read(i, &out[n]) == 0)
			n++;
	return n;
}

static struct vio_ctl_backend backend = {
	.relay = vio_control_relay,
	.add_vf = vio_relay_add_vf,
	.add_bond = vio_relay_add_bond,
	.remove_vf = vio_relay_remove_vf,
	.add_socket = vio_relay_add_socket,
	.remove_socket = vio_relay_remove_socket,
	.worker_cpus = be_worker_cpus,
	.worker_stats = be_worker_stats,
	.move = vio_relay_move,
	.now_ns = vio_monotonic_ns,
};

static unsigned endpoints(const struct vio_config *cfg, struct vio_ctl_endpoint *eps)
{
	unsigned n = 0;

	if (cfg->zmq_port_control_ep[0])
		eps[n++] = (struct vio_ctl_endpoint){&vio_ctl_port_service,
			cfg->zmq_port_control_ep, "VIRTIOFWD_ZMQ_PORT_CONTROL_EP"};
	if (cfg->zmq_stats_ep[0])
		eps[n++] = (struct vio_ctl_endpoint){&vio_ctl_stats_service, cfg->zmq_stats_ep,
			"VIRTIOFWD_ZMQ_STATS_EP"};
	if (cfg->core_sched_enable && cfg->zmq_core_sched_ep[0])
		eps[n++] = (struct vio_ctl_endpoint){&vio_ctl_core_sched_service,
			cfg->zmq_core_sched_ep, "VIRTIOFWD_ZMQ_CORE_SCHED_EP"};
	if (cfg->zmq_config_ep[0])
		eps[n++] = (struct vio_ctl_endpoint){&vio_ctl_config_service, cfg->zmq_config_ep,
			"VIRTIOFWD_ZMQ_CONFIG_EP"};
	return n;
}

int vio_control_check(const struct vio_config *cfg, char *err, size_t errlen)
{
	struct vio_ctl_endpoint eps[4];
	unsigned n = endpoints(cfg, eps);
	char sub[300];

	for (unsigned i = 0; i < n; i++) {
		if (vio_ctl_endpoint_free(eps[i].endpoint, sub, sizeof(sub))) {
			snprintf(err, errlen, "%s=\"%s\": %s", eps[i].variable, eps[i].endpoint,
				 sub);
			return -EADDRINUSE;
		}
	}
	return 0;
}

int vio_control_start(const struct vio_config *cfg, char *err, size_t errlen)
{
	struct vio_ctl_endpoint eps[4];
	unsigned n = endpoints(cfg, eps);
	cpu_set_t cpus;

	backend.max_relays = vio_max_relays();
	backend.dynamic_sockets = cfg->dynamic_sockets;
	backend.socket_dir = cfg->socket_dir;
	backend.control_drivers = cfg->control_drivers;
	if (n == 0) {
		VIO_LOG(NOTICE, "no control endpoint configured: control services off");
		return 0;
	}
	/* Keep the control thread on the main CPU, off the workers' ones (the
	 * CPU, not the main lcore's id: eal.c gives that lcore a spare id when
	 * the main CPU is a worker's too). */
	CPU_ZERO(&cpus);
	CPU_SET(cfg->main_lcore, &cpus);
	return vio_ctl_server_start(eps, n, cfg->zmq_group, &backend, &cpus, err, errlen);
}

void vio_control_stop(void)
{
	vio_ctl_server_stop();
}
