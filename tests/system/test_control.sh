# SPDX-License-Identifier: BSD-3-Clause
# The control plane end to end, with the C tools (issue 3, test 2):
# dynamic sockets; three relays added with add_sock (tap "VFs"); one testpmd
# "VM" with three virtio-user ports; traffic checked byte for byte; stats
# counters equal what crossed; rates non-zero under traffic and zero after;
# query_pci; relays moved between the two workers by core_sched while
# traffic runs, with nothing lost or reordered; remove_sock of everything,
# after which no socket, port or buffer of theirs remains.
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/run/ctl   # does not exist: the daemon creates it
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
PIN="$TOOLS/virtioforwarder_core_pinner --stats-ep=ipc://$EP/stats --sched-ep=ipc://$EP/core_sched"

fstat() { # FLAT_OUTPUT RELAY DIR FIELD: one value, whatever its cpu_<n> segment
	printf '%s\n' "$1" | sed -nE "s/^relay_$2\.$3(\.cpu_[0-9]+)?\.$4=//p"
}

# Two workers (CPUs 0 and 1) so that relays can move; the main thread shares
# CPU 0 (it only does control work).
daemon_start d "$nsvf" -C 0,1 --dynamic-sockets \
	--zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_tap,net_null --zmq-stats-ep "ipc://$EP/stats" \
	--zmq-core-sched-ep "ipc://$EP/core_sched" --zmq-config-ep "ipc://$EP/config"

[ "$(stat -c %a "$EP")" = 700 ] || fail "endpoint directory mode $(stat -c %a "$EP"), expected 700"
for s in port_control stats core_sched config; do
	[ "$(stat -c %a "$EP/$s")" = 600 ] || fail "endpoint $s mode $(stat -c %a "$EP/$s")"
done
[ -z "$(ls "$SOCKDIR")" ] || fail "dynamic sockets: sockets exist before add_sock: $(ls "$SOCKDIR")"
base=$(resources d)
log "before any relay: $base"

for i in 0 1 2; do
	$PC add_sock --vhost-path="$SOCKDIR/vm$i.sock" --device="net_tap$i,iface=vf$i" ||
		fail "add_sock $i failed"
	[ -S "$SOCKDIR/vm$i.sock" ] || fail "socket vm$i.sock not created"
done
log "three relays added: $(resources d)"

# One "VM" with three virtio-user ports, each paired with a tap (port 2k
# with port 2k+1 in testpmd's io forwarding).
vdevs=()
for i in 0 1 2; do
	vdevs+=(--vdev "net_virtio_user$i,path=$SOCKDIR/vm$i.sock,queues=1" --vdev "net_tap$i,iface=vm$i")
done
PREFIXES+=("vio-vm-$TAG")
testpmd "$nsvm" -l 0,1 --main-lcore 1 --no-huge -m 1024 --no-pci \
	--file-prefix "vio-vm-$TAG" "${vdevs[@]}" \
	-- --forward-mode=io --nb-cores=1 --stats-period 3600 --total-num-mbufs=16384 \
	--disable-link-check >"$T/vm.log" 2>&1 &
PID[vm]=$!
for i in 0 1 2; do
	wait_log "$T/d.log" "relay $i: VM connected" 30 || fail "VM port $i did not connect"
	wait_iface "$nsvm" "vm$i" 30 || fail "vm$i missing"
	wait_iface "$nsvf" "vf$i" 30 || fail "vf$i missing"
	ip netns exec "$nsvf" ip link set "vf$i" up
	ip netns exec "$nsvm" ip link set "vm$i" up
done
for i in 0 1 2; do
	out=$($PC query_pci --vhost-path="$SOCKDIR/vm$i.sock") || fail "query_pci $i failed"
	[ "$out" = "net_tap$i" ] || fail "query_pci vm$i.sock answered '$out', expected net_tap$i"
	path_ready "$nsvf" "vf$i" "$nsvm" "vm$i" 30 || fail "relay $i: nothing crosses VF->VM"
	path_ready "$nsvm" "vm$i" "$nsvf" "vf$i" 30 || fail "relay $i: nothing crosses VM->VF"
