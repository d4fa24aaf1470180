# SPDX-License-Identifier: BSD-3-Clause
# Issue 16: readiness for systemd (Type=notify).  A stand-in for systemd's
# notification socket (tests/tools/notify_listener.py) receives what the
# daemon sends through sd_notify: READY=1 only once the vhost-user sockets
# exist, the static VF is attached and the control endpoints answer (the
# listener checks the paths at the moment READY=1 arrives), STOPPING=1 at
# SIGTERM, and, for a start that fails, a STATUS with the reason and no
# READY=1; a configuration error exits 2 (not restarted by the unit).
. "$(dirname "$0")/lib.sh"

ns=$(ns_add n)
EP=$T/ctl
NOTIFY=$T/notify.sock
python3 "$VIO_TOP/tests/tools/notify_listener.py" "$NOTIFY" "$T/notify.out" \
	"$SOCKDIR/virtio-forwarder0.sock" "$SOCKDIR/virtio-forwarder1.sock" \
	"$EP/stats" "$EP/port_control" &
PID[listener]=$!
wait_log "$T/notify.out" listening 10 || fail "the notification listener did not start"

NOTIFY_SOCKET=$NOTIFY daemon_start d "$ns" -P net_null0=0 --zmq-stats-ep "ipc://$EP/stats" \
	--zmq-port-control-ep "ipc://$EP/port_control"
wait_log "$T/notify.out" "READY=1" 10 || fail "no READY=1 after the daemon said ready: $(cat "$T/notify.out")"
[ "$(grep -c "READY=1" "$T/notify.out")" = 1 ] || fail "READY=1 sent more than once"
! grep -q "MISSING" "$T/notify.out" || fail "READY=1 before the daemon was ready: $(grep MISSING "$T/notify.out")"
[ "$(grep -c " check .* present" "$T/notify.out")" = 4 ] || fail "the listener did not check: $(cat "$T/notify.out")"
"$TOOLS/virtioforwarder_stats" --stats-ep="ipc://$EP/stats" | grep -q "^relay_0\." ||
	fail "the stats endpoint does not show relay 0 (the static VF) after READY=1"
log "ready: $(grep -E 'READY|STATUS' "$T/notify.out" | tr '\n' ' ')"

stop_name d
wait_log "$T/notify.out" "STOPPING=1" 5 || fail "no STOPPING=1 at SIGTERM: $(cat "$T/notify.out")"
log "stop: $(grep STOPPING "$T/notify.out")"

# A start that fails (a VF that cannot be attached) says why, never READY.
: >"$T/notify.out"
rc=0
NOTIFY_SOCKET=$NOTIFY ip netns exec "$ns" timeout 30 "$VIO_BIN" --config /dev/null --nodaemon \
	--file-prefix "vio-f-$TAG" -M 0 -C 1 -V "$SOCKDIR" -u '' -g '' --hugepages=no --memory 256 \
	--pid-dir "$T" -P net_no_such_driver0=0 >"$T/f.log" 2>&1 || rc=$?
PREFIXES+=("vio-f-$TAG")
[ $rc = 1 ] || fail "a start with a bad VF: exit $rc"
wait_log "$T/notify.out" "STATUS=startup failed: " 5 || fail "no STATUS for the failed start: $(cat "$T/notify.out")"
! grep -q "READY=1" "$T/notify.out" || fail "READY=1 from a start that failed"
log "failed start: $(grep -o 'STATUS=.*' "$T/notify.out" | cut -c1-160)"
# A bad configuration exits 2, which the unit does not restart
# (RestartPreventExitStatus=2); a failed start above exited 1.
rc=0
"$VIO_BIN" --config /dev/null --nodaemon -M 0 -C 99 --pid-dir "$T" >"$T/c.log" 2>&1 || rc=$?
[ $rc = 2 ] && grep -q "error: .*99" "$T/c.log" || fail "a worker CPU this host lacks: exit $rc: $(cat "$T/c.log")"
grep -q "^RestartPreventExitStatus=2$" "$VIO_TOP/systemd/virtio-forwarder.service.in" ||
	fail "the unit restarts on a configuration error"
log "bad configuration: exit 2: $(cat "$T/c.log")"
log "PASS: READY=1 once ready, STOPPING=1 at stop, a failed start's reason in STATUS"
