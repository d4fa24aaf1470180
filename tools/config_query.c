/* virtioforwarder_config: the relay to worker CPU map from the config
 * service, printed in protobuf text format. */
#include <getopt.h>
#include <stdio.h>

#include "client.h"
#include "pb_text.h"
#include "virtioforwarder.pb-c.h"

#define PROG "virtioforwarder_config"

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config-ep", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	Virtioforwarder__ConfigRequest req = VIRTIOFORWARDER__CONFIG_REQUEST__INIT;
	Virtioforwarder__ConfigResponse *resp;
	const char *ep = VIO_DEFAULT_EP_DIR "config";
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'e':
			ep = optarg;
			break;
		case 'h':
			printf("usage: " PROG " [--config-ep=EP]  (default " VIO_DEFAULT_EP_DIR
			       "config)\nexit: 0 ok, 1 error reply, 2 bad usage, 3 no reply\n");
			return VIO_EXIT_OK;
		default:
			return VIO_EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[optind]);
		return VIO_EXIT_USAGE;
	}
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
