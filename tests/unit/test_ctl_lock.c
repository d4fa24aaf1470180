/* SPDX-License-Identifier: BSD-3-Clause */
/* The control lock's assertions (src/ctl_lock.h) seen to fire: a [ctl]
 * function called without the lock, or from a thread other than the one
 * holding it, logs its own name and aborts; the same calls with the lock
 * held run through (the positive control).  Each call runs in a child
 * process whose stderr is read back.  In a build without VIO_LOCK_CHECKS
 * (release, plain) the assertions compile to nothing: the tests say so
 * and are skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <rte_build_config.h>

#include "ctl_lock.h"
#include "notify.h"
#include "relay.h"
#include "test_util.h"
#include "vf_events.h"

struct outcome {
	int status;     /* waitpid's */
	char err[4096]; /* the child's stderr */
};

/* Run fn in a child process; what it wrote to stderr and how it ended. */
static void run_child(void (*fn)(void), struct outcome *o)
{
	int pfd[2];
	size_t len = 0;
	ssize_t n;
	pid_t pid;

	assert_int_equal(pipe(pfd), 0);
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		dup2(pfd[1], STDERR_FILENO);
		fn();
		_exit(0);
	}
	close(pfd[1]);
	while (len < sizeof(o->err) - 1 &&
	       (n = read(pfd[0], o->err + len, sizeof(o->err) - 1 - len)) > 0)
		len += (size_t)n;
	o->err[len] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &o->status, 0), pid);
}

static void expect_abort(void (*fn)(void), const char *func)
{
	char want[128];
	struct outcome o;

	snprintf(want, sizeof(want), "%s() called without the control lock", func);
	run_child(fn, &o);
	print_message("%s", o.err); /* what fired, for whoever watches */
	if (!WIFSIGNALED(o.status) || WTERMSIG(o.status) != SIGABRT)
		fail_msg("%s without the lock: the child did not abort (status 0x%x, stderr "
			 "\"%s\")",
			 func, o.status, o.err);
	assert_contains(o.err, want);
	assert_contains(o.err, "CRIT lock:");
}

static void expect_clean(void (*fn)(void))
{
	struct outcome o;

	run_child(fn, &o);
	if (!WIFEXITED(o.status) || WEXITSTATUS(o.status) != 0)
		fail_msg("the child ended with status 0x%x, stderr \"%s\"", o.status, o.err);
	assert_null(strstr(o.err, "control lock"));
}

static int checks_on(void **state)
{
	(void)state;
#ifndef VIO_LOCK_CHECKS
	print_message("lock checks are off in this build (release/plain, no sanitizer): "
		      "nothing to see fire\n");
	skip();
#endif
	return 0;
}

/* A direction with nothing registered: the calls return right after the
 * assertion, so no EAL is needed. */
static struct vio_relay_dir dir = {.epfd = -1};

static void notify_unregister(void)
{
	vio_notify_unregister(&dir);
}

static void link_watch(void)
{
	vio_vf_link_watch(RTE_MAX_ETHPORTS, false);
}

static void locked(void (*fn)(void))
{
	vio_ctl_lock();
	fn();
	vio_ctl_unlock();
}

static void notify_unregister_locked(void)
{
	locked(notify_unregister);
}

static void link_watch_locked(void)
{
	locked(link_watch);
}

static void *other_thread(void *arg)
{
	(void)arg;
	notify_unregister();
	return NULL;
}

/* The lock is held, but by another thread. */
static void notify_unregister_other_thread(void)
{
	pthread_t t;

	vio_ctl_lock();
	if (pthread_create(&t, NULL, other_thread, NULL) == 0)
		pthread_join(t, NULL);
	vio_ctl_unlock();
}

/* Released too early. */
static void notify_unregister_after_unlock(void)
{
	vio_ctl_lock();
	vio_ctl_unlock();
	notify_unregister();
}

static void trylock_then_link_watch(void)
{
	if (vio_ctl_trylock()) {
		link_watch();
		vio_ctl_unlock();
	}
}

static void must_not_hold(void)
{
	VIO_ASSERT_CTL_NOT_HELD();
}

static void must_not_hold_locked(void)
{
	locked(must_not_hold);
}

static void test_without_lock_aborts(void **state)
{
	(void)state;
	expect_abort(notify_unregister, "vio_notify_unregister");
	expect_abort(link_watch, "vio_vf_link_watch");
	expect_abort(notify_unregister_after_unlock, "vio_notify_unregister");
}

static void test_other_thread_aborts(void **state)
{
	(void)state;
	expect_abort(notify_unregister_other_thread, "vio_notify_unregister");
}

static void test_with_lock_runs(void **state)
{
	(void)state;
	expect_clean(notify_unregister_locked);
	expect_clean(link_watch_locked);
	expect_clean(trylock_then_link_watch);
	expect_clean(must_not_hold);
}

static void test_held_wrongly_aborts(void **state)
{
	struct outcome o;

	(void)state;
	run_child(must_not_hold_locked, &o);
	assert_true(WIFSIGNALED(o.status) && WTERMSIG(o.status) == SIGABRT);
	assert_contains(o.err, "must_not_hold() called with the control lock held");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_without_lock_aborts, checks_on),
		cmocka_unit_test_setup(test_other_thread_aborts, checks_on),
		cmocka_unit_test_setup(test_with_lock_runs, checks_on),
		cmocka_unit_test_setup(test_held_wrongly_aborts, checks_on),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
