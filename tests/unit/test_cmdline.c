/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/cmdline.c: options, their mapping onto configuration
 * variables, and precedence over the configuration file.  Every parse is
 * given --config with a temporary file, so /etc/default/virtioforwarder of
 * the host is never read. */
#include <errno.h>

#include "cmdline_harness.h"


static void test_no_options(void **state)
{
	parse_ok(NULL);
	assert_string_equal(workers(), "1-2");
	assert_true(cfg.daemonize);
	assert_true(cfg.config_file_explicit);
	assert_string_equal(cfg.config_file, conf_path);
}

static void test_cpus(void **state)
{
	parse_ok("-C", "1", NULL);
	assert_string_equal(workers(), "1");
	reset(state);
	parse_ok("--cpus=1", NULL);
	assert_string_equal(workers(), "1");
	reset(state);
	parse_ok("--cpus", "2-3", NULL);
	assert_string_equal(workers(), "2-3");
	assert_string_equal(cfg.worker_cpus_str, "2-3");
	reset(state);
	parse_ok("-C0x6", NULL);
	assert_string_equal(workers(), "1-2");
	reset(state);
	parse_ok("-C", "1", "-C", "3", NULL); /* the last one wins */
	assert_string_equal(workers(), "3");
}

static void test_static_vfs(void **state)
{
	parse_ok("-P", "0000:05:08.1=1", "-P", "net_tap0,iface=vf0=2", "--add-pci-vf",
		 "05:08.3=3", "--add-pci-vf=0000:05:08.4=4", NULL);
	assert_int_equal(cfg.n_static_vfs, 4);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.1");
	assert_int_equal(cfg.static_vfs[1].relay, 2);
	assert_string_equal(cfg.static_vfs[1].dev.devargs, "net_tap0,iface=vf0");
	assert_int_equal(cfg.static_vfs[2].relay, 3);
	assert_string_equal(cfg.static_vfs[2].dev.name, "0000:05:08.3");
	assert_int_equal(cfg.static_vfs[3].relay, 4);
}

static void test_static_vfs_bad(void **state)
{
	parse_bad("--add-pci-vf/-P", "-P", "0000:05:08.1=1", "-P", "0000:05:08.2=1", NULL);
	assert_contains(err, "0000:05:08.2=1");
	reset(state);
	parse_bad("0 to 31", "-P", "0000:05:08.1=32", NULL);
	reset(state);
	parse_bad("zz:00.0", "--add-pci-vf=zz:00.0=1", NULL);
}

static void test_pins(void **state)
{
	parse_ok("-c", "0:1,1", NULL);
	assert_int_equal(cfg.n_pins, 1);
	assert_int_equal(cfg.pins[0].relay, 0);
	assert_int_equal(cfg.pins[0].cpu_vf_to_vm, 1);
	assert_int_equal(cfg.pins[0].cpu_vm_to_vf, 1);
	reset(state);
	parse_ok("-c", "0:1,2", "--virtio-cpu=1:2", "--virtio-cpu", "2:1", NULL);
	assert_int_equal(cfg.n_pins, 3);
	assert_int_equal(cfg.pins[0].cpu_vm_to_vf, 2);
	assert_int_equal(cfg.pins[1].relay, 1);
	assert_int_equal(cfg.pins[2].relay, 2);
	assert_int_equal(cfg.pins[2].cpu_vf_to_vm, 1);
	reset(state);
	parse_bad("--virtio-cpu/-c", "-c", "99:1", NULL);
	assert_contains(err, "99:1");
}

