/* SPDX-License-Identifier: BSD-3-Clause */
/* The exporter's rendering of stats replies in the Prometheus text format
 * (tools/metrics.c) and its --listen parser (tools/listen_addr.c): label
 * escaping, every family with HELP and TYPE and its samples together, the
 * output when the daemon is down, unused relays left out. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "listen_addr.h"
#include "metrics.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__StatsResponse Response;

/* text contains needle (a function rather than test_util.h's macro: with
 * the sanitizers, gcc sees a NULL text in that macro's error path). */
#define assert_has(text, needle) has_at((text), (needle), __LINE__)
static void has_at(const char *text, const char *needle, int line)
{
	if (!strstr(text, needle))
		fail_msg("line %d: the output lacks \"%s\"", line, needle);
}
typedef Virtioforwarder__RelayState RelayState;

/* Every family the exporter documents, with its type. */
static const struct {
	const char *name, *type;
} families[] = {
	{"virtioforwarder_up", "gauge"},
	{"virtioforwarder_build_info", "gauge"},
	{"virtioforwarder_relay_info", "gauge"},
	{"virtioforwarder_relay_active", "gauge"},
	{"virtioforwarder_relay_vm_connected", "gauge"},
	{"virtioforwarder_relay_state", "gauge"},
	{"virtioforwarder_relay_received_packets_total", "counter"},
	{"virtioforwarder_relay_received_bytes_total", "counter"},
	{"virtioforwarder_relay_sent_packets_total", "counter"},
	{"virtioforwarder_relay_sent_bytes_total", "counter"},
	{"virtioforwarder_relay_dropped_packets_total", "counter"},
	{"virtioforwarder_relay_dropped_bytes_total", "counter"},
	{"virtioforwarder_relay_busy_polls_total", "counter"},
	{"virtioforwarder_relay_busy_cycles_total", "counter"},
	{"virtioforwarder_relay_announcements_total", "counter"},
	{"virtioforwarder_relay_worker_cpu", "gauge"},
	{"virtioforwarder_relay_assigned_cpu", "gauge"},
	{"virtioforwarder_vf_link_up", "gauge"},
	{"virtioforwarder_vf_link_speed_bytes_per_second", "gauge"},
	{"virtioforwarder_vf_link_changes_total", "counter"},
	{"virtioforwarder_vf_rx_dropped_packets_total", "counter"},
	{"virtioforwarder_worker_cycles_total", "counter"},
	{"virtioforwarder_worker_passes_total", "counter"},
	{"virtioforwarder_worker_packets_total", "counter"},
	{"virtioforwarder_worker_tsc_hertz", "gauge"},
};
#define N_FAMILIES (sizeof(families) / sizeof(families[0]))

/* A reply as the daemon sends it: relay 0 a socket without VF nor VM
 * (static mode: left out), relay 2 forwarding (a VF whose name needs
 * escaping, both CPUs), relay 5 a VF and a socket waiting for the VM, one
 * worker. */
struct fixture {
	Response resp;
	RelayState rs[3], *rp[3];
	Virtioforwarder__RelayState__VHOST vhost[3];
	Virtioforwarder__RelayState__VFtoVM v2m[3];
	Virtioforwarder__RelayState__VMtoVF m2v[3];
	Virtioforwarder__RelayState__VF vf, vf5;
	Virtioforwarder__RelayState__CPU cpu;
	Virtioforwarder__WorkerState w, *wp[1];
	Virtioforwarder__ConfigResponse cfg;
	Virtioforwarder__ConfigResponse__RelayCPU map[2], *mp[2];
};

static struct fixture fx;

