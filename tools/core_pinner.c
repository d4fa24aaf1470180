/* SPDX-License-Identifier: BSD-3-Clause */
/* virtioforwarder_core_pinner: show which worker CPUs serve each relay, or
 * move relays (user's guide sections 8, 9, 14).
 *   virtioforwarder_core_pinner [--print-core-map]
 *   virtioforwarder_core_pinner --virtio-cpu=N:C1,C2 [...]
 * C1 serves VF->VM, C2 VM->VF, as in VIRTIOFWD_CPU_PINS. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"
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
	struct vio_core_map_eps ep = VIO_CORE_MAP_EPS;
	const struct vio_cli_opt opts[] = {
		{"virtio-cpu", required_argument, 'c', NULL},
		{"print-core-map", no_argument, 'p', NULL},
		VIO_CORE_MAP_EP_OPTS(ep),
		{NULL, 0, 0, NULL},
	};
	const struct vio_cli cli = {.prog = PROG, .usage = usage, .opts = opts};
	RelayCPU moves[MAX_MOVES], *ptrs[MAX_MOVES];
	size_t n_moves = 0;
	char err[200], why[600];
	int c, rc;

	while ((c = vio_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'c': {
			struct vio_pin pin;

			if (n_moves == MAX_MOVES) {
				fprintf(stderr, PROG ": too many --virtio-cpu\n");
				return VIO_EXIT_USAGE;
			}
			if (vio_parse_pin(optarg, &pin, 1u << 30, err, sizeof(err))) {
				fprintf(stderr, PROG ": --virtio-cpu=%s: %s (usage: "
					"--virtio-cpu=N:C1,C2)\n", optarg, err);
				return VIO_EXIT_USAGE;
			}
			virtioforwarder__core_sched_request__relay_cpu__init(&moves[n_moves]);
			moves[n_moves].relay_number = (int32_t)pin.relay;
			moves[n_moves].vf2virtio_cpu = (int32_t)pin.cpu_vf_to_vm;
			moves[n_moves].virtio2vf_cpu = (int32_t)pin.cpu_vm_to_vf;
			ptrs[n_moves] = &moves[n_moves];
			n_moves++;
			break;
		}
		case 'p':
			break;
		}
	}
	if (n_moves == 0)
		return print_map(ep.stats, ep.sched, "Worker cores affinities:");

	for (size_t i = 0; i < n_moves; i++)
		printf("Setting relay %d=%d,%d\n", moves[i].relay_number, moves[i].vf2virtio_cpu,
		       moves[i].virtio2vf_cpu);
	rc = vio_move_relays(PROG, ep.sched, ptrs, n_moves, why, sizeof(why));
	if (rc == VIO_EXIT_ERROR_REPLY) {
		printf("Scheduler response: ERROR\n");
		fprintf(stderr, PROG ": %s\n", why);
	}
	if (rc != VIO_EXIT_OK)
		return rc;
	printf("Scheduler response: OK\n");
	return print_map(ep.stats, ep.sched, "New worker core mapping:");
}
