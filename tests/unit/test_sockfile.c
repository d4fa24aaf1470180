/* SPDX-License-Identifier: BSD-3-Clause */
/* sockfile.c on real sockets in a scratch directory: what a probe sees
 * (nothing, a stale socket, a listener, a listener with a full backlog, a
 * datagram socket, a symlink, a file), that only stale stream sockets are
 * removed, that ownership changes act on our listener's socket and never on
 * what a link points to, and that a connection's peer is found, with its
 * group and supplementary groups. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "sockfile.h"
#include "test_util.h"

static char dir[64], path[128];
static char err[256];

static int setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/vio-sockfile.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/s.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static struct sockaddr_un addr(const char *p)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", p);
	return sun;
}

/* A socket of type at p; listening with backlog when backlog >= 0. */
static int bound(const char *p, int type, int backlog)
{
	struct sockaddr_un sun = addr(p);
	int fd = socket(AF_UNIX, type, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	if (backlog >= 0)
		assert_int_equal(listen(fd, backlog), 0);
	return fd;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void probe_states(void **state)
{
	enum vio_sock_state st;
	int fd;

	assert_int_equal(vio_sock_probe(path, &st, err, sizeof(err)), 0);
	assert_int_equal(st, VIO_SOCK_ABSENT);

	fd = bound(path, SOCK_STREAM, 4);
	assert_int_equal(vio_sock_probe(path, &st, err, sizeof(err)), 0);
	assert_int_equal(st, VIO_SOCK_LIVE);
	close(fd); /* the file stays: a stale socket */
	assert_int_equal(vio_sock_probe(path, &st, err, sizeof(err)), 0);
	assert_int_equal(st, VIO_SOCK_STALE);
	unlink(path);
}

/* A listener that never accepts, its backlog full: the probe must not wait
 * for it (a blocking connect would hang here for good). */
static void probe_full_backlog_is_live_and_quick(void **state)
{
	struct sockaddr_un sun = addr(path);
	enum vio_sock_state st;
	int l = bound(path, SOCK_STREAM, 0), fillers[4];
	double t;

	for (int i = 0; i < 4; i++) {
		fillers[i] = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0);
		connect(fillers[i], (struct sockaddr *)&sun, sizeof(sun));
	}
	t = now_s();
	assert_int_equal(vio_sock_probe(path, &st, err, sizeof(err)), 0);
	assert_true(now_s() - t < 1.0);
	assert_int_equal(st, VIO_SOCK_LIVE);
	assert_int_equal(vio_sock_clear_stale(path, err, sizeof(err)), -EADDRINUSE);
	assert_int_equal(access(path, F_OK), 0);
	for (int i = 0; i < 4; i++)
		close(fillers[i]);
	close(l);
}

/* Things that are not stream sockets are never removed. */
static void clear_stale_keeps_what_is_not_a_stream_socket(void **state)
{
	char target[160];
	int fd;

	fd = bound(path, SOCK_DGRAM, -1); /* like /dev/log */
	assert_int_equal(vio_sock_clear_stale(path, err, sizeof(err)), -EEXIST);
	assert_contains(err, "not a stream socket");
	assert_int_equal(access(path, F_OK), 0);
	close(fd);
	unlink(path);

	snprintf(target, sizeof(target), "%s/file", dir);
	close(open(target, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(vio_sock_clear_stale(path, err, sizeof(err)), -EEXIST);
	assert_contains(err, "symbolic link");
	unlink(path);
	assert_int_equal(vio_sock_clear_stale(target, err, sizeof(err)), -EEXIST);
	assert_contains(err, "not a socket");
	assert_int_equal(access(target, F_OK), 0);
}

static void clear_stale_removes_a_dead_socket(void **state)
{
	close(bound(path, SOCK_STREAM, 4));
	assert_int_equal(vio_sock_clear_stale(path, err, sizeof(err)), 0);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(vio_sock_clear_stale(path, err, sizeof(err)), 0); /* absent: fine */
}

static void secure_sets_owner_and_mode(void **state)
{
	struct stat st;
	int fd = bound(path, SOCK_STREAM, 4);

	assert_int_equal(vio_sock_secure(path, 65534, 65534, 0660, err, sizeof(err)), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_equal(st.st_uid, 65534);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(st.st_mode & 07777, 0660);
	close(fd);
}

/* The attack of a directory writer: our socket replaced by a symlink to a
 * file of root's between bind and chown.  The target must not change. */
static void secure_never_follows_a_swapped_link(void **state)
{
	char target[160], moved[160];
	struct stat st;
	int fd = bound(path, SOCK_STREAM, 4);

	snprintf(target, sizeof(target), "%s/secret", dir);
	snprintf(moved, sizeof(moved), "%s/moved.sock", dir);
	close(open(target, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(rename(path, moved), 0);
	assert_int_equal(symlink(target, path), 0);
	assert_int_equal(vio_sock_secure(path, 65534, 65534, 0666, err, sizeof(err)), -EPERM);
	assert_int_equal(stat(target, &st), 0);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	close(fd);
}

/* Another socket of root's moved to our path (a hard link or a rename by
 * whoever can write the directory): not the inode our listener is bound to. */
static void secure_refuses_another_socket(void **state)
{
	char other[160];
	struct stat st;
	int ours = bound(path, SOCK_STREAM, 4), theirs;

	snprintf(other, sizeof(other), "%s/other.sock", dir);
	theirs = bound(other, SOCK_STREAM, 4);
	close(theirs);          /* a socket file no listener of ours is bound to */
	unlink(path);
	assert_int_equal(rename(other, path), 0);
	assert_int_equal(vio_sock_secure(path, 65534, 65534, 0666, err, sizeof(err)), -EPERM);
	assert_int_equal(lstat(path, &st), 0);
	assert_int_not_equal(st.st_uid, 65534);
	close(ours);
}

static void peer_of_a_connection(void **state)
{
	struct sockaddr_un sun = addr(path);
	struct vio_sock_peer p;
	int l = bound(path, SOCK_STREAM, 4), c = socket(AF_UNIX, SOCK_STREAM, 0);

	assert_int_equal(vio_sock_peer_of(path, (gid_t)-1, &p, err, sizeof(err)), -ENOENT);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(vio_sock_peer_of(path, (gid_t)-1, &p, err, sizeof(err)), 0);
	assert_int_equal(p.pid, getpid());
	assert_int_equal(p.uid, geteuid());
	assert_int_equal(p.gid, getegid());
	assert_false(p.in_group);
	assert_int_equal(vio_sock_peer_of(path, getegid(), &p, err, sizeof(err)), 0);
	assert_true(p.in_group);
	assert_int_equal(vio_sock_peer_of(path, getegid() + 4242, &p, err, sizeof(err)), 0);
	assert_false(p.in_group);
	close(c);
	close(l);
}

/* A listener in a group through a supplementary group only (as libvirt
 * starts QEMU): the groups are those it had at listen(), not later ones. */
static void peer_in_a_supplementary_group(void **state)
{
	struct sockaddr_un sun = addr(path);
	struct vio_sock_peer p;
	gid_t saved[256], extra = getegid() + 4242, other = getegid() + 4343;
	int n = getgroups(256, saved), l, c;

	assert_true(n >= 0);
	if (setgroups(1, &extra) != 0)
		skip(); /* not root */
	l = bound(path, SOCK_STREAM, 4);
	assert_int_equal(setgroups(1, &other), 0);
	c = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(connect(c, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(vio_sock_peer_of(path, extra, &p, err, sizeof(err)), 0);
	assert_int_equal(p.gid, getegid());
	assert_true(p.in_group);
	assert_int_equal(vio_sock_peer_of(path, other, &p, err, sizeof(err)), 0);
	assert_false(p.in_group);
	assert_int_equal(setgroups((size_t)n, saved), 0);
	close(c);
	close(l);
}

static void shared_directories(void **state)
{
	char why[200];

	assert_int_equal(chmod(dir, 0755), 0);
	assert_false(vio_dir_shared(dir, why, sizeof(why)));
	assert_int_equal(chmod(dir, 01777), 0);
	assert_true(vio_dir_shared(dir, why, sizeof(why)));
	assert_contains(why, "every user");
	assert_int_equal(chmod(dir, 0775), 0);
	assert_true(vio_dir_shared(dir, why, sizeof(why)));
	assert_int_equal(chmod(dir, 0700), 0);
}

static void dir_make(void **state)
{
	char d[128], f[128];
	struct stat st;

	snprintf(d, sizeof(d), "%s/a/b/c", dir);
	assert_int_equal(vio_dir_make(d, 0750, 65534, err, sizeof(err)), 1);
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_gid, 65534);
	assert_int_equal(chmod(d, 0700), 0);
	assert_int_equal(vio_dir_make(d, 0750, 65534, err, sizeof(err)), 0); /* left as it is */
	assert_int_equal(stat(d, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	snprintf(f, sizeof(f), "%s/file", dir);
	close(open(f, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(vio_dir_make(f, 0750, (gid_t)-1, err, sizeof(err)), -ENOTDIR);
	assert_contains(err, "is not a directory");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(probe_states, setup, teardown),
		cmocka_unit_test_setup_teardown(probe_full_backlog_is_live_and_quick, setup,
						teardown),
		cmocka_unit_test_setup_teardown(clear_stale_keeps_what_is_not_a_stream_socket,
						setup, teardown),
		cmocka_unit_test_setup_teardown(clear_stale_removes_a_dead_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(secure_sets_owner_and_mode, setup, teardown),
		cmocka_unit_test_setup_teardown(secure_never_follows_a_swapped_link, setup,
						teardown),
		cmocka_unit_test_setup_teardown(secure_refuses_another_socket, setup, teardown),
		cmocka_unit_test_setup_teardown(peer_of_a_connection, setup, teardown),
		cmocka_unit_test_setup_teardown(peer_in_a_supplementary_group, setup, teardown),
		cmocka_unit_test_setup_teardown(shared_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(dir_make, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
