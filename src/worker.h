/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker lcores: each busy-polls the relay directions on its task list and
 * backs off (sleeping, RCU-offline) when a pass moved nothing.
 *
 * Task lists are immutable arrays published with an atomic pointer store;
 * the control thread replaces a list, then waits for an RCU grace period
 * (rte_rcu_qsbr) before freeing the old one or touching what it dropped.
 */
#ifndef VIO_WORKER_H
#define VIO_WORKER_H

#include <stdbool.h>

#include "config.h"
#include "counters.h"
#include "relay.h"

int vio_workers_init(const struct vio_config *cfg);
int vio_workers_launch(void);
void vio_workers_stop(void);
void vio_workers_fini(void);

unsigned vio_workers_count(void);
/* Worker i's cycle accounting (counters.h); 0 or -ERANGE. */
int vio_worker_stats_read(unsigned i, struct vio_worker_stats *out);
unsigned vio_worker_cpu(unsigned idx);
bool vio_worker_cpu_valid(unsigned cpu);

/* Wake the worker of cpu should it be asleep (any thread, never waits). */
void vio_worker_wake_cpu(int cpu);

/* [ctl] Put d on / take d off the list of its worker (d->cpu), choosing a
 * worker first when d has none.  Neither waits: call vio_workers_sync(). */
int vio_worker_list(struct vio_relay_dir *d);
int vio_worker_unlist(struct vio_relay_dir *d);

/* [ctl] Wait until every worker has passed a quiescent state since the last
 * list change, at most timeout_ms.  0, or -ETIMEDOUT. */
int vio_workers_sync(unsigned timeout_ms);

#define VIO_SYNC_TIMEOUT_MS 2000

#endif
