/* SPDX-License-Identifier: BSD-3-Clause */
/* The Prometheus text format of a stats reply: see metrics.h.
 *
 * A family's HELP and TYPE lines come first, then all of its samples (the
 * format wants a family's samples together), so the renderer walks the
 * relays once per family.  Relays with neither a VF nor a VM are left out:
 * the daemon reports every relay id, used or not. */
#include "metrics.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef Virtioforwarder__StatsResponse StatsResponse;
typedef Virtioforwarder__RelayState RelayState;
typedef Virtioforwarder__WorkerState WorkerState;

#define NO_NUMA 4294967295u

/* A growing text; err sticks at -ENOMEM once an append failed. */
struct out {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *p;

		while (o->len + n + 1 > cap)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p) {
			o->err = -ENOMEM;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void putf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(struct out *o, const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	/* Only short fixed texts and numbers come here: anything longer
	 * (label values from the daemon) goes through put_label_value. */
	if (n < 0 || (size_t)n >= sizeof(buf)) {
		o->err = o->err ? o->err : -ENOMEM;
		return;
	}
	put(o, buf, (size_t)n);
}

/* Length of the valid UTF-8 sequence at s (1-4), 0 when invalid. */
static size_t utf8_len(const unsigned char *s)
{
	unsigned char c = s[0];
	unsigned char lo = 0x80, hi = 0xBF;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		n = 2;
	else if (c >= 0xE0 && c <= 0xEF)
		n = 3;
	else if (c >= 0xF0 && c <= 0xF4)
		n = 4;
	else
		return 0;
	if (c == 0xE0)
		lo = 0xA0;  /* overlong */
	else if (c == 0xED)
		hi = 0x9F;  /* surrogates */
	else if (c == 0xF0)
		lo = 0x90;  /* overlong */
	else if (c == 0xF4)
		hi = 0x8F;  /* beyond U+10FFFF */
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return n;
}

static void put_label_value(struct out *o, const char *v)
{
	const unsigned char *s = (const unsigned char *)(v ? v : "");

	while (*s) {
		size_t n = utf8_len(s);

		if (*s == '\\')
			put(o, "\\\\", 2);
		else if (*s == '"')
			put(o, "\\\"", 2);
		else if (*s == '\n')
			put(o, "\\n", 2);
		else if (n)
			put(o, (const char *)s, n);
		else
			put(o, "?", 1);
		s += n ? n : 1;
	}
}

char *vio_metrics_escape_label(const char *value)
{
	struct out o = {0};

	put(&o, "", 0);
	put_label_value(&o, value);
	if (o.err) {
		free(o.p);
		return NULL;
	}
	return o.p;
}

/* HELP and TYPE of a family; help is a fixed text without backslash or
 * newline (the two characters HELP would need escaped). */
static void family(struct out *o, const char *name, const char *type, const char *help)
{
	puts_(o, "# HELP virtioforwarder_");
	puts_(o, name);
	puts_(o, " ");
	puts_(o, help);
	puts_(o, "\n# TYPE virtioforwarder_");
	puts_(o, name);
	puts_(o, " ");
	puts_(o, type);
	puts_(o, "\n");
}

/* "virtioforwarder_<name>{<labels>} <v>"; labels are pre-escaped (fixed
 * texts and numbers only). */
static void sample_u64(struct out *o, const char *name, const char *labels, uint64_t v)
{
	putf(o, "virtioforwarder_%s{%s} %" PRIu64 "\n", name, labels, v);
}

static void sample_i64(struct out *o, const char *name, const char *labels, int64_t v)
{
	putf(o, "virtioforwarder_%s{%s} %" PRId64 "\n", name, labels, v);
}

/* ---- one relay direction, whichever way it goes ---- */

enum {
	C_RX_PKTS,
	C_RX_BYTES,
	C_TX_PKTS,
	C_TX_BYTES,
	C_FULL_PKTS,
	C_FULL_BYTES,
	C_NC_PKTS,
	C_NC_BYTES,
	C_LONG_PKTS,
	C_LONG_BYTES,
	C_BUSY_CYCLES,
	C_BUSY_POLLS,
	C_ANNOUNCE,
	C_N
};

struct dir_view {
	const char *name;       /* label value of direction */
	const char *state;      /* internal_state */
	bool has[C_N];
	uint64_t v[C_N];
	bool has_cpu;
	int cpu;
};

#define TAKE(d, k, m, field) ((d)->has[k] = (m)->has_##field, (d)->v[k] = (m)->field)

static void view_dirs(const RelayState *r, struct dir_view d[2])
{
	const Virtioforwarder__RelayState__VFtoVM *a = r->vf_to_vm;
	const Virtioforwarder__RelayState__VMtoVF *b = r->vm_to_vf;

	memset(d, 0, 2 * sizeof(*d));
	d[0].name = "vf_to_vm";
	d[1].name = "vm_to_vf";
	if (a) {
		d[0].state = a->internal_state;
		TAKE(&d[0], C_RX_PKTS, a, pkts_rx_from_vf);
		TAKE(&d[0], C_RX_BYTES, a, bytes_rx_from_vf);
		TAKE(&d[0], C_TX_PKTS, a, pkts_tx_to_vm);
		TAKE(&d[0], C_TX_BYTES, a, bytes_tx_to_vm);
		TAKE(&d[0], C_FULL_PKTS, a, pkts_dropped_vm_queue_full);
		TAKE(&d[0], C_FULL_BYTES, a, bytes_dropped_vm_queue_full);
		TAKE(&d[0], C_NC_PKTS, a, pkts_dropped_vm_not_connected);
		TAKE(&d[0], C_NC_BYTES, a, bytes_dropped_vm_not_connected);
		TAKE(&d[0], C_LONG_PKTS, a, pkts_dropped_too_long);
		TAKE(&d[0], C_LONG_BYTES, a, bytes_dropped_too_long);
		TAKE(&d[0], C_BUSY_CYCLES, a, busy_cycles);
		TAKE(&d[0], C_BUSY_POLLS, a, busy_polls);
	}
	if (b) {
		d[1].state = b->internal_state;
		TAKE(&d[1], C_RX_PKTS, b, pkts_rx_from_vm);
		TAKE(&d[1], C_RX_BYTES, b, bytes_rx_from_vm);
		TAKE(&d[1], C_TX_PKTS, b, pkts_tx_to_vf);
		TAKE(&d[1], C_TX_BYTES, b, bytes_tx_to_vf);
		TAKE(&d[1], C_FULL_PKTS, b, pkts_dropped_vf_queue_full);
		TAKE(&d[1], C_FULL_BYTES, b, bytes_dropped_vf_queue_full);
		TAKE(&d[1], C_NC_PKTS, b, pkts_dropped_vf_not_connected);
		TAKE(&d[1], C_NC_BYTES, b, bytes_dropped_vf_not_connected);
		TAKE(&d[1], C_LONG_PKTS, b, pkts_dropped_too_long);
		TAKE(&d[1], C_LONG_BYTES, b, bytes_dropped_too_long);
		TAKE(&d[1], C_BUSY_CYCLES, b, busy_cycles);
		TAKE(&d[1], C_BUSY_POLLS, b, busy_polls);
		TAKE(&d[1], C_ANNOUNCE, b, announcements);
	}
	if (r->cpu) {
		d[0].has_cpu = r->cpu->has_vf_to_vm;
		d[0].cpu = r->cpu->vf_to_vm;
		d[1].has_cpu = r->cpu->has_vm_to_vf;
		d[1].cpu = r->cpu->vm_to_vf;
	}
}

static bool is(const char *s, const char *t)
{
	return s && strcmp(s, t) == 0;
}

/* A relay with a VF or a VM: in static mode every relay id has a socket,
 * and those that nothing uses are left out.  A VM->VF state this exporter
 * does not know counts as in use. */
static bool relay_in_use(const RelayState *r)
{
	const char *s = r->vm_to_vf ? r->vm_to_vf->internal_state : NULL;

	return r->vf || (s && !is(s, "NO_SOCKET") && !is(s, "WAITING_FOR_VM"));
}

static bool vm_connected(const RelayState *r)
{
	const char *s = r->vm_to_vf ? r->vm_to_vf->internal_state : NULL;

	return is(s, "FORWARDING") || is(s, "DRAINING_NO_VF") || is(s, "PAUSED");
}

/* ---- the families ---- */

static void relay_info(struct out *o, const StatsResponse *st)
{
	family(o, "relay_info", "gauge",
	       "Relay identity: its VF (PCI address or DPDK device), vhost-user socket "
	       "and NUMA node of its buffers; always 1.");
	for (size_t i = 0; i < st->n_relay; i++) {
		const RelayState *r = st->relay[i];
		const char *sock = r->vhost ? r->vhost->vhost_socket_name : NULL;

		if (!relay_in_use(r))
			continue;
		putf(o, "virtioforwarder_relay_info{relay=\"%" PRIu32 "\",vf=\"", r->id);
		put_label_value(o, r->vf ? r->vf->pci_addr_str : "");
		puts_(o, "\",socket=\"");
		put_label_value(o, is(sock, "NONE") ? "" : sock);
		if (r->socket_id == NO_NUMA)
			puts_(o, "\",numa_node=\"any\"} 1\n");
		else
			putf(o, "\",numa_node=\"%" PRIu32 "\"} 1\n", r->socket_id);
	}
}

static void relay_bools(struct out *o, const StatsResponse *st)
{
	char l[32];

	family(o, "relay_active", "gauge", "1 when the relay's VF is started and its VM connected.");
	for (size_t i = 0; i < st->n_relay; i++) {
		if (!relay_in_use(st->relay[i]))
			continue;
		snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\"", st->relay[i]->id);
		sample_u64(o, "relay_active", l, st->relay[i]->active ? 1 : 0);
	}
	family(o, "relay_vm_connected", "gauge", "1 when a VM is connected to the relay's socket.");
	for (size_t i = 0; i < st->n_relay; i++) {
		if (!relay_in_use(st->relay[i]))
			continue;
		snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\"", st->relay[i]->id);
		sample_u64(o, "relay_vm_connected", l, vm_connected(st->relay[i]) ? 1 : 0);
	}
}

