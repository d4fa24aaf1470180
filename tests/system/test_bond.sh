# SPDX-License-Identifier: BSD-3-Clause
# Bonded VFs (issue 17, point 5): one relay's VF side is a bond of two
# net_tap "VFs" (DPDK's bonding PMD).
#   ns vf: br0 10.0.0.1 on vfa + vfb -- daemon (bond) -- socket -- testpmd -- ns vm: vm0 10.0.0.2
# 1. A static active-backup bond: stats show both members up and which one
#    sends; ping crosses; the sending member's kernel interface is set down
#    (net_tap reports it as a link change, the bonding PMD fails over):
#    pings at 100/s lost during the switch are counted and reported, traffic
#    goes on over the other member (kernel counters), the bond's link stays
#    up; the member comes back (no fail-back: traffic stays), then the other
#    member goes down and traffic returns to the first.
# 2. A balance bond (mode 2, flows hashed by addresses and ports): 16 UDP
#    flows from the VM leave over both members, all accounted for by the
#    kernel's counters; frames sent into each member all reach the VM.
# 3. Port control: a bond added, queried and removed with the tool (ports
#    and buffer pools back to what they were); refusals (one member, no
#    name, a bad name, a duplicate member, a member another relay uses,
#    modes 4 and 6, a driver or argument not allowed) change nothing.
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats --include-inactive"
sock=$SOCKDIR/virtio-forwarder1.sock
MEMBERS="net_tap0,iface=vfa+net_tap1,iface=vfb"

kstat() { # IFACE COUNTER: a kernel counter of an interface in ns vf
	ip netns exec "$nsvf" cat "/sys/class/net/$1/statistics/$2"
}

flat() { # KEY: one value from the stats service's flat output
	$ST | sed -n "s/^relay_1\.$1=//p"
}

m2v() { # FIELD: a VM->VF counter of relay 1, whatever its cpu_<n> segment
	$ST | sed -nE "s/^relay_1\.vm_to_vf(\.cpu_[0-9]+)?\.$1=//p"
}

primary() { # the member the bond sends on: vfa or vfb
	case "$($ST | grep -E '^relay_1\.vf\.bond_member_[01]\.primary=True' | cut -d. -f3)" in
	bond_member_0) echo vfa ;;
	bond_member_1) echo vfb ;;
	*) fail "no primary member: $($ST | grep bond_member)" ;;
	esac
}

on_fail() {
	$ST 2>/dev/null | grep "relay_1.vf" || true
	for i in vfa vfb; do
		echo "$i: rx $(kstat $i rx_packets) tx $(kstat $i tx_packets)" || true
	done
}

start() { # NAME MODE: daemon with the static bond on relay 1, and the VM
	daemon_start "$1" "$nsvf" -P "bond:b0:$2:$MEMBERS=1" \
		--zmq-port-control-ep "ipc://$EP/port_control" \
		--zmq-port-control-drivers net_tap,net_null --zmq-stats-ep "ipc://$EP/stats"
	vm_start "vm-$1" "$nsvm" "$sock"
	wait_log "$T/$1.log" "relay 1: VM connected" 20 || fail "VM did not connect"
	for i in vfa vfb; do wait_iface "$nsvf" $i 20 || fail "$i missing"; done
}

# switch_ms IFACE: ms from the last "link set IFACE down" (time in
# $T/down_at, epoch ms) to the daemon's "sending on" line after it.
switch_ms() {
	local at line t
	at=$(cat "$T/down_at")
	line=$(grep "bond b0: member port .* is down: sending on port" "$T/$DNAME.log" | tail -1)
	t=$(date -d "$(date +%F) ${line%% *}" +%s%3N)
	echo $((t - at))
}

link_down() { # IFACE: the member's kernel side down, the time noted
	date +%s%3N >"$T/down_at"
	ip netns exec "$nsvf" ip link set "$1" down
}

