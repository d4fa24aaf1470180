/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the port_control service (src/ctl_port.c).
 *
 * Input: one request frame as the transport hands it over (normally a
 * serialized PortControlRequest).  Each input is handled three times against
 * a freshly reset fake relay table (ctl_fixture.h): static sockets, dynamic
 * sockets, and dynamic sockets whose bind fails (ADD_SOCK must undo its VF).
 * Checks beyond the sanitizers: every request gets a reply that decodes as a
 * PortControlResponse with valid UTF-8 strings, and a request answered with an error leaves the relay
 * table as it was ("checked completely before anything changes"). */
#include <errno.h>
#include <stdbool.h>
#include <string.h>

#include "ctl_fixture.h"
#include "fuzz.h"
#include "virtioforwarder.pb-c.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fixture_init();
	return 0;
}

static bool relay_same(const struct vio_ctl_relay *a, const struct vio_ctl_relay *b)
{
	if (a->has_socket != b->has_socket || a->has_vf != b->has_vf)
		return false;
	if (a->has_socket && strcmp(a->socket, b->socket) != 0)
		return false;
	if (a->has_vf && (!vio_vf_dev_same(&a->vf, &b->vf) ||
			  strcmp(a->vf.devargs, b->vf.devargs) != 0))
		return false;
	return true;
}

static void run(const uint8_t *data, size_t size, bool dynamic, int fail_bind)
{
	const struct vio_ctl_service *svc = &vio_ctl_port_service;
	struct vio_ctl_relay before[FAKE_RELAYS];
	struct vio_ctl_reply reply = {NULL, 0};
	Virtioforwarder__PortControlResponse *resp;
	void *token = NULL;
	uint64_t due = 0;
	int rc;

	fixture_reset(dynamic);
	fake.fail_add_socket = fail_bind;
	memcpy(before, fake.relays, sizeof(before));
	if (size > VIO_CTL_MAX_REQUEST) { /* what the transport does */
		svc->reject("oversized", &reply);
		fixture_check_reply(&reply, &virtioforwarder__port_control_response__descriptor);
		return;
	}
	rc = svc->handle(&fake_backend, data, size, &reply, &token, &due);
	FUZZ_CHECK(rc == VIO_CTL_DONE, "port_control deferred a reply (%d)", rc);
	FUZZ_CHECK(reply.data != NULL, "no reply");
	resp = virtioforwarder__port_control_response__unpack(NULL, reply.len, reply.data);
	FUZZ_CHECK(resp != NULL, "reply does not decode");
	fixture_check_strings(&resp->base);
	if (resp->status == VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR) {
		FUZZ_CHECK(resp->has_error_code && resp->error_code > 0 &&
			   resp->error_code_source && *resp->error_code_source,
			   "error without code or source");
		for (unsigned i = 0; i < FAKE_RELAYS; i++)
			FUZZ_CHECK(relay_same(&before[i], &fake.relays[i]),
				   "relay %u changed by a refused request (%s)", i,
				   resp->error_code_source);
	} else {
		FUZZ_CHECK(resp->status == VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK,
			   "status %d", (int)resp->status);
	}
	virtioforwarder__port_control_response__free_unpacked(resp, NULL);
	free(reply.data);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size, false, 0);
	run(data, size, true, 0);
	run(data, size, true, EADDRINUSE);
	return 0;
}
