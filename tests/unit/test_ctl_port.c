/* SPDX-License-Identifier: BSD-3-Clause */
/* The port_control service against a fake relay table: every op, the
 * conditional flag, and every kind of bad request. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "ctl_service.h"
#include "fake_backend.h"
#include "parse.h"
#include "test_util.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__PortControlRequest Request;
typedef Virtioforwarder__PortControlResponse Response;
typedef Virtioforwarder__PortControlRequest__PciAddress Pci;

static Pci pci_a, pci_b;
static Pci *one_pci[1] = {&pci_a}, *two_pci[2] = {&pci_a, &pci_b};

static int setup(void **state)
{
	fake_reset();
	virtioforwarder__port_control_request__pci_address__init(&pci_a);
	pci_a.bus = 5;
	pci_a.slot = 8;
	pci_a.function = 1;
	pci_b = pci_a;
	pci_b.function = 2;
	return 0;
}

/* The request's device list: one device string, or none (NULL). */
static void set_device(Request *req, const char *dev)
{
	static char *one[1];

	one[0] = (char *)dev;
	req->n_device = dev ? 1 : 0;
	req->device = one;
}

static Response *call(const Request *req)
{
	return (Response *)fake_call(&vio_ctl_port_service, &req->base,
				     &virtioforwarder__port_control_response__descriptor);
}

/* Run req; expect an error with this errno and text. */
static void expect_error(const Request *req, int code, const char *text)
{
	Response *r = call(req);

	assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR);
	assert_true(r->has_error_code);
	assert_int_equal(r->error_code, code);
	assert_non_null(r->error_code_source);
	assert_contains(r->error_code_source, text);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void expect_ok(const Request *req, const char *query)
{
	Response *r = call(req);

	if (r->status != VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK)
		fail_msg("unexpected error: %s", r->error_code_source);
	if (query)
		assert_string_equal(r->query_string ? r->query_string : "", query);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_add_remove(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD;
	req.has_virtio_id = 1;
	req.virtio_id = 3;
	req.n_pci_addrs = 1;
	req.pci_addrs = one_pci;
	expect_ok(&req, NULL);
	assert_true(fake.relays[3].has_vf);
	assert_string_equal(fake.relays[3].vf.name, "0000:05:08.1");

	/* conditional (the default): adding it again is a no-op */
	expect_ok(&req, NULL);
	req.has_conditional = 1;
	req.conditional = 0;
	expect_error(&req, EEXIST, "add: relay 3 already has a VF");
	/* another VF on the same relay is an error either way */
	req.conditional = 1;
	req.pci_addrs = &two_pci[1];
	expect_error(&req, EBUSY, "add:");

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE;
	expect_error(&req, EINVAL, "relay 3 relays 0000:05:08.1, not 0000:05:08.2");
	assert_true(fake.relays[3].has_vf);
	req.pci_addrs = one_pci;
	expect_ok(&req, NULL);
	assert_false(fake.relays[3].has_vf);
	expect_ok(&req, NULL); /* conditional: removing what is absent */
	req.conditional = 0;
	expect_error(&req, ENOENT, "remove: relay 3 has no VF");
}

static void test_add_bad_requests(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD;
	req.n_pci_addrs = 1;
	req.pci_addrs = one_pci;
	expect_error(&req, EINVAL, "add: virtio_id is missing");
	req.has_virtio_id = 1;
	req.virtio_id = FAKE_RELAYS;
	expect_error(&req, ERANGE, "virtio_id 8 is out of range (0-7)");
	req.virtio_id = 1;
	req.n_pci_addrs = 0;
	expect_error(&req, EINVAL, "no VF given");
	req.n_pci_addrs = 2;
	req.pci_addrs = two_pci;
	expect_error(&req, EINVAL, "2 VFs given: a bond needs a name");
	req.n_pci_addrs = 1;
	req.name = "bond0";
	expect_error(&req, EINVAL, "bond bond0 has 1 member: a bond needs 2 to 8");
	req.name = NULL;
	req.has_mode = 1;
	expect_error(&req, EINVAL, "mode is a bond's");
	req.has_mode = 0;
	set_device(&req, "net_tap0"); /* a PCI address and a device: two VFs */
	expect_error(&req, EINVAL, "a bond needs a name (name), or give one VF");
	set_device(&req, NULL);
	pci_a.slot = 0x20;
	expect_error(&req, EINVAL, "out of range");
	pci_a.slot = 8;
	req.n_pci_addrs = 0;
	set_device(&req, "net_tap0,iface=vf0");
	expect_ok(&req, NULL);
	assert_string_equal(fake.relays[1].vf.name, "net_tap0");
	assert_int_equal(fake.calls_add_vf, 1);
}

static void test_garbage_and_unknown_op(void **state)
{
	static const uint8_t garbage[] = {0xff, 0xff, 0xff, 0x01, 0x02};
	static const uint8_t no_op[] = {0x18, 0x01};          /* virtio_id only */
	static const uint8_t truncated[] = {0x08, 0x00, 0x12, 0x08, 0x08}; /* pci cut */
	static const uint8_t op_7[] = {0x08, 0x07};
	const uint8_t *bad[] = {garbage, no_op, truncated};
	const size_t len[] = {sizeof(garbage), sizeof(no_op), sizeof(truncated)};
	Response *r;

	for (unsigned i = 0; i < 3; i++) {
		r = (Response *)fake_call_raw(&vio_ctl_port_service, bad[i], len[i],
					      &virtioforwarder__port_control_response__descriptor);
		assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR);
		assert_int_equal(r->error_code, EBADMSG);
		assert_contains(r->error_code_source, "not a PortControlRequest");
		protobuf_c_message_free_unpacked(&r->base, NULL);
	}
	r = (Response *)fake_call_raw(&vio_ctl_port_service, op_7, sizeof(op_7),
				      &virtioforwarder__port_control_response__descriptor);
	assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR);
	assert_contains(r->error_code_source, "unknown op 7");
	protobuf_c_message_free_unpacked(&r->base, NULL);
	assert_int_equal(fake.calls_add_vf + fake.calls_add_socket, 0);
}

