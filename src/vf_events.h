/* SPDX-License-Identifier: BSD-3-Clause */
/* Events of the VF ports: link state changes (logged, counted, shown in
 * stats), device removal and reset requests from the driver (handled on the
 * control path: the relay drops a removed VF, and reconfigures a VF that
 * asks for a reset).
 *
 * Threads: the ethdev callbacks run on the EAL interrupt thread.  They never
 * take the control lock (closing a port waits for its running callbacks);
 * removal and reset are deferred to an EAL alarm that takes the control lock
 * with trylock and retries later when it is busy.  Link state is also polled
 * from an alarm (not every driver raises link interrupts). */
#ifndef VIO_VF_EVENTS_H
#define VIO_VF_EVENTS_H

#include <stdbool.h>
#include <stdint.h>

enum vio_vf_event { VIO_VF_EV_REMOVED, VIO_VF_EV_RESET };

struct vio_vf_link {
	int state;          /* 1 up, 0 down, -1 unknown */
	uint32_t speed;     /* Mb/s, 0 when unknown */
	uint64_t changes;   /* link changes reported since the VF was attached */
};

/* What the control path does with the events, set once before link polling
 * starts (the relay table's, from vio_relays_init); both run with the
 * control lock held.
 *  event: a removed VF is dropped, one that asks for a reset is reset;
 *    -ENOENT when port is no longer relay_id's VF (the event is ignored),
 *    -EAGAIN to be called again 10 ms later.
 *  links_polled: after each link poll (bonds follow their members' links). */
struct vio_vf_event_handlers {
	int (*event)(unsigned relay_id, uint16_t port, enum vio_vf_event ev);
	void (*links_polled)(void);
};
void vio_vf_events_handlers(const struct vio_vf_event_handlers *h);

/* Link polling (for drivers without link interrupts), from startup to
 * shutdown; stop also drops event handling still pending. */
void vio_vf_events_start(void);
void vio_vf_events_stop(void);

/* [ctl] Watch port (served by relay_id) from now on; its link state starts as
 * "unknown".  Returns 0 or a negative errno (LSC could not be registered:
 * the relay works, link changes are then seen only when read). */
int vio_vf_events_register(uint16_t port, unsigned relay_id);
void vio_vf_events_unregister(uint16_t port);

/* [ctl] The port was started (true: its link is read and followed from now on)
 * or is being stopped (false: its link is unknown, not counted as a change). */
void vio_vf_link_watch(uint16_t port, bool live);

/* "up", "down" or "unknown" for a vio_vf_link state. */
const char *vio_vf_link_name(int state);

/* The last known link of the port. */
void vio_vf_link_get(uint16_t port, struct vio_vf_link *out);

/* Test hook (VIO_TEST_VF_EVENT=rmv|reset, SIGUSR2): deliver that event to
 * every watched port through the same path a driver's event takes. */
bool vio_vf_events_test_enabled(void);
void vio_vf_events_test_inject(void);

#endif
