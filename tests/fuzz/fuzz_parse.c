/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the value parsers (src/parse.c).
 *
 * Input: one value.  It ends at its first NUL byte (as every C string the
 * parsers get does) and is copied into a heap block of exactly that length
 * + 1, so a read past the terminator is caught.  Every parser runs on it:
 * vio_parse_vf_dev (and the port-control policy vio_vf_dev_control_check on
 * what it accepts), vio_parse_static_vf, vio_parse_pin, vio_parse_cpuset,
 * vio_parse_pci, vio_parse_driver_list, the UTF-8 helpers and the smaller
 * parsers (uint, bool, VFIO token, socket pattern).  Checks on what they
 * accept:
 *   - a CPU set, printed with vio_cpuset_format and parsed again, is the same;
 *   - a PCI address, printed canonically and parsed again, is the same;
 *   - a device's devargs parse again to the same device and the same
 *     devargs, and keep all of the input's ",key=value" part (devargs is
 *     "the full string handed to rte_dev_probe");
 *   - a device port control may attach is a PCI address without arguments
 *     or <listed driver><digits>, and none of its arguments is one that
 *     reaches a file or a program (rx_pcap, tx_pcap, remote, path...);
 *   - a driver list, written back, reads back the same;
 *   - vio_utf8_valid agrees with a validator written here, and
 *     vio_utf8_sanitize leaves valid UTF-8 of the same length, valid text
 *     untouched;
 *   - relay ids and CPUs are within the limits given;
 *   - an accepted socket pattern is a safe printf format for one unsigned. */
#include <stdbool.h>
#include <string.h>

#include "fuzz.h"
#include "parse.h"

#define MAX_RELAYS 32

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	return 0;
}

static void check_dev(const char *str, const struct vio_vf_dev *dev)
{
	struct vio_vf_dev again;
	const char *comma = strchr(str, ',');
	char err[VIO_ERR_MAX];

	FUZZ_CHECK(dev->name[0] != '\0', "\"%s\": no name", str);
	FUZZ_CHECK(strlen(dev->devargs) < sizeof(dev->devargs), "devargs");
	FUZZ_CHECK(strncmp(dev->devargs, dev->name, strlen(dev->name)) == 0,
		   "\"%s\": devargs \"%s\" do not start with the name \"%s\"", str,
		   dev->devargs, dev->name);
	FUZZ_CHECK(strcmp(dev->devargs + strlen(dev->name), comma ? comma : "") == 0,
		   "\"%s\": devargs \"%s\" lost some of \"%s\"", str, dev->devargs,
		   comma ? comma : "");
	FUZZ_CHECK(vio_parse_vf_dev(dev->devargs, &again, err, sizeof(err)) == 0,
		   "\"%s\": its devargs \"%s\" do not parse: %s", str, dev->devargs, err);
	FUZZ_CHECK(vio_vf_dev_same(dev, &again) && again.is_pci == dev->is_pci &&
		   strcmp(again.devargs, dev->devargs) == 0 &&
		   strcmp(again.name, dev->name) == 0,
		   "\"%s\": devargs \"%s\" parse to another device", str, dev->devargs);
}

/* Every driver that has a policy, and one (net_vhost) that takes no argument. */
#define DRIVERS "net_tap,net_null,net_pcap,net_af_packet,net_ring,net_vhost"

/* Is name <driver><digits> for a driver of DRIVERS? */
static bool listed_instance(const char *name)
{
	for (const char *d = DRIVERS; *d;) {
		size_t n = strcspn(d, ",");

		if (strncmp(name, d, n) == 0 && name[n] &&
		    strspn(name + n, "0123456789") == strlen(name + n))
			return true;
		d += n + (d[n] == ',');
	}
	return false;
}

static void check_control(const char *str, const struct vio_vf_dev *dev)
{
	static const char *const never[] = {"rx_pcap", "tx_pcap", "remote", "path", "server",
					    "script", "queues_file", NULL};
	const char *args = strchr(dev->devargs, ',');
	char err[VIO_ERR_MAX];

	if (vio_vf_dev_control_check(dev, DRIVERS, err, sizeof(err)))
		return;
	if (dev->is_pci) {
		FUZZ_CHECK(args == NULL, "\"%s\": PCI device with arguments allowed", str);
		return;
	}
	FUZZ_CHECK(listed_instance(dev->name), "\"%s\": %s is not <listed driver><digits>",
		   str, dev->name);
	for (; args; args = strchr(args + 1, ',')) {
		size_t klen = strcspn(args + 1, "=,");

		for (const char *const *k = never; *k; k++)
			FUZZ_CHECK(strlen(*k) != klen || strncmp(args + 1, *k, klen) != 0,
				   "\"%s\": argument %s allowed from port control", str, *k);
	}
}

