/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK telemetry commands: see telemetry.h.
 *
 * Replies are built in rte_tel_data trees that DPDK frees once written.  A
 * container is attached to its parent as soon as it is made and filled
 * afterwards: a callback returning an error leaves DPDK's tree unfreed, so
 * past the parameter checks every callback returns 0 with what it could
 * build.  DPDK writes at most 16 KiB of JSON an answer and leaves out,
 * whole, the entries that do not fit: a relay takes about 1.5 KiB, a worker
 * 300 bytes plus its relay ids (some 50 workers fit).
 */
#define VIO_LOG_MODULE "telemetry"
#include "telemetry.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_telemetry.h>

#include "config.h"
#include "control.h"
#include "log.h"
#include "relay.h"
#include "stats.h"
#include "vf_events.h"
#include "worker.h"

#define CMD_RELAYS "/virtio_forwarder/relays"
#define CMD_RELAY "/virtio_forwarder/relay"
#define CMD_WORKERS "/virtio_forwarder/workers"
#define FINI_WAIT_MS 2000

static const char *const dir_names[VIO_NB_DIRS] = {"vf_to_vm", "vm_to_vf"};

static bool enabled;      /* [atomic] the commands answer */
static unsigned inflight; /* [atomic] callbacks between enter() and leave() */
static bool registered;   /* main thread only */

/* A callback runs only while the commands are enabled; vio_telemetry_fini
 * clears the flag, then waits for inflight to drop to 0 (both sequentially
 * consistent: a callback either sees the flag cleared or is counted). */
static bool enter(void)
{
	__atomic_add_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&enabled, __ATOMIC_SEQ_CST))
		return true;
	__atomic_sub_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
	return false;
}

static void leave(void)
{
	__atomic_sub_fetch(&inflight, 1, __ATOMIC_SEQ_CST);
}

/* A dictionary (type < 0) or an array of type, attached to parent under
 * name; NULL when it could not be made (the reply then goes without it). */
static struct rte_tel_data *child(struct rte_tel_data *parent, const char *name, int type)
{
	struct rte_tel_data *c = rte_tel_data_alloc();

	if (!c)
		return NULL;
	if (type < 0)
		rte_tel_data_start_dict(c);
	else
		rte_tel_data_start_array(c, (enum rte_tel_value_type)type);
	if (rte_tel_data_add_dict_container(parent, name, c, 0) < 0) {
		rte_tel_data_free(c);
		return NULL;
	}
	return c;
}

/* "1", "07": a relay id in range; anything else is refused. */
static int parse_id(const char *params, unsigned *id)
{
	size_t n;
	unsigned long v;

	if (!params)
		return -EINVAL;
	n = strlen(params);
	if (n == 0 || n > 5 || strspn(params, "0123456789") != n)
		return -EINVAL;
	v = strtoul(params, NULL, 10);
	if (v >= vio_max_relays())
		return -ERANGE;
	*id = (unsigned)v;
	return 0;
}

/* ---- /virtio_forwarder/relays ---- */

static int cmd_relays(const char *cmd, const char *params, struct rte_tel_data *d)
{
	bool in_use[VIO_RELAYS_HARD_MAX];
	unsigned n = vio_max_relays();

	(void)cmd;
	(void)params;
	if (!enter())
		return -EAGAIN;
	vio_ctl_lock();
	for (unsigned id = 0; id < n; id++)
		in_use[id] = vio_relay_in_use(vio_relay_get(id));
	vio_ctl_unlock();
	leave();
	rte_tel_data_start_array(d, RTE_TEL_INT_VAL);
	for (unsigned id = 0; id < n; id++)
		if (in_use[id])
			rte_tel_data_add_array_int(d, (int)id);
	return 0;
}

/* ---- /virtio_forwarder/relay,<id> ---- */

