/* The port_control service: ADD, REMOVE, ADD_SOCK, REMOVE_SOCK, QUERY_PCI
 * (docs/control.md).  Every request is checked completely before anything
 * changes; an operation made of two steps (ADD_SOCK: VF, then socket) undoes
 * the first when the second fails.  Errors are answered with a positive
 * errno in error_code and "<op>: <what was wrong>" in error_code_source.
 */
#define VIO_LOG_MODULE "port_control"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "ctl_service.h"
#include "log.h"
#include "virtioforwarder.pb-c.h"

typedef Virtioforwarder__PortControlRequest Request;
typedef Virtioforwarder__PortControlResponse Response;

#define ERR_MAX 400

static const char *const op_names[] = {"add", "remove", "add_sock", "remove_sock", "query_pci"};

static void reply_ok(struct vio_ctl_reply *reply, const char *query)
{
	Response resp = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__INIT;

	resp.status = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__OK;
	resp.query_string = (char *)query;
	vio_ctl_pack(&resp.base, reply);
}

static void reply_error(struct vio_ctl_reply *reply, int code, const char *op, const char *msg)
{
	Response resp = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__INIT;
	char source[ERR_MAX + 32];

	snprintf(source, sizeof(source), "%s: %s", op, msg);
	vio_utf8_sanitize(source); /* msg may quote request bytes (a string field) */
	resp.status = VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR;
	resp.has_error_code = 1;
	resp.error_code = code;
	resp.error_code_source = source;
	VIO_LOG_RL(WARNING, 1000, "request refused: %s", source);
	vio_ctl_pack(&resp.base, reply);
}

static void port_reject(const char *why, struct vio_ctl_reply *reply)
{
	reply_error(reply, EBADMSG, "request", why);
}

/* The VF named by the request: at most one PCI address or a device string;
 * one to attach (attach) of a driver the configuration lets control clients
 * use, with arguments that reach no file (a device to remove is only a
 * name). */
static int request_dev(const struct vio_ctl_backend *be, const Request *m, bool attach,
		       struct vio_vf_dev *dev, bool *given, char *err)
{
	char str[VIO_DEVSTR_MAX];
	const char *what;

	*given = false;
	if (m->n_pci_addrs > 1 || (m->name && *m->name)) {
		snprintf(err, ERR_MAX, "bonds (several PCI addresses, or a bond name) are not "
			 "supported: give one PCI address or one device string");
		return -EOPNOTSUPP;
	}
	if (m->n_pci_addrs == 1 && m->device) {
		snprintf(err, ERR_MAX, "give a PCI address or a device string, not both");
		return -EINVAL;
	}
	if (m->n_pci_addrs == 1) {
		const Virtioforwarder__PortControlRequest__PciAddress *a = m->pci_addrs[0];

		if (a->domain > 0xffff || a->bus > 0xff || a->slot > 0x1f || a->function > 7) {
			snprintf(err, ERR_MAX, "PCI address %x:%x:%x.%x is out of range (domain "
				 "<= ffff, bus <= ff, slot <= 1f, function <= 7)", a->domain,
				 a->bus, a->slot, a->function);
			return -EINVAL;
		}
		snprintf(str, sizeof(str), "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot,
			 a->function);
		what = str;
	} else if (m->device) {
		if (strlen(m->device) >= VIO_DEVSTR_MAX) {
			snprintf(err, ERR_MAX, "device string longer than %d bytes",
				 VIO_DEVSTR_MAX - 1);
			return -EINVAL;
		}
		what = m->device;
	} else {
		return 0;
	}
	if (vio_parse_vf_dev(what, dev, err, ERR_MAX))
		return -EINVAL;
	if (attach && vio_vf_dev_control_check(dev, be->control_drivers, err, ERR_MAX))
		return -EPERM;
	*given = true;
	return 0;
}

/* A socket path a control client names: a file directly in the socket
 * directory, so that no request makes the daemon create, connect to or
 * change the owner of a file anywhere else. */
static int check_path(const struct vio_ctl_backend *be, const char *path, char *err)
{
	size_t n = strlen(path), dlen = strlen(be->socket_dir);
	const char *name;

	while (dlen > 1 && be->socket_dir[dlen - 1] == '/')
		dlen--;
	if (n == 0 || path[0] != '/') {
		snprintf(err, ERR_MAX, "vhost_path \"%.200s\" is not an absolute path", path);
		return -EINVAL;
	}
	if (n >= VIO_CTL_PATH_MAX) {
		snprintf(err, ERR_MAX, "vhost_path is %zu bytes long, at most %d allowed", n,
			 VIO_CTL_PATH_MAX - 1);
		return -ENAMETOOLONG;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)path[i] < 0x20 || path[i] == 0x7f) {
			snprintf(err, ERR_MAX, "vhost_path contains a control character");
			return -EINVAL;
		}
	}
	if (!vio_utf8_valid(path)) { /* it is reported back in string fields */
		snprintf(err, ERR_MAX, "vhost_path is not valid UTF-8");
		return -EINVAL;
	}
	name = path + dlen + (dlen > 1);
	if (strncmp(path, be->socket_dir, dlen) != 0 || (dlen > 1 && path[dlen] != '/') ||
	    !*name || strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..")) {
		snprintf(err, ERR_MAX, "vhost_path \"%.200s\" is not a file in the socket "
			 "directory %.*s (VIRTIOFWD_SOCKET_DIR)", path, (int)dlen, be->socket_dir);
		return -EPERM;
	}
	return 0;
}

