# SPDX-License-Identifier: BSD-3-Clause
# Client mode restarts under a real guest (issue 6 test 2; guide section 11).
# QEMU serves the socket (server=on) and the forwarder runs with -i.  A Linux
# guest stays up (tests/tools/guest-init.sh, vio.mode=stay) while
#  (a) the forwarder is stopped with SIGTERM and started again, twice: the
#      same QEMU and guest keep running (no reboot) and traffic resumes;
#  (b) the guest is restarted (QEMU stopped, a new one started on the same
#      socket) under the running forwarder, which reconnects by itself.
# "Traffic resumes" (guest_stay_traffic in guest.sh): 5 of 5 pings from the
# VF side answered, a new round published over HTTP downloaded by the guest
# (2 MiB, MD5 checked), the guest's 1 MiB file fetched from the VF side (MD5
# checked), and the running daemon's relay counters non-zero both ways.
# Server mode: test_qemu_restart_server.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/guest.sh"

nsvf=$(ns_add vf)
guest_http_setup "$nsvf"
sock=$SOCKDIR/vm1.sock # the socket QEMU serves

start_daemon() { # NAME
	daemon_start "$1" "$nsvf" -i --vhost-socket 'vm%u.sock' -P "net_tap0,iface=vf0=1"
	ip_up "$nsvf" vf0 10.0.0.1/24
}

log "== (a) the forwarder restarts under a running guest"
guest_start g1 "$sock" 1 0 1 "vio.mode=stay"
start_daemon d1
guest_stay_traffic "start" "$nsvf" d1 g1
g1pid=${PID[g1]}
d=d1
for i in 1 2; do
	stop_and_reap "$d" TERM
	[ "$EXIT_CODE" = 0 ] || fail "restart $i: daemon exit status $EXIT_CODE after SIGTERM"
	kill -0 "$g1pid" 2>/dev/null || fail "restart $i: QEMU exited with the forwarder"
	d=d$((i + 1))
	start_daemon "$d"
	guest_stay_traffic "forwarder restart $i" "$nsvf" "$d" g1
done
[ "$(grep -ac 'GUEST: READY' "$T/g1.log")" = 1 ] || fail "the guest rebooted during the forwarder restarts"
kill -0 "$g1pid" || fail "QEMU did not survive the forwarder restarts"

log "== (b) the guest restarts under the running forwarder"
stop_name g1 # SIGTERM: QEMU exits at once and removes its socket
guest_start g2 "$sock" 1 0 1 "vio.mode=stay"
guest_stay_traffic "guest restart" "$nsvf" "$d" g2
touch "$T/www/done"
wait_log "$T/g2.log" "GUEST: DONE" 30 || fail "g2 did not finish (it polls the host until the end)"
stop_name g2
stop_and_reap "$d" TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE after SIGTERM"
log "ok"