static int setup(void **state)
{
	static const uint32_t ids[] = {0, 2, 5};
	static const char *const socks[] = {"/run/vf0.sock", "/run/vf2.sock", "NONE"};
	static const char *const v2m_state[] = {"NO_VF", "FORWARDING", "VF_ADDED_WAITING_FOR_VM"};
	static const char *const m2v_state[] = {"WAITING_FOR_VM", "FORWARDING", "NO_SOCKET"};

	(void)state;
	memset(&fx, 0, sizeof(fx));
	virtioforwarder__stats_response__init(&fx.resp);
	fx.resp.status = VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK;
	for (int i = 0; i < 3; i++) {
		virtioforwarder__relay_state__init(&fx.rs[i]);
		virtioforwarder__relay_state__vhost__init(&fx.vhost[i]);
		virtioforwarder__relay_state__vfto_vm__init(&fx.v2m[i]);
		virtioforwarder__relay_state__vmto_vf__init(&fx.m2v[i]);
		fx.rs[i].id = ids[i];
		fx.rs[i].socket_id = 4294967295u;
		fx.vhost[i].vhost_socket_name = (char *)socks[i];
		fx.v2m[i].internal_state = (char *)v2m_state[i];
		fx.m2v[i].internal_state = (char *)m2v_state[i];
		/* the daemon sets every counter, zero or not */
		fx.v2m[i].has_pkts_rx_from_vf = fx.v2m[i].has_bytes_rx_from_vf = 1;
		fx.v2m[i].has_pkts_tx_to_vm = fx.v2m[i].has_bytes_tx_to_vm = 1;
		fx.v2m[i].has_pkts_dropped_vm_queue_full = fx.v2m[i].has_bytes_dropped_vm_queue_full = 1;
		fx.v2m[i].has_pkts_dropped_vm_not_connected = 1;
		fx.v2m[i].has_bytes_dropped_vm_not_connected = 1;
		fx.v2m[i].has_pkts_dropped_too_long = fx.v2m[i].has_bytes_dropped_too_long = 1;
		fx.v2m[i].has_busy_cycles = fx.v2m[i].has_busy_polls = 1;
		fx.m2v[i].has_pkts_rx_from_vm = fx.m2v[i].has_bytes_rx_from_vm = 1;
		fx.m2v[i].has_pkts_tx_to_vf = fx.m2v[i].has_bytes_tx_to_vf = 1;
		fx.m2v[i].has_pkts_dropped_vf_queue_full = fx.m2v[i].has_bytes_dropped_vf_queue_full = 1;
		fx.m2v[i].has_pkts_dropped_vf_not_connected = 1;
		fx.m2v[i].has_bytes_dropped_vf_not_connected = 1;
		fx.m2v[i].has_pkts_dropped_too_long = fx.m2v[i].has_bytes_dropped_too_long = 1;
		fx.m2v[i].has_busy_cycles = fx.m2v[i].has_busy_polls = 1;
		fx.m2v[i].has_announcements = 1;
		fx.rs[i].vhost = &fx.vhost[i];
		fx.rs[i].vf_to_vm = &fx.v2m[i];
		fx.rs[i].vm_to_vf = &fx.m2v[i];
		fx.rp[i] = &fx.rs[i];
	}
	RelayState *r = &fx.rs[1];

	r->active = 1;
	r->socket_id = 0;
	virtioforwarder__relay_state__vf__init(&fx.vf);
	fx.vf.pci_addr_str = (char *)"net_tap0,iface=\"v\\f\"";
	fx.vf.has_link_up = 1;
	fx.vf.link_up = 1;
	fx.vf.has_link_speed_mbps = 1;
	fx.vf.link_speed_mbps = 10000;
	fx.vf.has_link_changes = 1;
	fx.vf.link_changes = 3;
	fx.vf.has_rx_errors = fx.vf.has_rx_missed = 1;
	fx.vf.rx_errors = 4;
	fx.vf.rx_missed = 5;
	r->vf = &fx.vf;
	virtioforwarder__relay_state__vf__init(&fx.vf5);  /* no link information */
	fx.vf5.pci_addr_str = (char *)"0000:05:08.2";
	fx.rs[2].vf = &fx.vf5;
	virtioforwarder__relay_state__cpu__init(&fx.cpu);
	fx.cpu.has_vf_to_vm = fx.cpu.has_vm_to_vf = 1;
	fx.cpu.vf_to_vm = 1;
	fx.cpu.vm_to_vf = 3;
	r->cpu = &fx.cpu;
	fx.v2m[1].active = fx.m2v[1].active = 1;
	fx.v2m[1].pkts_rx_from_vf = 100;
	fx.v2m[1].bytes_rx_from_vf = 6400;
	fx.v2m[1].pkts_tx_to_vm = 90;
	fx.v2m[1].bytes_tx_to_vm = 5760;
	fx.v2m[1].pkts_dropped_vm_queue_full = 10;
	fx.v2m[1].bytes_dropped_vm_queue_full = 640;
	fx.v2m[1].busy_cycles = 10600;
	fx.v2m[1].busy_polls = 4;
	fx.m2v[1].pkts_rx_from_vm = 7;
	fx.m2v[1].announcements = 6;
	fx.m2v[1].pkts_dropped_too_long = 2;
	fx.m2v[1].bytes_dropped_too_long = 18000;
	fx.m2v[1].pkts_dropped_vf_not_connected = 1;
	fx.resp.n_relay = 3;
	fx.resp.relay = fx.rp;

	virtioforwarder__worker_state__init(&fx.w);
	fx.w.cpu = 1;
	fx.w.has_busy_cycles = fx.w.has_idle_cycles = fx.w.has_sleep_cycles = 1;
	fx.w.has_busy_passes = fx.w.has_idle_passes = fx.w.has_pkts = fx.w.has_tsc_hz = 1;
	fx.w.busy_cycles = 1060;
	fx.w.idle_cycles = 20;
	fx.w.sleep_cycles = 5;
	fx.w.busy_passes = 3;
	fx.w.idle_passes = 4;
	fx.w.pkts = 107;
	fx.w.tsc_hz = 2600000000u;
	fx.wp[0] = &fx.w;
	fx.resp.n_worker = 1;
	fx.resp.worker = fx.wp;

	virtioforwarder__config_response__init(&fx.cfg);
	fx.cfg.status = VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK;
	for (int i = 0; i < 2; i++) {
		virtioforwarder__config_response__relay_cpu__init(&fx.map[i]);
		fx.mp[i] = &fx.map[i];
	}
	fx.map[0].relay_number = 2;   /* served */
	fx.map[0].vf2virtio_cpu = 1;
	fx.map[0].virtio2vf_cpu = 3;
	fx.map[1].relay_number = 7;   /* pinned, one direction only */
	fx.map[1].vf2virtio_cpu = 1;
	fx.map[1].virtio2vf_cpu = -1;
	fx.cfg.n_relay_cpu_map = 2;
	fx.cfg.relay_cpu_map = fx.mp;
	return 0;
}

