/* SPDX-License-Identifier: BSD-3-Clause */
/* Daemon configuration: see config.h. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "conffile.h"
#include "vio_build_config.h"

#define DEFAULT_SOCKET_OWNER "libvirt-qemu"
#define DEFAULT_SOCKET_GROUP "kvm"

/* Once: the file and the command line may say the same thing. */
static void add_warning(struct vio_config *c, const char *fmt, const char *arg)
{
	char w[sizeof(c->warnings[0])];

	snprintf(w, sizeof(w), fmt, arg);
	for (unsigned i = 0; i < c->n_warnings; i++)
		if (strcmp(c->warnings[i], w) == 0)
			return;
	if (c->n_warnings < VIO_MAX_WARNINGS)
		memcpy(c->warnings[c->n_warnings++], w, sizeof(w));
}

#define FIELD(c, v) ((char *)(c) + (v)->off)

static int set_string(struct vio_config *c, const struct vio_var *v, const char *value,
		      char *err, size_t errlen)
{
	if (strlen(value) >= v->size) {
		snprintf(err, errlen, "value is longer than %zu characters", v->size - 1);
		return -EINVAL;
	}
	memcpy(FIELD(c, v), value, strlen(value) + 1);
	return 0;
}

static int set_path(struct vio_config *c, const struct vio_var *v, const char *value,
		    char *err, size_t errlen)
{
	if (value[0] != '/') {
		snprintf(err, errlen, "must be an absolute path");
		return -EINVAL;
	}
	return set_string(c, v, value, err, errlen);
}

static int set_bool(struct vio_config *c, const struct vio_var *v, const char *value,
		    char *err, size_t errlen)
{
	/* Empty means "off", as in the original file ("non-null enables"). */
	if (!*value) {
		*(bool *)FIELD(c, v) = false;
		return 0;
	}
	return vio_parse_bool(value, (bool *)FIELD(c, v), err, errlen);
}

static int set_cpus(struct vio_config *c, const struct vio_var *v, const char *value,
		    char *err, size_t errlen)
{
	if (vio_parse_cpuset(value, &c->worker_cpus, err, errlen))
		return -EINVAL;
	snprintf(c->worker_cpus_str, sizeof(c->worker_cpus_str), "%s", value);
	return 0;
}

static int set_lcore(struct vio_config *c, const struct vio_var *v, const char *value,
		     char *err, size_t errlen)
{
	unsigned long n;

	if (vio_parse_uint(value, 0, VIO_MAX_CPUS - 1, &n, err, errlen))
		return -EINVAL;
	c->main_lcore = (unsigned)n;
	return 0;
}

static int set_loglevel(struct vio_config *c, const struct vio_var *v, const char *value,
			char *err, size_t errlen)
{
	unsigned long n;

	if (vio_parse_uint(value, 0, 7, &n, err, errlen))
		return -EINVAL;
	c->log_level = (unsigned)n;
	return 0;
}

static int set_nodaemon(struct vio_config *c, const struct vio_var *v, const char *value,
			char *err, size_t errlen)
{
	c->daemonize = false;
	if (!value || !*value || strcmp(value, "log_stderr") == 0) {
		c->log_syslog = false;
	} else if (strcmp(value, "log_syslog") == 0) {
		c->log_syslog = true;
	} else {
		snprintf(err, errlen, "expected log_stderr or log_syslog");
		return -EINVAL;
	}
	return 0;
}

static int set_huge_mode(struct vio_config *c, const struct vio_var *v, const char *value,
			 char *err, size_t errlen)
{
	bool b;

	if (strcasecmp(value, "auto") == 0) {
		c->huge_mode = VIO_HUGE_AUTO;
		return 0;
	}
	if (vio_parse_bool(value, &b, NULL, 0)) {
		snprintf(err, errlen, "expected auto, yes or no");
		return -EINVAL;
	}
	c->huge_mode = b ? VIO_HUGE_ON : VIO_HUGE_OFF;
	return 0;
}

static int set_memory(struct vio_config *c, const struct vio_var *v, const char *value,
		      char *err, size_t errlen)
{
	unsigned long n;

	if (vio_parse_uint(value, 64, 65536, &n, err, errlen))
		return -EINVAL;
	c->memory_mb = (unsigned)n;
	return 0;
}

static int set_prefix(struct vio_config *c, const struct vio_var *v, const char *value,
		      char *err, size_t errlen)
{
	for (const char *p = value; *p; p++) {
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' || *p == '.')) {
			snprintf(err, errlen, "may only contain letters, digits, '_', '-', '.'");
			return -EINVAL;
		}
	}
	return set_string(c, v, value, err, errlen);
}

