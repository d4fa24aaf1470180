/* SPDX-License-Identifier: BSD-3-Clause */
/* Unix socket files in directories other users may write: what is at a
 * path, who is at the other end of a connection, and ownership changes that
 * never follow a link.
 *
 * The daemon runs as root; a socket directory may be writable by the QEMU
 * group, or be /tmp.  Whoever can write it can swap a socket for a symlink
 * between two system calls, listen on a path before QEMU does, or leave a
 * datagram socket where a stream socket is expected.  These helpers never
 * follow a symlink, never block on a peer, and check the object they act on
 * is the one the daemon created.  DPDK-free (unit-tested with real sockets).
 * Every function returns 0 or a negative errno with a message in err.
 */
#ifndef VIO_SOCKFILE_H
#define VIO_SOCKFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

enum vio_sock_state {
	VIO_SOCK_ABSENT,     /* nothing at the path */
	VIO_SOCK_STALE,      /* a stream socket nobody listens on */
	VIO_SOCK_LIVE,       /* a stream socket with a listener (accepting or not) */
};

/* What is at path, without waiting for a listener: a connect that would
 * block (a full backlog) counts as live.  -EEXIST with a message for
 * anything that is not a stream socket (a symlink, a file, a datagram
 * socket such as /dev/log). */
int vio_sock_probe(const char *path, enum vio_sock_state *state, char *err, size_t errlen);

/* Make path free for bind(): remove a stale stream socket; -EADDRINUSE
 * when something listens on it, -EEXIST when it is not a stream socket. */
int vio_sock_clear_stale(const char *path, char *err, size_t errlen);

/* Give the listening socket this process bound at path the owner, group
 * (-1: unchanged) and mode.  Acts through an O_PATH|O_NOFOLLOW descriptor
 * and only when that is the socket our listener is bound to (same inode,
 * checked through the kernel's unix_diag; where that is not available:
 * a socket owned by us with one link).  -EPERM when something else is at
 * the path now. */
int vio_sock_secure(const char *path, uid_t uid, gid_t gid, mode_t mode, char *err,
		    size_t errlen);

struct vio_sock_peer {
	pid_t pid;
	uid_t uid;
	gid_t gid;
	bool in_group; /* gid, or one of its supplementary groups, is the group asked for */
};

/* The credentials of the process listening at path, as seen through this
 * process's connected stream socket(s) to it (SO_PEERCRED, and
 * SO_PEERGROUPS for its supplementary groups: both as they were when it
 * called listen()), and whether it is in group (-1: none asked).  -ENOENT
 * when this process has no connection to path. */
int vio_sock_peer_of(const char *path, gid_t group, struct vio_sock_peer *peer, char *err,
		     size_t errlen);

/* mkdir -p dir: missing parents 0755, the last directory created 0700,
 * then given group gid (-1: unchanged) and mode, so that it is never open
 * to anyone before its group is right.  Returns 1 when it was created, 0
 * when a directory was there already (left as it is), or a negative errno
 * with a message in err. */
int vio_dir_make(const char *dir, mode_t mode, gid_t gid, char *err, size_t errlen);

/* Whether others than the owner may create or replace entries in dir: true
 * (with the reason in why) when it is writable by its group or by everyone
 * without the sticky bit, or owned by another user than root or us. */
bool vio_dir_shared(const char *dir, char *why, size_t whylen);

#endif
