/* SPDX-License-Identifier: BSD-3-Clause */
/* Announcing a migrating guest on its relay's VF: the failover standby path.
 *
 * In virtio-net failover (docs/guests.md) QEMU unplugs the guest's
 * passthrough primary when a migration starts, and the guest's net_failover
 * moves its traffic to the standby, the virtio-net device this relay serves.
 * The network still delivers the guest's MAC to where the primary was, so
 * unless someone tells it, nothing reaches the standby: the guest, only
 * answering, stays silent.  The relay sees the migration start (QEMU turns
 * on dirty-page logging, VHOST_F_LOG_ALL) and announces the guest on the VF
 * with a RARP from the guest's MAC, as QEMU itself does after a migration,
 * every VIRTIOFWD_MIGRATION_ANNOUNCE_MS, until the guest is heard sending
 * through the relay (the network then learns from the guest's own frames) or
 * the logging stops.
 *
 * Why repeated: the relay cannot see when the guest lets go of its primary.
 * Before that, an announcement moves the MAC to the VF for a moment: what
 * arrives there reaches the guest all the same (net_failover takes frames
 * from either slave), and its next frame, sent on the primary, moves the MAC
 * back.  After it, the next announcement sticks.
 *
 * The MAC: VIRTIOFWD_GUEST_MACS, or else the source address of the guest's
 * frames (learnt by the worker, per burst).  A failover guest sends nothing
 * through its standby while its primary is there, so for a first migration
 * the operator configures it (the MAC is in the domain's XML).
 *
 * Threads: vio_announce_logging() runs in librte_vhost's features_changed
 * callback, with every virtqueue lock held: it only flips an atomic and
 * arms an EAL alarm.  The alarm (EAL interrupt thread) takes the control
 * lock with trylock and asks the worker serving VM->VF for one RARP by
 * incrementing the relay's announce_req; the worker builds and sends it on
 * its own VF queue (forward.c), so the VF queue keeps one writer.
 */
#ifndef VIO_ANNOUNCE_H
#define VIO_ANNOUNCE_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

struct vio_relay;

/* The interval and the configured MACs; the relays must be initialised. */
void vio_announce_init(const struct vio_config *cfg);
void vio_announce_fini(void);

/* Dirty-page logging went on or off for the relay's device (any thread,
 * never waits). */
void vio_announce_logging(struct vio_relay *r, bool on);

/* [ctl] The relay's device stopped: no more announcements. */
void vio_announce_stop(struct vio_relay *r);

/* The guest MAC of a relay in the relay's 64-bit form (byte i of the
 * address in bits 8i..8i+7), 0 when unknown; formatting for logs. */
void vio_mac_format(uint64_t mac, char *buf, size_t len);

#endif