static int set_pattern(struct vio_config *c, const struct vio_var *v, const char *value,
		       char *err, size_t errlen)
{
	if (vio_check_socket_pattern(value, err, errlen))
		return -EINVAL;
	return set_string(c, v, value, err, errlen);
}

static int set_owner(struct vio_config *c, const struct vio_var *v, const char *value,
		     char *err, size_t errlen)
{
	bool is_group = v->off == offsetof(struct vio_config, socket_group);

	if (*value) {
		if (is_group ? getgrnam(value) == NULL : getpwnam(value) == NULL) {
			snprintf(err, errlen, "no such %s on this host", is_group ? "group"
				 : "user");
			return -EINVAL;
		}
	}
	if (is_group)
		c->socket_group_explicit = true;
	else
		c->socket_owner_explicit = true;
	return set_string(c, v, value, err, errlen);
}

static int set_token(struct vio_config *c, const struct vio_var *v, const char *value,
		     char *err, size_t errlen)
{
	return vio_parse_vfio_token(value, c->vfio_token, sizeof(c->vfio_token), err, errlen);
}

static int set_endpoint(struct vio_config *c, const struct vio_var *v, const char *value,
			char *err, size_t errlen)
{
	/* ipc only: a tcp endpoint would be open to every local user, and the
	 * services must be reachable by root and one group only. */
	if (*value && strncmp(value, "ipc://", 6) != 0) {
		snprintf(err, errlen, "expected a ZeroMQ endpoint ipc:///absolute/path (tcp "
			 "endpoints are refused: every local user could reach them)");
		return -EINVAL;
	}
	if (*value && value[6] != '/') {
		snprintf(err, errlen, "the ipc endpoint's path must be absolute");
		return -EINVAL;
	}
	if (strlen(value + (*value ? 6 : 0)) >= 108) {
		snprintf(err, errlen, "the ipc endpoint's path is longer than 107 bytes");
		return -EINVAL;
	}
	return set_string(c, v, value, err, errlen);
}

static int set_group(struct vio_config *c, const struct vio_var *v, const char *value,
		     char *err, size_t errlen)
{
	if (*value && getgrnam(value) == NULL) {
		snprintf(err, errlen, "no such group on this host");
		return -EINVAL;
	}
	return set_string(c, v, value, err, errlen);
}

static int set_drivers(struct vio_config *c, const struct vio_var *v, const char *value,
		       char *err, size_t errlen)
{
	return vio_parse_driver_list(value, c->control_drivers, sizeof(c->control_drivers), err,
				     errlen);
}

static int set_core_sched_ep(struct vio_config *c, const struct vio_var *v,
			     const char *value, char *err, size_t errlen)
{
	/* The original's start script passes the endpoint only when enabled. */
	if (set_endpoint(c, v, value, err, errlen))
		return -EINVAL;
	c->core_sched_enable = true;
	return 0;
}

static int set_pin_item(struct vio_config *c, const char *item, char *err, size_t errlen)
{
	struct vio_pin pin;

	if (vio_parse_pin(item, &pin, c->max_relays, err, errlen))
		return -EINVAL;
	for (unsigned i = 0; i < c->n_pins; i++) {
		if (c->pins[i].relay == pin.relay) {
			snprintf(err, errlen, "relay %u is pinned twice", pin.relay);
			return -EINVAL;
		}
	}
	if (c->n_pins == sizeof(c->pins) / sizeof(c->pins[0])) {
		snprintf(err, errlen, "too many pins");
		return -EINVAL;
	}
	c->pins[c->n_pins++] = pin;
	return 0;
}

static int set_announce_ms(struct vio_config *c, const struct vio_var *v, const char *value,
			   char *err, size_t errlen)
{
	unsigned long n;

	if (strcasecmp(value, "off") == 0) {
		c->announce_ms = 0;
		return 0;
	}
	if (vio_parse_uint(value, 0, VIO_ANNOUNCE_MS_MAX, &n, err, errlen))
		return -EINVAL;
	c->announce_ms = (unsigned)n;
	return 0;
}

static int set_guest_mac_item(struct vio_config *c, const char *item, char *err, size_t errlen)
{
	struct vio_guest_mac gm;

	if (vio_parse_guest_mac(item, &gm, c->max_relays, err, errlen))
		return -EINVAL;
	for (unsigned i = 0; i < c->n_guest_macs; i++) {
		if (c->guest_macs[i].relay == gm.relay) {
			snprintf(err, errlen, "relay %u has two MACs", gm.relay);
			return -EINVAL;
		}
	}
	if (c->n_guest_macs == sizeof(c->guest_macs) / sizeof(c->guest_macs[0])) {
		snprintf(err, errlen, "too many MACs");
		return -EINVAL;
	}
	c->guest_macs[c->n_guest_macs++] = gm;
	return 0;
}