static char *render(const Response *st, const Virtioforwarder__ConfigResponse *cfg)
{
	struct vio_metrics_src src = {.stats = st, .config = cfg, .version = "2.0.0",
				      .dpdk_version = "22.11.11"};
	char *text = NULL;
	size_t len = 0;

	assert_int_equal(vio_metrics_render(&src, &text, &len), 0);
	if (!text)  /* abort: the compiler then knows text is not NULL */
		abort();
	assert_int_equal(strlen(text), len);
	return text;
}

/* The structure of the format: each family's HELP then TYPE, then its
 * samples, contiguous; every sample of a declared family; the text ends
 * with a newline.  Returns how many families were declared. */
static unsigned check_structure(const char *text)
{
	char fam[128] = "", line[1024];
	const char *p = text;
	unsigned n = 0;

	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	while (*p) {
		const char *nl = strchr(p, '\n');
		size_t l = (size_t)(nl - p);
		char name[128], type[32];

		assert_non_null(nl);
		assert_true(l < sizeof(line));
		memcpy(line, p, l);
		line[l] = '\0';
		p = nl + 1;
		if (sscanf(line, "# HELP %127s", name) == 1) {
			/* the next line is its TYPE */
			nl = strchr(p, '\n');
			assert_non_null(nl);
			assert_int_equal(sscanf(p, "# TYPE %127s %31s", fam, type), 2);
			assert_string_equal(fam, name);
			p = nl + 1;
			n++;
			continue;
		}
		assert_true(fam[0]);
		assert_int_equal(strncmp(line, fam, strlen(fam)), 0);
		assert_true(line[strlen(fam)] == '{' || line[strlen(fam)] == ' ');
	}
	/* no family declared twice */
	for (size_t i = 0; i < N_FAMILIES; i++) {
		char help[160];
		const char *first;

		snprintf(help, sizeof(help), "# HELP %s ", families[i].name);
		first = strstr(text, help);
		if (first)
			assert_null(strstr(first + 1, help));
	}
	return n;
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{"plain", "plain"},
		{"", ""},
		{"a\\b\"c\nd", "a\\\\b\\\"c\\nd"},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
		{"x\xffy", "x?y"},
		{"\xc0\xaf", "??"},              /* overlong '/' */
		{"\xed\xa0\x80", "???"},         /* a surrogate */
		{"\xf4\x90\x80\x80", "????"},    /* beyond U+10FFFF */
		{"end\xe2\x82", "end??"},        /* cut short */
		{"tab\tok", "tab\tok"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *e = vio_metrics_escape_label(cases[i].in);

		assert_non_null(e);
		assert_string_equal(e, cases[i].out);
		free(e);
	}
}

