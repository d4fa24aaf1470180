/* SPDX-License-Identifier: BSD-3-Clause */
/* Golden-byte tests of the control protocol (proto/virtioforwarder.proto).
 *
 * The fixtures are written by hand from the field numbers and wire types of
 * ../shared/docs/control-protocol.md (tag = field << 3 | wire type), not produced by
 * our encoder: each message is decoded from them and checked field by field,
 * and encoding the same values must give exactly the same bytes.  This pins
 * the wire format the original tools speak. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "virtioforwarder.pb-c.h"

/* Encode msg and compare with the expected bytes. */
static void assert_encodes_to(const ProtobufCMessage *msg, const uint8_t *want, size_t n)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len ? len : 1);

	assert_non_null(buf);
	assert_int_equal(protobuf_c_message_pack(msg, buf), len);
	assert_int_equal(len, n);
	assert_memory_equal(buf, want, n);
	free(buf);
}

/* ---- PortControlRequest ---------------------------------------------------- */

/* ADD virtio_id=3 pci 0000:05:08.1 conditional=false */
static const uint8_t pc_add[] = {
	0x08, 0x00,                                           /* 1 op = ADD */
	0x12, 0x08, 0x08, 0x00, 0x10, 0x05, 0x18, 0x08, 0x20, 0x01, /* 2 pci_addrs */
	0x18, 0x03,                                           /* 3 virtio_id = 3 */
	0x20, 0x00,                                           /* 4 conditional = false */
};

static void test_port_control_add(void **state)
{
	Virtioforwarder__PortControlRequest *r =
		virtioforwarder__port_control_request__unpack(NULL, sizeof(pc_add), pc_add);
	Virtioforwarder__PortControlRequest m = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	Virtioforwarder__PortControlRequest__PciAddress pci =
		VIRTIOFORWARDER__PORT_CONTROL_REQUEST__PCI_ADDRESS__INIT;
	Virtioforwarder__PortControlRequest__PciAddress *pcis[] = {&pci};

	assert_non_null(r);
	assert_int_equal(r->op, VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD);
	assert_int_equal(r->n_pci_addrs, 1);
	assert_int_equal(r->pci_addrs[0]->domain, 0);
	assert_int_equal(r->pci_addrs[0]->bus, 5);
	assert_int_equal(r->pci_addrs[0]->slot, 8);
	assert_int_equal(r->pci_addrs[0]->function, 1);
	assert_true(r->has_virtio_id);
	assert_int_equal(r->virtio_id, 3);
	assert_true(r->has_conditional);
	assert_false(r->conditional);
	assert_false(r->has_mode);
	assert_null(r->vhost_path);
	assert_int_equal(r->n_device, 0);
	virtioforwarder__port_control_request__free_unpacked(r, NULL);

	pci.bus = 5;
	pci.slot = 8;
	pci.function = 1;
	m.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD;
	m.n_pci_addrs = 1;
	m.pci_addrs = pcis;
	m.has_virtio_id = 1;
	m.virtio_id = 3;
	m.has_conditional = 1;
	m.conditional = 0;
	assert_encodes_to(&m.base, pc_add, sizeof(pc_add));
}

/* ADD_SOCK vhost_path=/tmp/a.sock with the device-string extension (field 100). */
static const uint8_t pc_add_sock[] = {
	0x08, 0x02,                                           /* 1 op = ADD_SOCK */
	0x3a, 0x0b, '/', 't', 'm', 'p', '/', 'a', '.', 's', 'o', 'c', 'k', /* 7 vhost_path */
	0xa2, 0x06, 0x08, 'n', 'e', 't', '_', 't', 'a', 'p', '0', /* 100 device */
};

static void test_port_control_add_sock_device(void **state)
{
	Virtioforwarder__PortControlRequest *r = virtioforwarder__port_control_request__unpack(
		NULL, sizeof(pc_add_sock), pc_add_sock);
	Virtioforwarder__PortControlRequest m = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	char *dev[] = {"net_tap0"};

	assert_non_null(r);
	assert_int_equal(r->op, VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK);
	assert_string_equal(r->vhost_path, "/tmp/a.sock");
	assert_int_equal(r->n_device, 1);
	assert_string_equal(r->device[0], "net_tap0");
	assert_int_equal(r->n_pci_addrs, 0);
	/* Absent optional fields read as their defaults. */
	assert_false(r->has_conditional);
	assert_true(r->conditional);
	virtioforwarder__port_control_request__free_unpacked(r, NULL);

	m.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	m.vhost_path = "/tmp/a.sock";
	m.n_device = 1;
	m.device = dev;
	assert_encodes_to(&m.base, pc_add_sock, sizeof(pc_add_sock));
}

