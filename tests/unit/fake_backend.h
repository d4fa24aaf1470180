/* SPDX-License-Identifier: BSD-3-Clause */
/* A fake relay table behind the control services (ctl_backend.h), for the
 * service unit tests: operations act on plain arrays and can be made to
 * fail; the clock is set by the test. */
#ifndef VIO_FAKE_BACKEND_H
#define VIO_FAKE_BACKEND_H

#include "ctl_backend.h"

#define FAKE_RELAYS 8

struct fake_state {
	struct vio_ctl_relay relays[FAKE_RELAYS];
	unsigned workers[4];
	unsigned n_workers;
	struct vio_worker_stats wstats[4]; /* cycle accounting of workers[i] */
	int fail_add_socket;       /* errno returned by add_socket, 0 = succeed */
	unsigned calls_add_vf, calls_add_bond, calls_remove_vf, calls_add_socket, calls_remove_socket;
	unsigned calls_move;
	uint64_t now_ns;           /* 0: the real monotonic clock */
};

extern struct fake_state fake;
extern struct vio_ctl_backend fake_backend;

/* Empty table, workers 1 and 3, clock at 1 s, static sockets. */
void fake_reset(void);

/* Serialize msg, run it through service, unpack the reply with desc. */
struct ProtobufCMessage;
struct ProtobufCMessageDescriptor;
struct vio_ctl_service;
struct ProtobufCMessage *fake_call(const struct vio_ctl_service *svc,
				   const struct ProtobufCMessage *msg,
				   const struct ProtobufCMessageDescriptor *desc);
struct ProtobufCMessage *fake_call_raw(const struct vio_ctl_service *svc, const void *req,
				       size_t len, const struct ProtobufCMessageDescriptor *desc);

#endif
