/* Unit tests of src/config.c: variables of the configuration file, their
 * values, and whole-configuration validation against a fake set of online
 * CPUs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "config.h"

#ifndef VIO_SRC_DIR
#define VIO_SRC_DIR "/work/main"
#endif


#define MAX_RELAYS 32
#define NO_SUCH_USER "vio-no-such-user-4711"
#define NO_SUCH_GROUP "vio-no-such-group-4711"

static struct vio_config cfg;
static char err[2048];
static struct vio_cpuset online; /* fake: CPUs 0-3 */

static int setup(void **state)
{
	vio_config_defaults(&cfg, MAX_RELAYS);
	memset(err, 0, sizeof(err));
	vio_cpuset_zero(&online);
	for (unsigned c = 0; c < 4; c++)
		vio_cpuset_set(&online, c);
	return 0;
}

/* Write text to a temporary file and load it into cfg. */
static int load(const char *text)
{
	char path[] = "/tmp/vio-test-config-XXXXXX";
	size_t len = strlen(text);
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	close(fd);
	memset(err, 0, sizeof(err));
	rc = vio_config_load_file(&cfg, path, err, sizeof(err));
	unlink(path);
	return rc;
}

static void load_ok(const char *text)
{
	if (load(text) != 0) {
		print_error("loading <<%s>> failed: %s\n", text, err);
		fail();
	}
}

static void load_bad(const char *text, const char *needle1, const char *needle2)
{
	if (load(text) == 0) {
		print_error("loading <<%s>> unexpectedly succeeded\n", text);
		fail();
	}
	if (needle1)
		assert_contains(err, needle1);
	if (needle2)
		assert_contains(err, needle2);
}

static int validate(void)
{
	memset(err, 0, sizeof(err));
	return vio_config_validate(&cfg, &online, err, sizeof(err));
}

static void validate_ok(void)
{
	if (validate() != 0) {
		print_error("validation failed: %s\n", err);
		fail();
	}
}

/* ---- defaults and lookup ------------------------------------------------------- */

static void test_defaults(void **state)
{
	char buf[64];

	assert_int_equal(cfg.max_relays, MAX_RELAYS);
	assert_string_equal(vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf)), "1-2");
	assert_int_equal(cfg.main_lcore, 0);
	assert_int_equal(cfg.log_level, 6);
	assert_true(cfg.daemonize);
	assert_string_equal(cfg.huge_dir, "/mnt/huge");
	assert_string_equal(cfg.socket_dir, "/tmp");
	assert_string_equal(cfg.socket_pattern, "virtio-forwarder%u.sock");
	assert_string_equal(cfg.socket_owner, "libvirt-qemu");
	assert_string_equal(cfg.socket_group, "kvm");
	assert_false(cfg.socket_owner_explicit);
	assert_false(cfg.dynamic_sockets);
	assert_string_equal(cfg.vfio_token, "");
	assert_int_equal(cfg.n_static_vfs, 0);
	assert_int_equal(cfg.n_pins, 0);
	assert_int_equal(cfg.n_warnings, 0);
	validate_ok();
}

static void test_var_lookup(void **state)
{
	const struct vio_var *v = vio_var_by_name("VIRTIOFWD_CPU_MASK");

	assert_non_null(v);
	assert_string_equal(v->name, "VIRTIOFWD_CPU_MASK");
	assert_non_null(vio_var_by_name("VIRTIOFWD_STATIC_VFS"));
	assert_true(vio_var_by_name("VIRTIOFWD_STATIC_VFS")->is_list);
	assert_null(vio_var_by_name("nodaemon"));
	assert_null(vio_var_by_name("VIRTIOFWD_NOPE"));
	assert_null(vio_var_by_name(""));
}

/* ---- file-level errors ------------------------------------------------------------ */

static void test_unknown_variable(void **state)
{
	load_bad("VIRTIOFWD_CPU_MASK=1\nVIRTIOFWD_BOGUS=1\n", "VIRTIOFWD_BOGUS", "line 2");
	assert_contains(err, "unknown variable");
	/* lower case is another name */
	load_bad("virtiofwd_cpu_mask=1\n", "virtiofwd_cpu_mask", "line 1");
}

static void test_array_for_scalar(void **state)
{
	load_bad("VIRTIOFWD_CPU_MASK=(1 2)\n", "VIRTIOFWD_CPU_MASK", "array");
	assert_contains(err, "line 1");
	load_bad("VIRTIOFWD_LOG_LEVEL=()\n", "VIRTIOFWD_LOG_LEVEL", "array");
}

