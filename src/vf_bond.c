/* SPDX-License-Identifier: BSD-3-Clause */
/* Bonded VFs, the DPDK side: see vf_bond.h. */
#define VIO_LOG_MODULE "vf_bond"
#include "vf_bond.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <rte_eth_bond.h>
#include <rte_ethdev.h>

#include "ctl_lock.h"
#include "log.h"
#include "vf_port.h"

#define DPDK_PREFIX "net_bonding_" /* the vdev name selects the bonding PMD */

int vio_bond_attach(const struct vio_bond *b, int numa, uint16_t *bond_port,
		    uint16_t members[VIO_BOND_MAX], char *err, size_t errlen)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	unsigned n = 0;
	uint16_t port;
	int rc;

	VIO_ASSERT_CTL_HELD();
	snprintf(name, sizeof(name), DPDK_PREFIX "%s", b->name);
	if (rte_eth_dev_get_port_by_name(name, &port) == 0) {
		snprintf(err, errlen, "bond %s exists already (port %u)", b->name, port);
		return -EEXIST;
	}
	for (; n < b->n; n++) {
		char sub[VIO_ERR_MAX];

		rc = vio_vf_attach(&b->member[n], &members[n], sub, sizeof(sub));
		if (rc) {
			snprintf(err, errlen, "bond %s: member %s: %s", b->name, b->member[n].name,
				 sub);
			goto undo;
		}
	}
	/* The members' node by default; the API takes it as uint8_t, so
	 * "any node" is 0, as the original. */
	if (numa < 0)
		numa = vio_vf_numa(members[0]);
	rc = rte_eth_bond_create(name, (uint8_t)b->mode, (uint8_t)(numa < 0 ? 0 : numa));
	if (rc < 0) {
		snprintf(err, errlen, "bond %s: the bonding PMD refused to create it (%s)",
			 b->name, strerror(-rc));
		goto undo;
	}
	port = (uint16_t)rc;
	/* A relay carries one guest's MAC: hashing MACs (the default policy)
	 * would send everything on one member; flows spread by their
	 * addresses and ports. */
	if (b->mode == BONDING_MODE_BALANCE &&
	    rte_eth_bond_xmit_policy_set(port, BALANCE_XMIT_POLICY_LAYER34) != 0)
		VIO_LOG(WARNING, "bond %s: cannot hash by addresses and ports: members are "
			"chosen by MAC", b->name);
	for (unsigned i = 0; i < n; i++) {
		if (rte_eth_bond_slave_add(port, members[i]) != 0) {
			snprintf(err, errlen, "bond %s: the bonding PMD refused member %s (port "
				 "%u)", b->name, b->member[i].name, members[i]);
			rc = -EINVAL;
			/* closing the bond releases the members added so far */
			rte_eth_dev_close(port);
			rte_eth_bond_free(name);
			goto undo;
		}
	}
	*bond_port = port;
	return 0;
undo:
	while (n--)
		vio_vf_detach(members[n]);
	return rc;
}

void vio_bond_detach(uint16_t bond_port, const uint16_t *members, unsigned n)
{
	char name[RTE_ETH_NAME_MAX_LEN];
	int rc;

	VIO_ASSERT_CTL_HELD();
	name[0] = '\0';
	rte_eth_dev_get_name_by_port(bond_port, name);
	/* close stops the members and takes them out of the bond; the vdev
	 * then has no port left and its removal only frees it */
	rte_eth_dev_close(bond_port);
	if (name[0] && (rc = rte_eth_bond_free(name)) != 0)
		VIO_LOG(WARNING, "bond %s (port %u): removal failed: %s", name, bond_port,
			strerror(-rc));
	for (unsigned i = 0; i < n; i++)
		vio_vf_detach(members[i]);
}

int vio_bond_primary(uint16_t bond_port)
{
	int mode;

	VIO_ASSERT_CTL_HELD();
	mode = rte_eth_bond_mode_get(bond_port);
	if (mode != BONDING_MODE_ACTIVE_BACKUP && mode != BONDING_MODE_TLB)
		return -1;
	return rte_eth_bond_primary_get(bond_port);
}

bool vio_bond_member_active(uint16_t bond_port, uint16_t member)
{
	uint16_t active[RTE_MAX_ETHPORTS];
	int n;

	VIO_ASSERT_CTL_HELD();
	n = rte_eth_bond_active_slaves_get(bond_port, active, RTE_MAX_ETHPORTS);
	for (int i = 0; i < n; i++)
		if (active[i] == member)
			return true;
	return false;
}

void vio_bond_link_get(const uint16_t *members, unsigned n, struct vio_vf_link *out)
{
	*out = (struct vio_vf_link){.state = -1};
	for (unsigned i = 0; i < n; i++) {
		struct vio_vf_link l;

		vio_vf_link_get(members[i], &l);
		if (l.state > 0 || (l.state == 0 && out->state < 0))
			out->state = l.state;
		if (l.state > 0 && l.speed > out->speed)
			out->speed = l.speed;
		out->changes += l.changes;
	}
}

void vio_bond_follow_links(uint16_t bond_port, const uint16_t *members, unsigned n,
			   const char *name)
{
	int primary;
	struct vio_vf_link l;

	VIO_ASSERT_CTL_HELD();
	primary = vio_bond_primary(bond_port);
	if (primary < 0)
		return;
	vio_vf_link_get((uint16_t)primary, &l);
	if (l.state != 0)
		return;
	for (unsigned i = 0; i < n; i++) {
		if (members[i] == primary)
			continue;
		vio_vf_link_get(members[i], &l);
		if (l.state <= 0)
			continue;
		if (rte_eth_bond_primary_set(bond_port, members[i]) != 0) {
			VIO_LOG_RL(ERR, 1000, "bond %s: cannot switch to member port %u", name,
				   members[i]);
			return;
		}
		/* the PMD moves promiscuous mode only on its own switches */
		rte_eth_promiscuous_enable(members[i]);
		VIO_LOG_RL(NOTICE, 100, "bond %s: member port %d is down: sending on port %u",
			   name, primary, members[i]);
		return;
	}
}