static void test_every_family(void **state)
{
	char *t = render(&fx.resp, &fx.cfg);

	(void)state;
	assert_int_equal(check_structure(t), N_FAMILIES);
	for (size_t i = 0; i < N_FAMILIES; i++) {
		char want[160];

		snprintf(want, sizeof(want), "# HELP %s ", families[i].name);
		assert_has(t, want);
		snprintf(want, sizeof(want), "\n# TYPE %s %s\n", families[i].name, families[i].type);
		assert_has(t, want);
		/* every family has a sample in this reply */
		snprintf(want, sizeof(want), "\n%s{", families[i].name);
		if (!strstr(t, want)) {
			snprintf(want, sizeof(want), "\n%s ", families[i].name);
			assert_has(t, want);
		}
	}
	free(t);
}

static void test_samples(void **state)
{
	char *t = render(&fx.resp, &fx.cfg);

	(void)state;
	assert_has(t, "\nvirtioforwarder_up 1\n");
	assert_has(t, "\nvirtioforwarder_build_info{version=\"2.0.0\",dpdk=\"22.11.11\"} 1\n");
	/* the VF's name escaped; a socket without VF has vf="" */
	assert_has(t, "\nvirtioforwarder_relay_info{relay=\"2\",vf=\"net_tap0,iface=\\\"v\\\\f\\\"\","
			"socket=\"/run/vf2.sock\",numa_node=\"0\"} 1\n");
	assert_has(t, "\nvirtioforwarder_relay_info{relay=\"5\",vf=\"0000:05:08.2\",socket=\"\","
			"numa_node=\"any\"} 1\n");
	/* relay 0 has a socket only: left out */
	assert_null(strstr(t, "relay=\"0\""));
	assert_has(t, "\nvirtioforwarder_relay_active{relay=\"2\"} 1\n");
	assert_has(t, "\nvirtioforwarder_relay_active{relay=\"5\"} 0\n");
	assert_has(t, "\nvirtioforwarder_relay_vm_connected{relay=\"2\"} 1\n");
	assert_has(t, "\nvirtioforwarder_relay_vm_connected{relay=\"5\"} 0\n");
	assert_has(t, "\nvirtioforwarder_relay_state{relay=\"5\",direction=\"vm_to_vf\","
			"state=\"NO_SOCKET\"} 1\n");
	assert_has(t, "\nvirtioforwarder_relay_state{relay=\"5\",direction=\"vf_to_vm\","
			"state=\"VF_ADDED_WAITING_FOR_VM\"} 1\n");
	assert_null(strstr(t, "virtioforwarder_vf_link_up{relay=\"5\""));
	assert_has(t, "\nvirtioforwarder_relay_state{relay=\"5\",direction=\"vm_to_vf\","
			"state=\"FORWARDING\"} 0\n");
	assert_has(t, "\nvirtioforwarder_relay_received_packets_total{relay=\"2\","
			"direction=\"vf_to_vm\"} 100\n");
	assert_has(t, "\nvirtioforwarder_relay_received_packets_total{relay=\"2\","
			"direction=\"vm_to_vf\"} 7\n");
	assert_has(t, "\nvirtioforwarder_relay_received_bytes_total{relay=\"2\","
			"direction=\"vf_to_vm\"} 6400\n");
	assert_has(t, "\nvirtioforwarder_relay_sent_packets_total{relay=\"2\","
			"direction=\"vf_to_vm\"} 90\n");
	assert_has(t, "\nvirtioforwarder_relay_sent_bytes_total{relay=\"2\","
			"direction=\"vf_to_vm\"} 5760\n");
	assert_has(t, "\nvirtioforwarder_relay_dropped_packets_total{relay=\"2\","
			"direction=\"vf_to_vm\",cause=\"queue_full\"} 10\n");
	assert_has(t, "\nvirtioforwarder_relay_dropped_bytes_total{relay=\"2\","
			"direction=\"vf_to_vm\",cause=\"queue_full\"} 640\n");
	assert_has(t, "\nvirtioforwarder_relay_dropped_packets_total{relay=\"2\","
			"direction=\"vm_to_vf\",cause=\"not_connected\"} 1\n");
	assert_has(t, "\nvirtioforwarder_relay_dropped_packets_total{relay=\"2\","
			"direction=\"vm_to_vf\",cause=\"too_long\"} 2\n");
	assert_has(t, "\nvirtioforwarder_relay_dropped_bytes_total{relay=\"2\","
			"direction=\"vm_to_vf\",cause=\"too_long\"} 18000\n");
	assert_has(t, "\nvirtioforwarder_relay_busy_polls_total{relay=\"2\","
			"direction=\"vf_to_vm\"} 4\n");
	assert_has(t, "\nvirtioforwarder_relay_busy_cycles_total{relay=\"2\","
			"direction=\"vf_to_vm\"} 10600\n");
	assert_has(t, "\nvirtioforwarder_relay_announcements_total{relay=\"2\","
		      "direction=\"vm_to_vf\"} 6\n");
	assert_null(strstr(t, "virtioforwarder_relay_announcements_total{relay=\"2\","
			      "direction=\"vf_to_vm\""));
	assert_has(t, "\nvirtioforwarder_relay_worker_cpu{relay=\"2\",direction=\"vm_to_vf\"} 3\n");
	assert_null(strstr(t, "virtioforwarder_relay_worker_cpu{relay=\"5\""));
	assert_has(t, "\nvirtioforwarder_relay_assigned_cpu{relay=\"7\",direction=\"vf_to_vm\"} 1\n");
	assert_null(strstr(t, "virtioforwarder_relay_assigned_cpu{relay=\"7\",direction=\"vm_to_vf\""));
	assert_has(t, "\nvirtioforwarder_vf_link_up{relay=\"2\"} 1\n");
	assert_has(t, "\nvirtioforwarder_vf_link_speed_bytes_per_second{relay=\"2\"} 1250000000\n");
	assert_has(t, "\nvirtioforwarder_vf_link_changes_total{relay=\"2\"} 3\n");
	assert_has(t, "\nvirtioforwarder_vf_rx_dropped_packets_total{relay=\"2\",cause=\"error\"} 4\n");
	assert_has(t, "\nvirtioforwarder_vf_rx_dropped_packets_total{relay=\"2\",cause=\"missed\"} 5\n");
	assert_has(t, "\nvirtioforwarder_worker_cycles_total{cpu=\"1\",state=\"busy\"} 1060\n");
	assert_has(t, "\nvirtioforwarder_worker_cycles_total{cpu=\"1\",state=\"idle\"} 20\n");
	assert_has(t, "\nvirtioforwarder_worker_cycles_total{cpu=\"1\",state=\"sleep\"} 5\n");
	assert_has(t, "\nvirtioforwarder_worker_passes_total{cpu=\"1\",state=\"idle\"} 4\n");
	assert_has(t, "\nvirtioforwarder_worker_packets_total{cpu=\"1\"} 107\n");
	assert_has(t, "\nvirtioforwarder_worker_tsc_hertz{cpu=\"1\"} 2600000000\n");
	free(t);
}

