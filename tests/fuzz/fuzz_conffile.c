/* SPDX-License-Identifier: BSD-3-Clause */
/* libFuzzer harness: the configuration file reader (src/conffile.c) and the
 * variable setters and validation behind it (src/config.c).
 *
 * Input: the text of a configuration file.  As vio_conffile_load() does, a
 * text with a NUL byte is refused; the rest is parsed with
 * vio_conffile_parse() from a heap copy of exactly len + 1 bytes, so a read
 * past the end of the file is caught.  Each assignment is applied to a
 * defaults-initialised configuration by config.c's own file callback, then
 * the result is validated against CPUs 0-3 online. */
#include <stdbool.h>
#include <string.h>

#include "conffile.h"
#include "config.h"
#include "fuzz.h"

#define MAX_RELAYS 32

static struct vio_config cfg;
static struct vio_cpuset online;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	FUZZ_CHECK(vio_parse_cpuset("0-3", &online, NULL, 0) == 0, "online CPUs");
	return 0;
}

/* The daemon's own callback, after two checks of what the lexer hands it. */
static int apply(void *ctx, const char *name, const char *const *values, size_t nvalues,
		 bool is_array, char *err, size_t errlen)
{
	FUZZ_CHECK(name[0] != '\0', "empty variable name");
	FUZZ_CHECK(is_array || nvalues == 1, "scalar %s with %zu values", name, nvalues);
	return vio_config_file_cb(ctx, name, values, nvalues, is_array, err, errlen);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[1024], verr[1024];
	char *text;
	int rc;

	if (memchr(data, '\0', size))
		return 0; /* vio_conffile_load() refuses NUL bytes */
	text = fuzz_cstr(data, size);
	vio_config_defaults(&cfg, MAX_RELAYS);
	err[0] = '\0';
	rc = vio_conffile_parse(text, apply, &cfg, err, sizeof(err));
	if (rc == 0) {
		int vf_to_vm, vm_to_vf;

		FUZZ_CHECK(cfg.n_pins <= sizeof(cfg.pins) / sizeof(cfg.pins[0]), "%u pins",
			   cfg.n_pins);
		FUZZ_CHECK(cfg.n_static_vfs <= VIO_RELAYS_HARD_MAX, "%u static VFs",
			   cfg.n_static_vfs);
		vio_config_validate(&cfg, &online, verr, sizeof(verr));
		for (unsigned r = 0; r < MAX_RELAYS; r++)
			vio_config_relay_pins(&cfg, r, &vf_to_vm, &vm_to_vf);
	} else {
		FUZZ_CHECK(strncmp(err, "line ", 5) == 0, "error without a line number: %s", err);
	}
	free(text);
	return 0;
}
