/* SPDX-License-Identifier: BSD-3-Clause */
/* Worker lcores and their task lists: see worker.h. */
#define VIO_LOG_MODULE "worker"
#include "worker.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/prctl.h>
#include <unistd.h>
#include <time.h>

#include <rte_cycles.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_pause.h>
#include <rte_rcu_qsbr.h>

#include "daemon.h"
#include "forward.h"
#include "log.h"
#include "notify.h"
#include "scheduler.h"

/* Idle back-off.  After SPIN_PASSES passes that moved nothing:
 *  - when every direction on the list can wake the worker (guest kicks, VF
 *    RX interrupts: notify.c), the worker arms them and blocks in epoll for
 *    up to WAIT_MS: it is back within microseconds of new traffic;
 *  - otherwise it sleeps SLEEP_MIN_US, doubling up to SLEEP_MAX_US,
 *    SLEEP_LONG_US once idle for LONG_IDLE_MS and SLEEP_IDLE_US once idle
 *    for IDLE_MS (only VFs without RX interrupts, virtual ones in practice,
 *    get here: real VFs wake the worker through their interrupt);
 *  - with nothing on its list it sleeps EMPTY_SLEEP_US.
 * It is RCU-offline while asleep, so control never waits for a sleeper. */
#define SPIN_PASSES 2000
#define SLEEP_MIN_US 8
#define SLEEP_MAX_US 256
#define SLEEP_LONG_US 1000
#define LONG_IDLE_MS 50
#define SLEEP_IDLE_US 4000
#define IDLE_MS 1000
#define WAIT_MS 100
#define EMPTY_SLEEP_US 10000

#define MAX_TASKS (VIO_RELAYS_HARD_MAX * VIO_NB_DIRS)

struct task_list {
	unsigned n;
	struct vio_relay_dir *dirs[];
};

struct worker {
	unsigned cpu;
	unsigned idx;                 /* RCU thread id */
	struct task_list *list;       /* published with release stores */
	struct task_list *retired;    /* [ctl] freed after the next grace period */
	int epfd;                     /* idle wake-ups of the listed directions */
	int wakefd;                   /* [ctl] written after each new list */
	struct rte_epoll_event wake_ev;
	struct vio_sched_worker sched;
	/* [worker] cycle accounting (counters.h); last: TSC of the last
	 * accounting point, every cycle since start is in one category */
	struct vio_worker_stats st;
	uint64_t last_tsc;
	/* [atomic] set (release) by the main thread before the worker is
	 * launched, cleared (release) by the worker as it returns: the hand-off
	 * of everything written before, in a form ThreadSanitizer sees (the
	 * EAL's launch and wait synchronise too, in uninstrumented code). */
	bool running;
};

static struct worker workers[VIO_MAX_CPUS];
static unsigned n_workers;
static struct rte_rcu_qsbr *qsv;
static bool quit; /* [atomic] set once to stop the workers */
static struct task_list empty_list = {.n = 0};

unsigned vio_workers_count(void)
{
	return n_workers;
}

unsigned vio_worker_cpu(unsigned idx)
{
	return workers[idx].cpu;
}

static struct worker *worker_by_cpu(unsigned cpu)
{
	for (unsigned i = 0; i < n_workers; i++)
		if (workers[i].cpu == cpu)
			return &workers[i];
	return NULL;
}

bool vio_worker_cpu_valid(unsigned cpu)
{
	return worker_by_cpu(cpu) != NULL;
}

/* A worker asleep in epoll must see a new list at once: a direction moved
 * to it has its notifications off until the worker arms them, so nothing
 * else would wake it.  Edge-triggered, never read (see notify.c). */
static int wake_init(struct worker *w)
{
	int rc;

	w->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (w->wakefd < 0)
		return -errno;
	memset(&w->wake_ev, 0, sizeof(w->wake_ev));
	w->wake_ev.epdata.event = EPOLLIN | EPOLLET;
	if (rte_epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->wakefd, &w->wake_ev)) {
		rc = -errno; /* epoll_ctl's */
		close(w->wakefd);
		w->wakefd = -1;
		return rc;
	}
	return 0;
}

