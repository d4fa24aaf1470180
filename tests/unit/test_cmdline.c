/* Unit tests of src/cmdline.c: options, their mapping onto configuration
 * variables, and precedence over the configuration file.  Every parse is
 * given --config with a temporary file, so /etc/default/virtioforwarder of
 * the host is never read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

#include "cmdline.h"
#include "config.h"


#define MAX_RELAYS 32
#define MAX_ARGS 32

static struct vio_config cfg;
static enum vio_cmdline_action action;
static char err[2048];
static char conf_path[64]; /* temporary configuration file, empty by default */

/* Argument strings stay allocated until the end of the program: getopt keeps
 * pointers into the argv of the previous parse. */
#define MAX_KEPT 4096
static char *kept[MAX_KEPT];
static size_t n_kept;

static char *keep(const char *s)
{
	char *c = strdup(s);

	assert_non_null(c);
	assert_true(n_kept < MAX_KEPT);
	kept[n_kept++] = c;
	return c;
}

static void write_conf(const char *text)
{
	FILE *f = fopen(conf_path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

static int setup(void **state)
{
	int fd;

	strcpy(conf_path, "/tmp/vio-test-cmdline-XXXXXX");
	fd = mkstemp(conf_path);
	assert_true(fd >= 0);
	close(fd);
	vio_config_defaults(&cfg, MAX_RELAYS);
	memset(err, 0, sizeof(err));
	action = (enum vio_cmdline_action)-1;
	return 0;
}

static int teardown(void **state)
{
	unlink(conf_path);
	return 0;
}

/* Start over inside a test: a fresh configuration and temporary file. */
static void reset(void **state)
{
	teardown(state);
	setup(state);
}

/* Parse "virtio-forwarder" followed by the NULL-terminated arguments.  The
 * strings are copied: getopt may permute argv. */
static int parse_v(const char *first, va_list ap)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0, rc;
	const char *a;

	argv[argc++] = keep("virtio-forwarder");
	for (a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS);
		argv[argc++] = keep(a);
	}
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	rc = vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
	return rc;
}

static int parse(const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_v(first, ap);
	va_end(ap);
	return rc;
}

/* Parse "--config <conf_path>" followed by the NULL-terminated options. */
static int parse_va(const char *first, va_list ap)
{
	char *argv[MAX_ARGS + 1];
	int argc = 0;
	const char *a;

	argv[argc++] = keep("virtio-forwarder");
	argv[argc++] = keep("--config");
	argv[argc++] = keep(conf_path);
	for (a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < MAX_ARGS);
		argv[argc++] = keep(a);
	}
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
}

/* Parse "--config <conf_path> a [b]". */
static int parse_va_list2(const char *a, const char *b)
{
	char *argv[6];
	int argc = 0;

	argv[argc++] = keep("virtio-forwarder");
	argv[argc++] = keep("--config");
	argv[argc++] = keep(conf_path);
	argv[argc++] = keep(a);
	if (b)
		argv[argc++] = keep(b);
	argv[argc] = NULL;
	memset(err, 0, sizeof(err));
	return vio_cmdline_parse(argc, argv, &cfg, &action, err, sizeof(err));
}

/* Expect success and VIO_CMD_RUN. */
static void parse_ok(const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_va(first, ap);
	va_end(ap);
	if (rc != 0) {
		print_error("parse failed: %s\n", err);
		fail();
	}
	assert_int_equal(action, VIO_CMD_RUN);
}

/* Expect an error containing needle. */
static void parse_bad(const char *needle, const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_va(first, ap);
	va_end(ap);
	if (rc == 0) {
		print_error("parse unexpectedly succeeded\n");
		fail();
	}
	if (needle)
		assert_contains(err, needle);
}

static const char *workers(void)
{
	static char buf[128];

	return vio_cpuset_format(&cfg.worker_cpus, buf, sizeof(buf));
}

/* ---- options ------------------------------------------------------------------ */

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
	assert_int_equal(parse("--config", NULL), -1);
	assert_contains(err, "--config");
	assert_contains(err, "needs a value");
}

