/* SPDX-License-Identifier: BSD-3-Clause */
/* LD_PRELOAD shim for dpdk-testpmd (the benchmark's reference forwarder):
 * accounts the forwarding lcore's TSC cycles the way our worker does
 * (src/worker.c, poll_all), so that the reference's "cycles per packet while
 * busy" can be compared with ours.
 *
 * It interposes librte_vhost's rte_vhost_dequeue_burst and
 * rte_vhost_enqueue_burst, which net_vhost's rx/tx burst functions call.  At
 * each call's entry it reads the TSC once; the interval since the previous
 * call's entry (on the same thread) is busy if that call or this one moved
 * packets (dequeue returned > 0, enqueue was given count > 0), idle otherwise.
 *   pkts       = sum of dequeue return values + sum of enqueue counts
 *                (packets taken in by the forwarder, from either side)
 *   busy_calls = calls that moved packets
 * All totals are cumulative (read twice, subtract).
 *
 * Output: one line
 *   busy_cycles=N idle_cycles=N pkts=N busy_calls=N tsc_hz=N
 * written to $VIO_SHIM_OUT (atomically: temporary file + rename)
 *   - on SIGUSR2: the handler only bumps a counter; a helper thread, which
 *     polls it every 50 ms, writes the file;
 *   - at exit (destructor), if this process ever called the functions.
 * Only a DPDK program (one where rte_eal_init is visible) reports; in any
 * other process LD_PRELOAD reaches (stdbuf, timeout...) the shim stays
 * passive and SIGUSR2 keeps its default action.  So signal testpmd's own pid.
 * tsc_hz is measured by the helper thread over its first ~100 ms; a report
 * before that says tsc_hz=0.
 * Totals are summed over the threads that called the functions (testpmd's
 * main lcore calls rx_burst too when it flushes the queues at "start"); each
 * thread has its own slot and its own previous-call time, so intervals never
 * span threads.
 *
 * Hot path: one rdtsc, plain stores to the thread's own cache line; no locks,
 * no atomic read-modify-write, no system calls.
 *
 * Build (bench/vhost_cycles.sh, shim_build):
 *   cc -O2 -shared -fPIC -o vhost_cycles.so vhost_cycles.c \
 *      $(pkg-config --cflags libdpdk) -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <rte_cycles.h>
#include <rte_vhost.h>

#define SHIM_SLOTS 8

typedef uint16_t (*dequeue_fn)(int, uint16_t, struct rte_mempool *, struct rte_mbuf **,
			       uint16_t);
typedef uint16_t (*enqueue_fn)(int, uint16_t, struct rte_mbuf **, uint16_t);

/* One thread's totals; written by that thread only (relaxed stores), read by
 * the writer (relaxed loads). */
struct slot {
	uint64_t busy_cycles, idle_cycles, pkts, busy_calls;
	uint64_t last_tsc;   /* entry TSC of this thread's previous call, 0 = none */
	uint64_t last_moved; /* whether that call moved packets */
} __attribute__((aligned(64)));

static struct slot slots[SHIM_SLOTS];
static struct slot spare;   /* threads beyond SHIM_SLOTS: counted, not reported */
static unsigned n_slots;    /* claimed slots (atomic) */
static __thread struct slot *my_slot __attribute__((tls_model("initial-exec")));

static dequeue_fn real_dequeue;
static enqueue_fn real_enqueue;

static const char *out_path;
static volatile sig_atomic_t sig_requests; /* bumped by the SIGUSR2 handler */
static uint64_t tsc_hz;                    /* atomic; 0 until measured */
static pthread_mutex_t write_lock = PTHREAD_MUTEX_INITIALIZER; /* writers only */

/* ---- finding the real functions ------------------------------------------ */

/* librte_vhost is usually not loaded when the constructor runs: net_vhost is
 * a plugin (dlopen'ed by EAL from the pmds directory, RTLD_LOCAL) that pulls
 * it in.  dlsym(RTLD_NEXT) does not search such a library's scope, so fall
 * back to the loaded librte_vhost object itself. */
