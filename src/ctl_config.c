/* SPDX-License-Identifier: BSD-3-Clause */
/* The config service: which worker CPUs serve each relay's two directions
 * (relays in use, and relays with a pinned CPU), in relay id order.  A CPU
 * is the live placement when the direction has a worker, else the pin,
 * else -1.
 */
#define VIO_LOG_MODULE "config_service"

#include <stdlib.h>

#include "ctl_service.h"
#include "log.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__ConfigResponse Response;
typedef Virtioforwarder__ConfigResponse__RelayCPU RelayCPU;

#define MAX_RELAYS 64

static void config_reject(const char *why, struct vio_ctl_reply *reply)
{
	vio_ctl_reply_error(reply, &virtioforwarder__config_response__descriptor,
			    VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__EBADR, 0, VIO_LOG_MODULE,
			    NULL, why);
}

static int config_handle(const struct vio_ctl_backend *be, const uint8_t *req, size_t len,
			 struct vio_ctl_reply *reply, void **token, uint64_t *due_ns)
{
	Virtioforwarder__ConfigRequest *m = virtioforwarder__config_request__unpack(NULL, len, req);
	Response resp = VIRTIOFORWARDER__CONFIG_RESPONSE__INIT;
	RelayCPU entries[MAX_RELAYS], *list[MAX_RELAYS];

	(void)token;
	(void)due_ns;
	if (!m) {
		config_reject("not a ConfigRequest", reply);
		return VIO_CTL_DONE;
	}
	virtioforwarder__config_request__free_unpacked(m, NULL);
	for (unsigned id = 0; id < be->max_relays && id < MAX_RELAYS; id++) {
		struct vio_ctl_relay r;
		RelayCPU *e = &entries[resp.n_relay_cpu_map];

		if (be->relay(id, &r))
			continue;
		if (!vio_ctl_relay_in_use(&r) && r.pinned[VIO_DIR_VF_TO_VM] < 0 &&
		    r.pinned[VIO_DIR_VM_TO_VF] < 0)
			continue;
		virtioforwarder__config_response__relay_cpu__init(e);
		e->relay_number = (int32_t)id;
		e->vf2virtio_cpu = r.cpu[VIO_DIR_VF_TO_VM] >= 0 ? r.cpu[VIO_DIR_VF_TO_VM]
							       : r.pinned[VIO_DIR_VF_TO_VM];
		e->virtio2vf_cpu = r.cpu[VIO_DIR_VM_TO_VF] >= 0 ? r.cpu[VIO_DIR_VM_TO_VF]
							       : r.pinned[VIO_DIR_VM_TO_VF];
		list[resp.n_relay_cpu_map++] = e;
	}
	resp.status = VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK;
	resp.relay_cpu_map = list;
	vio_ctl_pack(&resp.base, reply);
	return VIO_CTL_DONE;
}

const struct vio_ctl_service vio_ctl_config_service = {
	.name = "config",
	.handle = config_handle,
	.reject = config_reject,
};
