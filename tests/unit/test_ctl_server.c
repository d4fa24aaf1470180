/* SPDX-License-Identifier: BSD-3-Clause */
/* The control transport over real ipc sockets, with REQ clients as the old
 * tools use: bad frames get error replies, a stats window does not hold up
 * other services, the endpoint files are private, and stop cleans up. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <zmq.h>

#include "ctl_server.h"
#include "fake_backend.h"
#include "log.h"
#include "test_util.h"
#include "virtioforwarder.pb-c.h"

static char dir[64], ep_port[128], ep_stats[128];
static void *ctx;

static uint64_t ms_now(void)
{
	return vio_monotonic_ns() / 1000000;
}

static int setup(void **state)
{
	struct vio_ctl_endpoint eps[2];
	char err[300];

	fake_reset();
	fake.now_ns = 0; /* real clock */
	snprintf(dir, sizeof(dir), "/tmp/vio-ctl-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(ep_port, sizeof(ep_port), "ipc://%s/run/port_control", dir);
	snprintf(ep_stats, sizeof(ep_stats), "ipc://%s/run/stats", dir);
	eps[0] = (struct vio_ctl_endpoint){&vio_ctl_port_service, ep_port, "PORT_EP"};
	eps[1] = (struct vio_ctl_endpoint){&vio_ctl_stats_service, ep_stats, "STATS_EP"};
	if (vio_ctl_server_start(eps, 2, "", &fake_backend, NULL, err, sizeof(err)))
		fail_msg("start: %s", err);
	ctx = zmq_ctx_new();
	return 0;
}

static int teardown(void **state)
{
	char path[160];

	zmq_ctx_term(ctx);
	vio_ctl_server_stop();
	snprintf(path, sizeof(path), "%s/run/port_control", dir);
	assert_int_equal(access(path, F_OK), -1); /* removed at stop */
	snprintf(path, sizeof(path), "%s/run", dir);
	rmdir(path);
	rmdir(dir);
	return 0;
}

static void *client(const char *ep)
{
	void *s = zmq_socket(ctx, ZMQ_REQ);
	int zero = 0, timeout = 3000;

	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	assert_int_equal(zmq_connect(s, ep), 0);
	return s;
}

static Virtioforwarder__PortControlResponse *port_reply(void *s)
{
	uint8_t buf[4096];
	int n = zmq_recv(s, buf, sizeof(buf), 0);
	Virtioforwarder__PortControlResponse *r;

	assert_true(n >= 0);
	r = virtioforwarder__port_control_response__unpack(NULL, (size_t)n, buf);
	assert_non_null(r);
	return r;
}

static void expect_port_error(void *s, const char *text)
{
	Virtioforwarder__PortControlResponse *r = port_reply(s);

	assert_int_equal(r->status, VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR);
	assert_contains(r->error_code_source, text);
	protobuf_c_message_free_unpacked(&r->base, NULL);
}