static void relay_states(struct out *o, const StatsResponse *st)
{
	static const char *const known[2][6] = {
		{"NO_VF", "VF_ADDED_WAITING_FOR_VM", "FORWARDING", "PAUSED", NULL},
		{"NO_SOCKET", "WAITING_FOR_VM", "FORWARDING", "DRAINING_NO_VF", "PAUSED", NULL},
	};

	family(o, "relay_state", "gauge",
	       "State of a relay direction: 1 for the current state, 0 for the others.");
	for (size_t i = 0; i < st->n_relay; i++) {
		struct dir_view d[2];

		if (!relay_in_use(st->relay[i]))
			continue;
		view_dirs(st->relay[i], d);
		for (int k = 0; k < 2; k++) {
			bool found = false;
			char l[96];

			for (int s = 0; known[k][s]; s++) {
				found |= is(d[k].state, known[k][s]);
				snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\",direction=\"%s\",state=\"%s\"",
					 st->relay[i]->id, d[k].name, known[k][s]);
				sample_u64(o, "relay_state", l, is(d[k].state, known[k][s]) ? 1 : 0);
			}
			if (found || !d[k].state)
				continue;
			/* a state this exporter does not know (a newer daemon) */
			putf(o, "virtioforwarder_relay_state{relay=\"%" PRIu32 "\",direction=\"%s\","
			     "state=\"", st->relay[i]->id, d[k].name);
			put_label_value(o, d[k].state);
			puts_(o, "\"} 1\n");
		}
	}
}

