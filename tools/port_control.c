/* SPDX-License-Identifier: BSD-3-Clause */
/* virtioforwarder_port_control: add and remove VFs and vhost-user sockets
 * at run time (user's guide section 7; docs/control.md).
 *
 *   virtioforwarder_port_control add --virtio-id=ID --pci-addr=PCI
 *   virtioforwarder_port_control remove --virtio-id=ID [--pci-addr=PCI]
 *   virtioforwarder_port_control add_sock --vhost-path=PATH --pci-addr=PCI
 *   virtioforwarder_port_control remove_sock --vhost-path=PATH [--pci-addr=PCI]
 *   virtioforwarder_port_control query_pci --vhost-path=PATH
 * --device=STRING names a DPDK device (net_tap0,iface=vf0) instead of a PCI
 * address.  A bond: --name=NAME [--mode=N] and 2-8 members (--pci-addr and
 * --device, each repeatable); removed by --name.  As the original tool,
 * conditional is sent false unless --conditional is given.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "client.h"
#include "parse.h"
#include "pb_text.h"
#include "virtioforwarder.pb-c.h"

#define PROG "virtioforwarder_port_control"
#define MAX_PCI 16

typedef Virtioforwarder__PortControlRequest Request;
typedef Virtioforwarder__PortControlRequest__PciAddress PciAddress;
typedef Virtioforwarder__PortControlResponse Response;

static const char *const ops[] = {"add", "remove", "add_sock", "remove_sock", "query_pci"};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " {add,remove,add_sock,remove_sock,query_pci} [options]\n"
		"  --virtio-id=ID        relay id (add, remove)\n"
		"  --pci-addr=PCI        VF PCI address, [dddd:]bb:ss.f (repeatable: bond members)\n"
		"  --device=STRING       a DPDK device string instead of a PCI address\n"
		"                        (repeatable: bond members, with --pci-addr or alone)\n"
		"  --vhost-path=PATH     vhost-user socket (add_sock, remove_sock, query_pci)\n"
		"  --name=NAME           bond name: 2-8 members are one bonded VF\n"
		"  --mode=N              bond mode (default 1, sent with --name): 0 round-robin,\n"
		"                        1 active-backup, 2 balance, 3 broadcast, 5 tlb\n"
		"  --conditional         adding what is there or removing what is not succeeds\n"
		"  --zmq_ep=EP           endpoint (default " VIO_DEFAULT_EP_DIR "port_control)\n"
		"  --timeout=MS          reply timeout (default %d)\n"
		"exit: 0 ok, 1 error reply, 2 bad usage, 3 no reply\n", VIO_REPLY_TIMEOUT_MS);
}

int main(int argc, char **argv)
{
	Request req = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	PciAddress pci[MAX_PCI], *pci_ptrs[MAX_PCI];
	char *devices[MAX_PCI];
	const char *ep = VIO_DEFAULT_EP_DIR "port_control";
	const struct vio_cli_opt opts[] = {
		{"virtio-id", required_argument, 'i', NULL},
		{"pci-addr", required_argument, 'p', NULL},
		{"device", required_argument, 'D', NULL},
		{"vhost-path", required_argument, 'v', NULL},
		{"name", required_argument, 'n', NULL},
		{"mode", required_argument, 'm', NULL},
		{"conditional", no_argument, 'c', NULL},
		{"zmq_ep", required_argument, 'e', &ep},
		{"zmq-ep", required_argument, 'e', &ep},
		{"timeout", required_argument, 't', NULL},
		{NULL, 0, 0, NULL},
	};
	const struct vio_cli cli = {.prog = PROG, .usage = usage, .opts = opts, .operands = 1};
	long v, timeout = VIO_REPLY_TIMEOUT_MS, mode = 1;
	Response *resp;
	char err[200];
	int c, op = -1, rc;

	req.conditional = 0;  /* false unless --conditional, as the original tool sends */
	while ((c = vio_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'i':
			if (vio_parse_long(optarg, 0, UINT32_MAX, &v)) {
				fprintf(stderr, PROG ": --virtio-id=%s: not a relay id\n", optarg);
				return VIO_EXIT_USAGE;
			}
			req.has_virtio_id = 1;
			req.virtio_id = (uint32_t)v;
			break;
		case 'p': {
			struct vio_pci_addr a;

			if (req.n_pci_addrs == MAX_PCI) {
				fprintf(stderr, PROG ": too many --pci-addr\n");
				return VIO_EXIT_USAGE;
			}
			if (vio_parse_pci(optarg, &a, err, sizeof(err))) {
				fprintf(stderr, PROG ": --pci-addr=%s: %s\n", optarg, err);
				return VIO_EXIT_USAGE;
			}
			virtioforwarder__port_control_request__pci_address__init(&pci[req.n_pci_addrs]);
			pci[req.n_pci_addrs].domain = a.domain;
			pci[req.n_pci_addrs].bus = a.bus;
			pci[req.n_pci_addrs].slot = a.slot;
			pci[req.n_pci_addrs].function = a.function;
			pci_ptrs[req.n_pci_addrs] = &pci[req.n_pci_addrs];
			req.n_pci_addrs++;
			break;
		}
		case 'D':
			if (req.n_device == MAX_PCI) {
				fprintf(stderr, PROG ": too many --device\n");
				return VIO_EXIT_USAGE;
			}
			devices[req.n_device++] = optarg;
			break;
		case 'v':
			req.vhost_path = optarg;
			break;
		case 'n':
			req.name = optarg;
			break;
		case 'm':
			if (vio_parse_long(optarg, 0, 6, &mode)) {
				fprintf(stderr, PROG ": --mode=%s: expected 0-6\n", optarg);
				return VIO_EXIT_USAGE;
			}
			break;
		case 'c':
			req.conditional = 1;
			break;
		case 't':
			if (vio_parse_long(optarg, 1, 3600000, &timeout)) {
				fprintf(stderr, PROG ": --timeout=%s: expected milliseconds\n", optarg);
				return VIO_EXIT_USAGE;
			}
			break;
		}
	}
	for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(argv[optind], ops[i]) == 0)
			op = (int)i;
	if (op < 0) {
		fprintf(stderr, PROG ": unknown operation '%s'\n", argv[optind]);
		usage(stderr);
		return VIO_EXIT_USAGE;
	}
	req.op = (Virtioforwarder__PortControlRequest__Op)op;
	req.pci_addrs = pci_ptrs;
	req.device = devices;
	req.has_conditional = 1;  /* always sent, as the original tool does */
	if (req.name) {
		req.has_mode = 1;
		req.mode = (uint32_t)mode;
	}
	resp = (Response *)vio_call(PROG, ep, &req.base,
				    &virtioforwarder__port_control_response__descriptor,
				    (int)timeout);
	if (!resp)
		return VIO_EXIT_NO_REPLY;
	if (resp->status == VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK) {
		if (resp->query_string && *resp->query_string)
			printf("%s\n", resp->query_string);
		rc = VIO_EXIT_OK;
	} else {
		vio_pb_print(stdout, &resp->base);
		fprintf(stderr, PROG ": %s failed: %s (%s)\n", ops[op],
			resp->error_code_source ? resp->error_code_source : "no reason given",
			resp->has_error_code ? strerror(resp->error_code) : "no error code");
		rc = VIO_EXIT_ERROR_REPLY;
	}
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return rc;
}