static void test_extra_argument(void **state)
{
	parse_bad("extra", "extra", NULL);
	reset(state);
	parse_bad("stray", "-C", "1", "stray", "-i", NULL);
}

/* ---- the original's option table ------------------------------------------------- */

/* Every option of the original virtio-forwarder (the cmdline_opt_t table of
 * its virtio_forwarder_main.c, DPDK >= 20.08), as it took it: short letter,
 * long name, argument (0 none, 1 required, 2 optional).  Each is given in
 * every form getopt allowed there, and must have its meaning here (check()),
 * or be accepted with the one warning named. */
struct orig_opt {
	char shrt;
	const char *lng;
	int has_arg;
	const char *value;   /* the value given (has_arg 1 or 2) */
	const char *warning; /* the warning it draws, NULL: none */
	void (*check)(bool bare); /* bare: an optional value left out */
};

static void chk_cpus(bool bare) { assert_string_equal(workers(), "3"); }
static void chk_master_lcore(bool bare) { assert_int_equal(cfg.main_lcore, 2); }
static void chk_nodaemon(bool bare)
{
	assert_false(cfg.daemonize);
	assert_int_equal(cfg.log_syslog, !bare); /* bare: stderr; =log_syslog */
}
static void chk_loglevel(bool bare) { assert_int_equal(cfg.log_level, 5); }
static void chk_pid_path(bool bare) { assert_string_equal(cfg.pid_dir, "/run/vio-t"); }
static void chk_huge_dir(bool bare) { assert_string_equal(cfg.huge_dir, "/dev/hugepages"); }
static void chk_ovsdb(bool bare) { assert_true(cfg.ovsdb_port_control); }
static void chk_config_ep(bool bare)
{
	assert_string_equal(cfg.zmq_config_ep, bare ? VIO_CONFIG_EP_DEFAULT : "ipc:///run/t/cf");
}
static void chk_port_control_ep(bool bare)
{
	assert_string_equal(cfg.zmq_port_control_ep,
			    bare ? VIO_PORT_CONTROL_EP_DEFAULT : "ipc:///run/t/pc");
}
static void chk_stats_ep(bool bare)
{
	assert_string_equal(cfg.zmq_stats_ep, bare ? VIO_STATS_EP_DEFAULT : "ipc:///run/t/st");
}
static void chk_core_sched_ep(bool bare)
{
	assert_true(cfg.core_sched_enable);
	assert_string_equal(cfg.zmq_core_sched_ep,
			    bare ? VIO_CORE_SCHED_EP_DEFAULT : "ipc:///run/t/cs");
	assert_string_equal(cfg.zmq_stats_ep, VIO_STATS_EP_DEFAULT); /* stats with it */
}
static void chk_ipc(bool bare) { assert_true(cfg.ipc_port_control); }
static void chk_username(bool bare)
{
	assert_string_equal(cfg.socket_owner, bare ? "" : "root"); /* "": leave as created */
	assert_true(cfg.socket_owner_explicit);
	assert_string_equal(cfg.socket_group, "kvm");
}
static void chk_groupname(bool bare)
{
	assert_string_equal(cfg.socket_group, bare ? "" : "root");
	assert_true(cfg.socket_group_explicit);
	assert_string_equal(cfg.socket_owner, "libvirt-qemu");
}
static void chk_vhost_path(bool bare) { assert_string_equal(cfg.socket_dir, "/run/t/socks"); }
static void chk_vhost_socket(bool bare) { assert_string_equal(cfg.socket_pattern, "vm%u.sock"); }
static void chk_virtio_cpu(bool bare)
{
	assert_int_equal(cfg.n_pins, 1);
	assert_int_equal(cfg.pins[0].relay, 3);
	assert_int_equal(cfg.pins[0].cpu_vf_to_vm, 1);
	assert_int_equal(cfg.pins[0].cpu_vm_to_vf, 2);
}
static void chk_jumbo(bool bare) { assert_true(cfg.jumbo); }
static void chk_mrgbuf(bool bare) { assert_true(cfg.mrgbuf); }
static void chk_add_pci_vf(bool bare)
{
	assert_int_equal(cfg.n_static_vfs, 1);
	assert_int_equal(cfg.static_vfs[0].relay, 1);
	assert_string_equal(cfg.static_vfs[0].dev.name, "0000:05:08.1");
}
static void chk_token(bool bare)
{
	assert_string_equal(cfg.vfio_token, "14d63f20-8445-11ea-8900-1f9ce7d5650d");
}
static void chk_client(bool bare) { assert_true(cfg.vhost_client); }
static void chk_nothing(bool bare) { }
static void chk_tso(bool bare) { assert_true(cfg.tso); }
static void chk_dynamic(bool bare) { assert_true(cfg.dynamic_sockets); }

