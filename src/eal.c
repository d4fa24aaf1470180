/* SPDX-License-Identifier: BSD-3-Clause */
/* EAL bring-up: see eal.h. */
#define VIO_LOG_MODULE "eal"
#include "eal.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_log.h>

#include "log.h"
#include "relay.h"

#ifndef HUGETLBFS_MAGIC
#define HUGETLBFS_MAGIC 0x958458f6
#endif

/* EAL itself, the drain pool and per-relay buffer pools (about 3.3 MiB each,
 * see vf_port.c), with room to spare. */
#define BASE_MB 96
#define PER_RELAY_MB 6
/* Any address no machine has: the PCI bus then probes nothing at startup;
 * relays hot-plug their VFs later. */
#define NO_PCI_DEVICE "ffff:ff:1f.7"

static unsigned long free_hugepages(const char *dir, unsigned long *page_kb)
{
	struct statfs sfs;
	char path[128];
	unsigned long n = 0;
	FILE *f;

	if (statfs(dir, &sfs) != 0 || (unsigned long)sfs.f_type != HUGETLBFS_MAGIC)
		return 0;
	*page_kb = (unsigned long)sfs.f_bsize / 1024;
	snprintf(path, sizeof(path), "/sys/kernel/mm/hugepages/hugepages-%lukB/free_hugepages",
		 *page_kb);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (fscanf(f, "%lu", &n) != 1)
		n = 0;
	fclose(f);
	return n;
}

int vio_eal_plan_memory(const struct vio_config *c, struct vio_mem_plan *plan, char *err,
			size_t errlen)
{
	unsigned long page_kb = 0, pages = free_hugepages(c->huge_dir, &page_kb);
	unsigned long free_mb = pages * page_kb / 1024;
	unsigned need = c->memory_mb ? c->memory_mb : BASE_MB + vio_max_relays() * PER_RELAY_MB;

	memset(plan, 0, sizeof(*plan));
	plan->memory_mb = need;
	switch (c->huge_mode) {
	case VIO_HUGE_ON:
		if (!pages) {
			snprintf(err, errlen, "VIRTIOFWD_HUGEPAGES=yes: no free hugepages at %s "
				 "(VIRTIOFWD_HUGETLBFS_MOUNT_POINT: is hugetlbfs mounted there and "
				 "are pages reserved?)", c->huge_dir);
			return -ENOMEM;
		}
		plan->hugepages = true;
		snprintf(plan->reason, sizeof(plan->reason), "hugepages at %s (%lu MiB free)",
			 c->huge_dir, free_mb);
		return 0;
	case VIO_HUGE_OFF:
		snprintf(plan->reason, sizeof(plan->reason), "ordinary shared memory, %u MiB "
			 "(hugepages disabled by configuration)", need);
		return 0;
	case VIO_HUGE_AUTO:
		break;
	}
	if (free_mb >= need) {
		plan->hugepages = true;
		snprintf(plan->reason, sizeof(plan->reason), "hugepages at %s (%lu MiB free)",
			 c->huge_dir, free_mb);
	} else {
		snprintf(plan->reason, sizeof(plan->reason), "ordinary shared memory, %u MiB "
			 "(%s at %s: %lu MiB free, %u MiB wanted)", need,
			 page_kb ? "too few free hugepages" : "no hugetlbfs mount", c->huge_dir,
			 free_mb, need);
	}
	return 0;
}

/* rte_eal_init with the runtime directory (and the telemetry socket in it)
 * made for root only: EAL creates the directory 0700 and binds the socket
 * with the process umask, here 077 (socket 0700).  The directory is
 * /var/run/dpdk/<file prefix> whatever the environment: DPDK would move it
 * under $RUNTIME_DIRECTORY, which the systemd unit sets for our own files,
 * where dpdk-telemetry.py -f <prefix> would not look.  Called before any
 * thread of ours exists; the environment is restored afterwards (EAL's
 * threads, running by then, read none of it). */
static int eal_init_private(int argc, char **argv)
{
	char *saved = getenv("RUNTIME_DIRECTORY");
	mode_t old_mask;
	int rc;

	if (saved) {
		saved = strdup(saved);
		unsetenv("RUNTIME_DIRECTORY");
	}
	old_mask = umask(077);
	rc = rte_eal_init(argc, argv);
	umask(old_mask);
	if (saved) {
		setenv("RUNTIME_DIRECTORY", saved, 1);
		free(saved);
	}
	return rc;
}