done
log "query_pci answers the device of each socket; traffic crosses every relay"
# VFs attached from the control thread have no NUMA node of their own: each
# relay's pool is made for any node, and its memory is on node 0, the VM's
# (one node here): nothing moves (socket_id, checked below, is where the
# pool's memory is).
for i in 0 1 2; do
	! grep -q "relay $i: buffers moved" "$T/d.log" ||
		fail "relay $i: buffers moved on a single-node host"
done
out=$($ST) || fail "stats failed"
for i in 0 1 2; do
	echo "$out" | grep -qx "relay_$i.socket_id=0" || fail "relay $i: socket_id not 0: $out"
done
log "buffers of each relay on its VM's NUMA node (0)"

# --- counters: N frames each way on each relay, byte for byte
N=500
before=$($ST --delay=0) || fail "stats failed"
pids=()
for i in 0 1 2; do
	ip netns exec "$nsvm" $FRAMES recv "vm$i" "V2M$i" $N --timeout 60 --out "$T/v2m$i.json" >/dev/null &
	pids+=($!)
	ip netns exec "$nsvf" $FRAMES recv "vf$i" "M2V$i" $N --timeout 60 --out "$T/m2v$i.json" >/dev/null &
	pids+=($!)
done
for f in v2m0 v2m1 v2m2 m2v0 m2v1 m2v2; do
	for _ in $(seq 1 100); do [ -e "$T/$f.json.ready" ] && break; sleep 0.1; done
done
for i in 0 1 2; do
	ip netns exec "$nsvf" $FRAMES send "vf$i" "V2M$i" $N >/dev/null
	ip netns exec "$nsvm" $FRAMES send "vm$i" "M2V$i" $N >/dev/null
