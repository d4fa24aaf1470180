# SPDX-License-Identifier: BSD-3-Clause
# Adversarial local user (issue 13, defect 5): client mode with the sockets
# in a directory everyone can write (a sticky copy of /tmp, the guide's
# default).  An unprivileged user (nobody) listens on relay 1's path before
# any QEMU does.  The daemon, root, must not serve it: the connection is
# refused with a logged reason (SO_PEERCRED: not root, not the socket owner,
# not in the socket group) and the squatter receives nothing, not even an
# answer to GET_FEATURES.  Once it is gone, a legitimate VM (root's testpmd
# as a vhost-user server) on the same path is connected: librte_vhost does
# not reconnect after a refused connection, the daemon registers the socket
# again by itself.
. "$(dirname "$0")/lib.sh"

ns=$(ns_add d)
PUB=$T/pub
mkdir -p "$PUB"
chmod o+x "$T" # the squatter (nobody) must reach $PUB
chmod 1777 "$PUB"
sock=$PUB/virtio-forwarder1.sock

setpriv --reuid=65534 --regid=65534 --clear-groups \
	/usr/bin/python3 "$VIO_TOP/tests/tools/unix_listener.py" squat "$sock" 6 >"$T/squat.out" 2>&1 &
PID[squat]=$!
for _ in $(seq 1 50); do [ -e "$sock.ready" ] && break; sleep 0.1; done
[ "$(stat -c %u "$sock")" = 65534 ] || fail "the squatter's socket is not nobody's"

DAEMON_SOCKDIR=$PUB daemon_start d "$ns" -i -P net_null0=1
wait_log "$T/d.log" "relay 1: refusing the connection to $sock: the listener (pid [0-9]*, uid 65534" 10 ||
	fail "the squatter was not refused: $(grep 'relay 1' "$T/d.log" | head -3)"
wait "${PID[squat]}" || true
unset "PID[squat]"
log "squatter saw: $(cat "$T/squat.out")"
grep -q '"bytes_in": 0' "$T/squat.out" || fail "the squatter received data: $(cat "$T/squat.out")"
grep -q '"connections": 0' "$T/squat.out" && fail "the daemon never connected: the test proves nothing"
! grep -q "relay 1: VM connected" "$T/d.log" || fail "a VM came up on the squatter's connection"
refusals=$(grep -c "relay 1: refusing the connection" "$T/d.log" || true)
log "refused $refusals time(s) (the daemon tries again every second)"

# The squatter is gone; the legitimate VM takes the path.
rm -f "$sock" "$sock.ready"
PREFIXES+=("vio-vm-$TAG")
testpmd "$ns" -l 0,1 --main-lcore 1 --no-huge -m 512 --no-pci --file-prefix "vio-vm-$TAG" \
	--vdev "net_virtio_user0,path=$sock,server=1,queues=1" \
	-- --forward-mode=rxonly --nb-cores=1 --stats-period 3600 --total-num-mbufs=8192 \
	--disable-link-check >"$T/vm.log" 2>&1 &
PID[vm]=$!
wait_log "$T/d.log" "relay 1: VM connected" 20 || fail "the legitimate VM was not connected after the squatter left"
stop_name vm
grep -q "socket directory $PUB is writable by every user (sticky).*only peers running as root" "$T/d.log" ||
	fail "no warning about the shared socket directory"
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"

# A missing socket directory is created root's, writable by the socket
# group only (client mode: QEMU creates the sockets there).
daemon_start d2 "$ns" -i -g nogroup -V "$T/run/sockets" # the last -V wins
[ "$(stat -c '%U:%G %a' "$T/run/sockets")" = "root:nogroup 770" ] ||
	fail "socket directory created as $(stat -c '%U:%G %a' "$T/run/sockets")"
stop_name d2
log "PASS: the squatter (uid 65534) was refused and got nothing; root's VM on the same path connected afterwards"