/* A list given as one value separated by ';' (as the guide documents for
 * pins; arrays work too): item() for each. */
static int set_items(struct vio_config *c, const char *value,
		     int (*item)(struct vio_config *c, const char *item, char *err, size_t errlen),
		     char *err, size_t errlen)
{
	char buf[1024], *save = NULL, *tok;

	if (strlen(value) >= sizeof(buf)) {
		snprintf(err, errlen, "value too long");
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "%s", value);
	for (tok = strtok_r(buf, ";", &save); tok; tok = strtok_r(NULL, ";", &save))
		if (item(c, tok, err, errlen))
			return -EINVAL;
	return 0;
}

/* "<relay>=<MAC>" */
static int set_guest_macs(struct vio_config *c, const struct vio_var *v, const char *value,
			  char *err, size_t errlen)
{
	return set_items(c, value, set_guest_mac_item, err, errlen);
}

static int set_pins(struct vio_config *c, const struct vio_var *v, const char *value, char *err,
		    size_t errlen)
{
	return set_items(c, value, set_pin_item, err, errlen);
}

/* A device of entry sv (itself, or one of its bond's members) that entry o
 * has too; NULL when none. */
static const char *static_overlap(const struct vio_config *c, const struct vio_static_vf *sv,
				  const struct vio_bond *bond, const struct vio_static_vf *o)
{
	const struct vio_bond *ob = o->bond >= 0 ? &c->static_bonds[o->bond] : NULL;
	unsigned n = bond ? bond->n : 1;

	if (vio_vf_dev_same(&o->dev, &sv->dev))
		return sv->dev.name;
	for (unsigned k = 0; k < n; k++) {
		const struct vio_vf_dev *d = bond ? &bond->member[k] : &sv->dev;

		if (ob ? vio_bond_has_member(ob, d) : vio_vf_dev_same(&o->dev, d))
			return d->name;
	}
	return NULL;
}

/* A VF, "<device>=<relay>", or a bond, "bond:<name>:<mode>:<m>+<m>=<relay>". */
static int set_static_vf(struct vio_config *c, const struct vio_var *v, const char *value,
			 char *err, size_t errlen)
{
	struct vio_static_vf sv = {.bond = -1};
	struct vio_bond *bond = NULL;
	bool taken[VIO_STATIC_BONDS_MAX] = {false};

	if (vio_is_bond_spec(value)) {
		for (unsigned i = 0; i < c->n_static_vfs; i++)
			if (c->static_vfs[i].bond >= 0)
				taken[c->static_vfs[i].bond] = true;
		while (sv.bond + 1 < VIO_STATIC_BONDS_MAX && taken[sv.bond + 1])
			sv.bond++;
		if (++sv.bond == VIO_STATIC_BONDS_MAX) {
			snprintf(err, errlen, "more than %d static bonds", VIO_STATIC_BONDS_MAX);
			return -EINVAL;
		}
		bond = &c->static_bonds[sv.bond];
		if (vio_parse_static_bond(value, bond, &sv.relay, c->max_relays, err, errlen))
			return -EINVAL;
		vio_bond_ident(bond, &sv.dev);
	} else if (vio_parse_static_vf(value, &sv.dev, &sv.relay, c->max_relays, err, errlen)) {
		return -EINVAL;
	} else if (vio_dev_is_bonding(&sv.dev)) {
		snprintf(err, errlen, "%s is a bonding device: give a bond as " VIO_BOND_PREFIX
			 "<name>:<mode>:<member>+<member>=<relay id>", sv.dev.name);
		return -EINVAL;
	}
	for (unsigned i = 0; i < c->n_static_vfs; i++) {
		const char *dup = static_overlap(c, &sv, bond, &c->static_vfs[i]);

		if (c->static_vfs[i].relay == sv.relay) {
			snprintf(err, errlen, "relay id %u is used twice (also by %s)", sv.relay,
				 c->static_vfs[i].dev.devargs);
			return -EINVAL;
		}
		if (dup) {
			snprintf(err, errlen, "%s %s is given twice (relays %u and %u)",
				 sv.dev.is_bond && !strcmp(dup, sv.dev.name) ? "bond" : "device",
				 dup, c->static_vfs[i].relay, sv.relay);
			return -EINVAL;
		}
	}
	if (c->n_static_vfs == VIO_RELAYS_HARD_MAX) {
		snprintf(err, errlen, "too many static VFs");
		return -EINVAL;
	}
	c->static_vfs[c->n_static_vfs++] = sv;
	return 0;
}

