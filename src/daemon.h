/* SPDX-License-Identifier: BSD-3-Clause */
/* Process plumbing: daemonising with a readiness report to the parent, the
 * pid file, and signals (handled synchronously by the main thread). */
#ifndef VIO_DAEMON_H
#define VIO_DAEMON_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Exit statuses: 0 stopped cleanly (or --help, --version); 1 startup
 * failed (a device, an endpoint, another daemon); 2 a bad option or
 * configuration, or one this host cannot satisfy (CPUs, memory): the unit
 * does not restart on 2 (RestartPreventExitStatus), where retrying cannot
 * help. */
#define VIO_EXIT_FAILURE 1
#define VIO_EXIT_CONFIG 2

/* Block the signals the main thread waits for (SIGUSR2 too with usr2), and
 * the input signals (for the workers to unblock); call before any thread is
 * created so that every thread inherits the mask. */
void vio_signals_block(sigset_t *set, bool usr2);

/* Fork into the background.  Returns in the child with *ready_fd set; the
 * parent waits for vio_daemon_ready() and exits with the child's verdict. */
int vio_daemonize(int *ready_fd);

/* SIGIO and the real-time signals: what PMDs such as net_tap raise on input. */
void vio_input_signals(sigset_t *set);
/* Tell the waiting parent (ready_fd >= 0) and the service manager
 * (systemd's NOTIFY_SOCKET, when set): status 0 (running: READY=1) or
 * non-zero with msg (STATUS=startup failed: msg). */
void vio_daemon_ready(int ready_fd, int status, const char *msg);
/* Tell the service manager that shutdown has begun (STOPPING=1). */
void vio_daemon_stopping(void);

/* Raise the soft descriptor limit to the hard one (multiqueue guests need
 * two eventfds a ring; control clients one descriptor each).  Returns the
 * limit now in force. */
unsigned long vio_raise_fd_limit(void);

/* Create <dir>/virtio-forwarder.pid (never through a link), lock it for
 * the life of the process and write our pid.  -EBUSY with the holder's pid
 * in err when another daemon holds it.  Taken in the foreground too (the
 * systemd unit runs --nodaemon): one daemon per pid directory. */
int vio_pidfile_lock(const char *dir, char *err, size_t errlen);
void vio_pidfile_remove(void);

#endif
