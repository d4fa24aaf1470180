/* SPDX-License-Identifier: BSD-3-Clause */
/* The control lock: see ctl_lock.h. */
#define VIO_LOG_MODULE "lock"
#include "ctl_lock.h"

#include <pthread.h>
#include <stdlib.h>

#include "log.h"

static pthread_mutex_t ctl_lock = PTHREAD_MUTEX_INITIALIZER;
/* The holder, for vio_ctl_held(): written by the holder while it holds the
 * lock, read by anyone (atomics: a thread that asks without the lock reads
 * what another holder writes). */
static pthread_t ctl_owner;
static bool ctl_owned;

static void owned(void)
{
	__atomic_store_n(&ctl_owner, pthread_self(), __ATOMIC_RELAXED);
	__atomic_store_n(&ctl_owned, true, __ATOMIC_RELEASE);
}

void vio_ctl_lock(void)
{
	pthread_mutex_lock(&ctl_lock);
	owned();
}

void vio_ctl_unlock(void)
{
	VIO_ASSERT_CTL_HELD();
	__atomic_store_n(&ctl_owned, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&ctl_lock);
}

bool vio_ctl_trylock(void)
{
	if (pthread_mutex_trylock(&ctl_lock))
		return false;
	owned();
	return true;
}

bool vio_ctl_held(void)
{
	/* Only the holder can see its own id here while the lock is held. */
	return __atomic_load_n(&ctl_owned, __ATOMIC_ACQUIRE) &&
	       pthread_equal(__atomic_load_n(&ctl_owner, __ATOMIC_RELAXED), pthread_self());
}

void vio_ctl_not_held(const char *func)
{
	/* Whatever the log level: a broken lock rule is a bug to fix. */
	vio_log_write(VIO_LL_CRIT, VIO_LOG_MODULE, "%s() called without the control lock", func);
	abort();
}

void vio_ctl_held_wrongly(const char *func)
{
	vio_log_write(VIO_LL_CRIT, VIO_LOG_MODULE, "%s() called with the control lock held", func);
	abort();
}
