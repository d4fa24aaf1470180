/* SPDX-License-Identifier: BSD-3-Clause */
/* A relay's states (src/relay.c) as its two sides come and go: the VF
 * (vio_relay_add_vf/remove_vf, removal and reset events) and the VM
 * (vio_relay_vm_up/vm_down, as vhost.c's callbacks call them, control lock
 * held).  The VF side is faked (fake_relay_deps.c logs what the relay asked
 * of it, in order), the guest's queries too (fake_vhost.c); the worker
 * task lists are real (worker.c, no worker launched: a grace period is
 * immediate), as is the datapath's release of held frames (forward.c).
 *
 * Checked after each step: which side the relay has, whether the VF port
 * is started, which directions are on a worker's list, what was asked of
 * the VF in which order; and that a refused step changes nothing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "test_util.h"

#include "config.h"
#include "dp_harness.h"
#include "fake_relay_deps.h"
#include "log.h"
#include "fake_vhost.h"
#include "relay.h"
#include "worker.h"

#define PORT 5 /* what the fake attach gives */
#define VID 3  /* the guest's vhost device */

static struct vio_config cfg;
static struct vio_relay *r0;
static char err[256];

static struct vio_vf_dev vf_dev(const char *name)
{
	struct vio_vf_dev dev;

	assert_int_equal(vio_parse_vf_dev(name, &dev, err, sizeof(err)), 0);
	return dev;
}

static int add_vf(unsigned id, const char *name)
{
	struct vio_vf_dev dev = vf_dev(name);

	err[0] = 0;
	return vio_relay_add_vf(id, &dev, err, sizeof(err));
}

static int remove_vf(unsigned id)
{
	err[0] = 0;
	return vio_relay_remove_vf(id, err, sizeof(err));
}

/* The vhost callbacks' calls, with the control lock as they take it. */
static int vm_up(struct vio_relay *r, int vid)
{
	int rc;

	vio_ctl_lock();
	rc = vio_relay_vm_up(r, vid);
	vio_ctl_unlock();
	return rc;
}

static void vm_down(struct vio_relay *r)
{
	vio_ctl_lock();
	vio_relay_vm_down(r);
	vio_ctl_unlock();
}

static int vf_event(unsigned id, uint16_t port, enum vio_vf_event ev)
{
	int rc;

	vio_ctl_lock();
	rc = vio_relay_vf_event(id, port, ev);
	vio_ctl_unlock();
	return rc;
}

/* The relay's state: its sides, its port, its directions on a list. */
static void assert_state(const struct vio_relay *r, bool vf, bool vm, bool started, bool in,
			 bool out)
{
	assert_int_equal(r->has_vf, vf);
	assert_int_equal(r->vm_running, vm);
	assert_int_equal(r->port_started, started);
	assert_int_equal(r->dirs[VIO_DIR_VF_TO_VM].listed, in);
	assert_int_equal(r->dirs[VIO_DIR_VM_TO_VF].listed, out);
	assert_int_equal(r->vid, vm ? VID : -1);
}

/* What was asked of the VF side since the last check, in order. */
static void assert_log(const char *want)
{
	assert_string_equal(fdeps.log, want);
	fdeps.log[0] = 0;
}

static int reset(void **state)
{
	(void)state;
	fdeps_reset();
	fv_reset();
	fv.numa = 0;
	err[0] = 0;
	return 0;
}

/* Whatever a test left (failed ones too): no VM, no VF, no pool. */
static int clean_up(void **state)
{
	(void)state;
	for (unsigned id = 0; id < 2; id++) {
		struct vio_relay *r = vio_relay_get(id);

		r->busy = false;
		if (r->vm_running)
			vm_down(r);
		if (r->has_vf)
			remove_vf(id);
	}
	return fdeps_live_pools() == 0 ? 0 : -1;
}

/* VF first: attached and configured, its port not started (nothing flows
 * to a VF before the VM is there), nothing listed.  The VM: port started,
 * both directions listed.  Then back down in the reverse order. */
static void vf_first_then_vm(void **state)
{
	(void)state;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_log("attach 5;pool 0 node 0;configure 5;events 5 on;");
	assert_state(r0, true, false, false, false, false);
	assert_true(vio_relay_in_use(r0));
	assert_int_equal(r0->vf_max_frame, 1500 + 14 + 8);
	assert_int_equal(r0->port_id, PORT);
	assert_int_equal(fdeps_live_pools(), 1);

	assert_int_equal(vm_up(r0, VID), 0);
	assert_log("start 5;watch 5 on;");
	assert_state(r0, true, true, true, true, true);
	assert_true(vio_worker_cpu_valid((unsigned)r0->dirs[0].cpu));
	assert_true(vio_worker_cpu_valid((unsigned)r0->dirs[1].cpu));

	vm_down(r0);
	assert_log("watch 5 off;stop 5;");
	assert_state(r0, true, false, false, false, false);
	assert_int_equal(r0->dirs[0].epfd, -1); /* wake-up sources gone */

	assert_int_equal(remove_vf(0), 0);
	assert_log("events 5 off;detach 5;");
	assert_state(r0, false, false, false, false, false);
	assert_false(vio_relay_in_use(r0));
	assert_null(r0->pool);
	assert_int_equal(fdeps_live_pools(), 0);
}