static void wake(struct worker *w)
{
	uint64_t one = 1;

	if (w->wakefd >= 0 && write(w->wakefd, &one, sizeof(one)) < 0)
		VIO_LOG_RL(WARNING, 5000, "CPU %u: cannot wake the worker: %s", w->cpu,
			   strerror(errno));
}

void vio_worker_wake_cpu(int cpu)
{
	struct worker *w = cpu >= 0 ? worker_by_cpu((unsigned)cpu) : NULL;

	if (w)
		wake(w);
}

int vio_workers_init(const struct vio_config *cfg)
{
	size_t sz;
	int cpu;

	n_workers = 0;
	for (cpu = vio_cpuset_next(&cfg->worker_cpus, 0); cpu >= 0;
	     cpu = vio_cpuset_next(&cfg->worker_cpus, (unsigned)cpu + 1)) {
		struct worker *w = &workers[n_workers];

		w->cpu = (unsigned)cpu;
		w->idx = n_workers;
		w->list = &empty_list;
		w->retired = NULL;
		w->epfd = epoll_create1(EPOLL_CLOEXEC);
		w->wakefd = -1;
		if (w->epfd >= 0 && wake_init(w)) {
			close(w->epfd);
			w->epfd = -1;
		}
		if (w->epfd < 0)
			VIO_LOG(WARNING, "CPU %d: no epoll instance (%s): idle sleeps are timed",
				cpu, strerror(errno));
		memset(&w->st, 0, sizeof(w->st));
		w->st.cpu = (unsigned)cpu;
		w->st.tsc_hz = rte_get_tsc_hz();
		w->sched = (struct vio_sched_worker){.cpu = (unsigned)cpu,
						     .numa = (int)rte_lcore_to_socket_id((unsigned)cpu),
						     .load = 0};
		n_workers++;
	}
	sz = rte_rcu_qsbr_get_memsize(n_workers);
	qsv = rte_zmalloc("vio_rcu", sz, RTE_CACHE_LINE_SIZE);
	if (!qsv || rte_rcu_qsbr_init(qsv, n_workers)) {
		VIO_LOG(ERR, "cannot set up RCU for %u workers", n_workers);
		return -ENOMEM;
	}
	return 0;
}

static void sleep_us(unsigned us)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)us * 1000};

	nanosleep(&ts, NULL);
}

static bool list_can_sleep(const struct task_list *l)
{
	for (unsigned i = 0; i < l->n; i++)
		if (!l->dirs[i]->can_sleep || l->dirs[i]->n_held)
			return false;
	return true;
}

/* One pass over the list.  One TSC read per direction poll: the cycles of
 * a poll that took packets are its direction's busy cycles; the pass is
 * busy or idle as a whole, from the previous accounting point (so the pause
 * and the quiescent-state report before it count too). */
static unsigned poll_all(struct worker *w, const struct task_list *l)
{
	uint64_t start = w->last_tsc, t = start, pkts = 0;
	unsigned moved = 0;

	for (unsigned i = 0; i < l->n; i++) {
		struct vio_relay_dir *d = l->dirs[i];
		uint64_t rx = d->st.rx_pkts, now;
		unsigned m = vio_forward_poll(d);

		now = rte_rdtsc();
		if (m) {
			vio_stat_add(&d->st.busy_cycles, now - t);
			vio_stat_add(&d->st.busy_polls, 1);
			pkts += d->st.rx_pkts - rx;
			moved += m;
		}
		t = now;
	}
	if (!l->n)
		t = rte_rdtsc();
	if (moved) {
		vio_stat_add(&w->st.busy_cycles, t - start);
		vio_stat_add(&w->st.busy_passes, 1);
		vio_stat_add(&w->st.pkts, pkts);
	} else {
		vio_stat_add(&w->st.idle_cycles, t - start);
		vio_stat_add(&w->st.idle_passes, 1);
	}
	w->last_tsc = t;
	return moved;
}

