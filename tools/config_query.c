/* SPDX-License-Identifier: BSD-3-Clause */
/* virtioforwarder_config: the relay to worker CPU map from the config
 * service, printed in protobuf text format. */
#include <stdio.h>

#include "cli.h"
#include "client.h"
#include "pb_text.h"
#include "virtioforwarder.pb-c.h"

#define PROG "virtioforwarder_config"

static void usage(FILE *f)
{
	fprintf(f, "usage: " PROG " [--config-ep=EP]  (default " VIO_DEFAULT_EP_DIR "config)\n"
		   "exit: 0 ok, 1 error reply, 2 bad usage, 3 no reply\n");
}

int main(int argc, char **argv)
{
	Virtioforwarder__ConfigRequest req = VIRTIOFORWARDER__CONFIG_REQUEST__INIT;
	Virtioforwarder__ConfigResponse *resp;
	const char *ep = VIO_DEFAULT_EP_DIR "config";
	const struct vio_cli_opt opts[] = {
		{"config-ep", required_argument, 'e', &ep},
		{NULL, 0, 0, NULL},
	};
	/* bad usage: getopt's message or the operand named, no usage */
	const struct vio_cli cli = {
		.prog = PROG, .usage = usage, .opts = opts, .terse = true, .name_extra = true};
	int rc;

	while (vio_cli_next(&cli, argc, argv) != -1)
		; /* its one option is a string */
	resp = (Virtioforwarder__ConfigResponse *)vio_call(
		PROG, ep, &req.base, &virtioforwarder__config_response__descriptor,
		VIO_REPLY_TIMEOUT_MS);
	if (!resp)
		return VIO_EXIT_NO_REPLY;
	vio_pb_print(stdout, &resp->base);
	rc = resp->status == VIRTIOFORWARDER__CONFIG_RESPONSE__STATUS__OK ? VIO_EXIT_OK
									   : VIO_EXIT_ERROR_REPLY;
	protobuf_c_message_free_unpacked(&resp->base, NULL);
	return rc;
}
