/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/config.c: the variables of the configuration file and
 * their values, the command line's settings over them, the online CPUs and
 * the shipped file (static VFs, pins and validation: test_config_relays.c). */
#include "config_harness.h"

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
	assert_int_equal(vio_config_set(&cfg, v, "0000:05:08.5=2", true, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "--add-pci-vf/-P");
	assert_contains(err, "0000:05:08.5=2");
}

static void test_set_cmdline_labels(void **state)
{
	assert_int_equal(vio_config_set(&cfg, vio_var_by_name("VIRTIOFWD_MEMORY_MB"), "1", true,
					err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "--memory=\"1\"");
	assert_int_equal(vio_config_set(&cfg, vio_var_by_name("VIRTIOFWD_LOG_LEVEL"), "9", false,
					err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "VIRTIOFWD_LOG_LEVEL=\"9\"");
	/* a flag without a value means true */
	assert_int_equal(vio_config_set(&cfg, vio_var_by_name("VIRTIOFWD_JUMBO"), NULL, true,
					err, sizeof(err)), 0);
	assert_true(cfg.jumbo);
}

/* ---- announcing a migrating guest ------------------------------------------------------ */

static void test_migration_announce(void **state)
{
	const struct vio_var *v = vio_var_by_name("VIRTIOFWD_MIGRATION_ANNOUNCE_MS");

	assert_int_equal(cfg.announce_ms, 50);
	load_ok("VIRTIOFWD_MIGRATION_ANNOUNCE_MS=off\n");
	assert_int_equal(cfg.announce_ms, 0);
	load_ok("VIRTIOFWD_MIGRATION_ANNOUNCE_MS=10000\n");
	assert_int_equal(cfg.announce_ms, 10000);
	load_bad("VIRTIOFWD_MIGRATION_ANNOUNCE_MS=10001\n", "VIRTIOFWD_MIGRATION_ANNOUNCE_MS",
		 "10001");
	load_bad("VIRTIOFWD_MIGRATION_ANNOUNCE_MS=soon\n", "VIRTIOFWD_MIGRATION_ANNOUNCE_MS",
		 "soon");
	assert_int_equal(cfg.announce_ms, 10000); /* a refused value changes nothing */
	assert_int_equal(vio_config_set(&cfg, v, "0", true, err, sizeof(err)), 0);
	assert_int_equal(cfg.announce_ms, 0);
}

static void test_guest_macs(void **state)
{
	const struct vio_var *v = vio_var_by_name("VIRTIOFWD_GUEST_MACS");
	static const uint8_t mac2[6] = {0x52, 0x54, 0x00, 0x00, 0x00, 0x02};

	assert_int_equal(cfg.n_guest_macs, 0);
	load_ok("VIRTIOFWD_GUEST_MACS=\"1=52:54:00:00:00:01;2=52:54:00:00:00:02\"\n");
	assert_int_equal(cfg.n_guest_macs, 2);
	assert_int_equal(cfg.guest_macs[1].relay, 2);
	assert_memory_equal(cfg.guest_macs[1].mac, mac2, 6);
	/* an array, replacing the earlier list */
	load_ok("VIRTIOFWD_GUEST_MACS=(3=52:54:00:00:00:03)\n");
	assert_int_equal(cfg.n_guest_macs, 1);
	assert_int_equal(cfg.guest_macs[0].relay, 3);
	load_bad("VIRTIOFWD_GUEST_MACS=\"1=52:54:00:00:00:01;1=52:54:00:00:00:02\"\n",
		 "VIRTIOFWD_GUEST_MACS", "relay 1 has two MACs");
	load_bad("VIRTIOFWD_GUEST_MACS=1=ff:ff:ff:ff:ff:ff\n", "VIRTIOFWD_GUEST_MACS", "multicast");
	/* the first command-line item replaces the file's list */
	load_ok("VIRTIOFWD_GUEST_MACS=(1=52:54:00:00:00:01 2=52:54:00:00:00:02)\n");
	assert_int_equal(vio_config_set(&cfg, v, "4=52:54:00:00:00:04", true, err, sizeof(err)), 0);
	assert_int_equal(cfg.n_guest_macs, 1);
	assert_int_equal(cfg.guest_macs[0].relay, 4);
	assert_int_equal(vio_config_set(&cfg, v, "4=52:54:00:00:00:05", true, err, sizeof(err)),
			 -EINVAL);
	assert_contains(err, "--guest-mac");
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
	assert_int_equal(vio_read_online_cpus("/nonexistent/online", &s, err, sizeof(err)),
			 -ENOENT);
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
		T(test_migration_announce),
		T(test_guest_macs),
		T(test_read_online_cpus),
		T(test_shipped_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
