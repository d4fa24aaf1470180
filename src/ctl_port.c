/* SPDX-License-Identifier: BSD-3-Clause */
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

#include "bond.h"
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
	vio_ctl_reply_error(reply, &virtioforwarder__port_control_response__descriptor,
			    VIRTIOFORWARDER__PORT_CONTROL_RESPONSE__STATUS__ERROR, code,
			    VIO_LOG_MODULE, op, msg);
}

static void port_reject(const char *why, struct vio_ctl_reply *reply)
{
	reply_error(reply, EBADMSG, "request", why);
}

/* The VF side a request names: nothing, one VF (a PCI address or a device
 * string), or a bond (a name, a mode, members among pci_addrs and device). */
struct side {
	bool given;                     /* a VF or a bond named */
	bool is_bond;
	bool mode_given;                /* is_bond: the request set mode */
	struct vio_vf_dev dev;          /* the VF, or the bond's identity */
	struct vio_bond bond;           /* is_bond: members (none for a removal by name) */
};

/* One device of the request: pci_addrs[i], then device[i - n_pci_addrs]. */
static int request_member(const struct vio_ctl_backend *be, const Request *m, size_t i,
			  bool attach, struct vio_vf_dev *dev, char *err)
{
	char str[VIO_DEVSTR_MAX];
	const char *what;

	if (i < m->n_pci_addrs) {
		const Virtioforwarder__PortControlRequest__PciAddress *a = m->pci_addrs[i];

		if (a->domain > 0xffff || a->bus > 0xff || a->slot > 0x1f || a->function > 7) {
			snprintf(err, ERR_MAX, "PCI address %x:%x:%x.%x is out of range (domain "
				 "<= ffff, bus <= ff, slot <= 1f, function <= 7)", a->domain,
				 a->bus, a->slot, a->function);
			return -EINVAL;
		}
		snprintf(str, sizeof(str), "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot,
			 a->function);
		what = str;
	} else {
		what = m->device[i - m->n_pci_addrs];
		if (strlen(what) >= VIO_DEVSTR_MAX) {
			snprintf(err, ERR_MAX, "device string longer than %d bytes",
				 VIO_DEVSTR_MAX - 1);
			return -EINVAL;
		}
	}
	if (vio_parse_vf_dev(what, dev, err, ERR_MAX))
		return -EINVAL;
	if (vio_dev_is_bonding(dev)) {
		snprintf(err, ERR_MAX, "%s is a bonding device: give the bond's members "
			 "(pci_addrs, device), its name and mode instead", dev->name);
		return -EINVAL;
	}
	/* a device to attach: of a driver the configuration lets control
	 * clients use, with arguments that reach no file (one to remove is
	 * only a name) */
	if (attach && vio_vf_dev_control_check(dev, be->control_drivers, err, ERR_MAX))
		return -EPERM;
	return 0;
}

/* A bond request: a name, a supported mode, members (2 to VIO_BOND_MAX to
 * attach; to remove, none or the bond's). */
static int request_bond(const struct vio_ctl_backend *be, const Request *m, bool attach,
			struct side *s, char *err)
{
	size_t n = m->n_pci_addrs + m->n_device;
	char sub[ERR_MAX];
	int rc;

	if (!m->name || !*m->name) {
		snprintf(err, ERR_MAX, "%zu VFs given: a bond needs a name (name), or give one "
			 "VF", n);
		return -EINVAL;
	}
	if (vio_bond_check_name(m->name, err, ERR_MAX))
		return -EINVAL;
	snprintf(s->bond.name, sizeof(s->bond.name), "%s", m->name);
	s->bond.mode = m->has_mode ? m->mode : VIO_BOND_DEFAULT_MODE;
	s->mode_given = m->has_mode;
	if (vio_bond_check_mode(s->bond.mode, err, ERR_MAX))
		return -EINVAL;
	if (n > VIO_BOND_MAX) {
		snprintf(err, ERR_MAX, "bond %s: %zu members given, at most %d", m->name, n,
			 VIO_BOND_MAX);
		return -E2BIG;
	}
	for (size_t i = 0; i < n; i++) {
		struct vio_vf_dev dev;

		if ((rc = request_member(be, m, i, attach, &dev, sub))) {
			snprintf(err, ERR_MAX, "bond %s: %s", m->name, sub);
			return rc;
		}
		if (vio_bond_add_member(&s->bond, &dev, sub, sizeof(sub))) {
			snprintf(err, ERR_MAX, "bond %s: %s", m->name, sub);
			return -EINVAL;
		}
	}
	if ((attach || n) && vio_bond_check(&s->bond, err, ERR_MAX))
		return -EINVAL;
	vio_bond_ident(&s->bond, &s->dev);
	s->is_bond = true;
	s->given = true;
	return 0;
}

