#!/bin/busybox sh
# SPDX-License-Identifier: BSD-3-Clause
# /init of the test guest.  Kernel command line: vio.ip=A/N vio.peer=B.
# Prints "GUEST: ..." lines on the console for the host to check, serves a
# random file over HTTP, downloads one from the host, then powers off once
# the host publishes http://PEER:8000/done (or after 90 s).
# With vio.mq=A,B,C (multiqueue test) it instead routes: it forwards what
# the host sends it back to the host (a forwarded packet's TX queue follows
# its flow hash, unlike a socket's), and for each count k-th in the list sets
# that many combined channels, prints "GUEST: PHASE k READY", and waits for
# http://PEER:8000/go<k> before the next.
# With vio.mode=stay (restart test) it stays up across restarts of the
# forwarder: see its block below.
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover \
	net_failover virtio_net; do
	insmod /lib/$m.ko
done
for x in $(cat /proc/cmdline); do
	case $x in
	vio.ip=*) IP=${x#vio.ip=} ;;
	vio.peer=*) PEER=${x#vio.peer=} ;;
	vio.mq=*) MQ=${x#vio.mq=} ;;
	vio.mode=*) MODE=${x#vio.mode=} ;;
	esac
done
# ---- vio.mode=idle | failover: the guest of the migration tests --------
# It configures its address, prints "GUEST: READY" and then stays quiet (it
# only answers what the host sends it) until QEMU is killed: the host pings
# it across a live migration.  In failover mode the virtio-net device is the
# standby (failover=on) of a vmxnet3 primary that QEMU hot-plugs once the
# driver has negotiated VIRTIO_NET_F_STANDBY: the address goes on the
# net_failover master, and "GUEST: FAILOVER master=M standby=S primary=P"
# names the three interfaces once both slaves are enslaved; "GUEST: SLAVES n"
# reports each change of the slave count (the primary leaving and coming back).
if [ "${MODE:-}" = idle ] || [ "${MODE:-}" = failover ]; then
	# No IPv6: its chatter (MLD, router and neighbour solicitations) would
	# leave through the failover slaves too, with the shared MAC, and move
	# the bridge's FDB entry to the standby's port, where net_failover drops
	# what arrives while the primary is present (RX_HANDLER_EXACT).
	for c in all default; do echo 1 >/proc/sys/net/ipv6/conf/$c/disable_ipv6; done
	ip link set lo up
	dev=eth0
	if [ "$MODE" = failover ]; then
		insmod /lib/vmxnet3.ko
		i=0
		while [ $i -lt 120 ]; do
			master="" standby="" primary=""
			for n in /sys/class/net/*; do
				[ -e "$n/master" ] || continue
				master=$(basename "$(readlink "$n/master")")
				case "$(basename "$(readlink "$n/device/driver")")" in
				virtio_net) standby=$(basename "$n") ;;
				*) primary=$(basename "$n") ;;
				esac
			done
			[ -n "$standby" ] && [ -n "$primary" ] && break
			sleep 0.25
			i=$((i + 1))
		done
		echo "GUEST: FAILOVER master=$master standby=$standby primary=$primary"
		dev=$master
		[ -n "$dev" ] || dev=eth0
	fi
	ip link set "$dev" up
	ip addr add "$IP" dev "$dev"
	echo "GUEST: FEATURES $(cat /sys/bus/virtio/devices/virtio0/features)"
	echo "GUEST: READY $dev"
	while :; do
		sleep 1
		# the primary comes back after a migration: say so
		if [ "$MODE" = failover ]; then
			n=0
			for x in /sys/class/net/*; do [ -e "$x/master" ] && n=$((n + 1)); done
			if [ "$n" != "${last:-}" ]; then
				echo "GUEST: SLAVES $n"
				last=$n
			fi
			# the primary's own counters, every 2 s while they move
			for x in /sys/class/net/*; do
				[ -e "$x/master" ] || continue
				case "$(basename "$(readlink "$x/device/driver")")" in virtio_net) continue ;; esac
				p="$(basename "$x") rx=$(cat "$x/statistics/rx_packets") tx=$(cat "$x/statistics/tx_packets")"
				if [ "$p" != "${lastp:-}" ] && [ $((${tick:=0} % 2)) = 0 ]; then
					echo "GUEST: PRIMARY $p"
					lastp=$p
				fi
			done
			tick=$((${tick:-0} + 1))
		fi
	done
fi
# ---- end of vio.mode -------------------------------------------------------
ip link set lo up
ip link set eth0 up
ip addr add "$IP" dev eth0
echo "GUEST: FEATURES $(cat /sys/bus/virtio/devices/virtio0/features)"
if ping -c 3 -W 3 "$PEER" >/dev/null; then echo "GUEST: PING OK"; else echo "GUEST: PING FAIL"; fi
wait_for() { # URL: until the host publishes it (up to 90 s)
	i=0
	while [ $i -lt 180 ]; do
		wget -q -O /dev/null "$1" 2>/dev/null && return 0
		sleep 0.5
		i=$((i + 1))
	done
	return 1
}
if [ -n "${MQ:-}" ]; then
	echo 1 >/proc/sys/net/ipv4/ip_forward
	for c in all default eth0; do
		echo 0 >/proc/sys/net/ipv4/conf/$c/send_redirects
		echo 0 >/proc/sys/net/ipv4/conf/$c/rp_filter
	done
	ip route add default via "$PEER"
	k=1
	for n in $(echo "$MQ" | tr ',' ' '); do
		echo "GUEST: CHANNELS $(setchannels eth0 "$n" | tr ' ' '_')"
		echo "GUEST: PHASE $k READY"
		wait_for "http://$PEER:8000/go$k"
		k=$((k + 1))
	done
	echo "GUEST: DONE"
	poweroff -f
fi
# ---- vio.mode=stay (tests/system/test_qemu_restart.sh) ----------------------
# Stays up while the host restarts the forwarder under it.  Serves a random
# file over HTTP on port 8080 ("GUEST: UP md5"), answers pings, prints
# "GUEST: READY", then polls http://PEER:8000/round: each time the number
# there changes it downloads http://PEER:8000/blob and prints
# "GUEST: ROUND n md5" (a failed download is retried on the next poll, so a
# round is reported only once its download completed).  Powers off when
# http://PEER:8000/done appears, or after 300 s of uptime.
if [ "${MODE:-}" = stay ]; then
	mkdir -p /tmp/www
	dd if=/dev/urandom of=/tmp/www/up bs=1024 count=1024 2>/dev/null
	httpd -p 8080 -h /tmp/www
	echo "GUEST: UP $(md5sum /tmp/www/up | cut -d' ' -f1)"
	echo "GUEST: READY"
	last=
	# busybox 1.35's static wget crashes with -T: bound it with timeout
	while [ "$(cut -d. -f1 /proc/uptime)" -lt 300 ]; do
		timeout 2 wget -q -O /dev/null "http://$PEER:8000/done" 2>/dev/null && break
		r=$(timeout 2 wget -q -O - "http://$PEER:8000/round" 2>/dev/null)
		if [ -n "$r" ] && [ "$r" != "$last" ] &&
			timeout 10 wget -q -O /tmp/down "http://$PEER:8000/blob" 2>/dev/null; then
			echo "GUEST: ROUND $r $(md5sum /tmp/down | cut -d' ' -f1)"
			last=$r
		fi
		sleep 0.3
	done
	echo "GUEST: DONE"
	poweroff -f
fi
# ---- end of vio.mode=stay ----------------------------------------------------
if wget -q -O /tmp/down "http://$PEER:8000/blob"; then
	echo "GUEST: DOWN $(md5sum /tmp/down | cut -d' ' -f1)"
else
	echo "GUEST: DOWN FAIL"
fi
mkdir -p /tmp/www
dd if=/dev/urandom of=/tmp/www/up bs=1024 count=2048 2>/dev/null
httpd -p 8080 -h /tmp/www
echo "GUEST: UP $(md5sum /tmp/www/up | cut -d' ' -f1)"
i=0
while [ $i -lt 180 ]; do
	wget -q -O /dev/null "http://$PEER:8000/done" 2>/dev/null && break
	sleep 0.5
	i=$((i + 1))
done
echo "GUEST: DONE"
poweroff -f