static void test_port_control_op_values(void **state)
{
	/* Enum values are part of the contract. */
	static const uint8_t remove_sock[] = {0x08, 0x03};
	static const uint8_t query_pci[] = {0x08, 0x04};
	static const uint8_t remove[] = {0x08, 0x01};
	Virtioforwarder__PortControlRequest *r;

	r = virtioforwarder__port_control_request__unpack(NULL, 2, remove);
	assert_int_equal(r->op, VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE);
	virtioforwarder__port_control_request__free_unpacked(r, NULL);
	r = virtioforwarder__port_control_request__unpack(NULL, 2, remove_sock);
	assert_int_equal(r->op, VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK);
	virtioforwarder__port_control_request__free_unpacked(r, NULL);
	r = virtioforwarder__port_control_request__unpack(NULL, 2, query_pci);
	assert_int_equal(r->op, VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI);
	virtioforwarder__port_control_request__free_unpacked(r, NULL);
}

static void test_port_control_bad_frames(void **state)
{
	static const uint8_t no_op[] = {0x18, 0x03};            /* required op missing */
	static const uint8_t truncated[] = {0x08, 0x00, 0x12, 0x08, 0x08, 0x00};
	static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0xff, 0xff};
	static const uint8_t pci_no_bus[] = {0x08, 0x00, 0x12, 0x06, 0x08, 0x00, 0x18, 0x08,
					     0x20, 0x01}; /* PciAddress.bus missing */

	assert_null(virtioforwarder__port_control_request__unpack(NULL, sizeof(no_op), no_op));
	assert_null(virtioforwarder__port_control_request__unpack(NULL, sizeof(truncated),
								  truncated));
	assert_null(virtioforwarder__port_control_request__unpack(NULL, sizeof(garbage), garbage));
	assert_null(virtioforwarder__port_control_request__unpack(NULL, sizeof(pci_no_bus),
								  pci_no_bus));
	assert_null(virtioforwarder__port_control_request__unpack(NULL, 0, (const uint8_t *)""));
}

/* ---- PortControlResponse --------------------------------------------------- */

static const uint8_t pc_ok_query[] = {
	0x20, 0x01,                                           /* 4 status = OK */
	0x3a, 0x0c, '0', '0', '0', '0', ':', '0', '5', ':', '0', '8', '.', '1', /* 7 query */
};
/* ERROR, error_code -22 (int32: ten-byte varint), source "port_control" */
static const uint8_t pc_err[] = {
	0x20, 0x00,
	0x28, 0xea, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
	0x32, 0x0c, 'p', 'o', 'r', 't', '_', 'c', 'o', 'n', 't', 'r', 'o', 'l',
};

static void test_port_control_response(void **state)
{
	Virtioforwarder__PortControlResponse *r;
	Virtioforwarder__PortControlResponse m = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__INIT;

	r = virtioforwarder__port_control_response__unpack(NULL, sizeof(pc_ok_query), pc_ok_query);
	assert_non_null(r);
	assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK);
	assert_string_equal(r->query_string, "0000:05:08.1");
	virtioforwarder__port_control_response__free_unpacked(r, NULL);
	m.status = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK;
	m.query_string = "0000:05:08.1";
	assert_encodes_to(&m.base, pc_ok_query, sizeof(pc_ok_query));

	r = virtioforwarder__port_control_response__unpack(NULL, sizeof(pc_err), pc_err);
	assert_non_null(r);
	assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR);
	assert_true(r->has_error_code);
	assert_int_equal(r->error_code, -22);
	assert_string_equal(r->error_code_source, "port_control");
	virtioforwarder__port_control_response__free_unpacked(r, NULL);
	m = (Virtioforwarder__PortControlResponse)VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__INIT;
	m.status = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR;
	m.has_error_code = 1;
	m.error_code = -22;
	m.error_code_source = "port_control";
	assert_encodes_to(&m.base, pc_err, sizeof(pc_err));
}

