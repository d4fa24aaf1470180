# SPDX-License-Identifier: BSD-3-Clause
# VF events: link down/up of the VF is logged and shown in stats (SIGUSR1 and
# the ZeroMQ stats service); a reset request and a removal from the VF's
# driver are handled without a crash and traffic resumes.
#   ns vf: vf0 10.0.0.1 -- daemon -- socket -- testpmd -- ns vm: vm0 10.0.0.2
# net_tap reports link changes (its kernel interface going down or up) as
# real LSC interrupts.  No virtual device raises removal or reset events, so
# those are delivered by the daemon's test hook (VIO_TEST_VF_EVENT=rmv|reset,
# then SIGUSR2) to the same callback a driver's event reaches.
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
sock=$SOCKDIR/virtio-forwarder1.sock

pings() { # NS ADDR COUNT: replies received
	ip netns exec "$1" ping -c "$3" -i 0.2 -W 2 "$2" 2>/dev/null |
		sed -n 's/.* \([0-9]*\) received.*/\1/p'
}

lines() { grep -c "$2" "$1" || true; } # FILE PATTERN

wait_more() { # FILE PATTERN N SECONDS: until more than N lines match
	local end=$((SECONDS + $4))
	while [ $SECONDS -lt $end ]; do
		[ "$(lines "$1" "$2")" -gt "$3" ] && return 0
		sleep 0.1
	done
	return 1
}

resumed() { # WHAT: the VF side is addressed again and 10 of 10 pings cross
	local n
	ip_up "$nsvf" vf0 10.0.0.1/24
	ping_until "$nsvf" 10.0.0.2 20 || fail "no traffic after $1"
	n=$(pings "$nsvf" 10.0.0.2 10)
	[ "$n" = 10 ] || fail "after $1: $n of 10 pings answered"
}

stop_all() { # NAME: the VM, then the daemon, which must exit 0
	stop_name "vm-$1"
	stop_and_reap "$1" TERM
	[ "$EXIT_CODE" = 0 ] || fail "daemon exited with $EXIT_CODE"
}

start() { # NAME EVENT
	VIO_TEST_VF_EVENT=$2 daemon_start "$1" "$nsvf" -P "net_tap0,iface=vf0=1" \
		--zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_tap,net_null --zmq-stats-ep "ipc://$EP/stats"
	vm_start "vm-$1" "$nsvm" "$sock"
	ip_up "$nsvf" vf0 10.0.0.1/24
	ip_up "$nsvm" vm0 10.0.0.2/24
	ping_until "$nsvf" 10.0.0.2 20 || fail "$1: no ping reply through the forwarder"
}

log "== link down and up"
start d reset
st=$(relay_stats d 1)
[ "$(stat_of "$st" link 1)" = up ] || fail "link not up at start: $(echo "$st" | tr '\n' ' ')"
down="relay 1: VF port [0-9]* link down" up="relay 1: VF port [0-9]* link up"
n_down=$(lines "$T/d.log" "$down")
n_up=$(lines "$T/d.log" "$up")
ip netns exec "$nsvf" ip link set vf0 down
wait_more "$T/d.log" "$down" "$n_down" 10 || fail "link down not logged"
st=$(relay_stats d 1)
[ "$(stat_of "$st" link 1)" = down ] || fail "stats: link $(stat_of "$st" link 1), expected down"
[ "$(stat_of "$st" link_changes 1)" = 1 ] || fail "link_changes $(stat_of "$st" link_changes 1)"
out=$($ST) || fail "stats request failed"
echo "$out" | grep -qx "relay_1.vf.link_up=False" || fail "ZeroMQ stats: no link_up=False: $out"
ip_up "$nsvf" vf0 10.0.0.1/24
wait_more "$T/d.log" "$up" "$n_up" 10 || fail "link up not logged"
out=$($ST) || fail "stats request failed"
echo "$out" | grep -qx "relay_1.vf.link_up=True" || fail "ZeroMQ stats: no link_up=True: $out"
echo "$out" | grep -qx "relay_1.vf.link_changes=2" || fail "ZeroMQ stats: link_changes not 2: $out"
echo "$out" | grep -qx "relay_1.vf.rx_missed=0" || fail "ZeroMQ stats: no rx_missed=0: $out"
ping_until "$nsvf" 10.0.0.2 20 || fail "no traffic after the link came back"
log "link down/up logged, counted (2 changes) and shown in both stats"

log "== reset requested by the VF's driver"
kill -USR2 "${PID[d]}"
wait_log "$T/d.log" "relay 1: VF port [0-9]* asks for a reset" 10 || fail "reset event not seen"
wait_log "$T/d.log" "relay 1: VF .* reset and running again" 10 || fail "VF not reset"
resumed "the reset"
log "reset: port reconfigured, 10/10 pings after it"
stop_all d

log "== removal by the VF's driver"
start d2 rmv
kill -USR2 "${PID[d2]}"
wait_log "$T/d2.log" "relay 1: VF .* is gone: detached" 10 || fail "removal not handled"
st=$(relay_stats d2 1)
[ "$(stat_of "$st" vf 1)" = none ] || fail "VF still attached after its removal"
before=$(stat_of "$st" vm_to_vf.drop_nc 1)
ip netns exec "$nsvm" ping -c 3 -i 0.2 -W 1 10.0.0.1 >/dev/null 2>&1 || true
st=$(relay_stats d2 1)
[ "$(stat_of "$st" vm_to_vf.drop_nc 1)" -gt "$before" ] ||
	fail "VM->VF traffic without a VF not counted as dropped"
$PC add --virtio-id=1 --device="net_tap0,iface=vf0" || fail "cannot attach the VF again"
resumed "re-attaching the VF"
log "removal: VF detached, VM->VF counted as dropped, VF attached again, 10/10 pings"
stop_all d2
log "ok"
