# SPDX-License-Identifier: BSD-3-Clause
# CPU pins, the VFIO VF token, the load monitor and the stats service's
# ident (issue 17, points 7-10), on one daemon.
#
# Two workers, CPUs 0 and 1 (the main thread shares CPU 0: it only does
# control work).  Relay 1 pinned with the one-CPU form (-c 1:1: both
# directions on CPU 1), relay 2 with the two-CPU form (--virtio-cpu=2:0,1:
# VF->VM on CPU 0, VM->VF on CPU 1).  The "VM" is one testpmd whose io
# forwarding joins its two virtio-user ports: a frame sent on tap vf1 crosses
# relay 1 VF->VM, the VM, relay 2 VM->VF and leaves on vf2 (the reverse:
# relay 2 VF->VM, relay 1 VM->VF).  Two busy pollers never share a core for
# long: the VM's forwarding lcore polls on CPU 0, whose worker serves only
# relay 2 VF->VM and sleeps in epoll when idle (docs/operation.md#cpus); the
# traffic is a few thousand frames at a time.
#
# Which CPU serves a direction is shown four ways: the stats service's
# relay_<n>.cpu.*, the config service's relay_cpu_map, the worker threads'
# affinity, and the workers' packet counters, which must move by exactly
# what crossed the directions pinned to them (unpinned, the daemon would
# put each relay's VF->VM on CPU 0 and VM->VF on CPU 1: other counts).
. "$(dirname "$0")/lib.sh"

ns=$(ns_add vf)
EP=$T/ctl
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
MON="$TOOLS/virtioforwarder_monitor_load --stats-ep=ipc://$EP/stats --sched-ep=ipc://$EP/core_sched"
TOKEN=0b1e8a4c-5d2f-4e6a-9c3b-7f8e9d0a1b2c
DEFAULT_TOKEN=14d63f20-8445-11ea-8900-1f9ce7d5650d # the original's, for VIRTIOFWD_VFIO_VF_TOKEN=0

eal_args() { # NAME: the EAL argument list the daemon logged (--loglevel=7)
	sed -n 's/.*DEBUG eal: EAL arguments: //p' "$T/$1.log" | tail -1
}
sval() { printf '%s\n' "$1" | sed -n "s/^$2=//p"; } # FLAT_STATS KEY

daemon_start d "$ns" -C 0,1 -l 7 -t "$TOKEN" -c 1:1 --virtio-cpu=2:0,1 \
	-P "net_tap1,iface=vf1=1" -P "net_tap2,iface=vf2=2" \
	--zmq-stats-ep "ipc://$EP/stats" --zmq-core-sched-ep "ipc://$EP/core_sched" \
	--zmq-config-ep "ipc://$EP/config"

# --- the token reaches EAL (point 8)
args=$(eal_args d)
[ -n "$args" ] || fail "no EAL argument list in the log at --loglevel=7"
log "EAL arguments: $args"
[[ " $args " == *" --vfio-vf-token=$TOKEN "* ]] || fail "--vfio-vf-token=$TOKEN is not among them"
[[ " $args " == *" --lcores=127@0,0@0,1@1 "* ]] || fail "unexpected lcores (workers 0 and 1, main on CPU 0)"

PREFIXES+=("vio-vm-$TAG")
testpmd "" -l 0,1 --main-lcore 1 --no-huge -m 512 --no-pci --file-prefix "vio-vm-$TAG" \
	--vdev "net_virtio_user0,path=$SOCKDIR/virtio-forwarder1.sock,queues=1" \
	--vdev "net_virtio_user1,path=$SOCKDIR/virtio-forwarder2.sock,queues=1" \
	-- --forward-mode=io --nb-cores=1 --stats-period 3600 --total-num-mbufs=8192 \
	--disable-link-check >"$T/vm.log" 2>&1 &
PID[vm]=$!
for r in 1 2; do
	wait_log "$T/d.log" "relay $r: VM connected" 30 || fail "relay $r: the VM did not connect"
	wait_iface "$ns" "vf$r" 10 || fail "vf$r missing"
	ip netns exec "$ns" ip link set "vf$r" up
done
path_ready "$ns" vf1 "$ns" vf2 30 || fail "no frame crosses vf1 -> vf2"
path_ready "$ns" vf2 "$ns" vf1 30 || fail "no frame crosses vf2 -> vf1"

