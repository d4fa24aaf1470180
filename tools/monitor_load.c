/* SPDX-License-Identifier: BSD-3-Clause */
/* virtioforwarder_monitor_load: a live bar per worker CPU showing the
 * packets per second it relays (user's guide sections 9, 14).  The load of a
 * CPU is the sum, over the relay directions it serves, of the packets it
 * receives per second, measured by the daemon over each poll window; after
 * the bar, the share of the worker's cycles spent on passes that moved
 * packets (its busy share) over the same period, from the workers' cycle
 * accounting (a daemon without it, such as the original, shows n/a). */
#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "client.h"
#include "core_map.h"

#define PROG "virtioforwarder_monitor_load"
#define BAR_WIDTH 60

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options]\n"
		"  --poll-interval=SECONDS  refresh period (default 2.0, at least 0.1)\n"
		"  --full-scale=MPPS        load of a full bar (default 10)\n"
		"  --count=N                stop after N refreshes (default: until Ctrl-C)\n"
		"  --stats-ep=EP            default " VIO_DEFAULT_EP_DIR "stats\n"
		"  --sched-ep=EP            default " VIO_DEFAULT_EP_DIR "core_sched\n"
		"exit: 0 ok, 2 bad usage, 3 no reply\n");
}

/* A worker's cycle counters in one reply. */
struct cycles {
	bool valid;
	uint64_t busy, total;
};

static void take_cycles(const unsigned *cpus, unsigned n, const Virtioforwarder__StatsResponse *st,
			struct cycles *out)
{
	for (unsigned w = 0; w < n; w++) {
		out[w].valid = false;
		for (size_t i = 0; i < st->n_worker; i++) {
			const Virtioforwarder__WorkerState *ws = st->worker[i];

			if (ws->cpu != cpus[w])
				continue;
			out[w].valid = true;
			out[w].busy = ws->busy_cycles;
			out[w].total = ws->busy_cycles + ws->idle_cycles + ws->sleep_cycles;
		}
	}
}

static void draw(const unsigned *cpus, unsigned n, const Virtioforwarder__StatsResponse *st,
		 const struct cycles *prev, const struct cycles *now, double full_mpps, bool tty)
{
	if (tty)
		fputs("\033[H\033[2J", stdout);
	printf("CPU loads (Mpps relayed, a full bar is %.1f Mpps; busy share of the CPU's "
	       "cycles)\n", full_mpps);
	for (unsigned w = 0; w < n; w++) {
		double pps = 0;
		long len;

		for (size_t i = 0; i < st->n_relay; i++) {
			const Virtioforwarder__RelayState *r = st->relay[i];

			if (!r->cpu)
				continue;
			if (r->cpu->has_vf_to_vm && (unsigned)r->cpu->vf_to_vm == cpus[w])
				pps += r->vf_to_vm->pkt_rate_rx_from_vf;
			if (r->cpu->has_vm_to_vf && (unsigned)r->cpu->vm_to_vf == cpus[w])
				pps += r->vm_to_vf->pkt_rate_rx_from_vm;
		}
		len = lround(pps / 1e6 / full_mpps * BAR_WIDTH);
		if (len > BAR_WIDTH)
			len = BAR_WIDTH;
		printf("CPU%u: ", cpus[w]);
		for (long k = 0; k < len; k++)
			putchar('-');
		printf("%*s %.3f Mpps", (int)(BAR_WIDTH - len), "", pps / 1e6);
		if (prev[w].valid && now[w].valid && now[w].total > prev[w].total &&
		    now[w].busy >= prev[w].busy)
			printf(", busy %.1f%%\n", 100.0 * (double)(now[w].busy - prev[w].busy) /
							   (double)(now[w].total - prev[w].total));
		else
			printf(", busy n/a\n");
	}
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct vio_core_map_eps ep = VIO_CORE_MAP_EPS;
	const struct vio_cli_opt opts[] = {
		{"poll-interval", required_argument, 'i', NULL},
		{"full-scale", required_argument, 'f', NULL},
		{"count", required_argument, 'n', NULL},
		VIO_CORE_MAP_EP_OPTS(ep),
		{NULL, 0, 0, NULL},
	};
	const struct vio_cli cli = {.prog = PROG, .usage = usage, .opts = opts};
	double interval = 2.0, full = 10.0;
	unsigned cpus[VIO_MAX_WORKERS], n_cpus;
	static struct cycles prev[VIO_MAX_WORKERS], now[VIO_MAX_WORKERS];
	Virtioforwarder__StatsResponse *st;
	bool tty = isatty(STDOUT_FILENO);
	long count = 0;
	char *end;
	int c;

	while ((c = vio_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'i':
			interval = strtod(optarg, &end);
			if (*end || !(interval >= 0.1 && interval <= 3600)) {
				fprintf(stderr, PROG ": --poll-interval=%s: expected 0.1-3600\n",
					optarg);
				return VIO_EXIT_USAGE;
			}
			break;
		case 'f':
			full = strtod(optarg, &end);
			if (*end || !(full > 0 && full < 1e6)) {
				fprintf(stderr, PROG ": --full-scale=%s: expected Mpps > 0\n", optarg);
				return VIO_EXIT_USAGE;
			}
			break;
		case 'n':
			if (vio_parse_long(optarg, 1, 1L << 30, &count)) {
				fprintf(stderr, PROG ": --count=%s: expected a positive number\n",
					optarg);
				return VIO_EXIT_USAGE;
			}
			break;
		}
	}
	if (vio_get_workers(PROG, ep.sched, cpus, &n_cpus))
		return VIO_EXIT_NO_REPLY;
	/* The workers' cycles now: the first busy share starts here. */
	st = vio_get_relays(PROG, ep.stats, 0);
	if (!st)
		return VIO_EXIT_NO_REPLY;
	take_cycles(cpus, n_cpus, st, prev);
	protobuf_c_message_free_unpacked(&st->base, NULL);
	for (long i = 0; count == 0 || i < count; i++) {
		/* The daemon measures over the whole interval: no sleep needed. */
		st = vio_get_relays(PROG, ep.stats, (unsigned)(interval * 1000));
		if (!st)
			return VIO_EXIT_NO_REPLY;
		take_cycles(cpus, n_cpus, st, now);
		draw(cpus, n_cpus, st, prev, now, full, tty);
		memcpy(prev, now, sizeof(prev));
		protobuf_c_message_free_unpacked(&st->base, NULL);
	}
	return VIO_EXIT_OK;
}