/* ---- Stats ----------------------------------------------------------------- */

/* relay [1, 2] packed, include_inactive false, delay 200 */
static const uint8_t st_req[] = {0x0a, 0x02, 0x01, 0x02, 0x10, 0x00, 0x18, 0xc8, 0x01};

static void test_stats_request(void **state)
{
	Virtioforwarder__StatsRequest *r =
		virtioforwarder__stats_request__unpack(NULL, sizeof(st_req), st_req);
	Virtioforwarder__StatsRequest m = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	uint32_t relays[] = {1, 2};
	static const uint8_t empty[] = {0};

	assert_non_null(r);
	assert_int_equal(r->n_relay, 2);
	assert_int_equal(r->relay[0], 1);
	assert_int_equal(r->relay[1], 2);
	assert_false(r->include_inactive);
	assert_int_equal(r->delay, 200);
	virtioforwarder__stats_request__free_unpacked(r, NULL);
	m.n_relay = 2;
	m.relay = relays;
	m.has_include_inactive = 1;
	m.include_inactive = 0;
	m.has_delay = 1;
	m.delay = 200;
	assert_encodes_to(&m.base, st_req, sizeof(st_req));

	/* An empty request: all relays, inactive ones included, no delay. */
	r = virtioforwarder__stats_request__unpack(NULL, 0, empty);
	assert_non_null(r);
	assert_int_equal(r->n_relay, 0);
	assert_true(r->include_inactive);
	assert_int_equal(r->delay, 0);
	virtioforwarder__stats_request__free_unpacked(r, NULL);
}

/* StatsResponse OK with relay 1: active, vhost "NONE", VF->VM with
 * internal_state "idle", 5 packets from the VF, pkt_rate_rx_from_vf 1.0,
 * VM->VF "down" all zero, socket_id "any" (4294967295). */
static const uint8_t st_resp[] = {
	0x08, 0x00,                                     /* 1 status = OK */
	0x12, 0x50,                                     /* 2 relay, 80 bytes */
	0x08, 0x01,                                     /*   1 id = 1 */
	0x10, 0x01,                                     /*   2 active = true */
	0x2a, 0x06, 0x0a, 0x04, 'N', 'O', 'N', 'E',     /*   5 vhost */
	0x3a, 0x1e,                                     /*   7 vf_to_vm, 30 bytes */
	0x08, 0x00, 0x12, 0x04, 'i', 'd', 'l', 'e', 0x18, 0x05,
	0x5d, 0x00, 0x00, 0x80, 0x3f, 0x65, 0x00, 0x00, 0x00, 0x00,
	0x6d, 0x00, 0x00, 0x00, 0x00, 0x75, 0x00, 0x00, 0x00, 0x00,
	0x42, 0x1c,                                     /*   8 vm_to_vf, 28 bytes */
	0x08, 0x00, 0x12, 0x04, 'd', 'o', 'w', 'n',
	0x5d, 0x00, 0x00, 0x00, 0x00, 0x65, 0x00, 0x00, 0x00, 0x00,
	0x6d, 0x00, 0x00, 0x00, 0x00, 0x75, 0x00, 0x00, 0x00, 0x00,
	0x48, 0xff, 0xff, 0xff, 0xff, 0x0f,             /*   9 socket_id */
};

