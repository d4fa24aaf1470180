/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/config.c: the relays' side of the configuration (static
 * VFs and bonds, CPU pins) and whole-configuration validation against a fake
 * set of online CPUs (the variables and their values: test_config.c). */
#include "config_harness.h"

/* ---- static VFs ---------------------------------------------------------------------- */

/* Static VF i is the device name for relay. */
static void static_vf_is(unsigned i, unsigned relay, const char *name)
{
	assert_true(cfg.n_static_vfs > i);
	assert_int_equal(cfg.static_vfs[i].relay, relay);
	assert_string_equal(cfg.static_vfs[i].dev.name, name);
}

static void test_static_vfs_scalar(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=0000:05:08.1=1\n");
	assert_int_equal(cfg.n_static_vfs, 1);
	static_vf_is(0, 1, "0000:05:08.1");
	assert_true(cfg.static_vfs[0].dev.is_pci);
}

static void test_static_vfs_array_one(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1)\n");
	assert_int_equal(cfg.n_static_vfs, 1);
	static_vf_is(0, 1, "0000:05:08.1");
}

static void test_static_vfs_array_three(void **state)
{
	static const char *const names[] = {"0000:05:08.1", "0000:05:08.2", "0000:05:08.3"};

	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2 0000:05:08.3=3)\n");
	assert_int_equal(cfg.n_static_vfs, 3);
	for (unsigned i = 0; i < 3; i++)
		static_vf_is(i, i + 1, names[i]);
}

static void test_static_vfs_vdev(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=(\n  net_tap0,iface=vf0=3 # tap\n  05:08.1=0\n)\n");
	assert_int_equal(cfg.n_static_vfs, 2);
	static_vf_is(0, 3, "net_tap0");
	assert_false(cfg.static_vfs[0].dev.is_pci);
	assert_string_equal(cfg.static_vfs[0].dev.devargs, "net_tap0,iface=vf0");
	static_vf_is(1, 0, "0000:05:08.1");
}

static void test_static_vfs_reassigned(void **state)
{
	/* as in bash, a later assignment replaces the earlier list */
	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2)\n"
		"VIRTIOFWD_STATIC_VFS=(0000:05:08.3=1)\n");
	assert_int_equal(cfg.n_static_vfs, 1);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.3");
	load_ok("VIRTIOFWD_STATIC_VFS=\n");
	assert_int_equal(cfg.n_static_vfs, 0);
}

static void test_static_vfs_dup_relay(void **state)
{
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=1)\n", "VIRTIOFWD_STATIC_VFS",
		 "relay id 1");
	assert_contains(err, "0000:05:08.2=1");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(net_tap0=4 net_tap1=4)\n", "VIRTIOFWD_STATIC_VFS",
		 "relay id 4");
}

static void test_static_vfs_dup_dev_short(void **state)
{
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 05:08.1=2)\n", "VIRTIOFWD_STATIC_VFS",
		 "0000:05:08.1");
	assert_contains(err, "twice");
}

static void test_static_vfs_dup_dev_case(void **state)
{
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:0a.1=1 0000:05:0A.1=2)\n", "VIRTIOFWD_STATIC_VFS",
		 "twice");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:0A.1=1 05:0a.1=2)\n", "VIRTIOFWD_STATIC_VFS",
		 "twice");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.1=2)\n", "VIRTIOFWD_STATIC_VFS",
		 "twice");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.1,x=y=2)\n",
		 "VIRTIOFWD_STATIC_VFS", "twice");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(net_tap0,iface=a=1 net_tap0,iface=b=2)\n",
		 "VIRTIOFWD_STATIC_VFS", "twice");
}

