/* SPDX-License-Identifier: BSD-3-Clause */
/* Idle wake-up sources: see notify.h. */
#include "notify.h"

#include <sys/epoll.h>
#include <unistd.h>

#include <rte_epoll.h>
#include <rte_ethdev.h>
#include <rte_interrupts.h>
#include <rte_vhost.h>

#include "relay.h"

/* Guest kicks are eventfd writes, watched edge-triggered: every write wakes
 * the worker once and nothing reads the counter, so an event the previous
 * worker's epoll reported just before a move has no side effect (reading it
 * would have taken the new worker's kick away).  The counter cannot wrap in
 * practice (2^64 kicks). */
static void register_kicks(struct vio_relay_dir *d, int epfd)
{
	struct vio_relay *r = d->relay;
	uint16_t nr = rte_vhost_get_vring_num(r->vid);
	bool all = true;

	d->n_kick = 0;
	for (uint16_t v = 1; v < nr && v < VIO_MAX_VRINGS; v += 2) {
		struct rte_vhost_vring vr;
		struct rte_epoll_event *ev = &d->kick_ev[d->n_kick];

		if (rte_vhost_get_vhost_vring(r->vid, v, &vr) || vr.kickfd < 0) {
			all = false; /* no kick fd (the guest polls): cannot sleep on it */
			continue;
		}
		memset(ev, 0, sizeof(*ev));
		ev->epdata.event = EPOLLIN | EPOLLET;
		ev->epdata.data = d;
		if (rte_epoll_ctl(epfd, EPOLL_CTL_ADD, vr.kickfd, ev)) {
			all = false;
			continue;
		}
		d->kick_vring[d->n_kick++] = v;
	}
	d->can_sleep = all && d->n_kick > 0;
}

static void register_rx_intr(struct vio_relay_dir *d, int epfd)
{
	struct vio_relay *r = d->relay;

	d->rx_intr = r->vf_rx_intr &&
		     rte_eth_dev_rx_intr_ctl_q(r->port_id, 0, epfd, RTE_INTR_EVENT_ADD, d) == 0;
	d->can_sleep = d->rx_intr;
}

void vio_notify_register(struct vio_relay_dir *d, int epfd)
{
	VIO_ASSERT_CTL_HELD();
	d->epfd = epfd;
	d->can_sleep = false;
	if (epfd < 0)
		return;
	if (d->dir == VIO_DIR_VM_TO_VF)
		register_kicks(d, epfd);
	else
		register_rx_intr(d, epfd);
}

void vio_notify_unregister(struct vio_relay_dir *d)
{
	struct vio_relay *r = d->relay;

	VIO_ASSERT_CTL_HELD();
	if (d->epfd < 0)
		return;
	for (uint16_t i = 0; i < d->n_kick; i++) {
		rte_epoll_ctl(d->epfd, EPOLL_CTL_DEL, d->kick_ev[i].fd, &d->kick_ev[i]);
		rte_vhost_enable_guest_notification(r->vid, d->kick_vring[i], 0);
	}
	d->n_kick = 0;
	if (d->rx_intr) {
		rte_eth_dev_rx_intr_disable(r->port_id, 0);
		rte_eth_dev_rx_intr_ctl_q(r->port_id, 0, d->epfd, RTE_INTR_EVENT_DEL, d);
		d->rx_intr = false;
	}
	d->can_sleep = false;
	d->epfd = -1;
}

void vio_notify_arm(struct vio_relay_dir *d)
{
	struct vio_relay *r = d->relay;

	for (uint16_t i = 0; i < d->n_kick; i++)
		rte_vhost_enable_guest_notification(r->vid, d->kick_vring[i], 1);
	if (d->rx_intr)
		rte_eth_dev_rx_intr_enable(r->port_id, 0);
}

void vio_notify_disarm(struct vio_relay_dir *d)
{
	struct vio_relay *r = d->relay;

	for (uint16_t i = 0; i < d->n_kick; i++)
		rte_vhost_enable_guest_notification(r->vid, d->kick_vring[i], 0);
	if (d->rx_intr)
		rte_eth_dev_rx_intr_disable(r->port_id, 0);
}
