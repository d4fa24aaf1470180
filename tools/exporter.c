/* SPDX-License-Identifier: BSD-3-Clause */
/* virtioforwarder_exporter: the forwarder's counters for Prometheus
 * (docs/operation.md, "Prometheus metrics").
 *
 * A program of its own rather than an HTTP listener in the daemon: the root
 * datapath daemon gets no HTTP parser, and the exporter runs sandboxed and
 * restarts on its own.  It serves GET /metrics on a loopback address by
 * default; each scrape is one query of the daemon's stats service (and one
 * of its config service when that is enabled) through the control tools'
 * client, rendered by metrics.c.  When the daemon does not answer, the
 * scrape still succeeds with virtioforwarder_up 0.  One libmicrohttpd
 * thread serves every connection, so scrapes never query the daemon
 * concurrently. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "cli.h"
#include "client.h"
#include "config.h"
#include "listen_addr.h"
#include "metrics.h"
#include "vio_build_config.h"
#include "virtioforwarder.pb-c.h"

#define PROG "virtioforwarder_exporter"
#ifndef VIO_DPDK_VERSION
#define VIO_DPDK_VERSION "unknown"
#endif

#define EP_PATH_MAX 107      /* sun_path of an ipc:// endpoint, without its NUL */
/* Connections held at once, and how long an idle one is kept.  No limit
 * per address: on loopback every client, Prometheus included, is
 * 127.0.0.1. */
#define MAX_CONNECTIONS 64
#define IDLE_TIMEOUT_S 30

struct exporter {
	const char *stats_ep;
	const char *config_ep;   /* NULL: config service not queried */
	int timeout_ms;
	int up;                  /* last scrape's answer: -1 none yet, 0, 1 */
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: " PROG " [options]\n"
		"  --listen=ADDR:PORT  serve /metrics there (default " VIO_EXPORTER_DEFAULT_LISTEN
		"; IPv6: [ADDR]:PORT)\n"
		"  -f, --config=FILE   the forwarder's configuration, for the endpoints\n"
		"                      (default " VIO_SYSCONF_FILE ")\n"
		"  --stats-ep=EP       override VIRTIOFWD_ZMQ_STATS_EP\n"
		"  --config-ep=EP      override VIRTIOFWD_ZMQ_CONFIG_EP (empty: do not query it)\n"
		"  --timeout=MS        wait at most MS for each reply of the daemon (default %d)\n"
		"  -h, --help          this text\n"
		"  -V, --version       the version, and the DPDK it was built with\n"
		"exit: 0 stopped by SIGTERM or SIGINT, 1 cannot listen, 2 bad usage\n",
		VIO_REPLY_TIMEOUT_MS);
}

/* An endpoint the daemon can serve: ipc:// with an absolute path that fits
 * a unix socket address.  -1 after printing why. */
static int check_ep(const char *opt, const char *ep)
{
	const char *path = ep + strlen("ipc://");

	if (strncmp(ep, "ipc://", strlen("ipc://")) || path[0] != '/') {
		fprintf(stderr, PROG ": %s=%s: expected ipc:///ABSOLUTE/PATH (the daemon serves "
			"ipc endpoints only)\n", opt, ep);
		return -1;
	}
	if (strlen(path) > EP_PATH_MAX) {
		fprintf(stderr, PROG ": %s: the path is longer than %d bytes\n", opt, EP_PATH_MAX);
		return -1;
	}
	return 0;
}

/* One scrape: the daemon's replies rendered.  NULL when out of memory. */
static char *scrape(struct exporter *x, size_t *len)
{
	Virtioforwarder__StatsRequest sreq = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	Virtioforwarder__ConfigRequest creq = VIRTIOFORWARDER__CONFIG_REQUEST__INIT;
	struct vio_metrics_src src = {.version = VIO_VERSION, .dpdk_version = VIO_DPDK_VERSION};
	Virtioforwarder__StatsResponse *st;
	Virtioforwarder__ConfigResponse *cfg = NULL;
	char *text = NULL;
	int up;

	/* Every relay, counters only: rates are Prometheus' business. */
	sreq.has_include_inactive = 1;
	sreq.include_inactive = 1;
	sreq.has_delay = 1;
	sreq.delay = 0;
	/* Why a query failed is said once, when the forwarder stops answering
	 * (then the transition below): not at every scrape while it is down. */
	st = (Virtioforwarder__StatsResponse *)vio_call(
		x->up == 0 ? NULL : PROG, x->stats_ep, &sreq.base, &virtioforwarder__stats_response__descriptor,
		x->timeout_ms);
	up = st && st->status == VIRTIOFORWARDER__STATS_RESPONSE__STATUS__OK;
	if (st && !up)
		fprintf(stderr, PROG ": the stats service answered with status %d\n", st->status);
	if (up && x->config_ep)
		cfg = (Virtioforwarder__ConfigResponse *)vio_call(
			PROG, x->config_ep, &creq.base,
			&virtioforwarder__config_response__descriptor, x->timeout_ms);
	if (up != x->up)
		fprintf(stderr, PROG ": %s\n", up ? "the forwarder answers: virtioforwarder_up 1"
						  : "the forwarder does not answer: "
						    "virtioforwarder_up 0");
	x->up = up;
	src.stats = st;
	src.config = cfg;
	if (vio_metrics_render(&src, &text, len))
		text = NULL;
	if (st)
		protobuf_c_message_free_unpacked(&st->base, NULL);
	if (cfg)
		protobuf_c_message_free_unpacked(&cfg->base, NULL);
	return text;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type,
			     char *body, size_t len, bool owned, const char *allow)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(
		len, body, owned ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ret;

	if (!r) {
		if (owned)
			free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	if (allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

#define TEXT "text/plain; charset=utf-8"

/* A wrong path or method is answered on the request's first call, before
 * any body is read (libmicrohttpd then closes the connection).  A scrape is
 * answered on the second call, once the request is complete, so that the
 * connection stays open for the next one; a body sent with it is
 * discarded. */
static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_len, void **req_cls)
{
	static char not_found[] = "not found: " PROG " serves /metrics only\n";
	static char not_allowed[] = "method not allowed: /metrics takes GET (or HEAD)\n";
	static char no_memory[] = "out of memory\n";
	struct exporter *x = cls;
	char *text;
	size_t len;

	(void)version;
	(void)upload;
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, TEXT, not_found, strlen(not_found), false,
			     NULL);
	if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, TEXT, not_allowed,
			     strlen(not_allowed), false, "GET, HEAD");
	if (!*req_cls) {
		*req_cls = x;  /* any non-NULL marker: headers seen */
		return MHD_YES;
	}
	if (*upload_len) {
		*upload_len = 0;
		return MHD_YES;
	}
	text = scrape(x, &len);
	if (!text)
		return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, TEXT, no_memory,
			     strlen(no_memory), false, NULL);
	return reply(c, MHD_HTTP_OK, VIO_METRICS_CONTENT_TYPE, text, len, true, NULL);
}