/* Time since the last accounting point spent asleep. */
static void account_sleep(struct worker *w)
{
	uint64_t now = rte_rdtsc();

	vio_stat_add(&w->st.sleep_cycles, now - w->last_tsc);
	w->last_tsc = now;
}

/* Arm every wake-up source, poll once more (input may have arrived before
 * arming), then block.  Returns packets moved by that last poll. */
static unsigned wait_for_input(struct worker *w, const struct task_list *l)
{
	struct rte_epoll_event ev[8];
	struct task_list *now;
	unsigned moved;

	for (unsigned i = 0; i < l->n; i++)
		vio_notify_arm(l->dirs[i]);
	account_sleep(w); /* arming is part of going to sleep */
	/* The guest publishes its ring index, then reads our notify flag; we
	 * write the flag, then read the index.  Without a full barrier the two
	 * loads can pass the stores and a kick is lost. */
	rte_atomic_thread_fence(__ATOMIC_SEQ_CST);
	moved = poll_all(w, l);
	if (!moved) {
		/* Interruptible: a signal (net_tap's SIGIO) means input, and
		 * the plain variant would restart the full timeout after each. */
		rte_rcu_qsbr_thread_offline(qsv, w->idx);
		rte_epoll_wait_interruptible(w->epfd, ev, 8, WAIT_MS);
		rte_rcu_qsbr_thread_online(qsv, w->idx);
	}
	/* Only directions still listed may be touched (control disarms the
	 * ones it took away). */
	now = __atomic_load_n(&w->list, __ATOMIC_ACQUIRE);
	for (unsigned i = 0; i < now->n; i++)
		vio_notify_disarm(now->dirs[i]);
	account_sleep(w);
	return moved;
}

static int worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned idle = 0, sleep = SLEEP_MIN_US;
	uint64_t idle_since = 0, ms = rte_get_timer_hz() / 1000;

	sigset_t io;

	if (!__atomic_load_n(&w->running, __ATOMIC_ACQUIRE))
		return -EINVAL; /* not launched by vio_workers_launch */
	/* Short sleeps need a fine timer slack (default 50 us). */
	prctl(PR_SET_TIMERSLACK, 1000UL, 0, 0, 0);
	/* Input signals (net_tap's SIGIO) are handled here, next to the
	 * polling, not on a main CPU that may be busy. */
	vio_input_signals(&io);
	pthread_sigmask(SIG_UNBLOCK, &io, NULL);
	rte_rcu_qsbr_thread_register(qsv, w->idx);
	rte_rcu_qsbr_thread_online(qsv, w->idx);
	VIO_LOG(INFO, "worker on CPU %u running", w->cpu);
	w->last_tsc = rte_rdtsc();

	while (!__atomic_load_n(&quit, __ATOMIC_RELAXED)) {
		struct task_list *l;
		unsigned moved;

		/* The one quiescent point: nothing of the previous pass is held
		 * here.  From the load below to the next pass (or going offline),
		 * l and every direction on it may be touched, arming and the
		 * last poll before sleeping included. */
		rte_rcu_qsbr_quiescent(qsv, w->idx);
		l = __atomic_load_n(&w->list, __ATOMIC_ACQUIRE);
		moved = poll_all(w, l);
		if (moved) {
			idle = 0;
			sleep = SLEEP_MIN_US;
			continue;
		}
		if (l->n && ++idle < SPIN_PASSES) {
			rte_pause();
			continue;
		}
		if (idle == SPIN_PASSES)
			idle_since = rte_get_timer_cycles();
		if (l->n && w->epfd >= 0 && list_can_sleep(l)) {
			if (wait_for_input(w, l))
				idle = 0;
			continue;
		}
		rte_rcu_qsbr_thread_offline(qsv, w->idx);
		if (!l->n) {
			sleep_us(EMPTY_SLEEP_US);
		} else {
			sleep_us(sleep);
			uint64_t idle_for = rte_get_timer_cycles() - idle_since;

			if (sleep < SLEEP_MAX_US)
				sleep *= 2;
			else if (idle_for > IDLE_MS * ms)
				sleep = SLEEP_IDLE_US;
			else if (idle_for > LONG_IDLE_MS * ms)
				sleep = SLEEP_LONG_US;
		}
		account_sleep(w);
		rte_rcu_qsbr_thread_online(qsv, w->idx);
	}
	rte_rcu_qsbr_thread_offline(qsv, w->idx);
	rte_rcu_qsbr_thread_unregister(qsv, w->idx);
	VIO_LOG(INFO, "worker on CPU %u stopped", w->cpu);
	__atomic_store_n(&w->running, false, __ATOMIC_RELEASE);
	return 0;
}