/* A family of per-direction counters: field k of each direction; with
 * cause, one sample per cause (fields k, k + 2, k + 4). */
static void relay_counter(struct out *o, const StatsResponse *st, const char *name,
			  const char *help, int k, bool causes)
{
	static const char *const cause[] = {"queue_full", "not_connected", "too_long"};

	family(o, name, "counter", help);
	for (size_t i = 0; i < st->n_relay; i++) {
		struct dir_view d[2];

		if (!relay_in_use(st->relay[i]))
			continue;
		view_dirs(st->relay[i], d);
		for (int dir = 0; dir < 2; dir++) {
			for (int c = 0; c < (causes ? 3 : 1); c++) {
				int f = k + 2 * c;
				char l[96];

				if (!d[dir].has[f])
					continue;
				if (causes)
					snprintf(l, sizeof(l),
						 "relay=\"%" PRIu32 "\",direction=\"%s\",cause=\"%s\"",
						 st->relay[i]->id, d[dir].name, cause[c]);
				else
					snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\",direction=\"%s\"",
						 st->relay[i]->id, d[dir].name);
				sample_u64(o, name, l, d[dir].v[f]);
			}
		}
	}
}

static void relay_cpus(struct out *o, const StatsResponse *st,
		       const Virtioforwarder__ConfigResponse *cfg)
{
	family(o, "relay_worker_cpu", "gauge",
	       "CPU of the worker serving a relay direction now (absent: none).");
	for (size_t i = 0; i < st->n_relay; i++) {
		struct dir_view d[2];

		view_dirs(st->relay[i], d);
		for (int dir = 0; dir < 2; dir++) {
			char l[64];

			if (!d[dir].has_cpu || d[dir].cpu < 0)
				continue;
			snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\",direction=\"%s\"",
				 st->relay[i]->id, d[dir].name);
			sample_i64(o, "relay_worker_cpu", l, d[dir].cpu);
		}
	}
	if (!cfg || cfg->status != VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK)
		return;
	family(o, "relay_assigned_cpu", "gauge",
	       "CPU assigned to a relay direction by the config service: the worker serving "
	       "it, else its pin (absent: none).");
	for (size_t i = 0; i < cfg->n_relay_cpu_map; i++) {
		const Virtioforwarder__ConfigResponse__RelayCPU *m = cfg->relay_cpu_map[i];
		char l[64];

		if (m->relay_number < 0)
			continue;
		if (m->vf2virtio_cpu >= 0) {
			snprintf(l, sizeof(l), "relay=\"%" PRId32 "\",direction=\"vf_to_vm\"",
				 m->relay_number);
			sample_i64(o, "relay_assigned_cpu", l, m->vf2virtio_cpu);
		}
		if (m->virtio2vf_cpu >= 0) {
			snprintf(l, sizeof(l), "relay=\"%" PRId32 "\",direction=\"vm_to_vf\"",
				 m->relay_number);
			sample_i64(o, "relay_assigned_cpu", l, m->virtio2vf_cpu);
		}
	}
}