/* Daemon down (no reply, or an error status): up 0 and the build, nothing
 * else; a 200 with that is what the exporter serves. */
static void test_daemon_down(void **state)
{
	char *t = render(NULL, NULL);

	(void)state;
	assert_int_equal(check_structure(t), 2);
	assert_string_equal(t,
		"# HELP virtioforwarder_up 1 when the daemon's stats service answered this scrape, "
		"else 0.\n"
		"# TYPE virtioforwarder_up gauge\n"
		"virtioforwarder_up 0\n"
		"# HELP virtioforwarder_build_info Version of virtio-forwarder and of the DPDK it was "
		"built with; always 1.\n"
		"# TYPE virtioforwarder_build_info gauge\n"
		"virtioforwarder_build_info{version=\"2.0.0\",dpdk=\"22.11.11\"} 1\n");
	free(t);
	fx.resp.status = VIRTIOFORWARDER__STATS_RESPONSE__STATUS__EBADR;
	t = render(&fx.resp, &fx.cfg);
	assert_has(t, "\nvirtioforwarder_up 0\n");
	assert_null(strstr(t, "relay"));
	free(t);
}

/* No config reply: its family is left out; an idle daemon (no relay in
 * use, no worker) still declares the other families. */
static void test_partial(void **state)
{
	char *t = render(&fx.resp, NULL);

	(void)state;
	assert_null(strstr(t, "relay_assigned_cpu"));
	assert_int_equal(check_structure(t), N_FAMILIES - 1);
	free(t);
	fx.resp.n_relay = 1;  /* relay 0 only: unused */
	fx.resp.n_worker = 0;
	t = render(&fx.resp, NULL);
	assert_int_equal(check_structure(t), N_FAMILIES - 1);
	assert_has(t, "\nvirtioforwarder_up 1\n");
	assert_null(strstr(t, "relay=\""));
	assert_null(strstr(t, "cpu=\""));
	free(t);
}