/* The VF side named by the request: to attach, or to remove. */
static int request_side(const struct vio_ctl_backend *be, const Request *m, bool attach,
			struct side *s, char *err)
{
	size_t n = m->n_pci_addrs + m->n_device;
	int rc;

	memset(s, 0, sizeof(*s));
	if (n > 1 || (m->name && *m->name))
		return request_bond(be, m, attach, s, err);
	if (m->has_mode) {
		snprintf(err, ERR_MAX, "mode is a bond's: give it with a bond name");
		return -EINVAL;
	}
	if (n == 0)
		return 0;
	if ((rc = request_member(be, m, 0, attach, &s->dev, err)))
		return rc;
	s->given = true;
	return 0;
}

/* The relay's VF side is the one s names: the same VF, or the same bond (by
 * name, and by members when s lists them). */
static bool side_matches(const struct vio_ctl_relay *r, const struct side *s)
{
	if (!r->has_vf || !vio_vf_dev_same(&r->vf, &s->dev))
		return false;
	if (!s->is_bond || s->bond.n == 0)
		return true;
	if (r->n_members != s->bond.n || (s->mode_given && r->bond_mode != s->bond.mode))
		return false;
	for (unsigned i = 0; i < r->n_members; i++) {
		bool found = false;

		for (unsigned k = 0; k < s->bond.n && !found; k++)
			found = strcmp(r->member[i].name, s->bond.member[k].name) == 0;
		if (!found)
			return false;
	}
	return true;
}

static const char *side_kind(const struct vio_vf_dev *dev)
{
	return dev->is_bond ? "bond " : "";
}

