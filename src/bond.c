/* SPDX-License-Identifier: BSD-3-Clause */
/* Bonded VFs, the DPDK-free part: see bond.h. */
#include "bond.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* DPDK's numbering (rte_eth_bond.h), which the protocol's mode field uses. */
static const char *const mode_names[] = {
	"round-robin", "active-backup", "balance", "broadcast", "802.3ad", "tlb", "alb",
};
#define NB_MODES (sizeof(mode_names) / sizeof(mode_names[0]))

int vio_bond_check_name(const char *name, char *err, size_t errlen)
{
	size_t n = strlen(name);

	if (n == 0)
		return vio_parse_fail(err, errlen, "the bond has no name");
	if (n >= VIO_BOND_NAME_MAX)
		return vio_parse_fail(err, errlen, "bond name \"%.40s...\" is longer than %d characters",
			    name, VIO_BOND_NAME_MAX - 1);
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' && name[i] != '-')
			return vio_parse_fail(err, errlen, "bond name \"%.40s\" may hold letters, digits, "
				    "'_' and '-' only", isprint((unsigned char)name[i]) ? name
										  : "(binary)");
	if (!isalpha((unsigned char)name[0]))
		return vio_parse_fail(err, errlen, "bond name \"%s\" must start with a letter", name);
	return 0;
}

int vio_bond_check_mode(unsigned mode, char *err, size_t errlen)
{
	if (mode >= NB_MODES)
		return vio_parse_fail(err, errlen, "bond mode %u does not exist (0 round-robin, "
			    "1 active-backup, 2 balance, 3 broadcast, 5 tlb)", mode);
	if (mode == 4)
		return vio_parse_fail(err, errlen, "bond mode 4 (802.3ad) is not supported: LACP needs the "
			    "bond polled at least every 100 ms, and idle workers sleep; use 1 "
			    "(active-backup) or 2 (balance) with a static LAG");
	if (mode == 6)
		return vio_parse_fail(err, errlen, "bond mode 6 (alb) is not supported: it rewrites the "
			    "guests' ARP packets; use 1 (active-backup) or 2 (balance)");
	return 0;
}

int vio_bond_parse_mode(const char *str, unsigned *mode, char *err, size_t errlen)
{
	for (unsigned i = 0; i < NB_MODES; i++) {
		char num[4];

		snprintf(num, sizeof(num), "%u", i);
		if (strcmp(str, num) == 0 || strcasecmp(str, mode_names[i]) == 0) {
			*mode = i;
			return vio_bond_check_mode(i, err, errlen);
		}
	}
	return vio_parse_fail(err, errlen, "\"%.40s\" is not a bond mode (0 or round-robin, 1 or "
		    "active-backup, 2 or balance, 3 or broadcast, 5 or tlb)", str);
}

const char *vio_bond_mode_name(unsigned mode)
{
	return mode < NB_MODES ? mode_names[mode] : "unknown";
}

bool vio_dev_is_bonding(const struct vio_vf_dev *dev)
{
	return !dev->is_pci && !dev->is_bond &&
	       (strncmp(dev->name, "net_bonding", 11) == 0 ||
		strncmp(dev->name, "eth_bond", 8) == 0); /* the PMD's alias */
}

bool vio_bond_has_member(const struct vio_bond *b, const struct vio_vf_dev *dev)
{
	for (unsigned i = 0; i < b->n; i++)
		if (vio_vf_dev_same(&b->member[i], dev))
			return true;
	return false;
}

int vio_bond_add_member(struct vio_bond *b, const struct vio_vf_dev *dev, char *err,
			size_t errlen)
{
	if (dev->is_bond || vio_dev_is_bonding(dev))
		return vio_parse_fail(err, errlen, "member %s is a bonding device: give the bond's "
			    "members instead", dev->name);
	if (vio_bond_has_member(b, dev))
		return vio_parse_fail(err, errlen, "member %s is given twice", dev->name);
	if (b->n == VIO_BOND_MAX)
		return vio_parse_fail(err, errlen, "a bond has at most %d members", VIO_BOND_MAX);
	b->member[b->n++] = *dev;
	return 0;
}

int vio_bond_check(const struct vio_bond *b, char *err, size_t errlen)
{
	if (vio_bond_check_name(b->name, err, errlen) ||
	    vio_bond_check_mode(b->mode, err, errlen))
		return -EINVAL;
	if (b->n < 2)
		return vio_parse_fail(err, errlen, "bond %s has %u member%s: a bond needs 2 to %d", b->name,
			    b->n, b->n == 1 ? "" : "s", VIO_BOND_MAX);
	return 0;
}

bool vio_bond_same(const struct vio_bond *a, const struct vio_bond *b)
{
	if (strcmp(a->name, b->name) != 0 || a->mode != b->mode || a->n != b->n)
		return false;
	for (unsigned i = 0; i < a->n; i++)
		if (!vio_bond_has_member(b, &a->member[i]))
			return false;
	return true;
}

