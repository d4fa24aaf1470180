# SPDX-License-Identifier: BSD-3-Clause
# Static sockets driven by the port control tool (issue 3, tests 3 and 4):
# add/remove against the default sockets, conditional and non-conditional
# repeats; then bad input of every kind (garbage, truncated and oversized
# frames, required fields missing, ids and CPUs out of range, a PCI address
# that does not exist), each answered with an error, after which the daemon
# still forwards.
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
PIN="$TOOLS/virtioforwarder_core_pinner --stats-ep=ipc://$EP/stats --sched-ep=ipc://$EP/core_sched"

daemon_start d "$nsvf" --zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_tap,net_null \
	--zmq-stats-ep "ipc://$EP/stats" --zmq-core-sched-ep "ipc://$EP/core_sched" \
	--zmq-config-ep "ipc://$EP/config"
vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
wait_log "$T/d.log" "relay 1: VM connected" 20 || fail "VM did not connect"
ip netns exec "$nsvm" ip link set vm0 up

expect_rc() { # RC DESCRIPTION COMMAND...: run, check the exit status
	local want=$1 what=$2 rc=0
	shift 2
	"$@" >"$T/out" 2>&1 || rc=$?
	[ $rc = "$want" ] || fail "$what: exit $rc, expected $want: $(cat "$T/out")"
	log "$what: exit $rc $(tr '\n' ' ' <"$T/out" | cut -c1-150)"
}
traffic_ok() {
	path_ready "$nsvf" vf0 "$nsvm" vm0 30 || fail "$1: nothing crosses VF->VM"
	path_ready "$nsvm" vm0 "$nsvf" vf0 30 || fail "$1: nothing crosses VM->VF"
}

# --- test 3: add/remove on the default sockets
expect_rc 0 "add relay 1" $PC add --virtio-id=1 --device="net_tap0,iface=vf0"
wait_iface "$nsvf" vf0 20 || fail "vf0 did not appear"
ip netns exec "$nsvf" ip link set vf0 up
traffic_ok "after add"
expect_rc 1 "add again, not conditional" $PC add --virtio-id=1 --device=net_tap0,iface=vf0
grep -q "error_code: 17" "$T/out" || fail "expected EEXIST (17)"
expect_rc 0 "add again, conditional" $PC add --virtio-id=1 --device=net_tap0,iface=vf0 --conditional
expect_rc 1 "same device on relay 2" $PC add --virtio-id=2 --device=net_tap0 --conditional
grep -q "already relayed by relay 1" "$T/out" || fail "no reason given"
expect_rc 1 "add_sock without dynamic sockets" $PC add_sock --vhost-path=/tmp/x.sock --device=net_tap7
grep -q "VIRTIOFWD_DYNAMIC_SOCKETS" "$T/out" || fail "no reason given"
out=$($PC query_pci --vhost-path="$SOCKDIR/virtio-forwarder1.sock") || fail "query_pci failed"
[ "$out" = net_tap0 ] || fail "query_pci answered '$out'"
expect_rc 0 "remove relay 1" $PC remove --virtio-id=1 --device=net_tap0
sleep 0.3
! ip netns exec "$nsvf" ip link show vf0 >/dev/null 2>&1 || fail "vf0 still there after remove"
expect_rc 1 "remove again, not conditional" $PC remove --virtio-id=1
grep -q "error_code: 2$" "$T/out" || fail "expected ENOENT (2)"
expect_rc 0 "remove again, conditional" $PC remove --virtio-id=1 --conditional
expect_rc 0 "add back" $PC add --virtio-id=1 --device=net_tap0,iface=vf0
wait_iface "$nsvf" vf0 20 || fail "vf0 did not come back"
ip netns exec "$nsvf" ip link set vf0 up
traffic_ok "after remove and add"

# --- test 4: bad input, each answered with an error
RAW() { expect_rc "$1" "$2" "$ZMQ_RAW" "ipc://$EP/$3" "$4" "$5"; }
for svc in port_control:port stats:stats core_sched:sched config:config; do
	ep=${svc%:*}; ty=${svc#*:}
	RAW 0 "$ep: garbage" $ep $ty fffefd0102
	case $ty in
	port) grep -q "status: ERROR" "$T/out" || fail "$ep: garbage not refused" ;;
	stats|config) grep -q "status: EBADR" "$T/out" || fail "$ep: garbage not refused" ;;
	sched) grep -q "status: ERROR" "$T/out" || fail "$ep: garbage not refused" ;;
	esac
	RAW 0 "$ep: oversized frame" $ep $ty @100000
	grep -q "status: \(ERROR\|EBADR\)" "$T/out" || fail "$ep: oversized frame not refused"
done
RAW 0 "port_control: truncated" port_control port 0800120808
grep -q "not a PortControlRequest" "$T/out" || fail "truncated request not refused"
RAW 0 "port_control: op missing" port_control port 1801
grep -q "not a PortControlRequest" "$T/out" || fail "request without op not refused"
RAW 0 "port_control: unknown op" port_control port 0809
grep -q "unknown op 9" "$T/out" || fail "unknown op not refused"
RAW 0 "port_control: empty frame" port_control port ""
grep -q "status: ERROR" "$T/out" || fail "empty frame not refused"
RAW 0 "core_sched: op missing" core_sched sched 1206080110011801
grep -q "status: ERROR" "$T/out" || fail "core_sched without op not refused"

expect_rc 1 "add without virtio_id" $PC add --device=net_tap3
grep -q "virtio_id is missing" "$T/out" || fail "no reason"
expect_rc 1 "add without a VF" $PC add --virtio-id=3
grep -q "no VF given" "$T/out" || fail "no reason"
expect_rc 1 "virtio_id out of range" $PC add --virtio-id=32 --device=net_tap3
grep -q "out of range (0-31)" "$T/out" || fail "no reason"
expect_rc 1 "query_pci without vhost_path" $PC query_pci
expect_rc 1 "bond without a name" $PC add --virtio-id=3 --pci-addr=0000:05:00.1 --pci-addr=0000:05:00.2
grep -q "a bond needs a name" "$T/out" || fail "no reason"
expect_rc 1 "PCI address that does not exist" $PC add --virtio-id=3 --pci-addr=0000:7f:1f.7
expect_rc 2 "malformed PCI address (tool)" $PC add --virtio-id=3 --pci-addr=0000:zz:00.1
expect_rc 1 "stats: relay out of range" $ST --relay=99
expect_rc 1 "core_sched: relay out of range" $PIN --virtio-cpu=40:1,1
grep -q "out of range" "$T/out" || fail "no reason"
expect_rc 1 "core_sched: CPU not a worker" $PIN --virtio-cpu=1:5,1
grep -q "CPU 5 is not a worker CPU" "$T/out" || fail "no reason"
expect_rc 3 "no daemon on the endpoint" $TOOLS/virtioforwarder_config --config-ep="ipc://$T/nothing"

# nothing changed, and the daemon still forwards
out=$($PC query_pci --vhost-path="$SOCKDIR/virtio-forwarder1.sock") || fail "query_pci failed"
[ "$out" = net_tap0 ] || fail "relay 1 changed: '$out'"
$ST --include-inactive --delay=0 | grep -E "pci_addr_str" >"$T/vfs"
[ "$(wc -l <"$T/vfs")" = 1 ] || fail "VFs after bad input: $(cat "$T/vfs")"
kill -0 "${PID[d]}" || fail "daemon died"
traffic_ok "after bad input"
stop_name vm
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
log "static control and bad input: ok"
