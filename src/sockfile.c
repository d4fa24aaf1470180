/* SPDX-License-Identifier: BSD-3-Clause */
/* Unix socket files handled without trusting the directory: see sockfile.h. */
#include "sockfile.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/unix_diag.h>

#define CONNECT_WAIT_MS 100

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int fill_addr(const char *path, struct sockaddr_un *sun)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof(sun->sun_path))
		return -ENAMETOOLONG;
	memcpy(sun->sun_path, path, strlen(path) + 1);
	return 0;
}

int vio_sock_probe(const char *path, enum vio_sock_state *state, char *err, size_t errlen)
{
	struct sockaddr_un sun;
	struct stat st;
	int fd, rc, e;

	*state = VIO_SOCK_ABSENT;
	if (fill_addr(path, &sun))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long for a socket", path);
	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		e = errno;
		return fail(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	if (S_ISLNK(st.st_mode))
		return fail(err, errlen, -EEXIST, "%s is a symbolic link (not followed)", path);
	if (!S_ISSOCK(st.st_mode))
		return fail(err, errlen, -EEXIST, "%s exists and is not a socket", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		e = errno;
		return fail(err, errlen, -e, "cannot create a socket: %s", strerror(e));
	}
	rc = connect(fd, (struct sockaddr *)&sun, sizeof(sun));
	e = rc ? errno : 0;
	if (e == EINPROGRESS) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		socklen_t len = sizeof(e);

		if (poll(&p, 1, CONNECT_WAIT_MS) == 1 &&
		    getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) == 0 && e == 0)
			e = 0;
		else if (e == EINPROGRESS)
			e = EAGAIN; /* still waiting: someone holds the path */
	}
	close(fd);
	switch (e) {
	case 0:
	case EAGAIN:       /* a listener whose backlog is full is alive */
		*state = VIO_SOCK_LIVE;
		return 0;
	case ECONNREFUSED: /* a stream socket nobody listens on */
		*state = VIO_SOCK_STALE;
		return 0;
	case ENOENT:       /* gone meanwhile */
		return 0;
	case EPROTOTYPE:
		return fail(err, errlen, -EEXIST, "%s is not a stream socket (a datagram "
			    "socket?)", path);
	default:
		return fail(err, errlen, -e, "%s: cannot connect to it: %s", path, strerror(e));
	}
}

int vio_sock_clear_stale(const char *path, char *err, size_t errlen)
{
	enum vio_sock_state state;
	int rc = vio_sock_probe(path, &state, err, errlen);

	if (rc)
		return rc;
	if (state == VIO_SOCK_LIVE)
		return fail(err, errlen, -EADDRINUSE, "%s is in use by another process", path);
	/* unlink() never follows a link: at worst it removes what someone
	 * who can write the directory put there since the probe. */
	if (state == VIO_SOCK_STALE && unlink(path) != 0 && errno != ENOENT) {
		int e = errno;

		return fail(err, errlen, -e, "cannot remove the stale socket %s: %s", path,
			    strerror(e));
	}
	return 0;
}

/* Calls fn(fd, arg) for each open descriptor of this process that is a
 * socket; stops when fn returns non-zero and returns that. */
static int each_socket(int (*fn)(int fd, void *arg), void *arg)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int rc = 0;

	if (!d)
		return -errno;
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct stat st;
		char *end;
		long fd = strtol(de->d_name, &end, 10);

		if (*end || end == de->d_name || fd == dirfd(d))
			continue;
		if (fstat((int)fd, &st) == 0 && S_ISSOCK(st.st_mode))
			rc = fn((int)fd, arg);
	}
	closedir(d);
	return rc;
}

static bool unix_stream(int fd)
{
	int v;
	socklen_t len = sizeof(v);

	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &v, &len) || v != AF_UNIX)
		return false;
	len = sizeof(v);
	return getsockopt(fd, SOL_SOCKET, SO_TYPE, &v, &len) == 0 && v == SOCK_STREAM;
}

static bool name_is(const struct sockaddr_un *sun, socklen_t len, const char *path)
{
	size_t n = strlen(path);

	return len > offsetof(struct sockaddr_un, sun_path) + n &&
	       memcmp(sun->sun_path, path, n) == 0 && sun->sun_path[n] == '\0';
}

struct find {
	const char *path;
	bool listening;       /* our listener bound to path, else a connection to it */
	gid_t group;          /* connections: the group asked about */
	int fd;
	unsigned count;
	struct vio_sock_peer peer;
	bool peer_mixed;      /* several connections with different peers */
};

/* Whether group is among the supplementary groups of the peer of the
 * connection fd (SO_PEERGROUPS); false when the kernel cannot tell. */
