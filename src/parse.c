/* SPDX-License-Identifier: BSD-3-Clause */
/* Value parsers: see parse.h. */
#include "parse.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define VFIO_DEFAULT_TOKEN "14d63f20-8445-11ea-8900-1f9ce7d5650d"

int vio_parse_fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

void vio_cpuset_zero(struct vio_cpuset *s)
{
	memset(s, 0, sizeof(*s));
}

void vio_cpuset_set(struct vio_cpuset *s, unsigned cpu)
{
	if (cpu < VIO_MAX_CPUS)
		s->bits[cpu / 64] |= 1ULL << (cpu % 64);
}

bool vio_cpuset_has(const struct vio_cpuset *s, unsigned cpu)
{
	return cpu < VIO_MAX_CPUS && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned vio_cpuset_count(const struct vio_cpuset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < VIO_MAX_CPUS / 64; i++)
		n += (unsigned)__builtin_popcountll(s->bits[i]);
	return n;
}

int vio_cpuset_next(const struct vio_cpuset *s, unsigned from)
{
	for (unsigned c = from; c < VIO_MAX_CPUS; c++)
		if (vio_cpuset_has(s, c))
			return (int)c;
	return -1;
}

char *vio_cpuset_format(const struct vio_cpuset *s, char *buf, size_t len)
{
	size_t used = 0;
	int c = vio_cpuset_next(s, 0);

	buf[0] = '\0';
	while (c >= 0 && used < len) {
		int end = c;

		while (end + 1 < VIO_MAX_CPUS && vio_cpuset_has(s, (unsigned)end + 1))
			end++;
		if (end == c)
			used += (size_t)snprintf(buf + used, len - used, "%s%d", used ? "," : "", c);
		else
			used += (size_t)snprintf(buf + used, len - used, "%s%d-%d", used ? "," : "",
						 c, end);
		c = vio_cpuset_next(s, (unsigned)end + 1);
	}
	return buf;
}

/* Strict decimal: digits only, no sign or spaces, fits in unsigned long. */
static int parse_dec(const char *s, const char **end, unsigned long *out)
{
	unsigned long v = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned d = (unsigned)(*p - '0');

		if (v > (~0UL - d) / 10)
			return -ERANGE;
		v = v * 10 + d;
	}
	*end = p;
	*out = v;
	return 0;
}

static int parse_hex_mask(const char *str, struct vio_cpuset *out, char *err, size_t errlen)
{
	const char *digits = str + 2;
	size_t n = strlen(digits);

	if (n == 0)
		return vio_parse_fail(err, errlen, "hex CPU mask \"%s\" has no digits", str);
	vio_cpuset_zero(out);
	for (size_t i = 0; i < n; i++) {
		char ch = digits[n - 1 - i];
		unsigned v;

		if (!isxdigit((unsigned char)ch))
			return vio_parse_fail(err, errlen, "invalid character '%c' in hex CPU mask \"%s\"",
				    ch, str);
		v = (unsigned)(isdigit((unsigned char)ch) ? ch - '0' : tolower(ch) - 'a' + 10);
		for (unsigned b = 0; b < 4; b++) {
			if (!(v & (1u << b)))
				continue;
			if (i * 4 + b >= VIO_MAX_CPUS)
				return vio_parse_fail(err, errlen, "hex CPU mask \"%s\" names a CPU above %d",
					    str, VIO_MAX_CPUS - 1);
			vio_cpuset_set(out, (unsigned)(i * 4 + b));
		}
	}
	if (vio_cpuset_count(out) == 0)
		return vio_parse_fail(err, errlen, "CPU mask \"%s\" selects no CPU", str);
	return 0;
}

