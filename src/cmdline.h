/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line of the daemon: the original virtio-forwarder's long and short
 * option names, each mapped onto a configuration variable (config.h). */
#ifndef VIO_CMDLINE_H
#define VIO_CMDLINE_H

#include <stddef.h>

#include "config.h"

enum vio_cmdline_action { VIO_CMD_RUN, VIO_CMD_HELP, VIO_CMD_VERSION };

/* Parse argv into c: built-in defaults, then the configuration file (from
 * --config/-f, else the default path; a missing default file is fine), then
 * the command-line options, which override the file.  Returns 0, or a
 * negative errno with a message in err: -EINVAL for a bad option or value,
 * what reading an explicit configuration file failed with (-ENOENT...). */
int vio_cmdline_parse(int argc, char **argv, struct vio_config *c,
		      enum vio_cmdline_action *action, char *err, size_t errlen);

void vio_cmdline_usage(const char *prog);

#endif
