/* SPDX-License-Identifier: BSD-3-Clause */
/* Daemon configuration: defaults, the variables of /etc/default/virtioforwarder,
 * their command-line equivalents, and whole-configuration validation.
 *
 * Precedence: built-in defaults < configuration file < command line.
 * Nothing here touches DPDK: the module is unit-tested on its own.
 */
#ifndef VIO_CONFIG_H
#define VIO_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "bond.h"
#include "parse.h"

#define VIO_RELAYS_HARD_MAX 64       /* the guide's limit */
/* Said where a relay id is refused because of a DPDK build with fewer ports. */
#define VIO_RELAYS_ROUTE "; this DPDK build has too few ports for ids up to 63: build " \
	"against scripts/build-dpdk.sh (docs/operation.md, \"64 relays\")"
#define VIO_MAX_WARNINGS 16
#define VIO_EP_MAX 256

/* The endpoints an option given without a value serves at (the original's
 * defaults: "--zmq-stats-ep" alone, "-z"). */
#define VIO_EP_DIR_DEFAULT "ipc:///var/run/virtio-forwarder/"
#define VIO_PORT_CONTROL_EP_DEFAULT VIO_EP_DIR_DEFAULT "port_control"
#define VIO_STATS_EP_DEFAULT VIO_EP_DIR_DEFAULT "stats"
#define VIO_CORE_SCHED_EP_DEFAULT VIO_EP_DIR_DEFAULT "core_sched"
#define VIO_CONFIG_EP_DEFAULT VIO_EP_DIR_DEFAULT "config"

/* VIRTIOFWD_MIGRATION_ANNOUNCE_MS */
#define VIO_ANNOUNCE_MS_DEFAULT 50
#define VIO_ANNOUNCE_MS_MAX 10000

enum vio_huge_mode { VIO_HUGE_AUTO = 0, VIO_HUGE_ON, VIO_HUGE_OFF };

#define VIO_STATIC_BONDS_MAX 16

struct vio_static_vf {
	struct vio_vf_dev dev;            /* a bond's identity when bond >= 0 */
	unsigned relay;
	int bond;                         /* index in static_bonds, -1 */
};

struct vio_config {
	unsigned max_relays;              /* relay ids run 0 .. max_relays-1 */

	char config_file[PATH_MAX];
	bool config_file_explicit;        /* --config given: a missing file is an error */

	struct vio_cpuset worker_cpus;    /* VIRTIOFWD_CPU_MASK */
	char worker_cpus_str[128];
	unsigned main_lcore;              /* VIRTIOFWD_MASTER_LCORE */
	unsigned log_level;               /* 0-7, syslog levels */
	bool daemonize;                   /* false with --nodaemon */
	bool log_syslog;                  /* daemon, or --nodaemon=log_syslog */
	char pid_dir[PATH_MAX];

	char huge_dir[PATH_MAX];          /* VIRTIOFWD_HUGETLBFS_MOUNT_POINT */
	enum vio_huge_mode huge_mode;     /* VIRTIOFWD_HUGEPAGES */
	unsigned memory_mb;               /* VIRTIOFWD_MEMORY_MB, 0 = sized from relays */
	char file_prefix[64];             /* VIRTIOFWD_FILE_PREFIX (DPDK runtime dir) */

	char socket_dir[PATH_MAX];        /* VIRTIOFWD_SOCKET_DIR */
	char socket_pattern[64];          /* VIRTIOFWD_SOCKET_FNAME_PATTERN */
	char socket_owner[64];            /* "" = leave as created */
	char socket_group[64];
	bool socket_owner_explicit, socket_group_explicit;

	bool vhost_client;                /* VIRTIOFWD_VHOST_CLIENT */
	bool dynamic_sockets;             /* VIRTIOFWD_DYNAMIC_SOCKETS */
	bool jumbo, mrgbuf, tso;          /* VIRTIOFWD_JUMBO / _MRGBUF / _TSO */
	char vfio_token[40];              /* "" = none */

	bool core_sched_enable;           /* VIO4WD_CORE_SCHED_ENABLE */
	char zmq_port_control_ep[VIO_EP_MAX];
	char zmq_stats_ep[VIO_EP_MAX];
	char zmq_core_sched_ep[VIO_EP_MAX];
	char zmq_config_ep[VIO_EP_MAX];
	char zmq_group[64];               /* VIRTIOFWD_ZMQ_GROUP, "" = root only */
	char control_drivers[256];        /* VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS, "" = PCI only */

