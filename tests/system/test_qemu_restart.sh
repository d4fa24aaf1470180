# Restarts under a real guest (issue 6 test 2; guide section 11).  A Linux
# guest under QEMU stays up (tests/tools/guest-init.sh, vio.mode=stay) while
#  (a) client mode: QEMU serves the socket; the forwarder (-i) is stopped with
#      SIGTERM and started again twice while the same guest keeps running;
#  (b) the guest is restarted (QEMU stopped, a new one started on the same
#      socket) under a running forwarder, in client mode and in server mode.
# After the start and after every restart, traffic must really flow again:
# 5 of 5 pings from the VF side answered, a new "round" published over HTTP
# downloaded by the guest (2 MiB, MD5 checked), the guest's 1 MiB file
# fetched from the VF side (MD5 checked), and the running daemon's relay
# counters non-zero both ways.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
guest_http_setup "$nsvf"
round=0
csock=$SOCKDIR/vm1.sock # client mode: the socket QEMU serves

start_client_daemon() { # NAME
	daemon_start "$1" "$nsvf" -i --vhost-socket 'vm%u.sock' -P "net_tap0,iface=vf0=1"
	ip_up "$nsvf" vf0 10.0.0.1/24
}

# traffic_resumes WHAT DAEMON GUEST: real traffic both ways through DAEMON
traffic_resumes() {
	local what=$1 d=$2 g=$3 t0=$SECONDS n st up_md5 got
	wait_log "$T/$g.log" "GUEST: READY" 90 || fail "$what: guest $g did not come up"
	ping_until "$nsvf" 10.0.0.2 30 || fail "$what: no ping answer within 30 s"
	n=$(ip netns exec "$nsvf" ping -c 5 -i 0.2 -W 3 10.0.0.2 | sed -n 's/.* \([0-9]*\) received.*/\1/p')
	[ "${n:-0}" = 5 ] || fail "$what: ${n:-0} of 5 pings answered"
	round=$((round + 1))
	echo "$round" >"$T/www/round.tmp"
	mv "$T/www/round.tmp" "$T/www/round"
	wait_log "$T/$g.log" "GUEST: ROUND $round " 30 || fail "$what: guest did not download round $round"
	got=$(grep -a "GUEST: ROUND $round " "$T/$g.log" | tr -d '\r' | tail -1 | sed 's/.* //')
	[ "$got" = "$blob_md5" ] || fail "$what: round $round download corrupted ($got != $blob_md5)"
	up_md5=$(guest_value "$g" UP)
	got=$(ip netns exec "$nsvf" python3 -c "import urllib.request, hashlib; \
print(hashlib.md5(urllib.request.urlopen('http://10.0.0.2:8080/up', timeout=30).read()).hexdigest())") ||
		fail "$what: fetching the guest's file failed"
	[ "$got" = "$up_md5" ] || fail "$what: guest's file corrupted ($got != $up_md5)"
	st=$(relay_stats "$d" 1)
	[ "$(stat_of "$st" vf_to_vm.tx 1)" -gt 0 ] || fail "$what: $d counted no VF->VM packets"
	[ "$(stat_of "$st" vm_to_vf.tx 1)" -gt 0 ] || fail "$what: $d counted no VM->VF packets"
	log "$what: traffic resumed after $((SECONDS - t0)) s: 5/5 pings, 2 MiB down and 1 MiB up" \
		"intact; $d: vf_to_vm.tx=$(stat_of "$st" vf_to_vm.tx 1) vm_to_vf.tx=$(stat_of "$st" vm_to_vf.tx 1)"
}

log "== (a) client mode: the forwarder restarts under a running guest"
guest_start g1 "$csock" 1 0 1 "vio.mode=stay"
start_client_daemon d1
traffic_resumes "client mode, start" d1 g1
g1pid=${PID[g1]}
prev=d1
for i in 1 2; do
	stop_and_reap "$prev" TERM
	[ "$EXIT_CODE" = 0 ] || fail "restart $i: daemon exit status $EXIT_CODE after SIGTERM"
	kill -0 "$g1pid" 2>/dev/null || fail "restart $i: QEMU exited with the forwarder"
	start_client_daemon "d$((i + 1))"
	prev=d$((i + 1))
	traffic_resumes "client mode, forwarder restart $i" "$prev" g1
done
[ "$(grep -ac 'GUEST: READY' "$T/g1.log")" = 1 ] || fail "the guest rebooted during the forwarder restarts"
[ "${PID[g1]}" = "$g1pid" ] && kill -0 "$g1pid" || fail "QEMU did not survive the forwarder restarts"

log "== (b) client mode: the guest restarts under the running forwarder"
stop_name g1 # SIGTERM: QEMU exits at once, its socket goes with it
guest_start g2 "$csock" 1 0 1 "vio.mode=stay"
traffic_resumes "client mode, guest restart" "$prev" g2
stop_name g2
stop_and_reap "$prev" TERM
[ "$EXIT_CODE" = 0 ] || fail "client-mode daemon exit status $EXIT_CODE after SIGTERM"

log "== (b) server mode: the guest restarts under the running forwarder"
daemon_start ds "$nsvf" -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
guest_start g3 "$SOCKDIR/virtio-forwarder1.sock" 0 0 1 "vio.mode=stay"
traffic_resumes "server mode, start" ds g3
stop_name g3
guest_start g4 "$SOCKDIR/virtio-forwarder1.sock" 0 0 1 "vio.mode=stay"
traffic_resumes "server mode, guest restart" ds g4
touch "$T/www/done"
wait_log "$T/g4.log" "GUEST: DONE" 30 || fail "g4 did not finish (it polls the host until the end)"
stop_name g4
stop_and_reap ds TERM
[ "$EXIT_CODE" = 0 ] || fail "server-mode daemon exit status $EXIT_CODE after SIGTERM"
log "ok"
