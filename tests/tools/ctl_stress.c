/* SPDX-License-Identifier: BSD-3-Clause */
/* Test helper: load a control endpoint the way a faulty or hostile client
 * would.
 *
 *   ctl_stress churn EP SECONDS DIR N
 *       add_sock DIR/churn<j>.sock (device net_null<40+j>) then remove_sock it,
 *       for j in 0..N-1, over and over for SECONDS.  Every request must be
 *       answered within 8 s.  Prints "churn: C cycles, E errors in S s".
 *   ctl_stress clients EP N SECONDS
 *       N idle clients connected to EP for SECONDS (raises its own
 *       descriptor limit first).  Prints "clients: N connected".
 *   ctl_stress flood EP CLIENTS BYTES SECONDS
 *       CLIENTS clients send frames of BYTES bytes as fast as they can,
 *       never reading a reply, for SECONDS.  Prints the frames sent.
 *
 * Exit: 0 done, 2 usage, 3 a request got no reply (churn), 1 other errors.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "virtioforwarder.pb-c.h"

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One request, one reply (or none within 8 s): 1 OK, 0 error reply, -1 none. */
static int call(void *ctx, const char *ep, const Virtioforwarder__PortControlRequest *req)
{
	int timeout = 8000, zero = 0, n, rc = -1;
	void *s = zmq_socket(ctx, ZMQ_REQ);
	uint8_t buf[1024], reply[4096];
	size_t len = protobuf_c_message_pack(&req->base, buf);

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	if (zmq_connect(s, ep) == 0 && zmq_send(s, buf, len, 0) >= 0) {
		n = zmq_recv(s, reply, sizeof(reply), 0);
		if (n >= 0) {
			Virtioforwarder__PortControlResponse *r =
				virtioforwarder__port_control_response__unpack(NULL, (size_t)n,
									       reply);

			rc = r && r->status ==
					  VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK;
			if (r)
				virtioforwarder__port_control_response__free_unpacked(r, NULL);
		}
	}
	zmq_close(s);
	return rc;
}

static int churn(const char *ep, double secs, const char *dir, unsigned n)
{
	void *ctx = zmq_ctx_new();
	double start = now_s();
	unsigned long cycles = 0, errors = 0;
	char path[256], dev[64], *devs[1] = {dev};

	while (now_s() - start < secs) {
		for (unsigned j = 0; j < n; j++) {
			Virtioforwarder__PortControlRequest req =
				VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
			int a, b;

			snprintf(path, sizeof(path), "%s/churn%u.sock", dir, j);
			snprintf(dev, sizeof(dev), "net_null%u", 40 + j);
			req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK;
			req.vhost_path = path;
			req.n_device = 1;
			req.device = devs;
			a = call(ctx, ep, &req);
			req.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK;
			req.n_device = 0;
			b = a < 0 ? -1 : call(ctx, ep, &req);
			if (a < 0 || b < 0) {
				printf("churn: NO REPLY after %lu cycles, %.1f s\n", cycles,
				       now_s() - start);
				fflush(stdout);
				_exit(3); /* zmq_ctx_term would wait for the lost request */
			}
			errors += (a == 0) + (b == 0);
			cycles++;
		}
	}
	printf("churn: %lu cycles, %lu errors in %.0f s\n", cycles, errors, now_s() - start);
	zmq_ctx_term(ctx);
	return 0;
}

static void raise_fd_limit(unsigned want)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
		rl.rlim_cur = want < rl.rlim_max ? want : rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static int clients(const char *ep, unsigned n, double secs)
{
	void *ctx = zmq_ctx_new();
	void **socks = calloc(n, sizeof(*socks));
	int zero = 0;
	unsigned ok = 0;

	raise_fd_limit(2 * n + 64);
	zmq_ctx_set(ctx, ZMQ_MAX_SOCKETS, (int)n + 16);
	for (unsigned i = 0; i < n; i++) {
		socks[i] = zmq_socket(ctx, ZMQ_DEALER);
		if (!socks[i]) {
			fprintf(stderr, "clients: socket %u: %s\n", i, zmq_strerror(errno));
			break;
		}
		zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof(zero));
		if (zmq_connect(socks[i], ep) == 0)
			ok++;
	}
	printf("clients: %u connected\n", ok);
	fflush(stdout);
	usleep((useconds_t)(secs * 1e6));
	for (unsigned i = 0; i < n; i++)
		if (socks[i])
			zmq_close(socks[i]);
	zmq_ctx_term(ctx);
	free(socks);
	return 0;
}

static int flood(const char *ep, unsigned n, size_t bytes, double secs)
{
	void *ctx = zmq_ctx_new();
	void **socks = calloc(n, sizeof(*socks));
	char *big = malloc(bytes);
	double start = now_s();
	unsigned long sent = 0;
	int zero = 0, timeout = 100;

	memset(big, 0xff, bytes);
	for (unsigned i = 0; i < n; i++) {
		socks[i] = zmq_socket(ctx, ZMQ_DEALER);
		zmq_setsockopt(socks[i], ZMQ_LINGER, &zero, sizeof(zero));
		zmq_setsockopt(socks[i], ZMQ_SNDHWM, &zero, sizeof(zero)); /* no limit here */
		zmq_setsockopt(socks[i], ZMQ_SNDTIMEO, &timeout, sizeof(timeout));
		zmq_connect(socks[i], ep);
	}
	while (now_s() - start < secs) {
		for (unsigned i = 0; i < n; i++) {
			if (zmq_send(socks[i], "", 0, ZMQ_SNDMORE) >= 0 &&
			    zmq_send(socks[i], big, bytes, 0) >= 0)
				sent++;
		}
	}
	printf("flood: %lu frames of %zu bytes sent by %u clients in %.0f s\n", sent, bytes, n,
	       secs);
	fflush(stdout);
	for (unsigned i = 0; i < n; i++)
		zmq_close(socks[i]);
	zmq_ctx_term(ctx);
	free(socks);
	free(big);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "churn"))
		return churn(argv[2], atof(argv[3]), argv[4], (unsigned)atoi(argv[5]));
	if (argc == 5 && !strcmp(argv[1], "clients"))
		return clients(argv[2], (unsigned)atoi(argv[3]), atof(argv[4]));
	if (argc == 6 && !strcmp(argv[1], "flood"))
		return flood(argv[2], (unsigned)atoi(argv[3]), (size_t)atol(argv[4]),
			     atof(argv[5]));
	fprintf(stderr, "usage: ctl_stress churn EP SECONDS DIR N | clients EP N SECONDS | "
		"flood EP CLIENTS BYTES SECONDS\n");
	return 2;
}
