/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker task lists (src/worker.c) with a real worker lcore: directions put
 * on and taken off its list under the control lock, and the RCU handoff:
 * once vio_workers_sync() returns, the worker does not touch a direction
 * taken off its list (it is freed here: ASan would see a touch), and sync
 * does not return while the worker is still inside it.
 *
 * The datapath is faked (vio_forward_poll below): each direction has a
 * probe that counts its polls, can keep the worker busy, or hold it inside
 * the poll until the test lets go. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <rte_eal.h>
#include <rte_pause.h>

#include "config.h"
#include "ctl_lock.h"
#include "dp_harness.h"
#include "fake_relay_deps.h"
#include "log.h"
#include "forward.h"
#include "worker.h"

#define WORKER_CPU 1
#define PROBES 4

struct probe {
	const struct vio_relay_dir *d;
	unsigned long polls;      /* [atomic] */
	unsigned long polls_gone; /* [atomic] polls begun after the test called d gone */
	bool gone;                /* [atomic] */
	bool busy;                /* [atomic] the poll moves packets: the worker never sleeps */
	bool block;               /* [atomic] the poll waits until this is cleared */
	bool inside;              /* [atomic] the worker is in a blocked poll */
};

static struct probe probes[PROBES];
static unsigned long unknown_polls; /* [atomic] of a direction with no probe */
static struct vio_config cfg;

static struct probe *probe_of(const struct vio_relay_dir *d)
{
	for (unsigned i = 0; i < PROBES; i++)
		if (__atomic_load_n(&probes[i].d, __ATOMIC_ACQUIRE) == d)
			return &probes[i];
	return NULL;
}

/* The worker's poll of d: only the probe is touched, never d itself. */
unsigned vio_forward_poll(struct vio_relay_dir *d)
{
	struct probe *p = probe_of(d);

	if (!p) {
		__atomic_add_fetch(&unknown_polls, 1, __ATOMIC_RELAXED);
		return 0;
	}
	__atomic_add_fetch(&p->polls, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&p->gone, __ATOMIC_ACQUIRE))
		__atomic_add_fetch(&p->polls_gone, 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&p->block, __ATOMIC_ACQUIRE)) {
		__atomic_store_n(&p->inside, true, __ATOMIC_RELEASE);
		while (__atomic_load_n(&p->block, __ATOMIC_ACQUIRE))
			rte_pause();
		__atomic_store_n(&p->inside, false, __ATOMIC_RELEASE);
	}
	return __atomic_load_n(&p->busy, __ATOMIC_RELAXED) ? 1 : 0;
}

static unsigned long polls(const struct probe *p)
{
	return __atomic_load_n(&p->polls, __ATOMIC_RELAXED);
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Wait (at most 5 s) until p has been polled at least n times. */
static bool wait_polls(const struct probe *p, unsigned long n)
{
	for (unsigned i = 0; i < 5000 && polls(p) < n; i++)
		sleep_ms(1);
	return polls(p) >= n;
}

static bool wait_inside(const struct probe *p)
{
	for (unsigned i = 0; i < 5000 && !__atomic_load_n(&p->inside, __ATOMIC_ACQUIRE); i++)
		sleep_ms(1);
	return __atomic_load_n(&p->inside, __ATOMIC_ACQUIRE);
}

/* A relay on the heap (so that ASan sees a touch after it is freed), its
 * directions unassigned. */
static struct vio_relay *new_relay(unsigned id)
{
	struct vio_relay *r = calloc(1, sizeof(*r));

	assert_non_null(r);
	r->id = id;
	r->vid = -1;
	r->vf_numa = -1;
	r->vm_numa = -1;
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		r->dirs[d].relay = r;
		r->dirs[d].dir = (enum vio_dir)d;
		r->dirs[d].cpu = -1;
		r->dirs[d].pinned_cpu = -1;
		r->dirs[d].epfd = -1;
	}
	return r;
}

/* The probe i watches d. */
static struct probe *watch(unsigned i, const struct vio_relay_dir *d, bool busy)
{
	struct probe *p = &probes[i];

	memset(p, 0, sizeof(*p));
	p->busy = busy;
	__atomic_store_n(&p->d, d, __ATOMIC_RELEASE);
	return p;
}

/* [ctl] calls, with the control lock as the daemon takes it. */
static int locked(int (*op)(struct vio_relay_dir *), struct vio_relay_dir *d)
{
	int rc;

	vio_ctl_lock();
	rc = op(d);
	vio_ctl_unlock();
	return rc;
}

