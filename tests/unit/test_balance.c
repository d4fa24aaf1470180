/* SPDX-License-Identifier: BSD-3-Clause */
/* The load balancer's planning (tools/balance.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "balance.h"

static const struct vio_bal_params P = {.min_load = 1000, .gain = 0.1};
static const struct vio_bal_cpu TWO[] = {{.cpu = 1, .numa = 0}, {.cpu = 2, .numa = 0}};

#define ITEM(r, d, l, c) {.relay = (r), .dir = (d), .load = (l), .numa = -1, .cpu = (c)}

static double cpu_load(const struct vio_bal_item *it, unsigned n, unsigned cpu)
{
	double s = 0;

	for (unsigned i = 0; i < n; i++)
		if (it[i].new_cpu == cpu)
			s += it[i].load;
	return s;
}

/* Everything on CPU 1: the plan spreads it, heaviest first. */
static void test_spreads_a_hot_cpu(void **state)
{
	struct vio_bal_item it[] = {ITEM(0, 0, 50000, 1), ITEM(0, 1, 40000, 1),
				    ITEM(1, 0, 30000, 1), ITEM(1, 1, 20000, 1)};
	double before, after;

	(void)state;
	assert_true(vio_balance(it, 4, TWO, 2, &P, &before, &after));
	assert_true(before == 140000);
	assert_true(after == 70000);
	assert_true(cpu_load(it, 4, 1) == 70000);
	assert_true(cpu_load(it, 4, 2) == 70000);
	/* the heaviest stays where it is (ties go to the current CPU) */
	assert_int_equal(it[0].new_cpu, 1);
}

/* Already balanced: no plan, nothing moves. */
static void test_balanced_host_is_left_alone(void **state)
{
	struct vio_bal_item it[] = {ITEM(0, 0, 50000, 1), ITEM(0, 1, 50000, 2),
				    ITEM(1, 0, 10000, 2), ITEM(1, 1, 10000, 1)};

	(void)state;
	assert_false(vio_balance(it, 4, TWO, 2, &P, NULL, NULL));
	for (int i = 0; i < 4; i++)
		assert_int_equal(it[i].new_cpu, it[i].cpu);
}

/* A small gain is not worth a move; a low load is not worth one either. */
static void test_hysteresis_and_floor(void **state)
{
	struct vio_bal_item a[] = {ITEM(0, 0, 52000, 1), ITEM(0, 1, 48000, 2),
				   ITEM(1, 0, 4000, 1)};
	struct vio_bal_item b[] = {ITEM(0, 0, 300, 1), ITEM(0, 1, 300, 1)};
	double before, after;

	(void)state;
	/* 56000 vs 52000 on the busiest CPU: 7%, below the 10% gain */
	assert_false(vio_balance(a, 3, TWO, 2, &P, &before, &after));
	assert_true(before == 56000);
	/* 600 pps in all: below min_load */
	assert_false(vio_balance(b, 2, TWO, 2, &P, &before, NULL));
	assert_true(before == 600);
}

/* Idle directions stay put even when others move. */
static void test_idle_items_stay(void **state)
{
	struct vio_bal_item it[] = {ITEM(0, 0, 50000, 1), ITEM(0, 1, 50000, 1),
				    ITEM(1, 0, 0, 1), ITEM(2, 1, 0, 2)};

	(void)state;
	assert_true(vio_balance(it, 4, TWO, 2, &P, NULL, NULL));
	assert_int_equal(it[2].new_cpu, 1);
	assert_int_equal(it[3].new_cpu, 2);
	assert_int_not_equal(it[0].new_cpu, it[1].new_cpu);
}

/* NUMA: a relay on node 1 is only placed on node 1's CPUs; a relay whose
 * node has no worker may go anywhere. */
static void test_numa_local_first(void **state)
{
	static const struct vio_bal_cpu cpus[] = {{.cpu = 1, .numa = 0}, {.cpu = 2, .numa = 0},
						  {.cpu = 9, .numa = 1}};
	struct vio_bal_item it[] = {
		{.relay = 0, .dir = 0, .load = 50000, .numa = 1, .cpu = 1},
		{.relay = 0, .dir = 1, .load = 50000, .numa = 1, .cpu = 1},
		{.relay = 1, .dir = 0, .load = 60000, .numa = 3, .cpu = 1},
	};

	(void)state;
	double after;

	assert_true(vio_balance(it, 3, cpus, 3, &P, NULL, &after));
	assert_true(after == 100000); /* node 1's one CPU takes both */
	assert_int_equal(it[0].new_cpu, 9);
	assert_int_equal(it[1].new_cpu, 9);
	assert_int_equal(it[2].new_cpu, 1); /* node 3 has none: any, here its own */
}

