/* SPDX-License-Identifier: BSD-3-Clause */
/* What the control tools share: one request/reply exchange with a daemon
 * service, command-line helpers, and the exit codes.
 *
 * Exit codes of every tool: 0 success, 1 the daemon replied with an error,
 * 2 bad usage, 3 no reply (daemon not running, endpoint wrong, timeout). */
#ifndef VIO_TOOL_CLIENT_H
#define VIO_TOOL_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include <protobuf-c/protobuf-c.h>

enum { VIO_EXIT_OK = 0, VIO_EXIT_ERROR_REPLY = 1, VIO_EXIT_USAGE = 2, VIO_EXIT_NO_REPLY = 3 };

#define VIO_DEFAULT_EP_DIR "ipc:///var/run/virtio-forwarder/"
#define VIO_REPLY_TIMEOUT_MS 2000   /* VIO_TOOL_TIMEOUT_MS in the environment raises it */

/* Send msg to endpoint ep and wait up to timeout_ms for the reply, which is
 * unpacked with desc.  Returns the reply (free with
 * protobuf_c_message_free_unpacked) or NULL after printing why to stderr
 * (prog: the tool's name; NULL: quiet, for a caller that reports on its
 * own). */
ProtobufCMessage *vio_call(const char *prog, const char *ep, const ProtobufCMessage *msg,
			   const ProtobufCMessageDescriptor *desc, int timeout_ms);

/* Parse a whole decimal number in [min, max]; -1 on error. */
int vio_parse_long(const char *s, long min, long max, long *out);

#endif
