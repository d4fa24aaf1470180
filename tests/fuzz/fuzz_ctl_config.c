/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the config service (src/ctl_config.c).
 *
 * Input: one request frame (normally a serialized, empty ConfigRequest,
 * perhaps with unknown fields), handled against a freshly reset fake relay
 * table.  Checks: a reply that decodes as a ConfigResponse; an OK reply
 * lists exactly the relays in use or pinned (0 to 5 in the fixture). */
#include "ctl_fixture.h"
#include "fuzz.h"
#include "virtioforwarder.pb-c.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	fixture_init();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct vio_ctl_service *svc = &vio_ctl_config_service;
	struct vio_ctl_reply reply = {NULL, 0};
	Virtioforwarder__ConfigResponse *resp;
	void *token = NULL;
	uint64_t due = 0;
	int rc;

	fixture_reset(false);
	if (size > VIO_CTL_MAX_REQUEST) {
		svc->reject("oversized", &reply);
		fixture_check_reply(&reply, &virtioforwarder__config_response__descriptor);
		return 0;
	}
	rc = svc->handle(&fake_backend, data, size, &reply, &token, &due);
	FUZZ_CHECK(rc == VIO_CTL_DONE, "config deferred a reply (%d)", rc);
	FUZZ_CHECK(reply.data != NULL, "no reply");
	resp = virtioforwarder__config_response__unpack(NULL, reply.len, reply.data);
	FUZZ_CHECK(resp != NULL, "reply does not decode");
	fixture_check_strings(&resp->base);
	if (resp->status == VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK)
		FUZZ_CHECK(resp->n_relay_cpu_map == 6, "%zu relays listed", resp->n_relay_cpu_map);
	virtioforwarder__config_response__free_unpacked(resp, NULL);
	free(reply.data);
	return 0;
}