/* Variables of the original that have no effect here. */
static int set_ignored(struct vio_config *c, const struct vio_var *v, const char *value,
		       char *err, size_t errlen)
{
	return 0;
}

static int set_unsupported(struct vio_config *c, const struct vio_var *v, const char *value,
			   char *err, size_t errlen)
{
	char label[96];

	if (!*value || strcmp(value, "false") == 0)
		return 0;
	if (v->opt_short)
		snprintf(label, sizeof(label), "%s (--%s, -%c)", v->name, v->opt_long, v->opt_short);
	else
		snprintf(label, sizeof(label), "%s", v->name);
	add_warning(c, "%s is not supported by this virtio-forwarder and is ignored", label);
	return 0;
}

/* Set when non-blank and not "false"; vio_config_finish decides whether it
 * deserves a warning. */
static int set_legacy_flag(struct vio_config *c, const struct vio_var *v, const char *value,
			   char *err, size_t errlen)
{
	*(bool *)FIELD(c, v) = *value && strcmp(value, "false") != 0;
	return 0;
}

#define F(field) offsetof(struct vio_config, field), sizeof(((struct vio_config *)0)->field)
#define NOF 0, 0

const struct vio_var vio_vars[] = {
	{"VIRTIOFWD_CPU_MASK", "cpus", 'C', VIO_ARG_REQUIRED, false, NOF, set_cpus,
	 "worker CPUs: a list (1,2 or 1-3) or a hex mask (0x6)"},
	{"VIRTIOFWD_MASTER_LCORE", "master-lcore", 'M', VIO_ARG_REQUIRED, false, NOF, set_lcore,
	 "CPU of the main (control) thread; may be a worker CPU (default 0)"},
	{"VIRTIOFWD_LOG_LEVEL", "loglevel", 'l', VIO_ARG_REQUIRED, false, NOF, set_loglevel,
	 "log threshold 0-7, least to most verbose (default 6)"},
	{NULL, "nodaemon", 'n', VIO_ARG_OPTIONAL, false, NOF, set_nodaemon,
	 "stay in the foreground; log to stderr (=log_stderr, default) or syslog (=log_syslog)"},
	{"VIRTIOFWD_PID_DIR", "pid-dir", 'p', VIO_ARG_REQUIRED, false, F(pid_dir), set_path,
	 "directory of virtio-forwarder.pid, locked: one daemon per directory (default /var/run)"},
	{NULL, "pid-path", 'p', VIO_ARG_REQUIRED, false, F(pid_dir), set_path,
	 "the original's name of --pid-dir"},
	{"VIRTIOFWD_HUGETLBFS_MOUNT_POINT", "huge-dir", 'H', VIO_ARG_REQUIRED, false, F(huge_dir),
	 set_path, "hugetlbfs mount point (default /mnt/huge)"},
	{"VIRTIOFWD_HUGEPAGES", "hugepages", 0, VIO_ARG_REQUIRED, false, NOF, set_huge_mode,
	 "auto (hugepages when free ones exist), yes (required) or no (shared memory)"},
	{"VIRTIOFWD_MEMORY_MB", "memory", 0, VIO_ARG_REQUIRED, false, NOF, set_memory,
	 "memory for buffers without hugepages, MiB (default: sized from the relay count)"},
	{"VIRTIOFWD_FILE_PREFIX", "file-prefix", 0, VIO_ARG_REQUIRED, false, F(file_prefix),
	 set_prefix, "DPDK runtime file prefix (default virtio-forwarder)"},
	{"VIRTIOFWD_SOCKET_DIR", "vhost-path", 'V', VIO_ARG_REQUIRED, false, F(socket_dir),
	 set_path, "directory of the vhost-user sockets (default /tmp)"},
	{"VIRTIOFWD_SOCKET_FNAME_PATTERN", "vhost-socket", 'S', VIO_ARG_REQUIRED, false,
	 F(socket_pattern), set_pattern,
	 "socket file-name pattern with one %u for the relay id (default virtio-forwarder%u.sock)"},
	{"VIRTIOFWD_SOCKET_OWNER", "vhost-username", 'u', VIO_ARG_OPTIONAL, false, F(socket_owner),
	 set_owner, "owner of the vhost-user sockets (no or blank value: leave as created)"},
	{"VIRTIOFWD_SOCKET_GROUP", "vhost-groupname", 'g', VIO_ARG_OPTIONAL, false, F(socket_group),
	 set_owner, "group of the vhost-user sockets (no or blank value: leave as created)"},
	{"VIRTIOFWD_VHOST_CLIENT", "vhostuser-client", 'i', VIO_ARG_NONE, false, F(vhost_client),
	 set_bool, "vhost-user client mode: connect to sockets the VMs create, reconnect"},
	{"VIRTIOFWD_DYNAMIC_SOCKETS", "dynamic-sockets", 'd', VIO_ARG_NONE, false,
	 F(dynamic_sockets), set_bool, "no sockets at start; add them through port control"},
	{"VIRTIOFWD_JUMBO", "jumbo", 'J', VIO_ARG_NONE, false, F(jumbo), set_bool, "9000-byte MTU"},
	{NULL, "enable-jumbo", 'J', VIO_ARG_NONE, false, F(jumbo), set_bool,
	 "the original's name of --jumbo"},
	{"VIRTIOFWD_MRGBUF", "enable-mrgbuf", 'R', VIO_ARG_NONE, false, F(mrgbuf), set_bool,
	 "offer mergeable RX buffers to guests"},
	{"VIRTIOFWD_TSO", "enable-tso", 'T', VIO_ARG_NONE, false, F(tso), set_bool,
	 "offer TCP segmentation offload to guests"},
	{"VIRTIOFWD_VFIO_VF_TOKEN", "vfio-vf-token", 't', VIO_ARG_REQUIRED, false, NOF, set_token,
	 "VFIO VF token: None, 0 (default token) or a UUID"},
	{"VIO4WD_CORE_SCHED_ENABLE", NULL, 0, VIO_ARG_NONE, false, F(core_sched_enable), set_bool,
	 "serve the core scheduler endpoint"},
	{"VIRTIOFWD_ZMQ_PORT_CONTROL_EP", "zmq-port-control-ep", 'Z', VIO_ARG_OPTIONAL, false,
	 F(zmq_port_control_ep), set_endpoint,
	 "ZeroMQ endpoint of port control (no value: " VIO_PORT_CONTROL_EP_DEFAULT ")"},
	{"VIRTIOFWD_ZMQ_STATS_EP", "zmq-stats-ep", 'z', VIO_ARG_OPTIONAL, false, F(zmq_stats_ep),
	 set_endpoint, "ZeroMQ endpoint of stats (no value: " VIO_STATS_EP_DEFAULT ")"},
	{"VIRTIOFWD_ZMQ_CORE_SCHED_EP", NULL, 0, VIO_ARG_REQUIRED, false, F(zmq_core_sched_ep),
	 set_endpoint, NULL},
	{NULL, "zmq-core-sched-ep", 's', VIO_ARG_OPTIONAL, false, F(zmq_core_sched_ep),
	 set_core_sched_ep,
	 "ZeroMQ endpoint of the core scheduler, enabling it and stats (no "
	 "value: " VIO_CORE_SCHED_EP_DEFAULT ")"},
	{"VIRTIOFWD_ZMQ_CONFIG_EP", "zmq-config-ep", 'Y', VIO_ARG_OPTIONAL, false, F(zmq_config_ep),
	 set_endpoint, "ZeroMQ endpoint of config queries (no value: " VIO_CONFIG_EP_DEFAULT ")"},
	{"VIRTIOFWD_ZMQ_GROUP", "zmq-group", 0, VIO_ARG_REQUIRED, false, F(zmq_group), set_group,
	 "group allowed to use the ZeroMQ endpoints besides root (blank: root only)"},
	{"VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS", "zmq-port-control-drivers", 0, VIO_ARG_REQUIRED,
	 false, NOF, set_drivers,
	 "virtual-device drivers port control may attach besides PCI VFs, e.g. net_tap,net_null "
	 "(blank: PCI only)"},
	{"VIRTIOFWD_CPU_PINS", "virtio-cpu", 'c', VIO_ARG_REQUIRED, true, NOF, set_pins,
	 "pin a relay: <relay>:<cpu>[,<cpu>] (VF->VM CPU, VM->VF CPU); repeatable"},
	{"VIRTIOFWD_STATIC_VFS", "add-pci-vf", 'P', VIO_ARG_REQUIRED, true, NOF, set_static_vf,
	 "add a VF at startup: <PCI address or DPDK device>=<relay id>, or a bond: "
	 "bond:<name>:<mode>:<member>+<member>...=<relay id>; repeatable"},
	{"VIRTIOFWD_MIGRATION_ANNOUNCE_MS", "migration-announce-ms", 0, VIO_ARG_REQUIRED, false,
	 NOF, set_announce_ms,
	 "while a guest migrates, announce its MAC on the relay's VF every <ms> until the "
	 "guest sends through the relay (failover standby); 0 or off: never (default 50)"},
	{"VIRTIOFWD_GUEST_MACS", "guest-mac", 0, VIO_ARG_REQUIRED, true, NOF, set_guest_macs,
	 "the guest MAC to announce for a relay: <relay>=<MAC> (default: learnt from the "
	 "guest's frames); repeatable"},
	/* The balancer's (vio4wd_core_scheduler checks them). */
	{"VIO4WD_CORE_SCHED_SENSITIVITY", NULL, 0, VIO_ARG_REQUIRED, false, F(sched_sensitivity),
	 set_string, NULL},
	{"VIO4WD_CORE_SCHED_LOG_LEVEL", NULL, 0, VIO_ARG_REQUIRED, false, F(sched_log_level),
	 set_string, NULL},
	{"VIO4WD_CORE_SCHED_POLL_INTERVAL", NULL, 0, VIO_ARG_REQUIRED, false,
	 F(sched_poll_interval), set_string, NULL},
	{"VIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT", NULL, 0, VIO_ARG_REQUIRED, false,
	 F(sched_global_numa_opt), set_string, NULL},
	/* The original's variables and options without an effect here: the
	 * first two because it is always so here (memory is taken on the NUMA
	 * nodes in use only; the start script's binary), the others because
	 * the feature is gone (a warning). */
	{"VIRTIOFWD_CPU_NIC_SAME_NUMA", "same-numa", 'a', VIO_ARG_NONE, false, NOF, set_ignored,
	 "no effect: hugepage memory is only ever taken on the NUMA nodes in use"},
	{"VIRTIOFWD_BINARY", NULL, 0, VIO_ARG_REQUIRED, false, NOF, set_ignored, NULL},
	{"VIRTIOFWD_IPC_PORT_CONTROL", "ipc", 'I', VIO_ARG_NONE, false, F(ipc_port_control),
	 set_bool,
	 "the original's command-file port control: gone (a warning without a port "
	 "control endpoint)"},
	{"VIRTIOFWD_OVSDB_SOCK_PATH", "ovsdb-sock", 'O', VIO_ARG_REQUIRED, false,
	 F(ovsdb_port_control), set_legacy_flag,
	 "the original's OVSDB port control: gone (a warning without a port control endpoint)"},
	{"VIRTIOFWD_ZERO_COPY", "zero-copy", '0', VIO_ARG_NONE, false, NOF, set_unsupported,
	 "the original's experimental zero-copy: gone (a warning)"},
	{"VIRTIOFWD_BIND_VFIO_PCI", NULL, 0, VIO_ARG_REQUIRED, false, NOF, set_unsupported, NULL},
};
const size_t vio_n_vars = sizeof(vio_vars) / sizeof(vio_vars[0]);

