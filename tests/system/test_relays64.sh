# SPDX-License-Identifier: BSD-3-Clause
# 64 relays, as the guide promises, on the daemon built against the DPDK of
# scripts/build-dpdk.sh (tests/run builds it: scripts/build.sh --dpdk64).
#
# 64 relays whose "VFs" are net_ring loopbacks (what the relay sends to the
# VF comes back from it), 64 virtio-user "VMs" in one testpmd of the same
# DPDK build (64 ports: more than Debian's allows), forwarding io on each
# port back to itself.  `start tx_first` puts 32 frames on each port; they
# go round VM -> relay -> VF -> relay -> VM for as long as the VM forwards.
#  1. 64 relays connected and idle: the daemon's CPU and memory (logged for
#     docs/performance.md; targets <= 2 % of a core and <= 256 MB RSS).
#  2. Frames circulate through every relay both ways.
#  3. Relays 0 and 63 are removed and added again through port control while
#     the other 62 keep forwarding; then they forward again.
#  4. Nothing lost: once the VM stops, every relay is quiescent and its
#     counts balance exactly: what the VM sent = what the relay took from it
#     = what it gave the VF = what came back from the VF = what it gave the
#     VM; and what it gave the VM = what the VM received + the frames
#     injected (they wait in the VM's receive ring), no drop anywhere
#     (relays 1-62; 0 and 63 lost what their VFs held when removed).
. "$(dirname "$0")/lib.sh"

B64=${VIO_BUILD64:-$VIO_TOP/build-64}
[ -x "$B64/src/virtio-forwarder" ] ||
	fail "no 64-relay build at $B64 (tests/run makes it: scripts/build.sh --dpdk64)"
"$B64/src/virtio-forwarder" --version | grep -q "relay ids 0-63" ||
	fail "$B64 is not a 64-relay build: $("$B64/src/virtio-forwarder" --version | head -1)"
PREFIX=$("$VIO_TOP/scripts/build-dpdk.sh" 2>/dev/null) || fail "scripts/build-dpdk.sh failed"
TPMD=$PREFIX/bin/dpdk-testpmd
[ -x "$TPMD" ] || fail "no testpmd in $PREFIX"
TOOLS=$B64/tools
N=64
ns=$(ns_add d)
EP=$T/ctl
mkdir -p "$EP"
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control --timeout=10000"
STATS="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats --delay=0"

args=()
for i in $(seq 0 $((N - 1))); do args+=(-P "net_ring$i=$i"); done
VIO_BIN=$B64/src/virtio-forwarder daemon_start d "$ns" --memory 1024 "${args[@]}" \
	--zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_ring \
	--zmq-stats-ep "ipc://$EP/stats"
grep -q "relay ids 0-63" "$T/d.log" || fail "the daemon does not serve ids 0-63"

# The VM: interactive testpmd reading commands from a fifo.
mkfifo "$T/vm.in"
vdevs=()
for i in $(seq 0 $((N - 1))); do
	vdevs+=(--vdev "net_virtio_user$i,path=$SOCKDIR/virtio-forwarder$i.sock,queues=1")
done
PREFIXES+=("vio-vm-$TAG")
ip netns exec "$ns" stdbuf -oL -eL "$TPMD" -l 0,1 --main-lcore 1 --no-huge -m 1536 --no-pci \
	--file-prefix "vio-vm-$TAG" "${vdevs[@]}" -- -i --port-topology=loop --forward-mode=io \
	--nb-cores=1 --rxd=256 --txd=256 --total-num-mbufs=65536 --disable-link-check \
	<"$T/vm.in" >"$T/vm.log" 2>&1 &
PID[vm]=$!
exec 7>"$T/vm.in"
vm() { echo "$*" >&7; }
for _ in $(seq 1 300); do
	[ "$(grep -c 'VM connected' "$T/d.log")" -ge $N ] && break
	kill -0 "${PID[vm]}" 2>/dev/null || fail "the VM's testpmd died: $(tail -5 "$T/vm.log")"
	sleep 0.2
done
[ "$(grep -c 'VM connected' "$T/d.log")" -ge $N ] || fail "only $(grep -c 'VM connected' "$T/d.log") of $N VMs connected"

# 1. idle: 64 connected relays, no traffic
sleep 2
pid=${PID[d]}
hz=$(getconf CLK_TCK)
c0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
sleep 10
c1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
cpu=$(echo "scale=2; ($c1 - $c0) * 100 / ($hz * 10)" | bc)
rss=$(awk '/VmRSS/ {print int($2 / 1024)}' "/proc/$pid/status")
buf=$(sed -n 's/.*buffer memory in use: \([0-9]*\) MiB.*/\1/p' "$T/d.log" | tail -1)
log "64 relays connected and idle: ${cpu}% of one core, RSS ${rss} MB, buffers ${buf} MiB"
echo "idle64 cpu=$cpu rss_mb=$rss buffers_mib=$buf"

