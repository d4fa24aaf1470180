# SPDX-License-Identifier: BSD-3-Clause
# 9000-byte frames (VIRTIOFWD_JUMBO).  Jumbo on: frames of 60-9014 bytes cross
# both ways at once, byte for byte and in order, in chained buffers (the VF's
# scattered RX, the guest's mergeable buffers, multi-segment TX).  Jumbo off
# (VF MTU 1500): the longer frames are dropped and counted, never delivered
# truncated, and the others still cross intact.  VF->VM drops are counted by
# the VF port (vf.rx_errors: frames its buffers cannot hold) or by the relay
# (vf_to_vm.drop_long), VM->VF drops by the relay (vm_to_vf.drop_long).
#   ns vf: vf0 =veth= vfk [net_pcap "VF"] daemon -- socket -- testpmd [net_pcap] vmk =veth= vm0 :ns vm
# net_tap cannot be the VF here: DPDK 22.11's tap driver declares 1522-byte
# frames at most (its max_rx_pktlen), so ethdev refuses MTU 9000 on it; the
# daemon then warns and runs at the port's limit.  net_pcap on a veth pair has
# no such limit and reads long frames into chained buffers.
. "$(dirname "$0")/lib.sh"

veth() { # NS END PEER: a veth pair in NS, MTU 9000, both ends up
	ip netns exec "$1" ip link add "$2" mtu 9000 type veth peer name "$3" mtu 9000
	ip netns exec "$1" ip link set "$2" up
	ip netns exec "$1" ip link set "$3" up
}

# Where frames went when some are missing: the relay's counters, the kernel's
# per-interface drops, and the "VM"'s port statistics (printed as it stops).
on_fail() {
	log "relay counters: $(relay_stats "d-$mode" 1 | grep -E '\.(rx|tx|drop_[a-z]+)=|rx_errors|rx_missed' | tr '\n' ' ')"
	for ns in "$nsvf:vf0" "$nsvf:vfk" "$nsvm:vmk" "$nsvm:vm0"; do
		log "${ns#*:}: $(ip netns exec "${ns%%:*}" ip -s link show "${ns#*:}" | tr -s ' \n' ' ')"
	done
	log "softnet backlog drops per CPU: $(while read -r _ d _; do printf '%d ' "0x$d"; done </proc/net/softnet_stat)"
	stop_name "vm-$mode"
	log "VM side: $(grep -E 'RX-dropped|TX-dropped|RX-missed' "$T/vm-$mode.log" | tr -s ' \n' ' ')"
}

N=${VIO_JUMBO_FRAMES:-600}
MAXLEN=9014
nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
sock=$SOCKDIR/virtio-forwarder1.sock
veth "$nsvf" vf0 vfk
veth "$nsvm" vm0 vmk

for mode in on off; do
	log "== jumbo $mode"
	dargs="--enable-mrgbuf"
	[ $mode = on ] && dargs="$dargs --jumbo"
	deliv=()
	[ $mode = off ] && deliv=(--deliverable 1522)
	daemon_start d-$mode "$nsvf" -P "net_pcap0,rx_iface_in=vfk,tx_iface=vfk=1" $dargs
	# 1024-entry rings: the "VM" forwards each frame with a system call, and
	# a guest that is descheduled for longer than the relay holds frames for
	# a full ring loses them (drop_full); this test is about sizes, not that.
	VM_PORT1="net_pcap1,rx_iface_in=vmk,tx_iface=vmk" vm_start vm-$mode "$nsvm" "$sock" \
		",mrg_rxbuf=1,queue_size=1024" "--max-pkt-len=9018 --mbuf-size=10240 --rxd=1024 --txd=1024"
	wait_log "$T/d-$mode.log" "relay 1: VM connected" 20 || fail "VM did not connect"
	path_ready "$nsvf" vf0 "$nsvm" vm0 30 || fail "no frame crosses VF->VM"
	path_ready "$nsvm" vm0 "$nsvf" vf0 30 || fail "no frame crosses VM->VF"
	delta() { echo $(($(stat_of "$after" "$1" "$2") - $(stat_of "$before" "$1" "$2"))); }

	# 4 frames every 2 ms: content is checked here, not rate (the VF and the
	# VM side are libpcap sockets with finite buffers).  Frames can be lost
	# outside the relay: testpmd reads vmk through libpcap's 2 MiB buffer
	# (some 200 jumbo frames), which overflows when testpmd is without CPU
	# for long enough.  When every frame the relay received was delivered
	# (the rest were lost outside it, before or after), the round runs once
	# more (said in a RETRY line); any other loss fails.
	for attempt in 1 2; do
		before=$(relay_stats d-$mode 1)
		BOTH_WAYS_RETURN=1 RECV_ARGS="${deliv[*]}" SEND_ARGS="--burst 4 --gap-ms 2" \
			both_ways "$nsvf" vf0 "$nsvm" vm0 "$N" "jumbo $mode" --max-len $MAXLEN && break
		sleep 0.5
		after=$(relay_stats d-$mode 1)
		lost_outside=1
		for dir in vf_to_vm vm_to_vf; do
			[ "$(delta $dir.rx 1)" = $(($(delta $dir.tx 1) + $(delta $dir.drop_long 1))) ] &&
				[ "$(delta $dir.drop_full 1)" = 0 ] || lost_outside=0
		done
		[ $attempt = 1 ] && [ $lost_outside = 1 ] ||
			fail "jumbo $mode: frames lost, corrupted, reordered or oversized: $BOTH_WAYS_RESULT"
		echo "RETRY: jumbo $mode: frames lost outside the relay, which delivered all it received" \
			"(VF->VM $(delta vf_to_vm.rx 1) in, VM->VF $(delta vm_to_vf.rx 1) in, of $N each way):" \
			"$BOTH_WAYS_RESULT"
	done
	sleep 0.5
	after=$(relay_stats d-$mode 1)
	if [ $mode = on ]; then
		want=$N
		bytes=$($FRAMES expect x "$N" --max-len $MAXLEN)
	else
		read -r want bytes <<<"$($FRAMES expect x "$N" --max-len $MAXLEN --deliverable 1522)"
	fi
	long=$((N - want))
	for dir in vf_to_vm vm_to_vf; do
		[ "$(delta $dir.tx 1)" = "$want" ] || fail "$dir.tx moved by $(delta $dir.tx 1), expected $want"
		[ "$(delta $dir.tx 2)" = "$bytes" ] || fail "$dir.tx bytes $(delta $dir.tx 2), expected $bytes"
		[ "$(delta $dir.drop_full 1)" = 0 ] || fail "$dir: drops on full queues"
	done
	vf_refused=$(delta vf.rx_errors 1)
	[ $((vf_refused + $(delta vf_to_vm.drop_long 1))) = "$long" ] ||
		fail "VF->VM: $vf_refused refused by the VF + $(delta vf_to_vm.drop_long 1) dropped, expected $long"
	[ "$(delta vm_to_vf.drop_long 1)" = "$long" ] ||
		fail "VM->VF: $(delta vm_to_vf.drop_long 1) dropped as too long, expected $long"
	log "jumbo $mode: $want of $N frames ($bytes bytes) crossed each way intact;" \
		"too long: VF->VM $vf_refused refused by the VF + $(delta vf_to_vm.drop_long 1) by the relay," \
		"VM->VF $(delta vm_to_vf.drop_long 1) by the relay"
	stop_name vm-$mode
	stop_and_reap d-$mode TERM
	[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
done