#define list(d) locked(vio_worker_list, (d))
#define unlist(d) locked(vio_worker_unlist, (d))

static int sync_workers(unsigned timeout_ms)
{
	int rc;

	vio_ctl_lock();
	rc = vio_workers_sync(timeout_ms);
	vio_ctl_unlock();
	return rc;
}

/* d of r off the list, the grace period waited for, r freed. */
static void retire(struct vio_relay *r, enum vio_dir d)
{
	assert_int_equal(unlist(&r->dirs[d]), 0);
	assert_int_equal(sync_workers(2000), 0);
	free(r);
}

/* Two relays, direction d of each watched (probes 0 and 1) and listed, b's
 * first; b's poll keeps the worker busy, a's as asked. */
static void two_listed(struct vio_relay **a, struct vio_relay **b, enum vio_dir d, bool a_busy)
{
	*a = new_relay(0);
	*b = new_relay(1);
	watch(0, &(*a)->dirs[d], a_busy);
	watch(1, &(*b)->dirs[d], true);
	assert_int_equal(list(&(*b)->dirs[d]), 0);
	assert_int_equal(list(&(*a)->dirs[d]), 0);
	assert_int_equal(sync_workers(2000), 0);
}

/* d is off the list and the grace period is over: from now on a poll of d
 * is a fault.  Then the worker goes on with the others for a while (the
 * busy probe alive gets many more polls) and never polls d again. */
static void assert_never_again(struct probe *gone, const struct probe *alive)
{
	unsigned long before = polls(gone);

	__atomic_store_n(&gone->gone, true, __ATOMIC_RELEASE);
	assert_true(wait_polls(alive, polls(alive) + 10000));
	assert_int_equal(__atomic_load_n(&gone->polls_gone, __ATOMIC_RELAXED), 0);
	assert_int_equal(polls(gone), before);
}

/* (A worker a failed test left inside a poll is let go first.) */
static int reset(void **state)
{
	(void)state;
	for (unsigned i = 0; i < PROBES; i++)
		__atomic_store_n(&probes[i].block, false, __ATOMIC_RELEASE);
	for (unsigned i = 0; i < PROBES; i++)
		while (__atomic_load_n(&probes[i].inside, __ATOMIC_ACQUIRE))
			rte_pause();
	memset(probes, 0, sizeof(probes));
	fdeps_reset();
	return 0;
}

/* Each listed direction is polled by the one worker; nothing else is. */
static void listed_directions_are_polled(void **state)
{
	struct vio_relay *r = new_relay(0);
	struct probe *p0 = watch(0, &r->dirs[0], false), *p1 = watch(1, &r->dirs[1], false);

	(void)state;
	assert_int_equal(vio_workers_count(), 1);
	assert_int_equal(vio_worker_cpu(0), WORKER_CPU);
	assert_true(vio_worker_cpu_valid(WORKER_CPU));
	assert_false(vio_worker_cpu_valid(0));
	for (int d = 0; d < VIO_NB_DIRS; d++) {
		assert_int_equal(list(&r->dirs[d]), 0);
		assert_true(r->dirs[d].listed);
		assert_int_equal(r->dirs[d].cpu, WORKER_CPU);
		assert_true(r->dirs[d].epfd >= 0); /* its wake-up sources registered */
	}
	assert_int_equal(sync_workers(2000), 0);
	assert_true(wait_polls(p0, 10));
	assert_true(wait_polls(p1, 10));
	assert_int_equal(unlist(&r->dirs[0]), 0);
	assert_false(r->dirs[0].listed);
	retire(r, 1);
	assert_int_equal(__atomic_load_n(&unknown_polls, __ATOMIC_RELAXED), 0);
}

/* A direction taken off the list and waited for is never touched again:
 * its relay is freed at once, while the worker goes on with another. */
static void removed_direction_not_touched_after_sync(void **state)
{
	struct vio_relay *a, *b;

	(void)state;
	two_listed(&a, &b, VIO_DIR_VM_TO_VF, true);
	assert_true(wait_polls(&probes[0], 1000));
	assert_true(wait_polls(&probes[1], 1000));
	retire(a, VIO_DIR_VM_TO_VF);
	assert_never_again(&probes[0], &probes[1]);
	retire(b, VIO_DIR_VM_TO_VF);
}

/* While the worker is inside a direction's poll, taking the direction off
 * the list does not end the grace period: sync times out (negative
 * control), and returns once the worker is out. */
