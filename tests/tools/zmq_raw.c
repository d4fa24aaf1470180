/* SPDX-License-Identifier: BSD-3-Clause */
/* Test helper: send one raw frame (hex, or "@N" for N bytes of 0xff) to a
 * control endpoint as a REQ client and print the reply decoded as TYPE
 * (port, stats, sched, config) in protobuf text format.
 * Exit: 0 a reply that decodes, 1 a reply that does not, 3 no reply. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "pb_text.h"
#include "virtioforwarder.pb-c.h"

int main(int argc, char **argv)
{
	const ProtobufCMessageDescriptor *desc;
	unsigned char *buf, reply[1 << 16];
	size_t len = 0;
	int timeout = 3000, zero = 0, n;
	ProtobufCMessage *m;
	void *ctx, *s;

	if (argc != 4) {
		fprintf(stderr, "usage: zmq_raw EP {port,stats,sched,config} HEX|@N\n");
		return 2;
	}
	desc = !strcmp(argv[2], "port")    ? &virtioforwarder__port_control_response__descriptor
	     : !strcmp(argv[2], "stats")   ? &virtioforwarder__stats_response__descriptor
	     : !strcmp(argv[2], "sched")   ? &virtioforwarder__core_sched_response__descriptor
					   : &virtioforwarder__config_response__descriptor;
	if (argv[3][0] == '@') {
		len = strtoul(argv[3] + 1, NULL, 10);
		buf = malloc(len + 1);
		memset(buf, 0xff, len);
	} else {
		buf = malloc(strlen(argv[3]) / 2 + 1);
		for (const char *p = argv[3]; p[0] && p[1]; p += 2) {
			unsigned v;

			sscanf(p, "%2x", &v);
			buf[len++] = (unsigned char)v;
		}
	}
	ctx = zmq_ctx_new();
	s = zmq_socket(ctx, ZMQ_REQ);
	zmq_setsockopt(s, ZMQ_LINGER, &zero, sizeof(zero));
	zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof(timeout));
	if (zmq_connect(s, argv[1]) || zmq_send(s, buf, len, 0) < 0)
		return 3;
	n = zmq_recv(s, reply, sizeof(reply), 0);
	if (n < 0) {
		fprintf(stderr, "no reply\n");
		return 3;
	}
	m = protobuf_c_message_unpack(desc, NULL, (size_t)n, reply);
	if (!m) {
		fprintf(stderr, "reply of %d bytes does not decode\n", n);
		return 1;
	}
	vio_pb_print(stdout, m);
	protobuf_c_message_free_unpacked(m, NULL);
	zmq_close(s);
	zmq_ctx_term(ctx);
	free(buf);
	return 0;
}