int main(int argc, char **argv)
{
	static struct vio_config cfg;
	struct exporter x = {.timeout_ms = VIO_REPLY_TIMEOUT_MS, .up = -1};
	const char *listen = VIO_EXPORTER_DEFAULT_LISTEN, *conf = VIO_SYSCONF_FILE;
	const char *stats_ep = NULL, *config_ep = NULL;
	const struct vio_cli_opt opts[] = {
		{"listen", required_argument, 'l', &listen},
		{"config", required_argument, 'f', NULL},
		{"stats-ep", required_argument, 's', &stats_ep},
		{"config-ep", required_argument, 'c', &config_ep},
		{"timeout", required_argument, 't', NULL},
		{NULL, 0, 0, NULL},
	};
	const struct vio_cli cli = {.prog = PROG,
				    .usage = usage,
				    .shortopts = "f:",
				    .opts = opts,
				    .version = PROG " " VIO_VERSION " (DPDK " VIO_DPDK_VERSION ")",
				    .name_extra = true};
	bool conf_explicit = false;
	struct vio_listen_addr la;
	struct MHD_Daemon *d;
	char err[512];
	sigset_t sigs;
	long v;
	int c, sig;

	while ((c = vio_cli_next(&cli, argc, argv)) != -1) {
		switch (c) {
		case 'f':
			conf = optarg;
			conf_explicit = true;
			break;
		case 't':
			if (vio_parse_long(optarg, 100, 60000, &v)) {
				fprintf(stderr, PROG ": --timeout=%s: expected milliseconds from 100 "
					"to 60000\n", optarg);
				return VIO_EXIT_USAGE;
			}
			x.timeout_ms = (int)v;
			break;
		}
	}
	if (vio_parse_listen(listen, &la, err, sizeof(err))) {
		fprintf(stderr, PROG ": --listen=%s: %s\n", listen, err);
		return VIO_EXIT_USAGE;
	}

	/* The endpoints: options first, else the forwarder's file. */
	vio_config_defaults(&cfg, VIO_RELAYS_HARD_MAX);
	if ((!stats_ep || !config_ep) && (conf_explicit || access(conf, F_OK) == 0) &&
	    vio_config_load_file(&cfg, conf, err, sizeof(err))) {
		fprintf(stderr, PROG ": %s\n", err);
		return VIO_EXIT_USAGE;
	}
	x.stats_ep = stats_ep ? stats_ep : cfg.zmq_stats_ep;
	if (!x.stats_ep[0]) {
		fprintf(stderr, PROG ": no stats endpoint: set VIRTIOFWD_ZMQ_STATS_EP in %s or "
			"give --stats-ep\n", conf);
		return VIO_EXIT_USAGE;
	}
	x.config_ep = config_ep ? config_ep : cfg.zmq_config_ep;
	if (!x.config_ep[0])
		x.config_ep = NULL;
	if (check_ep("--stats-ep", x.stats_ep) ||
	    (x.config_ep && check_ep("--config-ep", x.config_ep)))
		return VIO_EXIT_USAGE;

	/* Signals are taken by sigwait in this thread only: blocked before the
	 * server's thread is created, which inherits the mask. */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	d = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
			     (la.ipv6 ? MHD_USE_IPv6 : 0),
			     0, NULL, NULL, handle, &x,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&la.sa,
			     MHD_OPTION_CONNECTION_LIMIT, (unsigned)MAX_CONNECTIONS,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)IDLE_TIMEOUT_S,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, PROG ": cannot serve on %s (see above: address in use, or not "
			"one of this host's?)\n", listen);
		return 1;
	}
	if (!la.loopback)
		fprintf(stderr, PROG ": warning: %s is not a loopback address: whoever reaches "
			"it reads the relay counters (no authentication)\n", listen);
	fprintf(stderr, PROG ": serving http://%s/metrics from %s%s%s\n", listen, x.stats_ep,
		x.config_ep ? " and " : "", x.config_ep ? x.config_ep : "");
	if (sigwait(&sigs, &sig))
		sig = SIGTERM;
	fprintf(stderr, PROG ": stopping (%s)\n", strsignal(sig));
	MHD_stop_daemon(d);
	return VIO_EXIT_OK;
}