const struct vio_var *vio_var_by_name(const char *name)
{
	for (size_t i = 0; i < vio_n_vars; i++)
		if (vio_vars[i].name && strcmp(vio_vars[i].name, name) == 0)
			return &vio_vars[i];
	return NULL;
}

void vio_config_defaults(struct vio_config *c, unsigned max_relays)
{
	memset(c, 0, sizeof(*c));
	c->max_relays = max_relays;
	snprintf(c->config_file, sizeof(c->config_file), "%s", VIO_SYSCONF_FILE);
	vio_parse_cpuset("1,2", &c->worker_cpus, NULL, 0);
	snprintf(c->worker_cpus_str, sizeof(c->worker_cpus_str), "1,2");
	c->main_lcore = 0;
	c->log_level = 6;
	c->daemonize = true;
	c->log_syslog = true;
	snprintf(c->pid_dir, sizeof(c->pid_dir), "/var/run");
	snprintf(c->huge_dir, sizeof(c->huge_dir), "/mnt/huge");
	c->huge_mode = VIO_HUGE_AUTO;
	snprintf(c->file_prefix, sizeof(c->file_prefix), "virtio-forwarder");
	snprintf(c->socket_dir, sizeof(c->socket_dir), "/tmp");
	snprintf(c->socket_pattern, sizeof(c->socket_pattern), "virtio-forwarder%%u.sock");
	snprintf(c->socket_owner, sizeof(c->socket_owner), DEFAULT_SOCKET_OWNER);
	snprintf(c->socket_group, sizeof(c->socket_group), DEFAULT_SOCKET_GROUP);
	c->announce_ms = VIO_ANNOUNCE_MS_DEFAULT;
}

