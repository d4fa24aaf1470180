/* SPDX-License-Identifier: BSD-3-Clause */
/* The relays' vhost-user side: see relay.h.  Sockets are registered and
 * unregistered without the control lock (librte_vhost takes its own mutexes
 * there and calls back into us); connections are claimed under the
 * connection lock, a leaf that the callbacks can take from any thread.
 * Lock order: docs/architecture.md. */
#define VIO_LOG_MODULE "relay"
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "log.h"
#include "relay.h"
#include "relay_priv.h"

/* The connection lock: a leaf lock for sock_path and the connection claims
 * ([conn] in relay.h), so vhost callbacks can map a socket to its relay and
 * claim it without the control lock.  Held for string copies, compares and
 * a few stores only; nothing is called with it held. */
static pthread_mutex_t conn_lock = PTHREAD_MUTEX_INITIALIZER;

/* vhost.c's registration (vio_relay_sockets_init). */
static const struct vio_relay_vhost *vhost;

void vio_relay_sockets_init(const struct vio_relay_vhost *v)
{
	vhost = v;
}

/* A relay being given a socket holds its path already (and is busy). */
struct vio_relay *vio_relay_by_path(const char *path)
{
	VIO_ASSERT_CTL_HELD();
	for (unsigned i = 0; i < vio_max_relays(); i++) {
		struct vio_relay *r = vio_relay_get(i);

		if (r->sock_path[0] && strcmp(r->sock_path, path) == 0)
			return r;
	}
	return NULL;
}

struct vio_relay *vio_relay_by_vhost_path_nolock(const char *path)
{
	struct vio_relay *found = NULL;

	pthread_mutex_lock(&conn_lock);
	for (unsigned i = 0; i < vio_max_relays() && !found; i++) {
		struct vio_relay *r = vio_relay_get(i);

		if (r->sock_path[0] && strcmp(r->sock_path, path) == 0)
			found = r;
	}
	pthread_mutex_unlock(&conn_lock);
	return found;
}

static void set_path(struct vio_relay *r, const char *path)
{
	pthread_mutex_lock(&conn_lock);
	snprintf(r->sock_path, sizeof(r->sock_path), "%s", path);
	pthread_mutex_unlock(&conn_lock);
}

int vio_relay_conn_claim(struct vio_relay *r, int vid, int *other)
{
	int rc = 0;

	pthread_mutex_lock(&conn_lock);
	*other = r->conn_vid;
	/* A connection whose device is not running (a VM that stopped its
	 * device, or is closing its socket and the library has not seen it
	 * yet) gives way: a guest that reconnects at once must not be refused
	 * because its old connection is still being torn down. */
	if (r->conn_vid >= 0 && r->dev_vid == r->conn_vid) {
		rc = -EBUSY;
	} else {
		__atomic_store_n(&r->conn_vid, vid, __ATOMIC_RELEASE);
		__atomic_store_n(&r->vring_enabled, 0, __ATOMIC_RELEASE); /* none yet */
	}
	pthread_mutex_unlock(&conn_lock);
	return rc;
}

bool vio_relay_dev_claim(struct vio_relay *r, int vid)
{
	bool ok;

	pthread_mutex_lock(&conn_lock);
	ok = r->conn_vid == vid;
	if (ok)
		r->dev_vid = vid;
	pthread_mutex_unlock(&conn_lock);
	return ok;
}

void vio_relay_dev_release(struct vio_relay *r, int vid)
{
	pthread_mutex_lock(&conn_lock);
	if (r->dev_vid == vid)
		r->dev_vid = -1;
	pthread_mutex_unlock(&conn_lock);
}

bool vio_relay_conn_release(struct vio_relay *r, int vid)
{
	bool mine;

	pthread_mutex_lock(&conn_lock);
	mine = r->conn_vid == vid;
	if (mine) {
		__atomic_store_n(&r->conn_vid, -1, __ATOMIC_RELEASE);
		__atomic_store_n(&r->vring_enabled, 0, __ATOMIC_RELEASE);
	}
	pthread_mutex_unlock(&conn_lock);
	return mine;
}

/* Forget every connection of a relay whose socket is gone. */
static void conn_reset(struct vio_relay *r)
{
	pthread_mutex_lock(&conn_lock);
	__atomic_store_n(&r->conn_vid, -1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->vring_enabled, 0, __ATOMIC_RELEASE);
	r->dev_vid = -1;
	pthread_mutex_unlock(&conn_lock);
}

