# SPDX-License-Identifier: BSD-3-Clause
# Byte-exact transfer: thousands of frames of 60..1514 bytes with distinct
# payloads cross each way at the same time; every frame arrives complete,
# identical and in order, and the daemon's counters agree with what crossed.
# No IP addresses are configured: the only traffic is the test's.
. "$(dirname "$0")/lib.sh"

N=${VIO_BYTES_FRAMES:-4000}
nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
sock=$SOCKDIR/virtio-forwarder1.sock

# Ring layouts a guest may negotiate: split rings without mergeable buffers,
# split with mergeable buffers, packed rings, and in-order packed rings.
layouts=(
	"split:,packed_vq=0,mrg_rxbuf=0:"
	"split-mrg:,packed_vq=0,mrg_rxbuf=1:--enable-mrgbuf"
	"packed-mrg:,packed_vq=1,mrg_rxbuf=1:--enable-mrgbuf"
	"packed-inorder:,packed_vq=1,in_order=1,mrg_rxbuf=0:"
)
run_layout() {
	daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1" $dargs
	vm_start vm "$nsvm" "$sock" "$vmargs"
	relay_up d 1 "$nsvf" "$nsvm"
	before=$(relay_stats d 1)
	wbefore=$(worker_stats d)

	log "sending $N frames each way"
	both_ways "$nsvf" vf0 "$nsvm" vm0 "$N" "$lname"

	sleep 0.5
	after=$(relay_stats d 1)
	wafter=$(worker_stats d)
	expect=$($FRAMES expect x "$N")
	check() { # KEY FIELD EXPECTED
		local b a
		b=$(stat_of "$before" "$1" "$2")
		a=$(stat_of "$after" "$1" "$2")
		[ $((a - b)) -eq "$3" ] || fail "counter $1 moved by $((a - b)), expected $3"
	}
	for dir in vf_to_vm vm_to_vf; do
		check $dir.rx 1 "$N"
		check $dir.rx 2 "$expect"
		check $dir.tx 1 "$N"
		check $dir.tx 2 "$expect"
		check $dir.drop_full 1 0
		check $dir.drop_nc 1 0
	done
	# Cycle accounting: the worker took in exactly what the relay counted,
	# and spent busy cycles on it in both directions.
	wk() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; }
	[ $(($(wk "$wafter" pkts) - $(wk "$wbefore" pkts))) -eq $((2 * N)) ] ||
		fail "worker pkts moved by $(($(wk "$wafter" pkts) - $(wk "$wbefore" pkts))), expected $((2 * N))"
	[ $(($(wk "$wafter" busy_cycles) - $(wk "$wbefore" busy_cycles))) -gt 0 ] || fail "no busy cycles"
	for dir in vf_to_vm vm_to_vf; do
		[ "$(stat_of "$after" $dir.busy_cycles 1)" -gt "$(stat_of "$before" $dir.busy_cycles 1)" ] ||
			fail "$dir: no busy cycles counted"
		# every poll that took packets took at least one of the N frames
		polls=$(($(stat_of "$after" $dir.busy_polls 1) - $(stat_of "$before" $dir.busy_polls 1)))
		[ "$polls" -ge 1 ] && [ "$polls" -le "$N" ] ||
			fail "$dir: $polls busy polls for $N frames"
	done
	log "$lname: counters agree: $N frames / $expect bytes each way, no drops; worker: $(printf '%s ' $wafter)"
	stop_name vm
	stop_and_reap d TERM
	[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
	rm -f "$T"/*.json "$T"/*.ready
}

for layout in "${layouts[@]}"; do
	IFS=: read -r lname vmargs dargs <<<"$layout"
	log "== layout $lname"
	run_layout
done