int vio_parse_cpuset(const char *str, struct vio_cpuset *out, char *err, size_t errlen)
{
	const char *p = str;

	if (!str || !*str)
		return vio_parse_fail(err, errlen, "empty CPU list");
	if (str[0] == '0' && (str[1] == 'x' || str[1] == 'X'))
		return parse_hex_mask(str, out, err, errlen);

	vio_cpuset_zero(out);
	for (;;) {
		unsigned long lo, hi;
		const char *end;

		if (parse_dec(p, &end, &lo))
			return vio_parse_fail(err, errlen, "malformed CPU list \"%s\" (expected numbers "
				    "like 1,2 or 1-3, or a 0x mask)", str);
		hi = lo;
		p = end;
		if (*p == '-') {
			if (parse_dec(p + 1, &end, &hi))
				return vio_parse_fail(err, errlen, "malformed CPU range in \"%s\"", str);
			p = end;
			if (hi < lo)
				return vio_parse_fail(err, errlen, "CPU range %lu-%lu in \"%s\" is reversed",
					    lo, hi, str);
		}
		if (hi >= VIO_MAX_CPUS)
			return vio_parse_fail(err, errlen, "CPU %lu in \"%s\" is above the maximum %d",
				    hi, str, VIO_MAX_CPUS - 1);
		for (unsigned long c = lo; c <= hi; c++)
			vio_cpuset_set(out, (unsigned)c);
		if (*p == '\0')
			return 0;
		if (*p != ',')
			return vio_parse_fail(err, errlen, "unexpected '%c' in CPU list \"%s\"", *p, str);
		p++;
	}
}

int vio_parse_uint(const char *str, unsigned long min, unsigned long max,
		   unsigned long *out, char *err, size_t errlen)
{
	const char *end;
	unsigned long v;

	if (!str || parse_dec(str, &end, &v) || *end != '\0')
		return vio_parse_fail(err, errlen, "\"%s\" is not a non-negative integer", str ? str : "");
	if (v < min || v > max)
		return vio_parse_fail(err, errlen, "%lu is out of range %lu-%lu", v, min, max);
	*out = v;
	return 0;
}

