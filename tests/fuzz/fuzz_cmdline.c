/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the command line (src/cmdline.c) onto the variable
 * table (src/config.c).
 *
 * Input: the arguments, separated by NUL or newline bytes (a final separator
 * ends the last argument; two in a row give an empty argument), each copied
 * into its own heap block of exactly its length + 1.  "virtio-forwarder" is
 * prepended and the whole parsed into a defaults-initialised configuration,
 * which is then validated against CPUs 0-3 online.  vio_cmdline_parse()
 * resets getopt itself (optind = 0, which also clears glibc's position
 * inside a word such as "-hv"): the harness deliberately does not, so a
 * parse that depended on the previous one would show up as an unstable or
 * crashing input.
 *
 * The configuration file: the default path points at a small valid file the
 * harness writes into a memfd at start-up, so every run reads it
 * (file values, then options on top).  Inputs that could name another file
 * are skipped: any short-option word containing 'f' (-f, -nf...) and any
 * long option that abbreviates --config.  Otherwise a fuzzed path could open
 * a device (/dev/watchdog, a tty, a FIFO) as root. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "cmdline.h"
#include "config.h"
#include "fuzz.h"

#define MAX_RELAYS 32
#define MAX_ARGS 256

static struct vio_config cfg;
static struct vio_cpuset online;
static char conf_path[64];

/* Pins and static VFs too, so that options replacing the file's lists run. */
static const char conf_text[] =
	"# written by fuzz_cmdline\n"
	"VIRTIOFWD_CPU_MASK=1,2\n"
	"VIRTIOFWD_MASTER_LCORE=0\n"
	"VIRTIOFWD_DYNAMIC_SOCKETS=false\n"
	"VIRTIOFWD_SOCKET_DIR=/tmp/vio-fuzz\n"
	"VIRTIOFWD_CPU_PINS=(0:1 1:2,1)\n"
	"VIRTIOFWD_STATIC_VFS=(0000:05:08.1=0 net_tap0,iface=vf0=1)\n";

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* The file lives in memory and goes with the process, crash or not; it
	 * is read on every run through its /proc path. */
	int fd = memfd_create("vio-fuzz-cmdline.conf", 0);

	FUZZ_CHECK(vio_parse_cpuset("0-3", &online, NULL, 0) == 0, "online CPUs");
	FUZZ_CHECK(fd >= 0, "memfd_create");
	FUZZ_CHECK(write(fd, conf_text, sizeof(conf_text) - 1) == (ssize_t)sizeof(conf_text) - 1,
		   "cannot write the configuration file");
	snprintf(conf_path, sizeof(conf_path), "/proc/self/fd/%d", fd);
	return 0;
}

/* Could this word make getopt take a configuration file name? */
static bool names_a_file(const char *a)
{
	if (a[0] == '-' && a[1] != '-')
		return strchr(a, 'f') != NULL;
	if (a[0] == '-' && a[1] == '-' && a[2] != '\0') {
		size_t n = strcspn(a + 2, "=");

		return n <= strlen("config") && strncmp(a + 2, "config", n) == 0;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char prog[] = "virtio-forwarder";
	char *owned[MAX_ARGS], **argv;
	enum vio_cmdline_action action;
	char err[2048], verr[1024];
	size_t start = 0, n = 0;
	bool skip = false;

	for (size_t i = 0; size > 0 && i <= size; i++) {
		if (i < size && data[i] != '\0' && data[i] != '\n')
			continue;
		if (i == size && start == size)
			break; /* the input ended with a separator */
		if (n == MAX_ARGS) {
			skip = true;
			break;
		}
		owned[n] = fuzz_cstr(data + start, i - start);
		if (names_a_file(owned[n]))
			skip = true;
		n++;
		start = i + 1;
	}
	if (!skip) {
		argv = malloc((n + 2) * sizeof(*argv));
		FUZZ_CHECK(argv != NULL, "malloc");
		argv[0] = prog;
		memcpy(argv + 1, owned, n * sizeof(*argv));
		argv[n + 1] = NULL;

		vio_config_defaults(&cfg, MAX_RELAYS);
		snprintf(cfg.config_file, sizeof(cfg.config_file), "%s", conf_path);
		err[0] = '\0';
		if (vio_cmdline_parse((int)n + 1, argv, &cfg, &action, err, sizeof(err)) == 0) {
			FUZZ_CHECK(action == VIO_CMD_RUN || action == VIO_CMD_HELP ||
				   action == VIO_CMD_VERSION, "action %d", (int)action);
			FUZZ_CHECK(strcmp(cfg.config_file, conf_path) == 0,
				   "configuration file changed to %s", cfg.config_file);
			if (action == VIO_CMD_RUN)
				vio_config_validate(&cfg, &online, verr, sizeof(verr));
		} else {
			FUZZ_CHECK(err[0] != '\0', "failed without a message");
		}
		free(argv);
	}
	for (size_t i = 0; i < n; i++)
		free(owned[i]);
	return 0;
}