int vio_relay_default_path(unsigned id, char *buf, size_t len)
{
	int n = snprintf(buf, len, "%s/", vio_relay_config()->socket_dir);

	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	n += snprintf(buf + n, len - (size_t)n, vio_relay_config()->socket_pattern, id);
	return (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int vio_relay_add_socket(unsigned id, const char *path, char *err, size_t errlen)
{
	struct vio_relay *r = vio_relay_get(id);
	struct vio_relay *other;
	int rc = 0;

	if (!r)
		return vio_relay_out_of_range(id, err, errlen);
	if (strlen(path) >= sizeof(r->sock_path)) {
		snprintf(err, errlen, "socket path %s is longer than %zu bytes", path,
			 sizeof(r->sock_path) - 1);
		return -ENAMETOOLONG;
	}
	vio_ctl_lock();
	other = vio_relay_by_path(path);
	if (r->busy) {
		snprintf(err, errlen, "relay %u is busy with another operation", id);
		rc = -EBUSY;
	} else if (other) {
		snprintf(err, errlen, "socket %s already belongs to relay %u", path, other->id);
		rc = other == r ? -EEXIST : -EBUSY;
	} else if (r->sock_registered) {
		snprintf(err, errlen, "relay %u already has socket %s", id, r->sock_path);
		rc = -EBUSY;
	} else {
		vio_relay_reset_stats_if_new(r);
		r->busy = true;
		set_path(r, path); /* the callbacks find the relay by it */
	}
	vio_ctl_unlock();
	if (rc)
		return rc;

	/* Without the lock: registration takes librte_vhost's mutexes, which
	 * its reconnect thread holds while our callbacks run (lock order in
	 * docs/architecture.md).  The relay is busy meanwhile: other control
	 * operations on it are refused, a VM may already connect. */
	rc = vhost->sock_register(path, err, errlen);

	vio_ctl_lock();
	if (rc) {
		set_path(r, "");
		conn_reset(r);
	} else {
		r->sock_registered = true;
	}
	r->busy = false;
	vio_ctl_unlock();
	return rc;
}

int vio_relay_remove_socket(unsigned id, char *err, size_t errlen)
{
	struct vio_relay *r = vio_relay_get(id);
	char path[sizeof(r->sock_path)];
	int rc;

	if (!r)
		return vio_relay_out_of_range(id, err, errlen);
	vio_ctl_lock();
	if (r->busy || !r->sock_registered) {
		snprintf(err, errlen, r->busy ? "relay %u is busy with another operation"
					      : "relay %u has no socket", id);
		vio_ctl_unlock();
		return r->busy ? -EBUSY : -ENOENT;
	}
	r->busy = true;
	snprintf(path, sizeof(path), "%s", r->sock_path);
	vio_ctl_unlock();

	/* Without the lock: unregister waits for vhost callbacks, which take it
	 * (destroy_device of a connected VM runs from here). */
	rc = vhost->sock_unregister(path);

	vio_ctl_lock();
	if (r->vm_running) /* only if the library skipped destroy_device */
		vio_relay_vm_down(r);
	set_path(r, "");
	r->sock_registered = false;
	conn_reset(r);
	__atomic_store_n(&r->rearm_ns, 0, __ATOMIC_RELAXED);
	r->busy = false;
	vio_ctl_unlock();
	if (rc)
		VIO_RLOG(WARNING, id, "unregistering %s reported an error", path);
	VIO_RLOG(DEBUG, id, "socket %s removed", path);
	return 0;
}

void vio_relay_rearm_later(struct vio_relay *r, unsigned delay_ms)
{
	uint64_t due = vio_monotonic_ns() + (uint64_t)delay_ms * 1000000u, none = 0;

	/* Keep an earlier date already set. */
	__atomic_compare_exchange_n(&r->rearm_ns, &none, due, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

/* Register the relay's socket again (client mode, after a refused peer):
 * librte_vhost closed that connection and will not try again by itself. */
static void rearm(struct vio_relay *r)
{
	char path[sizeof(r->sock_path)], err[VIO_ERR_MAX];
	int rc;

	vio_ctl_lock();
	if (!r->sock_registered || r->busy ||
	    __atomic_load_n(&r->conn_vid, __ATOMIC_ACQUIRE) >= 0) {
		/* gone, busy (try later), or connected meanwhile */
		if (!r->busy)
			__atomic_store_n(&r->rearm_ns, 0, __ATOMIC_RELAXED);
		vio_ctl_unlock();
		return;
	}
	r->busy = true;
	__atomic_store_n(&r->rearm_ns, 0, __ATOMIC_RELAXED);
	snprintf(path, sizeof(path), "%s", r->sock_path);
	vio_ctl_unlock();

	vhost->sock_unregister(path);
	rc = vhost->sock_register(path, err, sizeof(err));

	vio_ctl_lock();
	if (rc) {
		VIO_RLOG(ERR, r->id,
			 "socket %s cannot be registered again: %s (add it "
			 "again through port control)",
			 path, err);
		if (r->vm_running)
			vio_relay_vm_down(r);
		set_path(r, "");
		r->sock_registered = false;
		conn_reset(r);
	}
	r->busy = false;
	vio_ctl_unlock();
}

void vio_relay_sockets_housekeep(void)
{
	uint64_t now = vio_monotonic_ns();

	for (unsigned i = 0; i < vio_max_relays(); i++) {
		struct vio_relay *r = vio_relay_get(i);
		uint64_t due = __atomic_load_n(&r->rearm_ns, __ATOMIC_RELAXED);

		if (due && due <= now)
			rearm(r);
	}
}

void vio_relay_sockets_fini(void)
{
	char err[VIO_ERR_MAX];

	for (unsigned i = 0; i < vio_max_relays(); i++)
		vio_relay_remove_socket(i, err, sizeof(err)); /* -ENOENT: it has none */
}
