/* SPDX-License-Identifier: BSD-3-Clause */
/* The vhost-user side: see vhost.h.
 *
 * Callback threading (DPDK 22.11, lib/vhost):
 *  - new_device / destroy_device run on the vhost-events thread, or inside
 *    rte_vhost_driver_unregister() in the caller's thread, with no virtqueue
 *    lock held: they take the control lock and may wait for the workers.
 *  - vring_state_changed runs with every virtqueue lock of the device held:
 *    a worker may be blocked in rte_vhost_enqueue_burst() on one of them, so
 *    it must not wait for anything: it only publishes the enabled-ring mask.
 *  - new_connection / destroy_connection run in the caller of
 *    rte_vhost_driver_start() (client mode), on the vhost-events thread, or
 *    in the reconnect thread while it holds the library's reconnect-list
 *    mutex, which rte_vhost_driver_start/unregister also take: they never
 *    wait for the control lock, only for the connection lock (a leaf).
 * The lock order is written down in docs/architecture.md.
 */
#define VIO_LOG_MODULE "vhost"
#include "vhost.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <rte_vhost.h>

#include "announce.h"
#include "log.h"
#include "relay.h"
#include "sockfile.h"

#define REARM_MS 1000 /* a refused peer's socket is tried again after this */

static const struct vio_config *cfg;
static uint64_t disabled_features;
static uid_t sock_uid = (uid_t)-1;
static gid_t sock_gid = (gid_t)-1;

/* The relay of a connection, and its socket path as the library knows it
 * (the callbacks read no [conn] field of the relay without that lock). */
static struct vio_relay *relay_path_of(int vid, char *path, size_t len)
{
	if (rte_vhost_get_ifname(vid, path, len))
		return NULL;
	return vio_relay_by_vhost_path_nolock(path);
}

static struct vio_relay *relay_of(int vid)
{
	char path[PATH_MAX];

	return relay_path_of(vid, path, sizeof(path));
}

/* Client mode: the daemon (root) connects to whatever listens at the path.
 * Serve only a peer running as root, as us, as the socket owner or in the
 * socket group (as its group or a supplementary one: libvirt starts QEMU
 * with the groups of its user): anyone else who got there first (a
 * squatter in a shared directory) is refused and gets nothing. */
static bool peer_allowed(const char *path, char *why, size_t whylen)
{
	struct vio_sock_peer p;
	int rc = vio_sock_peer_of(path, sock_gid, &p, why, whylen);

	if (rc)
		return false;
	if (p.uid == 0 || p.uid == geteuid() || (sock_uid != (uid_t)-1 && p.uid == sock_uid) ||
	    p.in_group)
		return true;
	snprintf(why, whylen, "the listener (pid %d, uid %u, gid %u) is not root, the "
		 "socket owner or in the socket group", (int)p.pid, (unsigned)p.uid,
		 (unsigned)p.gid);
	return false;
}

static int on_new_connection(int vid)
{
	char path[PATH_MAX], why[256];
	struct vio_relay *r = relay_path_of(vid, path, sizeof(path));
	int other;

	if (!r)
		return -1;
	if (cfg->vhost_client && !peer_allowed(path, why, sizeof(why))) {
		VIO_RLOG_RL(WARNING, 1000, r->id,
			    "refusing the connection to %s: %s; "
			    "trying again in %u ms",
			    path, why, REARM_MS);
		vio_relay_rearm_later(r, REARM_MS);
		return -1;
	}
	/* One connection per socket: the library closes a connection whose
	 * new_connection fails. */
	if (vio_relay_conn_claim(r, vid, &other)) {
		VIO_RLOG_RL(WARNING, 1000, r->id,
			    "refusing a second connection on %s "
			    "(vhost device %d is connected)",
			    path, other);
		return -1;
	}
	if (other >= 0)
		VIO_RLOG(INFO, r->id,
			 "vhost device %d is not running: the new connection "
			 "(%d) takes the socket",
			 other, vid);
	VIO_RLOG(INFO, r->id, "vhost-user connection on %s", path);
	return 0;
}

static void on_destroy_connection(int vid)
{
	struct vio_relay *r = relay_of(vid);

	if (r && vio_relay_conn_release(r, vid))
		VIO_RLOG(INFO, r->id, "vhost-user connection closed");
}

