# SPDX-License-Identifier: BSD-3-Clause
# Offloads with a real guest through a VF that has none: net_af_packet on a
# veth (test_qemu_guest covers net_tap, which completes checksums itself).
# 1. The guest negotiates checksum offload and sends TCP with partial
#    checksums (its default); the relay completes them in software.
# 2. With VIRTIOFWD_TSO the guest also negotiates TCP segmentation
#    (HOST_TSO4/6) and hands over TCP packets of up to 64 KiB; the relay cuts
#    them into MTU-sized segments (more packets leave towards the VF than
#    came from the guest) and completes their checksums.
# Each time: ping, then 2 MiB over TCP each way checked by MD5; with a
# partial checksum or a 64 KiB frame on the wire the VF side would get
# nothing.
#   ns vf: vf0 10.0.0.1 =veth= vfk [net_af_packet "VF"] daemon -- socket -- guest 10.0.0.2
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
ip netns exec "$nsvf" ip link add vf0 type veth peer name vfk
# The kernel end must not leave its own checksums to a device (af_packet
# would capture them unfinished).
for i in vf0 vfk; do
	ip netns exec "$nsvf" ethtool -K $i tx off tso off gso off gro off >/dev/null
done
ip netns exec "$nsvf" ip link set vfk up
guest_http_setup "$nsvf"

for tso in 0 1; do
	log "== checksum offload$([ $tso = 1 ] && echo " and TSO")"
	args=()
	[ $tso = 1 ] && args=(--enable-tso)
	daemon_start d$tso "$nsvf" -P "net_af_packet0,iface=vfk=1" "${args[@]}"
	ip_up "$nsvf" vf0 10.0.0.1/24
	guest_start g$tso "$SOCKDIR/virtio-forwarder1.sock" 0 0
	guest_check_http g$tso "$nsvf" 0
	features=$(guest_value g$tso FEATURES)
	# bits 11 and 12: HOST_TSO4 and HOST_TSO6
	[ "${features:11:2}" = "$tso$tso" ] || fail "TSO bits (11, 12) are ${features:11:2}, tso=$tso"
	st=$(relay_stats d$tso 1)
	rx=$(stat_of "$st" vm_to_vf.rx 1) tx=$(stat_of "$st" vm_to_vf.tx 1)
	if [ $tso = 1 ]; then
		[ "$tx" -gt "$rx" ] || fail "TSO: $rx packets from the guest became only $tx towards the VF"
	else
		[ "$tx" = "$rx" ] || fail "$rx packets from the guest but $tx towards the VF"
	fi
	log "VM->VF: $rx packets from the guest, $tx to the VF; drop_long=$(stat_of "$st" vm_to_vf.drop_long 1)"
	stop_and_reap d$tso TERM
	[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
done
