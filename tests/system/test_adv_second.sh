# Issue 13, defect 8: a second daemon must not take over the first one's
# control endpoints (libzmq removes an existing ipc path when it binds; when
# the second daemon exited, the first was unreachable) nor its pid file.
# The second is refused at start-up, changing nothing: the first's endpoint
# file is the same inode and still answers afterwards.
. "$(dirname "$0")/lib.sh"

ns=$(ns_add d)
EP=$T/ctl
ST="$TOOLS/virtioforwarder_stats --stats-ep=ipc://$EP/stats"
eps=(--zmq-port-control-ep "ipc://$EP/port_control" --zmq-stats-ep "ipc://$EP/stats")

daemon_start a "$ns" -d "${eps[@]}"
ino=$(stat -c %i "$EP/stats")
$ST >/dev/null || fail "the first daemon does not answer"

rc=0
PREFIXES+=("vio-b-$TAG")
mkdir -p "$T/sock2"
ip netns exec "$ns" timeout 30 "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-b-$TAG" \
	-M 0 -C 1 -V "$T/sock2" -u '' -g '' --hugepages=no --memory 256 -d "${eps[@]}" \
	>"$T/b.log" 2>&1 || rc=$?
[ $rc = 1 ] || fail "the second daemon: exit status $rc, 1 expected: $(grep -v VHOST "$T/b.log" | tail -3)"
grep -q "VIRTIOFWD_ZMQ_PORT_CONTROL_EP=\"ipc://$EP/port_control\": another process serves this endpoint" \
	"$T/b.log" || fail "no clear refusal: $(grep -v VHOST "$T/b.log" | tail -3)"
! grep -q "worker on CPU" "$T/b.log" || fail "the second daemon got as far as starting workers"
[ "$(stat -c %i "$EP/stats")" = "$ino" ] || fail "the first daemon's endpoint file was replaced"
$ST >/dev/null || fail "the first daemon does not answer after the second one's attempt"
log "second daemon (foreground) refused: $(grep -o 'another process serves.*' "$T/b.log" | head -1)"
stop_name a

# A file that is not a socket at an endpoint path is an error, not removed.
echo keep >"$EP/stats"
rc=0
ip netns exec "$ns" "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-b-$TAG" \
	-M 0 -C 1 -V "$T/sock2" -u '' -g '' --hugepages=no --memory 256 -d "${eps[@]}" \
	>"$T/c.log" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "exists and is not a socket" "$T/c.log" || fail "a regular file at the endpoint: rc=$rc"
[ "$(cat "$EP/stats")" = keep ] || fail "the file at the endpoint path was changed"
rm -f "$EP/stats"

# Daemon mode: the pid file is locked for the daemon's life.
prefix="vio-dm-$TAG"
PREFIXES+=("$prefix")
run() { ip netns exec "$ns" "$VIO_BIN" --config /dev/null --file-prefix "$prefix$1" -M 0 -C 1 \
	-V "$T/sock$1" -u '' -g '' --hugepages=no --memory 128 --pid-dir "$T" -d; }
PREFIXES+=("${prefix}3" "${prefix}4")
run 3 || fail "daemon mode: start failed"
pid=$(cat "$T/virtio-forwarder.pid")
PID[dm]=$pid
rc=0
out=$(run 4 2>&1) || rc=$?
[ $rc = 1 ] || fail "a second daemon with the same pid directory: exit status $rc"
echo "$out" | grep -q "another virtio-forwarder (pid $pid) is running" || fail "refusal not clear: $out"
[ "$(cat "$T/virtio-forwarder.pid")" = "$pid" ] || fail "the pid file changed"
kill -0 "$pid" || fail "the first daemon died"
log "second daemon (daemon mode) refused: $out"
stop_name dm
[ ! -e "$T/virtio-forwarder.pid" ] || fail "pid file left behind"
log "PASS: a second daemon changes nothing and says why"
