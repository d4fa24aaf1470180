/* SPDX-License-Identifier: BSD-3-Clause */
/* The control-service harnesses' relay table: see ctl_fixture.h. */
#include "ctl_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <protobuf-c/protobuf-c.h>

#include "fuzz.h"
#include "log.h"

void fixture_init(void)
{
	const char *lvl = getenv("VIO_FUZZ_LOG_LEVEL");

	/* Every message is formatted (level 7 by default), but unless a level is
	 * asked for they go to /dev/null: log.c writes to the stderr stream, which
	 * is pointed elsewhere; file descriptor 2, where the sanitizers, libFuzzer
	 * and FUZZ_CHECK write, stays as it is. */
	vio_log_init(lvl ? (unsigned)atoi(lvl) : 7, false);
	if (!lvl) {
		FILE *null = fopen("/dev/null", "w");

		FUZZ_CHECK(null != NULL, "cannot open /dev/null");
		stderr = null;
	}
}

static void set_vf(struct vio_ctl_relay *r, const char *dev)
{
	char err[VIO_ERR_MAX];

	FUZZ_CHECK(vio_parse_vf_dev(dev, &r->vf, err, sizeof(err)) == 0, "%s: %s", dev, err);
	r->has_vf = true;
}

static void set_socket(struct vio_ctl_relay *r, const char *path)
{
	snprintf(r->socket, sizeof(r->socket), "%s", path);
	r->has_socket = true;
}

void fixture_traffic(unsigned step)
{
	static const unsigned busy[] = {0, 4, 5};

	for (size_t i = 0; i < sizeof(busy) / sizeof(busy[0]); i++) {
		struct vio_ctl_relay *r = &fake.relays[busy[i]];

		for (int d = 0; d < VIO_NB_DIRS; d++) {
			struct vio_dir_stats *s = &r->st[d];
			uint64_t k = (uint64_t)step * (i + 1) * (d + 1);

			s->rx_pkts += 1000 * k;
			s->rx_bytes += 1500000 * k;
			s->tx_pkts += 990 * k;
			s->tx_bytes += 1485000 * k;
			s->full_pkts += 7 * k;
			s->full_bytes += 10500 * k;
			s->nc_pkts += 2 * k;
			s->nc_bytes += 128 * k;
			s->long_pkts += k;
			s->long_bytes += 9014 * k;
		}
	}
}

void fixture_reset(bool dynamic_sockets)
{
	struct vio_ctl_relay *r;

	fake_reset();
	fake_backend.dynamic_sockets = dynamic_sockets;

	r = &fake.relays[0];
	set_socket(r, "/tmp/vm0.sock");
	set_vf(r, "0000:05:08.1");
	r->vm_connected = r->vf_started = true;
	r->running[VIO_DIR_VF_TO_VM] = r->running[VIO_DIR_VM_TO_VF] = true;
	r->cpu[VIO_DIR_VF_TO_VM] = 1;
	r->cpu[VIO_DIR_VM_TO_VF] = 3;
	r->vf_link = 1;
	r->vf_speed = 10000;
	r->vf_link_changes = 3;
	r->vf_rx_errors = 5;
	r->vf_rx_missed = 11;
	r->numa = 0;

	r = &fake.relays[1];
	set_socket(r, "/tmp/vm1.sock");
	r->vf_link = -1;

	r = &fake.relays[2];
	set_vf(r, "net_tap0,iface=vf0");
	r->vf_link = -1;

	r = &fake.relays[3];
	r->pinned[VIO_DIR_VF_TO_VM] = 3;
	r->pinned[VIO_DIR_VM_TO_VF] = 1;

	r = &fake.relays[4];
	set_socket(r, "/tmp/vm4.sock");
	set_vf(r, "0000:05:08.2,foo=bar");
	r->vm_connected = r->vf_started = true;
	r->vf_link = 0;
	r->pinned[VIO_DIR_VF_TO_VM] = r->pinned[VIO_DIR_VM_TO_VF] = 1;

	r = &fake.relays[5];
	set_socket(r, "/tmp/vm5.sock");
	r->vm_connected = true;
	r->running[VIO_DIR_VM_TO_VF] = true;
	r->cpu[VIO_DIR_VM_TO_VF] = 1;
	r->vf_link = -1;
	r->numa = 1;

	fixture_traffic(1);
}

static void check_value(const ProtobufCMessageDescriptor *d, const ProtobufCFieldDescriptor *f,
			const void *value)
{
	if (!value)
		return;
	if (f->type == PROTOBUF_C_TYPE_STRING)
		FUZZ_CHECK(fuzz_utf8_valid(value), "%s.%s is not valid UTF-8: \"%s\"", d->name,
			   f->name, (const char *)value);
	else
		fixture_check_strings(value);
}

void fixture_check_strings(const ProtobufCMessage *msg)
{
	const ProtobufCMessageDescriptor *d = msg->descriptor;

	for (unsigned i = 0; i < d->n_fields; i++) {
		const ProtobufCFieldDescriptor *f = &d->fields[i];
		const char *member = (const char *)msg + f->offset;

		if (f->type != PROTOBUF_C_TYPE_STRING && f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			size_t n = *(const size_t *)((const char *)msg + f->quantifier_offset);
			void *const *list = *(void *const *const *)member;

			for (size_t j = 0; j < n; j++)
				check_value(d, f, list[j]);
		} else {
			check_value(d, f, *(const void *const *)member);
		}
	}
}

void fixture_check_reply(struct vio_ctl_reply *reply, const ProtobufCMessageDescriptor *desc)
{
	ProtobufCMessage *out;

	FUZZ_CHECK(reply->data != NULL, "no reply (%s)", desc->name);
	out = protobuf_c_message_unpack(desc, NULL, reply->len, reply->data);
	FUZZ_CHECK(out != NULL, "the %zu-byte reply does not decode as %s", reply->len,
		   desc->name);
	fixture_check_strings(out);
	protobuf_c_message_free_unpacked(out, NULL);
	free(reply->data);
	reply->data = NULL;
	reply->len = 0;
}