int vio_parse_bool(const char *str, bool *out, char *err, size_t errlen)
{
	static const char *const yes[] = {"true", "yes", "y", "on", "1"};
	static const char *const no[] = {"false", "no", "n", "off", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(str, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(str, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return vio_parse_fail(err, errlen, "\"%s\" is not a boolean (use true or false)", str);
}

/* Parse 1..maxdigits hex digits into *out; returns chars consumed or -EINVAL. */
static int hexfield(const char *p, int maxdigits, unsigned long *out)
{
	int n = 0;
	unsigned long v = 0;

	while (isxdigit((unsigned char)p[n])) {
		if (n == maxdigits)
			return -EINVAL;
		v = v * 16 + (unsigned long)(isdigit((unsigned char)p[n]) ? p[n] - '0'
					     : tolower(p[n]) - 'a' + 10);
		n++;
	}
	if (n == 0)
		return -EINVAL;
	*out = v;
	return n;
}

int vio_parse_pci(const char *str, struct vio_pci_addr *out, char *err, size_t errlen)
{
	unsigned long f[4];
	int nf = 0;
	const char *p = str;

	/* Up to three ':'-separated fields, then ".function". */
	for (;;) {
		int n = hexfield(p, nf == 0 ? 8 : 4, &f[nf]);

		if (n < 0 || nf == 3)
			goto bad;
		p += n;
		nf++;
		if (*p == ':') {
			p++;
			continue;
		}
		if (*p == '.' && (nf == 2 || nf == 3))
			break;
		goto bad;
	}
	p++;
	if (!isxdigit((unsigned char)*p) || p[1] != '\0')
		goto bad;
	f[nf] = (unsigned long)(isdigit((unsigned char)*p) ? *p - '0' : tolower(*p) - 'a' + 10);
	if (nf == 2) { /* short form bb:ss.f */
		f[3] = f[2];
		f[2] = f[1];
		f[1] = f[0];
		f[0] = 0;
	}
	if (f[0] > 0xffff || f[1] > 0xff || f[2] > 0x1f || f[3] > 7)
		return vio_parse_fail(err, errlen, "PCI address \"%s\" is out of range (domain <= ffff, "
			    "bus <= ff, device <= 1f, function <= 7)", str);
	out->domain = (uint32_t)f[0];
	out->bus = (uint8_t)f[1];
	out->slot = (uint8_t)f[2];
	out->function = (uint8_t)f[3];
	return 0;
bad:
	return vio_parse_fail(err, errlen, "malformed PCI address \"%s\" (expected dddd:bb:ss.f or bb:ss.f)",
		    str);
}

int vio_pci_cmp(const struct vio_pci_addr *a, const struct vio_pci_addr *b)
{
	uint64_t ka = ((uint64_t)a->domain << 24) | ((uint32_t)a->bus << 16) |
		      ((uint32_t)a->slot << 8) | a->function;
	uint64_t kb = ((uint64_t)b->domain << 24) | ((uint32_t)b->bus << 16) |
		      ((uint32_t)b->slot << 8) | b->function;

	return ka < kb ? -1 : ka > kb;
}

void vio_pci_format(const struct vio_pci_addr *a, char *buf, size_t len)
{
	snprintf(buf, len, "%04x:%02x:%02x.%x", a->domain, a->bus, a->slot, a->function);
}

/* Does the text look like someone meant a PCI address (hex, ':' and '.')? */
static bool pci_shaped(const char *s, size_t n)
{
	bool colon = false;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == ':')
			colon = true;
		else if (!isxdigit((unsigned char)s[i]) && s[i] != '.')
			return false;
	}
	return colon;
}

int vio_parse_vf_dev(const char *str, struct vio_vf_dev *out, char *err, size_t errlen)
{
	size_t len, namelen;
	const char *comma;

	memset(out, 0, sizeof(*out));
	if (!str || !*str)
		return vio_parse_fail(err, errlen, "empty device");
	len = strlen(str);
	if (len >= sizeof(out->devargs))
		return vio_parse_fail(err, errlen, "device string is longer than %zu characters",
			    sizeof(out->devargs) - 1);
	for (size_t i = 0; i < len; i++)
		if (isspace((unsigned char)str[i]) || !isprint((unsigned char)str[i]))
			return vio_parse_fail(err, errlen, "device string \"%s\" contains blanks or "
				    "control characters", str);
	comma = strchr(str, ',');
	namelen = comma ? (size_t)(comma - str) : len;
	if (namelen == 0)
		return vio_parse_fail(err, errlen, "device string \"%s\" has no device name", str);

	if (comma && comma[1] == '\0')
		return vio_parse_fail(err, errlen, "device string \"%s\" ends with ','", str);
	if (pci_shaped(str, namelen)) {
		char pci[64];

		if (namelen >= sizeof(pci))
			return vio_parse_fail(err, errlen, "malformed PCI address \"%.*s\"", (int)namelen,
				    str);
		memcpy(pci, str, namelen);
		pci[namelen] = '\0';
		if (vio_parse_pci(pci, &out->pci, err, errlen))
			return -EINVAL;
		out->is_pci = true;
		vio_pci_format(&out->pci, out->name, sizeof(out->name));
		/* The canonical address may be longer than the one given
		 * (05:08.1 -> 0000:05:08.1): never hand the PMD a cut string. */
		if ((size_t)snprintf(out->devargs, sizeof(out->devargs), "%s%s", out->name,
				     comma ? comma : "") >= sizeof(out->devargs))
			return vio_parse_fail(err, errlen, "device string is longer than %zu characters "
				    "with the PCI address written in full (%s)",
				    sizeof(out->devargs) - 1, out->name);
		return 0;
	}
	if (namelen >= sizeof(out->name))
		return vio_parse_fail(err, errlen, "device name in \"%s\" is too long", str);
	for (size_t i = 0; i < namelen; i++)
		if (!isalnum((unsigned char)str[i]) && str[i] != '_' && str[i] != '-')
			return vio_parse_fail(err, errlen, "\"%s\" is neither a PCI address nor a DPDK "
				    "device string (name[,key=value...])", str);
	if (!isalpha((unsigned char)str[0]))
		return vio_parse_fail(err, errlen, "\"%s\" is neither a PCI address nor a DPDK device "
			    "string (name[,key=value...])", str);
	memcpy(out->name, str, namelen);
	out->name[namelen] = '\0';
	memcpy(out->devargs, str, len + 1);
	return 0;
}

bool vio_vf_dev_same(const struct vio_vf_dev *a, const struct vio_vf_dev *b)
{
	if (a->is_pci != b->is_pci || a->is_bond != b->is_bond)
		return false;
	if (a->is_pci)
		return vio_pci_cmp(&a->pci, &b->pci) == 0;
	return strcmp(a->name, b->name) == 0;
}

size_t vio_utf8_seq(const unsigned char *s)
{
	unsigned char c = s[0];
	uint32_t cp, min;
	size_t n;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07, min = 0x10000;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

bool vio_utf8_valid(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = vio_utf8_seq(p);

		if (!n)
			return false;
		p += n;
	}
	return true;
}

void vio_utf8_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	while (*p) {
		size_t n = vio_utf8_seq(p);

		if (n) {
			p += n;
		} else {
			*p++ = '?';
		}
	}
}

