/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake relay table: see fake_backend.h. */
#include "fake_backend.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <protobuf-c/protobuf-c.h>

#include "ctl_service.h"
#include "log.h"

struct fake_state fake;

static int f_relay(unsigned id, struct vio_ctl_relay *out)
{
	if (id >= FAKE_RELAYS)
		return -ERANGE;
	*out = fake.relays[id];
	return 0;
}

static int f_add_vf(unsigned id, const struct vio_vf_dev *dev, char *err, size_t errlen)
{
	struct vio_ctl_relay *r = &fake.relays[id];

	fake.calls_add_vf++;
	if (r->has_vf) {
		snprintf(err, errlen, "relay %u already has a VF", id);
		return vio_vf_dev_same(&r->vf, dev) ? -EEXIST : -EBUSY;
	}
	r->has_vf = true;
	r->vf = *dev;
	return 0;
}

static int f_add_bond(unsigned id, const struct vio_bond *b, char *err, size_t errlen)
{
	struct vio_ctl_relay *r = &fake.relays[id];
	struct vio_vf_dev ident;

	fake.calls_add_bond++;
	vio_bond_ident(b, &ident);
	if (r->has_vf) {
		snprintf(err, errlen, "relay %u already has a VF", id);
		return vio_vf_dev_same(&r->vf, &ident) ? -EEXIST : -EBUSY;
	}
	r->has_vf = true;
	r->vf = ident;
	r->bond_mode = b->mode;
	r->n_members = b->n;
	for (unsigned i = 0; i < b->n; i++) {
		snprintf(r->member[i].name, sizeof(r->member[i].name), "%s", b->member[i].name);
		r->member[i].link = 1;
		r->member[i].primary = i == 0;
	}
	return 0;
}

static int f_remove_vf(unsigned id, char *err, size_t errlen)
{
	fake.calls_remove_vf++;
	if (!fake.relays[id].has_vf) {
		snprintf(err, errlen, "relay %u has no VF", id);
		return -ENOENT;
	}
	fake.relays[id].has_vf = false;
	return 0;
}

static int f_add_socket(unsigned id, const char *path, char *err, size_t errlen)
{
	fake.calls_add_socket++;
	if (fake.fail_add_socket) {
		snprintf(err, errlen, "cannot bind %s", path);
		return -fake.fail_add_socket;
	}
	fake.relays[id].has_socket = true;
	snprintf(fake.relays[id].socket, sizeof(fake.relays[id].socket), "%s", path);
	return 0;
}

static int f_remove_socket(unsigned id, char *err, size_t errlen)
{
	fake.calls_remove_socket++;
	if (!fake.relays[id].has_socket) {
		snprintf(err, errlen, "relay %u has no socket", id);
		return -ENOENT;
	}
	fake.relays[id].has_socket = false;
	fake.relays[id].socket[0] = '\0';
	return 0;
}

static unsigned f_worker_cpus(unsigned *cpus, unsigned max)
{
	for (unsigned i = 0; i < fake.n_workers && i < max; i++)
		cpus[i] = fake.workers[i];
	return fake.n_workers;
}

static int f_move(unsigned id, unsigned a, unsigned b, char *err, size_t errlen)
{
	fake.calls_move++;
	fake.relays[id].cpu[VIO_DIR_VF_TO_VM] = (int)a;
	fake.relays[id].cpu[VIO_DIR_VM_TO_VF] = (int)b;
	return 0;
}

static uint64_t f_now(void)
{
	return fake.now_ns ? fake.now_ns : vio_monotonic_ns(); /* 0: real clock mode */
}

static unsigned f_worker_stats(struct vio_worker_stats *out, unsigned max)
{
	unsigned i;

	for (i = 0; i < fake.n_workers && i < max; i++) {
		out[i] = fake.wstats[i];
		out[i].cpu = fake.workers[i];
	}
	return i;
}

struct vio_ctl_backend fake_backend = {
	.max_relays = FAKE_RELAYS,
	.relay = f_relay,
	.add_vf = f_add_vf,
	.add_bond = f_add_bond,
	.remove_vf = f_remove_vf,
	.add_socket = f_add_socket,
	.remove_socket = f_remove_socket,
	.worker_cpus = f_worker_cpus,
	.worker_stats = f_worker_stats,
	.move = f_move,
	.now_ns = f_now,
};

void fake_reset(void)
{
	memset(&fake, 0, sizeof(fake));
	for (unsigned i = 0; i < FAKE_RELAYS; i++) {
		fake.relays[i].id = i;
		fake.relays[i].numa = -1;
		for (int d = 0; d < VIO_NB_DIRS; d++)
			fake.relays[i].cpu[d] = fake.relays[i].pinned[d] = -1;
	}
	fake.workers[0] = 1;
	fake.workers[1] = 3;
	fake.n_workers = 2;
	fake.now_ns = 1000000000u;
	fake_backend.dynamic_sockets = false;
	fake_backend.socket_dir = "/tmp";
	fake_backend.control_drivers = "net_tap,net_null";
}

ProtobufCMessage *fake_call_raw(const struct vio_ctl_service *svc, const void *req, size_t len,
				const ProtobufCMessageDescriptor *desc)
{
	struct vio_ctl_reply reply = {NULL, 0};
	ProtobufCMessage *out;
	void *token = NULL;
	uint64_t due = 0;

	if (svc->handle(&fake_backend, req, len, &reply, &token, &due) == VIO_CTL_DEFERRED) {
		assert_true(due > fake.now_ns);
		fake.now_ns = due;
		svc->finish(&fake_backend, token, &reply);
	}
	assert_non_null(reply.data);
	out = protobuf_c_message_unpack(desc, NULL, reply.len, reply.data);
	assert_non_null(out);
	free(reply.data);
	return out;
}

ProtobufCMessage *fake_call(const struct vio_ctl_service *svc, const ProtobufCMessage *msg,
			    const ProtobufCMessageDescriptor *desc)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len + 1);
	ProtobufCMessage *out;

	protobuf_c_message_pack(msg, buf);
	out = fake_call_raw(svc, buf, len, desc);
	free(buf);
	return out;
}
