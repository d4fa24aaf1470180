# SPDX-License-Identifier: BSD-3-Clause
# Adversarial control (issue 13, defects 2 and 7): what a port-control
# request can reach, and sockets nobody should wait on.
#  - device arguments that reach files (net_pcap's tx_pcap truncated any
#    file) and drivers the configuration does not list are refused; the
#    victim file is unchanged;
#  - add_sock paths outside the socket directory are refused;
#  - a datagram socket (like /dev/log) at a socket path is refused and left
#    in place (it was unlinked as "stale");
#  - a listener whose backlog is full, at start-up and at run time: the
#    daemon answers at once that the path is in use (a blocking connect()
#    under the control lock froze start-up, control and every vhost callback).
. "$(dirname "$0")/lib.sh"

LISTEN="python3 $VIO_TOP/tests/tools/unix_listener.py"
ns=$(ns_add d)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control --timeout=5000"
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"

# expect_refused WHAT TEXT CMD...: the command fails and its output has TEXT
expect_refused() {
	local what=$1 text=$2 rc=0
	shift 2
	"$@" >"$T/out" 2>&1 || rc=$?
	[ $rc != 0 ] || fail "$what: accepted"
	grep -q -- "$text" "$T/out" || fail "$what: expected \"$text\", got: $(cat "$T/out")"
	log "$what: refused ($(head -c 160 "$T/out"))"
}

# ---- start-up next to a listener with a full backlog (server mode, static)
$LISTEN full "$SOCKDIR/virtio-forwarder5.sock" 30 &
PID[full]=$!
for _ in $(seq 1 50); do [ -e "$SOCKDIR/virtio-forwarder5.sock.ready" ] && break; sleep 0.1; done
start=$SECONDS
rc=0
ip netns exec "$ns" timeout 20 "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-s-$TAG" \
	-M 0 -C 1 -V "$SOCKDIR" -u '' -g '' --hugepages=no --memory 256 --pid-dir "$T" \
	>"$T/s.log" 2>&1 || rc=$?
PREFIXES+=("vio-s-$TAG")
[ $rc = 1 ] || fail "start-up next to a full listener: exit status $rc (1 expected, 124 = hung)"
grep -q "virtio-forwarder5.sock is in use by another process" "$T/s.log" ||
	fail "start-up: no clear error: $(grep -v VHOST "$T/s.log" | tail -3)"
[ $((SECONDS - start)) -le 10 ] || fail "start-up took $((SECONDS - start)) s to give up"
[ -S "$SOCKDIR/virtio-forwarder5.sock" ] || fail "the live listener's socket was removed"
stop_name full
rm -f "$SOCKDIR"/*
log "start-up next to a full listener: refused in $((SECONDS - start)) s, its socket left alone"

# ---- run time, dynamic sockets, PCI only from port control
daemon_start d "$ns" -d --zmq-port-control-ep "ipc://$EP/port_control" \
	--zmq-stats-ep "ipc://$EP/stats"
printf 'important data\n' >"$T/victim.txt"
python3 - "$T/in.pcap" <<'PY'
import struct, sys
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 1))
    frame = bytes(64)
    f.write(struct.pack("<IIII", 0, 0, len(frame), len(frame)) + frame)
PY
expect_refused "net_pcap with tx_pcap (no vdev drivers allowed)" "PCI devices only" \
	$PC add --virtio-id=3 --device="net_pcap9,tx_pcap=$T/victim.txt,rx_pcap=$T/in.pcap"
expect_refused "PCI address with arguments" "not accepted from port control for a PCI" \
	$PC add --virtio-id=3 --device="0000:05:08.1,x=1"
stop_name d

daemon_start d "$ns" -d --zmq-port-control-ep "ipc://$EP/port_control" \
	--zmq-stats-ep "ipc://$EP/stats" --zmq-port-control-drivers net_pcap,net_null
expect_refused "net_pcap with tx_pcap (net_pcap allowed)" "\"tx_pcap\" of net_pcap" \
	$PC add --virtio-id=3 --device="net_pcap9,tx_pcap=$T/victim.txt,rx_pcap=$T/in.pcap"
expect_refused "net_vhost (not listed)" "net_vhost0" \
	$PC add --virtio-id=3 --device="net_vhost0,iface=$T/x.sock"
[ "$(cat "$T/victim.txt")" = "important data" ] || fail "the victim file changed: $(od -c "$T/victim.txt" | head -2)"
$PC add --virtio-id=3 --device="net_null3,size=64" || fail "an allowed device was refused"
$PC remove --virtio-id=3 || fail "remove failed"

expect_refused "add_sock outside the socket directory" "not a file in the socket directory" \
	$PC add_sock --vhost-path="$T/elsewhere.sock" --device=net_null1
expect_refused "add_sock with .." "not a file in the socket directory" \
	$PC add_sock --vhost-path="$SOCKDIR/../elsewhere.sock" --device=net_null1
[ ! -e "$T/elsewhere.sock" ] || fail "a socket was created outside the socket directory"

$LISTEN dgram "$SOCKDIR/dgram.sock" 30 &
PID[dgram]=$!
for _ in $(seq 1 50); do [ -e "$SOCKDIR/dgram.sock.ready" ] && break; sleep 0.1; done
ino=$(stat -c %i "$SOCKDIR/dgram.sock")
expect_refused "add_sock on a datagram socket" "not a stream socket" \
	$PC add_sock --vhost-path="$SOCKDIR/dgram.sock" --device=net_null1
[ "$(stat -c %i "$SOCKDIR/dgram.sock" 2>/dev/null)" = "$ino" ] || fail "the datagram socket was removed"

$LISTEN full "$SOCKDIR/full.sock" 30 &
PID[full]=$!
for _ in $(seq 1 50); do [ -e "$SOCKDIR/full.sock.ready" ] && break; sleep 0.1; done
start=$(date +%s%N)
expect_refused "add_sock on a listener with a full backlog" "in use by another process" \
	$PC add_sock --vhost-path="$SOCKDIR/full.sock" --device=net_null1
ms=$((($(date +%s%N) - start) / 1000000))
[ $ms -lt 3000 ] || fail "add_sock on a full listener took $ms ms"
$ST >/dev/null || fail "stats does not answer next to the full listener"
[ -S "$SOCKDIR/full.sock" ] || fail "the full listener's socket was removed"
# Nothing was half-done: no relay holds a socket or a VF.
$ST --include-inactive >"$T/stats.out" || fail "stats failed"
! grep -q "net_null1\|dgram.sock\|full.sock" "$T/stats.out" || fail "a refused request left a relay behind: $(cat "$T/stats.out")"
stop_name full
stop_name dgram
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
log "PASS: file-reaching arguments, unlisted drivers and paths outside the socket directory refused; datagram and busy sockets left alone, answered in $ms ms"
