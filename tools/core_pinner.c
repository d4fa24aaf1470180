/* virtioforwarder_core_pinner: show which worker CPUs serve each relay, or
 * move relays (user's guide sections 8, 9, 14).
 *   virtioforwarder_core_pinner [--print-core-map]
 *   virtioforwarder_core_pinner --virtio-cpu=N:C1,C2 [...]
 * C1 serves VF->VM, C2 VM->VF, as in VIRTIOFWD_CPU_PINS. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"
#include "core_map.h"
#include "parse.h"

#define PROG "virtioforwarder_core_pinner"
#define MAX_MOVES 64

typedef Virtioforwarder__CoreSchedRequest__RelayCPU RelayCPU;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options]\n"
		"  --virtio-cpu=N:C1,C2   serve relay N's VF->VM on CPU C1, VM->VF on C2\n"
		"                         (repeatable; N:C puts both on C)\n"
		"  --print-core-map       print the relay to CPU map (also without options)\n"
		"  --stats-ep=EP          default " VIO_DEFAULT_EP_DIR "stats\n"
		"  --sched-ep=EP          default " VIO_DEFAULT_EP_DIR "core_sched\n"
		"exit: 0 ok, 1 error reply, 2 bad usage, 3 no reply\n");
}

static int print_map(const char *stats_ep, const char *sched_ep, const char *title)
{
	unsigned cpus[VIO_MAX_WORKERS], n;
	Virtioforwarder__StatsResponse *st;

	if (vio_get_workers(PROG, sched_ep, cpus, &n))
		return VIO_EXIT_NO_REPLY;
	st = vio_get_relays(PROG, stats_ep, 0);
	if (!st)
		return VIO_EXIT_NO_REPLY;
	printf("%s\n", title);
	vio_print_core_map(cpus, n, st);
	protobuf_c_message_free_unpacked(&st->base, NULL);
	return VIO_EXIT_OK;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"virtio-cpu", required_argument, NULL, 'c'},
		{"print-core-map", no_argument, NULL, 'p'},
		{"stats-ep", required_argument, NULL, 's'},
		{"sched-ep", required_argument, NULL, 'S'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Virtioforwarder__CoreSchedRequest req = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	Virtioforwarder__CoreSchedResponse *resp;
	const char *stats_ep = VIO_DEFAULT_EP_DIR "stats";
	const char *sched_ep = VIO_DEFAULT_EP_DIR "core_sched";
	RelayCPU moves[MAX_MOVES], *ptrs[MAX_MOVES];
	char err[200];
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'c': {
			struct vio_pin pin;

			if (req.n_relay_cpu_map == MAX_MOVES) {
				fprintf(stderr, PROG ": too many --virtio-cpu\n");
				return VIO_EXIT_USAGE;
			}
			if (vio_parse_pin(optarg, &pin, 1u << 30, err, sizeof(err))) {
				fprintf(stderr, PROG ": --virtio-cpu=%s: %s (usage: "
					"--virtio-cpu=N:C1,C2)\n", optarg, err);
				return VIO_EXIT_USAGE;
			}
			virtioforwarder__core_sched_request__relay_cpu__init(&moves[req.n_relay_cpu_map]);
			moves[req.n_relay_cpu_map].relay_number = (int32_t)pin.relay;
			moves[req.n_relay_cpu_map].vf2virtio_cpu = (int32_t)pin.cpu_vf_to_vm;
			moves[req.n_relay_cpu_map].virtio2vf_cpu = (int32_t)pin.cpu_vm_to_vf;
			ptrs[req.n_relay_cpu_map] = &moves[req.n_relay_cpu_map];
			req.n_relay_cpu_map++;
			break;
		}
		case 'p':
			break;
		case 's':
			stats_ep = optarg;
			break;
		case 'S':
			sched_ep = optarg;
			break;
		case 'h':
			usage(stdout);
			return VIO_EXIT_OK;
		default:
			usage(stderr);
			return VIO_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return VIO_EXIT_USAGE;
	}
	if (req.n_relay_cpu_map == 0)
		return print_map(stats_ep, sched_ep, "Worker cores affinities:");

	for (size_t i = 0; i < req.n_relay_cpu_map; i++)
		printf("Setting relay %d=%d,%d\n", moves[i].relay_number, moves[i].vf2virtio_cpu,
		       moves[i].virtio2vf_cpu);
	req.op = VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE;
	req.relay_cpu_map = ptrs;
	resp = (Virtioforwarder__CoreSchedResponse *)vio_call(
		PROG, sched_ep, &req.base, &virtioforwarder__core_sched_response__descriptor,
		VIO_REPLY_TIMEOUT_MS);
	if (!resp)
		return VIO_EXIT_NO_REPLY;
	if (resp->status != VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK) {
		printf("Scheduler response: ERROR\n");
		fprintf(stderr, PROG ": %s (%s)\n",
			resp->error_code_source ? resp->error_code_source : "no reason given",
			resp->has_error_code ? strerror(resp->error_code) : "no error code");
		protobuf_c_message_free_unpacked(&resp->base, NULL);
		return VIO_EXIT_ERROR_REPLY;
	}
	printf("Scheduler response: OK\n");
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	rc = print_map(stats_ep, sched_ep, "New worker core mapping:");
	return rc;
}