/* VM first: VM->VF is listed at once (it drains the guest, counting what it
 * drops), VF->VM waits for a VF, whose buffers go on the VM's node.  The VF
 * goes while the VM stays: VF->VM off its list, VM->VF stays on. */
static void vm_first_then_vf(void **state)
{
	(void)state;
	fv.numa = 1;
	assert_int_equal(vm_up(r0, VID), 0);
	assert_log("");
	assert_state(r0, false, true, false, false, true);
	assert_int_equal(r0->vm_numa, 1);

	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_log("attach 5;pool 0 node 1;configure 5;events 5 on;start 5;watch 5 on;");
	assert_state(r0, true, true, true, true, true);

	assert_int_equal(remove_vf(0), 0);
	assert_log("watch 5 off;stop 5;events 5 off;detach 5;");
	assert_state(r0, false, true, false, false, true);
	assert_int_equal(fdeps_live_pools(), 0);

	vm_down(r0);
	assert_log("");
	assert_state(r0, false, false, false, false, false);
	assert_int_equal(r0->vm_numa, -1);
}

/* n frames from the relay's pool held by direction d, as a full
 * destination leaves them. */
static void hold(struct vio_relay_dir *d, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		d->held[i] = dp_frame(d->relay->pool, 100, i, 0);
		assert_non_null(d->held[i]);
	}
	d->n_held = (uint16_t)n;
}

/* Frames a direction held when its destination went are dropped, counted
 * as not connected, their buffers back in the pool. */
static void held_frames_released_when_a_side_goes(void **state)
{
	struct vio_relay_dir *in = &r0->dirs[VIO_DIR_VF_TO_VM], *out = &r0->dirs[VIO_DIR_VM_TO_VF];
	struct rte_mempool *pool;

	(void)state;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_int_equal(vm_up(r0, VID), 0);
	pool = r0->pool;
	hold(in, 3);
	vm_down(r0);
	assert_int_equal(in->n_held, 0);
	assert_int_equal(in->st.nc_pkts, 3);
	assert_int_equal(in->st.nc_bytes, 300);
	assert_true(rte_mempool_full(pool));

	assert_int_equal(vm_up(r0, VID), 0);
	hold(out, 2);
	assert_int_equal(remove_vf(0), 0);
	assert_int_equal(out->n_held, 0);
	assert_int_equal(out->st.nc_pkts, 2);
	assert_int_equal(fdeps_live_pools(), 0);
	vm_down(r0);
}

/* A second device while one runs is refused and changes nothing; so is
 * a VM going down twice. */
static void second_vm_refused(void **state)
{
	(void)state;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_int_equal(vm_up(r0, VID), 0);
	fdeps.log[0] = 0;
	assert_true(vm_up(r0, VID + 1) < 0);
	assert_log("");
	assert_state(r0, true, true, true, true, true);

	vm_down(r0);
	assert_log("watch 5 off;stop 5;");
	vm_down(r0);
	assert_log("");
	assert_state(r0, true, false, false, false, false);
}

/* Refused VF operations: an error that says why, and nothing changed. */
static void bad_vf_transitions(void **state)
{
	struct vio_relay *r1 = vio_relay_get(1);

	(void)state;
	assert_int_equal(remove_vf(0), -ENOENT);
	assert_contains(err, "has no VF");
	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_int_equal(vm_up(r0, VID), 0);
	fdeps.log[0] = 0;

	assert_int_equal(add_vf(0, "net_null0"), -EEXIST);
	assert_contains(err, "already has net_null0");
	assert_int_equal(add_vf(0, "net_null1"), -EBUSY);
	assert_contains(err, "another VF side (net_null0)");
	assert_int_equal(add_vf(1, "net_null0"), -EBUSY);
	assert_contains(err, "already relayed by relay 0");
	assert_false(vio_relay_in_use(r1));
	assert_int_equal(add_vf(vio_max_relays(), "net_null2"), -ERANGE);
	assert_contains(err, "out of range");

	r0->busy = true; /* another operation released the lock mid-way */
	assert_int_equal(remove_vf(0), -EBUSY);
	assert_contains(err, "busy");
	assert_int_equal(vf_event(0, PORT, VIO_VF_EV_REMOVED), -EAGAIN);
	r0->busy = false;

	assert_log("");
	assert_state(r0, true, true, true, true, true);
	assert_int_equal(fdeps_live_pools(), 1);
}

/* A VF that cannot be attached, configured or given buffers leaves the
 * relay as it was, with nothing attached or allocated. */