static int check_id(const struct vio_ctl_backend *be, const Request *m, char *err)
{
	if (!m->has_virtio_id) {
		snprintf(err, ERR_MAX, "virtio_id is missing");
		return -EINVAL;
	}
	if (m->virtio_id >= be->max_relays) {
		snprintf(err, ERR_MAX, "virtio_id %u is out of range (0-%u)%s", m->virtio_id,
			 be->max_relays - 1,
			 be->max_relays < VIO_RELAYS_HARD_MAX && m->virtio_id < VIO_RELAYS_HARD_MAX
				 ? VIO_RELAYS_ROUTE : "");
		return -ERANGE;
	}
	return 0;
}

/* The relay whose socket is path, or whose VF is dev; -1 when none. */
static int find_relay(const struct vio_ctl_backend *be, const char *path,
		      const struct vio_vf_dev *dev, struct vio_ctl_relay *out)
{
	for (unsigned id = 0; id < be->max_relays; id++) {
		if (be->relay(id, out))
			continue;
		if (path && out->has_socket && strcmp(out->socket, path) == 0)
			return (int)id;
		if (!path && dev && out->has_vf && vio_vf_dev_same(&out->vf, dev))
			return (int)id;
	}
	return -1;
}

static int op_add(const struct vio_ctl_backend *be, const Request *m, bool cond, char *err)
{
	struct vio_vf_dev dev;
	bool given;
	int rc;

	if ((rc = check_id(be, m, err)) || (rc = request_dev(be, m, true, &dev, &given, err)))
		return rc;
	if (!given) {
		snprintf(err, ERR_MAX, "no VF given: set pci_addrs or device");
		return -EINVAL;
	}
	rc = be->add_vf(m->virtio_id, &dev, err, ERR_MAX);
	return rc == -EEXIST && cond ? 0 : rc;
}

static int op_remove(const struct vio_ctl_backend *be, const Request *m, bool cond, char *err)
{
	struct vio_ctl_relay r;
	struct vio_vf_dev dev;
	bool given;
	int rc;

	if ((rc = check_id(be, m, err)) || (rc = request_dev(be, m, false, &dev, &given, err)))
		return rc;
	if ((rc = be->relay(m->virtio_id, &r))) {
		snprintf(err, ERR_MAX, "relay %u cannot be read", m->virtio_id);
		return rc;
	}
	if (given && r.has_vf && !vio_vf_dev_same(&r.vf, &dev)) {
		snprintf(err, ERR_MAX, "relay %u relays %s, not %s", m->virtio_id, r.vf.name,
			 dev.name);
		return -EINVAL;
	}
	rc = be->remove_vf(m->virtio_id, err, ERR_MAX);
	return rc == -ENOENT && cond ? 0 : rc;
}

static int need_dynamic(const struct vio_ctl_backend *be, char *err)
{
	if (be->dynamic_sockets)
		return 0;
	snprintf(err, ERR_MAX, "socket operations need VIRTIOFWD_DYNAMIC_SOCKETS=true "
		 "(use add/remove with a virtio_id instead)");
	return -EOPNOTSUPP;
}

static int op_add_sock(const struct vio_ctl_backend *be, const Request *m, bool cond, char *err)
{
	struct vio_ctl_relay r;
	struct vio_vf_dev dev;
	char undo_err[ERR_MAX];
	bool given;
	int rc, id;

	if ((rc = need_dynamic(be, err)))
		return rc;
	if (!m->vhost_path) {
		snprintf(err, ERR_MAX, "vhost_path is missing");
		return -EINVAL;
	}
	if ((rc = check_path(be, m->vhost_path, err)) ||
	    (rc = request_dev(be, m, true, &dev, &given, err)))
		return rc;
	if (!given) {
		snprintf(err, ERR_MAX, "no VF given: set pci_addrs or device");
		return -EINVAL;
	}
	id = find_relay(be, m->vhost_path, NULL, &r);
	if (id >= 0) {
		if (r.has_vf && vio_vf_dev_same(&r.vf, &dev) && cond)
			return 0;
		snprintf(err, ERR_MAX, "socket %s already belongs to relay %d (%s%s)",
			 m->vhost_path, id, r.has_vf ? "VF " : "no VF", r.has_vf ? r.vf.name : "");
		return r.has_vf && vio_vf_dev_same(&r.vf, &dev) ? -EEXIST : -EBUSY;
	}
	id = find_relay(be, NULL, &dev, &r);
	if (id >= 0) {
		snprintf(err, ERR_MAX, "%s is already relayed by relay %d", dev.name, id);
		return -EBUSY;
	}
	for (id = 0; id < (int)be->max_relays; id++)
		if (be->relay((unsigned)id, &r) == 0 && !vio_ctl_relay_in_use(&r))
			break;
	if (id == (int)be->max_relays) {
		snprintf(err, ERR_MAX, "all %u relays are in use", be->max_relays);
		return -ENOSPC;
	}
	if (m->has_virtio_id)
		VIO_LOG(INFO, "add_sock: virtio_id %u ignored, relay %d chosen", m->virtio_id, id);
	rc = be->add_vf((unsigned)id, &dev, err, ERR_MAX);
	if (rc)
		return rc;
	rc = be->add_socket((unsigned)id, m->vhost_path, err, ERR_MAX);
	if (rc && be->remove_vf((unsigned)id, undo_err, sizeof(undo_err)))
		VIO_LOG(ERR, "add_sock: relay %d: cannot undo the VF: %s", id, undo_err);
	return rc;
}

