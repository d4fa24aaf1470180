/* SPDX-License-Identifier: BSD-3-Clause */
/* The relay table: one relay pairs a VF-side DPDK port with a vhost-user
 * socket and forwards both ways.
 *
 * Locking (see docs/architecture.md):
 *  - the control lock (vio_ctl_lock, ctl_lock.h) serialises startup,
 *    shutdown, control requests and the vhost new_device/destroy_device
 *    callbacks.  Every field below marked [ctl] is written only with it
 *    held; every function marked [ctl] needs it held, and asserts so
 *    (VIO_ASSERT_CTL_HELD: checked in debug and sanitizer builds).
 *  - workers never take a lock.  A direction is served by a worker only while
 *    it is on that worker's published task list.  Control changes what a
 *    worker reads only after taking the direction off every list and waiting
 *    for an RCU grace period (vio_relay_quiesce), then lists it again
 *    (vio_relay_resume).
 *  - fields marked [conn] are written under the connection lock, a leaf
 *    lock held only for a few loads and stores: the vhost connection
 *    callbacks run in librte_vhost's reconnect thread while it holds its
 *    reconnect-list mutex, so they must never wait for the control lock.
 *    Fields marked [atomic] are also read without any lock (vring_state_changed
 *    runs while librte_vhost holds every virtqueue lock).
 *  - the control lock is never held across a call into librte_vhost that
 *    takes the library's own mutexes (rte_vhost_driver_register/start/
 *    unregister...): see docs/architecture.md, "Lock order".
 */
#ifndef VIO_RELAY_H
#define VIO_RELAY_H

#include <limits.h>
#include <stdbool.h>
#include <rte_epoll.h>
#include <stdint.h>
#include <sys/un.h>

#include "bond.h"
#include "config.h"
#include "counters.h"
#include "ctl_lock.h"
#include "parse.h"
#include "vf_events.h"
#include "vf_port.h" /* VIO_BURST */

#define VIO_TSO_BURST 4     /* guest packets a poll takes when the guest may send TSO */
#define VIO_SEG_MAX 512     /* packets a poll may hold after segmentation */
#define VIO_MAX_VRINGS 64   /* 32 queue pairs */
#define VIO_RETIRED_POOLS 4

struct rte_mbuf;
struct rte_mempool;
struct vio_relay;

struct vio_relay_dir {
	/* Datapath state: touched only by the serving worker, or by control
	 * while the direction is quiesced. */
	struct rte_mbuf *held[VIO_SEG_MAX]; /* accepted but not yet delivered */
	uint16_t n_held, held_first;
	uint64_t held_deadline;            /* TSC: drop the held packets after it */
	uint16_t next_vring;               /* round robin over guest TX rings */
	uint32_t announce_done;            /* VM->VF: announce_req values served */
	struct vio_dir_stats st;

	/* [ctl] */
	struct vio_relay *relay;
	enum vio_dir dir;
	int cpu;                           /* worker serving it, -1 when unassigned */
	int pinned_cpu;                    /* from VIRTIOFWD_CPU_PINS / core sched, -1 */
	bool listed;                       /* on the worker's task list */

	/* [ctl, read by the worker] idle wake-up sources (notify.c) */
	int epfd;                          /* worker epoll registered with, -1 */
	bool can_sleep;                    /* every source can wake the worker */
	bool rx_intr;                      /* VF RX interrupt registered */
	uint16_t n_kick;
	uint16_t kick_vring[VIO_MAX_VRINGS / 2];
	struct rte_epoll_event kick_ev[VIO_MAX_VRINGS / 2];
};

/* vio_relay.migrating */
enum { VIO_MIG_NONE = 0, VIO_MIG_ANNOUNCING, VIO_MIG_HEARD };

struct vio_relay {
	unsigned id;

	/* [ctl] slot state */
	bool busy;                         /* an operation released the lock mid-way */

	/* [ctl] vhost-user side */
	char sock_path[sizeof(((struct sockaddr_un *)0)->sun_path)]; /* also [conn] */
	bool sock_registered;
	int vid;                           /* running device, -1 when none */
	bool vm_running;
	bool vm_tso;                       /* the guest may send TCP segmentation requests */
	int vm_numa;

	/* [conn][atomic] connection state, written from vhost callbacks */
	int conn_vid;                      /* the accepted connection, -1 */
	uint64_t vring_enabled;            /* bit n: vring n enabled by the guest */
	/* Announcing the guest while it migrates (announce.h) */
	uint32_t announce_req; /* [atomic] RARPs asked of the VM->VF worker */
	uint8_t migrating;     /* [atomic] VIO_MIG_* */
	bool guest_mac_fixed;  /* configured (set at init): never learnt */
	uint64_t guest_mac;    /* [atomic] byte i in bits 8i.., 0 = unknown */
	/* [conn] the connection whose device is running or being started, -1 */
	int dev_vid;
	/* [atomic] monotonic ns after which the socket is registered again
	 * (client mode, a refused peer: librte_vhost does not reconnect), 0 */
	uint64_t rearm_ns;

	/* [ctl] VF side */
	bool has_vf;
	struct vio_vf_dev vf;              /* a bond's identity when vf.is_bond */
	uint16_t port_id;                  /* a bond: the bonding PMD's port */
	struct vio_bond bond;              /* vf.is_bond: the members */
	uint16_t member_port[VIO_BOND_MAX];
	bool port_started;
	bool vf_rx_intr;                   /* port configured with RX interrupts */
	int vf_numa;
	uint32_t vf_max_frame;             /* longest frame the VF may send */
	bool vf_tx_csum;                   /* the VF completes TCP/UDP checksums */
	struct rte_mempool *pool;
	/* pools the port left after a move to the VM's node, freed once all
	 * their buffers are back (housekeeping) or when the VF goes */
	struct rte_mempool *retired[VIO_RETIRED_POOLS];
	unsigned n_retired;

