/* SPDX-License-Identifier: BSD-3-Clause */
/* One request/reply exchange with a daemon service: see client.h. */
#include "client.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

/* fprintf, or nothing for a quiet call (f NULL). */
static void __attribute__((format(printf, 2, 3))) say(FILE *f, const char *fmt, ...)
{
	va_list ap;

	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
}

ProtobufCMessage *vio_call(const char *prog, const char *ep, const ProtobufCMessage *msg,
			   const ProtobufCMessageDescriptor *desc, int timeout_ms)
{
	ProtobufCMessage *reply = NULL;
	void *ctx = zmq_ctx_new(), *sock = NULL;
	size_t len = protobuf_c_message_get_packed_size(msg);
	uint8_t *buf = malloc(len ? len : 1);
	const char *env = getenv("VIO_TOOL_TIMEOUT_MS");
	int zero = 0, n;
	zmq_msg_t in;
	FILE *errf = prog ? stderr : NULL;

	/* A slow host (sanitizer builds, loaded CI) may need longer than the
	 * default: the environment raises it for every tool. */
	if (env && atoi(env) > timeout_ms)
		timeout_ms = atoi(env);
	if (!ctx || !buf || !(sock = zmq_socket(ctx, ZMQ_REQ))) {
		say(errf, "%s: cannot set up ZeroMQ: %s\n", prog, zmq_strerror(errno));
		goto out;
	}
	zmq_setsockopt(sock, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(sock, ZMQ_RCVTIMEO, &timeout_ms, sizeof(timeout_ms));
	zmq_setsockopt(sock, ZMQ_SNDTIMEO, &timeout_ms, sizeof(timeout_ms));
	if (zmq_connect(sock, ep)) {
		say(errf, "%s: cannot connect to %s: %s\n", prog, ep, zmq_strerror(errno));
		goto out;
	}
	protobuf_c_message_pack(msg, buf);
	if (zmq_send(sock, buf, len, 0) < 0) {
		say(errf, "%s: cannot send to %s: %s\n", prog, ep, zmq_strerror(errno));
		goto out;
	}
	zmq_msg_init(&in);
	n = zmq_msg_recv(&in, sock, 0);
	if (n < 0) {
		if (errno == EAGAIN)
			say(errf, "%s: no reply from %s within %d ms (is virtio-forwarder "
				"running with this endpoint enabled?)\n", prog, ep, timeout_ms);
		else
			say(errf, "%s: receiving from %s: %s\n", prog, ep,
				zmq_strerror(errno));
	} else {
		reply = protobuf_c_message_unpack(desc, NULL, zmq_msg_size(&in),
						  zmq_msg_data(&in));
		if (!reply)
			say(errf, "%s: the reply from %s is not a %s\n", prog, ep,
				desc->name);
	}
	zmq_msg_close(&in);
out:
	if (sock)
		zmq_close(sock);
	if (ctx)
		zmq_ctx_term(ctx);
	free(buf);
	return reply;
}

int vio_parse_long(const char *s, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
