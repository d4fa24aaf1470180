/* SPDX-License-Identifier: BSD-3-Clause */
/* The stats and config services against a fake relay table: selection,
 * counters, rates from the sampler and from a request's window, and errors. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_service.h"
#include "fake_backend.h"
#include "test_util.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__StatsRequest Request;
typedef Virtioforwarder__StatsResponse Response;

static int setup(void **state)
{
	fake_reset();
	/* relay 2: both sides up, served by CPUs 1 and 3 */
	struct vio_ctl_relay *r = &fake.relays[2];

	r->has_socket = r->has_vf = r->vm_connected = r->vf_started = true;
	strcpy(r->socket, "/tmp/vf2.sock");
	assert_int_equal(vio_parse_vf_dev("0000:05:08.1", &r->vf, NULL, 0), 0);
	r->cpu[VIO_DIR_VF_TO_VM] = 1;
	r->cpu[VIO_DIR_VM_TO_VF] = 3;
	r->running[0] = r->running[1] = true;
	r->numa = 0;
	r->st[VIO_DIR_VF_TO_VM] = (struct vio_dir_stats){.rx_pkts = 100, .rx_bytes = 6400,
		.tx_pkts = 90, .tx_bytes = 5760, .full_pkts = 10, .full_bytes = 640};
	r->st[VIO_DIR_VM_TO_VF] = (struct vio_dir_stats){.rx_pkts = 7, .rx_bytes = 700,
		.tx_pkts = 7, .tx_bytes = 700, .busy_cycles = 777, .busy_polls = 2};
	r->st[VIO_DIR_VF_TO_VM].busy_cycles = 10600;
	r->st[VIO_DIR_VF_TO_VM].busy_polls = 4;
	fake.wstats[1] = (struct vio_worker_stats){.busy_cycles = 1060, .idle_cycles = 20,
		.sleep_cycles = 5, .busy_passes = 3, .idle_passes = 4, .pkts = 10,
		.tsc_hz = 2600000000u};
	/* relay 5: a socket waiting for its VM */
	fake.relays[5].has_socket = true;
	strcpy(fake.relays[5].socket, "/tmp/vf5.sock");
	return 0;
}

static Response *call(const Request *req)
{
	return (Response *)fake_call(&vio_ctl_stats_service, &req->base,
				     &virtioforwarder__stats_response__descriptor);
}