/* Arguments a control client may give each driver: none reaches a file,
 * a program or a socket path (net_pcap's rx_pcap/tx_pcap write and read
 * files, net_vhost's iface creates a socket anywhere, net_tap's remote
 * mirrors a host interface...).  Drivers not listed here take none. */
static const struct {
	const char *driver;
	const char *keys[8];
} control_keys[] = {
	{"net_null", {"size", "copy", "no-rx"}},
	{"net_tap", {"iface", "mac"}},
	{"net_af_packet", {"iface", "qpairs", "blocksz", "framesz", "framecnt", "qdisc_bypass"}},
	{"net_pcap", {"iface", "rx_iface", "rx_iface_in", "tx_iface", "infinite_rx", "phy_mac"}},
	{"net_ring", {NULL}},
};

static bool key_allowed(const char *driver, const char *key, size_t keylen)
{
	for (size_t i = 0; i < sizeof(control_keys) / sizeof(control_keys[0]); i++) {
		if (strcmp(control_keys[i].driver, driver) != 0)
			continue;
		for (const char *const *k = control_keys[i].keys; *k; k++)
			if (strlen(*k) == keylen && strncmp(*k, key, keylen) == 0)
				return true;
	}
	return false;
}

static bool valid_driver_name(const char *s, size_t n)
{
	if (n == 0 || !islower((unsigned char)s[0]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)s[i]) && !isdigit((unsigned char)s[i]) && s[i] != '_')
			return false;
	return true;
}

int vio_parse_driver_list(const char *str, char *out, size_t outlen, char *err, size_t errlen)
{
	size_t used = 0;

	if (outlen)
		out[0] = '\0';
	while (*str) {
		size_t n = strcspn(str, ", \t");

		if (n) {
			if (!valid_driver_name(str, n))
				return vio_parse_fail(err, errlen, "\"%.*s\" is not a DPDK driver name "
					    "(e.g. net_tap)", (int)n, str);
			if (used + n + 2 > outlen)
				return vio_parse_fail(err, errlen, "driver list is too long");
			if (used)
				out[used++] = ',';
			memcpy(out + used, str, n);
			used += n;
			out[used] = '\0';
		}
		str += n;
		str += strspn(str, ", \t");
	}
	return 0;
}

/* The listed driver dev->name is an instance of: <driver><digits>. */
static const char *listed_driver(const char *name, const char *drivers, char *buf, size_t len)
{
	while (*drivers) {
		size_t n = strcspn(drivers, ",");

		if (n < len && strncmp(name, drivers, n) == 0 && name[n] &&
		    strspn(name + n, "0123456789") == strlen(name + n)) {
			memcpy(buf, drivers, n);
			buf[n] = '\0';
			return buf;
		}
		drivers += n;
		drivers += *drivers == ',';
	}
	return NULL;
}

