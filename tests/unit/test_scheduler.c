/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/scheduler.c: choosing the worker CPU of a relay
 * direction. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scheduler.h"

#define N(a) ((unsigned)(sizeof(a) / sizeof((a)[0])))

static void test_empty(void **state)
{
	struct vio_sched_worker w[1] = {{.cpu = 1, .numa = 0, .load = 0}};

	assert_int_equal(vio_sched_pick(w, 0, VIO_SCHED_ANY_NUMA), -1);
	assert_int_equal(vio_sched_pick(w, 0, 0), -1);
	assert_int_equal(vio_sched_pick(NULL, 0, 1), -1);
}

static void test_single(void **state)
{
	struct vio_sched_worker w[] = {{.cpu = 5, .numa = 1, .load = 9}};

	assert_int_equal(vio_sched_pick(w, 1, VIO_SCHED_ANY_NUMA), 0);
	assert_int_equal(vio_sched_pick(w, 1, 0), 0); /* fallback off-node */
	assert_int_equal(vio_sched_pick(w, 1, 1), 0);
}

static void test_least_loaded(void **state)
{
	struct vio_sched_worker w[] = {
		{.cpu = 1, .numa = 0, .load = 3},
		{.cpu = 2, .numa = 0, .load = 1},
		{.cpu = 3, .numa = 0, .load = 2},
	};

	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 1);
	assert_int_equal(vio_sched_pick(w, N(w), 0), 1);
	w[1].load = 5;
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 2);
	w[0].load = 0;
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 0);
	/* only the first n entries count */
	w[0].load = 10;
	w[2].load = 0;
	assert_int_equal(vio_sched_pick(w, 2, VIO_SCHED_ANY_NUMA), 1);
}

static void test_ties_lowest_cpu(void **state)
{
	struct vio_sched_worker w[] = {
		{.cpu = 5, .numa = 0, .load = 1},
		{.cpu = 2, .numa = 0, .load = 1},
		{.cpu = 7, .numa = 0, .load = 1},
		{.cpu = 3, .numa = 0, .load = 1},
	};

	/* lowest CPU number, not lowest index */
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 1);
	w[1].load = 2;
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 3);
	w[3].load = 2;
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 0);
	/* load beats CPU number */
	w[2].load = 0;
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 2);
}

static void test_numa_preference(void **state)
{
	struct vio_sched_worker w[] = {
		{.cpu = 1, .numa = 0, .load = 0},
		{.cpu = 2, .numa = 1, .load = 5},
		{.cpu = 3, .numa = 1, .load = 4},
		{.cpu = 4, .numa = 0, .load = 0},
	};

	/* a busier worker on the wanted node beats an idle one elsewhere */
	assert_int_equal(vio_sched_pick(w, N(w), 1), 2);
	w[1].load = 4;
	assert_int_equal(vio_sched_pick(w, N(w), 1), 1); /* tie on node 1: CPU 2 */
	assert_int_equal(vio_sched_pick(w, N(w), 0), 0);
	w[0].load = 1;
	assert_int_equal(vio_sched_pick(w, N(w), 0), 3);
	/* any node: the global least loaded */
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 3);
}

static void test_numa_fallback(void **state)
{
	struct vio_sched_worker w[] = {
		{.cpu = 4, .numa = 0, .load = 2},
		{.cpu = 1, .numa = 1, .load = 3},
		{.cpu = 6, .numa = 0, .load = 1},
		{.cpu = 9, .numa = 1, .load = 1},
	};

	/* no worker on node 2 (or 7): least loaded anywhere, ties to lowest CPU */
	assert_int_equal(vio_sched_pick(w, N(w), 2), 2);
	assert_int_equal(vio_sched_pick(w, N(w), 7), 2);
	w[2].load = 3;
	assert_int_equal(vio_sched_pick(w, N(w), 2), 3);
	assert_int_equal(vio_sched_pick(w, N(w), VIO_SCHED_ANY_NUMA), 3);
}

static void test_find(void **state)
{
	struct vio_sched_worker w[] = {
		{.cpu = 4, .numa = 0, .load = 2},
		{.cpu = 1, .numa = 1, .load = 3},
		{.cpu = 6, .numa = 0, .load = 1},
	};

	assert_int_equal(vio_sched_find(w, N(w), 4), 0);
	assert_int_equal(vio_sched_find(w, N(w), 1), 1);
	assert_int_equal(vio_sched_find(w, N(w), 6), 2);
	assert_int_equal(vio_sched_find(w, N(w), 0), -1);
	assert_int_equal(vio_sched_find(w, N(w), 5), -1);
	assert_int_equal(vio_sched_find(w, 2, 6), -1);
	assert_int_equal(vio_sched_find(w, 0, 4), -1);
	assert_int_equal(vio_sched_find(NULL, 0, 4), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_single),
		cmocka_unit_test(test_least_loaded),
		cmocka_unit_test(test_ties_lowest_cpu),
		cmocka_unit_test(test_numa_preference),
		cmocka_unit_test(test_numa_fallback),
		cmocka_unit_test(test_find),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
