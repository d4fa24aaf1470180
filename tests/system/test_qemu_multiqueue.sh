# SPDX-License-Identifier: BSD-3-Clause
# Multiqueue with a real guest (issue 4 test 2, issue 6 test 3; guide
# section 12): QEMU offers 33 queue pairs, the daemon warns and serves the
# first 32.  The guest (one vCPU: its XPS map holds every queue, so TX picks
# by flow hash) runs three phases, setting its channel count as
# `ethtool -L eth0 combined N` does: 32, then 2, then 32 again.  In each
# phase the VF side sends 2048 UDP flows (IPv4, IPv6, VLAN) to the guest,
# which routes the IPv4 ones back (a forwarded packet's TX queue follows its
# flow hash; a local socket's would stick to one queue).  Checks, from the daemon's per-ring counts: in the 32-queue
# phases every one of the 64 rings moved; in the 2-queue phase only rings
# 0-3 did; the rings of pair 32 never did.  A flood from the VF side runs
# throughout, so the channel changes happen under traffic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
mkdir -p "$T/www"
daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1" --loglevel=7
ip_up "$nsvf" vf0 10.0.0.1/24
ip netns exec "$nsvf" python3 -m http.server 8000 --bind 0.0.0.0 --directory "$T/www" \
	>"$T/http.log" 2>&1 &
PID[http]=$!

guest_start mq "$SOCKDIR/virtio-forwarder1.sock" 0 0 33 "vio.mq=32,2,32"
wait_log "$T/d.log" "relay 1: VM connected" 60 || fail "the guest did not connect"
wait_log "$T/d.log" "the VM has 33 queue pairs: the first 32 are served" 5 ||
	fail "no warning about the 33rd queue pair"

declare -A last
snapshot() { # PHASE: per-ring growth since the previous snapshot into grow[]
	local r u
	for kv in $(ring_used d 1 66); do
		r=${kv%=*}
		u=${kv#*=}
		grow[$r]=$((u - ${last[$r]:-0}))
		last[$r]=$u
	done
}
declare -A grow
# Traffic runs while the guest changes its queues: a flood from the VF side
# (unchecked; one flow, so one ring) from the first phase to the end.
wait_log "$T/mq.log" "GUEST: CHANNELS" 120 || fail "the guest did not set its channels"
ip netns exec "$nsvf" $FRAMES flood vf0 --seconds 100 --gap-ms 20 >"$T/flood.json" 2>&1 &
PID[flood]=$!
for phase in 1 2 3; do
	wait_log "$T/mq.log" "GUEST: PHASE $phase READY" 120 ||
		fail "guest did not finish phase $phase: $(grep GUEST "$T/mq.log" | tr -d '\r' | tail -3)"
	snapshot # baseline: the channel change is done, earlier traffic is over
	ip netns exec "$nsvf" $FRAMES send vf0 MQ$phase 2048 --flows 2048 --dst 52:54:00:12:34:56 \
		--burst 8 --gap-ms 2 >/dev/null
	sleep 2 # the guest forwards under emulation: let it finish
	snapshot
	ch=$(grep "GUEST: CHANNELS" "$T/mq.log" | tr -d '\r' | sed -n "${phase}p" | sed 's/.*CHANNELS //')
	[ "$phase" = 2 ] && want=2 || want=32
	[ "${ch%%_*}" = $want ] || fail "phase $phase: the guest has $ch channels, expected $want"
	bad=""
	for r in $(seq 0 65); do
		if [ "$r" -lt $((2 * want)) ]; then
			[ "${grow[$r]:-0}" -gt 0 ] || bad="$bad ring$r(idle)"
		else
			[ "${grow[$r]:-0}" = 0 ] || bad="$bad ring$r(moved ${grow[$r]})"
		fi
	done
	[ -z "$bad" ] || fail "phase $phase ($want queue pairs):$bad"
	summary=""
	for r in $(seq 0 $((2 * want - 1))); do summary="$summary ${grow[$r]}"; done
	log "phase $phase: guest on $ch channels; per-ring growth (rx0 tx0 rx1 ...):$summary"
	touch "$T/www/go$phase"
done
grep -q "PING OK" "$T/mq.log" || fail "guest ping failed"
wait_log "$T/mq.log" "GUEST: DONE" 60 || fail "guest did not finish"
for _ in $(seq 1 100); do kill -0 "${PID[mq]}" 2>/dev/null || break; sleep 0.1; done
stop_name flood
log "33-pair guest: served on 32 pairs with a warning; 32 -> 2 -> 32 channels at run time took effect under traffic"