done
for p in "${pids[@]}"; do wait "$p" || fail "frames lost, corrupted or reordered: $(cat "$T"/*.json)"; done
sleep 0.5
after=$($ST --delay=0) || fail "stats failed"
bytes=$($FRAMES expect x $N)
for i in 0 1 2; do
	for spec in "vf_to_vm pkts_rx_from_vf $N" "vf_to_vm pkts_tx_to_vm $N" \
		"vf_to_vm bytes_rx_from_vf $bytes" "vf_to_vm bytes_tx_to_vm $bytes" \
		"vm_to_vf pkts_rx_from_vm $N" "vm_to_vf pkts_tx_to_vf $N" \
		"vm_to_vf bytes_tx_to_vf $bytes" "vf_to_vm pkts_dropped_vm_queue_full 0" \
		"vm_to_vf pkts_dropped_vf_queue_full 0" "vm_to_vf pkts_dropped_vf_not_connected 0"; do
		set -- $spec
		b=$(fstat "$before" $i "$1" "$2")
		a=$(fstat "$after" $i "$1" "$2")
		[ -n "$a" ] && [ -n "$b" ] || fail "relay $i: $1.$2 missing from the stats"
		[ $((a - b)) -eq "$3" ] || fail "relay $i: $1.$2 moved by $((a - b)), expected $3"
	done
	[ "$(printf '%s\n' "$after" | sed -n "s/^relay_$i.active=//p")" = True ] ||
		fail "relay $i not active"
done
log "stats: $N frames / $bytes bytes each way on each relay, no drops"
# Cycle accounting through the stats service: the workers (CPUs 0 and 1)
# took in at least the 6 x N frames and spent busy cycles on them; each
# relay direction has busy cycles.
wsum() { printf '%s\n' "$1" | sed -n "s/^worker_[01]\.$2=//p" | paste -sd+ | bc; }
[ "$(($(wsum "$after" pkts) - $(wsum "$before" pkts)))" -ge $((6 * N)) ] ||
	fail "workers took in $(($(wsum "$after" pkts) - $(wsum "$before" pkts))) packets, expected >= $((6 * N))"
[ "$(($(wsum "$after" busy_cycles) - $(wsum "$before" busy_cycles)))" -gt 0 ] || fail "no busy cycles"
for i in 0 1 2; do
	for d in vf_to_vm vm_to_vf; do
		[ "$(printf '%s\n' "$after" | sed -n "s/^relay_$i\.$d\.cpu_[0-9]*\.busy_cycles=//p")" -gt 0 ] ||
			fail "relay $i $d: no busy cycles in the stats"
	done
done
log "cycle accounting: $(printf '%s\n' "$after" | grep '^worker_' | tr '\n' ' ')"

# --- rates and moves under traffic: relay 0, each direction alone, then
# both at once (a move swaps the two workers, so a worker that was asleep
# takes over a direction whose notifications are off: it must notice).
dir_vars() { # DIR: sets tag src dst txns rxns
	if [ "$1" = vf_to_vm ]; then
		tag=MVA$round0; src=vf0; dst=vm0; txns=$nsvf; rxns=$nsvm
	else
		tag=MVB$round0; src=vm0; dst=vf0; txns=$nsvm; rxns=$nsvf
	fi
}
move_under_traffic() { # DIR...: vf_to_vm and/or vm_to_vf
	local M=9000 tag src dst rxns txns rate c1 c2 n1 n2 moves=0 d dir alive
	local -A rpid spid
	round0=$((round0 + 1))
	for dir in "$@"; do
		dir_vars $dir
		ip netns exec "$rxns" $FRAMES recv $dst $tag $M --timeout 60 --out "$T/$tag.json" >/dev/null &
		rpid[$dir]=$!
		for _ in $(seq 1 100); do [ -e "$T/$tag.json.ready" ] && break; sleep 0.1; done
	done
	snap0=$($ST --delay=0)
	for dir in "$@"; do
		dir_vars $dir
		ip netns exec "$txns" $FRAMES send $src $tag $M --burst 4 --gap-ms 1 >/dev/null &
		spid[$dir]=$!
	done
	sleep 1
	live=$($ST --delay=500) || fail "stats failed"
	for dir in "$@"; do
		dir_vars $dir
		rate=$(fstat "$live" 0 $dir pkt_rate_tx_to_${dst%0})
		log "$dir: rate under traffic (500 ms window): $rate pps"
		awk -v r="$rate" 'BEGIN { exit !(r > 100) }' || fail "$dir: rate under traffic is $rate"
	done
	for round in 1 2 3; do
		alive=0
		for dir in "$@"; do kill -0 ${spid[$dir]} 2>/dev/null && alive=1; done
		[ $alive = 1 ] || break
		cur=$($ST --delay=0)
		c1=$(printf '%s\n' "$cur" | sed -n 's/^relay_0.cpu.vf_to_vm=//p')
		c2=$(printf '%s\n' "$cur" | sed -n 's/^relay_0.cpu.vm_to_vf=//p')
		[ -n "$c1" ] && [ -n "$c2" ] || fail "relay 0 has no CPUs in the stats"
		n1=$((1 - c1)); n2=$((1 - c2))
		$PIN --virtio-cpu=0:$n1,$n2 >"$T/pin.out" || fail "core_sched UPDATE failed: $(cat "$T/pin.out")"
		cur=$($ST --delay=0)
		[ "$(printf '%s\n' "$cur" | sed -n 's/^relay_0.cpu.vf_to_vm=//p')" = $n1 ] &&
			[ "$(printf '%s\n' "$cur" | sed -n 's/^relay_0.cpu.vm_to_vf=//p')" = $n2 ] ||
			fail "relay 0 did not move to CPUs $n1,$n2"
		moves=$((moves + 1))
		sleep 0.6
	done
	[ $moves -ge 2 ] || fail "$*: traffic ended before two moves (only $moves)"
	for dir in "$@"; do
		dir_vars $dir
		wait ${spid[$dir]} || fail "$dir: sender failed"
		wait ${rpid[$dir]} ||
			fail "$dir: frames lost, corrupted or reordered while relay 0 moved: $(cat "$T/$tag.json")"
		log "$dir: $(cat "$T/$tag.json")"
	done
	sleep 1.2
	idle=$($ST --delay=500)
	for dir in "$@"; do
		dir_vars $dir
		for f in pkt_rate_rx_from_${src%0} pkt_rate_tx_to_${dst%0}; do
			d=$(fstat "$idle" 0 $dir $f)
			awk -v r="$d" 'BEGIN { exit !(r < 5) }' || fail "$dir.$f is $d after the traffic stopped"
			d=$(fstat "$($ST --delay=0)" 0 $dir $f)
			awk -v r="$d" 'BEGIN { exit !(r < 5) }' || fail "sampler: $dir.$f is $d when idle"
		done
		for f in pkts_dropped_${dst%0}_queue_full pkts_rx_from_${src%0} pkts_tx_to_${dst%0}; do
			d=$(( $(fstat "$idle" 0 $dir $f) - $(fstat "$snap0" 0 $dir $f) ))
			case $f in
			*dropped*) [ $d -eq 0 ] || fail "$dir: $d packets counted as $f during the moves" ;;
			*) [ $d -eq $M ] || fail "$dir: $f moved by $d during the moves, expected $M" ;;
			esac
		done
		log "$dir: $M frames crossed $moves moves in order, none counted lost; rates back to 0"
	done
}
round0=0
move_under_traffic vm_to_vf
move_under_traffic vf_to_vm
move_under_traffic vf_to_vm vm_to_vf
cat "$T/pin.out"

