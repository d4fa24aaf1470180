/* SPDX-License-Identifier: BSD-3-Clause */
/* virtioforwarder_stats: relay counters and rates (user's guide section 14;
 * docs/control.md).  Flat output is one key=value line per field, keys as
 * relay_<id>.<direction>[.cpu_<n>].<field> like the original tool's. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "pb_text.h"
#include "virtioforwarder.pb-c.h"

#define PROG "virtioforwarder_stats"

typedef Virtioforwarder__StatsResponse Response;
typedef Virtioforwarder__RelayState RelayState;

static bool suppress_zero;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options]\n"
		"  --stats-ep=EP               endpoint (default " VIO_DEFAULT_EP_DIR "stats)\n"
		"  --include-inactive          also relays without both sides up\n"
		"  --relay=ID                  only this relay (repeatable; default all)\n"
		"  --delay=MS                  measure rates over MS milliseconds (default 200)\n"
		"  --output-format=FMT         flat (key=value, default) or protobuf (text)\n"
		"  -z, --suppress-zero         leave out counters that are 0\n"
		"exit: 0 ok, 1 error reply, 2 bad usage, 3 no reply\n");
}

/* One field of msg (by name) as "prefix.name=value", if set. */
static void flat_field(const char *prefix, const ProtobufCMessage *msg, const char *name)
{
	const ProtobufCFieldDescriptor *fd =
		protobuf_c_message_descriptor_get_field_by_name(msg->descriptor, name);
	const char *p;
	char val[64];

	if (!fd) /* a field this direction does not have */
		return;
	p = (const char *)msg + fd->offset;
	if (fd->label == PROTOBUF_C_LABEL_OPTIONAL && fd->quantifier_offset &&
	    !*(const protobuf_c_boolean *)((const char *)msg + fd->quantifier_offset))
		return;
	switch (fd->type) {
	case PROTOBUF_C_TYPE_BOOL:
		snprintf(val, sizeof(val), "%s", *(const protobuf_c_boolean *)p ? "True" : "False");
		break;
	case PROTOBUF_C_TYPE_UINT64:
		if (suppress_zero && *(const uint64_t *)p == 0)
			return;
		snprintf(val, sizeof(val), "%llu", (unsigned long long)*(const uint64_t *)p);
		break;
	case PROTOBUF_C_TYPE_INT32:
		if (suppress_zero && *(const int32_t *)p == 0)
			return;
		snprintf(val, sizeof(val), "%d", *(const int32_t *)p);
		break;
	case PROTOBUF_C_TYPE_UINT32:
		snprintf(val, sizeof(val), "%u", *(const uint32_t *)p);
		break;
	case PROTOBUF_C_TYPE_FLOAT:
		vio_pb_format_float(val, sizeof(val), *(const float *)p);
		break;
	case PROTOBUF_C_TYPE_STRING:
		if (!*(const char *const *)p)
			return;
		printf("%s.%s=%s\n", prefix, name, *(const char *const *)p);
		return;
	default:
		return;
	}
	printf("%s.%s=%s\n", prefix, name, val);
}

static void flat_dir(const char *relay, const char *dir, const ProtobufCMessage *m,
		     bool has_cpu, int cpu, const char *src, const char *dst)
{
	static const char *const kinds[] = {"pkts_rx_from_%s",
					    "bytes_rx_from_%s",
					    "pkts_tx_to_%s",
					    "bytes_tx_to_%s",
					    "pkt_rate_rx_from_%s",
					    "byte_rate_rx_from_%s",
					    "pkt_rate_tx_to_%s",
					    "byte_rate_tx_to_%s",
					    "pkts_dropped_%s_queue_full",
					    "bytes_dropped_%s_queue_full",
					    "pkts_dropped_%s_not_connected",
					    "bytes_dropped_%s_not_connected",
					    "pkts_dropped_too_long",
					    "bytes_dropped_too_long",
					    "busy_cycles",
					    "busy_polls",
					    "announcements"};
	char prefix[96], name[64];

	snprintf(prefix, sizeof(prefix), "%s.%s", relay, dir);
	flat_field(prefix, m, "active");
	flat_field(prefix, m, "internal_state");
	if (has_cpu)
		snprintf(prefix, sizeof(prefix), "%s.%s.cpu_%d", relay, dir, cpu);
	for (unsigned i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		/* rx from the source; tx to and dropped at the destination */
		snprintf(name, sizeof(name), kinds[i], i % 4 < 2 && i < 8 ? src : dst);
		flat_field(prefix, m, name);
	}
}