	/* The balancer's variables (VIO4WD_CORE_SCHED_*), as written: the
	 * daemon does not use them, vio4wd_core_scheduler checks them
	 * (tools/sched_settings.h).  "" = unset. */
	char sched_poll_interval[32], sched_sensitivity[32], sched_log_level[32];
	char sched_global_numa_opt[32];

	/* The original's port control without ZeroMQ, gone here: warned about
	 * by vio_config_finish when no port control endpoint is set. */
	bool ipc_port_control;            /* VIRTIOFWD_IPC_PORT_CONTROL, --ipc */
	bool ovsdb_port_control;          /* VIRTIOFWD_OVSDB_SOCK_PATH, --ovsdb-sock */

	struct vio_pin pins[VIO_RELAYS_HARD_MAX * 2];
	unsigned n_pins;
	/* Announcing a migrating guest on its relay's VF (announce.h) */
	unsigned announce_ms; /* VIRTIOFWD_MIGRATION_ANNOUNCE_MS, 0 = off */
	struct vio_guest_mac guest_macs[VIO_RELAYS_HARD_MAX]; /* VIRTIOFWD_GUEST_MACS */
	unsigned n_guest_macs;
	struct vio_static_vf static_vfs[VIO_RELAYS_HARD_MAX];
	unsigned n_static_vfs;
	struct vio_bond static_bonds[VIO_STATIC_BONDS_MAX]; /* slots of static_vfs[].bond */

	/* Notes for the log once logging is up (ignored legacy variables...). */
	char warnings[VIO_MAX_WARNINGS][200];
	unsigned n_warnings;

	/* internal: lists replaced (not appended) by the first command-line item */
	unsigned cmdline_lists_seen;
};

/* How a variable takes its value on the command line. */
enum vio_var_arg { VIO_ARG_NONE, VIO_ARG_REQUIRED, VIO_ARG_OPTIONAL };

struct vio_var {
	const char *name;      /* variable in the file, or NULL (command line only) */
	const char *opt_long;  /* command-line option, or NULL (file only) */
	int opt_short;         /* short option letter, or 0 */
	enum vio_var_arg arg;
	bool is_list;          /* array in the file, repeatable on the command line */
	size_t off, size;      /* target field for the generic setters */
	int (*set)(struct vio_config *c, const struct vio_var *v, const char *value,
		   char *err, size_t errlen);
	const char *help;
};

extern const struct vio_var vio_vars[];
extern const size_t vio_n_vars;

const struct vio_var *vio_var_by_name(const char *name);

/* Fill in the built-in defaults. */
void vio_config_defaults(struct vio_config *c, unsigned max_relays);

/* Every int-returning function below returns 0, or a negative errno with a
 * message in err (-EINVAL for a bad value or setting).
 *
 * Apply one value of variable v.  from_cmdline: list variables given on the
 * command line replace the file's list instead of adding to it.  Errors name
 * the variable (or option) and the value. */
int vio_config_set(struct vio_config *c, const struct vio_var *v, const char *value,
		   bool from_cmdline, char *err, size_t errlen);

/* One assignment of the configuration file applied to the struct
 * vio_config ctx (a vio_conffile_cb): unknown variables, an array for a
 * scalar and empty array items are errors; a list assignment replaces an
 * earlier one, as in bash. */
int vio_config_file_cb(void *ctx, const char *name, const char *const *values, size_t nvalues,
		       bool is_array, char *err, size_t errlen);

/* Read a configuration file into c (an unreadable file: its errno). */
int vio_config_load_file(struct vio_config *c, const char *path, char *err, size_t errlen);

/* Once the file and the options are applied: what follows from several
 * settings together.  Serving the core scheduler serves stats too (at the
 * default endpoint when none is set), as in the original, whose balancer
 * needs both; --ipc or an OVSDB socket without a port control endpoint draw
 * a warning (that port control is gone). */
void vio_config_finish(struct vio_config *c);

/* Cross-checks once everything is applied: CPUs online, main lcore not a
 * worker, pins inside the worker mask, duplicate relay ids or devices... */
int vio_config_validate(const struct vio_config *c, const struct vio_cpuset *online,
			char *err, size_t errlen);

/* Pinned CPUs of a relay, or -1 when unpinned. */
void vio_config_relay_pins(const struct vio_config *c, unsigned relay, int *vf_to_vm,
			   int *vm_to_vf);

/* Read the online CPUs from sysfs (path overridable for tests); an
 * unreadable file: its errno. */
int vio_read_online_cpus(const char *path, struct vio_cpuset *out, char *err, size_t errlen);

#endif