$TOOLS/virtioforwarder_config --config-ep="ipc://$EP/config" >"$T/config.out" ||
	fail "config query failed"
[ "$(grep -c relay_number "$T/config.out")" = 3 ] || fail "config: $(cat "$T/config.out")"
$PIN --print-core-map

# --- the load balancer (vio4wd_core_scheduler, guide section 9): every
# direction of relays 0 and 1 on CPU 0, traffic on all four; one round must
# spread them over both workers without losing a frame.
SCHED="$TOOLS/vio4wd_core_scheduler --stats-ep=ipc://$EP/stats --sched-ep=ipc://$EP/core_sched"
$PIN --virtio-cpu=0:0,0 --virtio-cpu=1:0,0 --virtio-cpu=2:0,0 >/dev/null || fail "pinning to CPU 0 failed"
M=8000 pids=()
for i in 0 1; do
	ip netns exec "$nsvm" $FRAMES recv "vm$i" "BV$i" $M --timeout 60 --out "$T/bv$i.json" >/dev/null &
	pids+=($!)
	ip netns exec "$nsvf" $FRAMES recv "vf$i" "BF$i" $M --timeout 60 --out "$T/bf$i.json" >/dev/null &
	pids+=($!)
done
for f in bv0 bv1 bf0 bf1; do
	for _ in $(seq 1 100); do [ -e "$T/$f.json.ready" ] && break; sleep 0.1; done
done
for i in 0 1; do
	ip netns exec "$nsvf" $FRAMES send "vf$i" "BV$i" $M --burst 4 --gap-ms 1 >/dev/null &
	ip netns exec "$nsvm" $FRAMES send "vm$i" "BF$i" $M --burst 4 --gap-ms 1 >/dev/null &
done
sleep 0.5
$SCHED --once --dry-run --interval=0.5 --min-load=500 2>"$T/sched.out" ||
	fail "balancer dry run failed: $(cat "$T/sched.out")"
grep -q "dry run: not applied" "$T/sched.out" || fail "dry run planned nothing: $(cat "$T/sched.out")"
[ "$($ST --delay=0 | grep -c '^relay_[01].cpu.*=0$')" = 4 ] || fail "the dry run moved something"
$SCHED --once --interval=0.5 --min-load=500 2>"$T/sched.out" ||
	fail "balancer round failed: $(cat "$T/sched.out")"
log "balancer: $(tr '\n' ' ' <"$T/sched.out")"
cur=$($ST --delay=0)
on0=$(printf '%s\n' "$cur" | grep -c '^relay_[01].cpu.*=0$' || true)
on1=$(printf '%s\n' "$cur" | grep -c '^relay_[01].cpu.*=1$' || true)
[ "$on0" = 2 ] && [ "$on1" = 2 ] || fail "balancer left $on0 loaded directions on CPU 0, $on1 on CPU 1"
for p in "${pids[@]}"; do wait "$p" || fail "frames lost or reordered while balancing: $(cat "$T"/b*.json)"; done
$SCHED --once --interval=0.5 --min-load=500 2>"$T/sched.out" || fail "idle round failed"
grep -q "placement kept" "$T/sched.out" || fail "idle round moved: $(cat "$T/sched.out")"
# The original's variables from the file, options over them (issue 17):
# at log level 3 an idle round says nothing, --loglevel=6 brings the line
# back; the original's rule (sensitivity) keeps an idle placement too; a bad
# variable is exit 2 naming it.
printf 'VIO4WD_CORE_SCHED_ENABLE=true\nVIRTIOFWD_ZMQ_CORE_SCHED_EP=ipc://%s/core_sched\nVIRTIOFWD_ZMQ_STATS_EP=ipc://%s/stats\nVIO4WD_CORE_SCHED_LOG_LEVEL=3\nVIO4WD_CORE_SCHED_SENSITIVITY=0.25\nVIO4WD_CORE_SCHED_POLL_INTERVAL=0.5\nVIO4WD_CORE_SCHED_GLOBAL_NUMA_OPT=y\n' \
	"$EP" "$EP" >"$T/vars.conf"
