/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the core_sched service (src/ctl_core_sched.c).
 *
 * Input: one request frame (normally a serialized CoreSchedRequest), handled
 * against a freshly reset fake relay table (workers on CPUs 1 and 3).
 * Checks: a reply that decodes as a CoreSchedResponse with valid UTF-8
 * strings; an UPDATE refused
 * with an error moved no relay (it is checked whole first, and the fake's
 * moves never fail); a successful UPDATE left each listed relay on the CPUs
 * it asked for. */
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
	const struct vio_ctl_service *svc = &vio_ctl_core_sched_service;
	struct vio_ctl_reply reply = {NULL, 0};
	Virtioforwarder__CoreSchedResponse *resp;
	Virtioforwarder__CoreSchedRequest *req;
	void *token = NULL;
	uint64_t due = 0;
	int rc;

	fixture_reset(false);
	if (size > VIO_CTL_MAX_REQUEST) {
		svc->reject("oversized", &reply);
		fixture_check_reply(&reply, &virtioforwarder__core_sched_response__descriptor);
		return 0;
	}
	rc = svc->handle(&fake_backend, data, size, &reply, &token, &due);
	FUZZ_CHECK(rc == VIO_CTL_DONE, "core_sched deferred a reply (%d)", rc);
	FUZZ_CHECK(reply.data != NULL, "no reply");
	resp = virtioforwarder__core_sched_response__unpack(NULL, reply.len, reply.data);
	FUZZ_CHECK(resp != NULL, "reply does not decode");
	fixture_check_strings(&resp->base);
	if (resp->status != VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK) {
		FUZZ_CHECK(fake.calls_move == 0, "%u relays moved by a refused request (%s)",
			   fake.calls_move, resp->error_code_source ? resp->error_code_source : "");
	} else if ((req = virtioforwarder__core_sched_request__unpack(NULL, size, data))) {
		if (req->op == VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE) {
			for (size_t i = 0; i < req->n_relay_cpu_map; i++) {
				const Virtioforwarder__CoreSchedRequest__RelayCPU *e =
					req->relay_cpu_map[i];
				const struct vio_ctl_relay *r = &fake.relays[e->relay_number];

				FUZZ_CHECK(r->cpu[VIO_DIR_VF_TO_VM] == e->vf2virtio_cpu &&
					   r->cpu[VIO_DIR_VM_TO_VF] == e->virtio2vf_cpu,
					   "relay %d not on CPUs %d/%d", e->relay_number,
					   e->vf2virtio_cpu, e->virtio2vf_cpu);
			}
		} else {
			FUZZ_CHECK(resp->n_eal_cores == fake.n_workers, "%zu EAL cores",
				   resp->n_eal_cores);
		}
		virtioforwarder__core_sched_request__free_unpacked(req, NULL);
	}
	virtioforwarder__core_sched_response__free_unpacked(resp, NULL);
	free(reply.data);
	return 0;
}
