/* SPDX-License-Identifier: BSD-3-Clause */
/* The load balancer's decision (vio4wd_core_scheduler, user's guide
 * section 9), kept free of I/O so that unit tests can drive it.
 *
 * Each relay direction is an item with a load (packets per second it
 * receives) and the worker CPU serving it now.  A plan gives every item a
 * worker CPU: heaviest items first, each on the least loaded CPU of its
 * NUMA node (any CPU when that node has none), ties going to the CPU it is
 * on already so that a balanced host sees no moves. */
#ifndef VIO_TOOL_BALANCE_H
#define VIO_TOOL_BALANCE_H

#include <stdbool.h>

struct vio_bal_item {
	unsigned relay;
	unsigned dir;      /* 0 = VF->VM, 1 = VM->VF */
	double load;       /* packets per second */
	int numa;          /* the relay's node, -1 = any */
	unsigned cpu;      /* serving it now */
	unsigned new_cpu;  /* out: the plan */
};

struct vio_bal_cpu {
	unsigned cpu;
	int numa;          /* -1 = unknown */
};

struct vio_bal_params {
	double min_load;   /* below this busiest-CPU load nothing is moved (pps) */
	double gain;       /* move only when the busiest CPU drops by this share */
	/* The original balancer's rule instead of gain: move only when the
	 * coefficient of variation of the worker CPUs' loads drops by more
	 * than sensitivity (new + sensitivity < current). */
	bool cv_rule;
	double sensitivity;
	bool global_numa;  /* any worker CPU for any item, whatever its node */
};

/* Plan new_cpu for items[0..n) over cpus[0..ncpu).  Returns true when the
 * plan is worth applying: the busiest CPU carries at least min_load and the
 * plan lowers the busiest load by at least gain (0.1 = 10%), or with
 * cv_rule its coefficient of variation as said above.  *cur_max and
 * *new_max (may be NULL) receive the busiest CPU's load before and after.
 * Items on a CPU that is not in cpus always count as worth moving. */
bool vio_balance(struct vio_bal_item *items, unsigned n, const struct vio_bal_cpu *cpus,
		 unsigned ncpu, const struct vio_bal_params *p, double *cur_max,
		 double *new_max);

/* Coefficient of variation (standard deviation / mean) of the loads of
 * cpus[0..ncpu) with items on their cpu, or with planned on new_cpu; -1
 * when there is no load.  Items on other CPUs are left out. */
double vio_balance_cv(const struct vio_bal_item *items, unsigned n,
		      const struct vio_bal_cpu *cpus, unsigned ncpu, bool planned);

#endif
