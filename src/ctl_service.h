/* SPDX-License-Identifier: BSD-3-Clause */
/* A control service turns one request frame into one reply frame.
 *
 * The transport (ctl_server.c) owns the ZeroMQ sockets and calls a service's
 * handle() for every request, from the control thread.  A service may defer
 * its reply (stats with a measuring window): handle() then returns
 * VIO_CTL_DEFERRED with a token and a due time, and the transport calls
 * finish(token) once that time has come, serving other requests meanwhile
 * (finish with a NULL reply only releases the token, at shutdown).
 * A frame the transport cannot hand over (several parts, oversized) gets
 * reject(), so every request has exactly one reply.
 */
#ifndef VIO_CTL_SERVICE_H
#define VIO_CTL_SERVICE_H

#include <stddef.h>
#include <stdint.h>

#include "ctl_backend.h"

/* Largest request a service reads; larger frames are answered with an error
 * without being decoded. */
#define VIO_CTL_MAX_REQUEST 65536

struct vio_ctl_reply {
	uint8_t *data;      /* malloc'ed serialized reply, NULL when it could not be built */
	size_t len;
};

enum { VIO_CTL_DONE = 0, VIO_CTL_DEFERRED = 1 };

struct vio_ctl_service {
	const char *name;
	int (*handle)(const struct vio_ctl_backend *be, const uint8_t *req, size_t len,
		      struct vio_ctl_reply *reply, void **token, uint64_t *due_ns);
	void (*finish)(const struct vio_ctl_backend *be, void *token, struct vio_ctl_reply *reply);
	void (*reject)(const char *why, struct vio_ctl_reply *reply);
	/* Called about every VIO_CTL_TICK_MS (background sampling), may be NULL. */
	void (*tick)(const struct vio_ctl_backend *be);
};

#define VIO_CTL_TICK_MS 500

extern const struct vio_ctl_service vio_ctl_port_service;
extern const struct vio_ctl_service vio_ctl_stats_service;
extern const struct vio_ctl_service vio_ctl_core_sched_service;
extern const struct vio_ctl_service vio_ctl_config_service;

/* For the services (ctl_service.c): serialize msg into reply (reply->data
 * NULL on allocation failure). */
struct ProtobufCMessage;
void vio_ctl_pack(const struct ProtobufCMessage *msg, struct vio_ctl_reply *reply);

/* A refusal: a response of the service's type with status (its error
 * status) and, where the type has them (port_control, core_sched),
 * error_code = code (a positive errno) and error_code_source = "<op>: <why>",
 * or "<module>: <why>" when op is NULL, made valid UTF-8 (why may quote
 * request bytes).  Logged as "<module>: request refused: [<op>: ]<why>", at
 * most one such message a second over all services. */
struct ProtobufCMessageDescriptor;
void vio_ctl_reply_error(struct vio_ctl_reply *reply, const struct ProtobufCMessageDescriptor *type,
			 int status, int code, const char *module, const char *op, const char *why);

#endif
