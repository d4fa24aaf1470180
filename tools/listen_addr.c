/* SPDX-License-Identifier: BSD-3-Clause */
/* Parsing of the exporter's --listen address: see listen_addr.h. */
#include "listen_addr.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A whole decimal port, 1-65535, without sign or spaces. */
static int parse_port(const char *s, unsigned short *port)
{
	unsigned long v = 0;

	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		v = v * 10 + (unsigned long)(*p - '0');
	}
	if (v < 1 || v > 65535)
		return -1;
	*port = (unsigned short)v;
	return 0;
}

int vio_parse_listen(const char *s, struct vio_listen_addr *out, char *err, size_t errlen)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *port_s;
	bool bracketed = s[0] == '[';
	unsigned short port;
	size_t hlen;

	memset(out, 0, sizeof(*out));
	if (bracketed) {
		const char *close = strchr(s, ']');

		if (!close || close[1] != ':') {
			snprintf(err, errlen, "expected [IPV6]:PORT");
			return -EINVAL;
		}
		hlen = (size_t)(close - s - 1);
		colon = close + 1;
		s++;
	} else {
		colon = strrchr(s, ':');
		if (!colon) {
			snprintf(err, errlen, "expected ADDRESS:PORT (e.g. %s)",
				 VIO_EXPORTER_DEFAULT_LISTEN);
			return -EINVAL;
		}
		hlen = (size_t)(colon - s);
		if (memchr(s, ':', hlen)) {
			snprintf(err, errlen, "an IPv6 address goes in brackets: [ADDRESS]:PORT");
			return -EINVAL;
		}
	}
	port_s = colon + 1;
	if (parse_port(port_s, &port)) {
		snprintf(err, errlen, "port '%s' is not a number from 1 to 65535", port_s);
		return -EINVAL;
	}
	if (hlen == 0 || hlen >= sizeof(host)) {
		snprintf(err, errlen, "missing or overlong address");
		return -EINVAL;
	}
	memcpy(host, s, hlen);
	host[hlen] = '\0';
	if (strcmp(host, "localhost") == 0 && !bracketed)
		strcpy(host, "127.0.0.1");
	if (bracketed) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&out->sa;

		if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) {
			snprintf(err, errlen, "'%s' is not a numeric IPv6 address", host);
			return -EINVAL;
		}
		a->sin6_family = AF_INET6;
		a->sin6_port = htons(port);
		out->len = sizeof(*a);
		out->ipv6 = true;
		out->loopback = IN6_IS_ADDR_LOOPBACK(&a->sin6_addr) ||
				(IN6_IS_ADDR_V4MAPPED(&a->sin6_addr) && a->sin6_addr.s6_addr[12] == 127);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&out->sa;

		if (inet_pton(AF_INET, host, &a->sin_addr) != 1) {
			snprintf(err, errlen, "'%s' is not a numeric IPv4 address (IPv6: [ADDRESS]:PORT)",
				 host);
			return -EINVAL;
		}
		a->sin_family = AF_INET;
		a->sin_port = htons(port);
		out->len = sizeof(*a);
		out->loopback = (ntohl(a->sin_addr.s_addr) >> 24) == 127;
	}
	return 0;
}
