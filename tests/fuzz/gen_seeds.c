/* SPDX-License-Identifier: BSD-3-Clause */
/* Writes the seed corpora and dictionaries of the fuzz harnesses:
 *
 *   build-fuzz/tests/fuzz/gen_seeds tests/fuzz
 *
 * (re)creates tests/fuzz/corpus/<harness>/<seed> and tests/fuzz/dict/<harness>.dict.
 * The control-service seeds are requests serialized with protoc-c's code, so
 * they follow proto/virtioforwarder.proto; the configuration-variable and
 * option dictionaries come from the variable table (src/config.c).  Seeds
 * found by fuzzing (scripts/fuzz.sh --grow-corpus) sit next to these under
 * other names and are left alone. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <protobuf-c/protobuf-c.h>

#include "config.h"
#include "virtioforwarder.pb-c.h"

#ifndef VIO_SRC_DIR
#error VIO_SRC_DIR must name the source tree
#endif

static const char *top;
static unsigned written;

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void mkdir_p(const char *dir)
{
	if (mkdir(dir, 0755) && errno != EEXIST)
		die("mkdir %s: %s", dir, strerror(errno));
}

static void write_file(const char *harness, const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/corpus", top);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/corpus/%s", top, harness);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/corpus/%s/%s", top, harness, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f))
		die("cannot write %s", path);
	written++;
}

static void seed_text(const char *harness, const char *name, const char *text)
{
	write_file(harness, name, text, strlen(text));
}

static void seed_msg(const char *harness, const char *name, const ProtobufCMessage *msg)
{
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len ? len : 1);

	if (!buf)
		die("out of memory");
	protobuf_c_message_pack(msg, buf);
	write_file(harness, name, buf, len);
	free(buf);
}

/* ---- port_control ------------------------------------------------------------------ */

typedef Virtioforwarder__PortControlRequest PortReq;
typedef Virtioforwarder__PortControlRequest__PciAddress PciAddr;

static void port_seed(const char *name, int op, int virtio_id, const PciAddr *pci,
		      unsigned n_pci, const char *device, const char *path, int conditional,
		      const char *bond)
{
	PortReq m = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	PciAddr *list[4];
	char *dev;

	m.op = (Virtioforwarder__PortControlRequest__Op)op;
	if (virtio_id >= 0) {
		m.has_virtio_id = 1;
		m.virtio_id = (uint32_t)virtio_id;
	}
	for (unsigned i = 0; i < n_pci; i++)
		list[i] = (PciAddr *)&pci[i];
	m.n_pci_addrs = n_pci;
	m.pci_addrs = n_pci ? list : NULL;
	if (device) {
		dev = (char *)device;
		m.n_device = 1;
		m.device = &dev;
	}
	m.vhost_path = (char *)path;
	if (conditional >= 0) {
		m.has_conditional = 1;
		m.conditional = conditional;
	}
	if (bond) {
		m.name = (char *)bond;
		m.has_mode = 1;
		m.mode = 1;
	}
	seed_msg("ctl_port", name, &m.base);
}

static PciAddr pci(unsigned domain, unsigned bus, unsigned slot, unsigned function)
{
	PciAddr a = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__PCI_ADDRESS__INIT;

	a.domain = domain;
	a.bus = bus;
	a.slot = slot;
	a.function = function;
	return a;
}