static void add_dir(struct rte_tel_data *t, const struct vio_ctl_relay *r, int d)
{
	const struct vio_dir_stats *st = &r->st[d];

	rte_tel_data_add_dict_string(t, "state", vio_ctl_dir_state(r, d));
	rte_tel_data_add_dict_int(t, "running", r->running[d]);
	rte_tel_data_add_dict_int(t, "cpu", r->cpu[d]);
	rte_tel_data_add_dict_int(t, "pinned_cpu", r->pinned[d]);
	rte_tel_data_add_dict_u64(t, "rx_pkts", st->rx_pkts);
	rte_tel_data_add_dict_u64(t, "rx_bytes", st->rx_bytes);
	rte_tel_data_add_dict_u64(t, "tx_pkts", st->tx_pkts);
	rte_tel_data_add_dict_u64(t, "tx_bytes", st->tx_bytes);
	rte_tel_data_add_dict_u64(t, "drop_full_pkts", st->full_pkts);
	rte_tel_data_add_dict_u64(t, "drop_full_bytes", st->full_bytes);
	rte_tel_data_add_dict_u64(t, "drop_not_connected_pkts", st->nc_pkts);
	rte_tel_data_add_dict_u64(t, "drop_not_connected_bytes", st->nc_bytes);
	rte_tel_data_add_dict_u64(t, "drop_too_long_pkts", st->long_pkts);
	rte_tel_data_add_dict_u64(t, "drop_too_long_bytes", st->long_bytes);
	rte_tel_data_add_dict_u64(t, "busy_polls", st->busy_polls);
	rte_tel_data_add_dict_u64(t, "busy_cycles", st->busy_cycles);
	if (d == VIO_DIR_VM_TO_VF)
		rte_tel_data_add_dict_u64(t, "announcements", st->announce_pkts);
}

static int cmd_relay(const char *cmd, const char *params, struct rte_tel_data *d)
{
	struct vio_ctl_relay r;
	unsigned id;

	(void)cmd;
	if (parse_id(params, &id))
		return -EINVAL;
	if (!enter())
		return -EAGAIN;
	/* The same snapshot as the stats service's, so the two agree. */
	if (vio_control_relay(id, &r)) {
		leave();
		return -EINVAL;
	}
	leave();

	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_int(d, "id", (int)id);
	rte_tel_data_add_dict_int(d, "in_use", vio_ctl_relay_in_use(&r));
	rte_tel_data_add_dict_string(d, "socket", r.socket);
	rte_tel_data_add_dict_int(d, "vm_connected", r.vm_connected);
	rte_tel_data_add_dict_string(d, "vf", r.has_vf ? r.vf.name : "");
	/* cut at 127 bytes (DPDK's string limit) */
	rte_tel_data_add_dict_string(d, "vf_devargs", r.has_vf ? r.vf.devargs : "");
	rte_tel_data_add_dict_int(d, "vf_port", r.vf_port);
	rte_tel_data_add_dict_int(d, "vf_started", r.vf_started);
	rte_tel_data_add_dict_string(d, "link", vio_vf_link_name(r.vf_link));
	rte_tel_data_add_dict_u64(d, "link_speed_mbps", r.vf_speed);
	rte_tel_data_add_dict_u64(d, "link_changes", r.vf_link_changes);
	rte_tel_data_add_dict_u64(d, "vf_rx_errors", r.vf_rx_errors);
	rte_tel_data_add_dict_u64(d, "vf_rx_missed", r.vf_rx_missed);
	rte_tel_data_add_dict_int(d, "numa", r.numa);
	for (int dir = 0; dir < VIO_NB_DIRS; dir++) {
		struct rte_tel_data *t = child(d, dir_names[dir], -1);

		if (t)
			add_dir(t, &r, dir);
	}
	return 0;
}

/* ---- /virtio_forwarder/workers ---- */