static void test_value_error_names_variable(void **state)
{
	load_bad("VIRTIOFWD_CPU_MASK=1-x\n", "VIRTIOFWD_CPU_MASK", "1-x");
	load_bad("VIRTIOFWD_MASTER_LCORE=abc\n", "VIRTIOFWD_MASTER_LCORE", "abc");
	load_bad("VIRTIOFWD_SOCKET_DIR=relative/dir\n", "VIRTIOFWD_SOCKET_DIR", "absolute");
	load_bad("VIRTIOFWD_SOCKET_FNAME_PATTERN=vf.sock\n", "VIRTIOFWD_SOCKET_FNAME_PATTERN",
		 "vf.sock");
	load_bad("VIRTIOFWD_MEMORY_MB=32\n", "VIRTIOFWD_MEMORY_MB", "32");
	load_bad("VIRTIOFWD_FILE_PREFIX=a/b\n", "VIRTIOFWD_FILE_PREFIX", "a/b");
	load_bad("VIRTIOFWD_ZMQ_STATS_EP=http://x\n", "VIRTIOFWD_ZMQ_STATS_EP", "http://x");
	load_bad("VIRTIOFWD_HUGEPAGES=sometimes\n", "VIRTIOFWD_HUGEPAGES", "sometimes");
	load_bad("VIRTIOFWD_VFIO_VF_TOKEN=1234\n", "VIRTIOFWD_VFIO_VF_TOKEN", "1234");
}

static void test_cpu_mask_forms(void **state)
{
	char buf[64];

	load_ok("VIRTIOFWD_CPU_MASK=0x6\n");
	assert_string_equal(vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf)), "1-2");
	assert_string_equal(cfg.worker_cpus_str, "0x6");
	load_ok("VIRTIOFWD_CPU_MASK=1-3\n");
	assert_string_equal(vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf)), "1-3");
	/* an empty value keeps the current setting */
	load_ok("VIRTIOFWD_CPU_MASK=\n");
	assert_string_equal(vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf)), "1-3");
}

static void test_misc_values(void **state)
{
	load_ok("VIRTIOFWD_HUGEPAGES=no\nVIRTIOFWD_MEMORY_MB=256\nVIRTIOFWD_FILE_PREFIX=vio-x.1\n"
		"VIRTIOFWD_SOCKET_DIR=/var/tmp/vio\nVIRTIOFWD_SOCKET_FNAME_PATTERN=vf%u.sock\n"
		"VIRTIOFWD_ZMQ_STATS_EP=ipc:///run/vio/stats\nVIRTIOFWD_PID_DIR=/run\n"
		"VIRTIOFWD_HUGETLBFS_MOUNT_POINT=/dev/hugepages\n");
	assert_int_equal(cfg.huge_mode, VIO_HUGE_OFF);
	assert_int_equal(cfg.memory_mb, 256);
	assert_string_equal(cfg.file_prefix, "vio-x.1");
	assert_string_equal(cfg.socket_dir, "/var/tmp/vio");
	assert_string_equal(cfg.socket_pattern, "vf%u.sock");
	assert_string_equal(cfg.zmq_stats_ep, "ipc:///run/vio/stats");
	load_bad("VIRTIOFWD_ZMQ_STATS_EP=tcp://127.0.0.1:5555\n", "VIRTIOFWD_ZMQ_STATS_EP",
		 "tcp endpoints are refused");
	load_bad("VIRTIOFWD_ZMQ_CONFIG_EP=ipc://relative/x\n", "VIRTIOFWD_ZMQ_CONFIG_EP",
		 "must be absolute");
	load_bad("VIRTIOFWD_ZMQ_GROUP=no-such-group-vio\n", "VIRTIOFWD_ZMQ_GROUP", "no such group");
	assert_string_equal(cfg.pid_dir, "/run");
	assert_string_equal(cfg.huge_dir, "/dev/hugepages");
	load_ok("VIRTIOFWD_HUGEPAGES=yes\n");
	assert_int_equal(cfg.huge_mode, VIO_HUGE_ON);
	load_ok("VIRTIOFWD_HUGEPAGES=auto\n");
	assert_int_equal(cfg.huge_mode, VIO_HUGE_AUTO);
	load_ok("VIRTIOFWD_VFIO_VF_TOKEN=0\n");
	assert_string_equal(cfg.vfio_token, "14d63f20-8445-11ea-8900-1f9ce7d5650d");
	load_ok("VIRTIOFWD_VFIO_VF_TOKEN=None\n");
	assert_string_equal(cfg.vfio_token, "");
}