static void port_seeds(void)
{
	enum { ADD, REMOVE, ADD_SOCK, REMOVE_SOCK, QUERY_PCI };
	PciAddr p0 = pci(0, 5, 8, 1), p3 = pci(0, 5, 8, 3), bad = pci(0, 5, 0x20, 1);
	PciAddr bond[2] = {pci(0, 5, 8, 3), pci(0, 5, 8, 4)};

	port_seed("add_pci", ADD, 6, &p3, 1, NULL, NULL, -1, NULL);
	port_seed("add_device", ADD, 7, NULL, 0, "net_tap1,iface=vf1", NULL, -1, NULL);
	port_seed("add_again_unconditional", ADD, 0, &p0, 1, NULL, NULL, 0, NULL);
	port_seed("add_busy", ADD, 0, &p3, 1, NULL, NULL, 1, NULL);
	port_seed("add_pci_and_device", ADD, 6, &p3, 1, "net_tap1", NULL, -1, NULL);
	port_seed("add_no_vf", ADD, 6, NULL, 0, NULL, NULL, -1, NULL);
	port_seed("add_slot_out_of_range", ADD, 6, &bad, 1, NULL, NULL, -1, NULL);
	port_seed("add_id_out_of_range", ADD, 99, &p3, 1, NULL, NULL, -1, NULL);
	port_seed("add_no_id", ADD, -1, &p3, 1, NULL, NULL, -1, NULL);
	port_seed("add_bond", ADD, 6, bond, 2, NULL, NULL, -1, "bond0");
	port_seed("remove_device", REMOVE, 2, NULL, 0, "net_tap0,iface=vf0", NULL, -1, NULL);
	port_seed("remove_wrong_vf", REMOVE, 0, &p3, 1, NULL, NULL, -1, NULL);
	port_seed("remove_none_unconditional", REMOVE, 6, NULL, 0, NULL, NULL, 0, NULL);
	port_seed("add_sock_pcap", ADD_SOCK, -1, NULL, 0, "net_pcap0,rx_pcap=/x.pcap",
		  "/tmp/vm6.sock", -1, NULL);
	port_seed("add_sock_pci", ADD_SOCK, 3, &p3, 1, NULL, "/tmp/vm7.sock", -1, NULL);
	port_seed("add_sock_existing", ADD_SOCK, -1, &p0, 1, NULL, "/tmp/vm0.sock", 1,
		  NULL);
	port_seed("add_sock_relative", ADD_SOCK, -1, &p3, 1, NULL, "vm.sock", -1, NULL);
	port_seed("add_sock_tap", ADD_SOCK, -1, NULL, 0, "net_tap1,iface=vf1", "/tmp/vm6.sock",
		  -1, NULL);
	port_seed("add_sock_elsewhere", ADD_SOCK, -1, &p3, 1, NULL, "/var/tmp/vm6.sock", -1, NULL);
	port_seed("add_sock_dotdot", ADD_SOCK, -1, &p3, 1, NULL, "/tmp/../etc/vm6.sock", -1, NULL);
	port_seed("add_null", ADD, 6, NULL, 0, "net_null0", NULL, -1, NULL);
	port_seed("remove_sock_path", REMOVE_SOCK, -1, NULL, 0, NULL, "/tmp/vm0.sock",
		  -1, NULL);
	port_seed("remove_sock_device", REMOVE_SOCK, -1, NULL, 0, "net_tap0", NULL, -1, NULL);
	port_seed("remove_sock_mismatch", REMOVE_SOCK, -1, &p3, 1, NULL,
		  "/tmp/vm4.sock", 0, NULL);
	port_seed("query_pci", QUERY_PCI, -1, NULL, 0, NULL, "/tmp/vm0.sock", -1, NULL);
	port_seed("query_pci_no_vf", QUERY_PCI, -1, NULL, 0, NULL, "/tmp/vm1.sock", -1,
		  NULL);
	port_seed("unknown_op", 7, 0, NULL, 0, NULL, NULL, -1, NULL);
}

/* ---- stats ------------------------------------------------------------------------- */

static void stats_seed(const char *name, const uint32_t *ids, size_t n, int inactive, int delay)
{
	Virtioforwarder__StatsRequest m = VIRTIOFORWARDER__STATS_REQUEST__INIT;

	m.n_relay = n;
	m.relay = (uint32_t *)ids;
	if (inactive >= 0) {
		m.has_include_inactive = 1;
		m.include_inactive = inactive;
	}
	if (delay >= 0) {
		m.has_delay = 1;
		m.delay = (uint32_t)delay;
	}
	seed_msg("ctl_stats", name, &m.base);
}

static void stats_seeds(void)
{
	static const uint32_t some[] = {0, 4, 5}, out[] = {1, 8};
	static const uint32_t many[] = {0, 1, 2, 3, 4, 5, 6, 7, 0};

	stats_seed("all", NULL, 0, -1, -1);
	stats_seed("some_active", some, 3, 0, -1);
	stats_seed("some_window", some, 3, 1, 100);
	stats_seed("all_window", NULL, 0, -1, 500);
	stats_seed("delay_too_long", NULL, 0, -1, 70000);
	stats_seed("out_of_range", out, 2, -1, -1);
	stats_seed("too_many", many, 9, -1, -1);
}

/* ---- core_sched -------------------------------------------------------------------- */

typedef Virtioforwarder__CoreSchedRequest__RelayCPU SchedCPU;

