/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/bond.c: bond names, modes, member lists and the static
 * syntax bond:<name>:<mode>:<member>+<member>. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "bond.h"

static char err[VIO_ERR_MAX];

static void parse_bad(const char *str, const char *needle)
{
	struct vio_bond b;

	memset(err, 0, sizeof(err));
	if (vio_parse_bond(str, &b, err, sizeof(err)) == 0) {
		print_error("\"%s\" was accepted\n", str);
		fail();
	}
	assert_contains(err, needle);
}

static void test_names(void **state)
{
	char long_name[VIO_BOND_NAME_MAX + 1];

	assert_int_equal(vio_bond_check_name("bond0", err, sizeof(err)), 0);
	assert_int_equal(vio_bond_check_name("B-0_x", err, sizeof(err)), 0);
	assert_int_equal(vio_bond_check_name("", err, sizeof(err)), -EINVAL);
	assert_contains(err, "no name");
	assert_int_equal(vio_bond_check_name("0b", err, sizeof(err)), -EINVAL);
	assert_contains(err, "start with a letter");
	assert_int_equal(vio_bond_check_name("b.0", err, sizeof(err)), -EINVAL);
	assert_contains(err, "letters, digits");
	assert_int_equal(vio_bond_check_name("b\xff", err, sizeof(err)), -EINVAL);
	assert_contains(err, "(binary)");
	memset(long_name, 'a', VIO_BOND_NAME_MAX);
	long_name[VIO_BOND_NAME_MAX] = '\0';
	assert_int_equal(vio_bond_check_name(long_name, err, sizeof(err)), -EINVAL);
	assert_contains(err, "longer than 31");
	long_name[VIO_BOND_NAME_MAX - 1] = '\0';
	assert_int_equal(vio_bond_check_name(long_name, err, sizeof(err)), 0);
}

static void test_modes(void **state)
{
	static const char *const ok[] = {"0", "round-robin", "1", "Active-Backup", "2",
					 "balance", "3", "broadcast", "5", "tlb"};
	static const unsigned val[] = {0, 0, 1, 1, 2, 2, 3, 3, 5, 5};
	unsigned m;

	for (unsigned i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		assert_int_equal(vio_bond_parse_mode(ok[i], &m, err, sizeof(err)), 0);
		assert_int_equal(m, val[i]);
	}
	assert_int_equal(vio_bond_parse_mode("4", &m, err, sizeof(err)), -EINVAL);
	assert_contains(err, "802.3ad");
	assert_int_equal(vio_bond_parse_mode("alb", &m, err, sizeof(err)), -EINVAL);
	assert_contains(err, "ARP");
	assert_int_equal(vio_bond_parse_mode("7", &m, err, sizeof(err)), -EINVAL);
	assert_contains(err, "is not a bond mode");
	assert_int_equal(vio_bond_parse_mode("01", &m, err, sizeof(err)), -EINVAL);
	assert_int_equal(vio_bond_check_mode(7, err, sizeof(err)), -EINVAL);
	assert_contains(err, "does not exist");
	assert_string_equal(vio_bond_mode_name(1), "active-backup");
	assert_string_equal(vio_bond_mode_name(9), "unknown");
}

static void test_parse(void **state)
{
	struct vio_bond b, c;
	struct vio_vf_dev ident;
	char buf[128];

	assert_true(vio_is_bond_spec("bond:x"));
	assert_false(vio_is_bond_spec("net_bonding0"));
	assert_int_equal(vio_parse_bond("bond:b0:active-backup:05:08.1+net_tap0,iface=vf0,mac=02:00:00:00:00:01",
					&b, err, sizeof(err)), 0);
	assert_string_equal(b.name, "b0");
	assert_int_equal(b.mode, 1);
	assert_int_equal(b.n, 2);
	assert_true(b.member[0].is_pci);
	assert_string_equal(b.member[0].name, "0000:05:08.1");
	assert_string_equal(b.member[1].name, "net_tap0");
	assert_string_equal(b.member[1].devargs, "net_tap0,iface=vf0,mac=02:00:00:00:00:01");
	vio_bond_format_members(&b, " ", buf, sizeof(buf));
	assert_string_equal(buf, "0000:05:08.1 net_tap0");
	vio_bond_ident(&b, &ident);
	assert_true(ident.is_bond);
	assert_false(ident.is_pci);
	assert_string_equal(ident.name, "b0");
	/* a bond is not the device of the same name */
	assert_int_equal(vio_parse_vf_dev("b0", &c.member[0], err, sizeof(err)), 0);
	assert_false(vio_vf_dev_same(&ident, &c.member[0]));

	/* same members in another order: the same bond; other mode: not */
	assert_int_equal(vio_parse_bond("bond:b0:1:net_tap0+0000:05:08.1", &c, err, sizeof(err)),
			 0);
	assert_true(vio_bond_same(&b, &c));
	c.mode = 2;
	assert_false(vio_bond_same(&b, &c));
	assert_true(vio_bond_has_member(&b, &c.member[0]));

	assert_int_equal(vio_parse_bond("bond:b1:2:net_null0+net_null1+net_null2+net_null3+"
					"net_null4+net_null5+net_null6+net_null7", &b, err,
					sizeof(err)), 0);
	assert_int_equal(b.n, VIO_BOND_MAX);
}

static void test_parse_bad(void **state)
{
	parse_bad("bond:b0:1", "is not bond:<name>:<mode>:<member>+<member>");
	parse_bad("bond::1:05:08.1+05:08.2", "no name");
	parse_bad("bond:b0:x:05:08.1+05:08.2", "is not a bond mode");
	parse_bad("bond:b0:6:05:08.1+05:08.2", "alb");
	parse_bad("bond:b0:1:05:08.1", "has 1 member: a bond needs 2 to 8");
	parse_bad("bond:b0:1:05:08.1+", "empty member");
	parse_bad("bond:b0:1:05:08.1++05:08.2", "empty member");
	parse_bad("bond:b0:1:05:08.1+0000:05:08.1", "member 0000:05:08.1 is given twice");
	parse_bad("bond:b0:1:net_tap0,iface=a+net_tap0,iface=b", "net_tap0 is given twice");
	parse_bad("bond:b0:1:05:08.1+net_bonding1,mode=1", "bonding device");
	parse_bad("bond:b0:1:05:08.1+zz:00.0", "member \"zz:00.0\"");
	parse_bad("bond:b0:1:net_null0+net_null1+net_null2+net_null3+net_null4+net_null5+"
		  "net_null6+net_null7+net_null8", "at most 8 members");
	parse_bad("bond:b0:1:05:08.1+a b", "blanks");
}

static void test_static(void **state)
{
	struct vio_bond b;
	unsigned id;

	assert_int_equal(vio_parse_static_bond("bond:b0:1:05:08.1+net_tap0,iface=x=3", &b, &id, 32,
					       err, sizeof(err)), 0);
	assert_int_equal(id, 3);
	assert_string_equal(b.member[1].devargs, "net_tap0,iface=x");
	assert_int_equal(vio_parse_static_bond("bond:b0:1:05:08.1+05:08.2=32", &b, &id, 32, err,
					       sizeof(err)),
			 -EINVAL);
	assert_contains(err, "0 to 31");
	assert_int_equal(
		vio_parse_static_bond("bond:b0:1:05:08.1+05:08.2", &b, &id, 32, err, sizeof(err)),
		-EINVAL);
	assert_contains(err, "=<relay-id>");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_static),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
