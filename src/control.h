/* SPDX-License-Identifier: BSD-3-Clause */
/* The daemon's control plane: the relay table behind the ZeroMQ services
 * (port_control, stats, core_sched, config; docs/control.md). */
#ifndef VIO_CONTROL_H
#define VIO_CONTROL_H

#include <stddef.h>

#include "config.h"
#include "ctl_backend.h"

/* Before anything else starts: every enabled endpoint can be bound (no
 * other daemon serves it).  0, or -EADDRINUSE with err. */
int vio_control_check(const struct vio_config *cfg, char *err, size_t errlen);
/* Start the services whose endpoints cfg enables.  0, or -1 with err. */
int vio_control_start(const struct vio_config *cfg, char *err, size_t errlen);
void vio_control_stop(void);

/* One relay as the control services see it (the backend's relay call):
 * copied under the control lock.  0, or -ERANGE for an id out of range.
 * Takes the lock: not with it held. */
int vio_control_relay(unsigned id, struct vio_ctl_relay *out);

#endif
