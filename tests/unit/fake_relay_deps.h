/* SPDX-License-Identifier: BSD-3-Clause */
/* Fakes of the modules around relay.c and worker.c, for their unit tests
 * (test_relay_state, test_worker): VF ports (vf_port.h), bonds (vf_bond.h),
 * VF events (vf_events.h), wake-up sources (notify.h) and the daemon's
 * input signals.  Defined in the test
 * program, in place of the real modules (not linked in).
 *
 * What the relay asked of the VF side is written to fdeps.log, in order,
 * as "attach 5;configure 5;start 5;watch 5 on;" and so on; every call can
 * be made to fail.  Buffer pools are real (small) mempools. */
#ifndef VIO_FAKE_RELAY_DEPS_H
#define VIO_FAKE_RELAY_DEPS_H

#include <stdbool.h>
#include <stdint.h>

struct fake_deps {
	char log[2048];
	/* negative errno the next calls return, 0: succeed */
	int fail_attach, fail_configure, fail_reset, fail_start, fail_pool;
	uint16_t next_port; /* the port attach gives */
	int pool_node;      /* vio_pool_node's answer; -1 by default */
	uint16_t mtu;       /* what configure gives the port; 1500 */
	bool can_sleep;     /* what notify register says of a direction */
	unsigned pools_created;
};

extern struct fake_deps fdeps;

/* Default answers, empty log (pools the relay still has stay). */
void fdeps_reset(void);
/* Pools made by the fake vio_vf_pool_create not freed yet. */
unsigned fdeps_live_pools(void);

#endif