int vio_workers_launch(void)
{
	__atomic_store_n(&quit, false, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < n_workers; i++) {
		int rc;

		__atomic_store_n(&workers[i].running, true, __ATOMIC_RELEASE);
		rc = rte_eal_remote_launch(worker_main, &workers[i], workers[i].cpu);
		if (rc) {
			__atomic_store_n(&workers[i].running, false, __ATOMIC_RELAXED);
			VIO_LOG(ERR, "cannot launch the worker on CPU %u: %s", workers[i].cpu,
				strerror(-rc));
			return rc;
		}
	}
	return 0;
}

void vio_workers_stop(void)
{
	__atomic_store_n(&quit, true, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < n_workers; i++) {
		rte_eal_wait_lcore(workers[i].cpu);
		while (__atomic_load_n(&workers[i].running, __ATOMIC_ACQUIRE))
			rte_pause(); /* returned already: this only reads its store */
	}
}

int vio_worker_stats_read(unsigned i, struct vio_worker_stats *out)
{
	const struct vio_worker_stats *s;

	if (i >= n_workers)
		return -ERANGE;
	s = &workers[i].st;
	out->cpu = s->cpu;
	out->tsc_hz = s->tsc_hz;
	out->busy_cycles = __atomic_load_n(&s->busy_cycles, __ATOMIC_RELAXED);
	out->idle_cycles = __atomic_load_n(&s->idle_cycles, __ATOMIC_RELAXED);
	out->sleep_cycles = __atomic_load_n(&s->sleep_cycles, __ATOMIC_RELAXED);
	out->busy_passes = __atomic_load_n(&s->busy_passes, __ATOMIC_RELAXED);
	out->idle_passes = __atomic_load_n(&s->idle_passes, __ATOMIC_RELAXED);
	out->pkts = __atomic_load_n(&s->pkts, __ATOMIC_RELAXED);
	return 0;
}

void vio_workers_fini(void)
{
	for (unsigned i = 0; i < n_workers; i++) {
		if (workers[i].epfd >= 0)
			close(workers[i].epfd);
		if (workers[i].wakefd >= 0)
			close(workers[i].wakefd);
		workers[i].epfd = -1;
		workers[i].wakefd = -1;
		if (workers[i].list != &empty_list)
			free(workers[i].list);
		free(workers[i].retired);
		workers[i].list = &empty_list;
		workers[i].retired = NULL;
	}
	rte_free(qsv);
	qsv = NULL;
}

/* Replace w's list with old +/- d.  The old list is retired until the next
 * grace period (at most one retired list per worker: sync in between). */
