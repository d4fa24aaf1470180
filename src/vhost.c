/* The vhost-user side: see vhost.h.
 *
 * Callback threading (DPDK 22.11, lib/vhost):
 *  - new_device / destroy_device run on the vhost-events thread, or inside
 *    rte_vhost_driver_unregister() in the caller's thread, with no virtqueue
 *    lock held: they take the control lock and may wait for the workers.
 *  - vring_state_changed runs with every virtqueue lock of the device held:
 *    a worker may be blocked in rte_vhost_enqueue_burst() on one of them, so
 *    it must not wait for anything: it only publishes the enabled-ring mask.
 *  - new_connection may run inside rte_vhost_driver_start() (client mode),
 *    where the caller can hold the control lock: lock-free as well.
 */
#define VIO_LOG_MODULE "vhost"
#include "vhost.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <rte_vhost.h>

#include "log.h"
#include "relay.h"

static const struct vio_config *cfg;
static uint64_t disabled_features;
static uid_t sock_uid = (uid_t)-1;
static gid_t sock_gid = (gid_t)-1;

static struct vio_relay *relay_of(int vid)
{
	char path[PATH_MAX];

	if (rte_vhost_get_ifname(vid, path, sizeof(path)))
		return NULL;
	return vio_relay_by_vhost_path_nolock(path);
}

/* Lock held.  A connection whose device is not running (a VM that stopped
 * its device, or is closing its socket and the library has not seen it yet)
 * gives way to a new one: a guest that reconnects at once must not be
 * refused because its old connection is still being torn down. */
static bool take_over(struct vio_relay *r, int old, int vid)
{
	if (r->vm_running && r->vid == old)
		return false;
	if (!__atomic_compare_exchange_n(&r->conn_vid, &old, vid, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE))
		return false;
	VIO_LOG(INFO, "relay %u: vhost device %d is not running: the new connection (%d) "
		"takes the socket", r->id, old, vid);
	return true;
}

static int on_new_connection(int vid)
{
	struct vio_relay *r = relay_of(vid);
	bool held = vio_ctl_held(), ok;
	int old = -1;

	if (!r)
		return -1;
	/* One connection per socket: the first one claims the relay; the
	 * library closes a connection whose new_connection fails. */
	if (!held)
		vio_ctl_lock();
	ok = __atomic_compare_exchange_n(&r->conn_vid, &old, vid, false, __ATOMIC_ACQ_REL,
					 __ATOMIC_ACQUIRE) ||
	     take_over(r, old, vid);
	if (!held)
		vio_ctl_unlock();
	if (!ok) {
		VIO_LOG_RL(WARNING, 1000, "relay %u: refusing a second connection on %s "
			   "(vhost device %d is connected)", r->id, r->sock_path, old);
		return -1;
	}
	__atomic_store_n(&r->vring_enabled, 0, __ATOMIC_RELEASE);
	VIO_LOG(INFO, "relay %u: vhost-user connection on %s", r->id, r->sock_path);
	return 0;
}

static void on_destroy_connection(int vid)
{
	struct vio_relay *r = relay_of(vid);
	int mine = vid;

	if (!r)
		return;
	if (__atomic_compare_exchange_n(&r->conn_vid, &mine, -1, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE)) {
		__atomic_store_n(&r->vring_enabled, 0, __ATOMIC_RELEASE);
		VIO_LOG(INFO, "relay %u: vhost-user connection closed", r->id);
	}
}

static int on_vring_state_changed(int vid, uint16_t vring, int enable)
{
	struct vio_relay *r = relay_of(vid);

	if (!r || __atomic_load_n(&r->conn_vid, __ATOMIC_ACQUIRE) != vid)
		return 0;
	if (vring >= VIO_MAX_VRINGS) {
		VIO_LOG_RL(WARNING, 1000, "relay %u: guest ring %u ignored (at most %u queue "
			   "pairs are served)", r->id, vring, VIO_MAX_VRINGS / 2);
		return 0;
	}
	if (enable)
		__atomic_fetch_or(&r->vring_enabled, 1ULL << vring, __ATOMIC_RELEASE);
	else
		__atomic_fetch_and(&r->vring_enabled, ~(1ULL << vring), __ATOMIC_RELEASE);
	return 0;
}

static int on_new_device(int vid)
{
	struct vio_relay *r = relay_of(vid);
	int rc;

	if (!r)
		return -1;
	if (rte_vhost_get_vring_num(vid) > VIO_MAX_VRINGS)
		VIO_LOG(WARNING, "relay %u: the VM has %u queue pairs: the first %u are served, "
			"the guest should not enable more (ethtool -L)", r->id,
			rte_vhost_get_vring_num(vid) / 2, VIO_MAX_VRINGS / 2);
	/* Guests need no kicks from us to be served: we poll. */
	for (uint16_t q = 0; q < rte_vhost_get_vring_num(vid); q++)
		rte_vhost_enable_guest_notification(vid, q, 0);
	vio_ctl_lock();
	/* Checked with the lock: a new connection may be taking the socket. */
	if (__atomic_load_n(&r->conn_vid, __ATOMIC_ACQUIRE) != vid) {
		VIO_LOG(WARNING, "relay %u: vhost device %d refused: another connection has the "
			"socket", r->id, vid);
		rc = -1;
	} else {
		rc = vio_relay_vm_up(r, vid);
	}
	vio_ctl_unlock();
	return rc;
}

static void on_destroy_device(int vid)
{
	struct vio_relay *r = relay_of(vid);

	if (!r)
		return;
	vio_ctl_lock();
	if (r->vid == vid)
		vio_relay_vm_down(r);
	vio_ctl_unlock();
}

static const struct rte_vhost_device_ops ops = {
	.new_device = on_new_device,
	.destroy_device = on_destroy_device,
	.vring_state_changed = on_vring_state_changed,
	.new_connection = on_new_connection,
	.destroy_connection = on_destroy_connection,
};

int vio_vhost_init(const struct vio_config *c)
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
	return 0;
}

/* Server mode: a socket file left by a dead process blocks bind(); remove it
 * when nothing listens on it.  A live listener is an error. */
static int clear_stale_socket(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) != 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s exists and is not a socket", path);
		return -EEXIST;
	}
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 0;
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	close(fd);
	if (rc == 0) {
		snprintf(err, errlen, "%s is in use by another process", path);
		return -EADDRINUSE;
	}
	unlink(path);
	return 0;
}

int vio_vhost_register(const char *path, char *err, size_t errlen)
{
	uint64_t flags = RTE_VHOST_USER_NET_COMPLIANT_OL_FLAGS;
	int rc;

	if (cfg->vhost_client) {
		flags |= RTE_VHOST_USER_CLIENT; /* reconnects by default */
	} else {
		rc = clear_stale_socket(path, err, errlen);
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
		if (chown(path, sock_uid, sock_gid) || chmod(path, 0660))
			VIO_LOG(WARNING, "cannot set owner/mode of %s: %s", path, strerror(errno));
	}
	VIO_LOG(DEBUG, "vhost-user socket %s %s", path,
		cfg->vhost_client ? "registered (client mode)" : "created");
	return 0;
}

int vio_vhost_unregister(const char *path)
{
	int rc = rte_vhost_driver_unregister(path);

	if (!cfg->vhost_client)
		unlink(path); /* the library leaves the file behind */
	return rc ? -EIO : 0;
}
