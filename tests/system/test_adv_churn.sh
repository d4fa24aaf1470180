# SPDX-License-Identifier: BSD-3-Clause
# Adversarial control (issue 13, defect 1): client mode, the shipped default.
# Six relays connect to "QEMU" listeners that come and go (accept one
# connection, close, vanish, come back), so librte_vhost's reconnect thread
# keeps calling new_connection; meanwhile a client adds and removes sockets
# nobody listens on (each add_sock runs rte_vhost_driver_start, whose failed
# connect takes the library's reconnect mutex) for $VIO_ADV_CHURN_SECS (60) s.
# Before the fix the control lock was held across rte_vhost_driver_start and
# everything froze within about 20 s.  Passes when every request is answered
# (8 s each), the flapping relays kept reconnecting to the end, and the
# daemon still answers and stops cleanly.
. "$(dirname "$0")/lib.sh"

SECS=${VIO_ADV_CHURN_SECS:-60}
STRESS=${VIO_TEST_TOOLS:-$(dirname "$VIO_BIN")/../tests}/ctl_stress
LISTEN="python3 $VIO_TOP/tests/tools/unix_listener.py"
ns=$(ns_add d)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"

daemon_start d "$ns" -i -d --zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_tap,net_null \
	--zmq-stats-ep "ipc://$EP/stats"
for i in 0 1 2 3 4 5; do
	$LISTEN flap "$SOCKDIR/flap$i.sock" $((SECS + 30)) &
	PID[flap$i]=$!
done
for i in 0 1 2 3 4 5; do
	for _ in $(seq 1 50); do [ -e "$SOCKDIR/flap$i.sock.ready" ] && break; sleep 0.1; done
	$PC add_sock --vhost-path="$SOCKDIR/flap$i.sock" --device="net_null$i" ||
		fail "add_sock flap$i refused"
done

before=$(grep -c 'vhost-user connection on' "$T/d.log" || true)
rc=0
$STRESS churn "ipc://$EP/port_control" "$SECS" "$SOCKDIR" 3 >"$T/churn.out" 2>&1 || rc=$?
log "$(cat "$T/churn.out")"
if [ $rc = 3 ]; then
	gdb -p "${PID[d]}" -batch -ex "thread apply all bt 12" 2>/dev/null |
		grep -E '^Thread|vio_ctl_lock|vhost_user|pthread_mutex_lock|on_new_connection|vio_relay_' |
		head -30 || true
	fail "control stopped answering: $(cat "$T/churn.out")"
fi
[ $rc = 0 ] || fail "churn tool failed ($rc): $(cat "$T/churn.out")"
cycles=$(sed -n 's/churn: \([0-9]*\) cycles.*/\1/p' "$T/churn.out")
errors=$(sed -n 's/.* \([0-9]*\) errors.*/\1/p' "$T/churn.out")
[ "${cycles:-0}" -ge 100 ] || fail "only ${cycles:-0} add/remove cycles in $SECS s"
[ "${errors:-1}" = 0 ] || fail "$errors add_sock/remove_sock requests were refused"

# The reconnect thread kept working: new connections to the flapping
# listeners during the churn, and one more after it.
during=$(( $(grep -c 'vhost-user connection on' "$T/d.log" || true) - before ))
log "new_connection callbacks during the churn: $during"
[ "$during" -ge 6 ] || fail "only $during connections to the flapping listeners during the churn"
n=$(grep -c 'vhost-user connection on' "$T/d.log" || true)
for _ in $(seq 1 100); do
	[ "$(grep -c 'vhost-user connection on' "$T/d.log" || true)" -gt "$n" ] && break
	sleep 0.1
done
[ "$(grep -c 'vhost-user connection on' "$T/d.log" || true)" -gt "$n" ] ||
	fail "no reconnection after the churn"
$TOOLS/virtioforwarder_stats --stats-ep="ipc://$EP/stats" >/dev/null || fail "stats does not answer"
for i in 0 1 2 3 4 5; do stop_name flap$i; done
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE after SIGTERM"
log "PASS: $cycles add/remove cycles in $SECS s next to 6 reconnecting relays, every request answered"