static const struct orig_opt orig_opts[] = {
	{'C', "cpus", 1, "3", NULL, chk_cpus},
	{'M', "master-lcore", 1, "2", NULL, chk_master_lcore},
	{'n', "nodaemon", 2, "log_syslog", NULL, chk_nodaemon},
	{'l', "loglevel", 1, "5", NULL, chk_loglevel},
	{'p', "pid-path", 1, "/run/vio-t", NULL, chk_pid_path},
	{'H', "huge-dir", 1, "/dev/hugepages", NULL, chk_huge_dir},
	{'O', "ovsdb-sock", 1, "/var/run/openvswitch/db.sock", "VIRTIOFWD_OVSDB_SOCK_PATH",
	 chk_ovsdb},
	{'Y', "zmq-config-ep", 2, "ipc:///run/t/cf", NULL, chk_config_ep},
	{'Z', "zmq-port-control-ep", 2, "ipc:///run/t/pc", NULL, chk_port_control_ep},
	{'z', "zmq-stats-ep", 2, "ipc:///run/t/st", NULL, chk_stats_ep},
	{'s', "zmq-core-sched-ep", 2, "ipc:///run/t/cs", NULL, chk_core_sched_ep},
	{'I', "ipc", 0, NULL, "VIRTIOFWD_IPC_PORT_CONTROL", chk_ipc},
	{'u', "vhost-username", 2, "root", NULL, chk_username},
	{'g', "vhost-groupname", 2, "root", NULL, chk_groupname},
	{'V', "vhost-path", 1, "/run/t/socks", NULL, chk_vhost_path},
	{'S', "vhost-socket", 1, "vm%u.sock", NULL, chk_vhost_socket},
	{'c', "virtio-cpu", 1, "3:1,2", NULL, chk_virtio_cpu},
	{'J', "enable-jumbo", 0, NULL, NULL, chk_jumbo},
	{'R', "enable-mrgbuf", 0, NULL, NULL, chk_mrgbuf},
	{'P', "add-pci-vf", 1, "0000:05:08.1=1", NULL, chk_add_pci_vf},
	{'t', "vfio-vf-token", 1, "0", NULL, chk_token},
	{'i', "vhostuser-client", 0, NULL, NULL, chk_client},
	{'0', "zero-copy", 0, NULL, "VIRTIOFWD_ZERO_COPY", chk_nothing},
	{'T', "enable-tso", 0, NULL, NULL, chk_tso},
	{'d', "dynamic-sockets", 0, NULL, NULL, chk_dynamic},
	{'a', "same-numa", 0, NULL, NULL, chk_nothing},
	/* and 'v', "version": test_orig_version */
};

/* Parse "--config <conf> a [b]" and check the effect and the warnings. */
static void orig_form(void **state, const struct orig_opt *o, bool bare, const char *a,
		      const char *b)
{
	reset(state);
	if (parse_va_list2(a, b) != 0) {
		print_error("-%c/--%s: \"%s%s%s\" refused: %s\n", o->shrt, o->lng, a, b ? " " : "",
			    b ? b : "", err);
		fail();
	}
	assert_int_equal(action, VIO_CMD_RUN);
	o->check(bare);
	if (o->warning) {
		if (cfg.n_warnings != 1) {
			print_error("-%c/--%s: %u warnings, expected 1\n", o->shrt, o->lng,
				    cfg.n_warnings);
			fail();
		}
		assert_contains(cfg.warnings[0], o->warning);
	} else if (cfg.n_warnings != 0) {
		print_error("-%c/--%s: unexpected warning: %s\n", o->shrt, o->lng, cfg.warnings[0]);
		fail();
	}
}