static int publish(struct worker *w, struct vio_relay_dir *add, struct vio_relay_dir *del)
{
	struct task_list *old = w->list, *nl;
	unsigned n = 0;

	if (w->retired) { /* a previous change was not followed by a sync */
		int rc = vio_workers_sync(VIO_SYNC_TIMEOUT_MS);

		if (rc)
			return rc;
	}
	nl = malloc(sizeof(*nl) + sizeof(nl->dirs[0]) * (old->n + 1));
	if (!nl)
		return -ENOMEM;
	for (unsigned i = 0; i < old->n; i++)
		if (old->dirs[i] != del)
			nl->dirs[n++] = old->dirs[i];
	if (add)
		nl->dirs[n++] = add;
	nl->n = n;
	__atomic_store_n(&w->list, nl, __ATOMIC_RELEASE);
	w->retired = old == &empty_list ? NULL : old;
	wake(w);
	return 0;
}

int vio_worker_list(struct vio_relay_dir *d)
{
	struct worker *w;
	int rc;

	VIO_ASSERT_CTL_HELD();
	if (d->listed)
		return 0;
	if (d->cpu < 0) {
		struct vio_sched_worker s[VIO_MAX_CPUS];
		int idx, numa = d->dir == VIO_DIR_VF_TO_VM ? d->relay->vf_numa : d->relay->vm_numa;

		for (unsigned i = 0; i < n_workers; i++)
			s[i] = workers[i].sched;
		idx = d->pinned_cpu >= 0 ? vio_sched_find(s, n_workers, (unsigned)d->pinned_cpu)
					 : vio_sched_pick(s, n_workers, numa);
		if (idx < 0)
			return -ENODEV;
		d->cpu = (int)workers[idx].cpu;
		/* NUMA-local first; a placement that cannot be local says so. */
		if (numa >= 0 && s[idx].numa != numa)
			VIO_LOG(NOTICE, "relay %u %s: %s CPU %u on NUMA node %d, not on node %d "
				"where its %s is", d->relay->id,
				d->dir == VIO_DIR_VF_TO_VM ? "VF->VM" : "VM->VF",
				d->pinned_cpu >= 0 ? "pinned to" : "no worker CPU nearer: served by",
				workers[idx].cpu, s[idx].numa, numa,
				d->dir == VIO_DIR_VF_TO_VM ? "VF" : "VM's memory");
	}
	w = worker_by_cpu((unsigned)d->cpu);
	if (!w)
		return -ENODEV;
	vio_notify_register(d, w->epfd); /* before the worker can see d */
	rc = publish(w, d, NULL);
	if (rc) {
		vio_notify_unregister(d);
		return rc;
	}
	w->sched.load++;
	d->listed = true;
	VIO_LOG(DEBUG, "relay %u %s: served by CPU %u (%s)", d->relay->id,
		d->dir == VIO_DIR_VF_TO_VM ? "VF->VM" : "VM->VF", w->cpu,
		d->can_sleep ? "wakes it from sleep" : "polled on a timer when idle");
	return 0;
}

int vio_worker_unlist(struct vio_relay_dir *d)
{
	struct worker *w;
	int rc;

	VIO_ASSERT_CTL_HELD();
	if (!d->listed)
		return 0;
	w = worker_by_cpu((unsigned)d->cpu);
	if (!w)
		return -ENODEV;
	rc = publish(w, NULL, d);
	if (rc)
		return rc;
	w->sched.load--;
	d->listed = false;
	return 0;
}

int vio_workers_sync(unsigned timeout_ms)
{
	uint64_t token, deadline;

	VIO_ASSERT_CTL_HELD();
	if (!qsv)
		return 0;
	token = rte_rcu_qsbr_start(qsv);
	deadline = rte_get_timer_cycles() + rte_get_timer_hz() / 1000 * timeout_ms;
	while (!rte_rcu_qsbr_check(qsv, token, false)) {
		if (rte_get_timer_cycles() > deadline) {
			VIO_LOG(ERR, "workers did not pass a quiescent state within %u ms",
				timeout_ms);
			return -ETIMEDOUT;
		}
		sleep_us(50);
	}
	for (unsigned i = 0; i < n_workers; i++) {
		free(workers[i].retired);
		workers[i].retired = NULL;
	}
	return 0;
}