static void test_sockets_need_dynamic(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	req.vhost_path = "/tmp/x.sock";
	req.n_pci_addrs = 1;
	req.pci_addrs = one_pci;
	expect_error(&req, EOPNOTSUPP, "VIRTIOFWD_DYNAMIC_SOCKETS");
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK;
	expect_error(&req, EOPNOTSUPP, "VIRTIOFWD_DYNAMIC_SOCKETS");
	assert_int_equal(fake.calls_add_vf + fake.calls_add_socket, 0);
}

static void test_add_sock_remove_sock(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	fake_backend.dynamic_sockets = true;
	fake.relays[0].has_socket = true; /* relay 0 taken: the next free is 1 */
	strcpy(fake.relays[0].socket, "/tmp/other.sock");
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	req.n_pci_addrs = 1;
	req.pci_addrs = one_pci;
	expect_error(&req, EINVAL, "vhost_path is missing");
	req.vhost_path = "relative.sock";
	expect_error(&req, EINVAL, "not an absolute path");
	req.vhost_path = "/tmp/a.sock";
	expect_ok(&req, NULL);
	assert_true(fake.relays[1].has_socket && fake.relays[1].has_vf);
	assert_string_equal(fake.relays[1].socket, "/tmp/a.sock");

	expect_ok(&req, NULL); /* conditional repeat */
	req.has_conditional = 1;
	req.conditional = 0;
	expect_error(&req, EEXIST, "already belongs to relay 1");
	req.vhost_path = "/tmp/b.sock";
	expect_error(&req, EBUSY, "0000:05:08.1 is already relayed by relay 1");

	/* the socket cannot be created: the VF attached for it is removed */
	req.pci_addrs = &two_pci[1];
	fake.fail_add_socket = EADDRINUSE;
	expect_error(&req, EADDRINUSE, "cannot bind /tmp/b.sock");
	assert_false(fake.relays[2].has_vf);
	assert_int_equal(fake.calls_remove_vf, 1);
	fake.fail_add_socket = 0;

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI;
	req.vhost_path = "/tmp/a.sock";
	expect_ok(&req, "0000:05:08.1");
	req.vhost_path = "/tmp/other.sock";
	expect_ok(&req, ""); /* a socket without VF */
	req.vhost_path = "/tmp/none.sock";
	expect_error(&req, ENOENT, "no relay has socket /tmp/none.sock");
	req.vhost_path = NULL;
	expect_error(&req, EINVAL, "vhost_path is missing");

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK;
	req.vhost_path = "/tmp/a.sock"; /* with the wrong VF */
	expect_error(&req, EINVAL, "relays 0000:05:08.1, not 0000:05:08.2");
	req.n_pci_addrs = 0;
	expect_ok(&req, NULL);
	assert_false(fake.relays[1].has_socket || fake.relays[1].has_vf);
	expect_error(&req, ENOENT, "no relay has socket /tmp/a.sock");
	req.conditional = 1;
	expect_ok(&req, NULL);
	req.vhost_path = NULL;
	expect_error(&req, EINVAL, "give vhost_path, a VF or a bond name, or both");
}