static void test_orig_option_table(void **state)
{
	char lv[128], sv[128], lo[64], so[4];
	unsigned forms = 0;

	for (size_t i = 0; i < sizeof(orig_opts) / sizeof(orig_opts[0]); i++) {
		const struct orig_opt *o = &orig_opts[i];

		snprintf(lo, sizeof(lo), "--%s", o->lng);
		snprintf(so, sizeof(so), "-%c", o->shrt);
		snprintf(lv, sizeof(lv), "--%s=%s", o->lng, o->value ? o->value : "");
		snprintf(sv, sizeof(sv), "-%c%s", o->shrt, o->value ? o->value : "");
		switch (o->has_arg) {
		case 0:
			orig_form(state, o, false, lo, NULL);
			orig_form(state, o, false, so, NULL);
			forms += 2;
			break;
		case 1: /* --opt=V, --opt V, -XV, -X V */
			orig_form(state, o, false, lv, NULL);
			orig_form(state, o, false, lo, o->value);
			orig_form(state, o, false, sv, NULL);
			orig_form(state, o, false, so, o->value);
			/* without its value: refused, as by the original */
			reset(state);
			assert_int_not_equal(parse_va_list2(lo, NULL), 0);
			assert_contains(err, "needs a value");
			forms += 5;
			break;
		case 2: /* --opt, -X; --opt=V, -XV; and (ours) --opt V, -X V */
			orig_form(state, o, true, lo, NULL);
			orig_form(state, o, true, so, NULL);
			orig_form(state, o, false, lv, NULL);
			orig_form(state, o, false, sv, NULL);
			orig_form(state, o, false, lo, o->value);
			orig_form(state, o, false, so, o->value);
			/* bare before another option: that option is no value */
			orig_form(state, o, true, so, "-i");
			assert_true(cfg.vhost_client);
			forms += 7;
			break;
		}
	}
	/* the original's 27 options less --version: 8 flags, 11 with a value, 7
	 * with an optional one */
	assert_int_equal(sizeof(orig_opts) / sizeof(orig_opts[0]), 26);
	assert_int_equal(forms, 8 * 2 + 11 * 5 + 7 * 7);
}

static void test_orig_version(void **state)
{
	assert_int_equal(parse("-v", NULL), 0);
	assert_int_equal(action, VIO_CMD_VERSION);
	reset(state);
	assert_int_equal(parse("--version", NULL), 0);
	assert_int_equal(action, VIO_CMD_VERSION);
}

/* The command line of the original's start script (vio4wd-start.sh) with
 * every variable of its shipped file set. */
static void test_orig_start_script(void **state)
{
	parse_ok("-C1,2", "--nodaemon=log_syslog", "-l6", "-M0", "-p/var/run", "-H/dev/hugepages",
		 "--zmq-config-ep=ipc:///run/t/cf", "--zmq-port-control-ep=ipc:///run/t/pc",
		 "--zmq-stats-ep=ipc:///run/t/st", "--zmq-core-sched-ep=ipc:///run/t/cs", "--ipc",
		 "-uroot", "-groot", "--vhost-path=/tmp/virtio-forwarder",
		 "--vhost-socket=virtio-forwarder%u.sock", "-J", "--enable-mrgbuf",
		 "--vhostuser-client", "--enable-tso", "--same-numa", "-c0:1,1", "-c1:1,2",
		 "--vfio-vf-token=0", "-P0000:05:08.1=1", "-P0000:05:08.2=2", NULL);
	assert_string_equal(workers(), "1-2");
	assert_false(cfg.daemonize);
	assert_true(cfg.log_syslog);
	assert_string_equal(cfg.huge_dir, "/dev/hugepages");
	assert_true(cfg.core_sched_enable);
	assert_string_equal(cfg.zmq_stats_ep, "ipc:///run/t/st");
	assert_string_equal(cfg.socket_owner, "root");
	assert_true(cfg.jumbo && cfg.mrgbuf && cfg.vhost_client && cfg.tso);
	assert_int_equal(cfg.n_pins, 2);
	assert_int_equal(cfg.n_static_vfs, 2);
	assert_int_equal(cfg.n_warnings, 0); /* --ipc with a port control endpoint: as ever */
}

