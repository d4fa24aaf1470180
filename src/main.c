/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio-forwarder: relays traffic between SR-IOV VFs (DPDK ports) and the
 * virtio-net devices of VMs (vhost-user).
 *
 * Startup order: configuration (file, then command line), validation,
 * daemonising, EAL, workers, vhost, relays.  The main thread then waits for
 * signals; SIGINT/SIGTERM stop cleanly, SIGHUP is ignored (logged), SIGUSR1
 * logs the relay counters.
 */
#define VIO_LOG_MODULE "main"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <rte_eal.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_mbuf.h>
#include <rte_version.h>

#include "cmdline.h"
#include "config.h"
#include "control.h"
#include "announce.h"
#include "daemon.h"
#include "eal.h"
#include "forward.h"
#include "log.h"
#include "relay.h"
#include "stats.h"
#include "telemetry.h"
#include "vf_events.h"
#include "vf_port.h"
#include "vhost.h"
#include "vio_build_config.h"
#include "worker.h"

#define DRAIN_POOL_SIZE 1023

static struct vio_config cfg;
/* How the relay table registers its sockets (relay.h). */
static const struct vio_relay_vhost vhost = {
	.sock_register = vio_vhost_register,
	.sock_unregister = vio_vhost_unregister,
};

static int start_relays(char *err, size_t errlen)
{
	char path[PATH_MAX];
	int rc;

	rc = vio_vhost_socket_dir(err, errlen);
	if (rc)
		return rc;
	if (!cfg.dynamic_sockets) {
		for (unsigned id = 0; id < vio_max_relays(); id++) {
			char sub[VIO_ERR_MAX];

			vio_relay_default_path(id, path, sizeof(path));
			rc = vio_relay_add_socket(id, path, sub, sizeof(sub));
			if (rc) {
				snprintf(err, errlen, "relay %u: %s", id, sub);
				return rc;
			}
		}
	}
	for (unsigned i = 0; i < cfg.n_static_vfs; i++) {
		const struct vio_static_vf *sv = &cfg.static_vfs[i];
		char sub[VIO_ERR_MAX];

		rc = sv->bond >= 0 ? vio_relay_add_bond(sv->relay, &cfg.static_bonds[sv->bond], sub,
							sizeof(sub))
				   : vio_relay_add_vf(sv->relay, &sv->dev, sub, sizeof(sub));
		if (rc) {
			snprintf(err, errlen, "VIRTIOFWD_STATIC_VFS=\"%s%s=%u\": %s",
				 sv->bond >= 0 ? "bond " : "", sv->bond >= 0 ? sv->dev.name
									     : sv->dev.devargs,
				 sv->relay, sub);
			return rc;
		}
	}
	return 0;
}

/* The main thread waits for signals and, about once a second, does the
 * relay table's housekeeping. */
static void wait_for_signals(const sigset_t *set)
{
	const struct timespec tick = {.tv_sec = 1};

	for (;;) {
		siginfo_t si;
		int sig = sigtimedwait(set, &si, &tick);

		if (sig < 0) {
			if (errno == EAGAIN) {
				vio_relay_sockets_housekeep();
				vio_relays_housekeep();
			} else if (errno != EINTR) {
				VIO_LOG_RL(ERR, 1000, "sigtimedwait: %s", strerror(errno));
			}
			continue;
		}
		switch (sig) {
		case SIGINT:
		case SIGTERM:
			VIO_LOG(NOTICE, "%s received: stopping", strsignal(sig));
			return;
		case SIGHUP:
			VIO_LOG(NOTICE, "SIGHUP received: ignored (restart the daemon to apply "
				"configuration changes)");
			break;
		case SIGUSR1:
			vio_stats_log_all();
			break;
		case SIGUSR2: /* only in the set with VIO_TEST_VF_EVENT */
			vio_vf_events_test_inject();
			break;
		}
	}
}