void vio_bond_format_members(const struct vio_bond *b, const char *sep, char *buf, size_t len)
{
	size_t used = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < b->n && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? sep : "", b->member[i].name);

		if (k < 0)
			break;
		used += (size_t)k;
	}
}

void vio_bond_ident(const struct vio_bond *b, struct vio_vf_dev *out)
{
	memset(out, 0, sizeof(*out));
	out->is_bond = true;
	snprintf(out->name, sizeof(out->name), "%s", b->name);
	vio_bond_format_members(b, "+", out->devargs, sizeof(out->devargs));
}

bool vio_is_bond_spec(const char *str)
{
	return strncmp(str, VIO_BOND_PREFIX, strlen(VIO_BOND_PREFIX)) == 0;
}

int vio_parse_bond(const char *str, struct vio_bond *out, char *err, size_t errlen)
{
	const char *p = str + strlen(VIO_BOND_PREFIX), *colon, *colon2;
	char mode[32], member[VIO_DEVSTR_MAX], sub[VIO_ERR_MAX];

	memset(out, 0, sizeof(*out));
	if (!vio_is_bond_spec(str))
		return vio_parse_fail(err, errlen, "\"%.60s\" does not start with \"" VIO_BOND_PREFIX "\"",
			    str);
	colon = strchr(p, ':');
	colon2 = colon ? strchr(colon + 1, ':') : NULL;
	if (!colon2)
		return vio_parse_fail(err, errlen, "\"%.60s\" is not " VIO_BOND_PREFIX
			    "<name>:<mode>:<member>+<member>...", str);
	if ((size_t)(colon - p) >= sizeof(out->name))
		return vio_parse_fail(err, errlen, "bond name in \"%.60s\" is longer than %d characters",
			    str, VIO_BOND_NAME_MAX - 1);
	memcpy(out->name, p, (size_t)(colon - p));
	if (vio_bond_check_name(out->name, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "%s", sub);
	if ((size_t)(colon2 - colon - 1) >= sizeof(mode))
		return vio_parse_fail(err, errlen, "bond %s: mode \"%.*s\" is too long", out->name,
			    (int)(colon2 - colon - 1) > 40 ? 40 : (int)(colon2 - colon - 1),
			    colon + 1);
	memcpy(mode, colon + 1, (size_t)(colon2 - colon - 1));
	mode[colon2 - colon - 1] = '\0';
	if (vio_bond_parse_mode(mode, &out->mode, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "bond %s: %s", out->name, sub);
	p = colon2 + 1;
	for (;;) {
		size_t n = strcspn(p, "+");
		struct vio_vf_dev dev;

		if (n == 0)
			return vio_parse_fail(err, errlen, "bond %s: empty member (members are separated by "
				    "a single '+')", out->name);
		if (n >= sizeof(member))
			return vio_parse_fail(err, errlen, "bond %s: member %u is longer than %d characters",
				    out->name, out->n + 1, VIO_DEVSTR_MAX - 1);
		memcpy(member, p, n);
		member[n] = '\0';
		if (vio_parse_vf_dev(member, &dev, sub, sizeof(sub)))
			return vio_parse_fail(err, errlen, "bond %s: member \"%.80s\": %s", out->name, member,
				    sub);
		if (vio_bond_add_member(out, &dev, sub, sizeof(sub)))
			return vio_parse_fail(err, errlen, "bond %s: %s", out->name, sub);
		if (!p[n])
			break;
		p += n + 1;
	}
	if (vio_bond_check(out, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "%s", sub);
	return 0;
}

int vio_parse_static_bond(const char *str, struct vio_bond *out, unsigned *relay_id,
			  unsigned max_relays, char *err, size_t errlen)
{
	const char *eq = strrchr(str, '=');
	char spec[VIO_BOND_MAX * VIO_DEVSTR_MAX], sub[VIO_ERR_MAX];
	unsigned long id;

	if (!eq)
		return vio_parse_fail(err, errlen, "\"%.60s\" is not " VIO_BOND_PREFIX
			    "<name>:<mode>:<member>+<member>...=<relay-id>", str);
	if ((size_t)(eq - str) >= sizeof(spec))
		return vio_parse_fail(err, errlen, "bond \"%.60s...\" is too long", str);
	if (vio_parse_uint(eq + 1, 0, max_relays - 1, &id, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "relay id in \"%.60s\": %s (ids run from 0 to %u)",
			    str, sub, max_relays - 1);
	memcpy(spec, str, (size_t)(eq - str));
	spec[eq - str] = '\0';
	if (vio_parse_bond(spec, out, err, errlen))
		return -EINVAL;
	*relay_id = (unsigned)id;
	return 0;
}