/* Attach the VF side s to relay id. */
static int add_side(const struct vio_ctl_backend *be, unsigned id, const struct side *s,
		    char *err)
{
	return s->is_bond ? be->add_bond(id, &s->bond, err, ERR_MAX)
			  : be->add_vf(id, &s->dev, err, ERR_MAX);
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

/* The relay whose socket is path, or whose VF side is s's (a VF, or a bond
 * by name); -1 when none. */
static int find_relay(const struct vio_ctl_backend *be, const char *path, const struct side *s,
		      struct vio_ctl_relay *out)
{
	for (unsigned id = 0; id < be->max_relays; id++) {
		if (be->relay(id, out))
			continue;
		if (path && out->has_socket && strcmp(out->socket, path) == 0)
			return (int)id;
		if (!path && s && out->has_vf && vio_vf_dev_same(&out->vf, &s->dev))
			return (int)id;
	}
	return -1;
}

static int op_add(const struct vio_ctl_backend *be, const Request *m, bool cond, char *err)
{
	struct side side;
	int rc;

	if ((rc = check_id(be, m, err)) || (rc = request_side(be, m, true, &side, err)))
		return rc;
	if (!side.given) {
		snprintf(err, ERR_MAX, "no VF given: set pci_addrs or device");
		return -EINVAL;
	}
	rc = add_side(be, m->virtio_id, &side, err);
	return rc == -EEXIST && cond ? 0 : rc;
}

static int op_remove(const struct vio_ctl_backend *be, const Request *m, bool cond, char *err)
{
	struct vio_ctl_relay r;
	struct side side;
	int rc;

	if ((rc = check_id(be, m, err)) || (rc = request_side(be, m, false, &side, err)))
		return rc;
	if ((rc = be->relay(m->virtio_id, &r))) {
		snprintf(err, ERR_MAX, "relay %u cannot be read", m->virtio_id);
		return rc;
	}
	if (side.given && r.has_vf && !side_matches(&r, &side)) {
		snprintf(err, ERR_MAX, "relay %u relays %s%s, not %s%s%s", m->virtio_id,
			 side_kind(&r.vf), r.vf.name, side_kind(&side.dev), side.dev.name,
			 vio_vf_dev_same(&r.vf, &side.dev) ? " with these members and mode" : "");
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
	char undo_err[ERR_MAX];
	struct side side;
	int rc, id;

	if ((rc = need_dynamic(be, err)))
		return rc;
	if (!m->vhost_path) {
		snprintf(err, ERR_MAX, "vhost_path is missing");
		return -EINVAL;
	}
	if ((rc = check_path(be, m->vhost_path, err)) ||
	    (rc = request_side(be, m, true, &side, err)))
		return rc;
	if (!side.given) {
		snprintf(err, ERR_MAX, "no VF given: set pci_addrs or device");
		return -EINVAL;
	}
	id = find_relay(be, m->vhost_path, NULL, &r);
	if (id >= 0) {
		if (side_matches(&r, &side) && cond)
			return 0;
		snprintf(err, ERR_MAX, "socket %s already belongs to relay %d (%s%s%s)",
			 m->vhost_path, id, r.has_vf ? side_kind(&r.vf) : "no VF",
			 r.has_vf ? r.vf.name : "", side_matches(&r, &side) ? "" :
			 r.has_vf && vio_vf_dev_same(&r.vf, &side.dev) ? ", other members" : "");
		return side_matches(&r, &side) ? -EEXIST : -EBUSY;
	}
	id = find_relay(be, NULL, &side, &r);
	if (id >= 0) {
		snprintf(err, ERR_MAX, "%s%s is already relayed by relay %d", side_kind(&side.dev),
			 side.dev.name, id);
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
	rc = add_side(be, (unsigned)id, &side, err);
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
	struct side side;
	int rc, id;

	if ((rc = need_dynamic(be, err)))
		return rc;
	if (m->vhost_path && (rc = check_path(be, m->vhost_path, err)))
		return rc;
	if ((rc = request_side(be, m, false, &side, err)))
		return rc;
	if (!m->vhost_path && !side.given) {
		snprintf(err, ERR_MAX, "give vhost_path, a VF or a bond name, or both");
		return -EINVAL;
	}
	id = find_relay(be, m->vhost_path, side.given ? &side : NULL, &r);
	if (id < 0) {
		snprintf(err, ERR_MAX, "no relay has %s%s%s", m->vhost_path ? "socket " : "",
			 m->vhost_path ? m->vhost_path : side.is_bond ? "bond " : "VF ",
			 m->vhost_path ? "" : side.dev.name);
		return cond ? 0 : -ENOENT;
	}
	if (side.given && !side_matches(&r, &side)) {
		snprintf(err, ERR_MAX, "relay %d%s%s relays %s%s, not %s%s%s", id,
			 m->vhost_path ? " on " : "", m->vhost_path ? m->vhost_path : "",
			 r.has_vf ? side_kind(&r.vf) : "", r.has_vf ? r.vf.name : "no VF",
			 side_kind(&side.dev), side.dev.name,
			 r.has_vf && vio_vf_dev_same(&r.vf, &side.dev)
				 ? " with these members and mode" : "");
		return -EINVAL;
	}
	if (r.has_socket && (rc = be->remove_socket((unsigned)id, err, ERR_MAX)))
		return rc;
	if (r.has_vf && (rc = be->remove_vf((unsigned)id, err, ERR_MAX)))
		return rc;
	return 0;
}

/* QUERY_PCI's answer: the VF's PCI address (or device name); a bond's
 * members, separated by spaces; "" without VF. */
static void query_answer(const struct vio_ctl_relay *r, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	if (!r->has_vf)
		return;
	if (!r->vf.is_bond) {
		snprintf(buf, len, "%s", r->vf.name);
		return;
	}
	for (unsigned i = 0; i < r->n_members && used < len; i++) {
		int k = snprintf(buf + used, len - used, "%s%s", i ? " " : "", r->member[i].name);

		if (k < 0)
			break;
		used += (size_t)k;
	}
}

static int port_handle(const struct vio_ctl_backend *be, const uint8_t *req, size_t len,
		       struct vio_ctl_reply *reply, void **token, uint64_t *due_ns)
{
	Request *m = virtioforwarder__port_control_request__unpack(NULL, len, req);
	char err[ERR_MAX] = "", answer[VIO_BOND_MAX * 65];
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
		query_answer(&r, answer, sizeof(answer));
		reply_ok(reply, answer);
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