static void print_flat(const Response *r)
{
	for (size_t i = 0; i < r->n_relay; i++) {
		const RelayState *s = r->relay[i];
		char relay[32];

		snprintf(relay, sizeof(relay), "relay_%u", s->id);
		printf("%s.active=%s\n", relay, s->active ? "True" : "False");
		if (s->cpu) {
			char p[48];

			snprintf(p, sizeof(p), "%s.cpu", relay);
			flat_field(p, &s->cpu->base, "vf_to_vm");
			flat_field(p, &s->cpu->base, "vm_to_vf");
		}
		if (s->vf) {
			char p[48];

			snprintf(p, sizeof(p), "%s.vf", relay);
			flat_field(p, &s->vf->base, "pci_addr_str");
			flat_field(p, &s->vf->base, "link_up");
			flat_field(p, &s->vf->base, "link_speed_mbps");
			flat_field(p, &s->vf->base, "link_changes");
			flat_field(p, &s->vf->base, "rx_errors");
			flat_field(p, &s->vf->base, "rx_missed");
			flat_field(p, &s->vf->base, "bond_mode");
			for (size_t k = 0; k < s->vf->n_bond_member; k++) {
				char q[64];

				snprintf(q, sizeof(q), "%s.vf.bond_member_%zu", relay, k);
				flat_field(q, &s->vf->bond_member[k]->base, "name");
				flat_field(q, &s->vf->bond_member[k]->base, "link_up");
				flat_field(q, &s->vf->bond_member[k]->base, "primary");
			}
		}
		if (s->vhost)
			printf("%s.vhost.vhost_socket_name=%s\n", relay, s->vhost->vhost_socket_name);
		flat_field(relay, &s->base, "socket_id");
		flat_dir(relay, "vf_to_vm", &s->vf_to_vm->base, s->cpu && s->cpu->has_vf_to_vm,
			 s->cpu ? s->cpu->vf_to_vm : 0, "vf", "vm");
		flat_dir(relay, "vm_to_vf", &s->vm_to_vf->base, s->cpu && s->cpu->has_vm_to_vf,
			 s->cpu ? s->cpu->vm_to_vf : 0, "vm", "vf");
	}
	/* Our extension: where each worker's cycles went, and two derived
	 * figures (share of busy cycles; busy cycles per packet taken in). */
	for (size_t i = 0; i < r->n_worker; i++) {
		static const char *const fields[] = {"busy_cycles", "idle_cycles", "sleep_cycles",
						     "busy_passes", "idle_passes", "pkts", "tsc_hz"};
		const Virtioforwarder__WorkerState *w = r->worker[i];
		uint64_t total = w->busy_cycles + w->idle_cycles + w->sleep_cycles;
		char p[32];

		snprintf(p, sizeof(p), "worker_%u", w->cpu);
		for (unsigned k = 0; k < sizeof(fields) / sizeof(fields[0]); k++)
			flat_field(p, &w->base, fields[k]);
		printf("%s.busy_share=%.3f\n", p, total ? (double)w->busy_cycles / (double)total : 0.0);
		printf("%s.cycles_per_pkt=%.1f\n", p,
		       w->pkts ? (double)w->busy_cycles / (double)w->pkts : 0.0);
	}
}

int main(int argc, char **argv)
{
	Virtioforwarder__StatsRequest req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	const char *ep = VIO_DEFAULT_EP_DIR "stats";
	const struct vio_cli_opt opts[] = {
		{"stats-ep", required_argument, 'e', &ep},
		{"include-inactive", no_argument, 'i', NULL},
		{"relay", required_argument, 'r', NULL},
		{"delay", required_argument, 'd', NULL},
		{"output-format", required_argument, 'o', NULL},
		{"suppress-zero", no_argument, 'z', NULL},
		{NULL, 0, 0, NULL},
	};
	const struct vio_cli cli = {.prog = PROG, .usage = usage, .shortopts = "z", .opts = opts};
	uint32_t relays[64];
	bool protobuf = false;
	long delay = 200, v;
	Response *resp;
	int c, rc;

	while ((c = vio_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'i':
			req.include_inactive = 1;
			break;
		case 'r':
			if (req.n_relay == 64 || vio_parse_long(optarg, 0, UINT32_MAX, &v)) {
				fprintf(stderr, PROG ": --relay=%s: not a relay id\n", optarg);
				return VIO_EXIT_USAGE;
			}
			relays[req.n_relay++] = (uint32_t)v;
			break;
		case 'd':
			if (vio_parse_long(optarg, 0, 3600000, &delay)) {
				fprintf(stderr, PROG ": --delay=%s: expected milliseconds\n", optarg);
				return VIO_EXIT_USAGE;
			}
			break;
		case 'o':
			if (strcmp(optarg, "flat") && strcmp(optarg, "protobuf")) {
				fprintf(stderr, PROG ": --output-format=%s: expected flat or "
					"protobuf\n", optarg);
				return VIO_EXIT_USAGE;
			}
			protobuf = strcmp(optarg, "protobuf") == 0;
			break;
		case 'z':
			suppress_zero = true;
			break;
		}
	}
	req.relay = relays;
	req.has_include_inactive = 1;  /* always sent, as the original tool does */
	req.has_delay = 1;
	req.delay = (uint32_t)delay;
	resp = (Response *)vio_call(PROG, ep, &req.base,
				    &virtioforwarder__stats_response__descriptor,
				    VIO_REPLY_TIMEOUT_MS + (int)delay);
	if (!resp)
		return VIO_EXIT_NO_REPLY;
	rc = resp->status == VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK ? VIO_EXIT_OK
									  : VIO_EXIT_ERROR_REPLY;
	if (protobuf) {
		vio_pb_print(stdout, &resp->base);
	} else if (rc == VIO_EXIT_OK) {
		print_flat(resp);
	}
	if (rc != VIO_EXIT_OK) {
		const ProtobufCEnumValue *ev = protobuf_c_enum_descriptor_get_value(
			&virtioforwarder__stats_response__status__descriptor, resp->status);

		fprintf(stderr, "ERROR:" PROG ":StatsResponse: %s\n", ev ? ev->name : "unknown");
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return rc;
}