static int find_vhost(struct dl_phdr_info *info, size_t size, void *arg)
{
	const char *base = strrchr(info->dlpi_name, '/');

	(void)size;
	base = base ? base + 1 : info->dlpi_name;
	if (strncmp(base, "librte_vhost.so", 15))
		return 0;
	*(void **)arg = dlopen(info->dlpi_name, RTLD_NOW | RTLD_NOLOAD);
	return *(void **)arg != NULL;
}

static void *real_sym(const char *name)
{
	void *p = dlsym(RTLD_NEXT, name), *h = NULL;

	if (p)
		return p;
	dl_iterate_phdr(find_vhost, &h);
	if (h)
		p = dlsym(h, name);
	if (!p) {
		/* nothing to forward to: the caller would crash anyway */
		static const char msg[] = "vhost_cycles: cannot find the real rte_vhost_*_burst\n";
		if (write(2, msg, sizeof(msg) - 1) < 0)
			_exit(127);
		_exit(127);
	}
	return p;
}

/* ---- accounting ----------------------------------------------------------- */

static struct slot *claim_slot(void)
{
	unsigned i = __atomic_fetch_add(&n_slots, 1, __ATOMIC_RELAXED);

	my_slot = i < SHIM_SLOTS ? &slots[i] : &spare;
	return my_slot;
}

#define ST(f, v) __atomic_store_n(&(f), (v), __ATOMIC_RELAXED)

static inline void account(struct slot *s, uint64_t now, unsigned moved)
{
	if (__builtin_expect(s->last_tsc != 0, 1)) {
		uint64_t d = now - s->last_tsc;

		if (moved || s->last_moved)
			ST(s->busy_cycles, s->busy_cycles + d);
		else
			ST(s->idle_cycles, s->idle_cycles + d);
	}
	if (moved) {
		ST(s->pkts, s->pkts + moved);
		ST(s->busy_calls, s->busy_calls + 1);
	}
	s->last_tsc = now;
	s->last_moved = moved != 0;
}

uint16_t rte_vhost_dequeue_burst(int vid, uint16_t queue_id, struct rte_mempool *mbuf_pool,
				 struct rte_mbuf **pkts, uint16_t count)
{
	uint64_t now = rte_rdtsc();
	struct slot *s = my_slot;
	dequeue_fn f = __atomic_load_n(&real_dequeue, __ATOMIC_RELAXED);
	uint16_t n;

	if (__builtin_expect(!f, 0)) {
		f = (dequeue_fn)real_sym("rte_vhost_dequeue_burst");
		__atomic_store_n(&real_dequeue, f, __ATOMIC_RELAXED);
	}
	if (__builtin_expect(!s, 0))
		s = claim_slot();
	n = f(vid, queue_id, mbuf_pool, pkts, count);
	account(s, now, n);
	return n;
}

uint16_t rte_vhost_enqueue_burst(int vid, uint16_t queue_id, struct rte_mbuf **pkts,
				 uint16_t count)
{
	uint64_t now = rte_rdtsc();
	struct slot *s = my_slot;
	enqueue_fn f = __atomic_load_n(&real_enqueue, __ATOMIC_RELAXED);

	if (__builtin_expect(!f, 0)) {
		f = (enqueue_fn)real_sym("rte_vhost_enqueue_burst");
		__atomic_store_n(&real_enqueue, f, __ATOMIC_RELAXED);
	}
	if (__builtin_expect(!s, 0))
		s = claim_slot();
	account(s, now, count);
	return f(vid, queue_id, pkts, count);
}

/* ---- reporting ------------------------------------------------------------ */

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* TSC ticks per second over ~100 ms of CLOCK_MONOTONIC_RAW; each end is the
 * TSC read bracketed by the two closest clock reads of a few tries. */
static void tsc_sample(uint64_t *ns, uint64_t *tsc)
{
	uint64_t best = UINT64_MAX;

	for (int i = 0; i < 5; i++) {
		uint64_t a = mono_ns(), t = rte_rdtsc(), b = mono_ns();

		if (b - a < best) {
			best = b - a;
			*ns = a + (b - a) / 2;
			*tsc = t;
		}
	}
}

