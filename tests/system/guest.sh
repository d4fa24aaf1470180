# SPDX-License-Identifier: BSD-3-Clause
# The real-guest rig shared by the QEMU tests (source after lib.sh): the
# guest built by tests/tools/mkguest.sh (cached) and its QEMU command line.
G=${VIO_GUEST_DIR:-/var/cache/virtio-forwarder-tests/guest}
"$VIO_TOP/tests/tools/mkguest.sh" "$G" >/dev/null || fail "cannot build the test guest"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (scripts/install-deps.sh)"

# guest_start NAME SOCKET QEMU_IS_SERVER LEGACY [QUEUES [KERNEL_ARGS]]
# Extra QEMU arguments (a monitor, -incoming for a migration target) go in
# the array GUEST_QEMU_ARGS, e.g. GUEST_QEMU_ARGS=(-incoming defer).
# With GUEST_PACKED=1 in the environment the device offers packed virtqueues
# (packed=on; VIRTIO_F_RING_PACKED, feature bit 34, needs a VirtIO 1.0 guest);
# GUEST_CHARDEV_OPTS, GUEST_NETDEV_OPTS and GUEST_DEVICE_OPTS are appended
# to the socket chardev, the vhost-user netdev and the virtio-net-pci device
# (e.g. GUEST_CHARDEV_OPTS=",reconnect=1": a QEMU socket client reconnects to
# a restarted server-mode daemon).
GUEST_QEMU_ARGS=()
guest_start() {
	local name=$1 chardev="socket,id=c0,path=$2${GUEST_CHARDEV_OPTS:-}" extra=() q=${5:-1}
	local netq="" devq=""
	[ "${GUEST_PACKED:-0}" = 1 ] && devq=",packed=on"
	[ "$3" = 1 ] && chardev="$chardev,server=on,wait=off"
	[ "$4" = 1 ] && extra=(-global virtio-pci.disable-modern=on)
	if [ "$q" -gt 1 ]; then
		netq=",queues=$q"
		devq="$devq,mq=on"
	fi
	: >"$T/$name.log"
	# vectors=0: QEMU 7.2 under TCG crashes with vhost-user and MSI-X.
	taskset -c 0 qemu-system-x86_64 -accel tcg -smp 1 -m 256 -nographic -no-reboot \
		-kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 vio.ip=10.0.0.2/24 vio.peer=10.0.0.1 ${6:-}" \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-chardev "$chardev" -netdev "vhost-user,id=n0,chardev=c0$netq${GUEST_NETDEV_OPTS:-}" \
		-device "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,romfile=,vectors=0$devq${GUEST_DEVICE_OPTS:-}" \
		"${extra[@]}" ${GUEST_QEMU_ARGS[@]+"${GUEST_QEMU_ARGS[@]}"} </dev/null >>"$T/$name.log" 2>&1 &
	PID[$name]=$!
}

guest_value() { # NAME KEY: the value the guest printed as "GUEST: KEY value"
	sed -n "s/.*GUEST: $2 \([^ ]*\).*/\1/p" "$T/$1.log" | tr -d '\r' | tail -1
}

# hmp SOCKET COMMAND: run a human-monitor command on a QEMU started with
# -monitor unix:SOCKET,server=on,wait=off and print its output.
hmp() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
def until_prompt():
    buf = b""
    while not buf.rstrip().endswith(b"(qemu)"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf
until_prompt()
s.sendall(sys.argv[2].encode() + b"\n")
out = until_prompt().decode(errors="replace").replace("\r", "")
lines = out.split("\n")
# drop the echoed command (with its escape sequences) and the prompt
print("\n".join(l for l in lines[1:] if not l.startswith("(qemu)")))
PY
}

