# SPDX-License-Identifier: BSD-3-Clause
# Multiqueue (issue 4, tests 1 and 2; guide section 12): a virtio-user "VM"
# with 4, 8 and 32 queue pairs that loops every RX queue back to the TX
# queue of the same number (testpmd io forwarding on one port).  Many UDP
# flows (IPv4, IPv6, VLAN-tagged) leave the VF-side tap and come back on it:
# VF->VM spreads them over the guest RX queues by flow hash, the guest sends
# each back on the same queue, VM->VF drains every TX queue.  Checks: every
# frame back byte for byte and in order within its flow; every enabled ring
# used in both directions (per-ring counts from the daemon's ring dump);
# per-direction totals.
#
# DPDK 22.11's virtio-user allows at most 8 queue pairs ("arg queues 32
# exceeds the limit 8") and enables every pair it has, whatever testpmd
# polls, so 32 pairs, more than 32, and queues enabled or disabled at run
# time are tested with a real guest (test_qemu_multiqueue).
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1" --loglevel=7
ip_up "$nsvf" vf0 10.99.0.1/24

# loop_vm NAME QUEUES ENABLED: testpmd with QUEUES pairs, ENABLED of them
# configured (the others stay disabled), io forwarding rxq n -> txq n.
loop_vm() {
	local name=$1 q=$2 en=$3 prefix="vio-$1-$TAG"
	PREFIXES+=("$prefix")
	: >"$T/$name.log"
	testpmd "$nsvm" -l 0,1 --main-lcore 1 --no-huge -m 1024 --no-pci \
		--file-prefix "$prefix" \
		--vdev "net_virtio_user0,path=$SOCKDIR/virtio-forwarder1.sock,queues=$q" \
		-- --forward-mode=io --nb-cores=1 --rxq="$en" --txq="$en" --rxd=256 --txd=256 \
		--stats-period 3600 --total-num-mbufs=65536 --disable-link-check \
		>>"$T/$name.log" 2>&1 &
	PID[$name]=$!
	wait_count "relay 1: VM connected" $((++connects)) || fail "$name did not connect"
	wait_log "$T/$name.log" "io packet forwarding - ports" 30 || fail "$name: testpmd did not start"
}
connects=0
wait_count() { # PATTERN N: until the daemon's log has N lines with PATTERN
	for _ in $(seq 1 300); do
		[ "$(grep -c "$1" "$T/d.log" || true)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# run QUEUES ENABLED FLOWS COUNT
run() {
	local q=$1 en=$2 flows=$3 n=$4 tag=MQ$1 rx=0 tx=0 r u bad=""
	loop_vm "vm$q" "$q" "$en"
	sleep 1
	ip netns exec "$nsvf" $FRAMES recv vf0 $tag $n --flows $flows --timeout 60 \
		--out "$T/$tag.json" >/dev/null &
	local rp=$!
	for _ in $(seq 1 100); do [ -e "$T/$tag.json.ready" ] && break; sleep 0.1; done
	ip netns exec "$nsvf" $FRAMES send vf0 $tag $n --flows $flows --burst 8 --gap-ms 1 >/dev/null
	wait $rp || fail "$q pairs: frames lost, corrupted or out of flow order: $(cat "$T/$tag.json")"
	for kv in $(ring_used d 1 $((2 * q))); do
		r=${kv%=*}
		u=${kv#*=}
		if [ "$r" -lt $((2 * en)) ]; then
			[ "$u" -gt 0 ] || bad="$bad ring$r(enabled,unused)"
			if [ $((r % 2)) = 0 ]; then rx=$((rx + u)); else tx=$((tx + u)); fi
		else
			[ "$u" = 0 ] || bad="$bad ring$r(disabled,used=$u)"
		fi
	done
	[ -z "$bad" ] || fail "$q pairs, $en enabled: $bad; rings: $(ring_used d 1 $((2 * q)) | tr '\n' ' ')"
	[ $rx = $n ] && [ $tx = $n ] ||
		fail "$q pairs: $rx frames over the RX rings, $tx over the TX rings, expected $n each"
	log "$q pairs ($en enabled), $flows flows: $n frames back in flow order; per ring: $(ring_used d 1 $((2 * en)) | tr '\n' ' ')"
	stop_name "vm$q" TERM
	wait_count "relay 1: VM disconnected" $connects || fail "vm$q did not disconnect"
	sleep 0.5
}

run 4 4 64 4000
run 8 8 256 8000