static void test_nodaemon(void **state)
{
	parse_ok("-n", NULL);
	assert_false(cfg.daemonize);
	assert_false(cfg.log_syslog);
	reset(state);
	parse_ok("--nodaemon", NULL);
	assert_false(cfg.daemonize);
	assert_false(cfg.log_syslog);
	reset(state);
	parse_ok("--nodaemon=log_syslog", NULL);
	assert_false(cfg.daemonize);
	assert_true(cfg.log_syslog);
	reset(state);
	parse_ok("--nodaemon=log_stderr", NULL);
	assert_false(cfg.daemonize);
	assert_false(cfg.log_syslog);
	reset(state);
	parse_ok("-nlog_syslog", NULL);
	assert_false(cfg.daemonize);
	assert_true(cfg.log_syslog);
	reset(state);
	parse_bad("--nodaemon/-n", "--nodaemon=bogus", NULL);
	assert_contains(err, "bogus");
}

static void test_flags(void **state)
{
	parse_ok("-i", "-d", NULL);
	assert_true(cfg.vhost_client);
	assert_true(cfg.dynamic_sockets);
	reset(state);
	parse_ok("--vhostuser-client", "--dynamic-sockets", "--jumbo", "--enable-mrgbuf",
		 "--enable-tso", NULL);
	assert_true(cfg.vhost_client);
	assert_true(cfg.dynamic_sockets);
	assert_true(cfg.jumbo);
	assert_true(cfg.mrgbuf);
	assert_true(cfg.tso);
	reset(state);
	parse_bad(NULL, "--dynamic-sockets=false", NULL);
	/* Grouped short options: one item per letter, more than argc (the
	 * item array overflowed; found by fuzz_cmdline, ASan reports it). */
	reset(state);
	parse_ok("-dddd", "-iJiJ", "-di", NULL);
	assert_true(cfg.vhost_client);
	assert_true(cfg.dynamic_sockets);
	assert_true(cfg.jumbo);
}

static void test_owner_group(void **state)
{
	parse_ok("-u", "root", "-g", "root", NULL);
	assert_string_equal(cfg.socket_owner, "root");
	assert_string_equal(cfg.socket_group, "root");
	assert_true(cfg.socket_owner_explicit);
	assert_true(cfg.socket_group_explicit);
	reset(state);
	parse_ok("--vhost-username=", "--vhost-groupname", "", NULL);
	assert_string_equal(cfg.socket_owner, "");
	assert_string_equal(cfg.socket_group, "");
	assert_true(cfg.socket_owner_explicit);
	assert_true(cfg.socket_group_explicit);
	reset(state);
	parse_bad("--vhost-username/-u", "-u", "vio-no-such-user-4711", NULL);
	assert_contains(err, "vio-no-such-user-4711");
	reset(state);
	parse_bad("--vhost-groupname/-g", "-g", "vio-no-such-group-4711", NULL);
}

static void test_vfio_token(void **state)
{
	parse_ok("-t", "0", NULL);
	assert_string_equal(cfg.vfio_token, "14d63f20-8445-11ea-8900-1f9ce7d5650d");
	reset(state);
	parse_ok("--vfio-vf-token=bd4e2cb0-1a36-4c1e-9b1e-2f4a3b6c7d8e", NULL);
	assert_string_equal(cfg.vfio_token, "bd4e2cb0-1a36-4c1e-9b1e-2f4a3b6c7d8e");
	reset(state);
	parse_bad("--vfio-vf-token/-t", "-t", "not-a-uuid", NULL);
	assert_contains(err, "not-a-uuid");
}

static void test_paths_and_numbers(void **state)
{
	parse_ok("-V", "/var/tmp/vio", "-S", "vf%u.sock", "-H", "/dev/hugepages", "-M", "3",
		 "-l", "7", "-p", "/run", NULL);
	assert_string_equal(cfg.socket_dir, "/var/tmp/vio");
	assert_string_equal(cfg.socket_pattern, "vf%u.sock");
	assert_string_equal(cfg.huge_dir, "/dev/hugepages");
	assert_int_equal(cfg.main_lcore, 3);
	assert_int_equal(cfg.log_level, 7);
	assert_string_equal(cfg.pid_dir, "/run");
	reset(state);
	parse_ok("--vhost-path=/x", "--vhost-socket=s%u", "--huge-dir=/h", "--master-lcore=2",
		 "--loglevel=0", "--memory=128", "--hugepages=no", "--file-prefix=vio-t", NULL);
	assert_string_equal(cfg.socket_dir, "/x");
	assert_string_equal(cfg.socket_pattern, "s%u");
	assert_string_equal(cfg.huge_dir, "/h");
	assert_int_equal(cfg.main_lcore, 2);
	assert_int_equal(cfg.log_level, 0);
	assert_int_equal(cfg.memory_mb, 128);
	assert_int_equal(cfg.huge_mode, VIO_HUGE_OFF);
	assert_string_equal(cfg.file_prefix, "vio-t");
}

