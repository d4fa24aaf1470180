/* Process plumbing: see daemon.h. */
#define VIO_LOG_MODULE "daemon"
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "vf_events.h"

static char pidfile[PATH_MAX];
static int pidfile_fd = -1;

void vio_input_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGIO);
	for (int s = SIGRTMIN; s <= SIGRTMAX; s++)
		sigaddset(set, s);
}

void vio_signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	if (vio_vf_events_test_enabled())
		sigaddset(set, SIGUSR2); /* test hook: deliver a VF event */
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

void vio_daemon_ready(int ready_fd, int status, const char *msg)
{
	char buf[1024];
	int n;

	if (ready_fd < 0)
		return;
	n = snprintf(buf, sizeof(buf), "%c%s", status ? '1' : '0', msg ? msg : "");
	if (write(ready_fd, buf, (size_t)n) < 0)
		VIO_LOG(WARNING, "cannot report readiness: %s", strerror(errno));
	close(ready_fd);
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

int vio_pidfile_lock(const char *dir, char *err, size_t errlen)
{
	char buf[32];
	int fd, n;

	snprintf(pidfile, sizeof(pidfile), "%s/virtio-forwarder.pid", dir);
	/* Never through a link: the pid directory may be shared. */
	fd = open(pidfile, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		int e = errno;

		snprintf(err, errlen, "cannot open the pid file %s: %s", pidfile, strerror(e));
		pidfile[0] = '\0';
		return -e;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;

		n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		if (e == EWOULDBLOCK)
			snprintf(err, errlen, "another virtio-forwarder (pid %s) is running: it "
				 "holds %s", buf[0] ? buf : "?", pidfile);
		else
			snprintf(err, errlen, "cannot lock the pid file %s: %s", pidfile,
				 strerror(e));
		close(fd);
		pidfile[0] = '\0';
		return e == EWOULDBLOCK ? -EBUSY : -e;
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