int vio_vf_dev_control_check(const struct vio_vf_dev *dev, const char *drivers, char *err,
			     size_t errlen)
{
	const char *args = strchr(dev->devargs, ',');
	char driver[64];

	if (dev->is_pci) {
		if (args)
			return vio_parse_fail(err, errlen, "device arguments (\"%s\") are not accepted "
				    "from port control for a PCI device; give them in "
				    "VIRTIOFWD_STATIC_VFS", args + 1);
		return 0;
	}
	if (!listed_driver(dev->name, drivers ? drivers : "", driver, sizeof(driver)))
		return vio_parse_fail(err, errlen, "device %s: port control attaches PCI devices%s%s; a "
			    "virtual device must be <driver><number> of a driver listed in "
			    "VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS", dev->name,
			    drivers && *drivers ? " and devices of " : " only",
			    drivers && *drivers ? drivers : "");
	while (args) {
		const char *key = args + 1;
		size_t keylen = strcspn(key, "=,");

		if (!key_allowed(driver, key, keylen))
			return vio_parse_fail(err, errlen, "device %s: argument \"%.*s\" of %s is not "
				    "accepted from port control (it may reach files or programs); "
				    "arguments allowed: see docs/control.md", dev->name,
				    (int)keylen, key, driver);
		args = strchr(key, ',');
	}
	return 0;
}

