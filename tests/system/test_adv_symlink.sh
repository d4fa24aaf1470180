# SPDX-License-Identifier: BSD-3-Clause
# Adversarial local user (issue 13, defect 6): whoever can write the socket
# directory swaps each new relay socket for a symlink to a root-owned file
# between the daemon's bind and its chown/chmod (server mode, socket owner
# and group set).  chown() by path followed the link: a root 0600 file
# became nobody:nogroup 0660 within a second.  Here the directory belongs
# to nobody, whose racer swaps sockets while a client adds and removes
# sockets for $VIO_ADV_RACE_SECS (15) s.  Passes when the target keeps its
# owner and mode, the racer did swap sockets (the race was run), and the
# daemon refused the swapped ones.
. "$(dirname "$0")/lib.sh"

SECS=${VIO_ADV_RACE_SECS:-15}
STRESS=${VIO_TEST_TOOLS:-$(dirname "$VIO_BIN")/../tests}/ctl_stress
ns=$(ns_add d)
EP=$T/ctl
ATT=$T/att
chmod o+x "$T"
install -d -o nobody -g nogroup -m 0755 "$ATT"
echo secret >"$T/target"
chmod 600 "$T/target"

daemon_start d "$ns" -d -V "$ATT" -u nobody -g nogroup \
	--zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_null
setpriv --reuid=65534 --regid=65534 --clear-groups /usr/bin/python3 \
	"$VIO_TOP/tests/tools/unix_listener.py" swap "$ATT/churn0.sock" "$SECS" "$T/target" \
	>"$T/racer.out" 2>&1 &
PID[racer]=$!
rc=0
$STRESS churn "ipc://$EP/port_control" "$SECS" "$ATT" 1 >"$T/churn.out" 2>&1 || rc=$?
[ $rc = 0 ] || fail "churn failed ($rc): $(cat "$T/churn.out")"
wait "${PID[racer]}" || true
unset "PID[racer]"
log "$(cat "$T/churn.out"); racer: $(cat "$T/racer.out")"
[ "$(stat -c '%U:%G %a' "$T/target")" = "root:root 600" ] ||
	fail "the target changed: $(stat -c '%U:%G %a' "$T/target") (the daemon followed a link)"
swaps=$(sed -n 's/.*"swaps": \([0-9]*\).*/\1/p' "$T/racer.out")
[ "${swaps:-0}" -gt 0 ] || fail "the racer never swapped a socket: the race was not run"
refused=$(grep -c "is no longer our socket\|is not the socket this process bound\|is a symbolic link" "$T/d.log" || true)
[ "$refused" -gt 0 ] || fail "no refusal of a swapped socket in the log"
grep -q "socket directory $ATT belongs to uid 65534" "$T/d.log" || fail "no warning about the directory's owner"
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
log "PASS: $swaps sockets swapped for links, the target kept root:root 600"