/* ---- static VFs ---------------------------------------------------------------------- */

static void test_static_vfs_scalar(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=0000:05:08.1=1\n");
	assert_int_equal(cfg.n_static_vfs, 1);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_true(cfg.static_vfs[0].dev.is_pci);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.1");
}

static void test_static_vfs_array_one(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1)\n");
	assert_int_equal(cfg.n_static_vfs, 1);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.1");
}

static void test_static_vfs_array_three(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2 0000:05:08.3=3)\n");
	assert_int_equal(cfg.n_static_vfs, 3);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.1");
	assert_int_equal(cfg.static_vfs[1].relay, 2);
	assert_string_equal(cfg.static_vfs[1].dev.name, "0000:05:08.2");
	assert_int_equal(cfg.static_vfs[2].relay, 3);
	assert_string_equal(cfg.static_vfs[2].dev.name, "0000:05:08.3");
}

static void test_static_vfs_vdev(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=(\n  net_tap0,iface=vf0=3 # tap\n  05:08.1=0\n)\n");
	assert_int_equal(cfg.n_static_vfs, 2);
	assert_int_equal(cfg.static_vfs[0].relay, 3);
	assert_false(cfg.static_vfs[0].dev.is_pci);
	assert_string_equal(cfg.static_vfs[0].dev.name, "net_tap0");
	assert_string_equal(cfg.static_vfs[0].dev.devargs, "net_tap0,iface=vf0");
	assert_int_equal(cfg.static_vfs[1].relay, 0);
	assert_string_equal(cfg.static_vfs[1].dev.name, "0000:05:08.1");
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
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=1)\n",
		 "VIRTIOFWD_STATIC_VFS", "relay id 1");
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
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:0a.1=1 0000:05:0A.1=2)\n",
		 "VIRTIOFWD_STATIC_VFS", "twice");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:0A.1=1 05:0a.1=2)\n", "VIRTIOFWD_STATIC_VFS",
		 "twice");
	setup(state);
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.1=2)\n",
		 "VIRTIOFWD_STATIC_VFS", "twice");
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
	load_bad("VIRTIOFWD_STATIC_VFS=(0000:05:08.1)\n", "VIRTIOFWD_STATIC_VFS",
		 "0000:05:08.1");
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
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_CPU_MASK");
	assert_contains(err, "1,5");
	assert_contains(err, "CPU 5");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=127\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_CPU_MASK");
	assert_contains(err, "CPU 127");
}

static void test_validate_main_lcore_offline(void **state)
{
	load_ok("VIRTIOFWD_MASTER_LCORE=9\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_MASTER_LCORE");
	assert_contains(err, "9");
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
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_MASTER_LCORE");
	assert_contains(err, "no spare lcore id");
}

static void test_validate_pin_outside_mask(void **state)
{
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=0:3\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_CPU_PINS");
	assert_contains(err, "CPU 3");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=0:1,3\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_CPU_PINS");
	assert_contains(err, "CPU 3");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=0:3,1\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "CPU 3");
	setup(state);
	/* the main lcore is not a worker either */
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=(0:1 1:0)\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_CPU_PINS");
	assert_contains(err, "CPU 0");
	setup(state);
	load_ok("VIRTIOFWD_CPU_MASK=1,2\nVIRTIOFWD_CPU_PINS=(0:1 1:2,1)\n");
	validate_ok();
}

