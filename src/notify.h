/* SPDX-License-Identifier: BSD-3-Clause */
/* Idle workers sleep instead of polling: a direction registers the file
 * descriptors that signal new input (the guest's kick eventfds for VM->VF,
 * the VF's RX interrupt for VF->VM) with its worker's epoll instance, and the
 * worker arms them before it blocks.
 *
 * Threading: register/unregister run on the control thread while the
 * direction is off every task list (before listing / after the grace
 * period); arm/disarm run on the worker serving the direction.
 */
#ifndef VIO_NOTIFY_H
#define VIO_NOTIFY_H

#include <stdbool.h>

struct vio_relay_dir;

/* [ctl] Register d's wake-up sources with epfd; sets d's can_sleep when every
 * source of d can wake the worker.  Never fails: a direction that cannot be
 * woken is simply polled with timed sleeps. */
void vio_notify_register(struct vio_relay_dir *d, int epfd);
/* [ctl] Remove them again and leave notifications off. */
void vio_notify_unregister(struct vio_relay_dir *d);

/* [worker] Ask for wake-ups (guest kicks, RX interrupts) / stop asking. */
void vio_notify_arm(struct vio_relay_dir *d);
void vio_notify_disarm(struct vio_relay_dir *d);

#endif