static void check_utf8(const char *str)
{
	char *copy = strdup(str);

	FUZZ_CHECK(copy != NULL, "strdup");
	FUZZ_CHECK(vio_utf8_valid(str) == fuzz_utf8_valid(str),
		   "vio_utf8_valid says %d for \"%s\"", vio_utf8_valid(str), str);
	vio_utf8_sanitize(copy);
	FUZZ_CHECK(strlen(copy) == strlen(str), "sanitizing changed the length");
	FUZZ_CHECK(fuzz_utf8_valid(copy), "sanitized \"%s\" is not valid UTF-8", copy);
	if (fuzz_utf8_valid(str))
		FUZZ_CHECK(strcmp(copy, str) == 0, "valid \"%s\" sanitized to \"%s\"", str,
			   copy);
	free(copy);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *str = fuzz_cstr(data, strnlen((const char *)data, size));
	char err[VIO_ERR_MAX], buf[1024];
	struct vio_vf_dev dev;
	struct vio_cpuset set, again;
	struct vio_pci_addr pci, pci2;
	struct vio_pin pin;
	unsigned long ul;
	unsigned relay;
	bool b;

	if (vio_parse_vf_dev(str, &dev, err, sizeof(err)) == 0) {
		check_dev(str, &dev);
		check_control(str, &dev);
	}
	check_utf8(str);
	{
		char list[256], list2[256];

		if (vio_parse_driver_list(str, list, sizeof(list), err, sizeof(err)) == 0) {
			FUZZ_CHECK(vio_parse_driver_list(list, list2, sizeof(list2), err,
							 sizeof(err)) == 0 &&
				   strcmp(list, list2) == 0,
				   "driver list \"%s\" written as \"%s\" reads back as \"%s\"",
				   str, list, list2);
		}
	}

	if (vio_parse_static_vf(str, &dev, &relay, MAX_RELAYS, err, sizeof(err)) == 0) {
		FUZZ_CHECK(relay < MAX_RELAYS, "relay %u", relay);
		FUZZ_CHECK(dev.name[0] != '\0', "no device name");
	}

	if (vio_parse_pin(str, &pin, MAX_RELAYS, err, sizeof(err)) == 0)
		FUZZ_CHECK(pin.relay < MAX_RELAYS && pin.cpu_vf_to_vm < VIO_MAX_CPUS &&
			   pin.cpu_vm_to_vf < VIO_MAX_CPUS, "pin %u:%u,%u", pin.relay,
			   pin.cpu_vf_to_vm, pin.cpu_vm_to_vf);

	if (vio_parse_cpuset(str, &set, err, sizeof(err)) == 0) {
		FUZZ_CHECK(vio_cpuset_count(&set) > 0, "\"%s\": empty CPU set", str);
		vio_cpuset_format(&set, buf, sizeof(buf));
		FUZZ_CHECK(vio_parse_cpuset(buf, &again, err, sizeof(err)) == 0,
			   "\"%s\" printed as \"%s\", which does not parse: %s", str, buf, err);
		FUZZ_CHECK(memcmp(&set, &again, sizeof(set)) == 0,
			   "\"%s\" printed as \"%s\", another set", str, buf);
	}

	if (vio_parse_pci(str, &pci, err, sizeof(err)) == 0) {
		vio_pci_format(&pci, buf, sizeof(buf));
		FUZZ_CHECK(strlen(buf) == 12, "\"%s\" printed as \"%s\"", str, buf);
		FUZZ_CHECK(vio_parse_pci(buf, &pci2, err, sizeof(err)) == 0 &&
			   vio_pci_cmp(&pci, &pci2) == 0,
			   "\"%s\" printed as \"%s\", another address", str, buf);
	}

	if (vio_parse_uint(str, 3, 4096, &ul, err, sizeof(err)) == 0)
		FUZZ_CHECK(ul >= 3 && ul <= 4096, "%lu", ul);
	vio_parse_bool(str, &b, err, sizeof(err));
	{
		char token[40];

		if (vio_parse_vfio_token(str, token, sizeof(token), err, sizeof(err)) == 0)
			FUZZ_CHECK(token[0] == '\0' || strlen(token) == 36, "token \"%s\"", token);
	}
	if (vio_check_socket_pattern(str, err, sizeof(err)) == 0) {
		int n = snprintf(buf, sizeof(buf), str, 4294967295u);

		FUZZ_CHECK(n >= 10, "pattern \"%s\" printed %d characters", str, n);
	}
	free(str);
	return 0;
}
