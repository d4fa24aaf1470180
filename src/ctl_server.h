/* SPDX-License-Identifier: BSD-3-Clause */
/* The control transport: one thread serving every enabled control service
 * on its own ZeroMQ ipc endpoint.
 *
 * Each endpoint is a ROUTER socket, which speaks to the old tools' REQ
 * sockets exactly as a REP socket would, but lets a reply wait (stats with a
 * measuring window) while other requests are served.  The thread never
 * blocks on a client: replies are sent without waiting, to clients that may
 * have gone.
 *
 * Access: the endpoint's directory is created when missing (mode 0750 with
 * the configured group, 0700 without), and each socket file is made 0660
 * root:group (0600 without a group) before anyone can connect, so only
 * root and that group reach the services.
 */
#ifndef VIO_CTL_SERVER_H
#define VIO_CTL_SERVER_H

#include <sched.h>
#include <stddef.h>

#include "ctl_backend.h"
#include "ctl_service.h"

struct vio_ctl_endpoint {
	const struct vio_ctl_service *service;
	const char *endpoint;              /* "ipc:///absolute/path" */
	const char *variable;              /* for error messages */
};

/* Bind every endpoint and start the thread.  group: "" for root only.
 * affinity: CPUs the thread may run on (NULL: inherit).  0, or -1 with a
 * message in err and nothing left behind. */
int vio_ctl_server_start(const struct vio_ctl_endpoint *eps, unsigned n, const char *group,
			 const struct vio_ctl_backend *be, const cpu_set_t *affinity, char *err,
			 size_t errlen);

/* 0 when "ipc://PATH" can be bound: nothing at PATH or a stale socket;
 * -1 with the reason when a process serves it or something else is there
 * (libzmq would remove it). */
int vio_ctl_endpoint_free(const char *endpoint, char *err, size_t errlen);

/* Stop the thread, close the sockets, remove their files. */
void vio_ctl_server_stop(void);

#endif