static void vf_families(struct out *o, const StatsResponse *st)
{
	char l[64];

	family(o, "vf_link_up", "gauge", "1 when the VF's link is up, 0 when down (absent: unknown).");
	for (size_t i = 0; i < st->n_relay; i++) {
		const Virtioforwarder__RelayState__VF *vf = st->relay[i]->vf;

		if (!vf || !vf->has_link_up)
			continue;
		snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\"", st->relay[i]->id);
		sample_u64(o, "vf_link_up", l, vf->link_up ? 1 : 0);
	}
	family(o, "vf_link_speed_bytes_per_second", "gauge",
	       "Speed of the VF's link in bytes per second (absent: unknown).");
	for (size_t i = 0; i < st->n_relay; i++) {
		const Virtioforwarder__RelayState__VF *vf = st->relay[i]->vf;

		if (!vf || !vf->has_link_speed_mbps)
			continue;
		snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\"", st->relay[i]->id);
		sample_u64(o, "vf_link_speed_bytes_per_second", l,
			   (uint64_t)vf->link_speed_mbps * 125000u);
	}
	family(o, "vf_link_changes_total", "counter",
	       "Link state changes of the VF since it was attached.");
	for (size_t i = 0; i < st->n_relay; i++) {
		const Virtioforwarder__RelayState__VF *vf = st->relay[i]->vf;

		if (!vf || !vf->has_link_changes)
			continue;
		snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\"", st->relay[i]->id);
		sample_u64(o, "vf_link_changes_total", l, vf->link_changes);
	}
	family(o, "vf_rx_dropped_packets_total", "counter",
	       "Frames the VF port dropped on receive: refused as errors (cause=\"error\") "
	       "or without room (cause=\"missed\").");
	for (size_t i = 0; i < st->n_relay; i++) {
		const Virtioforwarder__RelayState__VF *vf = st->relay[i]->vf;

		if (!vf)
			continue;
		if (vf->has_rx_errors) {
			snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\",cause=\"error\"", st->relay[i]->id);
			sample_u64(o, "vf_rx_dropped_packets_total", l, vf->rx_errors);
		}
		if (vf->has_rx_missed) {
			snprintf(l, sizeof(l), "relay=\"%" PRIu32 "\",cause=\"missed\"", st->relay[i]->id);
			sample_u64(o, "vf_rx_dropped_packets_total", l, vf->rx_missed);
		}
	}
}

