/* SPDX-License-Identifier: BSD-3-Clause */
/* The vhost-user side: socket registration (server or client mode), the
 * features offered to guests, and the device callbacks. */
#ifndef VIO_VHOST_H
#define VIO_VHOST_H

#include <stddef.h>

#include "config.h"

/* The features offered, the sockets' owner and group (a missing user or
 * group is logged: the sockets keep the daemon's). */
void vio_vhost_init(const struct vio_config *cfg);

/* Register and start the socket at path (server mode: create it and set its
 * owner; client mode: connect, reconnecting for ever): 0 or a negative
 * errno with a message in err.  Must NOT be called with the control lock
 * held (asserted): it takes librte_vhost's mutexes, and the callbacks it
 * may run (new_connection, new_device) take our locks. */
int vio_vhost_register(const char *path, char *err, size_t errlen);

/* Make sure VIRTIOFWD_SOCKET_DIR exists (0, or a negative errno with a
 * message in err).  A missing one is created
 * root-owned, reachable by the socket group only (and writable by it in
 * client mode, where QEMU creates the sockets); an existing one that other
 * users can write is used with a warning (see docs/guests.md). */
int vio_vhost_socket_dir(char *err, size_t errlen);

/* Unregister path; tears down a running device through destroy_device.
 * 0 or -EIO.  Must NOT be called with the control lock held (asserted). */
int vio_vhost_unregister(const char *path);

#endif
