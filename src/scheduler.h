/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker selection: which worker CPU serves a relay direction.  Pure logic,
 * no DPDK: unit-tested on its own. */
#ifndef VIO_SCHEDULER_H
#define VIO_SCHEDULER_H

#define VIO_SCHED_ANY_NUMA (-1)

struct vio_sched_worker {
	unsigned cpu;
	int numa;          /* NUMA node of the CPU */
	unsigned load;     /* directions currently served */
};

/* The least busy worker, preferring workers on numa (unless
 * VIO_SCHED_ANY_NUMA or none is there); ties go to the lowest CPU.
 * Returns an index into w, or -1 when n == 0. */
int vio_sched_pick(const struct vio_sched_worker *w, unsigned n, int numa);

/* Index of the worker with that CPU, or -1. */
int vio_sched_find(const struct vio_sched_worker *w, unsigned n, unsigned cpu);

#endif
