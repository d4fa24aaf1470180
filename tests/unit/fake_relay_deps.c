/* SPDX-License-Identifier: BSD-3-Clause */
/* The fakes around relay.c and worker.c: see fake_relay_deps.h. */
#include "fake_relay_deps.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "daemon.h"
#include "notify.h"
#include "relay.h"
#include "vf_bond.h"
#include "vf_port.h"

#define POOL_PREFIX "fake_vf_pool_"

struct fake_deps fdeps;

void fdeps_reset(void)
{
	unsigned made = fdeps.pools_created;

	memset(&fdeps, 0, sizeof(fdeps));
	fdeps.pools_created = made; /* pool names stay unique */
	fdeps.next_port = 5;
	fdeps.pool_node = -1;
	fdeps.mtu = 1500;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	size_t used = strlen(fdeps.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(fdeps.log + used, sizeof(fdeps.log) - used, fmt, ap);
	va_end(ap);
}

static void count_pool(struct rte_mempool *mp, void *arg)
{
	if (!strncmp(mp->name, POOL_PREFIX, strlen(POOL_PREFIX)))
		(*(unsigned *)arg)++;
}

unsigned fdeps_live_pools(void)
{
	unsigned n = 0;

	rte_mempool_walk(count_pool, &n);
	return n;
}

/* ---- vf_port.h ---------------------------------------------------------------- */

int vio_vf_attach(const struct vio_vf_dev *dev, uint16_t *port_id, char *err, size_t errlen)
{
	if (fdeps.fail_attach) {
		snprintf(err, errlen, "cannot probe %s", dev->devargs);
		return fdeps.fail_attach;
	}
	*port_id = fdeps.next_port;
	note("attach %u;", *port_id);
	return 0;
}

int vio_vf_numa(uint16_t port_id)
{
	(void)port_id;
	return 0;
}

struct rte_mempool *vio_vf_pool_create(unsigned relay_id, int numa, bool jumbo, bool fallback)
{
	char name[RTE_MEMPOOL_NAMESIZE];

	(void)jumbo;
	(void)fallback;
	if (fdeps.fail_pool)
		return NULL;
	snprintf(name, sizeof(name), POOL_PREFIX "%u", fdeps.pools_created++);
	note("pool %u node %d;", relay_id, numa);
	return rte_pktmbuf_pool_create(name, 127, 0, 0, RTE_MBUF_DEFAULT_BUF_SIZE, SOCKET_ID_ANY);
}

int vio_pool_node(const struct rte_mempool *mp)
{
	(void)mp;
	return fdeps.pool_node;
}

int vio_vf_configure(uint16_t port_id, struct rte_mempool *pool, struct vio_vf_opts *o, char *err,
		     size_t errlen)
{
	(void)pool;
	if (fdeps.fail_configure) {
		snprintf(err, errlen, "port %u: cannot configure", port_id);
		return fdeps.fail_configure;
	}
	o->mtu = fdeps.mtu;
	o->rx_intr = false;
	o->tx_csum = false;
	note("configure %u;", port_id);
	return 0;
}

int vio_vf_reset(uint16_t port_id, struct rte_mempool *pool, struct vio_vf_opts *o, char *err,
		 size_t errlen)
{
	(void)pool;
	note("reset %u;", port_id);
	if (fdeps.fail_reset) {
		snprintf(err, errlen, "port %u: reset failed", port_id);
		return fdeps.fail_reset;
	}
	o->mtu = fdeps.mtu;
	return 0;
}

int vio_vf_start(uint16_t port_id)
{
	note("start %u;", port_id);
	return fdeps.fail_start;
}

void vio_vf_stop(uint16_t port_id)
{
	note("stop %u;", port_id);
}

void vio_vf_detach(uint16_t port_id)
{
	note("detach %u;", port_id);
}

/* ---- vf_bond.h (no bond in these tests: any call is logged) -------------------- */

int vio_bond_attach(const struct vio_bond *b, int numa, uint16_t *bond_port,
		    uint16_t members[VIO_BOND_MAX], char *err, size_t errlen)
{
	(void)b;
	(void)numa;
	(void)bond_port;
	(void)members;
	note("bond attach;");
	snprintf(err, errlen, "no bonds here");
	return -ENOTSUP;
}

void vio_bond_detach(uint16_t bond_port, const uint16_t *members, unsigned n)
{
	(void)members;
	(void)n;
	note("bond detach %u;", bond_port);
}

void vio_bond_link_get(const uint16_t *members, unsigned n, struct vio_vf_link *out)
{
	(void)members;
	(void)n;
	*out = (struct vio_vf_link){.state = -1};
}

void vio_bond_follow_links(uint16_t bond_port, const uint16_t *members, unsigned n,
			   const char *name)
{
	(void)bond_port;
	(void)members;
	(void)n;
	(void)name;
}

/* ---- vf_events.h ---------------------------------------------------------------- */

void vio_vf_events_handlers(const struct vio_vf_event_handlers *h)
{
	(void)h;
}

int vio_vf_events_register(uint16_t port, unsigned relay_id)
{
	note("events %u on;", port);
	(void)relay_id;
	return 0;
}

void vio_vf_events_unregister(uint16_t port)
{
	note("events %u off;", port);
}

void vio_vf_link_watch(uint16_t port, bool live)
{
	note("watch %u %s;", port, live ? "on" : "off");
}

void vio_vf_link_get(uint16_t port, struct vio_vf_link *out)
{
	(void)port;
	*out = (struct vio_vf_link){.state = 1, .speed = 10000};
}

/* ---- notify.h: no wake-up sources (workers sleep on timers) ---------------------- */

void vio_notify_register(struct vio_relay_dir *d, int epfd)
{
	d->epfd = epfd;
	d->can_sleep = fdeps.can_sleep;
}

void vio_notify_unregister(struct vio_relay_dir *d)
{
	d->epfd = -1;
	d->can_sleep = false;
}

void vio_notify_arm(struct vio_relay_dir *d)
{
	(void)d;
}

void vio_notify_disarm(struct vio_relay_dir *d)
{
	(void)d;
}

/* ---- daemon.h ------------------------------------------------------------------ */

void vio_input_signals(sigset_t *set)
{
	sigemptyset(set);
}
