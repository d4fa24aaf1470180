/* SPDX-License-Identifier: BSD-3-Clause */
/* setchannels IFACE N: set a NIC's combined channel count (what `ethtool -L
 * IFACE combined N` does), for the test guest, whose busybox has no
 * ethtool.  Built statically by mkguest.sh.  Prints the count in use. */
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static int channels(int fd, const char *ifname, struct ethtool_channels *ch, unsigned cmd)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ch->cmd = cmd;
	ifr.ifr_data = (char *)ch;
	return ioctl(fd, SIOCETHTOOL, &ifr);
}

int main(int argc, char **argv)
{
	struct ethtool_channels ch = {0};
	int fd;

	if (argc != 3) {
		fprintf(stderr, "usage: setchannels IFACE N\n");
		return 2;
	}
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0 || channels(fd, argv[1], &ch, ETHTOOL_GCHANNELS)) {
		perror("setchannels: get");
		return 1;
	}
	ch.combined_count = (unsigned)atoi(argv[2]);
	if (channels(fd, argv[1], &ch, ETHTOOL_SCHANNELS)) {
		perror("setchannels: set");
		return 1;
	}
	memset(&ch, 0, sizeof(ch));
	if (channels(fd, argv[1], &ch, ETHTOOL_GCHANNELS)) {
		perror("setchannels: get");
		return 1;
	}
	printf("%u of %u\n", ch.combined_count, ch.max_combined);
	close(fd);
	return 0;
}
