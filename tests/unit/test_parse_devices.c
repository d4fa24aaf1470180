/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/parse.c, device side: PCI addresses, VF device strings,
 * static VF entries, pins, guest MACs, VFIO tokens and socket file-name patterns. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "test_util.h"

#include "parse.h"


static char err[VIO_ERR_MAX];

static void reset_err(void)
{
	memset(err, 0, sizeof(err));
}

/* ---- PCI addresses ------------------------------------------------------ */

static void test_pci_long_and_short(void **state)
{
	struct vio_pci_addr a, b;
	char buf[13];

	assert_int_equal(vio_parse_pci("0000:05:08.1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.domain, 0);
	assert_int_equal(a.bus, 5);
	assert_int_equal(a.slot, 8);
	assert_int_equal(a.function, 1);
	assert_int_equal(vio_parse_pci("05:08.1", &b, err, sizeof(err)), 0);
	assert_int_equal(b.domain, 0);
	assert_int_equal(b.bus, 5);
	assert_int_equal(b.slot, 8);
	assert_int_equal(b.function, 1);
	assert_int_equal(vio_pci_cmp(&a, &b), 0);
	vio_pci_format(&b, buf, sizeof(buf));
	assert_string_equal(buf, "0000:05:08.1");

	assert_int_equal(vio_parse_pci("ffff:ff:1f.7", &a, err, sizeof(err)), 0);
	assert_int_equal(a.domain, 0xffff);
	assert_int_equal(a.bus, 0xff);
	assert_int_equal(a.slot, 0x1f);
	assert_int_equal(a.function, 7);
	vio_pci_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "ffff:ff:1f.7");
	assert_int_equal(vio_parse_pci("0001:00:00.0", &a, err, sizeof(err)), 0);
	assert_int_equal(a.domain, 1);
}

static void test_pci_case(void **state)
{
	struct vio_pci_addr a, b;
	char buf[13];

	assert_int_equal(vio_parse_pci("0000:0A:1F.7", &a, err, sizeof(err)), 0);
	assert_int_equal(vio_parse_pci("0000:0a:1f.7", &b, err, sizeof(err)), 0);
	assert_int_equal(vio_pci_cmp(&a, &b), 0);
	assert_int_equal(a.bus, 0x0a);
	assert_int_equal(a.slot, 0x1f);
	vio_pci_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "0000:0a:1f.7");
	assert_int_equal(vio_parse_pci("0A:1f.7", &b, err, sizeof(err)), 0);
	assert_int_equal(vio_pci_cmp(&a, &b), 0);
	assert_int_equal(vio_parse_pci("ABCD:EF:0C.5", &a, err, sizeof(err)), 0);
	assert_int_equal(vio_parse_pci("abcd:ef:0c.5", &b, err, sizeof(err)), 0);
	assert_int_equal(vio_pci_cmp(&a, &b), 0);
	assert_int_equal(a.domain, 0xabcd);
}

static void test_pci_cmp_order(void **state)
{
	static const char *const sorted[] = {"0000:00:00.0", "0000:05:08.1", "0000:05:08.2",
					     "0000:05:09.0", "0000:06:00.0", "0001:00:00.0",
					     "ffff:ff:1f.7"};
	const size_t n = sizeof(sorted) / sizeof(sorted[0]);
	struct vio_pci_addr a, b;

	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < n; j++) {
			assert_int_equal(vio_parse_pci(sorted[i], &a, err, sizeof(err)), 0);
			assert_int_equal(vio_parse_pci(sorted[j], &b, err, sizeof(err)), 0);
			assert_int_equal(vio_pci_cmp(&a, &b), i < j ? -1 : i > j ? 1 : 0);
		}
	}
}

static void pci_bad(const char *str, const char *needle)
{
	struct vio_pci_addr a;

	reset_err();
	assert_int_equal(vio_parse_pci(str, &a, err, sizeof(err)), -EINVAL);
	assert_contains(err, str);
	if (needle)
		assert_contains(err, needle);
}