	struct vio_relay_dir dirs[VIO_NB_DIRS];
};

/* [ctl] A relay slot is in use while it has a socket or a VF. */
static inline bool vio_relay_in_use(const struct vio_relay *r)
{
	return r->sock_registered || r->has_vf;
}

/* Relay ids run from 0 to vio_max_relays()-1. */
unsigned vio_max_relays(void);

/* Empty relays with the configuration's pins; registers the handling of VF
 * events (vio_relay_vf_event, vio_relays_follow_bonds) with vf_events.c. */
void vio_relays_init(const struct vio_config *cfg);
/* Shutdown: detach every relay's VF (after vio_relay_sockets_fini). */
void vio_relays_fini(void);

/* How the relays' sockets are registered with librte_vhost: vhost.c's
 * vio_vhost_register/unregister, handed over by main.c (vhost.c's
 * callbacks call into the relay table, so the table does not call vhost.c
 * by name).  Set once, before the first socket is added. */
struct vio_relay_vhost {
	int (*sock_register)(const char *path, char *err, size_t errlen);
	int (*sock_unregister)(const char *path);
};
void vio_relay_sockets_init(const struct vio_relay_vhost *vhost);
/* Shutdown: remove every relay's socket. */
void vio_relay_sockets_fini(void);

/* Connection claims, under the connection lock (safe from any vhost
 * callback: they never wait for anything).
 * conn_claim: vid becomes the relay's connection (no ring enabled yet)
 *   unless another connection has a running (or starting) device; returns
 *   0 or -EBUSY with that connection's vid in *other.
 * dev_claim: vid's device may start: true when vid is the connection.
 * dev_release / conn_release: vid is no longer running / connected. */
int vio_relay_conn_claim(struct vio_relay *r, int vid, int *other);
bool vio_relay_dev_claim(struct vio_relay *r, int vid);
void vio_relay_dev_release(struct vio_relay *r, int vid);
bool vio_relay_conn_release(struct vio_relay *r, int vid);

/* Client mode: register the relay's socket again after delay_ms (a refused
 * peer leaves librte_vhost with no connection and no reconnect). */
void vio_relay_rearm_later(struct vio_relay *r, unsigned delay_ms);
/* Periodic work outside the datapath (main thread, about once a second):
 * vio_relay_sockets_housekeep registers again the sockets due for it,
 * vio_relays_housekeep frees the retired buffer pools whose buffers are all
 * back.  Both take the control lock themselves. */
void vio_relay_sockets_housekeep(void);
void vio_relays_housekeep(void);

/* Relay id's slot, NULL when id is out of range (the slot's [ctl] fields are
 * read under the control lock). */
struct vio_relay *vio_relay_get(unsigned id);
/* [ctl] The relay that has the socket path (or is being given it), NULL. */
struct vio_relay *vio_relay_by_path(const char *path);

/* The relay a vhost connection belongs to, found by socket path without the
 * control lock (safe from any vhost callback). */
struct vio_relay *vio_relay_by_vhost_path_nolock(const char *path);

/* [ctl] Take both directions off the workers and wait for them to let go
 * (bounded).  Returns 0 or a negative errno: -ETIMEDOUT (the directions stay
 * off the lists), or what taking one off failed with. */
int vio_relay_quiesce(struct vio_relay *r);
/* [ctl] List the directions whose two sides are ready. */
void vio_relay_resume(struct vio_relay *r);

/* Control operations; all take and release the control lock themselves and
 * return 0 or a negative errno with a message in err. */
int vio_relay_add_vf(unsigned id, const struct vio_vf_dev *dev, char *err, size_t errlen);
/* A bond of VFs as the relay's VF side (removed with vio_relay_remove_vf). */
int vio_relay_add_bond(unsigned id, const struct vio_bond *b, char *err, size_t errlen);
int vio_relay_remove_vf(unsigned id, char *err, size_t errlen);
int vio_relay_add_socket(unsigned id, const char *path, char *err, size_t errlen);
int vio_relay_remove_socket(unsigned id, char *err, size_t errlen);

/* Serve the relay's directions on these worker CPUs from now on (a pin that
 * lasts until the next move).  A direction being served moves at once:
 * taken off its worker, a grace period, listed on the new one; packets it
 * holds go with it, so nothing is lost or reordered. */
int vio_relay_move(unsigned id, unsigned cpu_vf_to_vm, unsigned cpu_vm_to_vf, char *err,
		   size_t errlen);

/* [ctl] A VF event (vf_events.c's handler): drop a removed VF, or
 * reset and reconfigure one that asks for it.  -ENOENT when port is no longer
 * the relay's VF, -EAGAIN when the relay is busy (try again later). */
int vio_relay_vf_event(unsigned id, uint16_t port, enum vio_vf_event ev);

/* [ctl] After a link poll (vf_events.c's handler): bonds whose sending member
 * went down switch to one that is up (vio_bond_follow_links). */
void vio_relays_follow_bonds(void);

/* [ctl] The VF side's link: the VF port's, or a bond's (vf_bond.h). */
void vio_relay_vf_link(const struct vio_relay *r, struct vio_vf_link *out);

/* [ctl] vhost callbacks (vhost.c) hand the device over with these.  vm_up:
 * 0, or -EBUSY when another device of the relay is running (refused). */
int vio_relay_vm_up(struct vio_relay *r, int vid);
void vio_relay_vm_down(struct vio_relay *r);

/* Default socket path of relay id: 0 or -ENAMETOOLONG. */
int vio_relay_default_path(unsigned id, char *buf, size_t len);

const struct vio_config *vio_relay_config(void);

#endif