static void test_bad_values_name_option(void **state)
{
	parse_bad("--loglevel/-l", "-l", "8", NULL);
	assert_contains(err, "8");
	reset(state);
	parse_bad("--cpus/-C", "--cpus=abc", NULL);
	assert_contains(err, "abc");
	reset(state);
	parse_bad("--vhost-socket/-S", "-S", "vf.sock", NULL);
	assert_contains(err, "vf.sock");
	reset(state);
	parse_bad("--memory=\"10\"", "--memory=10", NULL);
	reset(state);
	parse_bad("--master-lcore/-M", "-M", "", NULL);
}

static void test_help_version(void **state)
{
	assert_int_equal(parse("--help", NULL), 0);
	assert_int_equal(action, VIO_CMD_HELP);
	reset(state);
	assert_int_equal(parse("-h", NULL), 0);
	assert_int_equal(action, VIO_CMD_HELP);
	reset(state);
	assert_int_equal(parse("--version", NULL), 0);
	assert_int_equal(action, VIO_CMD_VERSION);
	reset(state);
	assert_int_equal(parse("-v", NULL), 0);
	assert_int_equal(action, VIO_CMD_VERSION);
	reset(state);
	/* help wins even with a missing configuration file */
	assert_int_equal(parse("--config", "/nonexistent/vio.conf", "--help", NULL), 0);
	assert_int_equal(action, VIO_CMD_HELP);
}

static void test_unknown_option(void **state)
{
	parse_bad("--bogus", "--bogus", NULL);
	assert_contains(err, "unknown option");
	reset(state);
	parse_bad("-x", "-x", NULL);
	assert_contains(err, "unknown option");
	reset(state);
	parse_bad("--bogus", "-C", "1", "--bogus=3", NULL);
}

static void test_missing_value(void **state)
{
	parse_bad("-C", "-C", NULL);
	assert_contains(err, "needs a value");
	reset(state);
	parse_bad("--cpus", "--cpus", NULL);
	assert_contains(err, "needs a value");
	reset(state);
	assert_int_equal(parse("--config", NULL), -EINVAL);
	assert_contains(err, "--config");
	assert_contains(err, "needs a value");
}

static void test_extra_argument(void **state)
{
	parse_bad("extra", "extra", NULL);
	reset(state);
	parse_bad("stray", "-C", "1", "stray", "-i", NULL);
}

static void test_config_overridden(void **state)
{
	write_conf("VIRTIOFWD_CPU_MASK=2\nVIRTIOFWD_LOG_LEVEL=3\nVIRTIOFWD_SOCKET_DIR=/from/file\n");
	parse_ok("-C", "1", "-V", "/from/cmdline", NULL);
	assert_string_equal(workers(), "1");
	assert_int_equal(cfg.log_level, 3);
	assert_string_equal(cfg.socket_dir, "/from/cmdline");
	/* the order of --config and the options does not matter */
	reset(state);
	write_conf("VIRTIOFWD_CPU_MASK=2\nVIRTIOFWD_LOG_LEVEL=3\n");
	assert_int_equal(parse("-C", "1", "--config", conf_path, NULL), 0);
	assert_string_equal(workers(), "1");
	assert_int_equal(cfg.log_level, 3);
	/* -f is --config */
	reset(state);
	write_conf("VIRTIOFWD_LOG_LEVEL=2\n");
	assert_int_equal(parse("-f", conf_path, NULL), 0);
	assert_int_equal(cfg.log_level, 2);
}

