/* SPDX-License-Identifier: BSD-3-Clause */
/* Logging: syslog levels 0-7, to stderr (foreground) or syslog (daemon).
 *
 * VIO_LOG(INFO, "...") prefixes the module name set by the including file
 * through VIO_LOG_MODULE; VIO_RLOG(INFO, id, "...") a relay's message with
 * "relay <id>: " as well.  VIO_LOG_RL() is rate-limited per
 * call site (at most one message per interval, with a count of what was
 * suppressed): use it on paths an outside party can trigger repeatedly.
 * Never log per packet.
 */
#ifndef VIO_LOG_H
#define VIO_LOG_H

#include <stdbool.h>
#include <stdint.h>
#include <syslog.h>

#ifndef VIO_LOG_MODULE
#define VIO_LOG_MODULE "main"
#endif

#define VIO_LL_EMERG LOG_EMERG
#define VIO_LL_ALERT LOG_ALERT
#define VIO_LL_CRIT LOG_CRIT
#define VIO_LL_ERR LOG_ERR
#define VIO_LL_WARNING LOG_WARNING
#define VIO_LL_NOTICE LOG_NOTICE
#define VIO_LL_INFO LOG_INFO
#define VIO_LL_DEBUG LOG_DEBUG

void vio_log_init(unsigned level, bool use_syslog);
unsigned vio_log_level(void);
void vio_log_write(int level, const char *module, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define VIO_LOG(lvl, ...)                                                                  \
	do {                                                                               \
		if (VIO_LL_##lvl <= (int)vio_log_level())                                  \
			vio_log_write(VIO_LL_##lvl, VIO_LOG_MODULE, __VA_ARGS__);          \
	} while (0)

/* A relay's message, "relay <id>: " before fmt (a string literal):
 * VIO_RLOG(INFO, r->id, "VM connected on %s", path). */
#define VIO_RLOG(lvl, id, fmt, ...) VIO_LOG(lvl, "relay %u: " fmt, (unsigned)(id), ##__VA_ARGS__)

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t vio_monotonic_ns(void);

struct vio_ratelimit {
	uint64_t next_ns;
	unsigned suppressed;
};

/* True when the call site may log now; *suppressed gets the count skipped. */
bool vio_ratelimit_ok(struct vio_ratelimit *rl, unsigned interval_ms, unsigned *suppressed);

#define VIO_LOG_RL(lvl, interval_ms, ...)                                                  \
	do {                                                                               \
		static struct vio_ratelimit rl_;                                           \
		unsigned skipped_;                                                         \
		if (vio_ratelimit_ok(&rl_, (interval_ms), &skipped_)) {                    \
			if (skipped_)                                                      \
				VIO_LOG(lvl, "(%u similar messages suppressed)", skipped_); \
			VIO_LOG(lvl, __VA_ARGS__);                                         \
		}                                                                          \
	} while (0)

/* VIO_RLOG, rate-limited as VIO_LOG_RL. */
#define VIO_RLOG_RL(lvl, interval_ms, id, fmt, ...)                                                \
	VIO_LOG_RL(lvl, interval_ms, "relay %u: " fmt, (unsigned)(id), ##__VA_ARGS__)

#endif
