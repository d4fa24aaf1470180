/* SPDX-License-Identifier: BSD-3-Clause */
/* Process plumbing: see daemon.h. */
#define VIO_LOG_MODULE "daemon"
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "vio_build_config.h"

#ifdef VIO_HAVE_SYSTEMD
#include <systemd/sd-daemon.h>
#else
/* Without libsystemd: no service manager to tell. */
static int sd_notify(int unset_environment, const char *state)
{
	(void)unset_environment;
	(void)state;
	return 0;
}
#endif

static char pidfile[PATH_MAX];
static int pidfile_fd = -1;

void vio_input_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGIO);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
}

void vio_signals_block(sigset_t *set, bool usr2)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	if (usr2)
		sigaddset(set, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, set, NULL);
	/* Input signals (SIGIO, and the real-time signal net_tap raises for
	 * new packets) belong to the workers, which unblock them: handled on
	 * the main CPU they could wait behind other work there. */
	{
		sigset_t io;

		vio_input_signals(&io);
		pthread_sigmask(SIG_BLOCK, &io, NULL);
	}
	signal(SIGPIPE, SIG_IGN);
}

int vio_daemonize(int *ready_fd)
{
	int pfd[2];
	pid_t pid;

	if (pipe(pfd))
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		char msg[1024];
		ssize_t n;

		close(pfd[1]);
		n = read(pfd[0], msg, sizeof(msg) - 1);
		if (n <= 0) {
			int st;

			waitpid(pid, &st, 0);
			fprintf(stderr, "virtio-forwarder: the daemon exited during startup "
				"(see the system log)\n");
			exit(1);
		}
		msg[n] = '\0';
		if (msg[0] != '0') {
			fprintf(stderr, "virtio-forwarder: %s\n", msg + 1);
			exit(1);
		}
		exit(0);
	}
	close(pfd[0]);
	if (setsid() < 0)
		return -errno;
	if (chdir("/") != 0)
		return -errno;
	{
		int fd = open("/dev/null", O_RDWR);

		if (fd >= 0) {
			dup2(fd, STDIN_FILENO);
			dup2(fd, STDOUT_FILENO);
			dup2(fd, STDERR_FILENO);
			if (fd > STDERR_FILENO)
				close(fd);
		}
	}
	*ready_fd = pfd[1];
	return 0;
}

/* The service manager (systemd, Type=notify), when NOTIFY_SOCKET names
 * one: sd_notify() is a no-op otherwise.  A failure to tell it is logged,
 * never fatal (systemd then times the start out and says why). */
static void notify_manager(const char *state)
{
	int rc = sd_notify(0, state);

	if (rc < 0)
		VIO_LOG(WARNING, "cannot notify the service manager: %s", strerror(-rc));
}

void vio_daemon_ready(int ready_fd, int status, const char *msg)
{
	char buf[1024];
	int n;

	if (status == 0) {
		notify_manager("READY=1\nSTATUS=ready");
	} else {
		/* systemd shows STATUS in `systemctl status`; strip what would
		 * end the assignment early. */
		n = snprintf(buf, sizeof(buf), "STATUS=startup failed: %s", msg ? msg : "");
		for (char *c = buf; *c; c++)
			if (*c == '\n')
				*c = ' ';
		notify_manager(buf);
	}
	if (ready_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%c%s", status ? '1' : '0', msg ? msg : "");
	if (write(ready_fd, buf, (size_t)n) < 0)
		VIO_LOG(WARNING, "cannot report readiness: %s", strerror(errno));
	close(ready_fd);
}

void vio_daemon_stopping(void)
{
	notify_manager("STOPPING=1\nSTATUS=stopping");
}

unsigned long vio_raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? ~0UL : (unsigned long)rl.rlim_cur;
}

/* The pid file we opened is one we may lock and rewrite: a regular file of
 * ours with one name.  Where the pid directory is writable by others, a
 * file planted there (held locked to keep us out, or a hard link to a file
 * that a truncation would destroy) is refused. */
static int pidfile_check(int fd, char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		snprintf(err, errlen, "cannot stat the pid file %s: %s", pidfile, strerror(errno));
		return -errno;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != geteuid() || st.st_nlink != 1) {
		snprintf(err, errlen, "the pid file %s is not a regular file of ours with one "
			 "name (owner uid %u, %lu links): refusing it", pidfile,
			 (unsigned)st.st_uid, (unsigned long)st.st_nlink);
		return -EPERM;
	}
	return 0;
}

/* After the lock: the file is still the one the path names.  A daemon that
 * exits unlinks its pid file while holding the lock; one that had opened
 * the file before would otherwise lock a nameless file and run beside a
 * third that creates a new one. */
static bool pidfile_current(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(pidfile, &b) == 0 && a.st_dev == b.st_dev &&
	       a.st_ino == b.st_ino;
}

int vio_pidfile_lock(const char *dir, char *err, size_t errlen)
{
	char buf[32];
	int fd, n, rc;

	snprintf(pidfile, sizeof(pidfile), "%s/virtio-forwarder.pid", dir);
	for (int attempt = 0;; attempt++) {
		/* Never through a link: the pid directory may be shared. */
		fd = open(pidfile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
		if (fd < 0) {
			int e = errno;

			snprintf(err, errlen, "cannot open the pid file %s: %s", pidfile,
				 strerror(e));
			pidfile[0] = '\0';
			return -e;
		}
		rc = pidfile_check(fd, err, errlen);
		if (rc) {
			close(fd);
			pidfile[0] = '\0';
			return rc;
		}
		if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
			int e = errno;

			n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
			buf[n > 0 ? n : 0] = '\0';
			buf[strcspn(buf, "\n")] = '\0';
			if (e == EWOULDBLOCK)
				snprintf(err, errlen, "another virtio-forwarder (pid %s) is "
					 "running: it holds %s (one daemon per pid directory, "
					 "--pid-dir)", buf[0] ? buf : "?", pidfile);
			else
				snprintf(err, errlen, "cannot lock the pid file %s: %s", pidfile,
					 strerror(e));
			close(fd);
			pidfile[0] = '\0';
			return e == EWOULDBLOCK ? -EBUSY : -e;
		}
		if (pidfile_current(fd))
			break;
		close(fd); /* its holder removed it as we locked it: again */
		if (attempt == 10) {
			snprintf(err, errlen, "the pid file %s keeps being replaced", pidfile);
			pidfile[0] = '\0';
			return -EAGAIN;
		}
	}
	n = snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	if (ftruncate(fd, 0) != 0 || pwrite(fd, buf, (size_t)n, 0) != n) {
		int e = errno;

		snprintf(err, errlen, "cannot write the pid file %s: %s", pidfile, strerror(e));
		close(fd);
		unlink(pidfile);
		pidfile[0] = '\0';
		return -e;
	}
	pidfile_fd = fd; /* held, and the lock with it, until we exit */
	return 0;
}

void vio_pidfile_remove(void)
{
	if (pidfile[0] && pidfile_fd >= 0)
		unlink(pidfile);
	if (pidfile_fd >= 0)
		close(pidfile_fd);
	pidfile_fd = -1;
	pidfile[0] = '\0';
}
