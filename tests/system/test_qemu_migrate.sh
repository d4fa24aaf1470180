# SPDX-License-Identifier: BSD-3-Clause
# Live migration of a real guest between two forwarders standing for two
# hosts.  Each forwarder has its own tap "VF" (vfa, vfb); both sit on one
# Linux bridge, br0, which also holds the peer address 10.0.0.1.
#
#   peer 10.0.0.1 (br0) --+-- vfa -- forwarder a -- a/virtio-forwarder1.sock -- source QEMU
#                         +-- vfb -- forwarder b -- b/virtio-forwarder1.sock -- target QEMU
#
# The peer pings the guest every 0.1 s while the source QEMU migrates it to
# the target (-incoming on a unix socket, "migrate -d" on the monitor).  The
# guest itself stays silent (vio.mode=idle): the bridge only learns that the
# guest moved from the announcement (RARP from QEMU via VHOST_USER_SEND_RARP,
# injected by librte_vhost into the dequeue path; or the guest's gratuitous
# ARP with VIRTIO_NET_F_GUEST_ANNOUNCE).  Checks: the migration completes,
# the announcement leaves through vfb, the bridge's FDB moves the guest's
# MAC to vfb, the ping resumes through forwarder b (its counters) and not a,
# and the ping gap is reported (not asserted beyond "it resumed").
. "$(dirname "$0")/lib.sh"

. "$(dirname "$0")/guest.sh"

MAC=52:54:00:12:34:56
two_hosts --loglevel=7

# The announcement, as it leaves forwarder b (RARP, or ARP from the guest).
ip netns exec "$ns" tcpdump -l -n -e -i vfb 'rarp or arp' >"$T/tcpdump-vfb.txt" 2>"$T/tcpdump.err" &
PID[tcpdump]=$!
wait_log "$T/tcpdump.err" "listening on" 10 || fail "tcpdump did not start"

log "== source guest on forwarder a"
GUEST_QEMU_ARGS=(-monitor "unix:$T/mon-src.sock,server=on,wait=off")
guest_start src "$SOCKDIR/virtio-forwarder1.sock" 0 0 1 "vio.mode=idle"
wait_log "$T/src.log" "GUEST: READY" 90 || fail "source guest did not boot"
features=$(guest_value src FEATURES)
log "source guest up, features $features (bit 21 GUEST_ANNOUNCE=${features:21:1}," \
	"bit 17 CTRL_VQ=${features:17:1})"
ping_until "$ns" 10.0.0.2 30 || fail "no ping through forwarder a before the migration"
ip netns exec "$ns" bridge fdb show br br0 | grep -qi "$MAC dev vfa" ||
	fail "the bridge did not learn the guest on vfa: $(ip netns exec "$ns" bridge fdb show br br0)"

log "== target QEMU on forwarder b, waiting for the migration"
GUEST_QEMU_ARGS=(-monitor "unix:$T/mon-dst.sock,server=on,wait=off" -incoming "unix:$T/mig.sock")
guest_start dst "$T/sockb/virtio-forwarder1.sock" 0 0 1 "vio.mode=idle"
wait_log "$T/b.log" "vhost-user connection" 30 || fail "target QEMU did not connect to forwarder b"
for _ in $(seq 1 100); do [ -S "$T/mig.sock" ] && break; sleep 0.1; done
[ -S "$T/mig.sock" ] || fail "target QEMU is not listening for the migration"

ip netns exec "$ns" ping -n -D -i 0.1 -W 1 10.0.0.2 >"$T/ping.txt" 2>&1 &
PID[ping]=$!
sleep 2
a_before=$(relay_stats a 1)

log "== migrate"
t_start=$(date +%s.%N)
# Slow the copy down to ~3 s so that forwarder a writes into guest memory
# (VF->VM) over several dirty-page passes: what it writes must be logged.
hmp "$T/mon-src.sock" "migrate_set_parameter max-bandwidth ${VIO_MIG_BW:-32M}" >/dev/null
hmp "$T/mon-src.sock" "migrate -d unix:$T/mig.sock" >"$T/migrate.out"
migrate_wait "$T/mon-src.sock" 600

# The FDB moves to vfb once the announcement crosses forwarder b.
fdb_s=""
for i in $(seq 1 100); do
	if ip netns exec "$ns" bridge fdb show br br0 | grep -qi "$MAC dev vfb"; then
		fdb_s=$(echo "$(date +%s.%N) - $t_done" | bc)
		break
	fi
	sleep 0.05
