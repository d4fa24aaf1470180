# SPDX-License-Identifier: BSD-3-Clause
# Adversarial control clients (issue 13, defects 3 and 4), against a daemon
# whose descriptor limit is 1024 (soft and hard, as a unit without
# LimitNOFILE gives it):
#  - 2,000 idle clients on the stats endpoint: libzmq aborted the daemon at
#    ~1,100 (EMFILE in accept).  Now each endpoint takes a bounded number of
#    clients and refuses the rest; a VM still connects (its vhost-user
#    socket and eventfds need descriptors), port control still answers, and
#    stats answers again once the crowd has gone;
#  - 16 clients sending 4 MiB frames as fast as they can, never reading:
#    frames above the 128 KiB limit disconnect their sender and at most two
#    requests wait per client, so the daemon's memory stays flat (it grew by
#    tens of MB, and to 1.27 GB while the control thread was busy).
. "$(dirname "$0")/lib.sh"

STRESS=${VIO_TEST_TOOLS:-$(dirname "$VIO_BIN")/../tests}/ctl_stress
nsvf=$(ns_add vf)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
rss() { awk '/VmRSS/ {print $2}' "/proc/${PID[d]}/status"; }
fds() { ls "/proc/${PID[d]}/fd" | wc -l; }

# prlimit execs the daemon: $! stays its pid
printf '#!/bin/sh\nexec prlimit --nofile=1024:1024 %s "$@"\n' "$VIO_BIN" >"$T/limited"
chmod +x "$T/limited"
VIO_BIN=$T/limited daemon_start d "$nsvf" --zmq-port-control-ep "ipc://$EP/port_control" \
	--zmq-stats-ep "ipc://$EP/stats"
[ "$(awk '/open files/ {print $4}' "/proc/${PID[d]}/limits")" = 1024 ] || fail "limit not 1024"
log "descriptors at start: $(fds)"

$STRESS clients "ipc://$EP/stats" 2000 12 >"$T/clients.out" 2>&1 &
PID[clients]=$!
sleep 6
kill -0 "${PID[d]}" 2>/dev/null || fail "the daemon died under 2,000 clients: $(grep -v VHOST "$T/d.log" | tail -3)"
n=$(fds)
log "descriptors with 2,000 clients trying: $n"
[ "$n" -lt 700 ] || fail "$n descriptors in use: the client limit does not hold"
grep -q "more than [0-9]* clients: refusing new ones" "$T/d.log" || fail "no refusal logged"
log "$(grep -o 'stats service on .*' "$T/d.log")"
$PC add --virtio-id=1 --pci-addr=0000:00:1f.7 >"$T/pc.out" 2>&1 || true
grep -q "cannot attach device 0000:00:1f.7" "$T/pc.out" || fail "port control does not answer: $(cat "$T/pc.out")"
vm_start vm "$nsvf" "$SOCKDIR/virtio-forwarder1.sock"
wait_log "$T/d.log" "relay 1: VM connected" 20 || fail "a VM could not connect next to the crowd"
wait "${PID[clients]}" || true
unset "PID[clients]"
sleep 1
$ST >/dev/null || fail "stats does not answer after the crowd left"
log "2,000 clients: daemon alive, VM connected, port control answered, stats back"
stop_name vm

before=$(rss)
peak=$before
$STRESS flood "ipc://$EP/stats" 16 $((4 << 20)) 10 >"$T/flood.out" 2>&1 &
PID[flood]=$!
while kill -0 "${PID[flood]}" 2>/dev/null; do
	r=$(rss)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.2
done
unset "PID[flood]"
log "$(cat "$T/flood.out"); RSS before ${before} kB, peak ${peak} kB"
[ $((peak - before)) -lt 32768 ] || fail "RSS grew by $(((peak - before) / 1024)) MB under 4 MiB frames"
$ST >/dev/null || fail "stats does not answer after the flood"
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
log "PASS"