static int cmd_workers(const char *cmd, const char *params, struct rte_tel_data *d)
{
	int cpu[VIO_RELAYS_HARD_MAX][VIO_NB_DIRS];
	unsigned n = vio_max_relays();

	(void)cmd;
	(void)params;
	if (!enter())
		return -EAGAIN;
	vio_ctl_lock();
	for (unsigned id = 0; id < n; id++) {
		const struct vio_relay *r = vio_relay_get(id);

		for (int dir = 0; dir < VIO_NB_DIRS; dir++)
			cpu[id][dir] = r->dirs[dir].listed ? r->dirs[dir].cpu : -1;
	}
	vio_ctl_unlock();

	rte_tel_data_start_dict(d);
	for (unsigned i = 0; i < vio_workers_count(); i++) {
		struct vio_worker_stats w;
		struct rte_tel_data *wd;
		uint64_t total;
		char name[32];

		if (vio_worker_stats_read(i, &w))
			continue;
		snprintf(name, sizeof(name), "cpu_%u", w.cpu);
		wd = child(d, name, -1);
		if (!wd)
			continue;
		rte_tel_data_add_dict_int(wd, "cpu", (int)w.cpu);
		for (int dir = 0; dir < VIO_NB_DIRS; dir++) {
			struct rte_tel_data *ids = child(wd, dir_names[dir], RTE_TEL_INT_VAL);

			for (unsigned id = 0; ids && id < n; id++)
				if (cpu[id][dir] == (int)w.cpu)
					rte_tel_data_add_array_int(ids, (int)id);
		}
		total = w.busy_cycles + w.idle_cycles + w.sleep_cycles;
		/* load: the share of its cycles spent moving packets, since start */
		rte_tel_data_add_dict_u64(wd, "busy_permille",
					  total ? w.busy_cycles * 1000 / total : 0);
		rte_tel_data_add_dict_u64(wd, "busy_cycles", w.busy_cycles);
		rte_tel_data_add_dict_u64(wd, "idle_cycles", w.idle_cycles);
		rte_tel_data_add_dict_u64(wd, "sleep_cycles", w.sleep_cycles);
		rte_tel_data_add_dict_u64(wd, "busy_passes", w.busy_passes);
		rte_tel_data_add_dict_u64(wd, "idle_passes", w.idle_passes);
		rte_tel_data_add_dict_u64(wd, "pkts", w.pkts);
		rte_tel_data_add_dict_u64(wd, "tsc_hz", w.tsc_hz);
	}
	leave();
	return 0;
}

int vio_telemetry_init(void)
{
	static const struct {
		const char *cmd;
		telemetry_cb fn;
		const char *help;
	} cmds[] = {
		{CMD_RELAYS, cmd_relays, "Ids of the relays in use. Takes no parameters"},
		{CMD_RELAY, cmd_relay,
		 "A relay's sides, link, counters per direction, worker CPUs. Parameter: relay id"},
		{CMD_WORKERS, cmd_workers,
		 "Per worker CPU: relay directions served, cycles. Takes no parameters"},
	};
	int rc;

	if (!registered) {
		for (size_t i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
			rc = rte_telemetry_register_cmd(cmds[i].cmd, cmds[i].fn, cmds[i].help);
			if (rc) {
				VIO_LOG(WARNING, "cannot register the telemetry command %s: %s",
					cmds[i].cmd, strerror(rc < 0 ? -rc : rc));
				return rc < 0 ? rc : -rc;
			}
		}
		registered = true;
	}
	__atomic_store_n(&enabled, true, __ATOMIC_SEQ_CST);
	VIO_LOG(INFO, "commands %s, %s,<id>, %s on %s/dpdk_telemetry.v2", CMD_RELAYS, CMD_RELAY,
		CMD_WORKERS, rte_eal_get_runtime_dir());
	return 0;
}

void vio_telemetry_fini(void)
{
	const struct timespec ms = {.tv_nsec = 1000000};
	unsigned waited = 0;

	__atomic_store_n(&enabled, false, __ATOMIC_SEQ_CST);
	while (__atomic_load_n(&inflight, __ATOMIC_SEQ_CST)) {
		if (waited++ == FINI_WAIT_MS) {
			VIO_LOG(WARNING, "a telemetry command is still running after %u ms",
				FINI_WAIT_MS);
			break;
		}
		nanosleep(&ms, NULL);
	}
}