/* A list variable starts again (a later assignment, the first command-line item). */
static void list_reset(struct vio_config *c, const struct vio_var *v)
{
	if (v->set == set_pins)
		c->n_pins = 0;
	else if (v->set == set_guest_macs)
		c->n_guest_macs = 0;
	else
		c->n_static_vfs = 0;
}

static unsigned var_index(const struct vio_var *v)
{
	return (unsigned)(v - vio_vars);
}

/* The value of an option given without one: a flag is on, an endpoint is
 * the original's default, anything else blank (-u, -g: leave the sockets
 * as created; -n: log to stderr). */
static const char *bare_value(const struct vio_var *v)
{
	static const struct {
		size_t off;
		const char *ep;
	} eps[] = {
		{offsetof(struct vio_config, zmq_port_control_ep), VIO_PORT_CONTROL_EP_DEFAULT},
		{offsetof(struct vio_config, zmq_stats_ep), VIO_STATS_EP_DEFAULT},
		{offsetof(struct vio_config, zmq_core_sched_ep), VIO_CORE_SCHED_EP_DEFAULT},
		{offsetof(struct vio_config, zmq_config_ep), VIO_CONFIG_EP_DEFAULT},
	};

	if (v->arg == VIO_ARG_NONE)
		return "true";
	for (size_t i = 0; i < sizeof(eps) / sizeof(eps[0]); i++)
		if (v->size && v->off == eps[i].off)
			return eps[i].ep;
	return "";
}