/* A runtime directory that already existed keeps its mode through EAL's
 * mkdir: make it 0700 (only root may create one under /var/run/dpdk, but
 * with a looser mode a local user could reach the telemetry socket), and
 * refuse one that is not ours.  0, or a negative errno with err. */
static int runtime_dir_private(char *err, size_t errlen)
{
	const char *dir = rte_eal_get_runtime_dir();
	struct stat st;
	int fd, rc = 0;

	if (!dir[0])
		return 0;
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		rc = -errno;
		snprintf(err, errlen, "DPDK runtime directory %s: %s", dir, strerror(-rc));
	} else if (st.st_uid != geteuid()) {
		snprintf(err, errlen, "DPDK runtime directory %s belongs to uid %u, not to us: "
			 "remove it", dir, (unsigned)st.st_uid);
		rc = -EPERM;
	} else if (st.st_mode & 077) {
		if (fchmod(fd, 0700)) {
			rc = -errno;
			snprintf(err, errlen,
				 "DPDK runtime directory %s: cannot make it private "
				 "(mode %03o): %s",
				 dir, (unsigned)(st.st_mode & 0777), strerror(-rc));
		} else {
			VIO_LOG(WARNING, "DPDK runtime directory %s was mode %03o: now 0700 (its "
				"telemetry socket is for root only)", dir,
				(unsigned)(st.st_mode & 0777));
		}
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

#define MAX_ARGS 32

int vio_eal_init(const struct vio_config *c, const char *prog, const struct vio_mem_plan *plan,
		 char *err, size_t errlen)
{
	static char bufs[MAX_ARGS][512];
	char *argv[MAX_ARGS + 1];
	char cpus[400];
	int argc = 0, rc, cpu;
	unsigned main_id;
	int dpdk_level = c->log_level >= 7 ? RTE_LOG_DEBUG : RTE_LOG_WARNING;

#define ARG(...) snprintf(bufs[argc], sizeof(bufs[0]), __VA_ARGS__), argv[argc] = bufs[argc], argc++
	ARG("%s", prog);
	/* Worker lcore ids are their CPU numbers.  The main thread only does
	 * control work, so it may share a worker's CPU: it then takes a spare
	 * lcore id bound to that CPU. */
	main_id = vio_cpuset_has(&c->worker_cpus, c->main_lcore) ? VIO_MAX_CPUS - 1
								 : c->main_lcore;
	rc = snprintf(cpus, sizeof(cpus), "%u@%u", main_id, c->main_lcore);
	for (cpu = vio_cpuset_next(&c->worker_cpus, 0); cpu >= 0;
	     cpu = vio_cpuset_next(&c->worker_cpus, (unsigned)cpu + 1))
		rc += snprintf(cpus + rc, sizeof(cpus) - (size_t)rc, ",%d@%d", cpu, cpu);
	ARG("--lcores=%s", cpus);
	ARG("--main-lcore=%u", main_id);
	ARG("--file-prefix=%s", c->file_prefix);
	ARG("--no-shconf");
	ARG("-a");
	ARG(NO_PCI_DEVICE);
	ARG("--log-level=%d", dpdk_level);
	/* not the warning that no legacy (v1) telemetry socket is made */
	ARG("--log-level=lib.telemetry:%d", c->log_level >= 7 ? RTE_LOG_DEBUG : RTE_LOG_ERR);
	if (plan->hugepages) {
		ARG("--huge-dir=%s", c->huge_dir);
		ARG("--huge-unlink");
	} else {
		ARG("--no-huge");
		ARG("-m");
		ARG("%u", plan->memory_mb);
	}
	if (c->vfio_token[0])
		ARG("--vfio-vf-token=%s", c->vfio_token);
	argv[argc] = NULL;
#undef ARG
	if (vio_log_level() >= VIO_LL_DEBUG) {
		char line[MAX_ARGS * 64];
		size_t len = 0;

		line[0] = '\0';
		for (int i = 1; i < argc && len < sizeof(line); i++)
			len += (size_t)snprintf(line + len, sizeof(line) - len, " %s", argv[i]);
		VIO_LOG(DEBUG, "EAL arguments:%s", line);
	}

	if (!c->log_syslog)
		rte_openlog_stream(stderr);
	rc = eal_init_private(argc, argv);
	if (rc < 0) {
		snprintf(err, errlen, "DPDK initialisation failed: %s (see the EAL messages above)",
			 rte_strerror(rte_errno));
		return rte_errno > 0 ? -rte_errno : -EINVAL;
	}
	rc = runtime_dir_private(err, errlen);
	if (rc)
		rte_eal_cleanup();
	return rc;
}

void vio_eal_fini(void)
{
	rte_eal_cleanup();
}