static void sync_waits_for_the_worker_inside(void **state)
{
	struct probe *pa = &probes[0];
	struct vio_relay *a, *b;

	(void)state;
	/* synced first: the next change would wait for the grace period */
	two_listed(&a, &b, VIO_DIR_VF_TO_VM, false);
	__atomic_store_n(&pa->block, true, __ATOMIC_RELEASE);
	assert_true(wait_inside(pa));

	assert_int_equal(unlist(&a->dirs[VIO_DIR_VF_TO_VM]), 0);
	assert_int_equal(sync_workers(50), -ETIMEDOUT);
	assert_true(__atomic_load_n(&pa->inside, __ATOMIC_ACQUIRE)); /* still in there */
	__atomic_store_n(&pa->block, false, __ATOMIC_RELEASE);
	assert_int_equal(sync_workers(2000), 0);
	assert_false(__atomic_load_n(&pa->inside, __ATOMIC_ACQUIRE));
	free(a);
	assert_never_again(pa, &probes[1]);
	retire(b, VIO_DIR_VF_TO_VM);
}

/* Several changes without a sync in between (the second waits for the
 * first's grace period itself): each list keeps the right directions. */
static void changes_without_sync_in_between(void **state)
{
	struct vio_relay *a = new_relay(0), *b = new_relay(1), *c = new_relay(2);
	struct probe *pa = watch(0, &a->dirs[0], true), *pb = watch(1, &b->dirs[0], true);
	struct probe *pc = watch(2, &c->dirs[0], true);

	(void)state;
	assert_int_equal(list(&a->dirs[0]), 0);
	assert_int_equal(list(&b->dirs[0]), 0);
	assert_int_equal(list(&c->dirs[0]), 0);
	assert_true(wait_polls(pa, 100));
	assert_true(wait_polls(pb, 100));
	assert_true(wait_polls(pc, 100));

	assert_int_equal(unlist(&a->dirs[0]), 0);
	assert_int_equal(unlist(&b->dirs[0]), 0);
	assert_int_equal(sync_workers(2000), 0);
	free(a);
	free(b);
	__atomic_store_n(&pb->gone, true, __ATOMIC_RELEASE);
	assert_never_again(pa, pc); /* (many passes over c: b's are counted too) */
	assert_int_equal(__atomic_load_n(&pb->polls_gone, __ATOMIC_RELAXED), 0);
	retire(c, 0);
}

/* Pins: to a CPU with no worker, listing fails and changes nothing; to
 * the worker's CPU it succeeds.  Listing twice or unlisting an unlisted
 * direction does nothing. */
static void pins_and_repeats(void **state)
{
	struct vio_relay *r = new_relay(0);
	struct vio_relay_dir *d = &r->dirs[VIO_DIR_VF_TO_VM];
	struct probe *p = watch(0, d, false);

	(void)state;
	d->pinned_cpu = 0; /* the main lcore: no worker there */
	assert_int_equal(list(d), -ENODEV);
	assert_false(d->listed);
	assert_int_equal(d->cpu, -1);
	assert_int_equal(d->epfd, -1);

	d->cpu = 3; /* an assignment to a CPU that has no worker */
	assert_int_equal(list(d), -ENODEV);
	assert_false(d->listed);

	d->cpu = -1;
	d->pinned_cpu = WORKER_CPU;
	assert_int_equal(unlist(d), 0);
	assert_int_equal(list(d), 0);
	assert_int_equal(list(d), 0);
	assert_true(d->listed);
	assert_int_equal(d->cpu, WORKER_CPU);
	assert_true(wait_polls(p, 10));
	assert_int_equal(unlist(d), 0);
	assert_int_equal(unlist(d), 0);
	assert_int_equal(sync_workers(2000), 0);
	free(r);
}

static int setup(void **state)
{
	(void)state;
	vio_log_init(LOG_WARNING, false); /* the refusals tested say why */
	if (dp_eal_init("test_worker", "0,1"))
		return -1;
	vio_config_defaults(&cfg, 8);
	vio_cpuset_zero(&cfg.worker_cpus);
	vio_cpuset_set(&cfg.worker_cpus, WORKER_CPU);
	if (vio_workers_init(&cfg) || vio_workers_launch())
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vio_workers_stop();
	vio_workers_fini();
	rte_eal_cleanup();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(listed_directions_are_polled, reset),
		cmocka_unit_test_setup(removed_direction_not_touched_after_sync, reset),
		cmocka_unit_test_setup(sync_waits_for_the_worker_inside, reset),
		cmocka_unit_test_setup(changes_without_sync_in_between, reset),
		cmocka_unit_test_setup(pins_and_repeats, reset),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