static bool peer_has_group(int fd, gid_t group)
{
	gid_t small[64], *g = small;
	socklen_t len = sizeof(small);
	bool found = false;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) != 0) {
		if (errno != ERANGE || !(g = malloc(len)) ||
		    getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, g, &len) != 0) {
			if (g != small)
				free(g);
			return false;
		}
	}
	for (size_t i = 0; i < len / sizeof(gid_t); i++)
		found = found || g[i] == group;
	if (g != small)
		free(g);
	return found;
}

static int match_fd(int fd, void *arg)
{
	struct find *f = arg;
	struct sockaddr_un sun;
	socklen_t len = sizeof(sun);
	int listening = 0;
	socklen_t llen = sizeof(listening);

	if (!unix_stream(fd) ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &llen) != 0 ||
	    (listening != 0) != f->listening)
		return 0;
	if ((f->listening ? getsockname(fd, (struct sockaddr *)&sun, &len)
			  : getpeername(fd, (struct sockaddr *)&sun, &len)) != 0 ||
	    !name_is(&sun, len, f->path))
		return 0;
	if (!f->listening) {
		struct ucred cred;
		socklen_t clen = sizeof(cred);
		bool in_group;

		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0)
			return 0;
		in_group = f->group != (gid_t)-1 &&
			   (cred.gid == f->group || peer_has_group(fd, f->group));
		if (f->count && (f->peer.uid != cred.uid || f->peer.gid != cred.gid ||
				 f->peer.in_group != in_group))
			f->peer_mixed = true;
		f->peer = (struct vio_sock_peer){cred.pid, cred.uid, cred.gid, in_group};
	}
	f->fd = fd;
	f->count++;
	return 0;
}

int vio_sock_peer_of(const char *path, gid_t group, struct vio_sock_peer *peer, char *err,
		     size_t errlen)
{
	struct find f = {.path = path, .listening = false, .group = group, .fd = -1};
	int rc = each_socket(match_fd, &f);

	if (rc)
		return fail(err, errlen, rc, "cannot list this process's sockets: %s",
			    strerror(-rc));
	if (f.count == 0)
		return fail(err, errlen, -ENOENT, "no connection to %s", path);
	if (f.peer_mixed)
		return fail(err, errlen, -EPERM, "%u connections to %s with different peers",
			    f.count, path);
	*peer = f.peer;
	return 0;
}

/* The filesystem inode (kernel dev_t encoding, inode) a listening socket
 * of ours is bound to, from the kernel's unix_diag.  -ENOSYS when the
 * kernel cannot tell. */
static int bound_inode(int fd, uint32_t *vfs_dev, uint32_t *vfs_ino)
{
	struct {
		struct nlmsghdr nlh;
		struct unix_diag_req req;
	} q;
	union {
		struct nlmsghdr nlh;
		char buf[4096];
	} a;
	struct sockaddr_nl nl = {.nl_family = AF_NETLINK};
	struct stat st;
	ssize_t n;
	int s, rc = -ENOSYS;

	if (fstat(fd, &st))
		return -errno;
	s = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (s < 0)
		return -ENOSYS;
	memset(&q, 0, sizeof(q));
	q.nlh.nlmsg_len = sizeof(q);
	q.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	q.nlh.nlmsg_flags = NLM_F_REQUEST;
	q.req.sdiag_family = AF_UNIX;
	q.req.udiag_states = ~0u;
	q.req.udiag_ino = (uint32_t)st.st_ino;
	q.req.udiag_show = UDIAG_SHOW_VFS;
	q.req.udiag_cookie[0] = q.req.udiag_cookie[1] = ~0u; /* any */
	{
		struct timeval tv = {.tv_sec = 1};

		setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	}
	if (sendto(s, &q, sizeof(q), 0, (struct sockaddr *)&nl, sizeof(nl)) != sizeof(q))
		goto out;
	n = recv(s, &a, sizeof(a), 0);
	if (n < (ssize_t)sizeof(struct nlmsghdr) || !NLMSG_OK(&a.nlh, (unsigned)n) ||
	    a.nlh.nlmsg_type != SOCK_DIAG_BY_FAMILY)
		goto out;
	{
		struct unix_diag_msg *m = NLMSG_DATA(&a.nlh);
		struct rtattr *at = (struct rtattr *)(m + 1);
		int len = (int)a.nlh.nlmsg_len - (int)NLMSG_LENGTH(sizeof(*m));

		if (m->udiag_ino != (uint32_t)st.st_ino)
			goto out;
		rc = -ENOENT; /* the socket is not bound to a file */
		for (; RTA_OK(at, len); at = RTA_NEXT(at, len)) {
			if (at->rta_type == UNIX_DIAG_VFS &&
			    RTA_PAYLOAD(at) >= (int)sizeof(struct unix_diag_vfs)) {
				struct unix_diag_vfs *v = RTA_DATA(at);

				*vfs_dev = v->udiag_vfs_dev;
				*vfs_ino = v->udiag_vfs_ino;
				rc = 0;
			}
		}
	}
out:
	close(s);
	return rc;
}

