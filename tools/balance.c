/* SPDX-License-Identifier: BSD-3-Clause */
/* The load balancer's decision: see balance.h. */
#include "balance.h"

#include <math.h>
#include <stdlib.h>

#define MAX_CPUS 1024

static int cmp_load_desc(const void *a, const void *b)
{
	const struct vio_bal_item *x = *(const struct vio_bal_item *const *)a;
	const struct vio_bal_item *y = *(const struct vio_bal_item *const *)b;

	if (x->load != y->load)
		return x->load < y->load ? 1 : -1;
	/* equal loads: a stable order (relay, direction) keeps plans repeatable */
	if (x->relay != y->relay)
		return x->relay < y->relay ? -1 : 1;
	return x->dir < y->dir ? -1 : (x->dir > y->dir);
}

static int cpu_index(const struct vio_bal_cpu *cpus, unsigned ncpu, unsigned cpu)
{
	for (unsigned i = 0; i < ncpu; i++)
		if (cpus[i].cpu == cpu)
			return (int)i;
	return -1;
}

static bool node_has_cpu(const struct vio_bal_cpu *cpus, unsigned ncpu, int numa)
{
	for (unsigned i = 0; i < ncpu; i++)
		if (cpus[i].numa == numa)
			return true;
	return false;
}

static double max_of(const double *v, unsigned n)
{
	double m = 0;

	for (unsigned i = 0; i < n; i++)
		if (v[i] > m)
			m = v[i];
	return m;
}

/* The least loaded allowed CPU for it; its current CPU wins ties. */
static unsigned pick(const struct vio_bal_item *it, const struct vio_bal_cpu *cpus,
		     unsigned ncpu, const double *load, bool global)
{
	bool local = !global && it->numa >= 0 && node_has_cpu(cpus, ncpu, it->numa);
	int best = -1;

	for (unsigned i = 0; i < ncpu; i++) {
		if (local && cpus[i].numa != it->numa)
			continue;
		if (it->load <= 0 && cpus[i].cpu == it->cpu)
			return i; /* idle: no reason to move it */
		if (best < 0 || load[i] < load[best] ||
		    (load[i] == load[best] && cpus[i].cpu == it->cpu))
			best = (int)i;
	}
	return (unsigned)best;
}

bool vio_balance(struct vio_bal_item *items, unsigned n, const struct vio_bal_cpu *cpus,
		 unsigned ncpu, const struct vio_bal_params *p, double *cur_max,
		 double *new_max)
{
	double now[MAX_CPUS] = {0}, plan[MAX_CPUS] = {0};
	struct vio_bal_item **order;
	bool stray = false, changed = false;
	double before, after;

	if (ncpu == 0 || ncpu > MAX_CPUS)
		return false;
	order = malloc(sizeof(*order) * (n ? n : 1));
	if (!order)
		return false;
	for (unsigned i = 0; i < n; i++) {
		int c = cpu_index(cpus, ncpu, items[i].cpu);

		if (c < 0)
			stray = true;
		else
			now[c] += items[i].load;
		order[i] = &items[i];
	}
	qsort(order, n, sizeof(*order), cmp_load_desc);
	for (unsigned i = 0; i < n; i++) {
		unsigned c = pick(order[i], cpus, ncpu, plan, p->global_numa);

		plan[c] += order[i]->load;
		order[i]->new_cpu = cpus[c].cpu;
		changed |= order[i]->new_cpu != order[i]->cpu;
	}
	free(order);
	before = max_of(now, ncpu);
	after = max_of(plan, ncpu);
	if (cur_max)
		*cur_max = before;
	if (new_max)
		*new_max = after;
	if (stray)
		return true;
	if (!changed || before < p->min_load)
		return false;
	if (p->cv_rule) {
		double cv_now = vio_balance_cv(items, n, cpus, ncpu, false);
		double cv_plan = vio_balance_cv(items, n, cpus, ncpu, true);

		return cv_plan >= 0 && cv_plan + p->sensitivity < cv_now;
	}
	return after <= before * (1.0 - p->gain);
}

double vio_balance_cv(const struct vio_bal_item *items, unsigned n,
		      const struct vio_bal_cpu *cpus, unsigned ncpu, bool planned)
{
	double load[MAX_CPUS] = {0}, sum = 0, var = 0, mean;

	if (ncpu == 0 || ncpu > MAX_CPUS)
		return -1;
	for (unsigned i = 0; i < n; i++) {
		int c = cpu_index(cpus, ncpu, planned ? items[i].new_cpu : items[i].cpu);

		if (c >= 0)
			load[c] += items[i].load;
	}
	for (unsigned i = 0; i < ncpu; i++)
		sum += load[i];
	mean = sum / ncpu;
	if (mean <= 0)
		return -1;
	for (unsigned i = 0; i < ncpu; i++)
		var += (load[i] - mean) * (load[i] - mean);
	return sqrt(var / ncpu) / mean;
}