static void test_pci_out_of_range(void **state)
{
	pci_bad("0000:05:20.0", "out of range");
	pci_bad("05:20.0", "out of range");
	pci_bad("0000:05:08.8", "out of range");
	pci_bad("0000:05:08.f", "out of range");
	pci_bad("10000:05:08.0", "out of range");
	pci_bad("0000:100:08.0", "out of range");
}

static void test_pci_malformed(void **state)
{
	pci_bad("05:08", "malformed");
	pci_bad("0000:05:08.1.2", "malformed");
	pci_bad("zz:00.0", "malformed");
	pci_bad("", "malformed");
	pci_bad("0000:05:08.", "malformed");
	pci_bad("0000:05:08.12", "malformed");
	pci_bad("0000::08.1", "malformed");
	pci_bad("08.1", "malformed");
	pci_bad("0000:00:05:08.1", "malformed");
	pci_bad("0000:05:08.1 ", "malformed");
	pci_bad(" 0000:05:08.1", "malformed");
	pci_bad("0000:05:08:1", "malformed");
	pci_bad("0000:05:0g.1", "malformed");
}

/* ---- VF device strings -------------------------------------------------- */

static void test_vf_dev_pci(void **state)
{
	struct vio_vf_dev d;

	assert_int_equal(vio_parse_vf_dev("0000:05:08.1", &d, err, sizeof(err)), 0);
	assert_true(d.is_pci);
	assert_string_equal(d.name, "0000:05:08.1");
	assert_string_equal(d.devargs, "0000:05:08.1");
	assert_int_equal(d.pci.bus, 5);
	assert_int_equal(d.pci.slot, 8);
	assert_int_equal(d.pci.function, 1);
}