static void sched_seed(const char *name, int op, const int (*map)[3], size_t n)
{
	Virtioforwarder__CoreSchedRequest m = VIRTIOFORWARDER__CORE_SCHED_REQUEST__INIT;
	SchedCPU e[8], *list[8];

	m.op = (Virtioforwarder__CoreSchedRequest__Op)op;
	for (size_t i = 0; i < n; i++) {
		virtioforwarder__core_sched_request__relay_cpu__init(&e[i]);
		e[i].relay_number = map[i][0];
		e[i].vf2virtio_cpu = map[i][1];
		e[i].virtio2vf_cpu = map[i][2];
		list[i] = &e[i];
	}
	m.n_relay_cpu_map = n;
	m.relay_cpu_map = n ? list : NULL;
	seed_msg("ctl_core_sched", name, &m.base);
}

static void sched_seeds(void)
{
	enum { UPDATE, GET_EAL_CORES };
	static const int one[][3] = {{0, 3, 1}}, two[][3] = {{0, 3, 3}, {4, 1, 3}};
	static const int twice[][3] = {{0, 3, 1}, {0, 1, 3}}, not_worker[][3] = {{0, 2, 1}};
	static const int negative[][3] = {{-1, 1, 1}}, far[][3] = {{8, 1, 1}};

	sched_seed("get_eal_cores", GET_EAL_CORES, NULL, 0);
	sched_seed("update_one", UPDATE, one, 1);
	sched_seed("update_two", UPDATE, two, 2);
	sched_seed("update_twice", UPDATE, twice, 2);
	sched_seed("update_not_worker", UPDATE, not_worker, 1);
	sched_seed("update_negative", UPDATE, negative, 1);
	sched_seed("update_out_of_range", UPDATE, far, 1);
	sched_seed("update_empty", UPDATE, NULL, 0);
	sched_seed("unknown_op", 5, NULL, 0);
}

/* ---- config ------------------------------------------------------------------------ */

static void config_seeds(void)
{
	Virtioforwarder__ConfigRequest m = VIRTIOFORWARDER__CONFIG_REQUEST__INIT;
	/* field 9, varint 1; field 10, 3 bytes "abc" (unknown fields are kept) */
	static const uint8_t unknown[] = {0x48, 0x01, 0x52, 0x03, 'a', 'b', 'c'};

	seed_msg("ctl_config", "empty", &m.base);
	write_file("ctl_config", "unknown_fields", unknown, sizeof(unknown));
}

/* ---- configuration file ------------------------------------------------------------ */

static void conffile_seeds(void)
{
	char path[512], *text;
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/conf/virtioforwarder", VIO_SRC_DIR);
	f = fopen(path, "r");
	if (!f)
		die("cannot read %s", path);
	text = calloc(1, 1 << 20);
	n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
	fclose(f);
	if (!n)
		die("%s is empty", path);
	write_file("conffile", "shipped", text, n);
	free(text);

	seed_text("conffile", "arrays",
		  "VIRTIOFWD_CPU_MASK=1-3\n"
		  "VIRTIOFWD_STATIC_VFS=(0000:05:08.1=0   # first\n"
		  "    \"net_tap0,iface=vf0=1\" 'net_pcap0,rx_pcap=/x.pcap=3'\n"
		  ")\n"
		  "VIRTIOFWD_CPU_PINS=(0:1 1:2,3)\n"
		  "VIRTIOFWD_CPU_PINS=\"2:1;3:2\"\n");
	seed_text("conffile", "quoting",
		  "export VIRTIOFWD_SOCKET_DIR=\"/tmp/with \\\"quotes\\\" and \\\\\"\n"
		  "VIRTIOFWD_SOCKET_FNAME_PATTERN='vm%u.sock' # comment\n"
		  "VIRTIOFWD_FILE_PREFIX=a\\ b\\\n"
		  "c\n"
		  "VIRTIOFWD_LOG_LEVEL=\"7\\\n"
		  "\"\n");
	seed_text("conffile", "values",
		  "VIRTIOFWD_CPU_MASK=0x6\n"
		  "VIRTIOFWD_MASTER_LCORE=0\n"
		  "VIRTIOFWD_HUGEPAGES=no\n"
		  "VIRTIOFWD_MEMORY_MB=512\n"
		  "VIRTIOFWD_VFIO_VF_TOKEN=14d63f20-8445-11ea-8900-1f9ce7d5650d\n"
		  "VIRTIOFWD_SOCKET_OWNER=root\n"
		  "VIRTIOFWD_SOCKET_GROUP=\n"
		  "VIRTIOFWD_ZMQ_GROUP=root\n"
		  "VIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc:///tmp/vio-fuzz/core_sched\n"
		  "VIRTIOFWD_ZERO_COPY=true\n"
		  "VIRTIOFWD_IPC_PORT_CONTROL=1\n"
		  "VIRTIOFWD_TSO=yes\n");
	seed_text("conffile", "errors",
		  "VIRTIOFWD_CPU_MASK=$(nproc)\n"
		  "VIRTIOFWD_JUMBO=(true)\n"
		  "VIRTIOFWD_BOGUS=1\n");
	seed_text("conffile", "unterminated", "VIRTIOFWD_SOCKET_DIR=\"/tmp\nX=1\n");
	seed_text("conffile", "drivers",
		  "VIRTIOFWD_DYNAMIC_SOCKETS=true\n"
		  "VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS=\"net_tap, net_null\"\n");
}

