/* SPDX-License-Identifier: BSD-3-Clause */
/* The control lock: one mutex serialising every change of control state
 * (the relay table, the workers' task lists, wake-up sources, VF events,
 * bonds): startup, shutdown, control requests, the vhost new_device and
 * destroy_device callbacks, the VF event alarms (trylock only) and the
 * housekeeping.  Workers never take it.  Lock order: docs/architecture.md.
 *
 * A function that needs the lock (tagged [ctl] in the headers) says so at
 * its entry with VIO_ASSERT_CTL_HELD(); one that must not be called with it
 * (it waits for librte_vhost's mutexes or callbacks) with
 * VIO_ASSERT_CTL_NOT_HELD().  Built with VIO_LOCK_CHECKS (meson defines it
 * for the debug and debugoptimized build types and for sanitizer builds), a
 * broken rule logs the function's name and aborts; otherwise the
 * assertions compile to nothing.
 */
#ifndef VIO_CTL_LOCK_H
#define VIO_CTL_LOCK_H

#include <stdbool.h>

void vio_ctl_lock(void);
void vio_ctl_unlock(void);
/* For the EAL interrupt thread, which must never wait for control. */
bool vio_ctl_trylock(void);
/* True in the thread holding the control lock. */
bool vio_ctl_held(void);

/* Report that func was called without the control lock, and abort. */
void vio_ctl_not_held(const char *func) __attribute__((noreturn));

/* Report that func was called with the control lock held where it must
 * not be (it waits for something that takes the lock), and abort. */
void vio_ctl_held_wrongly(const char *func) __attribute__((noreturn));

#ifdef VIO_LOCK_CHECKS
#define VIO_ASSERT_CTL_HELD()                                                                      \
	do {                                                                                       \
		if (!vio_ctl_held())                                                               \
			vio_ctl_not_held(__func__);                                                \
	} while (0)
#define VIO_ASSERT_CTL_NOT_HELD()                                                                  \
	do {                                                                                       \
		if (vio_ctl_held())                                                                \
			vio_ctl_held_wrongly(__func__);                                            \
	} while (0)
#else
#define VIO_ASSERT_CTL_HELD()                                                                      \
	do {                                                                                       \
	} while (0)
#define VIO_ASSERT_CTL_NOT_HELD()                                                                  \
	do {                                                                                       \
	} while (0)
#endif

#endif
