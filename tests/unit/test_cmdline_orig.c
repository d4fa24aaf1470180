/* SPDX-License-Identifier: BSD-3-Clause */
/* Unit tests of src/cmdline.c against the original virtio-forwarder's
 * option table: every option in every form its getopt took, with its
 * meaning here (or the one warning of a gone feature). */
#include "cmdline_harness.h"

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

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_orig_option_table),
		T(test_orig_version),
		T(test_orig_start_script),
		T(test_aliases_and_abbreviations),
		T(test_gone_features_warn_once),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	free_kept();
	return failed;
}
