/* The vhost-user side: socket registration (server or client mode), the
 * features offered to guests, and the device callbacks. */
#ifndef VIO_VHOST_H
#define VIO_VHOST_H

#include <stddef.h>

#include "config.h"

int vio_vhost_init(const struct vio_config *cfg);

/* Register and start the socket at path (server mode: create it and set its
 * owner; client mode: connect, reconnecting for ever).  Must NOT be called
 * with the control lock held: it takes librte_vhost's mutexes, and the
 * callbacks it may run (new_connection, new_device) take our locks. */
int vio_vhost_register(const char *path, char *err, size_t errlen);

/* Make sure VIRTIOFWD_SOCKET_DIR exists.  A missing one is created
 * root-owned, reachable by the socket group only (and writable by it in
 * client mode, where QEMU creates the sockets); an existing one that other
 * users can write is used with a warning (see docs/guests.md). */
int vio_vhost_socket_dir(char *err, size_t errlen);

/* Unregister path; tears down a running device through destroy_device.
 * Must NOT be called with the control lock held. */
int vio_vhost_unregister(const char *path);

#endif
