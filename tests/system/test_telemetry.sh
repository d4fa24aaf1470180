# SPDX-License-Identifier: BSD-3-Clause
# DPDK telemetry (issue 16, point 5): EAL telemetry stays on, its socket
# root-only in /var/run/dpdk/<file prefix>.  With one relay (tap "VF",
# testpmd "VM") and traffic both ways, the real client dpdk-telemetry.py
# asks /, /virtio_forwarder/relays, /virtio_forwarder/relay,<id> and
# /virtio_forwarder/workers: the counters moved by exactly what was sent and
# equal the stats tool's; malformed and out-of-range ids answer null; user
# nobody cannot connect; the telemetry threads stay off the worker CPU; a
# second daemon (another prefix) has a socket of its own; the socket goes
# with the daemon.
. "$(dirname "$0")/lib.sh"

N=${VIO_TELEMETRY_FRAMES:-500}
nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/run/ctl
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
sock=$SOCKDIR/virtio-forwarder1.sock
rundir=/var/run/dpdk/vio-d-$TAG   # daemon_start's EAL file prefix
tsock=$rundir/dpdk_telemetry.v2
R=/virtio_forwarder

# tel PREFIX COMMAND...: dpdk-telemetry.py's answers, one JSON line each
tel() {
	local p=$1
	shift
	printf '%s\n' "$@" | dpdk-telemetry.py -f "$p"
}
# flat ANSWER: a telemetry answer {"<command>": {...}} as key=value lines,
# nested keys joined with dots, lists as JSON ("vf_to_vm.rx_pkts=12",
# "cpu_1.vf_to_vm=[1]")
flat() {
	python3 -c 'import json, sys
def walk(prefix, v):
    if isinstance(v, dict):
        for k, x in v.items():
            walk(prefix + [k], x)
    else:
        print(".".join(prefix) + "=" + (json.dumps(v) if isinstance(v, list) else str(v)))
(answer,) = json.loads(sys.argv[1]).values()
walk([], answer)' "$1"
}
val() { printf '%s\n' "$1" | sed -n "s|^$2=||p"; } # FLAT KEY
# ask COMMAND: one answer of daemon d
ask() { tel "vio-d-$TAG" "$1"; }
stat_tool() { # FLAT KEY: one value of the stats tool (whatever its cpu_<n> segment)
	printf '%s\n' "$1" | sed -nE "s/^relay_1\.${2%%.*}(\.cpu_[0-9]+)?\.${2#*.}=//p"
}
on_fail() { ask "$R/relay,1"; ask "$R/workers"; }

daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1" --zmq-stats-ep "ipc://$EP/stats"
vm_start vm "$nsvm" "$sock"
relay_up d 1 "$nsvf" "$nsvm"

# --- the socket: root's alone
[ -S "$tsock" ] || fail "no telemetry socket at $tsock: $(ls -la "$rundir" 2>&1)"
dmode=$(stat -c '%a %U' "$rundir")
smode=$(stat -c '%a %U' "$tsock")
[ "$dmode" = "700 root" ] || fail "runtime directory $rundir: mode/owner $dmode, expected 700 root"
[ $((0${smode% *} & 077)) = 0 ] && [ "${smode#* }" = root ] ||
	fail "telemetry socket: mode/owner $smode, expected no group/other access, root"