static uint64_t measure_tsc_hz(void)
{
	uint64_t ns0, t0, ns1, t1;
	struct timespec d = {.tv_sec = 0, .tv_nsec = 100 * 1000 * 1000};

	tsc_sample(&ns0, &t0);
	while (nanosleep(&d, &d) && errno == EINTR)
		;
	tsc_sample(&ns1, &t1);
	if (ns1 <= ns0)
		return 0;
	return (uint64_t)((double)(t1 - t0) * 1e9 / (double)(ns1 - ns0) + 0.5);
}

static void write_out(void)
{
	uint64_t b = 0, i = 0, p = 0, c = 0;
	unsigned n = __atomic_load_n(&n_slots, __ATOMIC_RELAXED);
	char line[256], tmp[4096];
	int len, fd;

	if (!out_path)
		return;
	if (n > SHIM_SLOTS)
		n = SHIM_SLOTS;
	for (unsigned k = 0; k < n; k++) {
		b += __atomic_load_n(&slots[k].busy_cycles, __ATOMIC_RELAXED);
		i += __atomic_load_n(&slots[k].idle_cycles, __ATOMIC_RELAXED);
		p += __atomic_load_n(&slots[k].pkts, __ATOMIC_RELAXED);
		c += __atomic_load_n(&slots[k].busy_calls, __ATOMIC_RELAXED);
	}
	len = snprintf(line, sizeof(line),
		       "busy_cycles=%llu idle_cycles=%llu pkts=%llu busy_calls=%llu tsc_hz=%llu\n",
		       (unsigned long long)b, (unsigned long long)i, (unsigned long long)p,
		       (unsigned long long)c,
		       (unsigned long long)__atomic_load_n(&tsc_hz, __ATOMIC_RELAXED));
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", out_path, (long)getpid()) >= (int)sizeof(tmp))
		return;
	pthread_mutex_lock(&write_lock);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		int ok = write(fd, line, (size_t)len) == len;

		if (close(fd) == 0 && ok)
			rename(tmp, out_path);
		else
			unlink(tmp);
	}
	pthread_mutex_unlock(&write_lock);
}

static void on_sigusr2(int sig)
{
	(void)sig;
	sig_requests = sig_requests + 1; /* only this: async-signal-safe */
}

static void *helper(void *arg)
{
	sig_atomic_t seen = 0;
	struct timespec d = {.tv_sec = 0, .tv_nsec = 50 * 1000 * 1000};

	(void)arg;
	__atomic_store_n(&tsc_hz, measure_tsc_hz(), __ATOMIC_RELAXED);
	for (;;) {
		sig_atomic_t r = sig_requests;

		if (r != seen) {
			seen = r;
			write_out();
		}
		nanosleep(&d, NULL);
	}
	return NULL;
}

__attribute__((constructor)) static void shim_init(void)
{
	struct sigaction sa;
	sigset_t all, old;
	pthread_t t;

	/* Report only from a DPDK program.  LD_PRELOAD reaches wrappers too
	 * (stdbuf, timeout, a shell): those must neither catch SIGUSR2 (a
	 * signal sent to the wrapper by mistake would otherwise overwrite the
	 * forwarder's file with zeros) nor run a helper thread. */
	out_path = getenv("VIO_SHIM_OUT");
	if (!out_path || !*out_path || !dlsym(RTLD_DEFAULT, "rte_eal_init")) {
		out_path = NULL;
		return; /* interpose (pass-through) but report nothing */
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigusr2;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);

	/* the helper takes no signals: the host program's handlers keep running
	 * on its own threads */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&t, NULL, helper, NULL) == 0) {
		pthread_detach(t);
		pthread_setname_np(t, "vio-shim");
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

__attribute__((destructor)) static void shim_fini(void)
{
	/* processes that never forwarded (e.g. stdbuf/timeout wrappers, which
	 * inherit LD_PRELOAD) must not overwrite the forwarder's file */
	if (out_path && __atomic_load_n(&n_slots, __ATOMIC_RELAXED))
		write_out();
}