static int on_vring_state_changed(int vid, uint16_t vring, int enable)
{
	struct vio_relay *r = relay_of(vid);

	if (!r || __atomic_load_n(&r->conn_vid, __ATOMIC_ACQUIRE) != vid)
		return 0;
	if (vring >= VIO_MAX_VRINGS) {
		VIO_RLOG_RL(WARNING, 1000, r->id,
			    "guest ring %u ignored (at most %u queue "
			    "pairs are served)",
			    vring, VIO_MAX_VRINGS / 2);
		return 0;
	}
	if (enable)
		__atomic_fetch_or(&r->vring_enabled, 1ULL << vring, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&r->vring_enabled, ~(1ULL << vring), __ATOMIC_RELEASE);
	return 0;
}

/* Only VHOST_F_LOG_ALL may change on a running device: QEMU turns it on
 * when a migration starts and off when it ends.  Runs with every virtqueue
 * lock held, like vring_state_changed: announce.c only flips an atomic. */
static int on_features_changed(int vid, uint64_t features)
{
	struct vio_relay *r = relay_of(vid);
	bool on = features & (1ULL << VHOST_F_LOG_ALL);

	if (!r || __atomic_load_n(&r->dev_vid, __ATOMIC_ACQUIRE) != vid)
		return 0;
	VIO_RLOG(INFO, r->id, "dirty-page logging %s (migration %s)", on ? "on" : "off",
		 on ? "started" : "ended");
	vio_announce_logging(r, on);
	return 0;
}

static int on_new_device(int vid)
{
	struct vio_relay *r = relay_of(vid);
	uint64_t features;
	int rc;

	if (!r)
		return -1;
	if (rte_vhost_get_vring_num(vid) > VIO_MAX_VRINGS)
		VIO_RLOG(WARNING, r->id,
			 "the VM has %u queue pairs: the first %u are served, "
			 "the guest should not enable more (ethtool -L)",
			 rte_vhost_get_vring_num(vid) / 2, VIO_MAX_VRINGS / 2);
	/* Guests need no kicks from us to be served: we poll. */
	for (uint16_t q = 0; q < rte_vhost_get_vring_num(vid); q++)
		rte_vhost_enable_guest_notification(vid, q, 0);
	/* A new connection may be taking the socket: only the relay's
	 * connection starts, and from here no other takes it over. */
	if (!vio_relay_dev_claim(r, vid)) {
		VIO_RLOG(WARNING, r->id,
			 "vhost device %d refused: another connection has the "
			 "socket",
			 vid);
		return -1;
	}
	vio_ctl_lock();
	rc = vio_relay_vm_up(r, vid);
	vio_ctl_unlock();
	if (rc) {
		vio_relay_dev_release(r, vid);
		return rc;
	}
	/* Started in the middle of a migration (dirty-page logging already on). */
	if (rte_vhost_get_negotiated_features(vid, &features) == 0 &&
	    (features & (1ULL << VHOST_F_LOG_ALL)))
		vio_announce_logging(r, true);
	return 0;
}

static void on_destroy_device(int vid)
{
	struct vio_relay *r = relay_of(vid);

	if (!r)
		return;
	vio_ctl_lock();
	if (r->vid == vid) {
		vio_announce_stop(r);
		vio_relay_vm_down(r);
	}
	vio_ctl_unlock();
	vio_relay_dev_release(r, vid);
}

static const struct rte_vhost_device_ops ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
	.features_changed = on_features_changed,
	.new_connection = on_new_connection,
	.destroy_connection = on_destroy_connection,
};

