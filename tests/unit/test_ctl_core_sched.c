/* SPDX-License-Identifier: BSD-3-Clause */
/* The core_sched service against a fake relay table. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_service.h"
#include "fake_backend.h"
#include "test_util.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__CoreSchedRequest Request;
typedef Virtioforwarder__CoreSchedResponse Response;
typedef Virtioforwarder__CoreSchedRequest__RelayCPU RelayCPU;

static int setup(void **state)
{
	fake_reset();
	return 0;
}

static Response *call(const Request *req)
{
	return (Response *)fake_call(&vio_ctl_core_sched_service, &req->base,
				     &virtioforwarder__core_sched_response__descriptor);
}

static void test_get_eal_cores(void **state)
{
	Request req = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	Response *r;

	req.op = VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__GET_EAL_CORES;
	r = call(&req);
	assert_int_equal(r->status, VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK);
	assert_int_equal(r->n_eal_cores, 2);
	assert_int_equal(r->eal_cores[0], 1);
	assert_int_equal(r->eal_cores[1], 3);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void expect_error(const Request *req, int code, const char *text)
{
	Response *r = call(req);

	assert_int_equal(r->status, VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__ERROR);
	assert_int_equal(r->error_code, code);
	assert_contains(r->error_code_source, text);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_update(void **state)
{
	Request req = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	RelayCPU a, b, *list[2] = {&a, &b};
	Response *r;

	virtioforwarder__core_sched_request__relay_cpu__init(&a);
	virtioforwarder__core_sched_request__relay_cpu__init(&b);
	req.op = VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE;
	expect_error(&req, EINVAL, "without relay_cpu_map");
	req.relay_cpu_map = list;
	req.n_relay_cpu_map = 2;
	a = (RelayCPU){a.base, 4, 3, 1};
	b = (RelayCPU){b.base, FAKE_RELAYS, 1, 1};
	expect_error(&req, ERANGE, "relay 8 is out of range (0-7)");
	b.relay_number = -1;
	expect_error(&req, ERANGE, "relay -1 is out of range");
	b.relay_number = 4;
	expect_error(&req, EINVAL, "relay 4 is listed twice");
	b.relay_number = 5;
	b.virtio2vf_cpu = 2;
	expect_error(&req, EINVAL, "relay 5: CPU 2 is not a worker CPU");
	b.virtio2vf_cpu = -7;
	expect_error(&req, EINVAL, "CPU -7 is not a worker CPU");
	assert_int_equal(fake.calls_move, 0); /* nothing moved on a bad request */

	b.virtio2vf_cpu = 3;
	r = call(&req);
	assert_int_equal(r->status, VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	assert_int_equal(fake.calls_move, 2);
	assert_int_equal(fake.relays[4].cpu[VIO_DIR_VF_TO_VM], 3); /* vf2virtio */
	assert_int_equal(fake.relays[4].cpu[VIO_DIR_VM_TO_VF], 1);
	assert_int_equal(fake.relays[5].cpu[VIO_DIR_VM_TO_VF], 3);
}

static void test_bad_frames(void **state)
{
	static const uint8_t empty[1];
	static const uint8_t op_9[] = {0x08, 0x09};
	Response *r = (Response *)fake_call_raw(&vio_ctl_core_sched_service, empty, 0,
						&virtioforwarder__core_sched_response__descriptor);

	assert_int_equal(r->status, VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__ERROR);
	assert_int_equal(r->error_code, EBADMSG);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = (Response *)fake_call_raw(&vio_ctl_core_sched_service, op_9, sizeof(op_9),
				      &virtioforwarder__core_sched_response__descriptor);
	assert_contains(r->error_code_source, "unknown op 9");
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_get_eal_cores, setup),
		cmocka_unit_test_setup(test_update, setup),
		cmocka_unit_test_setup(test_bad_frames, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