static void test_static_vfs_bad(void **state)
{
	load_bad("VIRTIOFWD_STATIC_VFS=0000:05:08.1=32\n", "VIRTIOFWD_STATIC_VFS", "0 to 31");
	load_bad("VIRTIOFWD_STATIC_VFS=(zz:00.0=1)\n", "VIRTIOFWD_STATIC_VFS", "zz:00.0");
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1)\n", "VIRTIOFWD_STATIC_VFS", "0000:05:08.1");
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 '')\n", "VIRTIOFWD_STATIC_VFS", "empty");
}

/* Bonds in the static list: stored with their members, the relay's
 * identity the bond's name; a member used twice (by another bond or as a
 * VF), a bond name used twice and a bonding device string are refused; a
 * replaced list frees the bond slots. */
static void test_static_bonds(void **state)
{
	const struct vio_bond *b;

	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 "
		"bond:b0:active-backup:0000:05:08.2+net_tap0,iface=vf0=2 bond:b1:2:05:08.3+05:08.4=3)\n");
	assert_int_equal(cfg.n_static_vfs, 3);
	assert_int_equal(cfg.static_vfs[0].bond, -1);
	assert_int_equal(cfg.static_vfs[1].relay, 2);
	assert_true(cfg.static_vfs[1].dev.is_bond);
	assert_string_equal(cfg.static_vfs[1].dev.name, "b0");
	b = &cfg.static_bonds[cfg.static_vfs[1].bond];
	assert_int_equal(b->mode, 1);
	assert_int_equal(b->n, 2);
	assert_string_equal(b->member[0].name, "0000:05:08.2");
	assert_string_equal(b->member[1].devargs, "net_tap0,iface=vf0");
	b = &cfg.static_bonds[cfg.static_vfs[2].bond];
	assert_int_not_equal(cfg.static_vfs[1].bond, cfg.static_vfs[2].bond);
	assert_int_equal(b->mode, 2);
	assert_string_equal(b->member[1].name, "0000:05:08.4");
	validate_ok();
	for (unsigned i = 0; i < VIO_STATIC_BONDS_MAX + 2; i++) /* slots come back */
		load_ok("VIRTIOFWD_STATIC_VFS=(bond:b0:1:net_null0+net_null1=1)\n");
	assert_int_equal(cfg.static_vfs[0].bond, 0);

	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.2=1 bond:b0:1:05:08.2+05:08.3=2)\n",
		 "device 0000:05:08.2 is given twice", "relays 1 and 2");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(bond:b0:1:05:08.1+05:08.2=1 bond:b1:1:05:08.3+05:08.1=2)\n",
		 "device 0000:05:08.1 is given twice", NULL);
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(bond:b0:1:05:08.1+05:08.2=1 bond:b0:1:05:08.3+05:08.4=2)\n",
		 "bond b0 is given twice", NULL);
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(bond:b0:1:05:08.1+05:08.2=1 bond:b1:1:05:08.3+05:08.4=1)\n",
		 "relay id 1 is used twice", NULL);
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=net_bonding0,mode=1,slave=05:08.1=1\n",
		 "net_bonding0 is a bonding device", "bond:");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=bond:b0:1:05:08.1+05:08.2\n", "=<relay-id>", NULL);
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=bond:b0:4:05:08.1+05:08.2=1\n", "802.3ad", NULL);
}

/* ---- CPU pins ---------------------------------------------------------------------- */

static void check_two_pins(void)
{
	int a, b;

	assert_int_equal(cfg.n_pins, 2);
	assert_int_equal(cfg.pins[0].relay, 0);
	assert_int_equal(cfg.pins[0].cpu_vf_to_vm, 1);
	assert_int_equal(cfg.pins[0].cpu_vm_to_vf, 2);
	assert_int_equal(cfg.pins[1].relay, 1);
	assert_int_equal(cfg.pins[1].cpu_vf_to_vm, 2);
	assert_int_equal(cfg.pins[1].cpu_vm_to_vf, 2);
	vio_config_relay_pins(&cfg, 0, &a, &b);
	assert_int_equal(a, 1);
	assert_int_equal(b, 2);
	vio_config_relay_pins(&cfg, 1, &a, &b);
	assert_int_equal(a, 2);
	assert_int_equal(b, 2);
	vio_config_relay_pins(&cfg, 5, &a, &b);
	assert_int_equal(a, -1);
	assert_int_equal(b, -1);
}