static void test_validate_static_with_dynamic(void **state)
{
	load_ok("VIRTIOFWD_STATIC_VFS=0000:05:08.1=1\nVIRTIOFWD_DYNAMIC_SOCKETS=true\n");
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_STATIC_VFS");
	assert_contains(err, "VIRTIOFWD_DYNAMIC_SOCKETS");
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
	assert_int_equal(validate(), -1);
	assert_contains(err, "VIRTIOFWD_SOCKET_DIR");
	assert_contains(err, dir);
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
	assert_int_equal(validate(), -1);
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
		_exit(rc == -1 && strstr(err, "VIRTIOFWD_SOCKET_DIR") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status)) {
		print_error("vio_config_validate died with signal %d on a %zu-byte "
			    "VIRTIOFWD_SOCKET_DIR\n", WTERMSIG(status), strlen(dir));
		fail();
	}
	if (WEXITSTATUS(status) == 2) {
		print_error("vio_config_validate wrote past its stack buffer on a %zu-byte "
			    "VIRTIOFWD_SOCKET_DIR\n", strlen(dir));
		fail();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* ---- values of individual variables -------------------------------------------------- */

static void test_log_level(void **state)
{
	load_ok("VIRTIOFWD_LOG_LEVEL=7\n");
	assert_int_equal(cfg.log_level, 7);
	load_ok("VIRTIOFWD_LOG_LEVEL=0\n");
	assert_int_equal(cfg.log_level, 0);
	load_bad("VIRTIOFWD_LOG_LEVEL=8\n", "VIRTIOFWD_LOG_LEVEL", "8");
	assert_contains(err, "0-7");
	assert_int_equal(cfg.log_level, 0);
	load_bad("VIRTIOFWD_LOG_LEVEL=-1\n", "VIRTIOFWD_LOG_LEVEL", "-1");
}

static void test_bools(void **state)
{
	load_ok("VIRTIOFWD_JUMBO=true\nVIRTIOFWD_TSO=yes\nVIRTIOFWD_MRGBUF=true\n"
		"VIRTIOFWD_VHOST_CLIENT=true\nVIRTIOFWD_DYNAMIC_SOCKETS=true\n");
	assert_true(cfg.jumbo);
	assert_true(cfg.tso);
	assert_true(cfg.mrgbuf);
	assert_true(cfg.vhost_client);
	assert_true(cfg.dynamic_sockets);
	load_ok("VIRTIOFWD_JUMBO=false\nVIRTIOFWD_TSO=no\nVIRTIOFWD_MRGBUF=\n"
		"VIRTIOFWD_VHOST_CLIENT=''\nVIRTIOFWD_DYNAMIC_SOCKETS=No\n");
	assert_false(cfg.jumbo);
	assert_false(cfg.tso);
	assert_false(cfg.mrgbuf);        /* empty means off */
	assert_false(cfg.vhost_client);
	assert_false(cfg.dynamic_sockets);
	load_ok("VIO4WD_CORE_SCHED_ENABLE=true\n");
	assert_true(cfg.core_sched_enable);
	load_ok("VIO4WD_CORE_SCHED_ENABLE=false\n");
	assert_false(cfg.core_sched_enable);
}

static void test_bool_invalid(void **state)
{
	load_bad("VIRTIOFWD_VHOST_CLIENT=maybe\n", "VIRTIOFWD_VHOST_CLIENT", "maybe");
	load_bad("VIRTIOFWD_JUMBO=2\n", "VIRTIOFWD_JUMBO", "2");
}

static void test_socket_owner(void **state)
{
	load_bad("VIRTIOFWD_SOCKET_OWNER=" NO_SUCH_USER "\n", "VIRTIOFWD_SOCKET_OWNER",
		 NO_SUCH_USER);
	setup(state);
	load_ok("VIRTIOFWD_SOCKET_OWNER=root\n");
	assert_string_equal(cfg.socket_owner, "root");
	assert_true(cfg.socket_owner_explicit);
	setup(state);
	load_ok("VIRTIOFWD_SOCKET_OWNER=\n");
	assert_string_equal(cfg.socket_owner, "");
	assert_true(cfg.socket_owner_explicit);
	assert_false(cfg.socket_group_explicit);
}

static void test_socket_group(void **state)
{
	load_bad("VIRTIOFWD_SOCKET_GROUP=" NO_SUCH_GROUP "\n", "VIRTIOFWD_SOCKET_GROUP",
		 NO_SUCH_GROUP);
	setup(state);
	load_ok("VIRTIOFWD_SOCKET_GROUP=root\n");
	assert_string_equal(cfg.socket_group, "root");
	assert_true(cfg.socket_group_explicit);
	setup(state);
	load_ok("VIRTIOFWD_SOCKET_GROUP=''\n");
	assert_string_equal(cfg.socket_group, "");
	assert_true(cfg.socket_group_explicit);
	assert_false(cfg.socket_owner_explicit);
}

static void test_legacy_variables(void **state)
{
	/* the original's port control without ZeroMQ: a warning (from
	 * vio_config_finish) only when no port control endpoint is set, as
	 * the original ignored them then */
	load_ok("VIRTIOFWD_OVSDB_SOCK_PATH=/x\n");
	vio_config_finish(&cfg);
	assert_int_equal(cfg.n_warnings, 1);
	assert_contains(cfg.warnings[0], "VIRTIOFWD_OVSDB_SOCK_PATH");
	setup(state);
	load_ok("VIRTIOFWD_OVSDB_SOCK_PATH=/x\nVIRTIOFWD_IPC_PORT_CONTROL=y\n");
	vio_config_finish(&cfg);
	assert_int_equal(cfg.n_warnings, 1);
	assert_contains(cfg.warnings[0], "VIRTIOFWD_IPC_PORT_CONTROL");
	setup(state);
	load_ok("VIRTIOFWD_OVSDB_SOCK_PATH=/x\nVIRTIOFWD_IPC_PORT_CONTROL=y\n"
		"VIRTIOFWD_ZMQ_PORT_CONTROL_EP=ipc:///run/vio/pc\n");
	vio_config_finish(&cfg);
	assert_int_equal(cfg.n_warnings, 0);
	setup(state);
	load_ok("VIRTIOFWD_BINARY=/usr/bin/virtio-forwarder\nVIRTIOFWD_IPC_PORT_CONTROL=false\n"
		"VIRTIOFWD_CPU_NIC_SAME_NUMA=true\nVIO4WD_CORE_SCHED_SENSITIVITY=25\n");
	vio_config_finish(&cfg);
	assert_int_equal(cfg.n_warnings, 0);
	load_bad("VIRTIOFWD_IPC_PORT_CONTROL=maybe\n", "VIRTIOFWD_IPC_PORT_CONTROL", "maybe");
	setup(state);
	load_ok("VIRTIOFWD_ZERO_COPY=false\nVIRTIOFWD_OVSDB_SOCK_PATH=\n");
	vio_config_finish(&cfg);
	assert_int_equal(cfg.n_warnings, 0);
	load_ok("VIRTIOFWD_ZERO_COPY=true\n");
	assert_int_equal(cfg.n_warnings, 1);
	assert_contains(cfg.warnings[0], "VIRTIOFWD_ZERO_COPY");
	/* said once, however often it is set */
	load_ok("VIRTIOFWD_ZERO_COPY=y\nVIRTIOFWD_ZERO_COPY=1\n");
	assert_int_equal(cfg.n_warnings, 1);
}

/* The balancer's variables are kept as written (vio4wd_core_scheduler checks
 * them); blank means unset. */
static void test_balancer_variables(void **state)
{
	load_ok("VIO4WD_CORE_SCHED_SENSITIVITY=0.5\nVIO4WD_CORE_SCHED_LOG_LEVEL=4\n"
		"VIO4WD_CORE_SCHED_POLL_INTERVAL=2\nVIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT=y\n");
	assert_string_equal(cfg.sched_sensitivity, "0.5");
	assert_string_equal(cfg.sched_log_level, "4");
	assert_string_equal(cfg.sched_poll_interval, "2");
	assert_string_equal(cfg.sched_global_numa_opt, "y");
	load_ok("VIO4WD_CORE_SCHED_SENSITIVITY=\n");
	assert_string_equal(cfg.sched_sensitivity, "0.5"); /* blank: the default, as ever */
	setup(state);
	load_ok("VIO4WD_CORE_SCHED_SENSITIVITY=\n");
	assert_string_equal(cfg.sched_sensitivity, "");
	load_bad("VIO4WD_CORE_SCHED_POLL_INTERVAL=0123456789012345678901234567890123456789\n",
		 "VIO4WD_CORE_SCHED_POLL_INTERVAL", "longer than");
}

/* Serving the core scheduler serves stats too (at the default endpoint when
 * none is set), as in the original. */
static void test_core_sched_implies_stats(void **state)
{
	load_ok("VIO4WD_CORE_SCHED_ENABLE=true\nVIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc:///run/v/cs\n");
	vio_config_finish(&cfg);
	assert_string_equal(cfg.zmq_stats_ep, VIO_STATS_EP_DEFAULT);
	setup(state);
	load_ok("VIO4WD_CORE_SCHED_ENABLE=true\nVIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc:///run/v/cs\n"
		"VIRTIOFWD_ZMQ_STATS_EP=ipc:///run/v/st\n");
	vio_config_finish(&cfg);
	assert_string_equal(cfg.zmq_stats_ep, "ipc:///run/v/st");
	/* negative controls: disabled, or no endpoint */
	setup(state);
	load_ok("VIO4WD_CORE_SCHED_ENABLE=false\nVIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc:///run/v/cs\n");
	vio_config_finish(&cfg);
	assert_string_equal(cfg.zmq_stats_ep, "");
	setup(state);
	load_ok("VIO4WD_CORE_SCHED_ENABLE=true\n");
	vio_config_finish(&cfg);
	assert_string_equal(cfg.zmq_stats_ep, "");
}

/* ---- vio_config_set from the command line --------------------------------------------- */

static void test_set_cmdline_lists_replace(void **state)
{
	const struct vio_var *v = vio_var_by_name("VIRTIOFWD_STATIC_VFS");

	load_ok("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2)\n");
	assert_int_equal(cfg.n_static_vfs, 2);
	/* the first command-line item replaces the file's list, later ones add */
	assert_int_equal(vio_config_set(&cfg, v, "0000:05:08.3=1", true, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_static_vfs, 1);
	assert_int_equal(vio_config_set(&cfg, v, "0000:05:08.4=2", true, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_static_vfs, 2);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.3");
	assert_string_equal(cfg.static_vfs[1].dev.name, "0000:05:08.4");
	/* errors name the option */
	assert_int_equal(vio_config_set(&cfg, v, "0000:05:08.5=2", true, err, sizeof(err)), -1);
	assert_contains(err, "--add-pci-vf/-P");
	assert_contains(err, "0000:05:08.5=2");
}

static void test_set_cmdline_labels(void **state)
{
	assert_int_equal(vio_config_set(&cfg, vio_var_by_name("VIRTIOFWD_MEMORY_MB"), "1",
					true, err, sizeof(err)), -1);
	assert_contains(err, "--memory=\"1\"");
	assert_int_equal(vio_config_set(&cfg, vio_var_by_name("VIRTIOFWD_LOG_LEVEL"), "9",
					false, err, sizeof(err)), -1);
	assert_contains(err, "VIRTIOFWD_LOG_LEVEL=\"9\"");
	/* a flag without a value means true */
	assert_int_equal(vio_config_set(&cfg, vio_var_by_name("VIRTIOFWD_JUMBO"), NULL, true,
					err, sizeof(err)), 0);
	assert_true(cfg.jumbo);
}

/* ---- online CPUs and the shipped file ------------------------------------------------- */

static void test_read_online_cpus(void **state)
{
	char path[] = "/tmp/vio-test-online-XXXXXX";
	struct vio_cpuset s;
	char buf[64];
	int fd = mkstemp(path);
	int rc;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, "0-3,8\n", 6), 6);
	close(fd);
	rc = vio_read_online_cpus(path, &s, err, sizeof(err));
	unlink(path);
	assert_int_equal(rc, 0);
	assert_string_equal(vio_cpuset_format(&s, buf, sizeof(buf)), "0-3,8");
	assert_int_equal(vio_read_online_cpus("/nonexistent/online", &s, err, sizeof(err)), -1);
	assert_contains(err, "/nonexistent/online");
	assert_int_equal(vio_read_online_cpus("/sys/devices/system/cpu/online", &s, err,
					      sizeof(err)), 0);
	assert_true(vio_cpuset_has(&s, 0));
}

static void test_shipped_file(void **state)
{
	const char *path = VIO_SRC_DIR "/conf/virtioforwarder";

	memset(err, 0, sizeof(err));
	if (vio_config_load_file(&cfg, path, err, sizeof(err)) != 0) {
		print_error("%s: %s\n", path, err);
		fail();
	}
	assert_int_equal(cfg.n_static_vfs, 0);
	assert_int_equal(cfg.n_pins, 0);
	assert_int_equal(cfg.n_warnings, 0);
	assert_int_equal(cfg.log_level, 6);
	assert_int_equal(cfg.main_lcore, 0);
	assert_true(cfg.vhost_client);
	assert_false(cfg.dynamic_sockets);
	validate_ok();
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_defaults),
		T(test_var_lookup),
		T(test_unknown_variable),
		T(test_array_for_scalar),
		T(test_value_error_names_variable),
		T(test_cpu_mask_forms),
		T(test_misc_values),
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
		T(test_log_level),
		T(test_bools),
		T(test_bool_invalid),
		T(test_socket_owner),
		T(test_socket_group),
		T(test_legacy_variables),
		T(test_balancer_variables),
		T(test_core_sched_implies_stats),
		T(test_set_cmdline_lists_replace),
		T(test_set_cmdline_labels),
		T(test_read_online_cpus),
		T(test_shipped_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
