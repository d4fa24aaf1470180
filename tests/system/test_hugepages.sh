# SPDX-License-Identifier: BSD-3-Clause
# Memory modes: with free hugepages the daemon uses them (and leaves no file
# behind); "auto" without hugepages starts on shared memory and says so;
# "yes" without hugepages refuses to start, naming the variable.
. "$(dirname "$0")/lib.sh"

nr=/sys/kernel/mm/hugepages/hugepages-2048kB/nr_hugepages
orig=$(cat "$nr")
HUGE=$T/huge
mkdir -p "$HUGE" "$T/plain"
restore() {
	umount "$HUGE" 2>/dev/null || true
	echo "$orig" >"$nr"
}
trap 'restore; cleanup' EXIT

echo $((orig + 256)) >"$nr"
got=$(cat "$nr")
[ "$got" -ge $((orig + 160)) ] || fail "could not reserve hugepages ($got of $((orig + 256)))"
mount -t hugetlbfs -o pagesize=2M nodev "$HUGE"
free0=$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
# daemon_start passes --hugepages=no; a later option overrides it.
daemon_start dh "$nsvf" --hugepages=yes -H "$HUGE" -P "net_tap0,iface=vf0=1"
grep -q "memory: hugepages at $HUGE" "$T/dh.log" || fail "hugepages not used"
used=$(( free0 - $(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages) ))
log "daemon running on hugepages: $used pages of 2 MiB in use"
vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
ip_up "$nsvf" vf0 10.0.0.1/24
ip_up "$nsvm" vm0 10.0.0.2/24
ping_until "$nsvf" 10.0.0.2 20 || fail "no traffic in hugepage mode"
stop_name vm
stop_and_reap dh TERM
[ "$EXIT_CODE" = 0 ] || fail "exit status $EXIT_CODE"
[ -z "$(ls -A "$HUGE")" ] || fail "hugepage files left: $(ls "$HUGE")"
[ "$(cat /sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages)" = "$free0" ] ||
	fail "hugepages not returned"
log "hugepage mode: traffic crossed, all pages returned, no files left"

daemon_start da "$nsvf" --hugepages=auto -H "$T/plain" -P "net_tap0,iface=vf0=1"
grep -q "memory: ordinary shared memory" "$T/da.log" || fail "auto mode did not fall back"
grep "memory:" "$T/da.log" | sed 's/^/    /'
stop_and_reap da TERM

set +e
out=$("$VIO_BIN" --config /dev/null --nodaemon --file-prefix "vio-hy-$TAG" -M 0 -C 1 --pid-dir "$T" \
	-V "$SOCKDIR" -u '' -g '' --hugepages=yes -H "$T/plain" 2>&1)
rc=$?
set -e
[ $rc -ne 0 ] || fail "--hugepages=yes started without hugepages"
echo "$out" | grep -q "VIRTIOFWD_HUGEPAGES" || fail "error does not name the variable: $out"
log "yes without hugepages refused: $out"