/* ---- command line ------------------------------------------------------------------ */

static void cmdline_seeds(void)
{
	seed_text("cmdline", "cpus", "--cpus\n1,2\n-M\n0\n");
	seed_text("cmdline", "mask", "-C\n0x6\n--master-lcore=0\n--loglevel=7\n");
	seed_text("cmdline", "nodaemon", "--nodaemon=log_stderr\n-n\n--nodaemon=log_syslog\n");
	seed_text("cmdline", "dynamic",
		  "--dynamic-sockets\n--zmq-port-control-ep=ipc:///tmp/vio-fuzz/pc\n"
		  "--zmq-stats-ep\nipc:///tmp/vio-fuzz/stats\n--zmq-core-sched-ep=ipc:///tmp/vio-fuzz/cs\n");
	seed_text("cmdline", "static_vfs",
		  "-P\n0000:05:08.1=0\n--add-pci-vf=net_tap0,iface=vf0=1\n-c\n0:1\n--virtio-cpu=1:2,1\n");
	seed_text("cmdline", "memory", "--hugepages=no\n--memory=512\n--huge-dir=/mnt/huge\n");
	seed_text("cmdline", "sockets",
		  "--vhost-path=/tmp/vio-fuzz\n-S\nvm%u.sock\n-u\nroot\n-g\nroot\n-i\n--jumbo\n");
	seed_text("cmdline", "token", "--vfio-vf-token=0\n-t\nNone\n--enable-tso\n--enable-mrgbuf\n");
	seed_text("cmdline", "help", "-hv");
	seed_text("cmdline", "version", "--version\n");
	seed_text("cmdline", "legacy", "--ipc\n--same-numa\n--zero-copy\n-O\n/tmp/ovsdb.sock\n");
	{
		static const char nul[] = "--cpus=1\0--pid-dir\0/var/run\0-d";

		write_file("cmdline", "nul_separated", nul, sizeof(nul) - 1);
	}
	seed_text("cmdline", "unexpected", "-C\n1\nleftover\n");
}

/* ---- value parsers ----------------------------------------------------------------- */

static void parse_seeds(void)
{
	static const char *const seeds[][2] = {
		{"pci", "0000:05:08.1"},
		{"pci_short", "05:08.1"},
		{"pci_devargs", "0000:05:08.1,representor=[0-3]"},
		{"tap", "net_tap0,iface=vf0"},
		{"pcap_static", "net_pcap0,rx_pcap=/x.pcap=3"},
		{"pci_static", "0000:05:08.1=31"},
		{"cpus", "1,2"},
		{"cpu_ranges", "0-3,6,64-127"},
		{"cpu_mask", "0x6"},
		{"pin", "3:1"},
		{"pin_two", "3:1,2"},
		{"token", "14d63f20-8445-11ea-8900-1f9ce7d5650d"},
		{"pattern", "virtio-forwarder%u.sock"},
		{"pattern_percent", "vm%%%u"},
		{"bool", "Yes"},
		{"number", "4096"},
		{"null_args", "net_null0,size=64,copy=1"},
		{"af_packet", "net_af_packet1,iface=eth0,qpairs=2"},
		{"tap_remote", "net_tap0,iface=vf0,remote=eth0"},
		{"drivers", "net_tap, net_null\tnet_pcap"},
		{"utf8", "/tmp/vm\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80.sock"},
		{"utf8_bad", "\xc0\xaf\xed\xa0\x80\xf4\x90\x80\x80\xe2\x82"},
	};

	for (size_t i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++)
		seed_text("parse", seeds[i][0], seeds[i][1]);
}

