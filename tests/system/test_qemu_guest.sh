# SPDX-License-Identifier: BSD-3-Clause
# A real Linux guest (Debian's cloud kernel, its own virtio-net driver) under
# QEMU software emulation: ping, and 2 MiB over TCP each way (HTTP) checked by
# MD5, with a VirtIO 1.0 guest on a server-mode daemon and a legacy guest on a
# client-mode daemon.  The guest negotiates checksum offload and sends partial
# checksums, which the net_tap VF completes (test_qemu_offload: a VF that
# cannot, the relay completes them).  The server-mode daemon offers TSO
# (VIRTIOFWD_TSO): the relay segments, the VF checksums the segments.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
guest_http_setup "$nsvf"

log "== VirtIO 1.0 guest, daemon in server mode"
daemon_start ds "$nsvf" -P "net_tap0,iface=vf0=1" --enable-tso
ip_up "$nsvf" vf0 10.0.0.1/24
guest_start modern "$SOCKDIR/virtio-forwarder1.sock" 0 0
guest_check_http modern "$nsvf" 0
st=$(relay_stats ds 1)
[ "$(stat_of "$st" vm_to_vf.tx 1)" -gt "$(stat_of "$st" vm_to_vf.rx 1)" ] ||
	fail "modern: TSO packets were not segmented: $(echo "$st" | grep vm_to_vf | tr '\n' ' ')"
stop_and_reap ds TERM

log "== legacy guest, daemon in client mode"
daemon_start dc "$nsvf" -i -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
guest_start legacy "$SOCKDIR/virtio-forwarder1.sock" 1 1
guest_check_http legacy "$nsvf" 1
stop_and_reap dc TERM