static void failed_add_leaves_nothing(void **state)
{
	(void)state;
	fdeps.fail_attach = -ENODEV;
	assert_int_equal(add_vf(0, "net_null0"), -ENODEV);
	assert_contains(err, "cannot probe net_null0");
	assert_log("");

	fdeps.fail_attach = 0;
	fdeps.fail_configure = -EINVAL;
	assert_int_equal(add_vf(0, "net_null0"), -EINVAL);
	assert_contains(err, "cannot configure");
	assert_log("attach 5;pool 0 node 0;detach 5;");

	fdeps.fail_configure = 0;
	fdeps.fail_pool = 1;
	assert_int_equal(add_vf(0, "net_null0"), -ENOMEM);
	assert_contains(err, "no memory");
	assert_log("attach 5;detach 5;");

	assert_state(r0, false, false, false, false, false);
	assert_false(vio_relay_in_use(r0));
	assert_int_equal(fdeps_live_pools(), 0);
}

/* A port that will not start: the VM is up, VM->VF drains, VF->VM is not
 * listed (its port does not run). */
static void port_start_failure(void **state)
{
	(void)state;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	fdeps.log[0] = 0;
	fdeps.fail_start = -EIO;
	assert_int_equal(vm_up(r0, VID), 0);
	assert_log("start 5;");
	assert_state(r0, true, true, false, false, true);
	vm_down(r0);
	assert_log(""); /* nothing to stop */
}

/* VF events: a reset restarts the port and relists; a failed reset, or a
 * removal, drops the VF while the VM stays; an event for another port is
 * ignored. */
static void vf_events(void **state)
{
	(void)state;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_int_equal(vm_up(r0, VID), 0);
	fdeps.log[0] = 0;

	assert_int_equal(vf_event(0, PORT + 1, VIO_VF_EV_REMOVED), -ENOENT);
	assert_int_equal(vf_event(1, PORT, VIO_VF_EV_REMOVED), -ENOENT);
	assert_log("");
	assert_state(r0, true, true, true, true, true);

	assert_int_equal(vf_event(0, PORT, VIO_VF_EV_RESET), 0);
	assert_log("watch 5 off;reset 5;start 5;watch 5 on;");
	assert_state(r0, true, true, true, true, true);

	fdeps.fail_reset = -EIO;
	assert_int_equal(vf_event(0, PORT, VIO_VF_EV_RESET), 0);
	assert_log("watch 5 off;reset 5;events 5 off;detach 5;");
	assert_state(r0, false, true, false, false, true);
	assert_int_equal(fdeps_live_pools(), 0);

	fdeps.fail_reset = 0;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	fdeps.log[0] = 0;
	assert_int_equal(vf_event(0, PORT, VIO_VF_EV_REMOVED), 0);
	assert_log("watch 5 off;stop 5;events 5 off;detach 5;");
	assert_state(r0, false, true, false, false, true);
	assert_int_equal(vf_event(0, PORT, VIO_VF_EV_REMOVED), -ENOENT); /* gone already */
}

/* Moving a served relay to other worker CPUs: off the old list, onto the
 * new one, its held frames with it.  A CPU with no worker is refused. */
static void move_between_workers(void **state)
{
	struct vio_relay_dir *out = &r0->dirs[VIO_DIR_VM_TO_VF];

	(void)state;
	assert_int_equal(add_vf(0, "net_null0"), 0);
	assert_int_equal(vm_up(r0, VID), 0);
	hold(out, 2);
	for (unsigned cpu = 1; cpu <= 2; cpu++) {
		assert_int_equal(vio_relay_move(0, cpu, cpu, err, sizeof(err)), 0);
		assert_int_equal(r0->dirs[VIO_DIR_VF_TO_VM].cpu, cpu);
		assert_int_equal(out->cpu, cpu);
		assert_int_equal(out->pinned_cpu, cpu);
		assert_state(r0, true, true, true, true, true);
		assert_int_equal(out->n_held, 2); /* not dropped: they go with it */
	}

	assert_int_equal(vio_relay_move(0, 1, 3, err, sizeof(err)), -EINVAL);
	assert_contains(err, "CPU 3 is not a worker CPU");
	assert_int_equal(out->cpu, 2);
	assert_int_equal(out->pinned_cpu, 2);
	assert_int_equal(r0->dirs[VIO_DIR_VF_TO_VM].pinned_cpu, 2);
	vm_down(r0);
	assert_int_equal(out->st.nc_pkts, 2);
}

static int setup(void **state)
{
	(void)state;
	vio_log_init(LOG_WARNING, false); /* the refusals tested say why */
	if (dp_eal_init("test_relay_state", "0") || dp_setup(false))
		return -1;
	vio_config_defaults(&cfg, 8);
	vio_cpuset_zero(&cfg.worker_cpus);
	vio_cpuset_set(&cfg.worker_cpus, 1);
	vio_cpuset_set(&cfg.worker_cpus, 2);
	fdeps_reset();
	fv_reset();
	vio_relays_init(&cfg);
	if (vio_workers_init(&cfg))
		return -1;
	r0 = vio_relay_get(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vio_workers_fini();
	dp_teardown();
	return 0;
}

#define T(f) cmocka_unit_test_setup_teardown(f, reset, clean_up)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(vf_first_then_vm),
		T(vm_first_then_vf),
		T(held_frames_released_when_a_side_goes),
		T(second_vm_refused),
		T(bad_vf_transitions),
		T(failed_add_leaves_nothing),
		T(port_start_failure),
		T(vf_events),
		T(move_between_workers),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