# Per-relay counters from one stats call: "ID VM_RX VM_TX(to VF) VF_RX VF_TX(to VM) DROPS"
counts() {
	$STATS | awk -F= '
		match($1, /^relay_[0-9]+\./) {
			id = substr($1, 7, RLENGTH - 7); key = $1
			sub(/^relay_[0-9]+\.(vm_to_vf|vf_to_vm)\.(cpu_[0-9]+\.)?/, "", key)
			dir = ($1 ~ /\.vm_to_vf\./) ? "m" : "v"
			if (key ~ /^pkts_rx_from/) rx[dir, id] = $2
			else if (key ~ /^pkts_tx_to/) tx[dir, id] = $2
			else if (key ~ /^pkts_dropped/) drops[id] += $2
			seen[id] = 1
		}
		END { for (id in seen) printf "%d %.0f %.0f %.0f %.0f %.0f\n", id, rx["m", id],
			tx["m", id], rx["v", id], tx["v", id], drops[id] }' | sort -n
}
field() { awk -v id="$2" -v f="$3" '$1 == id {print $f}' <<<"$1"; } # COUNTS ID COLUMN

# 2. frames circulate through every relay, both ways
vm "start tx_first"
sleep 3
a=$(counts)
sleep 2
b=$(counts)
[ "$(wc -l <<<"$b")" -eq $N ] || fail "stats list $(wc -l <<<"$b") relays, expected $N"
for i in $(seq 0 $((N - 1))); do
	for col in 2 5; do
		[ "$(field "$b" $i $col)" -gt "$(field "$a" $i $col)" ] ||
			fail "relay $i: no frames moving (column $col: $(field "$a" $i $col) -> $(field "$b" $i $col))"
	done
done
log "all $N relays forward both ways: relay 0 $(field "$b" 0 2)/$(field "$b" 0 5), relay 63 $(field "$b" 63 2)/$(field "$b" 63 5) frames VM->VF/VF->VM"

# 3. relays 0 and 63 leave and come back while the others forward
$PC remove --virtio-id=0 >/dev/null || fail "remove relay 0"
$PC remove --virtio-id=63 >/dev/null || fail "remove relay 63"
a=$(counts)
sleep 2
b=$(counts)
for i in $(seq 1 62); do
	[ "$(field "$b" $i 2)" -gt "$(field "$a" $i 2)" ] && [ "$(field "$b" $i 5)" -gt "$(field "$a" $i 5)" ] ||
		fail "relay $i stopped while relays 0 and 63 were away"
done
$PC add --virtio-id=0 --device=net_ring0 >/dev/null || fail "add relay 0 again"
$PC add --virtio-id=63 --device=net_ring63 >/dev/null || fail "add relay 63 again"
# The frames of relays 0 and 63 were dropped with their VFs: inject again.
vm "stop"
sleep 1
vm "start tx_first"
sleep 3
a=$(counts)
sleep 2
b=$(counts)
for i in 0 63; do
	for col in 2 5; do
		[ "$(field "$b" $i $col)" -gt "$(field "$a" $i $col)" ] ||
			fail "relay $i does not forward after it came back (column $col)"
	done
done
log "relays 0 and 63 removed and added again; the other 62 kept forwarding"

# 4. nothing lost: stop the VM, wait for quiescence, balance every relay
vm "stop"
prev=""
for _ in $(seq 1 50); do
	sleep 0.5
	cur=$(counts)
	[ "$cur" = "$prev" ] && break
	prev=$cur
done
[ "$cur" = "$prev" ] || fail "the relays did not become quiescent after the VM stopped"
: >"$T/vm.log.mark"
from=$(($(wc -l <"$T/vm.log") + 1))
vm "show port stats all"
sleep 2
# testpmd: a "NIC statistics for port N" block per port, with RX-packets
# and TX-packets (the port's own counters: frames testpmd took from the
# relay, and frames the relay took from testpmd's ring)
vmstats=$(tail -n +"$from" "$T/vm.log" | awk '
	/NIC statistics for port/ {for (i = 1; i < NF; i++) if ($i == "port") p = $(i + 1) + 0}
	/RX-packets:/ {rx[p] = $2} /TX-packets:/ {tx[p] = $2}
	END {for (p in rx) print p, rx[p], tx[p]}' | sort -n)
[ "$(wc -l <<<"$vmstats")" -eq $N ] || fail "no port statistics from the VM: $(tail -5 "$T/vm.log")"
total=0
waiting=""
for i in $(seq 1 62); do
	# relays 0 and 63 lost the frames their VFs held when removed: they
	# were shown to forward again above
	read -r _ vrx vtx < <(awk -v id=$i '$1 == id' <<<"$vmstats")
	mrx=$(field "$cur" $i 2) mtx=$(field "$cur" $i 3) frx=$(field "$cur" $i 4) ftx=$(field "$cur" $i 5)
	drops=$(field "$cur" $i 6)
	[ "$drops" = 0 ] || fail "relay $i: $drops frames dropped"
	[ "$vtx" = "$mrx" ] || fail "relay $i: the VM sent $vtx frames, the relay took $mrx"
	[ "$mrx" = "$mtx" ] && [ "$mtx" = "$frx" ] && [ "$frx" = "$ftx" ] ||
		fail "relay $i: VM->VF $mrx in / $mtx out, VF->VM $frx in / $ftx out"
	# what the relay gave the VM and the VM has not read yet: the frames
	# of the last tx_first (32; 64 if testpmd's restart did not count the
	# frames it flushed), the same on every relay unless one was lost
	w=$((ftx - vrx))
	[ -n "$waiting" ] || waiting=$w
	[ "$w" = "$waiting" ] && { [ "$w" = 32 ] || [ "$w" = 64 ]; } ||
		fail "relay $i: gave the VM $ftx frames, it received $vrx ($w waiting; relay 1: $waiting)"
	total=$((total + mtx))
done
vm "quit"
exec 7>&-
log "PASS: 64 relays; $total frames through relays 1-62 each way, every count balanced, no drops"