# guest_http_setup NS: the host side of the guest's default mode: a 2 MiB
# random file $T/www/blob (its MD5 in $blob_md5) served over HTTP on port 8000
# in NS, the guest's peer 10.0.0.1.  The guest powers off once $T/www/done
# exists.
guest_http_setup() {
	mkdir -p "$T/www"
	head -c $((2 * 1024 * 1024)) /dev/urandom >"$T/www/blob"
	blob_md5=$(md5sum "$T/www/blob" | cut -d' ' -f1)
	ip netns exec "$1" python3 -m http.server 8000 --bind 0.0.0.0 --directory "$T/www" \
		>"$T/http.log" 2>&1 &
	PID[http]=$!
}

# guest_check_http NAME NS LEGACY [PACKED]: a guest in the default mode did
# ping, downloaded the blob intact, and serves its upload intact to NS; it
# negotiated checksum offload (bit 0: it sent partial checksums, completed by
# the VF or the relay); VERSION_1 (bit 32) is negotiated unless LEGACY=1;
# RING_PACKED (bit 34) is negotiated iff PACKED=1.  Then lets it power off.
guest_check_http() {
	local name=$1 ns=$2 legacy=$3 packed=${4:-0} features up_md5 got
	wait_log "$T/$name.log" "GUEST: UP " 120 || fail "$name: guest did not get to its upload"
	grep -q "GUEST: PING OK" "$T/$name.log" || fail "$name: guest ping failed"
	[ "$(guest_value "$name" DOWN)" = "$blob_md5" ] ||
		fail "$name: download corrupted or failed ($(guest_value "$name" DOWN) != $blob_md5)"
	up_md5=$(guest_value "$name" UP)
	got=$(ip netns exec "$ns" python3 -c "import urllib.request, hashlib; \
print(hashlib.md5(urllib.request.urlopen('http://10.0.0.2:8080/up', timeout=60).read()).hexdigest())") ||
		fail "$name: upload from the guest failed"
	[ "$got" = "$up_md5" ] || fail "$name: upload corrupted ($got != $up_md5)"
	features=$(guest_value "$name" FEATURES)
	[ "${features:0:1}" = 1 ] || fail "$name: checksum offload (bit 0) not negotiated: $features"
	[ "${features:32:1}" = $((1 - legacy)) ] ||
		fail "$name: VERSION_1 bit is ${features:32:1}, legacy=$legacy"
	[ "${features:34:1}" = "$packed" ] ||
		fail "$name: RING_PACKED bit (34) is ${features:34:1}, packed=$packed: $features"
	touch "$T/www/done"
	wait_log "$T/$name.log" "GUEST: DONE" 60 || fail "$name: guest did not finish"
	for _ in $(seq 1 100); do kill -0 "${PID[$name]}" 2>/dev/null || break; sleep 0.1; done
	stop_name "$name"
	rm -f "$T/www/done"
	log "$name: ping ok, 2 MiB down and up intact, features $features"
}