/* ---- dictionaries ------------------------------------------------------------------ */

static FILE *dict_open(const char *harness)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/dict", top);
	mkdir_p(path);
	snprintf(path, sizeof(path), "%s/dict/%s.dict", top, harness);
	f = fopen(path, "w");
	if (!f)
		die("cannot write %s", path);
	fprintf(f, "# libFuzzer dictionary of fuzz_%s (written by tests/fuzz/gen_seeds.c)\n",
		harness);
	written++;
	return f;
}

/* One dictionary entry: printable ASCII with " and \ escaped. */
static void dict_word(FILE *f, const char *w)
{
	fputc('"', f);
	for (const char *p = w; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n' || (unsigned char)*p >= 0x80)
			fprintf(f, "\\x%02x", (unsigned char)*p);
		else
			fputc(*p, f);
	}
	fputs("\"\n", f);
}

static void dict_words(FILE *f, const char *const *words)
{
	for (; *words; words++)
		dict_word(f, *words);
}

static const char *const value_words[] = {
	"0000:05:08.1", "05:08.1", ":", ".", ",", "=", "-", "0x", "net_tap0", "iface=",
	"net_pcap0", "rx_pcap=", "/x.pcap", "%u", "%%", "true", "false", "none", "null",
	"14d63f20-8445-11ea-8900-1f9ce7d5650d", "ipc://", "tcp://", "/tmp/vio-fuzz",
	"auto", "yes", "no", "log_stderr", "log_syslog", "root", "127", "128", "4294967295",
	NULL,
};

static void dicts(void)
{
	static const char *const file_words[] = {
		"export ", "=(", ")", "\"", "'", "\\", "\\\n", "#", "$", "`", "\n", NULL,
	};
	static const char *const parse_words[] = {
		"representor=[0-3]", "=31", "0-127", "0xffffffffffffffffffffffffffffffff",
		"ffff:ff:1f.7", "net_null", "net_tap", "net_pcap", "net_af_packet", "net_ring",
		"net_vhost", "size=", "copy=", "no-rx", "mac=", "qpairs=", "rx_iface=",
		"tx_pcap=", "remote=", "path=", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
		"\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc0\xaf", NULL,
	};
	static const char *const ctl_words[] = {
		"/tmp/vm0.sock", "/tmp/vm1.sock", "/tmp/vm4.sock",
		"/tmp/vm5.sock", "net_tap0,iface=vf0", "net_tap0", "0000:05:08.2,foo=bar",
		"net_null0", "/tmp/", "..", NULL,
	};
	FILE *f;

	f = dict_open("conffile");
	for (size_t i = 0; i < vio_n_vars; i++)
		if (vio_vars[i].name)
			dict_word(f, vio_vars[i].name);
	dict_words(f, file_words);
	dict_words(f, value_words);
	fclose(f);

	f = dict_open("cmdline");
	for (size_t i = 0; i < vio_n_vars; i++) {
		char w[80];

		if (!vio_vars[i].opt_long)
			continue;
		snprintf(w, sizeof(w), "--%s", vio_vars[i].opt_long);
		dict_word(f, w);
		snprintf(w, sizeof(w), "--%s=", vio_vars[i].opt_long);
		dict_word(f, w);
		if (vio_vars[i].opt_short) {
			snprintf(w, sizeof(w), "-%c", vio_vars[i].opt_short);
			dict_word(f, w);
		}
	}
	dict_words(f, (const char *const[]){"--help", "--version", "-h", "-v", "--", "\n",
					    NULL});
	dict_words(f, value_words);
	fclose(f);

	f = dict_open("parse");
	dict_words(f, value_words);
	dict_words(f, parse_words);
	fclose(f);

	f = dict_open("ctl_port");
	dict_words(f, ctl_words);
	dict_words(f, value_words);
	fclose(f);
}

int main(int argc, char **argv)
{
	if (argc != 2)
		die("usage: %s <tests/fuzz directory>", argv[0]);
	top = argv[1];
	port_seeds();
	stats_seeds();
	sched_seeds();
	config_seeds();
	conffile_seeds();
	cmdline_seeds();
	parse_seeds();
	dicts();
	printf("gen_seeds: %u files written under %s\n", written, top);
	return 0;
}
