/* SPDX-License-Identifier: BSD-3-Clause */
/* DPDK EAL bring-up: lcores from the configuration, hugepages or ordinary
 * shared memory, and no device probed except the ones the relays attach. */
#ifndef VIO_EAL_H
#define VIO_EAL_H

#include <stdbool.h>
#include <stddef.h>

#include "config.h"

struct vio_mem_plan {
	bool hugepages;
	unsigned memory_mb;      /* --no-huge size, or the estimate with hugepages */
	char reason[200];        /* why this memory was chosen */
};

/* Decide hugepages or shared memory (pure but for sysfs/statfs reads). */
int vio_eal_plan_memory(const struct vio_config *c, struct vio_mem_plan *plan, char *err,
			size_t errlen);

int vio_eal_init(const struct vio_config *c, const char *prog, const struct vio_mem_plan *plan,
		 char *err, size_t errlen);
void vio_eal_fini(void);

#endif
