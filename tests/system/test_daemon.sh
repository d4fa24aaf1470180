# SPDX-License-Identifier: BSD-3-Clause
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

# --version names DPDK once ("DPDK 22.11...", never "DPDK DPDK").
ver=$("$VIO_BIN" --version | head -1)
echo "$ver" | grep -Eq '^virtio-forwarder [0-9.]+ \(DPDK [0-9]' || fail "--version: $ver"
case $ver in *"DPDK DPDK"*) fail "--version repeats DPDK: $ver" ;; esac
log "version: $ver"

# The original's command line (issue 17): its short options and long names,
# optional values given as it did (=VALUE, attached, or none) and as the next
# argument, start the daemon; what they serve is there; each gone feature
# (zero-copy; --ipc without a port control endpoint) warns exactly once,
# though given twice; --same-numa warns not.
ns=$(ns_add orig)
EP=$T/ep
daemon_start orig "$ns" -R -T -a -I --ipc -0 --zero-copy --enable-jumbo --pid-path "$T/run-orig" \
	-s"ipc://$EP/core_sched" -z "ipc://$EP/stats" --zmq-config-ep="ipc://$EP/config" -u -g
for s in core_sched stats config; do
	[ -S "$EP/$s" ] || fail "endpoint $s not served: $(ls "$EP" 2>&1)"
done
[ "$(grep -c 'VIRTIOFWD_ZERO_COPY (--zero-copy, -0) is not supported' "$T/orig.log")" = 1 ] ||
	fail "zero-copy: not one warning: $(grep -i warn "$T/orig.log")"
[ "$(grep -c 'VIRTIOFWD_IPC_PORT_CONTROL (--ipc): .*not supported' "$T/orig.log")" = 1 ] ||
	fail "--ipc: not one warning: $(grep -i warn "$T/orig.log")"
! grep -qi 'same.numa' "$T/orig.log" || fail "--same-numa drew a message: $(grep -i numa "$T/orig.log")"
stop_and_reap orig
[ "$EXIT_CODE" = 0 ] || fail "the daemon with the original's options exited $EXIT_CODE"
log "the original's options: daemon ran, 3 endpoints served, one warning each for -0 and -I"