int main(int argc, char **argv)
{
	enum vio_cmdline_action action;
	struct vio_cpuset online;
	struct vio_mem_plan plan;
	struct rte_mempool *drain;
	char err[1024], buf[400];
	unsigned long fd_limit;
	int ready_fd = -1;
	sigset_t sigs;

	vio_config_defaults(&cfg, vio_max_relays());
	if (vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err))) {
		fprintf(stderr, "virtio-forwarder: error: %s\n", err);
		return VIO_EXIT_CONFIG;
	}
	if (action == VIO_CMD_HELP) {
		vio_cmdline_usage(argv[0]);
		return 0;
	}
	if (action == VIO_CMD_VERSION) {
		/* rte_version() says "DPDK 22.11.11" */
		printf("virtio-forwarder %s (%s, %s; RTE_MAX_ETHPORTS %d: relay ids 0-%u)\n",
		       VIO_VERSION, rte_version(), VIO_DPDK_BUILD, RTE_MAX_ETHPORTS,
		       vio_max_relays() - 1);
		if (vio_max_relays() < VIO_RELAYS_HARD_MAX)
			printf("64 relays: build against scripts/build-dpdk.sh (docs/operation.md)\n");
		return 0;
	}
	if (vio_read_online_cpus("/sys/devices/system/cpu/online", &online, err, sizeof(err)) ||
	    vio_config_validate(&cfg, &online, err, sizeof(err)) ||
	    vio_eal_plan_memory(&cfg, &plan, err, sizeof(err))) {
		fprintf(stderr, "virtio-forwarder: error: %s\n", err);
		return VIO_EXIT_CONFIG;
	}

	fd_limit = vio_raise_fd_limit();
	vio_signals_block(&sigs, vio_vf_events_test_enabled()); /* SIGUSR2: the test hook */
	if (cfg.daemonize && vio_daemonize(&ready_fd)) {
		fprintf(stderr, "virtio-forwarder: error: cannot daemonise: %s\n",
			strerror(errno));
		return 1;
	}
	vio_log_init(cfg.log_level, cfg.log_syslog);
	for (unsigned i = 0; i < cfg.n_warnings; i++)
		VIO_LOG(WARNING, "%s", cfg.warnings[i]);
	VIO_LOG(NOTICE, "virtio-forwarder %s starting: relay ids 0-%u (limit %u: %s), "
		"worker CPUs %s, main CPU %u, %s mode, %s sockets", VIO_VERSION,
		vio_max_relays() - 1, vio_max_relays(),
		vio_max_relays() < VIO_RELAYS_HARD_MAX
			? "this DPDK build allows that many ports; scripts/build-dpdk.sh gives 64"
			: "the maximum",
		vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf)), cfg.main_lcore,
		cfg.vhost_client ? "vhost-user client" : "vhost-user server",
		cfg.dynamic_sockets ? "dynamic" : "static");
	VIO_LOG(NOTICE, "memory: %s", plan.reason);
	VIO_LOG(INFO, "descriptor limit: %lu", fd_limit);
	if (fd_limit < 4096)
		VIO_LOG(WARNING, "descriptor limit %lu is low: multiqueue guests need two per "
			"ring (raise the hard limit, e.g. LimitNOFILE= in the unit)", fd_limit);
	/* Before anything is touched: a second daemon must change nothing. */
	if (vio_pidfile_lock(cfg.pid_dir, err, sizeof(err)) ||
	    vio_control_check(&cfg, err, sizeof(err)))
		goto fail_early;

	if (vio_eal_init(&cfg, argv[0], &plan, err, sizeof(err)))
		goto fail_early;
	drain = vio_mbuf_pool_create("vio_drain", DRAIN_POOL_SIZE, 32, -1);
	if (!drain) {
		snprintf(err, sizeof(err), "cannot allocate the drain buffer pool");
		goto fail_eal;
	}
	vio_forward_init(drain);
	if (vio_workers_init(&cfg) || vio_workers_launch()) {
		snprintf(err, sizeof(err), "cannot start the worker threads");
		goto fail_eal;
	}
	vio_relays_init(&cfg);
	vio_announce_init(&cfg);
	vio_vhost_init(&cfg);
	vio_relay_sockets_init(&vhost);
	vio_vf_events_start();
	if (start_relays(err, sizeof(err)) || vio_control_start(&cfg, err, sizeof(err)))
		goto fail_relays;
	vio_telemetry_init(); /* not fatal: logged */
	{
		struct rte_malloc_socket_stats ms;

		if (rte_malloc_get_socket_stats(0, &ms) == 0)
			VIO_LOG(INFO, "buffer memory in use: %zu MiB of %zu MiB",
				ms.heap_allocsz_bytes >> 20, ms.heap_totalsz_bytes >> 20);
	}
	VIO_LOG(NOTICE, "ready");
	vio_daemon_ready(ready_fd, 0, NULL);

	wait_for_signals(&sigs);

	vio_daemon_stopping();
	vio_control_stop();
	vio_telemetry_fini();
	vio_stats_log_all();
	vio_vf_events_stop();
	vio_relay_sockets_fini();
	vio_announce_fini();
	vio_relays_fini();
	vio_workers_stop();
	vio_workers_fini();
	rte_mempool_free(drain);
	vio_pidfile_remove();
	vio_eal_fini();
	VIO_LOG(NOTICE, "stopped");
	return 0;

fail_relays:
	vio_vf_events_stop();
	vio_relay_sockets_fini();
	vio_announce_fini();
	vio_relays_fini();
	vio_workers_stop();
	vio_workers_fini();
fail_eal:
	vio_eal_fini();
fail_early:
	vio_pidfile_remove();
	VIO_LOG(ERR, "%s", err);
	if (cfg.log_syslog && ready_fd < 0) /* foreground with syslog: say it here too */
		fprintf(stderr, "virtio-forwarder: error: %s\n", err);
	vio_daemon_ready(ready_fd, 1, err);
	return 1;
}