done
[ -n "$fdb_s" ] || fail "the bridge still sends the guest's MAC elsewhere: $(ip netns exec "$ns" bridge fdb show br br0 | grep -i "$MAC")"
log "bridge FDB: $MAC on vfb $fdb_s s after the migration completed"

# The source is done: quit it as a management layer would.
hmp "$T/mon-src.sock" "info status" | grep -q "postmigrate" || log "source status: $(hmp "$T/mon-src.sock" "info status")"
stop_name src
a_mid=$(relay_stats a 1)
b_mid=$(relay_stats b 1)
sleep ${VIO_MIG_AFTER:-4}
stop_name ping INT
a_after=$(relay_stats a 1)
b_after=$(relay_stats b 1)
stop_name tcpdump INT

hmp "$T/mon-dst.sock" "info status" | grep -q "running" || fail "target guest is not running"

# Ping analysis: replies by sequence number and time.
summary=$(python3 "$VIO_TOP/tests/tools/pinggap.py" "$T/ping.txt")
log "ping every 0.1 s: $summary"
case "$summary" in *tail_ok=1*) ;; *) fail "the ping did not resume after the migration ($(tail -3 "$T/ping.txt"))" ;; esac

# Which forwarder carried the guest's traffic after the migration.
d() { echo $(($(stat_of "$2" "$3" 1) - $(stat_of "$1" "$3" 1))); }
a_vm=$(d "$a_mid" "$a_after" vm_to_vf.tx)
b_vm=$(d "$b_mid" "$b_after" vm_to_vf.tx)
b_vf=$(d "$b_mid" "$b_after" vf_to_vm.tx)
log "after the migration: forwarder a VM->VF +$a_vm, forwarder b VF->VM +$b_vf VM->VF +$b_vm;" \
	"a's VM->VF during the ping before: +$(d "$a_before" "$a_mid" vm_to_vf.tx)"
[ "$a_vm" -eq 0 ] || fail "forwarder a still carried $a_vm guest packets after the migration"
[ "$b_vm" -ge 30 ] || fail "forwarder b carried only $b_vm guest packets in 4 s of ping"
[ "$b_vf" -ge 30 ] || fail "forwarder b delivered only $b_vf packets to the guest in 4 s of ping"

# The announcement seen on vfb: QEMU's RARP (VHOST_USER_SEND_RARP, sent by
# librte_vhost through our dequeue path) or the guest's own gratuitous ARP.
rarp=$(grep -i "^[0-9:.]* $MAC > ff:ff:ff:ff:ff:ff, ethertype Reverse ARP" "$T/tcpdump-vfb.txt" |
	wc -l)
garp=$(grep -i "^[0-9:.]* $MAC > ff:ff:ff:ff:ff:ff, ethertype ARP " "$T/tcpdump-vfb.txt" | wc -l)
first=$(grep -i "^[0-9:.]* $MAC > " "$T/tcpdump-vfb.txt" | head -1)
log "announcement on vfb: $rarp RARP, $garp broadcast ARP from $MAC" \
	"($(grep -c 'VHOST_USER_SEND_RARP' "$T/b.log" || true) VHOST_USER_SEND_RARP to forwarder b);" \
	"first frame from it: $first"
[ $((rarp + garp)) -ge 1 ] || fail "no announcement from $MAC on vfb: $(head -5 "$T/tcpdump-vfb.txt")"

# Dirty-page logging: QEMU hands the source backend a log (SET_LOG_BASE)
# and sets VHOST_F_LOG_ALL (feature bit 26) while it copies RAM; librte_vhost
# then marks the guest pages it writes (our VF->VM enqueues).
feats=$(sed -n 's/.*negotiated Virtio features: \(0x[0-9a-f]*\).*/\1/p' "$T/a.log" | tr '\n' ' ')
log_all=0
for f in $feats; do [ $((f >> 26 & 1)) = 1 ] && log_all=1; done
log "forwarder a: features negotiated over time: $feats(LOG_ALL seen: $log_all);" \
	"SET_LOG_BASE messages: $(grep -c 'SET_LOG_BASE' "$T/a.log" || true)"
[ "$log_all" = 1 ] || fail "forwarder a never had VHOST_F_LOG_ALL negotiated during the migration"
stop_name dst