static void test_private_endpoints(void **state)
{
	char path[160];
	struct stat st;

	snprintf(path, sizeof(path), "%s/run", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	snprintf(path, sizeof(path), "%s/run/stats", dir);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
}

static void test_bad_frames_get_replies(void **state)
{
	void *s = client(ep_port);
	static const uint8_t garbage[] = "\xff\xfe garbage";
	size_t big = 100000;
	char *huge = calloc(1, big);

	assert_int_equal(zmq_send(s, garbage, sizeof(garbage), 0), (int)sizeof(garbage));
	expect_port_error(s, "not a PortControlRequest");
	assert_true(zmq_send(s, huge, big, 0) >= 0);
	expect_port_error(s, "request of 100000 bytes is larger than 65536");
	assert_true(zmq_send(s, "\x08\x04", 2, ZMQ_SNDMORE) >= 0);
	assert_true(zmq_send(s, "\x08\x04", 2, 0) >= 0);
	expect_port_error(s, "expected one frame per request, got 2");
	assert_true(zmq_send(s, "", 0, 0) >= 0); /* empty: op missing */
	expect_port_error(s, "not a PortControlRequest");
	free(huge);
	zmq_close(s);
}

static void test_window_does_not_block(void **state)
{
	Virtioforwarder__StatsRequest sreq = VIRTIOFORWARDER__STATS_REQUEST__INIT;
	Virtioforwarder__PortControlRequest preq = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__INIT;
	void *a = client(ep_stats), *b = client(ep_stats), *p = client(ep_port);
	uint8_t buf[8192];
	uint64_t t0 = ms_now(), t_b, t_p, t_a;
	Virtioforwarder__StatsResponse *r;
	int n;

	sreq.has_delay = 1;
	sreq.delay = 800;
	n = (int)virtioforwarder__stats_request__pack(&sreq, buf);
	assert_int_equal(zmq_send(a, buf, (size_t)n, 0), n);
	/* another stats client, with no window, and another service */
	sreq.delay = 0;
	n = (int)virtioforwarder__stats_request__pack(&sreq, buf);
	assert_int_equal(zmq_send(b, buf, (size_t)n, 0), n);
	preq.op = VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI;
	preq.vhost_path = "/nonexistent.sock";
	n = (int)virtioforwarder__port_control_request__pack(&preq, buf);
	assert_int_equal(zmq_send(p, buf, (size_t)n, 0), n);

	n = zmq_recv(b, buf, sizeof(buf), 0);
	t_b = ms_now() - t0;
	assert_true(n >= 0);
	r = virtioforwarder__stats_response__unpack(NULL, (size_t)n, buf);
	assert_non_null(r);
	assert_int_equal(r->n_relay, FAKE_RELAYS);
	protobuf_c_message_free_unpacked(&r->base, NULL);
	expect_port_error(p, "no relay has socket /nonexistent.sock");
	t_p = ms_now() - t0;
	n = zmq_recv(a, buf, sizeof(buf), 0);
	t_a = ms_now() - t0;
	assert_true(n >= 0);
	print_message("replies after: other stats client %lu ms, port_control %lu ms, "
		      "800 ms window %lu ms\n", (unsigned long)t_b, (unsigned long)t_p,
		      (unsigned long)t_a);
	assert_true(t_b < 400 && t_p < 400);
	assert_true(t_a >= 800 && t_a < 2000);
	zmq_close(a);
	zmq_close(b);
	zmq_close(p);
}

static void test_start_errors(void **state)
{
	struct vio_ctl_endpoint eps[2];
	char err[300], ep[160];

	/* setup's server is running: a second one on another path works, a
	 * duplicate endpoint and a file in the way do not */
	vio_ctl_server_stop();
	snprintf(ep, sizeof(ep), "ipc://%s/run/x", dir);
	eps[0] = (struct vio_ctl_endpoint){&vio_ctl_port_service, ep, "A_EP"};
	eps[1] = (struct vio_ctl_endpoint){&vio_ctl_stats_service, ep, "B_EP"};
	assert_int_equal(vio_ctl_server_start(eps, 2, "", &fake_backend, NULL, err, sizeof(err)),
			 -1);
	assert_contains(err, "B_EP=");
	assert_contains(err, "also used by A_EP");
	snprintf(ep, sizeof(ep), "%s/run/file", dir);
	fclose(fopen(ep, "w"));
	snprintf(ep, sizeof(ep), "ipc://%s/run/file/x", dir);
	assert_int_equal(vio_ctl_server_start(eps, 1, "", &fake_backend, NULL, err, sizeof(err)),
			 -1);
	assert_contains(err, "A_EP=");
	assert_contains(err, "/run/file is not a directory");
	snprintf(ep, sizeof(ep), "%s/run/file", dir);
	unlink(ep);
	assert_int_equal(vio_ctl_server_start(eps, 1, "no-such-group-vio", &fake_backend, NULL,
					      err, sizeof(err)), -1);
	assert_contains(err, "no such group");
	zmq_ctx_term(ctx);
	setup(state); /* for teardown (a new client context too) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_private_endpoints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_frames_get_replies, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_does_not_block, setup, teardown),
		cmocka_unit_test_setup_teardown(test_start_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