# --- where each direction is served (point 7)
st=$($ST --delay=0) || fail "stats failed"
for spec in "1 vf_to_vm 1" "1 vm_to_vf 1" "2 vf_to_vm 0" "2 vm_to_vf 1"; do
	set -- $spec
	[ "$(sval "$st" "relay_$1.cpu.$2")" = "$3" ] ||
		fail "stats: relay $1 $2 on CPU '$(sval "$st" "relay_$1.cpu.$2")', pinned to $3"
	printf '%s\n' "$st" | grep -q "^relay_$1\.$2\.cpu_$3\.pkts_rx_from_" ||
		fail "stats: relay $1 $2 counters not under cpu_$3"
done
$TOOLS/virtioforwarder_config --config-ep="ipc://$EP/config" >"$T/config.out" || fail "config query failed"
map=$(tr -s ' \n' ' ' <"$T/config.out")
for spec in "1 1 1" "2 0 1"; do
	set -- $spec
	[[ "$map" == *"relay_number: $1 vf2virtio_cpu: $2 virtio2vf_cpu: $3 "* ]] ||
		fail "config: relay $1 is not on CPUs $2,$3: $map"
done
# The worker threads (EAL names them rte-worker-<lcore id>; lcore id = CPU) are
# bound to their CPU alone, and that is where they run.
dpid=${PID[d]} # ip netns exec became the daemon
for cpu in 0 1; do
	tid=$(grep -lx "rte-worker-$cpu" /proc/"$dpid"/task/*/comm | cut -d/ -f5)
	[ -n "$tid" ] || fail "no thread rte-worker-$cpu in the daemon (pid $dpid)"
	aff=$(taskset -cp "$tid" | sed 's/.*: //')
	[ "$aff" = "$cpu" ] || fail "rte-worker-$cpu may run on CPUs $aff"
	psr=$(ps -L -o tid=,psr= -p "$dpid" | awk -v t="$tid" '$1 == t { print $2 }')
	[ "$psr" = "$cpu" ] || fail "rte-worker-$cpu last ran on CPU $psr"
done
log "placement: stats, config service and worker threads agree: relay 1 on CPU 1 (both ways), relay 2 VF->VM on CPU 0, VM->VF on CPU 1"

# --- the load monitor (point 9): idle, both CPUs 0.0% busy and 0 Mpps
mon_cpu() { # OUTPUT CPU: "MPPS BUSY" of the CPU's last line
	printf '%s\n' "$1" | sed -n "s/^CPU$2: .* \([0-9.]*\) Mpps, busy \([0-9.]*\)%\$/\1 \2/p" | tail -1
}
idle=$($MON --count=1 --poll-interval=0.5) || fail "monitor_load failed"
log "monitor_load, idle:"
printf '%s\n' "$idle"
for cpu in 0 1; do
	[ "$(mon_cpu "$idle" $cpu)" = "0.000 0.0" ] || fail "monitor_load: CPU $cpu not idle: $idle"
done

# --- each way alone: the workers' packet counters move by exactly what
# crossed the directions pinned to them; while vf1 -> vf2 runs (CPU 1 only),
# the load monitor shows CPU 1 busy and CPU 0 still idle.
wpkts() { sval "$1" "worker_$2.pkts"; }
one_way() { # SRC DST N TAG [SEND_ARGS...]: N frames SRC -> DST, intact and in order
	local src=$1 dst=$2 n=$3 tag=$4 rp
	shift 4
	ip netns exec "$ns" $FRAMES recv "$dst" "$tag" "$n" --timeout 60 --out "$T/$tag.json" >/dev/null &
	rp=$!
	for _ in $(seq 1 100); do [ -e "$T/$tag.json.ready" ] && break; sleep 0.1; done
	ip netns exec "$ns" $FRAMES send "$src" "$tag" "$n" "$@" >/dev/null &
	PID[sender]=$!
	[ -z "${DURING:-}" ] || $DURING
	wait "${PID[sender]}" || fail "sender on $src failed"
	unset "PID[sender]"
	wait $rp || fail "$src -> $dst: frames lost, corrupted or reordered: $(cat "$T/$tag.json")"
	log "$src -> $dst: $(cat "$T/$tag.json")"
}
monitor_during() {
	sleep 0.3
	$MON --count=1 --poll-interval=0.5 >"$T/mon.out" || fail "monitor_load failed under traffic"
}
N=4000 # paced: at least 1 s, the monitor's window (0.5 s) starts 0.3 s in
b=$($ST --delay=0)
DURING=monitor_during one_way vf1 vf2 $N AB --burst 4 --gap-ms 1
sleep 0.3
a=$($ST --delay=0)
busy=$(cat "$T/mon.out")
log "monitor_load, vf1 -> vf2 running:"
printf '%s\n' "$busy"
read -r mpps1 busy1 <<<"$(mon_cpu "$busy" 1)"
[ -n "$busy1" ] || fail "monitor_load printed no CPU 1 line: $busy"
awk -v b="$busy1" 'BEGIN { exit !(b > 0) }' || fail "monitor_load: CPU 1 relays vf1 -> vf2 but shows busy $busy1%"
[ "$(mon_cpu "$busy" 0)" = "0.000 0.0" ] || fail "monitor_load: CPU 0 serves none of it but shows: $busy"
d0=$(($(wpkts "$a" 0) - $(wpkts "$b" 0)))
d1=$(($(wpkts "$a" 1) - $(wpkts "$b" 1)))
[ $d0 = 0 ] && [ $d1 = $((2 * N)) ] ||
	fail "vf1 -> vf2 ($N frames): worker 0 took $d0, worker 1 $d1 packets; expected 0 and $((2 * N))"
log "vf1 -> vf2: worker 1 took $d1 packets (relay 1 VF->VM + relay 2 VM->VF), worker 0 none; monitor: CPU 1 at $mpps1 Mpps, busy $busy1%"

b=$a
one_way vf2 vf1 $N BA
sleep 0.3
a=$($ST --delay=0)
d0=$(($(wpkts "$a" 0) - $(wpkts "$b" 0)))
d1=$(($(wpkts "$a" 1) - $(wpkts "$b" 1)))
[ $d0 = $N ] && [ $d1 = $N ] ||
	fail "vf2 -> vf1 ($N frames): worker 0 took $d0, worker 1 $d1 packets; expected $N each"
log "vf2 -> vf1: worker 0 took $d0 (relay 2 VF->VM), worker 1 $d1 (relay 1 VM->VF)"

both_ways "$ns" vf1 "$ns" vf2 2000 "both ways at once"

# --- RelayState.ident (point 10): the original never sets it (its
# zmq_stats.c leaves it "TBA"), nor do we: no ident in the reply.
$ST --delay=0 --output-format=protobuf >"$T/stats.pb" || fail "stats (protobuf) failed"
grep -q "vhost_socket_name" "$T/stats.pb" || fail "the protobuf output lacks the relays: $(head -5 "$T/stats.pb")"
! grep -q "ident" "$T/stats.pb" || fail "ident is set: $(grep ident "$T/stats.pb" | head -3)"

stop_name vm
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"

# --- VFIO VF token 0 (the file's variable) and None (the option): the
# default token, and no token argument at all (point 8)
printf 'VIRTIOFWD_VFIO_VF_TOKEN=0\n' >"$T/token0.conf"
daemon_start t0 "$ns" -d -l 7 --config "$T/token0.conf"
[[ " $(eal_args t0) " == *" --vfio-vf-token=$DEFAULT_TOKEN "* ]] ||
	fail "VIRTIOFWD_VFIO_VF_TOKEN=0: EAL arguments $(eal_args t0)"
stop_name t0
daemon_start tn "$ns" -d -l 7 --vfio-vf-token=None
[ -n "$(eal_args tn)" ] || fail "no EAL argument list logged"
[[ "$(eal_args tn)" != *vfio-vf-token* ]] || fail "--vfio-vf-token=None: EAL arguments $(eal_args tn)"
stop_name tn
log "token 0: --vfio-vf-token=$DEFAULT_TOKEN; None: no token argument"

# --- a pin to a CPU that is not a worker is refused at start, naming it,
# before anything is created (point 7)
rc=0
timeout 20 ip netns exec "$ns" "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-bad-$TAG" \
	-M 0 -C 1 -V "$T/bad" --hugepages=no --pid-dir "$T" --virtio-cpu=2:1,0 \
	>"$T/bad.log" 2>&1 || rc=$?
PREFIXES+=("vio-bad-$TAG")
[ $rc = 2 ] || fail "a pin to CPU 0 (not a worker): exit $rc, expected 2: $(cat "$T/bad.log")"
grep -q 'VIRTIOFWD_CPU_PINS="2:1,0": CPU 0 is not a worker CPU (VIRTIOFWD_CPU_MASK="1")' "$T/bad.log" ||
	fail "the refusal does not name the pin and the CPU: $(cat "$T/bad.log")"
[ ! -e "$T/bad" ] || fail "the refused daemon created its socket directory"
log "PASS: pins served where pinned, token passed to EAL, load monitor follows the load, no ident, bad pin refused"
