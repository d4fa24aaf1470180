/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared by relay.c (the relay table, VF side, lifecycle) and relay_sock.c
 * (the vhost-user side); not for other modules: they use relay.h. */
#ifndef VIO_RELAY_PRIV_H
#define VIO_RELAY_PRIV_H

#include <stddef.h>

struct vio_relay;

/* [ctl] Before the relay gains its socket or VF: a slot taken anew starts
 * with zero counters. */
void vio_relay_reset_stats_if_new(struct vio_relay *r);
/* "relay id N is out of range (0-M)": -ERANGE. */
int vio_relay_out_of_range(unsigned id, char *err, size_t errlen);

#endif
