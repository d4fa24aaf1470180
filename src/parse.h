/* SPDX-License-Identifier: BSD-3-Clause */
/* Value parsers shared by the configuration file, the command line and the
 * control services.  Every parser is pure: it touches no global state, and
 * on failure it writes a human-readable reason into err and returns -EINVAL
 * (every int-returning parser below: 0 or -EINVAL with the reason).
 */
#ifndef VIO_PARSE_H
#define VIO_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VIO_MAX_CPUS 128      /* == RTE_MAX_LCORE in Debian's DPDK build */
#define VIO_DEVSTR_MAX 256    /* longest VF device string accepted */
#define VIO_ERR_MAX 256

/* A set of CPU numbers, VIO_MAX_CPUS wide. */
struct vio_cpuset {
	uint64_t bits[VIO_MAX_CPUS / 64];
};

void vio_cpuset_zero(struct vio_cpuset *s);
void vio_cpuset_set(struct vio_cpuset *s, unsigned cpu);
bool vio_cpuset_has(const struct vio_cpuset *s, unsigned cpu);
unsigned vio_cpuset_count(const struct vio_cpuset *s);
/* Next member >= from, or -1. */
int vio_cpuset_next(const struct vio_cpuset *s, unsigned from);
/* "1,3-5" rendering; returns buf. */
char *vio_cpuset_format(const struct vio_cpuset *s, char *buf, size_t len);

/* "1,2", "0-3,6" or a hex bitmap "0x6". */
int vio_parse_cpuset(const char *str, struct vio_cpuset *out, char *err, size_t errlen);

/* Decimal unsigned integer in [min, max], no sign, no trailing garbage. */
int vio_parse_uint(const char *str, unsigned long min, unsigned long max,
		   unsigned long *out, char *err, size_t errlen);

/* true/false, yes/no, y/n, on/off, 1/0 (any case). */
int vio_parse_bool(const char *str, bool *out, char *err, size_t errlen);

struct vio_pci_addr {
	uint32_t domain;
	uint8_t bus, slot, function;
};

/* "0000:05:08.1" or "05:08.1", hex in any case.  Compares as numbers. */
int vio_parse_pci(const char *str, struct vio_pci_addr *out, char *err, size_t errlen);
int vio_pci_cmp(const struct vio_pci_addr *a, const struct vio_pci_addr *b);
/* Canonical lower-case "dddd:bb:ss.f"; buf must hold 13 bytes. */
void vio_pci_format(const struct vio_pci_addr *a, char *buf, size_t len);

/* A VF-side device: a PCI address (optionally followed by ",devargs") or a
 * DPDK device string "name[,key=value...]". */
struct vio_vf_dev {
	bool is_pci;
	bool is_bond;                   /* a bond's identity (bond.h), not a device */
	struct vio_pci_addr pci;        /* valid when is_pci */
	char name[64];                  /* "0000:05:08.1" or "net_tap0" */
	char devargs[VIO_DEVSTR_MAX];   /* full string handed to rte_dev_probe */
};

int vio_parse_vf_dev(const char *str, struct vio_vf_dev *out, char *err, size_t errlen);
/* Same device?  PCI compares numerically, others by device name. */
bool vio_vf_dev_same(const struct vio_vf_dev *a, const struct vio_vf_dev *b);

/* Port control may attach PCI addresses (without arguments) and the virtual
 * devices of the drivers listed in "drivers" (VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS,
 * comma separated), named <driver><digits>, with the arguments of that
 * driver which reach neither files nor programs (docs/control.md).  0, or
 * -EINVAL with the reason in err. */
int vio_vf_dev_control_check(const struct vio_vf_dev *dev, const char *drivers, char *err,
			     size_t errlen);
/* A driver list as VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS takes it: names
 * separated by commas or blanks, written back comma separated. */
int vio_parse_driver_list(const char *str, char *out, size_t outlen, char *err, size_t errlen);

/* Length of the valid UTF-8 sequence at s (1-4), or 0 when the bytes there
 * are not one (overlong forms, surrogates and code points above U+10FFFF
 * are not). */
size_t vio_utf8_seq(const unsigned char *s);
bool vio_utf8_valid(const char *s);
/* Replace every byte that is not part of a valid UTF-8 sequence with '?',
 * in place: text echoed from a request into a protobuf string field. */
void vio_utf8_sanitize(char *s);

/* "<device>=<relay-id>": the id is what follows the last '='. */
int vio_parse_static_vf(const char *str, struct vio_vf_dev *dev, unsigned *relay_id,
			unsigned max_relays, char *err, size_t errlen);

/* "<relay>:<cpu>[,<cpu>]".  cpu_vm_to_vf == cpu_vf_to_vm when one is given. */
struct vio_pin {
	unsigned relay;
	unsigned cpu_vf_to_vm;
	unsigned cpu_vm_to_vf;
};
int vio_parse_pin(const char *str, struct vio_pin *out, unsigned max_relays,
		  char *err, size_t errlen);

/* "<relay>=<MAC>": the guest MAC of a relay, six hex byte pairs separated
 * by ':' (or '-'); a multicast or all-zero address is refused. */
struct vio_guest_mac {
	unsigned relay;
	uint8_t mac[6];
};
int vio_parse_guest_mac(const char *str, struct vio_guest_mac *out, unsigned max_relays, char *err,
			size_t errlen);

/* VFIO VF token: "" / "none" / "null" (none), "0" (DPDK default token) or a UUID. */
int vio_parse_vfio_token(const char *str, char *out, size_t outlen, char *err, size_t errlen);

/* A socket file-name pattern with exactly one %u and no other conversion. */
int vio_check_socket_pattern(const char *pattern, char *err, size_t errlen);

/* Format a message into err (when err and errlen are set) and return -EINVAL:
 * the parsers' error path, shared with bond.c. */
int vio_parse_fail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#endif