void vio_vhost_init(const struct vio_config *c)
{
	cfg = c;
	/* Offer only what the relay completes.  Checksums: the VF, or the
	 * relay in software for a VF without checksum offload (forward.c);
	 * GUEST_CSUM lets the guest trust what the VF verified.  TCP
	 * segmentation (HOST_TSO4/6) with VIRTIOFWD_TSO: the relay cuts the
	 * segments itself (offload.c), so any VF will do.  No ECN, UFO or
	 * receive-side segmentation (GUEST_TSO: the VF does no LRO).
	 * GUEST_ANNOUNCE stays on: after a migration the guest announces
	 * itself (through its failover master), where QEMU's fallback, a
	 * RARP we would send for it (SEND_RARP), can reach a switch after
	 * the VF's announce and pin the guest's MAC to the standby path. */
	disabled_features = (1ULL << VIRTIO_NET_F_HOST_ECN) | (1ULL << VIRTIO_NET_F_HOST_UFO) |
			    (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
			    (1ULL << VIRTIO_NET_F_GUEST_ECN) | (1ULL << VIRTIO_NET_F_GUEST_UFO) |
			    (1ULL << VIRTIO_NET_F_CTRL_VQ) | (1ULL << VIRTIO_NET_F_CTRL_RX);
	if (!c->mrgbuf)
		disabled_features |= 1ULL << VIRTIO_NET_F_MRG_RXBUF;
	if (!c->tso)
		disabled_features |= (1ULL << VIRTIO_NET_F_HOST_TSO4) |
				     (1ULL << VIRTIO_NET_F_HOST_TSO6);

	if (c->socket_owner[0]) {
		struct passwd *pw = getpwnam(c->socket_owner);

		if (pw)
			sock_uid = pw->pw_uid;
		else
			VIO_LOG(WARNING, "socket owner %s does not exist: sockets keep the "
				"daemon's user", c->socket_owner);
	}
	if (c->socket_group[0]) {
		struct group *gr = getgrnam(c->socket_group);

		if (gr)
			sock_gid = gr->gr_gid;
		else
			VIO_LOG(WARNING, "socket group %s does not exist: sockets keep the "
				"daemon's group", c->socket_group);
	}
}

int vio_vhost_socket_dir(char *err, size_t errlen)
{
	const char *dir = cfg->socket_dir;
	bool group = sock_gid != (gid_t)-1;
	/* Client mode: QEMU (the socket group) creates the sockets. */
	mode_t mode = cfg->vhost_client ? (group ? 0770 : 0700) : (group ? 0750 : 0755);
	char why[PATH_MAX + 64], sub[PATH_MAX + 64];
	int rc = vio_dir_make(dir, mode, group ? sock_gid : (gid_t)-1, sub, sizeof(sub));

	if (rc < 0) {
		snprintf(err, errlen, "VIRTIOFWD_SOCKET_DIR=\"%s\": %s", dir, sub);
		return rc;
	}
	if (rc > 0) {
		VIO_LOG(INFO, "created the socket directory %s (mode %04o)", dir, (unsigned)mode);
		return 0;
	}
	if (vio_dir_shared(dir, why, sizeof(why)))
		VIO_LOG(WARNING, "socket directory %s: other users can create files there; "
			"%s (a root-owned directory such as /run/virtio-forwarder/sockets "
			"keeps them out)", why,
			cfg->vhost_client ? "only peers running as root, the socket owner or "
					    "in the socket group are served"
					  : "relay sockets are created and changed without "
					    "following links");
	return 0;
}

int vio_vhost_register(const char *path, char *err, size_t errlen)
{
	uint64_t flags = RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS;
	char sub[VIO_ERR_MAX];
	int rc;

	VIO_ASSERT_CTL_NOT_HELD();
	if (cfg->vhost_client) {
		flags |= RTE_VHOST_USER_CLIENT; /* reconnects by default */
	} else {
		/* A socket file left by a dead process blocks bind(); probed
		 * without waiting on a listener, removed only when it is a
		 * stream socket nobody listens on. */
		rc = vio_sock_clear_stale(path, err, errlen);
		if (rc)
			return rc;
	}
	if (rte_vhost_driver_register(path, flags)) {
		snprintf(err, errlen, "cannot register vhost-user socket %s", path);
		return -EINVAL;
	}
	if (rte_vhost_driver_disable_features(path, disabled_features) ||
	    rte_vhost_driver_callback_register(path, &ops)) {
		snprintf(err, errlen, "cannot set up vhost-user socket %s", path);
		rte_vhost_driver_unregister(path);
		return -EINVAL;
	}
	if (rte_vhost_driver_start(path)) {
		snprintf(err, errlen, "cannot start vhost-user socket %s%s", path,
			 cfg->vhost_client ? "" : " (is the directory writable?)");
		rte_vhost_driver_unregister(path);
		return -EIO;
	}
	if (!cfg->vhost_client && (sock_uid != (uid_t)-1 || sock_gid != (gid_t)-1)) {
		/* Through a descriptor of the very socket the library bound:
		 * a link swapped in meanwhile is never followed. */
		rc = vio_sock_secure(path, sock_uid, sock_gid, 0660, sub, sizeof(sub));
		if (rc) {
			snprintf(err, errlen, "%s", sub);
			rte_vhost_driver_unregister(path);
			return rc;
		}
	}
	VIO_LOG(DEBUG, "vhost-user socket %s %s", path,
		cfg->vhost_client ? "registered (client mode)" : "created");
	return 0;
}

int vio_vhost_unregister(const char *path)
{
	int rc;

	VIO_ASSERT_CTL_NOT_HELD();
	rc = rte_vhost_driver_unregister(path);

	if (!cfg->vhost_client)
		unlink(path); /* the library leaves the file behind */
	return rc ? -EIO : 0;
}