# pings_during NS ADDR SECONDS ACTION_AT ACTION...: SECONDS*100 pings, one
# every 10 ms (ping's timer makes it about 60/s here), each waited for up
# to 2 s; ACTION after ACTION_AT seconds; "sent received" on stdout.
pings_during() {
	local ns=$1 addr=$2 secs=$3 at=$4 out=$T/ping.out
	shift 4
	ip netns exec "$ns" ping -i 0.01 -W 2 -c $((secs * 100)) "$addr" >"$out" 2>&1 &
	local p=$!
	sleep "$at"
	"$@"
	wait $p || true
	sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1 \2/p' "$out"
}

log "== active-backup: static bond, failover and back"
DNAME=d
start d active-backup
ip netns exec "$nsvf" ip link add br0 type bridge
ip netns exec "$nsvf" ip link set br0 type bridge forward_delay 0
for i in vfa vfb; do
	ip netns exec "$nsvf" ip link set $i master br0
	ip netns exec "$nsvf" ip link set $i up
done
ip_up "$nsvf" br0 10.0.0.1/24
ip_up "$nsvm" vm0 10.0.0.2/24
ping_until "$nsvf" 10.0.0.2 20 || fail "no ping reply through the bond"
[ "$(flat vf.pci_addr_str)" = b0 ] || fail "stats: VF name $(flat vf.pci_addr_str), expected b0"
[ "$(flat vf.bond_mode)" = 1 ] || fail "stats: bond_mode $(flat vf.bond_mode)"
[ "$(flat vf.bond_member_0.name)" = net_tap0 ] && [ "$(flat vf.bond_member_1.name)" = net_tap1 ] ||
	fail "stats: members $(flat vf.bond_member_0.name) $(flat vf.bond_member_1.name)"
for k in 0 1; do
	[ "$(flat vf.bond_member_$k.link_up)" = True ] || fail "member $k link not up at start"
done
[ "$(flat vf.link_up)" = True ] || fail "bond link not up at start"
act=$(primary)
other=$([ "$act" = vfa ] && echo vfb || echo vfa)
a0=$(kstat "$act" rx_packets) o0=$(kstat "$other" rx_packets)
n=$(pings_during "$nsvf" 10.0.0.2 2 0 true)
a1=$(kstat "$act" rx_packets) o1=$(kstat "$other" rx_packets)
[ "${n% *}" -gt 100 ] && [ "${n#* }" = "${n% *}" ] || fail "steady pings: $n (sent received)"
[ $((a1 - a0)) -ge "${n#* }" ] && [ $((o1 - o0)) -eq 0 ] ||
	fail "active-backup: replies left over $act $((a1 - a0)) and $other $((o1 - o0)), expected all over $act"
log "steady: $n pings (sent received) all answered, replies over $act only ($((a1 - a0)) frames)"

