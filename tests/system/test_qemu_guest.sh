# A real Linux guest (Debian's cloud kernel, its own virtio-net driver) under
# QEMU software emulation: ping, and 2 MiB over TCP each way (HTTP) checked by
# MD5, with a VirtIO 1.0 guest on a server-mode daemon and a legacy guest on a
# client-mode daemon.  The guest must not be offered checksum offload (the VF
# would put its partial checksums on the wire).
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
mkdir -p "$T/www"
head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/www/blob"
blob_md5=$(md5sum "$T/www/blob" | cut -d' ' -f1)

check_guest() { # NAME LEGACY
	local name=$1 features up_md5 got
	wait_log "$T/$name.log" "GUEST: UP " 120 || fail "$name: guest did not get to its upload"
	grep -q "GUEST: PING OK" "$T/$name.log" || fail "$name: guest ping failed"
	[ "$(guest_value "$name" DOWN)" = "$blob_md5" ] ||
		fail "$name: download corrupted or failed ($(guest_value "$name" DOWN) != $blob_md5)"
	up_md5=$(guest_value "$name" UP)
	got=$(ip netns exec "$nsvf" python3 -c "import urllib.request, hashlib; \
print(hashlib.md5(urllib.request.urlopen('http://10.0.0.2:8080/up', timeout=60).read()).hexdigest())") ||
		fail "$name: upload from the guest failed"
	[ "$got" = "$up_md5" ] || fail "$name: upload corrupted ($got != $up_md5)"
	features=$(guest_value "$name" FEATURES)
	[ "${features:0:1}" = 1 ] || fail "$name: checksum offload (bit 0) not negotiated: $features"
	[ "${features:32:1}" = $((1 - $2)) ] || fail "$name: VERSION_1 bit is ${features:32:1}, legacy=$2"
	touch "$T/www/done"
	wait_log "$T/$name.log" "GUEST: DONE" 60 || fail "$name: guest did not finish"
	for _ in $(seq 1 100); do kill -0 "${PID[$name]}" 2>/dev/null || break; sleep 0.1; done
	stop_name "$name"
	rm -f "$T/www/done"
	log "$name: ping ok, 2 MiB down and up intact, features $features"
}

log "== VirtIO 1.0 guest, daemon in server mode"
daemon_start ds "$nsvf" -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
ip netns exec "$nsvf" python3 -m http.server 8000 --bind 0.0.0.0 --directory "$T/www" \
	>"$T/http.log" 2>&1 &
PID[http]=$!
guest_start modern "$SOCKDIR/virtio-forwarder1.sock" 0 0
check_guest modern 0
stop_and_reap ds TERM

log "== legacy guest, daemon in client mode"
daemon_start dc "$nsvf" -i -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
guest_start legacy "$SOCKDIR/virtio-forwarder1.sock" 1 1
check_guest legacy 1
stop_and_reap dc TERM
