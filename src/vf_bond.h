/* SPDX-License-Identifier: BSD-3-Clause */
/* Bonded VFs, the DPDK side: a relay's VF port that is a bond (DPDK's
 * bonding PMD) of member ports, each a hot-plugged VF or virtual device.
 * The bond port is then configured, started and stopped like any VF port
 * (vf_port.c); the bonding PMD configures and starts its members.  All but
 * vio_bond_link_get are [ctl]: the control lock held (asserted). */
#ifndef VIO_VF_BOND_H
#define VIO_VF_BOND_H

#include <stdint.h>

#include "bond.h"
#include "vf_events.h"

/* Probe every member, create the bond (DPDK device "net_bonding_<name>")
 * on numa (-1: the first member's) and add the members.  On failure nothing is left. */
int vio_bond_attach(const struct vio_bond *b, int numa, uint16_t *bond_port,
		    uint16_t members[VIO_BOND_MAX], char *err, size_t errlen);

/* Close the bond (the PMD stops and releases its members) and detach the
 * members. */
void vio_bond_detach(uint16_t bond_port, const uint16_t *members, unsigned n);

/* The member port the bond sends on now (active-backup, tlb), -1 when
 * none or the mode sends on all. */
int vio_bond_primary(uint16_t bond_port);

/* The member is in the bond's active list (the PMD sends and receives on
 * it). */
bool vio_bond_member_active(uint16_t bond_port, uint16_t member);

/* The bond's link as the relay shows it: up while any member is up (from
 * the members' watched links, whatever the PMD reports), its changes the
 * members' together. */
void vio_bond_link_get(const uint16_t *members, unsigned n, struct vio_vf_link *out);

/* Control lock held, from the link poll: net_tap advertises link
 * interrupts but never raises them, so the bonding PMD never learns that
 * such a member went down.  When the member the bond sends on (active-
 * backup, tlb) is down by the daemon's poll and another member is up, make
 * that one the bond's primary (the bonding PMD's own primary switch). */
void vio_bond_follow_links(uint16_t bond_port, const uint16_t *members, unsigned n,
			   const char *name);

#endif