static void test_selection(void **state)
{
	Request req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	uint32_t ids[] = {5, 2};
	Response *r = call(&req); /* defaults: all relays, inactive included */

	assert_int_equal(r->status, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK);
	assert_int_equal(r->n_relay, FAKE_RELAYS);
	assert_string_equal(r->relay[0]->vhost->vhost_socket_name, "NONE");
	assert_null(r->relay[0]->vf);
	assert_int_equal(r->relay[0]->socket_id, 4294967295u);
	protobuf_c_message_free_unpacked(&r->base, NULL);

	req.has_include_inactive = 1;
	req.include_inactive = 0;
	r = call(&req);
	assert_int_equal(r->n_relay, 1);
	assert_int_equal(r->relay[0]->id, 2);
	protobuf_c_message_free_unpacked(&r->base, NULL);

	req.include_inactive = 1;
	req.n_relay = 2;
	req.relay = ids;
	r = call(&req);
	assert_int_equal(r->n_relay, 2);
	assert_int_equal(r->relay[0]->id, 5); /* request order */
	assert_false(r->relay[0]->active);
	assert_string_equal(r->relay[0]->vm_to_vf->internal_state, "WAITING_FOR_VM");
	assert_string_equal(r->relay[0]->vf_to_vm->internal_state, "NO_VF");
	assert_int_equal(r->relay[1]->id, 2);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_relay_state(void **state)
{
	Request req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	uint32_t id = 2;
	Response *r;
	const Virtioforwarder__RelayState *s;

	req.n_relay = 1;
	req.relay = &id;
	r = call(&req);
	s = r->relay[0];
	assert_true(s->active);
	/* ident (field 3): unset, as the original leaves it ("TBA"). */
	assert_null(s->ident);
	assert_int_equal(s->socket_id, 0);
	assert_string_equal(s->vhost->vhost_socket_name, "/tmp/vf2.sock");
	assert_string_equal(s->vf->pci_addr_str, "0000:05:08.1");
	assert_true(s->cpu->has_vf_to_vm && s->cpu->has_vm_to_vf);
	assert_int_equal(s->cpu->vf_to_vm, 1);
	assert_int_equal(s->cpu->vm_to_vf, 3);
	assert_true(s->vf_to_vm->active);
	assert_string_equal(s->vf_to_vm->internal_state, "FORWARDING");
	assert_int_equal(s->vf_to_vm->pkts_rx_from_vf, 100);
	assert_int_equal(s->vf_to_vm->bytes_rx_from_vf, 6400);
	assert_int_equal(s->vf_to_vm->pkts_tx_to_vm, 90);
	assert_int_equal(s->vf_to_vm->bytes_tx_to_vm, 5760);
	assert_int_equal(s->vf_to_vm->pkts_dropped_vm_queue_full, 10);
	assert_int_equal(s->vf_to_vm->bytes_dropped_vm_queue_full, 640);
	assert_int_equal(s->vf_to_vm->pkts_dropped_vm_not_connected, 0);
	assert_int_equal(s->vm_to_vf->pkts_rx_from_vm, 7);
	assert_int_equal(s->vm_to_vf->bytes_tx_to_vf, 700);
	assert_true(s->vf_to_vm->pkt_rate_rx_from_vf == 0); /* no sample yet */
	assert_true(s->vf_to_vm->has_busy_cycles && s->vm_to_vf->has_busy_cycles);
	assert_int_equal(s->vf_to_vm->busy_cycles, 10600);
	assert_int_equal(s->vm_to_vf->busy_cycles, 777);
	assert_int_equal(s->vf_to_vm->busy_polls, 4);
	assert_int_equal(s->vm_to_vf->busy_polls, 2);
	/* Every worker's cycle accounting, whatever relays were asked for. */
	assert_int_equal(r->n_worker, 2);
	assert_int_equal(r->worker[0]->cpu, 1);
	assert_int_equal(r->worker[1]->cpu, 3);
	assert_int_equal(r->worker[1]->busy_cycles, 1060);
	assert_int_equal(r->worker[1]->idle_cycles, 20);
	assert_int_equal(r->worker[1]->sleep_cycles, 5);
	assert_int_equal(r->worker[1]->busy_passes, 3);
	assert_int_equal(r->worker[1]->idle_passes, 4);
	assert_int_equal(r->worker[1]->pkts, 10);
	assert_int_equal(r->worker[1]->tsc_hz, 2600000000u);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_rates(void **state)
{
	Request req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	struct vio_dir_stats *a = &fake.relays[2].st[VIO_DIR_VF_TO_VM];
	uint32_t id = 2;
	Response *r;

	req.n_relay = 1;
	req.relay = &id;
	/* background sampler: two ticks half a second apart */
	vio_ctl_stats_service.tick(&fake_backend);
	a->rx_pkts += 500;
	a->rx_bytes += 32000;
	fake.now_ns += 500000000u;
	vio_ctl_stats_service.tick(&fake_backend);
	r = call(&req);
	assert_float_equal(r->relay[0]->vf_to_vm->pkt_rate_rx_from_vf, 1000.0, 0.01);
	assert_float_equal(r->relay[0]->vf_to_vm->byte_rate_rx_from_vf, 64000.0, 0.01);
	assert_float_equal(r->relay[0]->vm_to_vf->pkt_rate_rx_from_vm, 0.0, 0.01);
	protobuf_c_message_free_unpacked(&r->base, NULL);

	/* a request's own window: 200 ms, during which nothing moved */
	req.has_delay = 1;
	req.delay = 200;
	r = call(&req);
	assert_float_equal(r->relay[0]->vf_to_vm->pkt_rate_rx_from_vf, 0.0, 0.01);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_window_measures_what_moved(void **state)
{
	Request req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	struct vio_ctl_reply reply = {NULL, 0};
	uint8_t buf[64];
	void *token = NULL;
	uint64_t due = 0;
	uint32_t id = 2;
	Response *r;

	req.n_relay = 1;
	req.relay = &id;
	req.has_delay = 1;
	req.delay = 250;
	size_t len = virtioforwarder__stats_request__pack(&req, buf);
	assert_int_equal(vio_ctl_stats_service.handle(&fake_backend, buf, len, &reply, &token, &due),
			 VIO_CTL_DEFERRED);
	assert_null(reply.data);
	assert_int_equal(due - fake.now_ns, 250000000u);
	fake.relays[2].st[VIO_DIR_VM_TO_VF].tx_pkts += 50;
	fake.relays[2].st[VIO_DIR_VM_TO_VF].tx_bytes += 5000;
	fake.now_ns = due;
	vio_ctl_stats_service.finish(&fake_backend, token, &reply);
	r = virtioforwarder__stats_response__unpack(NULL, reply.len, reply.data);
	assert_non_null(r);
	assert_float_equal(r->relay[0]->vm_to_vf->pkt_rate_tx_to_vf, 200.0, 0.01);
	assert_float_equal(r->relay[0]->vm_to_vf->byte_rate_tx_to_vf, 20000.0, 0.01);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	free(reply.data);
}

static void expect_status(const Request *req, int status)
{
	Response *r = call(req);

	assert_int_equal(r->status, status);
	assert_int_equal(r->n_relay, 0);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_errors(void **state)
{
	Request req = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	uint32_t ids[FAKE_RELAYS + 1] = {0};
	static const uint8_t garbage[] = {0x0a, 0x05, 0x01};  /* packed list cut short */
	Response *r;

	req.n_relay = 1;
	req.relay = ids;
	ids[0] = FAKE_RELAYS;
	expect_status(&req, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__EBADR);
	ids[0] = 0;
	req.n_relay = FAKE_RELAYS + 1;
	expect_status(&req, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__E2BIG);
	req.n_relay = 1;
	req.has_delay = 1;
	req.delay = 60001;
	expect_status(&req, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__EBADR);
	r = (Response *)fake_call_raw(&vio_ctl_stats_service, garbage, sizeof(garbage),
				      &virtioforwarder__stats_response__descriptor);
	assert_int_equal(r->status, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__EBADR);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_config_service(void **state)
{
	Virtioforwarder__ConfigRequest req = VIRTIOFORWARDER__CONFIG_REQUEST__INIT;
	Virtioforwarder__ConfigResponse *r;
	static const uint8_t garbage[] = {0x08};

	fake.relays[6].pinned[VIO_DIR_VF_TO_VM] = 3; /* pinned, not in use */
	r = (Virtioforwarder__ConfigResponse *)fake_call(
		&vio_ctl_config_service, &req.base, &virtioforwarder__config_response__descriptor);
	assert_int_equal(r->status, VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK);
	assert_int_equal(r->n_relay_cpu_map, 3);
	assert_int_equal(r->relay_cpu_map[0]->relay_number, 2);
	assert_int_equal(r->relay_cpu_map[0]->vf2virtio_cpu, 1);
	assert_int_equal(r->relay_cpu_map[0]->virtio2vf_cpu, 3);
	assert_int_equal(r->relay_cpu_map[1]->relay_number, 5);
	assert_int_equal(r->relay_cpu_map[1]->vf2virtio_cpu, -1);
	assert_int_equal(r->relay_cpu_map[2]->relay_number, 6);
	assert_int_equal(r->relay_cpu_map[2]->vf2virtio_cpu, 3);
	assert_int_equal(r->relay_cpu_map[2]->virtio2vf_cpu, -1);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	r = (Virtioforwarder__ConfigResponse *)fake_call_raw(
		&vio_ctl_config_service, garbage, sizeof(garbage),
		&virtioforwarder__config_response__descriptor);
	assert_int_equal(r->status, VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__EBADR);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_selection, setup),
		cmocka_unit_test_setup(test_relay_state, setup),
		cmocka_unit_test_setup(test_rates, setup),
		cmocka_unit_test_setup(test_window_measures_what_moved, setup),
		cmocka_unit_test_setup(test_errors, setup),
		cmocka_unit_test_setup(test_config_service, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