/* A direction on a CPU that is no longer a worker is always re-placed. */
static void test_stray_cpu_is_replaced(void **state)
{
	struct vio_bal_item it[] = {ITEM(0, 0, 10, 7), ITEM(0, 1, 10, 1)};

	(void)state;
	assert_true(vio_balance(it, 2, TWO, 2, &P, NULL, NULL));
	assert_true(it[0].new_cpu == 1 || it[0].new_cpu == 2);
}

/* The coefficient of variation of the CPU loads (the original's measure). */
static void test_cv(void **state)
{
	struct vio_bal_item it[] = {ITEM(0, 0, 100, 1), ITEM(0, 1, 0, 2)};
	struct vio_bal_item idle[] = {ITEM(0, 0, 0, 1)};

	(void)state;
	it[0].new_cpu = 1;
	it[1].new_cpu = 1;
	assert_true(vio_balance_cv(it, 2, TWO, 2, false) == 1.0); /* 100 and 0 */
	it[0].load = 50;
	it[1].load = 50;
	assert_true(vio_balance_cv(it, 2, TWO, 2, false) == 0.0);
	assert_true(vio_balance_cv(it, 2, TWO, 2, true) == 1.0); /* planned: both on 1 */
	assert_true(vio_balance_cv(idle, 1, TWO, 2, false) == -1.0);
	assert_true(vio_balance_cv(it, 2, TWO, 0, false) == -1.0);
}

/* --sensitivity: the original's rule replaces the gain; the floor stays. */
static void test_cv_rule(void **state)
{
	struct vio_bal_item a[] = {ITEM(0, 0, 52000, 1), ITEM(0, 1, 48000, 2),
				   ITEM(1, 0, 4000, 1)};
	struct vio_bal_item b[] = {ITEM(0, 0, 300, 1), ITEM(0, 1, 300, 1)};
	struct vio_bal_params cv = {.min_load = 1000, .cv_rule = true, .sensitivity = 0.05};

	(void)state;
	/* 56000/48000 (variation 0.077) to 52000/52000 (0): only 7% off the
	 * busiest CPU, too little for the gain of 10%, but more than 0.05 */
	assert_false(vio_balance(a, 3, TWO, 2, &P, NULL, NULL));
	assert_true(vio_balance(a, 3, TWO, 2, &cv, NULL, NULL));
	assert_int_equal(a[2].new_cpu, 2);
	/* less sensitive: kept */
	cv.sensitivity = 0.1;
	assert_false(vio_balance(a, 3, TWO, 2, &cv, NULL, NULL));
	/* all on one CPU: variation 1 to 0 */
	cv.sensitivity = 0.25;
	b[0].load = b[1].load = 30000;
	assert_true(vio_balance(b, 2, TWO, 2, &cv, NULL, NULL));
	cv.sensitivity = 1.0; /* 0 + 1 < 1 is false */
	assert_false(vio_balance(b, 2, TWO, 2, &cv, NULL, NULL));
	/* below min_load nothing moves, whatever the variation */
	cv.sensitivity = 0;
	b[0].load = b[1].load = 300;
	assert_false(vio_balance(b, 2, TWO, 2, &cv, NULL, NULL));
}

/* --global-numa-opt: a relay may go to any worker CPU, not only its node's. */
static void test_global_numa(void **state)
{
	static const struct vio_bal_cpu cpus[] = {{.cpu = 1, .numa = 0}, {.cpu = 2, .numa = 0},
						  {.cpu = 9, .numa = 1}};
	struct vio_bal_item it[] = {
		{.relay = 0, .dir = 0, .load = 50000, .numa = 1, .cpu = 1},
		{.relay = 0, .dir = 1, .load = 50000, .numa = 1, .cpu = 1},
		{.relay = 1, .dir = 0, .load = 60000, .numa = 3, .cpu = 1},
	};
	struct vio_bal_params g = P;
	double after;

	(void)state;
	g.global_numa = true;
	assert_true(vio_balance(it, 3, cpus, 3, &g, NULL, &after));
	assert_true(after == 60000); /* one direction per CPU, not both on CPU 9 */
	assert_int_equal(it[2].new_cpu, 1);
	assert_int_equal(it[0].new_cpu, 2);
	assert_int_equal(it[1].new_cpu, 9);
}

static void test_no_cpus(void **state)
{
	struct vio_bal_item it[] = {ITEM(0, 0, 10, 1)};

	(void)state;
	assert_false(vio_balance(it, 1, TWO, 0, &P, NULL, NULL));
	assert_false(vio_balance(it, 0, TWO, 2, &P, NULL, NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_spreads_a_hot_cpu),
		cmocka_unit_test(test_balanced_host_is_left_alone),
		cmocka_unit_test(test_hysteresis_and_floor),
		cmocka_unit_test(test_cv),
		cmocka_unit_test(test_cv_rule),
		cmocka_unit_test(test_global_numa),
		cmocka_unit_test(test_idle_items_stay),
		cmocka_unit_test(test_numa_local_first),
		cmocka_unit_test(test_stray_cpu_is_replaced),
		cmocka_unit_test(test_no_cpus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