/* st_dev in the kernel's internal encoding (MAJOR << 20 | MINOR), as
 * unix_diag reports it. */
static uint32_t kdev(dev_t d)
{
	return (uint32_t)((major(d) << 20) | minor(d));
}

int vio_sock_secure(const char *path, uid_t uid, gid_t gid, mode_t mode, char *err,
		    size_t errlen)
{
	struct find f = {.path = path, .listening = true, .fd = -1};
	char proc[40];
	struct stat st;
	uint32_t dev, ino;
	int fd, rc, e;

	fd = open(path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		return fail(err, errlen, -e, "%s: %s", path, strerror(e));
	}
	if (fstat(fd, &st)) {
		e = errno;
		rc = fail(err, errlen, -e, "%s: %s", path, strerror(e));
		goto out;
	}
	if (!S_ISSOCK(st.st_mode)) {
		rc = fail(err, errlen, -EPERM, "%s is no longer our socket (now a %s)", path,
			  S_ISLNK(st.st_mode) ? "symbolic link" : "file of another type");
		goto out;
	}
	rc = each_socket(match_fd, &f);
	if (rc == 0 && f.count == 1)
		rc = bound_inode(f.fd, &dev, &ino);
	else if (rc == 0)
		rc = -ENOSYS; /* no single listener of ours found: weaker checks */
	if (rc == 0) {
		if (ino != (uint32_t)st.st_ino || dev != kdev(st.st_dev)) {
			rc = fail(err, errlen, -EPERM, "%s is not the socket this process "
				  "bound (replaced meanwhile)", path);
			goto out;
		}
	} else if (st.st_uid != geteuid() || st.st_nlink != 1) {
		rc = fail(err, errlen, -EPERM, "%s is not a socket this process created "
			  "(owner %u, %lu links)", path, (unsigned)st.st_uid,
			  (unsigned long)st.st_nlink);
		goto out;
	}
	/* The descriptor pins the inode checked above: no path lookup from
	 * here on. */
	if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) != 0) {
		e = errno;
		rc = fail(err, errlen, -e, "cannot set the owner of %s: %s", path, strerror(e));
		goto out;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (chmod(proc, mode) != 0) {
		e = errno;
		rc = fail(err, errlen, -e, "cannot set the mode of %s: %s", path, strerror(e));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	return rc;
}

int vio_dir_make(const char *dir, mode_t mode, gid_t gid, char *err, size_t errlen)
{
	char buf[PATH_MAX];
	struct stat st;
	int e;

	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		return fail(err, errlen, -ENOTDIR, "%s is not a directory", dir);
	}
	if (snprintf(buf, sizeof(buf), "%s", dir) >= (int)sizeof(buf))
		return fail(err, errlen, -ENAMETOOLONG, "%s: path too long", dir);
	for (char *p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			e = errno;
			return fail(err, errlen, -e, "cannot create %s: %s", buf, strerror(e));
		}
		*p = '/';
	}
	if (mkdir(buf, 0700) && errno != EEXIST) {
		e = errno;
		return fail(err, errlen, -e, "cannot create %s: %s", buf, strerror(e));
	}
	if ((gid != (gid_t)-1 && chown(buf, (uid_t)-1, gid)) || chmod(buf, mode)) {
		e = errno;
		return fail(err, errlen, -e, "cannot set the group and mode of %s: %s", buf,
			    strerror(e));
	}
	return 1;
}

bool vio_dir_shared(const char *dir, char *why, size_t whylen)
{
	struct stat st;

	if (stat(dir, &st) != 0) {
		snprintf(why, whylen, "%s: %s", dir, strerror(errno));
		return false;
	}
	if (st.st_uid != 0 && st.st_uid != geteuid()) {
		snprintf(why, whylen, "%s belongs to uid %u", dir, (unsigned)st.st_uid);
		return true;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(why, whylen, "%s is writable by every user%s", dir,
			 st.st_mode & S_ISVTX ? " (sticky)" : "");
		return true;
	}
	if (st.st_mode & S_IWGRP) {
		snprintf(why, whylen, "%s is writable by group %u", dir, (unsigned)st.st_gid);
		return true;
	}
	return false;
}
