#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Demo: the forwarder on a built-in topology, no hardware needed.
#
#   ns "vf": vf0 10.0.0.1  -- the "VF": a DPDK net_tap port of the daemon
#   virtio-forwarder relay 1  <->  /tmp/.../virtio-forwarder1.sock (vhost-user)
#   ns "vm": vm0 10.0.0.2  -- the "VM": dpdk-testpmd with a virtio-user port
#
# Shows ping both ways, 2000 frames each way checked byte for byte, and the
# relay's counters.  Everything is removed at the end.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
"$top/scripts/install-deps.sh"
"$top/scripts/build.sh"
export VIO_BIN="$top/build/src/virtio-forwarder" VIO_TOP="$top"
. "$top/tests/system/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
log "starting virtio-forwarder: relay 1 = net_tap0 (vf0 in $nsvf) <-> $SOCKDIR/virtio-forwarder1.sock"
daemon_start demo "$nsvf" -P "net_tap0,iface=vf0=1"
log "starting the VM (dpdk-testpmd, virtio-user on the socket, tap vm0 in $nsvm)"
vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
ip_up "$nsvf" vf0 10.0.0.1/24
ip_up "$nsvm" vm0 10.0.0.2/24
ping_until "$nsvf" 10.0.0.2 20 || fail "no ping reply"
log "ping VF side -> VM side:"
ip netns exec "$nsvf" ping -c 3 -i 0.2 10.0.0.2 | sed 's/^/    /'
log "ping VM side -> VF side:"
ip netns exec "$nsvm" ping -c 3 -i 0.2 10.0.0.1 | sed 's/^/    /'

N=2000
log "sending $N frames (60-1514 bytes) each way, checked byte for byte"
ip netns exec "$nsvm" $FRAMES recv vm0 DEMO1 $N --timeout 30 --out "$T/a.json" >/dev/null &
r1=$!
ip netns exec "$nsvf" $FRAMES recv vf0 DEMO2 $N --timeout 30 --out "$T/b.json" >/dev/null &
r2=$!
for f in a b; do for _ in $(seq 1 100); do [ -e "$T/$f.json.ready" ] && break; sleep 0.1; done; done
ip netns exec "$nsvf" $FRAMES send vf0 DEMO1 $N >/dev/null
ip netns exec "$nsvm" $FRAMES send vm0 DEMO2 $N >/dev/null
wait $r1 || true
wait $r2 || true
echo "    VF -> VM: $(cat "$T/a.json")"
echo "    VM -> VF: $(cat "$T/b.json")"
log "relay 1 counters (packets/bytes), from the daemon's SIGUSR1 dump:"
relay_stats demo 1 | sed 's/^/    /'
stop_name vm
stop_and_reap demo TERM
log "daemon stopped (exit status $EXIT_CODE); its log:"
grep -v '^VHOST_CONFIG\|tap_\|qdisc\|eth_dev_tap' "$T/demo.log" | sed 's/^/    /'
