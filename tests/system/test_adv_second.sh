# SPDX-License-Identifier: BSD-3-Clause
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
	-M 0 -C 1 -V "$T/sock2" -u '' -g '' --hugepages=no --memory 256 -d "${eps[@]}" --pid-dir "$T" \
	>"$T/b.log" 2>&1 || rc=$?
[ $rc = 1 ] || fail "the second daemon: exit status $rc, 1 expected: $(grep -v VHOST "$T/b.log" | tail -3)"
grep -q "VIRTIOFWD_ZMQ_PORT_CONTROL_EP=\"ipc://$EP/port_control\": another process serves this endpoint" \
	"$T/b.log" || fail "no clear refusal: $(grep -v VHOST "$T/b.log" | tail -3)"
! grep -q "worker on CPU" "$T/b.log" || fail "the second daemon got as far as starting workers"
[ "$(stat -c %i "$EP/stats")" = "$ino" ] || fail "the first daemon's endpoint file was replaced"
$ST >/dev/null || fail "the first daemon does not answer after the second one's attempt"
log "second daemon (foreground) refused: $(grep -o 'another process serves.*' "$T/b.log" | head -1)"

# Foreground too (the systemd unit runs --nodaemon): the first daemon's pid
# directory refuses a second one, whatever its endpoints and sockets.
[ "$(cat "$T/run-a/virtio-forwarder.pid")" = "${PID[a]}" ] ||
	fail "the foreground daemon's pid file says $(cat "$T/run-a/virtio-forwarder.pid" 2>&1), not ${PID[a]}"
socks=$(ls "$SOCKDIR")
rc=0
ip netns exec "$ns" timeout 30 "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-b-$TAG" \
	-M 0 -C 1 -V "$SOCKDIR" -u '' -g '' --hugepages=no --memory 256 --pid-dir "$T/run-a" \
	--zmq-stats-ep "ipc://$T/other-stats" >"$T/f.log" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "another virtio-forwarder (pid ${PID[a]}) is running: it holds $T/run-a/virtio-forwarder.pid" \
	"$T/f.log" || fail "same pid directory (foreground): exit $rc: $(grep -v VHOST "$T/f.log" | tail -3)"
! grep -q "EAL\|worker on CPU" "$T/f.log" || fail "the refused daemon got as far as EAL"
[ "$(ls "$SOCKDIR")" = "$socks" ] && [ ! -e "$T/other-stats" ] || fail "the refused daemon touched sockets or endpoints"
[ "$(cat "$T/run-a/virtio-forwarder.pid")" = "${PID[a]}" ] || fail "the refused daemon changed the pid file"
$ST >/dev/null || fail "the first daemon does not answer after a second one with its pid directory"
log "second daemon (same pid directory, foreground) refused: $(grep -o 'another virtio-forwarder.*' "$T/f.log")"
stop_name a
[ ! -e "$T/run-a/virtio-forwarder.pid" ] || fail "the foreground daemon left its pid file"

# A pid file planted by another user in a shared pid directory is refused
# (one it holds locked would otherwise keep the daemon out for good, one
# linked elsewhere would be truncated).
shared=$(mktemp -d /tmp/vio-shared.XXXXXX) # $T is 0700: nobody could not reach into it
AT_EXIT+=("rm -rf $shared")
chmod 1777 "$shared"
setpriv --reuid=nobody --regid=nogroup --clear-groups touch "$shared/virtio-forwarder.pid"
rc=0
ip netns exec "$ns" timeout 30 "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-b-$TAG" \
	-M 0 -C 1 -V "$T/sock2" -u '' -g '' --hugepages=no --memory 256 --pid-dir "$shared" -d \
	>"$T/p.log" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "pid file $shared/virtio-forwarder.pid is not a regular file of ours" "$T/p.log" ||
	fail "a planted pid file: exit $rc: $(grep -v VHOST "$T/p.log" | tail -3)"
[ "$(stat -c %U "$shared/virtio-forwarder.pid")" = nobody ] || fail "the planted file was replaced"
log "planted pid file refused: $(grep -o 'the pid file.*' "$T/p.log")"

# A file that is not a socket at an endpoint path is an error, not removed.
echo keep >"$EP/stats"
rc=0
ip netns exec "$ns" "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-b-$TAG" \
	-M 0 -C 1 -V "$T/sock2" -u '' -g '' --hugepages=no --memory 256 -d "${eps[@]}" --pid-dir "$T" \
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