pings_during "$nsvf" 10.0.0.2 4 2 link_down "$act" >"$T/n"
n=$(cat "$T/n") rtt=$(sed -n 's|^rtt .* = [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' "$T/ping.out")
lost=$((${n% *} - ${n#* }))
switch=$(switch_ms "$act")
log "FAILOVER: $act down, the bond switched after ${switch} ms (daemon log)"
log "FAILOVER: $act down during pings every 10 ms: ${n% *} sent, ${n#* } answered, $lost lost, longest round trip $rtt ms"
[ "${n#* }" -gt 250 ] || fail "traffic did not go on after the failover: $n"
[ "$(flat vf.link_up)" = True ] || fail "bond link not up with one member up"
k=$([ "$act" = vfa ] && echo 0 || echo 1)
[ "$(flat vf.bond_member_$k.link_up)" = False ] || fail "stats: $act not shown down"
[ "$(primary)" = "$other" ] || fail "the bond does not send on $other"
o0=$(kstat "$other" rx_packets)
n=$(pings_during "$nsvf" 10.0.0.2 2 0 true)
o1=$(kstat "$other" rx_packets)
[ "${n#* }" = "${n% *}" ] && [ $((o1 - o0)) -ge "${n#* }" ] ||
	fail "after the failover: pings $n, $((o1 - o0)) replies over $other"
log "after the failover: $n pings all answered over $other ($((o1 - o0)) frames)"

ip netns exec "$nsvf" ip link set "$act" up
for _ in $(seq 1 30); do [ "$(flat vf.bond_member_$k.link_up)" = True ] && break; sleep 0.1; done
[ "$(flat vf.bond_member_$k.link_up)" = True ] || fail "stats: $act not shown up again"
back=$(primary)
log "$act up again: the bond sends on $back ($([ "$back" = "$other" ] && echo "no fail-back" || echo "fail-back"))"
pings_during "$nsvf" 10.0.0.2 4 2 link_down "$back" >"$T/n"
n=$(cat "$T/n")
rtt=$(sed -n 's|^rtt .* = [0-9.]*/[0-9.]*/\([0-9.]*\)/.*|\1|p' "$T/ping.out")
lost2=$((${n% *} - ${n#* }))
log "FAILOVER BACK: $back down: ${n% *} sent, ${n#* } answered, $lost2 lost, longest round trip $rtt ms; switched after $(switch_ms "$back") ms"
[ "${n#* }" -gt 250 ] || fail "traffic did not return: $n"
[ "$(primary)" != "$back" ] || fail "the bond still sends on $back"
a0=$(kstat "$act" rx_packets)
ping_until "$nsvf" 10.0.0.2 5 || fail "no ping after failing back"
[ $(($(kstat "$act" rx_packets) - a0)) -gt 0 ] || fail "replies did not return to $act"
ip netns exec "$nsvf" ip link set "$back" up
for _ in $(seq 1 30); do
	[ "$($ST | grep -c 'bond_member_[01]\.link_up=True')" = 2 ] && break
	sleep 0.1
done
relay_stats d 1 >/dev/null
grep "relay 1 bond: " "$T/d.log" | tail -1 |
	grep -q "name=b0 mode=active-backup member=net_tap0/up.* member=net_tap1/up" ||
	fail "SIGUSR1 dump: no bond line with both members up: $(grep "relay 1 bond: " "$T/d.log" | tail -1)"
log "traffic back over $act; link changes: $(flat vf.link_changes) (bond), members logged"
stop_name vm-d
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exited with $EXIT_CODE"
ip netns exec "$nsvf" ip link del br0

log "== balance: both members carry traffic"
start d2 balance
for i in vfa vfb; do ip netns exec "$nsvf" ip link set $i up; done
ip_up "$nsvm" vm0 10.0.0.2/24
ip netns exec "$nsvm" ip neigh replace 10.0.0.9 lladdr 02:00:00:00:00:09 dev vm0
[ "$(flat vf.bond_mode)" = 2 ] || fail "stats: bond_mode $(flat vf.bond_mode), expected 2"
a0=$(kstat vfa rx_packets) b0=$(kstat vfb rx_packets) t0=$(m2v pkts_tx_to_vf)
N=2000
# 16 UDP flows (source ports 20000-20015) to a neighbour that does not
# answer: the bond hashes addresses and ports (frames.py's flows vary the
# address and the port by the same number, which that hash cancels out).
ip netns exec "$nsvm" python3 -c '
import socket, sys, time
for p in range(16):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.0.0.2", 20000 + p))
    for i in range(int(sys.argv[1]) // 16):
        s.sendto(b"x" * 64, ("10.0.0.9", 4789))
        if i % 25 == 24:
            time.sleep(0.002)
' $N
sleep 1
da=$(($(kstat vfa rx_packets) - a0)) db=$(($(kstat vfb rx_packets) - b0))
log "balance VM->VF: $N datagrams in 16 flows: $da over vfa, $db over vfb ($((da + db)) sent by the relay)"
[ "$da" -gt 0 ] && [ "$db" -gt 0 ] || fail "balance: not both members used ($da, $db)"
dt=$(($(m2v pkts_tx_to_vf) - t0))
[ $((da + db)) -eq "$dt" ] || fail "balance: the relay sent $dt frames to the bond, its members $((da + db))"
[ "$dt" -ge $((N * 9 / 10)) ] || fail "balance: only $dt of $N datagrams reached the bond"
v0=$(ip netns exec "$nsvm" cat /sys/class/net/vm0/statistics/rx_packets)
ip netns exec "$nsvf" $FRAMES send vfa VFA $N >/dev/null
ip netns exec "$nsvf" $FRAMES send vfb VFB $N >/dev/null
sleep 1
dv=$(($(ip netns exec "$nsvm" cat /sys/class/net/vm0/statistics/rx_packets) - v0))
log "balance VF->VM: $N frames into each member, $dv reached the VM"
[ "$dv" -eq $((2 * N)) ] || fail "balance: $dv of $((2 * N)) frames from the members reached the VM"

log "== port control: add, query, remove, refusals"
base=$(resources d2)
base=${base% heap*}
ref=$base
refuse() { # WHAT EXPECTED_TEXT ARGS...: a refused request that changes nothing
	local what=$1 text=$2 out
	shift 2
	out=$($PC "$@" 2>&1) && fail "$what: accepted"
	echo "$out" | grep -q -- "$text" || fail "$what: no \"$text\" in: $out"
	[ "$(resources d2 | sed 's/ heap.*//')" = "$ref" ] || fail "$what: resources changed"
}
refuse "one member" "needs 2 to 8" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc
refuse "no name" "needs a name" add --virtio-id=2 --device=net_tap2,iface=vfc --device=net_tap3,iface=vfd
refuse "bad name" "must start with a letter" add --virtio-id=2 --name=9x --device=net_tap2,iface=vfc --device=net_tap3,iface=vfd
refuse "duplicate" "given twice" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_tap2
refuse "member in use" "already relayed by relay 1 as a member of bond b0" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_tap1
refuse "mode 4" "802.3ad) is not supported" add --virtio-id=2 --name=pc --mode=4 --device=net_tap2,iface=vfc --device=net_tap3,iface=vfd
refuse "mode 6" "alb) is not supported" add --virtio-id=2 --name=pc --mode=6 --device=net_tap2,iface=vfc --device=net_tap3,iface=vfd
refuse "driver" "VIRTIOFWD_ZMQ_PORT_CONTROL_DRIVERS" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_ring0
refuse "argument" "argument \"remote\"" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_tap3,remote=lo
# the second member cannot be made (an interface name too long): the
# first, already attached, is detached again
refuse "member that cannot be attached" "member net_tap3: cannot attach" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_tap3,iface=abcdefghijklmnopqrst
ip netns exec "$nsvf" ip link show vfc >/dev/null 2>&1 && fail "member vfc left behind by a failed bond"
refuse "bonding device" "bonding device" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_bonding0
$PC add --virtio-id=2 --name=pc --mode=1 --device=net_tap2,iface=vfc --device=net_null3 ||
	fail "port control bond add failed"
$PC add --virtio-id=2 --name=pc --mode=1 --device=net_tap2,iface=vfc --device=net_null3 \
	--conditional || fail "conditional add of the same bond failed"
added=$(resources d2)
ref=${added% heap*}
refuse "same name, other members" "already has a different VF side" add --virtio-id=2 --name=pc --device=net_tap2,iface=vfc --device=net_null4 --conditional
refuse "another bond on relay 2" "already has" add --virtio-id=2 --name=pc2 --device=net_null4 --device=net_null5
out=$($PC query_pci --vhost-path="$SOCKDIR/virtio-forwarder2.sock") || fail "query_pci failed"
[ "$out" = "net_tap2 net_null3" ] || fail "query_pci answered '$out'"
out=$($PC query_pci --vhost-path="$sock") || fail "query_pci failed"
[ "$out" = "net_tap0 net_tap1" ] || fail "query_pci of the static bond answered '$out'"
out=$($PC remove --virtio-id=2 --name=other 2>&1) && fail "remove by a wrong name accepted"
echo "$out" | grep -q "relays bond pc, not bond other" || fail "wrong-name removal: $out"
$PC remove --virtio-id=2 --name=pc || fail "bond removal failed"
after=$(resources d2)
[ "${after% heap*}" = "$base" ] || fail "after removal: $after, before the bond: $base (with it: $added)"
log "bond added ($added), queried (net_tap2 net_null3), removed: back to $base"
stop_name vm-d2
stop_and_reap d2 TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exited with $EXIT_CODE"
log "ok"
