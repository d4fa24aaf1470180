/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging: see log.h. */
#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static unsigned log_level = LOG_INFO;
static bool log_syslog;
static pthread_mutex_t rl_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const level_names[] = {"EMERG", "ALERT", "CRIT", "ERR",
					  "WARNING", "NOTICE", "INFO", "DEBUG"};

void vio_log_init(unsigned level, bool use_syslog)
{
	log_level = level > 7 ? 7 : level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("virtio-forwarder", LOG_PID, LOG_DAEMON);
}

unsigned vio_log_level(void)
{
	return __atomic_load_n(&log_level, __ATOMIC_RELAXED);
}

void vio_log_write(int level, const char *module, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (level < 0)
		level = 0;
	if (level > 7)
		level = 7;
	if (log_syslog) {
		syslog(level, "%s: %s", module, msg);
	} else {
		struct timespec ts;
		struct tm tm;
		char when[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld virtio-forwarder %s %s: %s\n", when,
			ts.tv_nsec / 1000000, level_names[level], module, msg);
	}
}

uint64_t vio_monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

bool vio_ratelimit_ok(struct vio_ratelimit *rl, unsigned interval_ms, unsigned *suppressed)
{
	uint64_t now = vio_monotonic_ns();
	bool ok;

	pthread_mutex_lock(&rl_lock);
	ok = now >= rl->next_ns;
	if (ok) {
		*suppressed = rl->suppressed;
		rl->suppressed = 0;
		rl->next_ns = now + (uint64_t)interval_ms * 1000000ULL;
	} else {
		rl->suppressed++;
	}
	pthread_mutex_unlock(&rl_lock);
	return ok;
}
