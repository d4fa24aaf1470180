/* SPDX-License-Identifier: BSD-3-Clause */
/* vio4wd_core_scheduler: the load balancing daemon (user's guide section 9).
 *
 * Every interval it asks the forwarder's stats service for each relay
 * direction's packet rate, measured by the daemon over that interval, plans
 * a placement over the worker CPUs (balance.h) and, when the plan relieves
 * the busiest CPU enough, applies it with one core_sched UPDATE.  It reads
 * the forwarder's configuration file for the endpoints, for
 * VIO4WD_CORE_SCHED_ENABLE and for the original's tuning variables
 * (sched_settings.h), and keeps running while the forwarder restarts.
 * Manual pinnings may be overwritten, as the guide warns. */
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "balance.h"
#include "client.h"
#include "config.h"
#include "core_map.h"
#include "sched_settings.h"

#define PROG "vio4wd_core_scheduler"
#define MAX_ITEMS (2 * 4096)

static volatile sig_atomic_t stop;
static unsigned log_level = 6; /* --loglevel: syslog levels up to it are printed */

enum { L_ERR = 3, L_WARNING = 4, L_NOTICE = 5, L_INFO = 6, L_DEBUG = 7 };

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void say(unsigned level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(unsigned level, const char *fmt, ...)
{
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	localtime_r(&ts.tv_sec, &tm);
	fprintf(stderr, "%02d:%02d:%02d.%03ld " PROG ": ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ts.tv_nsec / 1000000);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* NUMA node of a CPU from sysfs; -1 when not found. */
static int cpu_node(unsigned cpu)
{
	char path[96];

	for (int node = 0; node < 64; node++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%u/node%d", cpu, node);
		if (access(path, F_OK) == 0)
			return node;
	}
	return -1;
}

static unsigned collect(const Virtioforwarder__StatsResponse *st, struct vio_bal_item *items)
{
	unsigned n = 0;

	for (size_t i = 0; i < st->n_relay && n + 2 <= MAX_ITEMS; i++) {
		const Virtioforwarder__RelayState *r = st->relay[i];
		int numa = r->socket_id == UINT32_MAX ? -1 : (int)r->socket_id;

		if (!r->cpu)
			continue;
		if (r->cpu->has_vf_to_vm && r->vf_to_vm->active)
			items[n++] = (struct vio_bal_item){.relay = r->id, .dir = 0, .numa = numa,
				.load = r->vf_to_vm->pkt_rate_rx_from_vf,
				.cpu = (unsigned)r->cpu->vf_to_vm};
		if (r->cpu->has_vm_to_vf && r->vm_to_vf->active)
			items[n++] = (struct vio_bal_item){.relay = r->id, .dir = 1, .numa = numa,
				.load = r->vm_to_vf->pkt_rate_rx_from_vm,
				.cpu = (unsigned)r->cpu->vm_to_vf};
	}
	return n;
}

/* One UPDATE with every relay that changes; a relay's other direction keeps
 * its CPU (the request always names both). */
static int apply(const char *sched_ep, const Virtioforwarder__StatsResponse *st,
		 const struct vio_bal_item *items, unsigned n)
{
	static Virtioforwarder__CoreSchedRequest__RelayCPU maps[MAX_ITEMS / 2];
	static Virtioforwarder__CoreSchedRequest__RelayCPU *ptrs[MAX_ITEMS / 2];
	char why[600];
	size_t m = 0;
	int rc;

	for (size_t i = 0; i < st->n_relay; i++) {
		const Virtioforwarder__RelayState *r = st->relay[i];
		int cpu[2] = {r->cpu && r->cpu->has_vf_to_vm ? r->cpu->vf_to_vm : -1,
			      r->cpu && r->cpu->has_vm_to_vf ? r->cpu->vm_to_vf : -1};
		bool moved = false;

		for (unsigned k = 0; k < n; k++)
			if (items[k].relay == r->id && items[k].new_cpu != items[k].cpu) {
				cpu[items[k].dir] = (int)items[k].new_cpu;
				moved = true;
			}
		if (!moved || cpu[0] < 0 || cpu[1] < 0)
			continue;
		virtioforwarder__core_sched_request__relay_cpu__init(&maps[m]);
		maps[m].relay_number = (int32_t)r->id;
		maps[m].vf2virtio_cpu = cpu[0];
		maps[m].virtio2vf_cpu = cpu[1];
		ptrs[m] = &maps[m];
		say(L_INFO, "relay %u: VF->VM on CPU %d, VM->VF on CPU %d", r->id, cpu[0], cpu[1]);
		m++;
	}
	if (!m)
		return VIO_EXIT_OK;
	rc = vio_move_relays(PROG, sched_ep, ptrs, m, why, sizeof(why));
	if (rc == VIO_EXIT_ERROR_REPLY)
		say(L_ERR, "the forwarder refused the placement: %s", why);
	return rc;
}

/* One round: measure, plan, maybe apply. */
static int round_once(const struct vio_sched_settings *o)
{
	static struct vio_bal_item items[MAX_ITEMS];
	unsigned cpus[VIO_MAX_WORKERS], ncpu, n;
	struct vio_bal_cpu bc[VIO_MAX_WORKERS];
	Virtioforwarder__StatsResponse *st;
	double before, after;
	int rc = VIO_EXIT_OK;

	if (vio_get_workers(PROG, o->sched_ep, cpus, &ncpu))
		return VIO_EXIT_NO_REPLY;
	for (unsigned i = 0; i < ncpu; i++)
		bc[i] = (struct vio_bal_cpu){.cpu = cpus[i], .numa = cpu_node(cpus[i])};
	say(L_DEBUG, "%u worker CPUs", ncpu);
	st = vio_get_relays(PROG, o->stats_ep, (unsigned)(o->interval * 1000));
	if (!st)
		return VIO_EXIT_NO_REPLY;
	n = collect(st, items);
	if (vio_balance(items, n, bc, ncpu, &o->p, &before, &after)) {
		say(L_INFO, "busiest worker CPU at %.0f pps; the new placement brings it to %.0f "
		    "pps (load variation %.3f -> %.3f)%s", before, after,
		    vio_balance_cv(items, n, bc, ncpu, false), vio_balance_cv(items, n, bc, ncpu, true),
		    o->dry_run ? " (dry run: not applied)" : "");
		if (!o->dry_run)
			rc = apply(o->sched_ep, st, items, n);
	} else {
		say(o->once ? L_INFO : L_DEBUG, "busiest worker CPU at %.0f pps (load variation "
		    "%.3f): placement kept", before, vio_balance_cv(items, n, bc, ncpu, false));
	}
	protobuf_c_message_free_unpacked(&st->base, NULL);
	return rc;
}

int main(int argc, char **argv)
{
	static struct vio_config cfg;
	struct vio_sched_settings o;
	const char *conf;
	char err[512];
	bool down = false;

	if (vio_sched_parse_args(argc, argv, &o, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return VIO_EXIT_USAGE;
	}
	if (o.help) {
		vio_sched_usage(stdout);
		return VIO_EXIT_OK;
	}
	conf = o.config;
	vio_config_defaults(&cfg, 64);
	if (access(conf, F_OK) == 0 || o.config_explicit) {
		if (vio_config_load_file(&cfg, conf, err, sizeof(err))) {
			fprintf(stderr, PROG ": %s\n", err);
			return VIO_EXIT_USAGE;
		}
	}
	vio_config_finish(&cfg); /* as the forwarder sees it: core_sched brings stats */
	if (vio_sched_apply_vars(&o, &cfg, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return VIO_EXIT_USAGE;
	}
	log_level = o.log_level;
	if (!o.sched_ep) {
		if (!cfg.core_sched_enable || !cfg.zmq_core_sched_ep[0]) {
			/* Not a failure: the shipped configuration disables
			 * it, and an enabled unit must not show as failed at
			 * every boot. */
			fprintf(stderr, PROG ": core scheduling is disabled in %s: nothing to "
				"do (set VIO4WD_CORE_SCHED_ENABLE=true and restart "
				"virtio-forwarder, or give --sched-ep)\n", conf);
			return 0;
		}
		o.sched_ep = cfg.zmq_core_sched_ep;
	}
	if (!o.stats_ep) {
		if (!cfg.zmq_stats_ep[0]) {
			fprintf(stderr, PROG ": no stats endpoint: set VIRTIOFWD_ZMQ_STATS_EP in %s "
				"or give --stats-ep\n", conf);
			return VIO_EXIT_USAGE;
		}
		o.stats_ep = cfg.zmq_stats_ep;
	}
	if (o.once)
		return round_once(&o);

	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	if (o.p.cv_rule)
		snprintf(err, sizeof(err), "sensitivity %g", o.p.sensitivity);
	else
		snprintf(err, sizeof(err), "gain %.0f%%", o.p.gain * 100);
	say(L_NOTICE, "balancing over %s every %.1f s (%s, min load %.0f pps, %s)%s", o.sched_ep,
	    o.interval, err, o.p.min_load, o.p.global_numa ? "any NUMA node" : "NUMA-local",
	    o.dry_run ? ", dry run" : "");
	while (!stop) {
		int rc = round_once(&o);

		if (rc == VIO_EXIT_NO_REPLY) {
			if (!down)
				say(L_ERR, "the forwarder does not answer; retrying every %.1f s",
				    o.interval);
			down = true;
			/* vio_call waited already; sleep the rest of a window */
			for (int i = 0; i < (int)(o.interval * 10) && !stop; i++)
				usleep(100000);
		} else if (down) {
			say(L_NOTICE, "the forwarder answers again");
			down = false;
		}
	}
	say(L_NOTICE, "stopped");
	return VIO_EXIT_OK;
}