NOBODY="setpriv --reuid=nobody --regid=nogroup --clear-groups"
rc=0
out=$($NOBODY /usr/bin/python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
s.connect(sys.argv[1])
print(s.recv(1024).decode())' "$tsock" 2>&1) || rc=$?
[ $rc != 0 ] && printf '%s\n' "$out" | grep -q PermissionError ||
	fail "user nobody: connect did not fail with a permission error (exit $rc): $out"
# (a non-root client looks in $XDG_RUNTIME_DIR or /tmp: sent to root's directory)
out=$(printf '/\n' | $NOBODY env RUNTIME_DIRECTORY=/var/run /usr/bin/python3 /usr/bin/dpdk-telemetry.py \
	-f "vio-d-$TAG" 2>&1) || true
printf '%s\n' "$out" | grep -q "^Error connecting to $tsock" && ! printf '%s\n' "$out" | grep -q "$R" ||
	fail "user nobody: dpdk-telemetry.py was not refused: $out"
log "socket $tsock: $smode (directory $dmode); nobody: $(printf '%s\n' "$out" | head -1)"

# --- traffic, then the commands
b_relay=$(ask "$R/relay,1") || fail "dpdk-telemetry.py failed"
log "sending $N frames each way"
both_ways "$nsvf" vf0 "$nsvm" vm0 "$N" telemetry
sleep 0.5
expect=$($FRAMES expect x "$N")
mapfile -t ans < <(tel "vio-d-$TAG" / "$R/relays" "$R/relay,1" "$R/workers")
[ ${#ans[@]} = 4 ] || fail "expected 4 answers, got ${#ans[@]}: ${ans[*]}"
flat=$($ST) || fail "stats tool failed"
for c in "$R/relays" "$R/relay" "$R/workers" /ethdev/stats; do
	printf '%s\n' "${ans[0]}" | grep -q "\"$c\"" || fail "/ does not list $c: ${ans[0]}"
done

# relays: the ids in use are those with a socket (static mode: every id)
want=$(ls "$SOCKDIR" | sed -n 's/^virtio-forwarder\([0-9]*\)\.sock$/\1/p' | sort -n | paste -sd,)
got=$(printf '%s\n' "${ans[1]}" | sed -n "s|^{\"$R/relays\": \[\(.*\)\]}$|\1|p" | tr -d ' ')
[ "$got" = "$want" ] || fail "relays: [$got], expected [$want]"
nrel=$(echo "$want" | tr ',' '\n' | wc -l)

# relay,1: the relay's state, and its counters moved by exactly the traffic
rf=$(flat "${ans[2]}")
bf=$(flat "$b_relay")
rv() { val "$rf" "$1"; }
for kv in id=1 in_use=1 vm_connected=1 vf=net_tap0 vf_started=1 link=up "socket=$sock" \
	vf_to_vm.state=FORWARDING vm_to_vf.state=FORWARDING vf_to_vm.cpu=1 vm_to_vf.cpu=1; do
	k=${kv%%=*}
	v=$(rv "$k")
	[ "$v" = "${kv#*=}" ] || fail "relay,1: $k=$v, expected ${kv#*=}"
done
[ "$(rv vf_port)" -ge 0 ] || fail "relay,1: vf_port $(rv vf_port)"
for dir in vf_to_vm vm_to_vf; do
	for f in rx_pkts:"$N" tx_pkts:"$N" rx_bytes:"$expect" tx_bytes:"$expect" drop_full_pkts:0 \
		drop_not_connected_pkts:0 drop_too_long_pkts:0; do
		k=${f%%:*}
		d=$(($(rv $dir.$k) - $(val "$bf" $dir.$k)))
		[ "$d" = "${f#*:}" ] || fail "relay,1 $dir.$k moved by $d, expected ${f#*:}"
	done
	[ "$(rv $dir.busy_polls)" -gt 0 ] && [ "$(rv $dir.busy_cycles)" -gt 0 ] ||
		fail "relay,1 $dir: no busy polls or cycles"
done
# ... and equal the stats tool's (no traffic since: nothing moves)
for m in vf_to_vm.rx_pkts:vf_to_vm.pkts_rx_from_vf vf_to_vm.tx_bytes:vf_to_vm.bytes_tx_to_vm \
	vm_to_vf.rx_pkts:vm_to_vf.pkts_rx_from_vm vm_to_vf.tx_bytes:vm_to_vf.bytes_tx_to_vf \
	vf_to_vm.busy_polls:vf_to_vm.busy_polls vm_to_vf.drop_full_pkts:vm_to_vf.pkts_dropped_vf_queue_full; do
	tk=${m%%:*}
	a=$(rv "$tk")
	s=$(stat_tool "$flat" "${m#*:}")
	[ -n "$s" ] && [ "$a" = "$s" ] || fail "relay,1 $tk=$a but the stats tool says ${m#*:}=$s"
done
log "relay,1: $(rv vf_to_vm.rx_pkts)/$(rv vf_to_vm.rx_bytes) VF->VM," \
	"$(rv vm_to_vf.rx_pkts)/$(rv vm_to_vf.rx_bytes) VM->VF (+$N/+$expect each), as the stats tool says"

# workers: the one worker (CPU 1) serves both directions of relay 1
w=${ans[3]}
wf=$(flat "$w")
[ "$(printf '%s\n' "$wf" | cut -d. -f1 | sort -u | paste -sd,)" = cpu_1 ] || fail "workers: $w"
[ "$(val "$wf" cpu_1.vf_to_vm)" = "[1]" ] && [ "$(val "$wf" cpu_1.vm_to_vf)" = "[1]" ] ||
	fail "workers: cpu_1 does not serve relay 1 both ways: $w"
[ "$(val "$wf" cpu_1.pkts)" -ge $((2 * N)) ] && [ "$(val "$wf" cpu_1.busy_cycles)" -gt 0 ] ||
	fail "workers: cpu_1 counted too little: $w"
log "workers: $w"

# bad ids: null, and the daemon goes on answering
mapfile -t bad < <(tel "vio-d-$TAG" "$R/relay" "$R/relay," "$R/relay,$nrel" "$R/relay,-1" "$R/relay,x" \
	"$R/relay,1x" "$R/relay,1,2" "$R/relay, 1" "$R/relay,99999999999999999999" "$R/relay,1")
[ ${#bad[@]} = 10 ] || fail "expected 10 answers to bad ids, got ${#bad[@]}: ${bad[*]}"
for i in $(seq 0 8); do
	[ "${bad[$i]}" = "{\"$R/relay\": null}" ] || fail "bad id $i answered ${bad[$i]}"
done
[ "$(val "$(flat "${bad[9]}")" id)" = 1 ] || fail "relay,1 after bad ids: ${bad[9]}"
kill -0 "${PID[d]}" || fail "daemon died"
log "malformed or out-of-range ids (none, empty, $nrel, -1, x, 1x, '1,2', ' 1', 2^66): null"

# --- threads: the telemetry listener and a client's thread, off the worker CPU
{ sleep 2; echo "$R/relays"; } | dpdk-telemetry.py -f "vio-d-$TAG" >"$T/held.out" &
held=$!
sleep 1
threads=$(for t in /proc/"${PID[d]}"/task/*; do
	echo "$(cat "$t/comm"):$(sed -n 's/^Cpus_allowed_list:\s*//p' "$t/status")"
done | sort)
wait $held || fail "held client failed"
grep -q "$R/relays" "$T/held.out" || fail "held client: $(cat "$T/held.out")"
# DPDK 22.11 gives them its control threads' CPUs: the CPUs of no lcore, else
# the main lcore's (here, 2 CPUs: 0, the main CPU)
tcpus=$(printf '%s\n' "$threads" | sed -n 's/^telemetry-v2://p')
[ "$(printf '%s\n' "$tcpus" | wc -l)" = 2 ] ||
	fail "expected 2 telemetry threads (listener, client): $(echo $threads)"
printf '%s\n' "$tcpus" | python3 -c 'import sys
bad = False
for line in sys.stdin:
    cpus = set()
    for part in line.strip().split(","):
        lo, _, hi = part.partition("-")
        cpus.update(range(int(lo), int(hi or lo) + 1))
    bad = bad or 1 in cpus or not cpus
sys.exit(1 if bad else 0)' ||
	fail "a telemetry thread may run on the worker CPU 1: $(echo $threads)"
log "threads (comm:CPUs): $(echo $threads)"

# --- a second daemon: its own prefix, its own socket.  Started with umask
# 000 in a runtime directory left open (0755) beforehand: the daemon makes
# both private all the same.
t2=/var/run/dpdk/vio-d2-$TAG/dpdk_telemetry.v2
mkdir -p -m 0755 "${t2%/*}"
umask_was=$(umask)
umask 000
DAEMON_SOCKDIR=$T/sock2 daemon_start d2 "$nsvf" --dynamic-sockets
umask "$umask_was"
[ -S "$t2" ] && [ -S "$tsock" ] || fail "two daemons: sockets $(ls -la "$rundir" "${t2%/*}" 2>&1)"
m2="$(stat -c %a "${t2%/*}")/$(stat -c %a "$t2")"
[ "${m2%/*}" = 700 ] && [ $((0${m2#*/} & 077)) = 0 ] ||
	fail "d2 (umask 000, directory 0755): directory/socket modes $m2"
grep -q "WARNING eal: DPDK runtime directory ${t2%/*} was mode 755: now 0700" "$T/d2.log" ||
	fail "d2 did not say it closed its runtime directory"
p1=$(ask /eal/params)
p2=$(tel "vio-d2-$TAG" /eal/params "$R/relays")
printf '%s\n' "$p1" | grep -q -- "--file-prefix=vio-d-$TAG\"" || fail "d answers for another: $p1"
printf '%s\n' "$p2" | grep -q -- "--file-prefix=vio-d2-$TAG\"" || fail "d2 answers for another: $p2"
[ "$(printf '%s\n' "$p2" | tail -1)" = "{\"$R/relays\": []}" ] || fail "d2 relays: $p2"
stop_and_reap d2 TERM
[ "$EXIT_CODE" = 0 ] || fail "d2 exit status $EXIT_CODE"
[ ! -e "$t2" ] || fail "d2's socket outlived it"
[ -S "$tsock" ] || fail "d's socket went with d2"
log "second daemon (umask 000, directory left 0755): own socket $t2, directory/socket" \
	"modes $m2, own answers (no relays), removed on exit"

stop_name vm
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
[ ! -e "$tsock" ] || fail "the socket outlived the daemon"
log "telemetry: relay ids, counters, workers, bad ids, root-only socket, placement: ok"
