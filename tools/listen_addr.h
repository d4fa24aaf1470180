/* SPDX-License-Identifier: BSD-3-Clause */
/* The exporter's --listen value: a numeric IPv4 or bracketed IPv6 address
 * and a port, "127.0.0.1:9639", "[::1]:9639" ("localhost:PORT" is
 * 127.0.0.1). */
#ifndef VIO_TOOL_LISTEN_ADDR_H
#define VIO_TOOL_LISTEN_ADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

#define VIO_EXPORTER_DEFAULT_LISTEN "127.0.0.1:9639"

struct vio_listen_addr {
	struct sockaddr_storage sa;  /* sockaddr_in or sockaddr_in6 */
	socklen_t len;
	bool ipv6;
	bool loopback;               /* 127.0.0.0/8, ::1, ::ffff:127.0.0.0/104 */
};

/* Parse s into *out.  0, or -EINVAL with the reason in err (without the
 * option's name). */
int vio_parse_listen(const char *s, struct vio_listen_addr *out, char *err, size_t errlen);

#endif
