# SPDX-License-Identifier: BSD-3-Clause
# Packed virtqueues with a real guest (issue 6 test 4): a VirtIO 1.0 Linux
# guest whose QEMU device offers packed rings (virtio-net-pci packed=on) runs
# the same check as test_qemu_guest.sh (ping, 2 MiB over TCP each way checked
# by MD5) on a server-mode daemon and on a client-mode daemon, where a
# second guest then runs on the same socket (a guest restart).  The guest's
# negotiated features must have bit 34 (VIRTIO_F_RING_PACKED) set: otherwise
# the guest fell back to split rings and the test fails.  If this QEMU cannot
# start a packed-ring device at all, the test is skipped with QEMU's error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
guest_http_setup "$nsvf"
export GUEST_PACKED=1

# skip_if_qemu_refused NAME: QEMU exited before its guest printed anything
skip_if_qemu_refused() {
	local name=$1 err
	for _ in $(seq 1 30); do
		grep -q "GUEST: " "$T/$name.log" && return 0
		kill -0 "${PID[$name]}" 2>/dev/null || break
		sleep 0.1
	done
	kill -0 "${PID[$name]}" 2>/dev/null && return 0
	grep -q "GUEST: " "$T/$name.log" && return 0
	err=$(grep -i "qemu-system" "$T/$name.log" | tr -d '\r' | head -1)
	echo "SKIP: QEMU cannot run a packed-ring virtio-net device: ${err:-exited, no message}"
	exit 0
}

log "== VirtIO 1.0 guest, packed rings, daemon in server mode"
daemon_start ds "$nsvf" -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
guest_start packed-server "$SOCKDIR/virtio-forwarder1.sock" 0 0
skip_if_qemu_refused packed-server
guest_check_http packed-server "$nsvf" 0 1
stop_and_reap ds TERM

log "== VirtIO 1.0 guest, packed rings, daemon in client mode"
daemon_start dc "$nsvf" -i -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
guest_start packed-client "$SOCKDIR/virtio-forwarder1.sock" 1 0
guest_check_http packed-client "$nsvf" 0 1
log "== the same daemon, a new packed-ring guest on the same socket (guest restart)"
guest_start packed-client2 "$SOCKDIR/virtio-forwarder1.sock" 1 0
guest_check_http packed-client2 "$nsvf" 0 1
stop_and_reap dc TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE after SIGTERM"