static void test_stats_response(void **state)
{
	Virtioforwarder__StatsResponse *r =
		virtioforwarder__stats_response__unpack(NULL, sizeof(st_resp), st_resp);
	Virtioforwarder__StatsResponse m = VIRTIOFORWARDER__STATS_RESPONSE__INIT;
	Virtioforwarder__RelayState rs = VIRTIOFORWARDER__RELAY_STATE__INIT;
	Virtioforwarder__RelayState__VHOST vh = VIRTIOFORWARDER__RELAY_STATE__VHOST__INIT;
	Virtioforwarder__RelayState__VFtoVM a = VIRTIOFORWARDER__RELAY_STATE__VFTO_VM__INIT;
	Virtioforwarder__RelayState__VMtoVF b = VIRTIOFORWARDER__RELAY_STATE__VMTO_VF__INIT;
	Virtioforwarder__RelayState *list[] = {&rs};

	assert_non_null(r);
	assert_int_equal(r->status, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK);
	assert_int_equal(r->n_relay, 1);
	assert_int_equal(r->relay[0]->id, 1);
	assert_true(r->relay[0]->active);
	assert_string_equal(r->relay[0]->vhost->vhost_socket_name, "NONE");
	assert_null(r->relay[0]->vf);
	assert_null(r->relay[0]->cpu);
	assert_string_equal(r->relay[0]->vf_to_vm->internal_state, "idle");
	assert_true(r->relay[0]->vf_to_vm->has_pkts_rx_from_vf);
	assert_int_equal(r->relay[0]->vf_to_vm->pkts_rx_from_vf, 5);
	assert_true(r->relay[0]->vf_to_vm->pkt_rate_rx_from_vf == 1.0f);
	assert_false(r->relay[0]->vm_to_vf->active);
	assert_string_equal(r->relay[0]->vm_to_vf->internal_state, "down");
	assert_int_equal(r->relay[0]->socket_id, 4294967295u);
	virtioforwarder__stats_response__free_unpacked(r, NULL);

	vh.vhost_socket_name = "NONE";
	a.internal_state = "idle";
	a.has_pkts_rx_from_vf = 1;
	a.pkts_rx_from_vf = 5;
	a.pkt_rate_rx_from_vf = 1.0f;
	b.internal_state = "down";
	rs.id = 1;
	rs.active = 1;
	rs.vhost = &vh;
	rs.vf_to_vm = &a;
	rs.vm_to_vf = &b;
	rs.socket_id = 4294967295u;
	m.status = VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK;
	m.n_relay = 1;
	m.relay = list;
	assert_encodes_to(&m.base, st_resp, sizeof(st_resp));
}

static void test_stats_status_values(void **state)
{
	static const uint8_t ebadr[] = {0x08, 0x90, 0x03};   /* 400 */
	static const uint8_t e2big[] = {0x08, 0x9d, 0x03};   /* 413 */
	static const uint8_t enomem[] = {0x08, 0xf4, 0x03};  /* 500 */
	static const uint8_t missing_vhost[] = {0x08, 0x00, 0x12, 0x04, 0x08, 0x01, 0x10, 0x01};
	Virtioforwarder__StatsResponse *r;

	r = virtioforwarder__stats_response__unpack(NULL, 3, ebadr);
	assert_int_equal(r->status, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__EBADR);
	virtioforwarder__stats_response__free_unpacked(r, NULL);
	r = virtioforwarder__stats_response__unpack(NULL, 3, e2big);
	assert_int_equal(r->status, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__E2BIG);
	virtioforwarder__stats_response__free_unpacked(r, NULL);
	r = virtioforwarder__stats_response__unpack(NULL, 3, enomem);
	assert_int_equal(r->status, VIRTIOFORWARDER__STATS_RESPONSE__STATUS__ENOMEM);
	virtioforwarder__stats_response__free_unpacked(r, NULL);
	/* A RelayState without its required parts does not decode. */
	assert_null(virtioforwarder__stats_response__unpack(NULL, sizeof(missing_vhost),
							    missing_vhost));
}

/* ---- Config ---------------------------------------------------------------- */

static const uint8_t cfg_resp[] = {
	0x08, 0x00,                                     /* 1 status = OK */
	0x2a, 0x06, 0x08, 0x01, 0x10, 0x01, 0x18, 0x02, /* 5 relay_cpu_map {1, 1, 2} */
};