/* Our long names stay; abbreviations the original allowed still work. */
static void test_aliases_and_abbreviations(void **state)
{
	parse_ok("--pid-dir=/a", NULL);
	assert_string_equal(cfg.pid_dir, "/a");
	reset(state);
	parse_ok("--pid=/b", NULL); /* --pid-dir and --pid-path are one option */
	assert_string_equal(cfg.pid_dir, "/b");
	reset(state);
	parse_ok("--jumbo", NULL);
	assert_true(cfg.jumbo);
	reset(state);
	parse_ok("--enable-j", "--vhost-user=root", NULL);
	assert_true(cfg.jumbo);
	assert_string_equal(cfg.socket_owner, "root");
	/* an error names the option as given */
	reset(state);
	parse_bad("--pid-path/-p", "--pid-path=relative", NULL);
	reset(state);
	parse_bad("--pid-dir/-p", "--pid-dir=relative", NULL);
	/* a short option after a long one is itself */
	reset(state);
	parse_ok("--cpus=1", "-M", "2", "--config", conf_path, "-l", "3", NULL);
	assert_string_equal(workers(), "1");
	assert_int_equal(cfg.main_lcore, 2);
	assert_int_equal(cfg.log_level, 3);
	/* the flags take no value, as in the original */
	reset(state);
	parse_bad(NULL, "--enable-jumbo=yes", NULL);
	reset(state);
	parse_bad(NULL, "--ipc=1", NULL);
	/* an explicitly empty endpoint is no endpoint (the original's was broken) */
	reset(state);
	parse_ok("--zmq-stats-ep=", NULL);
	assert_string_equal(cfg.zmq_stats_ep, "");
	/* a bad endpoint value is still an error */
	reset(state);
	parse_bad("--zmq-stats-ep/-z", "-z", "tcp://127.0.0.1:5555", NULL);
}

/* The warnings of gone features, once each, and only where the original
 * used the feature: without a ZeroMQ port control endpoint. */
static void test_gone_features_warn_once(void **state)
{
	write_conf("VIRTIOFWD_ZERO_COPY=y\nVIRTIOFWD_IPC_PORT_CONTROL=y\n");
	parse_ok("-0", "--zero-copy", "-I", NULL);
	assert_int_equal(cfg.n_warnings, 2);
	assert_contains(cfg.warnings[0], "VIRTIOFWD_ZERO_COPY (--zero-copy, -0)");
	assert_contains(cfg.warnings[1], "VIRTIOFWD_IPC_PORT_CONTROL (--ipc)");
	reset(state);
	parse_ok("-I", "-O", "/x", "-Z", NULL);
	assert_int_equal(cfg.n_warnings, 0);
	reset(state);
	write_conf("VIRTIOFWD_ZMQ_PORT_CONTROL_EP=ipc:///run/t/pc\n");
	parse_ok("--ovsdb-sock=/x", NULL);
	assert_int_equal(cfg.n_warnings, 0);
	reset(state);
	parse_ok("--ovsdb-sock=/x", NULL);
	assert_int_equal(cfg.n_warnings, 1);
	assert_contains(cfg.warnings[0], "OVSDB");
}

/* ---- the configuration file and precedence --------------------------------------- */

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

	assert_int_equal(parse("--config", path, NULL), -1);
	assert_contains(err, path);
	reset(state);
	assert_int_equal(parse("-f", path, "-C", "1", NULL), -1);
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
		T(test_orig_option_table),
		T(test_orig_version),
		T(test_orig_start_script),
		T(test_aliases_and_abbreviations),
		T(test_gone_features_warn_once),
	};

	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	for (size_t i = 0; i < n_kept; i++)
		free(kept[i]);
	return failed;
}