static void test_pins_array(void **state)
{
	load_ok("VIRTIOFWD_CPU_PINS=(0:1,2 1:2)\n");
	check_two_pins();
	validate_ok();
}

static void test_pins_semicolons(void **state)
{
	load_ok("VIRTIOFWD_CPU_PINS=\"0:1,2;1:2\"\n");
	check_two_pins();
	setup(state);
	load_ok("VIRTIOFWD_CPU_PINS='0:1,2;1:2;'\n");
	check_two_pins();
	setup(state);
	/* mixed: array items holding ';' lists */
	load_ok("VIRTIOFWD_CPU_PINS=(\"0:1,2;1:2\")\n");
	check_two_pins();
}

static void test_pins_bad(void **state)
{
	load_bad("VIRTIOFWD_CPU_PINS=(0:1 0:2)\n", "VIRTIOFWD_CPU_PINS", "twice");
	setup(state);
	load_bad("VIRTIOFWD_CPU_PINS=99:1\n", "VIRTIOFWD_CPU_PINS", "99");
	setup(state);
	load_bad("VIRTIOFWD_CPU_PINS=0-1\n", "VIRTIOFWD_CPU_PINS", "0-1");
}

/* ---- validation ------------------------------------------------------------------------ */

static void test_validate_cpu_offline(void **state)
{
	load_ok("VIRTIOFWD_CPU_MASK=1,5\n");
	validate_bad("VIRTIOFWD_CPU_MASK", "1,5");
	assert_contains(err, "CPU 5");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=127\n");
	validate_bad("VIRTIOFWD_CPU_MASK", "CPU 127");
}

static void test_validate_main_lcore_offline(void **state)
{
	load_ok("VIRTIOFWD_MASTER_LCORE=9\n");
	validate_bad("VIRTIOFWD_MASTER_LCORE", "9");
}

static void test_validate_main_lcore_in_mask(void **state)
{
	/* The main thread may share a worker's CPU (it takes a spare lcore id)... */
	load_ok("VIRTIOFWD_CPU_MASK=0-2\nVIRTIOFWD_MASTER_LCORE=0\n");
	validate_ok();
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,3\nVIRTIOFWD_MASTER_LCORE=2\n");
	validate_ok();
	/* ...unless that spare id, 127, is a worker CPU itself. */
	setup(state);
	vio_cpuset_set(&online, 127);
	load_ok("VIRTIOFWD_CPU_MASK=1,127\nVIRTIOFWD_MASTER_LCORE=1\n");
	validate_bad("VIRTIOFWD_MASTER_LCORE", "no spare lcore id");
}

static void test_validate_pin_outside_mask(void **state)
{
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=0:3\n");
	validate_bad("VIRTIOFWD_CPU_PINS", "CPU 3");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=0:1,3\n");
	validate_bad("VIRTIOFWD_CPU_PINS", "CPU 3");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=0:3,1\n");
	validate_bad("CPU 3", NULL);
	setup(state);
	/* the main lcore is not a worker either */
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=(0:1 1:0)\n");
	validate_bad("VIRTIOFWD_CPU_PINS", "CPU 0");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=(0:1 1:2,1)\n");
	validate_ok();
}

static void test_validate_static_with_dynamic(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=0000:05:08.1=1\nVIRTIOFWD_DYNAMIC_SOCKETS=true\n");
	validate_bad("VIRTIOFWD_STATIC_VFS", "VIRTIOFWD_DYNAMIC_SOCKETS");
	setup(state);
	load_ok("VIRTIOFWD_STATIC_VFS=0000:05:08.1=1\nVIRTIOFWD_DYNAMIC_SOCKETS=false\n");
	validate_ok();
}