static void test_config_messages(void **state)
{
	Virtioforwarder__ConfigRequest *q = virtioforwarder__config_request__unpack(
		NULL, 0, (const uint8_t *)"");
	Virtioforwarder__ConfigRequest qm = VIRTIOFORWARDER__CONFIG_REQUEST__INIT;
	Virtioforwarder__ConfigResponse *r =
		virtioforwarder__config_response__unpack(NULL, sizeof(cfg_resp), cfg_resp);
	Virtioforwarder__ConfigResponse m = VIRTIOFORWARDER__CONFIG_RESPONSE__INIT;
	Virtioforwarder__ConfigResponse__RelayCPU c = VIRTIOFORWARDER__CONFIG_RESPONSE__RELAY_CPU__INIT;
	Virtioforwarder__ConfigResponse__RelayCPU *cl[] = {&c};

	assert_non_null(q);
	virtioforwarder__config_request__free_unpacked(q, NULL);
	assert_int_equal(protobuf_c_message_get_packed_size(&qm.base), 0);

	assert_non_null(r);
	assert_int_equal(r->status, VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK);
	assert_int_equal(r->n_relay_cpu_map, 1);
	assert_int_equal(r->relay_cpu_map[0]->relay_number, 1);
	assert_int_equal(r->relay_cpu_map[0]->vf2virtio_cpu, 1);
	assert_int_equal(r->relay_cpu_map[0]->virtio2vf_cpu, 2);
	virtioforwarder__config_response__free_unpacked(r, NULL);
	c.relay_number = 1;
	c.vf2virtio_cpu = 1;
	c.virtio2vf_cpu = 2;
	m.status = VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK;
	m.n_relay_cpu_map = 1;
	m.relay_cpu_map = cl;
	assert_encodes_to(&m.base, cfg_resp, sizeof(cfg_resp));
}

/* ---- Core scheduler ------------------------------------------------------- */

static const uint8_t cs_update[] = {
	0x08, 0x00,                                     /* 1 op = UPDATE */
	0x12, 0x06, 0x08, 0x01, 0x10, 0x01, 0x18, 0x02, /* 2 relay_cpu_map {1, 1, 2} */
};
static const uint8_t cs_resp[] = {0x20, 0x01, 0x38, 0x01, 0x38, 0x02}; /* OK, cores 1 2 */

static void test_core_sched_messages(void **state)
{
	Virtioforwarder__CoreSchedRequest *q =
		virtioforwarder__core_sched_request__unpack(NULL, sizeof(cs_update), cs_update);
	Virtioforwarder__CoreSchedRequest qm = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	Virtioforwarder__CoreSchedRequest__RelayCPU c =
		VIRTIOFORWARDER__CORE_SCHED_REQUEST__RELAY_CPU__INIT;
	Virtioforwarder__CoreSchedRequest__RelayCPU *cl[] = {&c};
	Virtioforwarder__CoreSchedResponse *r =
		virtioforwarder__core_sched_response__unpack(NULL, sizeof(cs_resp), cs_resp);
	Virtioforwarder__CoreSchedResponse m = VIRTIOFORWARDER__CORE_SCHED_RESPONSE__INIT;
	uint32_t cores[] = {1, 2};
	static const uint8_t get_cores[] = {0x08, 0x01};

	assert_non_null(q);
	assert_int_equal(q->op, VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE);
	assert_int_equal(q->n_relay_cpu_map, 1);
	assert_int_equal(q->relay_cpu_map[0]->virtio2vf_cpu, 2);
	virtioforwarder__core_sched_request__free_unpacked(q, NULL);
	c.relay_number = 1;
	c.vf2virtio_cpu = 1;
	c.virtio2vf_cpu = 2;
	qm.op = VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE;
	qm.n_relay_cpu_map = 1;
	qm.relay_cpu_map = cl;
	assert_encodes_to(&qm.base, cs_update, sizeof(cs_update));

	q = virtioforwarder__core_sched_request__unpack(NULL, 2, get_cores);
	assert_int_equal(q->op, VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__GET_EAL_CORES);
	virtioforwarder__core_sched_request__free_unpacked(q, NULL);

	assert_non_null(r);
	assert_int_equal(r->status, VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK);
	assert_int_equal(r->n_eal_cores, 2);
	assert_int_equal(r->eal_cores[1], 2);
	virtioforwarder__core_sched_response__free_unpacked(r, NULL);
	m.status = VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK;
	m.n_eal_cores = 2;
	m.eal_cores = cores;
	assert_encodes_to(&m.base, cs_resp, sizeof(cs_resp));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_control_add),
		cmocka_unit_test(test_port_control_add_sock_device),
		cmocka_unit_test(test_port_control_op_values),
		cmocka_unit_test(test_port_control_bad_frames),
		cmocka_unit_test(test_port_control_response),
		cmocka_unit_test(test_stats_request),
		cmocka_unit_test(test_stats_response),
		cmocka_unit_test(test_stats_status_values),
		cmocka_unit_test(test_config_messages),
		cmocka_unit_test(test_core_sched_messages),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
