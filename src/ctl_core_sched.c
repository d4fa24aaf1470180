/* SPDX-License-Identifier: BSD-3-Clause */
/* The core_sched service (enabled by VIO4WD_CORE_SCHED_ENABLE=true):
 * GET_EAL_CORES lists the worker CPUs; UPDATE moves relays' directions to
 * other workers at run time (docs/control.md).  An UPDATE is checked whole
 * (every relay id in range and listed once, every CPU a worker) before the
 * first relay moves.
 */
#define VIO_LOG_MODULE "core_sched"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_service.h"
#include "log.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__CoreSchedRequest Request;
typedef Virtioforwarder__CoreSchedResponse Response;

#define ERR_MAX 400
#define MAX_CPUS 1024

/* error_code_source "core_sched: <msg>" */
static void reply_error(struct vio_ctl_reply *reply, int code, const char *msg)
{
	vio_ctl_reply_error(reply, &virtioforwarder__core_sched_response__descriptor,
			    VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__ERROR, code,
			    VIO_LOG_MODULE, NULL, msg);
}

static void sched_reject(const char *why, struct vio_ctl_reply *reply)
{
	reply_error(reply, EBADMSG, why);
}

static bool is_worker(const unsigned *cpus, unsigned n, int32_t cpu)
{
	for (unsigned i = 0; i < n; i++)
		if ((int64_t)cpus[i] == cpu)
			return true;
	return false;
}

static int check_update(const struct vio_ctl_backend *be, const Request *m, const unsigned *cpus,
			unsigned n_cpus, char *err)
{
	if (m->n_relay_cpu_map == 0) {
		snprintf(err, ERR_MAX, "UPDATE without relay_cpu_map entries");
		return -EINVAL;
	}
	for (size_t i = 0; i < m->n_relay_cpu_map; i++) {
		const Virtioforwarder__CoreSchedRequest__RelayCPU *e = m->relay_cpu_map[i];

		if (e->relay_number < 0 || (uint32_t)e->relay_number >= be->max_relays) {
			snprintf(err, ERR_MAX, "relay %d is out of range (0-%u)", e->relay_number,
				 be->max_relays - 1);
			return -ERANGE;
		}
		for (size_t j = 0; j < i; j++) {
			if (m->relay_cpu_map[j]->relay_number == e->relay_number) {
				snprintf(err, ERR_MAX, "relay %d is listed twice", e->relay_number);
				return -EINVAL;
			}
		}
		if (!is_worker(cpus, n_cpus, e->vf2virtio_cpu) ||
		    !is_worker(cpus, n_cpus, e->virtio2vf_cpu)) {
			snprintf(err, ERR_MAX, "relay %d: CPU %d is not a worker CPU",
				 e->relay_number,
				 is_worker(cpus, n_cpus, e->vf2virtio_cpu) ? e->virtio2vf_cpu
									   : e->vf2virtio_cpu);
			return -EINVAL;
		}
	}
	return 0;
}

static int sched_handle(const struct vio_ctl_backend *be, const uint8_t *req, size_t len,
			struct vio_ctl_reply *reply, void **token, uint64_t *due_ns)
{
	Request *m = virtioforwarder__core_sched_request__unpack(NULL, len, req);
	Response resp = VIRTIOFORWARDER__CORE_SCHED_RESPONSE__INIT;
	static unsigned cpus[MAX_CPUS];
	uint32_t cores[MAX_CPUS];
	unsigned n_cpus;
	char err[ERR_MAX];
	int rc;

	(void)token;
	(void)due_ns;
	if (!m) {
		sched_reject("not a CoreSchedRequest (truncated, garbage, or op missing)", reply);
		return VIO_CTL_DONE;
	}
	n_cpus = be->worker_cpus(cpus, MAX_CPUS);
	switch (m->op) {
	case VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__GET_EAL_CORES:
		for (unsigned i = 0; i < n_cpus; i++)
			cores[i] = cpus[i];
		resp.status = VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK;
		resp.n_eal_cores = n_cpus;
		resp.eal_cores = cores;
		vio_ctl_pack(&resp.base, reply);
		break;
	case VIRTIOFORWARDER__CORE_SCHED_REQUEST__OP__UPDATE:
		rc = check_update(be, m, cpus, n_cpus, err);
		for (size_t i = 0; rc == 0 && i < m->n_relay_cpu_map; i++) {
			const Virtioforwarder__CoreSchedRequest__RelayCPU *e = m->relay_cpu_map[i];

			rc = be->move((unsigned)e->relay_number, (unsigned)e->vf2virtio_cpu,
				      (unsigned)e->virtio2vf_cpu, err, ERR_MAX);
			if (rc == 0)
				VIO_LOG(INFO, "relay %d: VF->VM on CPU %d, VM->VF on CPU %d",
					e->relay_number, e->vf2virtio_cpu, e->virtio2vf_cpu);
			else if (i > 0)
				snprintf(err + strlen(err), ERR_MAX - strlen(err),
					 " (the %zu entries before it were applied)", i);
		}
		if (rc) {
			reply_error(reply, -rc, err);
			break;
		}
		resp.status = VIRTIOFORWARDER__CORE_SCHED_RESPONSE__STATUS__OK;
		vio_ctl_pack(&resp.base, reply);
		break;
	default:
		snprintf(err, sizeof(err), "unknown op %d", (int)m->op);
		reply_error(reply, EINVAL, err);
		break;
	}
	virtioforwarder__core_sched_request__free_unpacked(m, NULL);
	return VIO_CTL_DONE;
}

const struct vio_ctl_service vio_ctl_core_sched_service = {
	.name = "core_sched",
	.handle = sched_handle,
	.reject = sched_reject,
};