static void worker_families(struct out *o, const StatsResponse *st)
{
	char l[64];

	family(o, "worker_cycles_total", "counter",
	       "TSC cycles of a worker CPU since it started: passes that took packets "
	       "(state=\"busy\"), passes that took none (\"idle\"), waiting for input (\"sleep\").");
	for (size_t i = 0; i < st->n_worker; i++) {
		const WorkerState *w = st->worker[i];
		const char *state[] = {"busy", "idle", "sleep"};
		bool has[] = {w->has_busy_cycles, w->has_idle_cycles, w->has_sleep_cycles};
		uint64_t v[] = {w->busy_cycles, w->idle_cycles, w->sleep_cycles};

		for (int s = 0; s < 3; s++) {
			if (!has[s])
				continue;
			snprintf(l, sizeof(l), "cpu=\"%" PRIu32 "\",state=\"%s\"", w->cpu, state[s]);
			sample_u64(o, "worker_cycles_total", l, v[s]);
		}
	}
	family(o, "worker_passes_total", "counter",
	       "Passes of a worker CPU over its relay directions, busy (took packets) or idle.");
	for (size_t i = 0; i < st->n_worker; i++) {
		const WorkerState *w = st->worker[i];

		if (w->has_busy_passes) {
			snprintf(l, sizeof(l), "cpu=\"%" PRIu32 "\",state=\"busy\"", w->cpu);
			sample_u64(o, "worker_passes_total", l, w->busy_passes);
		}
		if (w->has_idle_passes) {
			snprintf(l, sizeof(l), "cpu=\"%" PRIu32 "\",state=\"idle\"", w->cpu);
			sample_u64(o, "worker_passes_total", l, w->idle_passes);
		}
	}
	family(o, "worker_packets_total", "counter",
	       "Packets a worker CPU took in, both directions of all its relays.");
	for (size_t i = 0; i < st->n_worker; i++) {
		if (!st->worker[i]->has_pkts)
			continue;
		snprintf(l, sizeof(l), "cpu=\"%" PRIu32 "\"", st->worker[i]->cpu);
		sample_u64(o, "worker_packets_total", l, st->worker[i]->pkts);
	}
	family(o, "worker_tsc_hertz", "gauge",
	       "TSC frequency of a worker CPU: cycles per second, to turn cycles into seconds.");
	for (size_t i = 0; i < st->n_worker; i++) {
		if (!st->worker[i]->has_tsc_hz)
			continue;
		snprintf(l, sizeof(l), "cpu=\"%" PRIu32 "\"", st->worker[i]->cpu);
		sample_u64(o, "worker_tsc_hertz", l, st->worker[i]->tsc_hz);
	}
}

int vio_metrics_render(const struct vio_metrics_src *src, char **out, size_t *len)
{
	const StatsResponse *st = src->stats;
	bool up = st && st->status == VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK;
	struct out o = {0};

	family(&o, "up", "gauge", "1 when the daemon's stats service answered this scrape, else 0.");
	putf(&o, "virtioforwarder_up %d\n", up ? 1 : 0);
	family(&o, "build_info", "gauge",
	       "Version of virtio-forwarder and of the DPDK it was built with; always 1.");
	puts_(&o, "virtioforwarder_build_info{version=\"");
	put_label_value(&o, src->version);
	puts_(&o, "\",dpdk=\"");
	put_label_value(&o, src->dpdk_version);
	puts_(&o, "\"} 1\n");
	if (up) {
		relay_info(&o, st);
		relay_bools(&o, st);
		relay_states(&o, st);
		relay_counter(&o, st, "relay_received_packets_total",
			      "Packets a relay direction took in from its source (the VF or the VM).",
			      C_RX_PKTS, false);
		relay_counter(&o, st, "relay_received_bytes_total",
			      "Bytes a relay direction took in from its source.", C_RX_BYTES, false);
		relay_counter(&o, st, "relay_sent_packets_total",
			      "Packets a relay direction delivered to its destination.", C_TX_PKTS,
			      false);
		relay_counter(&o, st, "relay_sent_bytes_total",
			      "Bytes a relay direction delivered to its destination.", C_TX_BYTES,
			      false);
		relay_counter(&o, st, "relay_dropped_packets_total",
			      "Packets a relay direction dropped, by cause: destination queue full, "
			      "destination not connected, longer than the VF's MTU allows.",
			      C_FULL_PKTS, true);
		relay_counter(&o, st, "relay_dropped_bytes_total",
			      "Bytes a relay direction dropped, by cause (as the packets).",
			      C_FULL_BYTES, true);
		relay_counter(&o, st, "relay_busy_polls_total",
			      "Polls of a relay direction that took packets.", C_BUSY_POLLS, false);
		relay_counter(&o, st, "relay_busy_cycles_total",
			      "TSC cycles of the polls of a relay direction that took packets.",
			      C_BUSY_CYCLES, false);
		relay_counter(
			&o, st, "relay_announcements_total",
			"RARPs a relay sent on its VF to announce its guest while it migrates.",
			C_ANNOUNCE, false);
		relay_cpus(&o, st, src->config);
		vf_families(&o, st);
		worker_families(&o, st);
	}
	if (o.err) {
		free(o.p);
		return o.err;
	}
	*out = o.p;
	*len = o.len;
	return 0;
}