int vio_parse_static_vf(const char *str, struct vio_vf_dev *dev, unsigned *relay_id,
			unsigned max_relays, char *err, size_t errlen)
{
	const char *eq = strrchr(str, '=');
	char devpart[VIO_DEVSTR_MAX];
	unsigned long id;
	char sub[VIO_ERR_MAX];

	if (!eq)
		return vio_parse_fail(err, errlen, "\"%s\" is not <device>=<relay-id>", str);
	if ((size_t)(eq - str) >= sizeof(devpart))
		return vio_parse_fail(err, errlen, "device in \"%s\" is too long", str);
	if (vio_parse_uint(eq + 1, 0, max_relays - 1, &id, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "relay id in \"%s\": %s (ids run from 0 to %u)", str,
			    sub, max_relays - 1);
	memcpy(devpart, str, (size_t)(eq - str));
	devpart[eq - str] = '\0';
	if (vio_parse_vf_dev(devpart, dev, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "device in \"%s\": %s", str, sub);
	*relay_id = (unsigned)id;
	return 0;
}

/* The relay id str begins with, up to end (a separator in str). */
static int relay_id_until(const char *str, const char *end, unsigned max_relays, unsigned *id,
			  char *sub, size_t sublen)
{
	char buf[64];
	unsigned long v;

	if ((size_t)(end - str) >= sizeof(buf))
		return vio_parse_fail(sub, sublen, "not a number");
	memcpy(buf, str, (size_t)(end - str));
	buf[end - str] = '\0';
	if (vio_parse_uint(buf, 0, max_relays - 1, &v, sub, sublen))
		return -EINVAL;
	*id = (unsigned)v;
	return 0;
}

int vio_parse_pin(const char *str, struct vio_pin *out, unsigned max_relays,
		  char *err, size_t errlen)
{
	const char *colon = strchr(str, ':');
	char buf[64], sub[VIO_ERR_MAX];
	unsigned long v;
	char *comma;

	if (!colon || strlen(str) >= sizeof(buf))
		return vio_parse_fail(err, errlen, "\"%s\" is not <relay>:<cpu>[,<cpu>]", str);
	if (relay_id_until(str, colon, max_relays, &out->relay, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "relay id in pin \"%s\": %s", str, sub);

	snprintf(buf, sizeof(buf), "%s", colon + 1);
	comma = strchr(buf, ',');
	if (comma)
		*comma = '\0';
	if (vio_parse_uint(buf, 0, VIO_MAX_CPUS - 1, &v, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "CPU in pin \"%s\": %s", str, sub);
	out->cpu_vf_to_vm = out->cpu_vm_to_vf = (unsigned)v;
	if (comma) {
		if (vio_parse_uint(comma + 1, 0, VIO_MAX_CPUS - 1, &v, sub, sizeof(sub)))
			return vio_parse_fail(err, errlen, "second CPU in pin \"%s\": %s", str, sub);
		out->cpu_vm_to_vf = (unsigned)v;
	}
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int vio_parse_guest_mac(const char *str, struct vio_guest_mac *out, unsigned max_relays, char *err,
			size_t errlen)
{
	const char *eq = strchr(str, '='), *m;
	char sub[VIO_ERR_MAX];

	if (!eq)
		return vio_parse_fail(err, errlen, "\"%s\" is not <relay>=<MAC>", str);
	if (relay_id_until(str, eq, max_relays, &out->relay, sub, sizeof(sub)))
		return vio_parse_fail(err, errlen, "relay id in \"%s\": %s", str, sub);
	m = eq + 1;
	for (unsigned i = 0; i < 6; i++, m += 3) {
		int hi = hex_digit(m[0]), lo = hi < 0 ? -1 : hex_digit(m[1]);
		char sep = i < 5 ? m[2] : '\0';

		if (lo < 0 || (i < 5 ? sep != ':' && sep != '-' : m[2] != '\0'))
			return vio_parse_fail(err, errlen,
					      "MAC address in \"%s\" is not of the form "
					      "52:54:00:12:34:56",
					      str);
		out->mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (out->mac[0] & 1)
		return vio_parse_fail(err, errlen, "MAC address in \"%s\" is a multicast address",
				      str);
	if (!(out->mac[0] | out->mac[1] | out->mac[2] | out->mac[3] | out->mac[4] | out->mac[5]))
		return vio_parse_fail(err, errlen, "MAC address in \"%s\" is all zeros", str);
	return 0;
}

int vio_parse_vfio_token(const char *str, char *out, size_t outlen, char *err, size_t errlen)
{
	static const int dash_at[] = {8, 13, 18, 23};

	if (!*str || strcasecmp(str, "none") == 0 || strcasecmp(str, "null") == 0) {
		out[0] = '\0';
		return 0;
	}
	if (strcmp(str, "0") == 0) {
		snprintf(out, outlen, "%s", VFIO_DEFAULT_TOKEN);
		return 0;
	}
	if (strlen(str) != 36)
		goto bad;
	for (int i = 0, d = 0; i < 36; i++) {
		if (d < 4 && i == dash_at[d]) {
			if (str[i] != '-')
				goto bad;
			d++;
		} else if (!isxdigit((unsigned char)str[i])) {
			goto bad;
		}
	}
	snprintf(out, outlen, "%s", str);
	return 0;
bad:
	return vio_parse_fail(err, errlen, "\"%s\" is not a VFIO VF token (None, 0 or a UUID "
		    "XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX)", str);
}

int vio_check_socket_pattern(const char *pattern, char *err, size_t errlen)
{
	int conversions = 0;

	if (!*pattern)
		return vio_parse_fail(err, errlen, "empty socket file-name pattern");
	if (strchr(pattern, '/'))
		return vio_parse_fail(err, errlen, "socket file-name pattern \"%s\" must be a file name, "
			    "not a path (set the directory separately)", pattern);
	for (const char *p = pattern; *p; p++) {
		if (*p != '%')
			continue;
		if (p[1] == '%') {
			p++;
			continue;
		}
		if (p[1] != 'u')
			return vio_parse_fail(err, errlen, "socket file-name pattern \"%s\" may only "
				    "contain %%u", pattern);
		conversions++;
		p++;
	}
	if (conversions != 1)
		return vio_parse_fail(err, errlen, "socket file-name pattern \"%s\" must contain exactly "
			    "one %%u (it has %d)", pattern, conversions);
	return 0;
}
