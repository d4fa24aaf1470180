# SPDX-License-Identifier: BSD-3-Clause
# Issue 13, defect 9: a VF whose NUMA node is -1 (every virtual device; some
# platforms report -1 for PCI devices too) got a pool with socket_id -1, so
# every VM connect "moved" its buffers to the VM's node: the configured
# port's RX queue was set up again on a new pool (net_pcap with infinite_rx
# then forwarded nothing, its pool drained), and the old pool was kept,
# never freed, once per VF attach + VM connect.  Now the pool's memory node
# is compared, not the port's declared one.  Checks, over three VM connects
# and a VF detach/attach: traffic from the VF reaches the VM after every
# connect, no buffers move on a single-node host, and the daemon's mempools
# and heap come back to what they were.
. "$(dirname "$0")/lib.sh"

ns=$(ns_add d)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
python3 - "$T/in.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    for i in range(64):
        frame = bytes([2] * 6 + [4] * 6 + [0x88, 0xb5]) + bytes([i]) * 50
        f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
PY
daemon_start d "$ns" -P "net_pcap0,rx_pcap=$T/in.pcap,infinite_rx=1=1" \
	--zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_null

vm() { # NAME: testpmd receiving on relay 1 until stopped
	PREFIXES+=("vio-$1-$TAG")
	testpmd "$ns" -l 0,1 --main-lcore 1 --no-huge -m 512 --no-pci --file-prefix "vio-$1-$TAG" \
		--vdev "net_virtio_user0,path=$SOCKDIR/virtio-forwarder1.sock,queues=1" \
		-- --forward-mode=rxonly --nb-cores=1 --stats-period 3600 --total-num-mbufs=8192 \
		--disable-link-check >"$T/$1.log" 2>&1 &
	PID[$1]=$!
}
tx_to_vm() { stat_of "$(relay_stats d 1)" vf_to_vm.tx 1; }

base=""
for c in 1 2 3; do
	vm "vm$c"
	wait_log "$T/d.log" "relay 1: VM connected" 20 || fail "VM $c did not connect"
	n0=$(tx_to_vm)
	sleep 2
	n1=$(tx_to_vm)
	[ "$n1" -gt "$((n0 + 1000))" ] || fail "connect $c: the VF's frames do not reach the VM ($n0 -> $n1)"
	stop_name "vm$c"
	for _ in $(seq 1 50); do [ "$(grep -c 'relay 1: VM disconnected' "$T/d.log")" -ge $c ] && break; sleep 0.1; done
	res=$(resources d)
	log "connect $c: $((n1 - n0)) frames to the VM in 2 s; $res"
	[ -n "$base" ] || base=$res
	[ "${res% heap*}" = "${base% heap*}" ] || fail "connect $c: resources changed: $base -> $res"
done
! grep -q "buffers moved" "$T/d.log" || fail "buffers were moved on a single-node host: $(grep 'buffers moved' "$T/d.log" | head -1)"

# A VF attached and detached through port control with a VM connected.
vm vm4
wait_log "$T/d.log" "relay 1: VM connected" 20 || fail "VM 4 did not connect"
before=$(resources d)
for i in 1 2 3; do
	$PC add --virtio-id=2 --device=net_null2 || fail "add $i"
	$PC remove --virtio-id=2 || fail "remove $i"
done
after=$(resources d)
[ "${after% heap*}" = "${before% heap*}" ] || fail "VF attach/detach: resources changed: $before -> $after"
stop_name vm4
log "PASS: traffic after every connect, no move, mempools constant ($after)"
