# Daemon mode: the parent returns once startup is done (0) or failed (1, with
# the reason); the pid file appears and goes; SIGHUP does not kill it; SIGTERM
# stops it cleanly and removes its sockets.
. "$(dirname "$0")/lib.sh"

prefix="vio-daemon-$TAG"
PREFIXES+=("$prefix")
run() { "$VIO_BIN" --config /dev/null --file-prefix "$prefix" -M 0 -C 1 -V "$SOCKDIR" \
	-u '' -g '' --hugepages=no --memory 128 --pid-dir "$T" "$@"; }

# A startup failure reaches the caller even though the daemon forked.
set +e
out=$(run -P "net_doesnotexist0=3" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "daemon mode: a bad static VF did not fail startup"
echo "$out" | grep -q "VIRTIOFWD_STATIC_VFS" || fail "startup error not reported: $out"
[ ! -e "$T/virtio-forwarder.pid" ] || fail "pid file left after a failed start"
log "failed start reported: $out"

run -P "net_null0=2" || fail "daemon mode: start failed"
[ -s "$T/virtio-forwarder.pid" ] || fail "no pid file"
pid=$(cat "$T/virtio-forwarder.pid")
PID[daemon]=$pid
kill -0 "$pid" || fail "daemon not running"
[ -S "$SOCKDIR/virtio-forwarder2.sock" ] || fail "no socket for relay 2"
log "daemon running as pid $pid"

kill -HUP "$pid"
sleep 1
kill -0 "$pid" || fail "SIGHUP killed the daemon"
log "SIGHUP survived"

kill -TERM "$pid"
for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$pid" 2>/dev/null && fail "SIGTERM did not stop the daemon within 10 s"
unset "PID[daemon]"
[ ! -e "$T/virtio-forwarder.pid" ] || fail "pid file left behind"
left=$(ls "$SOCKDIR")
[ -z "$left" ] || fail "sockets left behind: $left"
log "stopped cleanly: pid file and sockets removed"