int vio_config_set(struct vio_config *c, const struct vio_var *v, const char *value,
		   bool from_cmdline, char *err, size_t errlen)
{
	char sub[VIO_ERR_MAX + 64];
	char label[96];

	if (from_cmdline) {
		if (v->opt_short)
			snprintf(label, sizeof(label), "--%s/-%c", v->opt_long, v->opt_short);
		else
			snprintf(label, sizeof(label), "--%s", v->opt_long);
	} else {
		snprintf(label, sizeof(label), "%s", v->name);
	}
	if (!value)
		value = bare_value(v);

	/* An empty value means "the default" except where blank has a meaning. */
	if (!*value && !from_cmdline && v->set != set_owner && v->set != set_bool &&
	    v->set != set_endpoint && v->set != set_token && v->set != set_unsupported)
		return 0;

	if (v->is_list) {
		unsigned bit = 1u << (var_index(v) % 32);

		if (from_cmdline && !(c->cmdline_lists_seen & bit)) {
			c->cmdline_lists_seen |= bit;
			list_reset(c, v);
		}
	}
	sub[0] = '\0';
	if (v->set(c, v, value, sub, sizeof(sub))) {
		snprintf(err, errlen, "%s=\"%s\": %s", label, value, sub);
		return -EINVAL;
	}
	return 0;
}

int vio_config_file_cb(void *ctx, const char *name, const char *const *values, size_t nvalues,
		       bool is_array, char *err, size_t errlen)
{
	struct vio_config *c = ctx;
	const struct vio_var *v = vio_var_by_name(name);

	if (!v) {
		snprintf(err, errlen, "unknown variable %s", name);
		return -EINVAL;
	}
	if (is_array && !v->is_list) {
		snprintf(err, errlen, "%s does not take an array", name);
		return -EINVAL;
	}
	if (v->is_list) { /* a later assignment replaces an earlier one, as in bash */
		list_reset(c, v);
	}
	for (size_t i = 0; i < nvalues; i++) {
		if (is_array && !*values[i]) {
			snprintf(err, errlen, "%s: empty array item", name);
			return -EINVAL;
		}
		if (vio_config_set(c, v, values[i], false, err, errlen))
			return -EINVAL;
	}
	return 0;
}

int vio_config_load_file(struct vio_config *c, const char *path, char *err, size_t errlen)
{
	return vio_conffile_load(path, vio_config_file_cb, c, err, errlen);
}

void vio_config_finish(struct vio_config *c)
{
	if (c->core_sched_enable && c->zmq_core_sched_ep[0] && !c->zmq_stats_ep[0])
		snprintf(c->zmq_stats_ep, sizeof(c->zmq_stats_ep), "%s", VIO_STATS_EP_DEFAULT);
	/* The original used these only without a ZeroMQ port control. */
	if (c->zmq_port_control_ep[0])
		return;
	if (c->ipc_port_control)
		add_warning(c, "%s: the original's port control through a command file is not "
			    "supported and no port control is served (set "
			    "VIRTIOFWD_ZMQ_PORT_CONTROL_EP)", "VIRTIOFWD_IPC_PORT_CONTROL (--ipc)");
	else if (c->ovsdb_port_control)
		add_warning(c, "%s: port control from OVSDB is not supported and no port "
			    "control is served (set VIRTIOFWD_ZMQ_PORT_CONTROL_EP)",
			    "VIRTIOFWD_OVSDB_SOCK_PATH (--ovsdb-sock)");
}