static void test_remove_sock_by_vf(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	fake_backend.dynamic_sockets = true;
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	req.vhost_path = "/tmp/a.sock";
	set_device(&req, "net_tap3,iface=x");
	expect_ok(&req, NULL);
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK;
	req.vhost_path = NULL;
	set_device(&req, "net_tap3");
	expect_ok(&req, NULL);
	assert_false(fake.relays[0].has_socket || fake.relays[0].has_vf);
}

/* Bonds: members from pci_addrs and device together, a name and a mode;
 * added, repeated (conditional), queried, removed by name; every bad
 * request refused with nothing attached. */
static void test_bonds(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	char *devs[9] = {"net_tap1,iface=b", "net_null2", "net_null3", "net_null4", "net_null5",
			 "net_null6", "net_null7", "net_null8", "net_null9"};
	static const struct {
		unsigned mode;
		int code;
		const char *text;
	} modes[] = {
		{4, EINVAL, "802.3ad) is not supported"},
		{6, EINVAL, "alb) is not supported"},
		{7, EINVAL, "bond mode 7 does not exist"},
	};

	fake_backend.control_drivers = "net_tap,net_null";
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD;
	req.has_virtio_id = 1;
	req.virtio_id = 2;
	req.n_pci_addrs = 1;
	req.pci_addrs = one_pci;
	req.n_device = 1;
	req.device = devs;
	expect_error(&req, EINVAL, "2 VFs given: a bond needs a name");
	req.name = "9b";
	expect_error(&req, EINVAL, "must start with a letter");
	req.name = "b-0 x";
	expect_error(&req, EINVAL, "letters, digits, '_' and '-' only");
	req.name = "b0";
	for (unsigned i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		req.has_mode = 1;
		req.mode = modes[i].mode;
		expect_error(&req, modes[i].code, modes[i].text);
	}
	req.has_mode = 0;
	req.n_device = 8;
	expect_error(&req, E2BIG, "9 members given, at most 8");
	req.n_device = 1;
	devs[0] = "0000:05:08.1";
	expect_error(&req, EINVAL, "member 0000:05:08.1 is given twice");
	devs[0] = "net_bonding0";
	expect_error(&req, EINVAL, "net_bonding0 is a bonding device");
	devs[0] = "net_ring0";
	expect_error(&req, EPERM, "VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS");
	devs[0] = "net_tap1,remote=x";
	expect_error(&req, EPERM, "argument \"remote\"");
	assert_int_equal(fake.calls_add_vf + fake.calls_add_bond, 0);

	devs[0] = "net_tap1,iface=b";
	expect_ok(&req, NULL); /* mode 1 by default */
	assert_int_equal(fake.calls_add_bond, 1);
	assert_true(fake.relays[2].vf.is_bond);
	assert_string_equal(fake.relays[2].vf.name, "b0");
	assert_int_equal(fake.relays[2].bond_mode, 1);
	assert_int_equal(fake.relays[2].n_members, 2);
	assert_string_equal(fake.relays[2].member[0].name, "0000:05:08.1");
	assert_string_equal(fake.relays[2].member[1].name, "net_tap1");
	expect_ok(&req, NULL); /* conditional: the same bond again */
	req.has_conditional = 1;
	req.conditional = 0;
	expect_error(&req, EEXIST, "already has");

	/* removal: by name; a wrong name or other members are refused */
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE;
	req.n_pci_addrs = 0;
	req.n_device = 0;
	req.name = "b1";
	expect_error(&req, EINVAL, "relay 2 relays bond b0, not bond b1");
	req.name = "b0";
	req.n_device = 2;
	devs[1] = "net_null9";
	expect_error(&req, EINVAL, "not bond b0 with these members and mode");
	req.name = NULL;
	req.n_device = 1;
	expect_error(&req, EINVAL, "relay 2 relays bond b0, not net_tap1");
	assert_true(fake.relays[2].has_vf);
	req.name = "b0";
	req.n_device = 0;
	expect_ok(&req, NULL);
	assert_false(fake.relays[2].has_vf);
	expect_error(&req, ENOENT, "relay 2 has no VF");
}

