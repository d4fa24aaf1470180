# Checksum offload with a real guest: the guest negotiates VIRTIO_NET_F_CSUM
# and sends TCP with partial checksums (its default offloads).  Here the VF is
# net_af_packet on a veth, which cannot complete checksums, so the relay does
# it in software (test_qemu_guest covers net_tap, which completes them
# itself).  Ping, then 2 MiB over TCP each way checked by MD5: with a partial
# checksum left on the wire the VF side's kernel would drop every segment.
#   ns vf: vf0 10.0.0.1 =veth= vfk [net_af_packet "VF"] daemon -- socket -- guest 10.0.0.2
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
ip netns exec "$nsvf" ip link add vf0 type veth peer name vfk
# The kernel end must not leave its own checksums to a device (af_packet
# would capture them unfinished).
ip netns exec "$nsvf" ethtool -K vf0 tx off tso off gso off gro off >/dev/null
ip netns exec "$nsvf" ethtool -K vfk tx off tso off gso off gro off >/dev/null
ip netns exec "$nsvf" ip link set vfk up
mkdir -p "$T/www"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/www/blob"
blob_md5=$(md5sum "$T/www/blob" | cut -d' ' -f1)

daemon_start d "$nsvf" -P "net_af_packet0,iface=vfk=1"
ip_up "$nsvf" vf0 10.0.0.1/24
ip netns exec "$nsvf" python3 -m http.server 8000 --bind 0.0.0.0 --directory "$T/www" \
	>"$T/http.log" 2>&1 &
PID[http]=$!
guest_start g "$SOCKDIR/virtio-forwarder1.sock" 0 0
wait_log "$T/g.log" "GUEST: UP " 120 || fail "guest did not get to its upload"
features=$(guest_value g FEATURES)
[ "${features:0:1}" = 1 ] || fail "the guest did not negotiate checksum offload: $features"
grep -q "GUEST: PING OK" "$T/g.log" || fail "guest ping failed"
[ "$(guest_value g DOWN)" = "$blob_md5" ] ||
	fail "download corrupted or failed ($(guest_value g DOWN) != $blob_md5)"
up_md5=$(guest_value g UP)
got=$(ip netns exec "$nsvf" python3 -c "import urllib.request, hashlib; \
print(hashlib.md5(urllib.request.urlopen('http://10.0.0.2:8080/up', timeout=60).read()).hexdigest())") ||
	fail "upload from the guest failed"
[ "$got" = "$up_md5" ] || fail "upload corrupted ($got != $up_md5)"
touch "$T/www/done"
wait_log "$T/g.log" "GUEST: DONE" 60 || fail "guest did not finish"
st=$(relay_stats d 1)
log "features $features; 2 MiB down and up intact through a VF without checksum offload;" \
	"VM->VF $(stat_of "$st" vm_to_vf.tx 1) packets"
stop_name g
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
