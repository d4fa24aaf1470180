/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker selection: see scheduler.h. */
#include "scheduler.h"

#include <stdbool.h>
#include <stddef.h>

static int pick(const struct vio_sched_worker *w, unsigned n, int numa, bool numa_only)
{
	int best = -1;

	for (unsigned i = 0; i < n; i++) {
		if (numa_only && w[i].numa != numa)
			continue;
		if (best < 0 || w[i].load < w[best].load ||
		    (w[i].load == w[best].load && w[i].cpu < w[best].cpu))
			best = (int)i;
	}
	return best;
}

int vio_sched_pick(const struct vio_sched_worker *w, unsigned n, int numa)
{
	int i = -1;

	if (numa != VIO_SCHED_ANY_NUMA)
		i = pick(w, n, numa, true);
	return i >= 0 ? i : pick(w, n, numa, false);
}

int vio_sched_find(const struct vio_sched_worker *w, unsigned n, unsigned cpu)
{
	for (unsigned i = 0; i < n; i++)
		if (w[i].cpu == cpu)
			return (int)i;
	return -1;
}
