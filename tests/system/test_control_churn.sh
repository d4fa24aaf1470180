# SPDX-License-Identifier: BSD-3-Clause
# 500 add/remove cycles through the port control tool on relay 2 while
# relay 1 carries traffic (issue 3, test 5): no crash, every frame of relay 1
# arrives in order, and the daemon's open files, buffer heap and memory do
# not grow between cycle 20 and the last.
. "$(dirname "$0")/lib.sh"

CYCLES=${VIO_CHURN_CYCLES:-500}
nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"

daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1" --zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_tap,net_null
vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
wait_log "$T/d.log" "relay 1: VM connected" 20 || fail "VM did not connect"
ip netns exec "$nsvf" ip link set vf0 up
ip netns exec "$nsvm" ip link set vm0 up
path_ready "$nsvf" vf0 "$nsvm" vm0 30 || fail "nothing crosses VF->VM"

usage() { # open files, VmRSS kB, DPDK heap bytes
	local pid=${PID[d]}
	echo "fds=$(ls /proc/$pid/fd | wc -l) rss_kb=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)" \
		"$(resources d | sed 's/.*heap_bytes/heap_bytes/')"
}

# Relay 1 traffic for the whole run, checked frame by frame at the end.
M=$((CYCLES * 40))
ip netns exec "$nsvm" $FRAMES recv vm0 CHURN $M --timeout 600 --out "$T/churn.json" >/dev/null &
r=$!
for _ in $(seq 1 100); do [ -e "$T/churn.json.ready" ] && break; sleep 0.1; done
ip netns exec "$nsvf" $FRAMES send vf0 CHURN $M --burst 2 --gap-ms 2 >/dev/null &
s=$!

start=$SECONDS
for i in $(seq 1 "$CYCLES"); do
	$PC add --virtio-id=2 --device="net_tap5,iface=churn0" >"$T/out" 2>&1 ||
		fail "cycle $i: add failed: $(cat "$T/out")"
	$PC remove --virtio-id=2 >"$T/out" 2>&1 || fail "cycle $i: remove failed: $(cat "$T/out")"
	if [ "$i" = 20 ]; then
		u20=$(usage)
		log "after 20 cycles: $u20"
	fi
done
kill -0 "${PID[d]}" || fail "daemon died"
uend=$(usage)
log "after $CYCLES cycles ($((SECONDS - start)) s): $uend"
wait $s || fail "sender failed"
wait $r || fail "relay 1 lost or reordered frames during the churn: $(cat "$T/churn.json")"
log "relay 1 during the churn: $(cat "$T/churn.json")"

val() { printf '%s\n' "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }
[ "$(val "$uend" fds)" -le "$(val "$u20" fds)" ] || fail "open files grew: $u20 -> $uend"
[ "$(val "$uend" heap_bytes)" -le "$(val "$u20" heap_bytes)" ] || fail "DPDK heap grew: $u20 -> $uend"
growth=$(( $(val "$uend" rss_kb) - $(val "$u20" rss_kb) ))
# ${VIO_CHURN_RSS_KB:-2048}: a sanitizer build's shadow memory grows on its own
[ $growth -le "${VIO_CHURN_RSS_KB:-2048}" ] || fail "RSS grew by $growth kB: $u20 -> $uend"
log "no growth: fds and heap equal or lower, RSS $growth kB"
stop_name vm
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