static void test_config_bool_overridden(void **state)
{
	write_conf("VIRTIOFWD_DYNAMIC_SOCKETS=false\nVIRTIOFWD_VHOST_CLIENT=false\n");
	parse_ok("-d", NULL);
	assert_true(cfg.dynamic_sockets);
	assert_false(cfg.vhost_client);
}

static void test_static_vfs_replace_file_list(void **state)
{
	write_conf("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2)\n");
	parse_ok("-P", "0000:05:08.3=1", NULL);
	assert_int_equal(cfg.n_static_vfs, 1);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.3");
	reset(state);
	write_conf("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2)\n");
	parse_ok("-P", "0000:05:08.2=5", "-P", "0000:05:08.1=6", NULL);
	assert_int_equal(cfg.n_static_vfs, 2);
	assert_int_equal(cfg.static_vfs[0].relay, 5);
	assert_int_equal(cfg.static_vfs[1].relay, 6);
	/* without -P the file's list stays */
	reset(state);
	write_conf("VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=2)\n");
	parse_ok("-C", "1", NULL);
	assert_int_equal(cfg.n_static_vfs, 2);
}

static void test_pins_replace_file_list(void **state)
{
	write_conf("VIRTIOFWD_CPU_PINS=(0:1 1:2)\n");
	parse_ok("-c", "1:1", NULL);
	assert_int_equal(cfg.n_pins, 1);
	assert_int_equal(cfg.pins[0].relay, 1);
	assert_int_equal(cfg.pins[0].cpu_vf_to_vm, 1);
	reset(state);
	write_conf("VIRTIOFWD_CPU_PINS=(0:1 1:2)\n");
	parse_ok("-P", "0000:05:08.1=1", NULL);
	assert_int_equal(cfg.n_pins, 2); /* -P does not touch the pins */
}

static void test_config_missing(void **state)
{
	const char *path = "/nonexistent/vio-test/virtioforwarder";

	assert_int_equal(parse("--config", path, NULL), -ENOENT);
	assert_contains(err, path);
	reset(state);
	assert_int_equal(parse("-f", path, "-C", "1", NULL), -ENOENT);
	assert_contains(err, path);
}

static void test_config_error(void **state)
{
	write_conf("VIRTIOFWD_LOG_LEVEL=3\nVIRTIOFWD_BOGUS=1\n");
	parse_bad("VIRTIOFWD_BOGUS", NULL);
	assert_contains(err, conf_path);
	assert_contains(err, "line 2");
}

static void test_parse_twice(void **state)
{
	/* vio_cmdline_parse must start afresh on every call: "-hv" stops at -h and
	 * leaves getopt in the middle of that argument. */
	assert_int_equal(parse("-hv", NULL), 0);
	assert_int_equal(action, VIO_CMD_HELP);
	reset(state);
	parse_ok("-C", "1", NULL);
	assert_int_equal(action, VIO_CMD_RUN);
	assert_string_equal(workers(), "1");
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_no_options),
		T(test_cpus),
		T(test_static_vfs),
		T(test_static_vfs_bad),
		T(test_pins),
		T(test_nodaemon),
		T(test_flags),
		T(test_owner_group),
		T(test_vfio_token),
		T(test_paths_and_numbers),
		T(test_bad_values_name_option),
		T(test_help_version),
		T(test_unknown_option),
		T(test_missing_value),
		T(test_extra_argument),
		T(test_config_overridden),
		T(test_config_bool_overridden),
		T(test_static_vfs_replace_file_list),
		T(test_pins_replace_file_list),
		T(test_config_missing),
		T(test_config_error),
		T(test_parse_twice),
	};

	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free_kept();
	return failed;
}