# guest_stay_traffic WHAT NS DAEMON GUEST: real traffic both ways between NS
# (10.0.0.1, serving $T/www with guest_http_setup) and a guest started with
# "vio.mode=stay", through the relay 1 of DAEMON: 5 of 5 pings answered, a
# new round published (the guest downloads the blob: MD5 checked), the
# guest's file fetched (MD5 checked), DAEMON's counters non-zero both ways.
GUEST_ROUND=0
guest_stay_traffic() {
	local what=$1 ns=$2 d=$3 g=$4 t0=$SECONDS n st up_md5 got steps
	wait_log "$T/$g.log" "GUEST: READY" 90 || fail "$what: guest $g did not come up"
	steps="guest up +$((SECONDS - t0))"
	ping_until "$ns" 10.0.0.2 30 || fail "$what: no ping answer within 30 s"
	steps="$steps, ping +$((SECONDS - t0))"
	n=$(ip netns exec "$ns" ping -c 5 -i 0.2 -W 3 10.0.0.2 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${n:-0}" = 5 ] || fail "$what: ${n:-0} of 5 pings answered"
	GUEST_ROUND=$((GUEST_ROUND + 1))
	echo "$GUEST_ROUND" >"$T/www/round.tmp"
	mv "$T/www/round.tmp" "$T/www/round"
	wait_log "$T/$g.log" "GUEST: ROUND $GUEST_ROUND " 30 ||
		fail "$what: guest did not download round $GUEST_ROUND"
	got=$(grep -a "GUEST: ROUND $GUEST_ROUND " "$T/$g.log" | tr -d '\r' | tail -1 | sed 's/.* //')
	[ "$got" = "$blob_md5" ] ||
		fail "$what: round $GUEST_ROUND download corrupted ($got != $blob_md5)"
	steps="$steps, download +$((SECONDS - t0))"
	up_md5=$(guest_value "$g" UP)
	got=$(ip netns exec "$ns" python3 -c "import urllib.request, hashlib; \
print(hashlib.md5(urllib.request.urlopen('http://10.0.0.2:8080/up', timeout=30).read()).hexdigest())") ||
		fail "$what: fetching the guest's file failed"
	[ "$got" = "$up_md5" ] || fail "$what: guest's file corrupted ($got != $up_md5)"
	st=$(relay_stats "$d" 1)
	[ "$(stat_of "$st" vf_to_vm.tx 1)" -gt 0 ] || fail "$what: $d counted no VF->VM packets"
	[ "$(stat_of "$st" vm_to_vf.tx 1)" -gt 0 ] || fail "$what: $d counted no VM->VF packets"
	log "$what: traffic resumed ($steps, all +$((SECONDS - t0)) s): 5/5 pings, 2 MiB down and" \
		"1 MiB up intact; $d: vf_to_vm.tx=$(stat_of "$st" vf_to_vm.tx 1)" \
		"vm_to_vf.tx=$(stat_of "$st" vm_to_vf.tx 1)"
}

# two_hosts [DAEMON_ARGS...]: the migration tests' two "hosts" in one
# namespace ($ns): forwarders a and b (sockets in $SOCKDIR and $T/sockb), their
# tap VFs vfa and vfb on a bridge br0 that holds the guest's peer 10.0.0.1.
two_hosts() {
	ns=$(ns_add net)
	ip netns exec "$ns" ip link add br0 type bridge forward_delay 0 stp_state 0
	ip netns exec "$ns" ip addr add 10.0.0.1/24 dev br0
	ip netns exec "$ns" ip link set br0 up
	daemon_start a "$ns" "$@" -P "net_tap0,iface=vfa=1"
	DAEMON_SOCKDIR=$T/sockb daemon_start b "$ns" "$@" -P "net_tap0,iface=vfb=1"
	bridge_add vfa
	bridge_add vfb
}

bridge_add() { # IFACE: onto two_hosts' bridge, once it appears
	wait_iface "$ns" "$1" 30 || fail "$1 did not appear"
	ip netns exec "$ns" ip link set "$1" master br0
	ip netns exec "$ns" ip link set "$1" up
}

# migrate_wait MONITOR_SOCKET TENTHS: poll "info migrate" until the migration
# ends (logging each new status), fail unless it completed, log its figures;
# $t_done is when it was seen complete (t_start is the caller's).
migrate_wait() {
	local status="" seen=""
	for _ in $(seq 1 "$2"); do
		hmp "$1" "info migrate" >"$T/info-migrate.txt"
		status=$(sed -n 's/^Migration status: *//p' "$T/info-migrate.txt" | tr -d '\r')
		case " $seen " in *" $status "*) ;; *)
			seen="$seen $status"
			log "migration status: $status"
			;;
		esac
		case "$status" in completed | failed | cancelled) break ;; esac
		sleep 0.1
	done
	t_done=$(date +%s.%N)
	[ "$status" = completed ] || fail "migration $status: $(cat "$T/migrate.out" "$T/info-migrate.txt")"
	log "migration completed in $(echo "$t_done - $t_start" | bc) s:" \
		"$(grep -E '^(total time|downtime|transferred ram|dirty sync count)' "$T/info-migrate.txt" | tr '\n' ' ')"
}
