/* SPDX-License-Identifier: BSD-3-Clause */
/* Bonded VFs: a bond is one relay's VF side made of 2 to VIO_BOND_MAX
 * member devices (PCI VFs or DPDK device strings) behind DPDK's bonding PMD,
 * so that the relay survives the failure of one member's link.  This module
 * is the DPDK-free part: names, modes, member lists and the static syntax
 * (docs/configuration.md, "Bonded VFs"); vf_bond.c drives the PMD.
 */
#ifndef VIO_BOND_H
#define VIO_BOND_H

#include <stdbool.h>
#include <stddef.h>

#include "parse.h"

#define VIO_BOND_MAX 8          /* members of one bond (as the original) */
#define VIO_BOND_NAME_MAX 32    /* bond name, with its NUL */
#define VIO_BOND_PREFIX "bond:" /* the static syntax starts with it */
#define VIO_BOND_DEFAULT_MODE 1 /* active-backup, the protocol's default */

struct vio_bond {
	char name[VIO_BOND_NAME_MAX];
	unsigned mode;                  /* DPDK's numbering: 0 round-robin ... 6 alb */
	unsigned n;                     /* members */
	struct vio_vf_dev member[VIO_BOND_MAX];
};

/* A bond name: a letter, then letters, digits, '_' or '-'; at most
 * VIO_BOND_NAME_MAX-1 characters.  0, or -EINVAL with the reason in err
 * (as every int-returning function below). */
int vio_bond_check_name(const char *name, char *err, size_t errlen);

/* A mode this daemon runs: 0 round-robin, 1 active-backup, 2 balance,
 * 3 broadcast, 5 tlb.  4 (802.3ad) and 6 (alb) are refused with the reason;
 * -EINVAL with the reason in err. */
int vio_bond_check_mode(unsigned mode, char *err, size_t errlen);
/* A mode given as its number or its name ("active-backup"). */
int vio_bond_parse_mode(const char *str, unsigned *mode, char *err, size_t errlen);
/* "active-backup" for 1; "unknown" out of range. */
const char *vio_bond_mode_name(unsigned mode);

/* Append a member; refuses a duplicate, a bond device as a member and more
 * than VIO_BOND_MAX members. */
int vio_bond_add_member(struct vio_bond *b, const struct vio_vf_dev *dev, char *err,
			size_t errlen);
/* A complete bond: valid name and mode, 2 to VIO_BOND_MAX members. */
int vio_bond_check(const struct vio_bond *b, char *err, size_t errlen);
/* dev is one of b's members. */
bool vio_bond_has_member(const struct vio_bond *b, const struct vio_vf_dev *dev);
/* Same name, mode and members (in any order). */
bool vio_bond_same(const struct vio_bond *a, const struct vio_bond *b);

/* The relay identity of a bond (stored where a single VF's device is):
 * is_bond set, name = the bond's name, devargs = its members. */
void vio_bond_ident(const struct vio_bond *b, struct vio_vf_dev *out);

/* The member names, separated by sep ("0000:05:08.1 0000:06:08.1"). */
void vio_bond_format_members(const struct vio_bond *b, const char *sep, char *buf, size_t len);

/* A driver name a device string must not use: the bonding PMD's own
 * (bonds are made with the bond syntax, from members). */
bool vio_dev_is_bonding(const struct vio_vf_dev *dev);

/* The static syntax, VIRTIOFWD_STATIC_VFS / -P:
 *   bond:<name>:<mode>:<member>+<member>[+<member>...]
 * <mode> a number or a name, each <member> a PCI address or a DPDK device
 * string (no '+').  The "bond:" prefix is never a device string (':' is not
 * in device names) nor a PCI address. */
bool vio_is_bond_spec(const char *str);
int vio_parse_bond(const char *str, struct vio_bond *out, char *err, size_t errlen);
/* "<bond>=<relay-id>": the id is what follows the last '='. */
int vio_parse_static_bond(const char *str, struct vio_bond *out, unsigned *relay_id,
			  unsigned max_relays, char *err, size_t errlen);

#endif