int vio_read_online_cpus(const char *path, struct vio_cpuset *out, char *err, size_t errlen)
{
	char buf[512];
	FILE *f = fopen(path, "r");
	size_t n;

	if (!f) {
		int rc = -errno;

		snprintf(err, errlen, "cannot read %s: %s", path, strerror(-rc));
		return rc;
	}
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return vio_parse_cpuset(buf, out, err, errlen);
}

int vio_config_validate(const struct vio_config *c, const struct vio_cpuset *online,
			char *err, size_t errlen)
{
	char buf[256];
	int cpu;

	for (cpu = vio_cpuset_next(&c->worker_cpus, 0); cpu >= 0;
	     cpu = vio_cpuset_next(&c->worker_cpus, (unsigned)cpu + 1)) {
		if (!vio_cpuset_has(online, (unsigned)cpu)) {
			snprintf(err, errlen, "VIRTIOFWD_CPU_MASK=\"%s\": CPU %d is not online "
				 "(online: %s)", c->worker_cpus_str, cpu,
				 vio_cpuset_format(online, buf, sizeof(buf)));
			return -EINVAL;
		}
	}
	if (!vio_cpuset_has(online, c->main_lcore)) {
		snprintf(err, errlen, "VIRTIOFWD_MASTER_LCORE=\"%u\": CPU %u is not online "
			 "(online: %s)", c->main_lcore, c->main_lcore,
			 vio_cpuset_format(online, buf, sizeof(buf)));
		return -EINVAL;
	}
	/* Sharing a worker's CPU, the main thread takes lcore id
	 * VIO_MAX_CPUS-1 (eal.c), which must then not be a worker. */
	if (vio_cpuset_has(&c->worker_cpus, c->main_lcore) &&
	    vio_cpuset_has(&c->worker_cpus, VIO_MAX_CPUS - 1)) {
		snprintf(err, errlen, "VIRTIOFWD_MASTER_LCORE=\"%u\" shares a worker CPU while "
			 "CPU %u is a worker too: no spare lcore id is left", c->main_lcore,
			 VIO_MAX_CPUS - 1);
		return -EINVAL;
	}
	for (unsigned i = 0; i < c->n_pins; i++) {
		const struct vio_pin *p = &c->pins[i];
		unsigned bad = vio_cpuset_has(&c->worker_cpus, p->cpu_vf_to_vm) ?
				       p->cpu_vm_to_vf : p->cpu_vf_to_vm;

		if (!vio_cpuset_has(&c->worker_cpus, bad)) {
			snprintf(err, errlen, "VIRTIOFWD_CPU_PINS=\"%u:%u,%u\": CPU %u is not a "
				 "worker CPU (VIRTIOFWD_CPU_MASK=\"%s\")", p->relay,
				 p->cpu_vf_to_vm, p->cpu_vm_to_vf, bad, c->worker_cpus_str);
			return -EINVAL;
		}
	}
	if (c->dynamic_sockets && c->n_static_vfs) {
		snprintf(err, errlen, "VIRTIOFWD_STATIC_VFS=\"%s=%u\": static VFs need the "
			 "default sockets, but VIRTIOFWD_DYNAMIC_SOCKETS is on (add relays "
			 "with port control add_sock instead)", c->static_vfs[0].dev.devargs,
			 c->static_vfs[0].relay);
		return -EINVAL;
	}
	if (!c->dynamic_sockets) {
		struct sockaddr_un sun;
		char name[sizeof(c->socket_pattern) + 16];
		size_t len;

		snprintf(name, sizeof(name), c->socket_pattern, c->max_relays - 1);
		len = strlen(c->socket_dir) + 1 + strlen(name);
		if (len >= sizeof(sun.sun_path)) {
			snprintf(err, errlen, "VIRTIOFWD_SOCKET_DIR=\"%.120s%s\": socket paths such "
				 "as .../%s are %zu bytes, over the %zu-byte limit of unix sockets",
				 c->socket_dir, strlen(c->socket_dir) > 120 ? "..." : "", name, len,
				 sizeof(sun.sun_path) - 1);
			return -EINVAL;
		}
	}
	return 0;
}

void vio_config_relay_pins(const struct vio_config *c, unsigned relay, int *vf_to_vm,
			   int *vm_to_vf)
{
	*vf_to_vm = *vm_to_vf = -1;
	for (unsigned i = 0; i < c->n_pins; i++) {
		if (c->pins[i].relay == relay) {
			*vf_to_vm = (int)c->pins[i].cpu_vf_to_vm;
			*vm_to_vf = (int)c->pins[i].cpu_vm_to_vf;
		}
	}
}
