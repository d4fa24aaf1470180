/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the stats service (src/ctl_stats.c).
 *
 * Input: one request frame (normally a serialized StatsRequest).  The fake
 * relay table is reset and the background sampler ticked twice with traffic
 * in between, so that its rates are set and every run starts from the same
 * state.  A deferred request (a measuring window) gets more traffic and the
 * clock moved to its due time, then finish(): nothing stays pending.
 * Checks: a reply that decodes as a StatsResponse with valid UTF-8
 * strings, a due time after now,
 * never more relays than exist. */
#include <stdbool.h>

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
	const struct vio_ctl_service *svc = &vio_ctl_stats_service;
	struct vio_ctl_reply reply = {NULL, 0};
	Virtioforwarder__StatsResponse *resp;
	void *token = NULL;
	uint64_t due = 0;
	int rc;

	fixture_reset(false);
	svc->tick(&fake_backend);
	fixture_traffic(3);
	fake.now_ns += VIO_CTL_TICK_MS * 1000000ull;
	svc->tick(&fake_backend);

	if (size > VIO_CTL_MAX_REQUEST) {
		svc->reject("oversized", &reply);
		fixture_check_reply(&reply, &virtioforwarder__stats_response__descriptor);
		return 0;
	}
	rc = svc->handle(&fake_backend, data, size, &reply, &token, &due);
	if (rc == VIO_CTL_DEFERRED) {
		FUZZ_CHECK(reply.data == NULL, "deferred with a reply");
		FUZZ_CHECK(due > fake.now_ns, "due %llu is not after now %llu",
			   (unsigned long long)due, (unsigned long long)fake.now_ns);
		fixture_traffic(5);
		fake.now_ns = due;
		svc->finish(&fake_backend, token, &reply);
	} else {
		FUZZ_CHECK(rc == VIO_CTL_DONE, "handle returned %d", rc);
	}
	FUZZ_CHECK(reply.data != NULL, "no reply");
	resp = virtioforwarder__stats_response__unpack(NULL, reply.len, reply.data);
	FUZZ_CHECK(resp != NULL, "reply does not decode");
	fixture_check_strings(&resp->base);
	FUZZ_CHECK(resp->n_relay <= FAKE_RELAYS, "%zu relays in the reply", resp->n_relay);
	virtioforwarder__stats_response__free_unpacked(resp, NULL);
	free(reply.data);
	return 0;
}