static void test_validate_socket_path_too_long(void **state)
{
	char text[300], dir[120];

	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[100] = '\0';
	snprintf(text, sizeof(text), "VIRTIOFWD_SOCKET_DIR=%s\n", dir);
	load_ok(text);
	validate_bad("VIRTIOFWD_SOCKET_DIR", dir);
	/* not checked when there are no default sockets */
	load_ok("VIRTIOFWD_DYNAMIC_SOCKETS=yes\n");
	validate_ok();
	/* the longest path that fits: "/<dir>/virtio-forwarder31.sock" is 107 bytes */
	setup(state);
	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[107 - strlen("/virtio-forwarder31.sock")] = '\0';
	snprintf(text, sizeof(text), "VIRTIOFWD_SOCKET_DIR=%s\n", dir);
	load_ok(text);
	validate_ok();
	setup(state);
	dir[strlen(dir)] = 'd';
	dir[108 - strlen("/virtio-forwarder31.sock")] = '\0';
	snprintf(text, sizeof(text), "VIRTIOFWD_SOCKET_DIR=%s\n", dir);
	load_ok(text);
	validate_bad(NULL, NULL);
}

/* Validate from a frame whose locals are a guard pattern: a write past the
 * end of a buffer in vio_config_validate's frame lands in the guard. */
static __attribute__((noinline)) int validate_guarded(bool *clobbered)
{
	volatile unsigned char guard[8192];
	int rc;

	for (size_t i = 0; i < sizeof(guard); i++)
		guard[i] = 0xa5;
	rc = validate();
	*clobbered = false;
	for (size_t i = 0; i < sizeof(guard); i++)
		if (guard[i] != 0xa5)
			*clobbered = true;
	return rc;
}

static void test_validate_socket_dir_very_long(void **state)
{
	/* A socket directory longer than validate's internal 256-byte buffer must
	 * be reported without writing past that buffer.  Run in a child so that a
	 * crash cannot take the whole test program down. */
	char text[1200], dir[1000];
	pid_t pid;
	int status;

	memset(dir, 'd', sizeof(dir));
	dir[0] = '/';
	dir[sizeof(dir) - 1] = '\0';
	snprintf(text, sizeof(text), "VIRTIOFWD_SOCKET_DIR=%s\n", dir);
	load_ok(text);
	assert_string_equal(cfg.socket_dir, dir);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		bool clobbered;
		int rc = validate_guarded(&clobbered);

		if (clobbered)
			_exit(2);
		_exit(rc == -EINVAL && strstr(err, "VIRTIOFWD_SOCKET_DIR") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status)) {
		print_error("vio_config_validate died with signal %d on a %zu-byte "
			    "VIRTIOFWD_SOCKET_DIR\n",
			    WTERMSIG(status), strlen(dir));
		fail();
	}
	if (WEXITSTATUS(status) == 2) {
		print_error("vio_config_validate wrote past its stack buffer on a %zu-byte "
			    "VIRTIOFWD_SOCKET_DIR\n",
			    strlen(dir));
		fail();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_static_vfs_scalar),
		T(test_static_vfs_array_one),
		T(test_static_vfs_array_three),
		T(test_static_vfs_vdev),
		T(test_static_vfs_reassigned),
		T(test_static_vfs_dup_relay),
		T(test_static_vfs_dup_dev_short),
		T(test_static_vfs_dup_dev_case),
		T(test_static_vfs_bad),
		T(test_static_bonds),
		T(test_pins_array),
		T(test_pins_semicolons),
		T(test_pins_bad),
		T(test_validate_cpu_offline),
		T(test_validate_main_lcore_offline),
		T(test_validate_main_lcore_in_mask),
		T(test_validate_pin_outside_mask),
		T(test_validate_static_with_dynamic),
		T(test_validate_socket_path_too_long),
		T(test_validate_socket_dir_very_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