static int op_remove_sock(const struct vio_ctl_backend *be, const Request *m, bool cond,
			  char *err)
{
	struct vio_ctl_relay r;
	struct vio_vf_dev dev;
	bool given;
	int rc, id;

	if ((rc = need_dynamic(be, err)))
		return rc;
	if (m->vhost_path && (rc = check_path(be, m->vhost_path, err)))
		return rc;
	if ((rc = request_dev(be, m, false, &dev, &given, err)))
		return rc;
	if (!m->vhost_path && !given) {
		snprintf(err, ERR_MAX, "give vhost_path, a VF, or both");
		return -EINVAL;
	}
	id = find_relay(be, m->vhost_path, given ? &dev : NULL, &r);
	if (id < 0) {
		snprintf(err, ERR_MAX, "no relay has %s%s%s", m->vhost_path ? "socket " : "",
			 m->vhost_path ? m->vhost_path : "VF ", m->vhost_path ? "" : dev.name);
		return cond ? 0 : -ENOENT;
	}
	if (m->vhost_path && given && !(r.has_vf && vio_vf_dev_same(&r.vf, &dev))) {
		snprintf(err, ERR_MAX, "relay %d on %s relays %s, not %s", id, m->vhost_path,
			 r.has_vf ? r.vf.name : "no VF", dev.name);
		return -EINVAL;
	}
	if (r.has_socket && (rc = be->remove_socket((unsigned)id, err, ERR_MAX)))
		return rc;
	if (r.has_vf && (rc = be->remove_vf((unsigned)id, err, ERR_MAX)))
		return rc;
	return 0;
}

static int port_handle(const struct vio_ctl_backend *be, const uint8_t *req, size_t len,
		       struct vio_ctl_reply *reply, void **token, uint64_t *due_ns)
{
	Request *m = virtioforwarder__port_control_request__unpack(NULL, len, req);
	char err[ERR_MAX] = "";
	struct vio_ctl_relay r;
	const char *op;
	bool cond;
	int rc = 0, id;

	if (!m) {
		port_reject("not a PortControlRequest (truncated, garbage, or a required "
			    "field missing)", reply);
		return VIO_CTL_DONE;
	}
	cond = m->has_conditional ? m->conditional : true;
	if ((unsigned)m->op >= sizeof(op_names) / sizeof(op_names[0])) {
		snprintf(err, sizeof(err), "unknown op %d", (int)m->op);
		reply_error(reply, EINVAL, "request", err);
		goto out;
	}
	op = op_names[m->op];
	switch (m->op) {
	case VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD:
		rc = op_add(be, m, cond, err);
		break;
	case VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE:
		rc = op_remove(be, m, cond, err);
		break;
	case VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__ADD_SOCK:
		rc = op_add_sock(be, m, cond, err);
		break;
	case VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__REMOVE_SOCK:
		rc = op_remove_sock(be, m, cond, err);
		break;
	case VIRTIOFORWARDER__PORT_CONTROL_REQUEST__OP__QUERY_PCI:
		if (!m->vhost_path) {
			snprintf(err, sizeof(err), "vhost_path is missing");
			rc = -EINVAL;
			break;
		}
		id = find_relay(be, m->vhost_path, NULL, &r);
		if (id < 0) {
			snprintf(err, sizeof(err), "no relay has socket %.300s", m->vhost_path);
			rc = -ENOENT;
			break;
		}
		reply_ok(reply, r.has_vf ? r.vf.name : "");
		goto out;
	default:
		break;
	}
	if (rc)
		reply_error(reply, -rc, op, err);
	else
		reply_ok(reply, NULL);
out:
	virtioforwarder__port_control_request__free_unpacked(m, NULL);
	(void)token;
	(void)due_ns;
	return VIO_CTL_DONE;
}

const struct vio_ctl_service vio_ctl_port_service = {
	.name = "port_control",
	.handle = port_handle,
	.reject = port_reject,
};
