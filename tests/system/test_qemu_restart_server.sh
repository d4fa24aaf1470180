# SPDX-License-Identifier: BSD-3-Clause
# Server mode restarts under a real guest (issue 6 test 2; guide sections
# 10-11).  The forwarder serves the socket (the default) and QEMU connects.
#  (a) the guest is restarted (QEMU stopped, a new one started on the same
#      socket) under the running forwarder: traffic resumes (the first guest
#      runs the guide's section 10 netdev and device options);
#  (b) the forwarder is stopped with SIGTERM and started again under a guest
#      whose QEMU chardev has reconnect=1: the same guest (no reboot) gets
#      traffic again.  QEMU's default, reconnect=0, never reconnects: that
#      is why the guide says only VM restarts work in server mode.
# "Traffic resumes" is guest_stay_traffic (guest.sh), as in
# test_qemu_restart.sh: 5/5 pings, 2 MiB down and 1 MiB up checked by MD5,
# the daemon's counters non-zero both ways.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
guest_http_setup "$nsvf"
sock=$SOCKDIR/virtio-forwarder1.sock # the socket the forwarder serves

log "== (a) the guest restarts under the running forwarder"
daemon_start d1 "$nsvf" -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
# the guide's section 10 options on the netdev and the device (the guest
# then computes its own checksums: bit 0 off)
GUEST_NETDEV_OPTS=",vhostforce=on" \
	GUEST_DEVICE_OPTS=",csum=off,gso=off,guest_tso4=off,guest_tso6=off,guest_ecn=off" \
	guest_start g1 "$sock" 0 0 1 "vio.mode=stay"
guest_stay_traffic "start" "$nsvf" d1 g1
f=$(guest_value g1 FEATURES)
[ "${f:0:1}" = 0 ] || fail "csum=off on the device, yet the guest negotiated checksum offload: $f"
stop_name g1
GUEST_CHARDEV_OPTS=",reconnect=1" guest_start g2 "$sock" 0 0 1 "vio.mode=stay"
guest_stay_traffic "guest restart" "$nsvf" d1 g2

log "== (b) the forwarder restarts under a guest whose QEMU reconnects (reconnect=1)"
g2pid=${PID[g2]}
stop_and_reap d1 TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE after SIGTERM"
[ ! -e "$sock" ] || fail "the daemon left its socket behind"
daemon_start d2 "$nsvf" -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
guest_stay_traffic "forwarder restart" "$nsvf" d2 g2
[ "$(grep -ac 'GUEST: READY' "$T/g2.log")" = 1 ] && kill -0 "$g2pid" ||
	fail "the guest did not survive the forwarder restart"
touch "$T/www/done"
wait_log "$T/g2.log" "GUEST: DONE" 30 || fail "g2 did not finish (it polls the host until the end)"
stop_name g2
stop_and_reap d2 TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE after SIGTERM"
log "ok"