/* A state this exporter does not know, with characters to escape. */
static void test_unknown_state(void **state)
{
	char *t;

	(void)state;
	fx.m2v[1].internal_state = (char *)"NEW\"\xff";
	t = render(&fx.resp, &fx.cfg);
	check_structure(t);
	assert_has(t, "\nvirtioforwarder_relay_state{relay=\"2\",direction=\"vm_to_vf\","
			"state=\"NEW\\\"?\"} 1\n");
	assert_has(t, "\nvirtioforwarder_relay_state{relay=\"2\",direction=\"vm_to_vf\","
			"state=\"FORWARDING\"} 0\n");
	/* no known state matches: not connected */
	assert_has(t, "\nvirtioforwarder_relay_vm_connected{relay=\"2\"} 0\n");
	assert_null(strstr(t, "relay=\"0\""));
	free(t);
	/* a relay without VF in a state not known is kept, not hidden */
	fx.m2v[0].internal_state = (char *)"NEW_STATE";
	t = render(&fx.resp, &fx.cfg);
	assert_has(t, "\nvirtioforwarder_relay_info{relay=\"0\",vf=\"\",socket=\"/run/vf0.sock\"");
	free(t);
}

static void test_listen(void **state)
{
	static const char *const bad[] = {
		"", "127.0.0.1", "127.0.0.1:", ":9639", "127.0.0.1:0", "127.0.0.1:65536",
		"127.0.0.1:+80", "127.0.0.1: 80", "127.0.0.1:80x", "127.0.0.1:000080",
		"127.1:80", "256.0.0.1:80", "host.example:80", "::1:80", "[::1]", "[::1]80",
		"[127.0.0.1]:80", "[::1:80", "[]:80",
	};
	struct vio_listen_addr a;
	char err[256];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		if (vio_parse_listen(bad[i], &a, err, sizeof(err)) != -EINVAL)
			fail_msg("--listen=%s accepted", bad[i]);
		assert_true(err[0]);
	}
	assert_int_equal(vio_parse_listen(VIO_EXPORTER_DEFAULT_LISTEN, &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_false(a.ipv6);
	assert_int_equal(a.len, sizeof(struct sockaddr_in));
	assert_int_equal(ntohs(((struct sockaddr_in *)&a.sa)->sin_port), 9639);
	assert_int_equal(vio_parse_listen("localhost:80", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(vio_parse_listen("127.3.2.1:65535", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(vio_parse_listen("0.0.0.0:1", &a, err, sizeof(err)), 0);
	assert_false(a.loopback);
	assert_int_equal(vio_parse_listen("[::1]:9639", &a, err, sizeof(err)), 0);
	assert_true(a.ipv6 && a.loopback);
	assert_int_equal(a.len, sizeof(struct sockaddr_in6));
	assert_int_equal(vio_parse_listen("[::ffff:127.0.0.1]:80", &a, err, sizeof(err)), 0);
	assert_true(a.loopback);
	assert_int_equal(vio_parse_listen("[fe80::1]:80", &a, err, sizeof(err)), 0);
	assert_false(a.loopback);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test_setup(test_every_family, setup),
		cmocka_unit_test_setup(test_samples, setup),
		cmocka_unit_test_setup(test_daemon_down, setup),
		cmocka_unit_test_setup(test_partial, setup),
		cmocka_unit_test_setup(test_unknown_state, setup),
		cmocka_unit_test(test_listen),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