/* A bond behind a dynamic socket: query_pci answers its members. */
static void test_bond_sockets(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	char *devs[2] = {"net_tap1,iface=b", "net_tap2,iface=c"};

	fake_backend.dynamic_sockets = true;
	fake_backend.control_drivers = "net_tap";
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	req.vhost_path = "/tmp/a.sock";
	req.n_device = 2;
	req.device = devs;
	req.name = "b0";
	req.has_mode = 1;
	req.mode = 2;
	expect_ok(&req, NULL);
	assert_int_equal(fake.relays[0].bond_mode, 2);
	expect_ok(&req, NULL); /* conditional repeat */
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI;
	expect_ok(&req, "net_tap1 net_tap2");
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK;
	req.vhost_path = NULL;
	req.n_device = 0;
	req.has_mode = 0;
	req.name = "b9";
	req.has_conditional = 1;
	req.conditional = 0;
	expect_error(&req, ENOENT, "no relay has bond b9");
	req.name = "b0";
	expect_ok(&req, NULL);
	assert_false(fake.relays[0].has_socket || fake.relays[0].has_vf);
}

/* What a control client may attach (defect 7 of issue 13): PCI addresses
 * without arguments; virtual devices only of the configured drivers
 * (net_tap, net_null here) and only with arguments that reach no file.
 * Nothing is attached when refused. */
static void test_attach_policy(void **state)
{
	static const char *const refused[][2] = {
		{"net_pcap0,rx_pcap=/tmp/in.pcap,tx_pcap=/etc/shadow", "port control attaches "
		 "PCI devices and devices of net_tap,net_null"},
		{"net_vhost0,iface=/etc/x.sock", "net_vhost0"},
		{"net_tap0,remote=eth0", "argument \"remote\" of net_tap"},
		{"net_tap0,iface=vf0,persist", "argument \"persist\""},
		{"net_tapx", "must be <driver><number>"},
		{"net_tap_evil0", "must be <driver><number>"},
		{"net_null0,size=64,x=1", "argument \"x\" of net_null"},
		{"0000:05:08.1,representor=[0-3]", "not accepted from port control for a PCI"},
	};
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD;
	req.has_virtio_id = 1;
	req.virtio_id = 2;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		set_device(&req, refused[i][0]);
		expect_error(&req, EPERM, refused[i][1]);
		assert_false(fake.relays[2].has_vf);
	}
	fake_backend.control_drivers = "";
	set_device(&req, "net_tap0");
	expect_error(&req, EPERM, "port control attaches PCI devices only");
	set_device(&req, NULL);
	req.n_pci_addrs = 1;
	req.pci_addrs = one_pci;
	expect_ok(&req, NULL);
	/* Removing names a device, attaches nothing: any name will do. */
	fake_backend.control_drivers = "net_tap,net_null";
	req.n_pci_addrs = 0;
	req.virtio_id = 3;
	set_device(&req, "net_null7,size=128");
	expect_ok(&req, NULL);
	fake_backend.control_drivers = "";
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE;
	set_device(&req, "net_null7");
	expect_ok(&req, NULL);
	assert_false(fake.relays[3].has_vf);
}

