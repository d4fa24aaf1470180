/* SPDX-License-Identifier: BSD-3-Clause */
/* What the control services see of the daemon.
 *
 * The services (ctl_port.c, ctl_stats.c, ctl_core_sched.c, ctl_config.c)
 * decode and validate requests and decide what to do; they act on the
 * daemon only through this narrow interface.  The daemon implements it in
 * control.c on top of the relay table; the unit tests implement it with
 * a fake relay table.  Every call is made from the control thread.
 */
#ifndef VIO_CTL_BACKEND_H
#define VIO_CTL_BACKEND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bond.h"
#include "counters.h"
#include "parse.h"

#define VIO_CTL_PATH_MAX 108   /* sun_path */

/* A snapshot of one relay. */
struct vio_ctl_relay {
	unsigned id;
	bool has_socket;
	bool has_vf;
	bool vm_connected;                 /* a vhost device is running */
	bool vf_started;                   /* the VF port is started */
	char socket[VIO_CTL_PATH_MAX];     /* "" without socket */
	struct vio_vf_dev vf;              /* valid when has_vf; vf.is_bond: a bond */
	unsigned bond_mode;                /* vf.is_bond: the bond's mode and members */
	unsigned n_members;
	struct vio_ctl_member {
		char name[64];             /* as vio_vf_dev.name */
		int link;                  /* 1 up, 0 down, -1 unknown */
		bool primary;              /* the member active-backup sends on */
	} member[VIO_BOND_MAX];
	int vf_port;                       /* its DPDK port id, -1 without VF */
	int vf_link;                       /* 1 up, 0 down, -1 unknown */
	uint32_t vf_speed;                 /* Mb/s, 0 unknown */
	uint64_t vf_link_changes;
	uint64_t vf_rx_errors;             /* frames the VF port refused */
	uint64_t vf_rx_missed;             /* frames it had no room for */
	int cpu[VIO_NB_DIRS];              /* worker CPU, -1 when none */
	int pinned[VIO_NB_DIRS];           /* pinned CPU (config, core_sched), -1 */
	bool running[VIO_NB_DIRS];         /* on a worker's task list */
	int numa;                          /* NUMA node of its buffers, -1 = any */
	struct vio_dir_stats st[VIO_NB_DIRS];
};

static inline bool vio_ctl_relay_in_use(const struct vio_ctl_relay *r)
{
	return r->has_socket || r->has_vf;
}

/* Both sides up. */
static inline bool vio_ctl_relay_active(const struct vio_ctl_relay *r)
{
	return r->has_vf && r->vf_started && r->vm_connected;
}

/* A direction's state, by the names of the stats service (RelayState's
 * internal_state) and of the telemetry commands. */
static inline const char *vio_ctl_dir_state(const struct vio_ctl_relay *r, int dir)
{
	if (dir == VIO_DIR_VF_TO_VM) {
		if (!r->has_vf)
			return "NO_VF";
		if (!r->vf_started)
			return "VF_ADDED_WAITING_FOR_VM";
		return r->running[dir] ? "FORWARDING" : "PAUSED";
	}
	if (!r->has_socket && !r->vm_connected)
		return "NO_SOCKET";
	if (!r->vm_connected)
		return "WAITING_FOR_VM";
	if (!r->running[dir])
		return "PAUSED";
	return r->has_vf ? "FORWARDING" : "DRAINING_NO_VF";
}

struct vio_ctl_backend {
	unsigned max_relays;               /* relay ids 0 .. max_relays-1 */
	bool dynamic_sockets;              /* VIRTIOFWD_DYNAMIC_SOCKETS */
	const char *socket_dir;            /* add_sock paths are files directly in it */
	const char *control_drivers;       /* VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS */

	/* Fill *out for relay id (< max_relays).  0 or negative errno. */
	int (*relay)(unsigned id, struct vio_ctl_relay *out);

	/* Relay table operations: 0 or a negative errno with a message in
	 * err.  -EEXIST / -ENOENT mean "already there" / "not there". */
	int (*add_vf)(unsigned id, const struct vio_vf_dev *dev, char *err, size_t errlen);
	/* A bond (checked complete: vio_bond_check) as the relay's VF side;
	 * remove_vf removes it. */
	int (*add_bond)(unsigned id, const struct vio_bond *b, char *err, size_t errlen);
	int (*remove_vf)(unsigned id, char *err, size_t errlen);
	int (*add_socket)(unsigned id, const char *path, char *err, size_t errlen);
	int (*remove_socket)(unsigned id, char *err, size_t errlen);

	/* Worker CPUs, ascending; returns how many (at most max). */
	unsigned (*worker_cpus)(unsigned *cpus, unsigned max);
	/* The workers' cycle accounting, in the same order; how many. */
	unsigned (*worker_stats)(struct vio_worker_stats *out, unsigned max);
	/* Serve relay id's VF->VM and VM->VF directions on these worker CPUs
	 * from now on, without losing or reordering packets. */
	int (*move)(unsigned id, unsigned cpu_vf_to_vm, unsigned cpu_vm_to_vf, char *err,
		    size_t errlen);

	/* Monotonic clock. */
	uint64_t (*now_ns)(void);
};

#endif