$TOOLS/vio4wd_core_scheduler --once --config="$T/vars.conf" --min-load=500 2>"$T/sched.out" ||
	fail "balancer with the original's variables failed: $(cat "$T/sched.out")"
[ ! -s "$T/sched.out" ] || fail "VIO4WD_CORE_SCHED_LOG_LEVEL=3 printed: $(cat "$T/sched.out")"
$TOOLS/vio4wd_core_scheduler --once --config="$T/vars.conf" --min-load=500 --loglevel=6 \
	2>"$T/sched.out" || fail "balancer --loglevel=6 failed: $(cat "$T/sched.out")"
grep -q "placement kept" "$T/sched.out" || fail "--loglevel=6 over the variable: $(cat "$T/sched.out")"
sed -i 's/^VIO4WD_CORE_SCHED_POLL_INTERVAL=.*/VIO4WD_CORE_SCHED_POLL_INTERVAL=0/' "$T/vars.conf"
rc=0; $TOOLS/vio4wd_core_scheduler --once --config="$T/vars.conf" 2>"$T/sched.out" || rc=$?
[ $rc = 2 ] && grep -q 'VIO4WD_CORE_SCHED_POLL_INTERVAL="0"' "$T/sched.out" ||
	fail "bad VIO4WD_CORE_SCHED_POLL_INTERVAL: exit $rc: $(cat "$T/sched.out")"
printf 'VIO4WD_CORE_SCHED_ENABLE=false\nVIRTIOFWD_ZMQ_STATS_EP=ipc://%s/stats\n' "$EP" >"$T/off.conf"
rc=0; $TOOLS/vio4wd_core_scheduler --once --config="$T/off.conf" 2>"$T/sched.out" || rc=$?
# Disabled is a clean exit (an enabled unit must not fail at every boot).
[ $rc = 0 ] && grep -q "VIO4WD_CORE_SCHED_ENABLE=true" "$T/sched.out" || fail "disabled config: exit $rc: $(cat "$T/sched.out")"
rc=0; $TOOLS/vio4wd_core_scheduler --once --stats-ep="ipc://$T/none" --sched-ep="ipc://$T/none" \
	2>"$T/sched.out" || rc=$?
[ $rc = 3 ] || fail "no forwarder: exit $rc, expected 3"
log "balancer: $M frames each way on relays 0 and 1 intact; spread 2+2 over CPUs 0 and 1; idle round keeps; the original's variables honoured, options over them, a bad one refused; disabled config a clean exit, absent forwarder refused"

# --- remove everything, with the VM still connected
for i in 0 1 2; do
	$PC remove_sock --vhost-path="$SOCKDIR/vm$i.sock" || fail "remove_sock $i failed"
	[ ! -e "$SOCKDIR/vm$i.sock" ] || fail "socket vm$i.sock left behind"
done
sleep 0.5
for i in 0 1 2; do
	! ip netns exec "$nsvf" ip link show "vf$i" >/dev/null 2>&1 || fail "port vf$i left behind"
done
left=$($ST --include-inactive --delay=0 | grep -E 'vhost_socket_name=/|pci_addr_str=' || true)
[ -z "$left" ] || fail "relays left after remove_sock: $left"
end=$(resources d)
log "after remove_sock: $end (before: $base)"
# Ports and buffer pools go back to none; the heap keeps ~64 KiB per relay
# id ever used (library bookkeeping reused by the next relay: test_churn
# checks that 500 cycles do not grow it).
[ "${end% heap*}" = "${base% heap*}" ] || fail "ports or buffer pools left: $end vs $base"
$PC remove_sock --vhost-path="$SOCKDIR/vm0.sock" --conditional || fail "conditional remove_sock failed"
stop_name vm
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
[ ! -e "$EP/stats" ] || fail "endpoint left behind after stop"
log "control plane: ok"