/* add_sock paths: files directly in the socket directory only. */
static void test_socket_paths_confined(void **state)
{
	static const char *const refused[] = {
		"/etc/x.sock", "/tmp/sub/x.sock", "/tmp/../etc/x.sock", "/tmpx/a.sock",
		"/tmp/", "/tmp/.", "/tmp/..", "/tmp",
	};
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;

	fake_backend.dynamic_sockets = true;
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	set_device(&req, "net_tap3");
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		req.vhost_path = (char *)refused[i];
		expect_error(&req, EPERM, "is not a file in the socket directory /tmp");
	}
	for (unsigned i = 0; i < FAKE_RELAYS; i++)
		assert_false(fake.relays[i].has_socket || fake.relays[i].has_vf);
	fake_backend.socket_dir = "/run/vio/sockets/";
	req.vhost_path = "/run/vio/sockets/vm1.sock";
	expect_ok(&req, NULL);
	req.vhost_path = "/run/vio/sockets2/vm1.sock";
	expect_error(&req, EPERM, "socket directory /run/vio/sockets (");
}

/* Error replies quote request bytes in a protobuf string field, which
 * must be valid UTF-8 (the old tools' Python decoders refuse the reply
 * otherwise): invalid bytes become '?'; a socket path must be valid UTF-8
 * (it comes back in stats). */
static void test_replies_are_utf8(void **state)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	char path[300];
	Response *r;

	fake_backend.dynamic_sockets = true;
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI;
	req.vhost_path = "/tmp/\xff\xfe\xc3(\xed\xa0\x80\xf0\x9f\x98\x80.sock";
	r = call(&req);
	assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR);
	assert_true(vio_utf8_valid(r->error_code_source));
	assert_contains(r->error_code_source, "/tmp/??" "?(???\xf0\x9f\x98\x80.sock");
	protobuf_c_message_free_unpacked(&r->base, NULL);

	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
	set_device(&req, "net_tap1");
	expect_error(&req, EINVAL, "vhost_path is not valid UTF-8");
	req.vhost_path = "/tmp/ok.sock";
	set_device(&req, "net_tap1,iface=\xe9t\xe9");
	r = call(&req);
	assert_true(vio_utf8_valid(r->error_code_source));
	protobuf_c_message_free_unpacked(&r->base, NULL);

	/* A long path cut at 200 bytes in the middle of a character. */
	memset(path, 0, sizeof(path));
	strcpy(path, "/x/");
	for (size_t i = 3; i + 2 < 290; i += 2)
		memcpy(path + i, "\xc3\xa9", 2);
	req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI;
	req.vhost_path = path;
	r = call(&req);
	assert_true(vio_utf8_valid(r->error_code_source));
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_add_remove, setup),
		cmocka_unit_test_setup(test_add_bad_requests, setup),
		cmocka_unit_test_setup(test_garbage_and_unknown_op, setup),
		cmocka_unit_test_setup(test_sockets_need_dynamic, setup),
		cmocka_unit_test_setup(test_add_sock_remove_sock, setup),
		cmocka_unit_test_setup(test_remove_sock_by_vf, setup),
		cmocka_unit_test_setup(test_bonds, setup),
		cmocka_unit_test_setup(test_bond_sockets, setup),
		cmocka_unit_test_setup(test_attach_policy, setup),
		cmocka_unit_test_setup(test_socket_paths_confined, setup),
		cmocka_unit_test_setup(test_replies_are_utf8, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