static void test_vf_dev_pci_canonical(void **state)
{
	struct vio_vf_dev d;

	assert_int_equal(vio_parse_vf_dev("05:08.1", &d, err, sizeof(err)), 0);
	assert_true(d.is_pci);
	assert_string_equal(d.name, "0000:05:08.1");
	assert_string_equal(d.devargs, "0000:05:08.1");
	assert_int_equal(vio_parse_vf_dev("0000:0A:1F.2", &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "0000:0a:1f.2");
	assert_string_equal(d.devargs, "0000:0a:1f.2");
	assert_int_equal(vio_parse_vf_dev("0A:1F.2", &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "0000:0a:1f.2");
}

static void test_vf_dev_pci_devargs(void **state)
{
	struct vio_vf_dev d;

	assert_int_equal(vio_parse_vf_dev("0000:05:08.1,rxq_pkt_fill=2", &d, err,
					  sizeof(err)), 0);
	assert_true(d.is_pci);
	assert_string_equal(d.name, "0000:05:08.1");
	assert_string_equal(d.devargs, "0000:05:08.1,rxq_pkt_fill=2");
	assert_int_equal(vio_parse_vf_dev("05:0A.1,a=b,c=d", &d, err, sizeof(err)), 0);
	assert_true(d.is_pci);
	assert_string_equal(d.name, "0000:05:0a.1");
	assert_string_equal(d.devargs, "0000:05:0a.1,a=b,c=d");
}

static void test_vf_dev_vdev(void **state)
{
	struct vio_vf_dev d;

	assert_int_equal(vio_parse_vf_dev("net_tap0,iface=vf0", &d, err, sizeof(err)), 0);
	assert_false(d.is_pci);
	assert_string_equal(d.name, "net_tap0");
	assert_string_equal(d.devargs, "net_tap0,iface=vf0");
	assert_int_equal(vio_parse_vf_dev("net_pcap0,rx_pcap=/tmp/a.pcap", &d, err,
					  sizeof(err)), 0);
	assert_false(d.is_pci);
	assert_string_equal(d.name, "net_pcap0");
	assert_string_equal(d.devargs, "net_pcap0,rx_pcap=/tmp/a.pcap");
	assert_int_equal(vio_parse_vf_dev("net_null0", &d, err, sizeof(err)), 0);
	assert_false(d.is_pci);
	assert_string_equal(d.name, "net_null0");
	assert_string_equal(d.devargs, "net_null0");
	assert_int_equal(vio_parse_vf_dev("net-ring_0,a=b", &d, err, sizeof(err)), 0);
	assert_string_equal(d.name, "net-ring_0");
}

static void vf_bad(const char *str, const char *needle)
{
	struct vio_vf_dev d;

	reset_err();
	assert_int_equal(vio_parse_vf_dev(str, &d, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	if (needle)
		assert_contains(err, needle);
}

static void test_vf_dev_blanks(void **state)
{
	vf_bad("net_tap0, iface=vf0", "blanks");
	vf_bad("net tap0", "blanks");
	vf_bad(" 0000:05:08.1", "blanks");
	vf_bad("0000:05:08.1 ", "blanks");
	vf_bad("net_tap0,iface=vf0\n", "blanks");
	vf_bad("net_tap0,\tiface=vf0", "blanks");
	vf_bad("net_tap0,iface=\x01", NULL);
}

static void test_vf_dev_bad(void **state)
{
	struct vio_vf_dev d;
	char longstr[400];

	vf_bad("net_tap0,", "ends with ','");
	vf_bad("", "empty");
	reset_err();
	assert_int_equal(vio_parse_vf_dev(NULL, &d, err, sizeof(err)), -EINVAL);
	vf_bad(",iface=vf0", "no device name");
	vf_bad("0net,a=b", "0net");
	vf_bad("net$tap", "net$tap");
	vf_bad("net/tap", "net/tap");
	vf_bad("05:08", "05:08");
	vf_bad("0000:05:20.0", "out of range");
	vf_bad("0000:05:08.1.2", NULL);
	memset(longstr, 'a', sizeof(longstr) - 1);
	longstr[sizeof(longstr) - 1] = '\0';
	vf_bad(longstr, "longer");
	/* a name longer than the name field but within the string limit */
	memset(longstr, 'a', 100);
	longstr[100] = '\0';
	vf_bad(longstr, "too long");
}

static void test_vf_dev_same(void **state)
{
	struct vio_vf_dev a, b;

	assert_int_equal(vio_parse_vf_dev("0000:05:08.1", &a, err, sizeof(err)), 0);
	assert_int_equal(vio_parse_vf_dev("05:08.1", &b, err, sizeof(err)), 0);
	assert_true(vio_vf_dev_same(&a, &b));
	assert_int_equal(vio_parse_vf_dev("0000:05:08.1,x=y", &b, err, sizeof(err)), 0);
	assert_true(vio_vf_dev_same(&a, &b));
	assert_int_equal(vio_parse_vf_dev("0000:05:08.2", &b, err, sizeof(err)), 0);
	assert_false(vio_vf_dev_same(&a, &b));
	assert_int_equal(vio_parse_vf_dev("0000:0A:08.1", &a, err, sizeof(err)), 0);
	assert_int_equal(vio_parse_vf_dev("0a:08.1", &b, err, sizeof(err)), 0);
	assert_true(vio_vf_dev_same(&a, &b));

	assert_int_equal(vio_parse_vf_dev("net_tap0,iface=a", &a, err, sizeof(err)), 0);
	assert_int_equal(vio_parse_vf_dev("net_tap0,iface=b", &b, err, sizeof(err)), 0);
	assert_true(vio_vf_dev_same(&a, &b));
	assert_int_equal(vio_parse_vf_dev("net_tap1,iface=a", &b, err, sizeof(err)), 0);
	assert_false(vio_vf_dev_same(&a, &b));
	assert_int_equal(vio_parse_vf_dev("0000:05:08.1", &b, err, sizeof(err)), 0);
	assert_false(vio_vf_dev_same(&a, &b));
	assert_false(vio_vf_dev_same(&b, &a));
}

/* ---- static VFs ----------------------------------------------------------- */

static void test_static_vf(void **state)
{
	struct vio_vf_dev d;
	unsigned id = 999;

	assert_int_equal(vio_parse_static_vf("0000:05:08.1=1", &d, &id, 32, err, sizeof(err)), 0);
	assert_int_equal(id, 1);
	assert_true(d.is_pci);
	assert_string_equal(d.name, "0000:05:08.1");
	assert_int_equal(vio_parse_static_vf("05:08.2=0", &d, &id, 32, err, sizeof(err)), 0);
	assert_int_equal(id, 0);
	assert_string_equal(d.name, "0000:05:08.2");
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=31", &d, &id, 32, err, sizeof(err)),
			 0);
	assert_int_equal(id, 31);
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=63", &d, &id, 64, err, sizeof(err)),
			 0);
	assert_int_equal(id, 63);
}

static void test_static_vf_last_eq(void **state)
{
	struct vio_vf_dev d;
	unsigned id = 999;

	assert_int_equal(vio_parse_static_vf("net_tap0,iface=vf0=3", &d, &id, 32, err,
					     sizeof(err)), 0);
	assert_int_equal(id, 3);
	assert_false(d.is_pci);
	assert_string_equal(d.name, "net_tap0");
	assert_string_equal(d.devargs, "net_tap0,iface=vf0");
	assert_int_equal(vio_parse_static_vf("0000:05:08.1,a=b=7", &d, &id, 32, err,
					     sizeof(err)), 0);
	assert_int_equal(id, 7);
	assert_true(d.is_pci);
	assert_string_equal(d.devargs, "0000:05:08.1,a=b");
}

static void test_static_vf_range(void **state)
{
	struct vio_vf_dev d;
	unsigned id = 999;

	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=32", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(id, 999);
	assert_contains(err, "0000:05:08.1=32");
	assert_contains(err, "0 to 31");
	reset_err();
	assert_int_equal(
		vio_parse_static_vf("net_tap0,iface=vf0=64", &d, &id, 32, err, sizeof(err)),
		-EINVAL);
	assert_contains(err, "0 to 31");
	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=64", &d, &id, 64, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "0 to 63");
}

static void test_static_vf_bad(void **state)
{
	struct vio_vf_dev d;
	unsigned id;

	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "<device>=<relay-id>");
	reset_err();
	/* the '=' in the devargs is not a relay id */
	assert_int_equal(vio_parse_static_vf("net_tap0,iface=vf0", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "net_tap0,iface=vf0");
	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=-1", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1=1x", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
	reset_err();
	assert_int_equal(vio_parse_static_vf("=1", &d, &id, 32, err, sizeof(err)), -EINVAL);
	assert_contains(err, "device");
	reset_err();
	assert_int_equal(vio_parse_static_vf("zz:00.0=1", &d, &id, 32, err, sizeof(err)), -EINVAL);
	assert_contains(err, "zz:00.0");
	reset_err();
	assert_int_equal(vio_parse_static_vf("0000:05:08.1 =1", &d, &id, 32, err, sizeof(err)),
			 -EINVAL);
}

/* ---- pins ------------------------------------------------------------------ */

static void test_pin(void **state)
{
	struct vio_pin p;

	assert_int_equal(vio_parse_pin("0:1", &p, 32, err, sizeof(err)), 0);
	assert_int_equal(p.relay, 0);
	assert_int_equal(p.cpu_vf_to_vm, 1);
	assert_int_equal(p.cpu_vm_to_vf, 1);
	assert_int_equal(vio_parse_pin("0:1,2", &p, 32, err, sizeof(err)), 0);
	assert_int_equal(p.relay, 0);
	assert_int_equal(p.cpu_vf_to_vm, 1);
	assert_int_equal(p.cpu_vm_to_vf, 2);
	assert_int_equal(vio_parse_pin("31:127,126", &p, 32, err, sizeof(err)), 0);
	assert_int_equal(p.relay, 31);
	assert_int_equal(p.cpu_vf_to_vm, 127);
	assert_int_equal(p.cpu_vm_to_vf, 126);
}

static void pin_bad(const char *str, const char *needle)
{
	struct vio_pin p;

	reset_err();
	assert_int_equal(vio_parse_pin(str, &p, 32, err, sizeof(err)), -EINVAL);
	assert_contains(err, str);
	if (needle)
		assert_contains(err, needle);
}

static void test_pin_bad(void **state)
{
	pin_bad("32:1", "relay");
	pin_bad("99:1", "relay");
	pin_bad("x:1", "relay");
	pin_bad(":1", "relay");
	pin_bad("-1:1", "relay");
	pin_bad("0:x", "CPU");
	pin_bad("0:128", "CPU");
	pin_bad("0:", "CPU");
	pin_bad("0:1,x", "second CPU");
	pin_bad("0:1,128", "second CPU");
	pin_bad("0:1,", "second CPU");
	pin_bad("0:1,2,3", NULL);
	pin_bad("01", "<relay>:<cpu>");
	pin_bad("", NULL);
	pin_bad("0:1:2", NULL);
	pin_bad("0: 1", NULL);
}

/* ---- guest MACs --------------------------------------------------------- */

static void test_guest_mac(void **state)
{
	static const uint8_t want[6] = {0x52, 0x54, 0x00, 0xab, 0xcd, 0xef};
	struct vio_guest_mac g;

	assert_int_equal(vio_parse_guest_mac("3=52:54:00:ab:cd:ef", &g, 32, err, sizeof(err)), 0);
	assert_int_equal(g.relay, 3);
	assert_memory_equal(g.mac, want, 6);
	assert_int_equal(vio_parse_guest_mac("31=52-54-00-AB-CD-EF", &g, 32, err, sizeof(err)), 0);
	assert_int_equal(g.relay, 31);
	assert_memory_equal(g.mac, want, 6);
}

static void guest_mac_bad(const char *str, const char *needle)
{
	struct vio_guest_mac g;

	reset_err();
	assert_true(vio_parse_guest_mac(str, &g, 32, err, sizeof(err)) < 0);
	assert_contains(err, str);
	assert_contains(err, needle);
}

static void test_guest_mac_bad(void **state)
{
	guest_mac_bad("32=52:54:00:12:34:56", "relay id");
	guest_mac_bad("x=52:54:00:12:34:56", "relay id");
	guest_mac_bad("52:54:00:12:34:56", "<relay>=<MAC>");
	guest_mac_bad("1=52:54:00:12:34", "of the form");
	guest_mac_bad("1=52:54:00:12:34:56:78", "of the form");
	guest_mac_bad("1=52:54:00:12:34:5", "of the form");
	guest_mac_bad("1=52:54:00:12:34:5g", "of the form");
	guest_mac_bad("1=52.54.00.12.34.56", "of the form");
	guest_mac_bad("1=", "of the form");
	guest_mac_bad("1=01:00:5e:00:00:01", "multicast");
	guest_mac_bad("1=ff:ff:ff:ff:ff:ff", "multicast");
	guest_mac_bad("1=00:00:00:00:00:00", "all zeros");
}

/* ---- VFIO token ------------------------------------------------------------- */

static void test_vfio_token(void **state)
{
	char out[40];

	strcpy(out, "junk");
	assert_int_equal(vio_parse_vfio_token("", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "");
	strcpy(out, "junk");
	assert_int_equal(vio_parse_vfio_token("None", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "");
	strcpy(out, "junk");
	assert_int_equal(vio_parse_vfio_token("none", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "");
	strcpy(out, "junk");
	assert_int_equal(vio_parse_vfio_token("NULL", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "");
	assert_int_equal(vio_parse_vfio_token("0", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "14d63f20-8445-11ea-8900-1f9ce7d5650d");
	assert_int_equal(vio_parse_vfio_token("bd4e2cb0-1a36-4c1e-9b1e-2f4a3b6c7d8e", out,
					      sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "bd4e2cb0-1a36-4c1e-9b1e-2f4a3b6c7d8e");
	assert_int_equal(vio_parse_vfio_token("BD4E2CB0-1A36-4C1E-9B1E-2F4A3B6C7D8E", out,
					      sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "BD4E2CB0-1A36-4C1E-9B1E-2F4A3B6C7D8E");
}

static void test_vfio_token_bad(void **state)
{
	static const char *const bad[] = {
		"1",
		"00",
		"maybe",
		"14d63f20-8445-11ea-8900-1f9ce7d5650",   /* 35 chars */
		"14d63f20-8445-11ea-8900-1f9ce7d5650dd", /* 37 chars */
		"14d63f20x8445-11ea-8900-1f9ce7d5650d",  /* dash replaced */
		"g4d63f20-8445-11ea-8900-1f9ce7d5650d",  /* non-hex */
		"14d63f2-08445-11ea-8900-1f9ce7d5650d",  /* dash misplaced */
		"14d63f20-8445-11ea-8900-1f9ce7d5650 ",
		"{14d63f20-8445-11ea-8900-1f9ce7d565}",
	};
	char out[40];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		reset_err();
		assert_int_equal(vio_parse_vfio_token(bad[i], out, sizeof(out), err, sizeof(err)),
				 -EINVAL);
		assert_contains(err, bad[i]);
		assert_contains(err, "UUID");
	}
}

/* ---- socket pattern ----------------------------------------------------------- */

static void test_socket_pattern(void **state)
{
	assert_int_equal(vio_check_socket_pattern("virtio-forwarder%u.sock", err, sizeof(err)),
			 0);
	assert_int_equal(vio_check_socket_pattern("%u", err, sizeof(err)), 0);
	assert_int_equal(vio_check_socket_pattern("vf%u", err, sizeof(err)), 0);
	assert_int_equal(vio_check_socket_pattern("100%%-vf%u.sock", err, sizeof(err)), 0);
	assert_int_equal(vio_check_socket_pattern("vf%u-%%", err, sizeof(err)), 0);
}

static void pattern_bad(const char *pattern, const char *needle)
{
	reset_err();
	assert_int_equal(vio_check_socket_pattern(pattern, err, sizeof(err)), -EINVAL);
	assert_true(err[0] != '\0');
	if (needle)
		assert_contains(err, needle);
}

static void test_socket_pattern_bad(void **state)
{
	pattern_bad("", "empty");
	pattern_bad("vf.sock", "exactly one");
	pattern_bad("vf%%u.sock", "exactly one");
	pattern_bad("vf%u%u.sock", "exactly one");
	pattern_bad("vf%s.sock", "%u");
	pattern_bad("vf%d.sock", "%u");
	pattern_bad("vf%u%s", NULL);
	pattern_bad("vf%", NULL);
	pattern_bad("dir/vf%u.sock", "not a path");
	pattern_bad("/tmp/vf%u.sock", "not a path");
}

/* A short PCI address grows to its canonical form (5 -> 12 characters):
 * arguments that fitted before must not be cut afterwards (found by
 * fuzz_parse: the PMD was handed a truncated string). */
static void test_vf_dev_pci_devargs_not_cut(void **state)
{
	char str[VIO_DEVSTR_MAX];
	struct vio_vf_dev d;
	size_t n;

	snprintf(str, sizeof(str), "0:0.0,");
	n = strlen(str);
	memset(str + n, 'a', sizeof(str) - 1 - n);
	str[sizeof(str) - 1] = '\0';
	assert_int_equal(strlen(str), VIO_DEVSTR_MAX - 1);
	assert_int_equal(vio_parse_vf_dev(str, &d, err, sizeof(err)), -EINVAL);
	assert_contains(err, "with the PCI address written in full (0000:00:00.0)");
	str[VIO_DEVSTR_MAX - 1 - 7] = '\0'; /* exactly fits once canonical */
	assert_int_equal(vio_parse_vf_dev(str, &d, err, sizeof(err)), 0);
	assert_int_equal(strlen(d.devargs), VIO_DEVSTR_MAX - 1);
	assert_memory_equal(d.devargs, "0000:00:00.0,aaa", 16);
}

static void test_driver_list(void **state)
{
	char out[64];

	assert_int_equal(vio_parse_driver_list(" net_tap, net_null\tnet_af_packet ", out,
					       sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "net_tap,net_null,net_af_packet");
	assert_int_equal(vio_parse_driver_list("", out, sizeof(out), err, sizeof(err)), 0);
	assert_string_equal(out, "");
	assert_int_equal(vio_parse_driver_list("net_tap,Net_X", out, sizeof(out), err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "\"Net_X\" is not a DPDK driver name");
	assert_int_equal(vio_parse_driver_list("net_tap,../x", out, sizeof(out), err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(vio_parse_driver_list("net_aaaaaaaaaa,net_bbbbbbbbbbbbbb,net_cccccccccccc,"
					       "net_dddddddddddddd,net_e",
					       out, sizeof(out), err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "too long");
}

static void control_ok(const char *str, const char *drivers)
{
	struct vio_vf_dev d;

	assert_int_equal(vio_parse_vf_dev(str, &d, err, sizeof(err)), 0);
	if (vio_vf_dev_control_check(&d, drivers, err, sizeof(err)))
		fail_msg("%s refused with %s: %s", str, drivers, err);
}

static void control_refused(const char *str, const char *drivers, const char *why)
{
	struct vio_vf_dev d;

	assert_int_equal(vio_parse_vf_dev(str, &d, err, sizeof(err)), 0);
	assert_int_equal(vio_vf_dev_control_check(&d, drivers, err, sizeof(err)), -EINVAL);
	assert_contains(err, why);
}

static void test_control_check(void **state)
{
	control_ok("0000:05:08.1", "");
	control_ok("05:08.1", NULL);
	control_refused("0000:05:08.1,x=1", "net_tap", "PCI device");
	control_ok("net_tap0", "net_tap");
	control_ok("net_tap12,iface=vf0,mac=02:00:00:00:00:01", "net_null,net_tap");
	control_ok("net_af_packet3,iface=veth1,qpairs=2", "net_af_packet");
	control_ok("net_pcap0,iface=lo,infinite_rx=1", "net_pcap");
	control_ok("net_ring0", "net_ring");
	control_refused("net_tap0", "", "PCI devices only");
	control_refused("net_tap0", "net_null", "devices of net_null");
	control_refused("net_ta0", "net_tap", "<driver><number>");
	control_refused("net_tap", "net_tap", "<driver><number>");
	control_refused("net_tap0x", "net_tap", "<driver><number>");
	control_refused("net_pcap0,rx_pcap=/tmp/a.pcap", "net_pcap", "\"rx_pcap\" of net_pcap");
	control_refused("net_pcap0,iface=lo,tx_pcap=/etc/passwd", "net_pcap", "\"tx_pcap\"");
	control_refused("net_ring0,nodeaction=r:0:CREATE", "net_ring", "\"nodeaction\"");
	control_refused("net_vhost0,iface=/x.sock", "net_vhost", "\"iface\" of net_vhost");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pci_long_and_short),
		cmocka_unit_test(test_pci_case),
		cmocka_unit_test(test_pci_cmp_order),
		cmocka_unit_test(test_pci_out_of_range),
		cmocka_unit_test(test_pci_malformed),
		cmocka_unit_test(test_vf_dev_pci),
		cmocka_unit_test(test_vf_dev_pci_canonical),
		cmocka_unit_test(test_vf_dev_pci_devargs),
		cmocka_unit_test(test_vf_dev_vdev),
		cmocka_unit_test(test_vf_dev_blanks),
		cmocka_unit_test(test_vf_dev_bad),
		cmocka_unit_test(test_vf_dev_same),
		cmocka_unit_test(test_static_vf),
		cmocka_unit_test(test_static_vf_last_eq),
		cmocka_unit_test(test_static_vf_range),
		cmocka_unit_test(test_static_vf_bad),
		cmocka_unit_test(test_pin),
		cmocka_unit_test(test_pin_bad),
		cmocka_unit_test(test_guest_mac),
		cmocka_unit_test(test_guest_mac_bad),
		cmocka_unit_test(test_vfio_token),
		cmocka_unit_test(test_vfio_token_bad),
		cmocka_unit_test(test_socket_pattern),
		cmocka_unit_test(test_socket_pattern_bad),
		cmocka_unit_test(test_vf_dev_pci_devargs_not_cut),
		cmocka_unit_test(test_driver_list),
		cmocka_unit_test(test_control_check),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
