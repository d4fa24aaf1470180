# SPDX-License-Identifier: BSD-3-Clause
# The Prometheus exporter (issue 16 point 6): virtioforwarder_exporter on a
# loopback port, in front of a daemon with stats and config endpoints and a
# testpmd VM.  A scrape is valid text format (promtool check metrics finds no
# problem) with every documented family; after frames cross each way the
# relay's packet and byte counters moved by at least what was sent (and
# its drop counters not at all); only /metrics is served (404 elsewhere, 405
# for POST); the endpoints come from the configuration file when not given;
# with the daemon stopped a scrape still succeeds, saying
# virtioforwarder_up 0; SIGTERM stops it with exit 0.
. "$(dirname "$0")/lib.sh"

N=${VIO_EXPORTER_FRAMES:-2000}
nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/ctl
EXPORTER=$TOOLS/virtioforwarder_exporter
FAMILIES="up build_info relay_info relay_active relay_vm_connected relay_state
	relay_received_packets_total relay_received_bytes_total relay_sent_packets_total
	relay_sent_bytes_total relay_dropped_packets_total relay_dropped_bytes_total
	relay_busy_polls_total relay_busy_cycles_total relay_worker_cpu relay_assigned_cpu
	vf_link_up vf_link_speed_bytes_per_second vf_link_changes_total vf_rx_dropped_packets_total
	worker_cycles_total worker_passes_total worker_packets_total worker_tsc_hertz"

# exporter_start NAME ARGS...: the exporter on a free loopback port
# (tried from a few), its URL in URL_<NAME>.
exporter_start() {
	local name=$1 port try
	shift
	for try in 1 2 3 4 5 6; do
		port=$((20000 + (TAG * 7 + try * 1009 + ${#name} * 97) % 20000))
		: >"$T/$name.log"
		"$EXPORTER" --listen "127.0.0.1:$port" "$@" >>"$T/$name.log" 2>&1 &
		PID[$name]=$!
		for _ in $(seq 1 50); do
			if grep -q "serving http" "$T/$name.log"; then
				printf -v "URL_$name" 'http://127.0.0.1:%s' "$port"
				return 0
			fi
			kill -0 "${PID[$name]}" 2>/dev/null || break
			sleep 0.1
		done
		stop_name "$name"
		log "$name: port $port: $(tail -1 "$T/$name.log")"
	done
	fail "$name did not start"
}

scrape() { # URL FILE: one scrape into FILE (fails the test on an HTTP error)
	curl -sf --max-time 10 -D "$2.headers" -o "$2" "$1/metrics" || fail "scrape of $1 failed"
}

val() { # FILE SERIES: the value of one series (name{labels} as printed); 1 if absent
	awk -v k="$2" '$1 == k { print $2; f = 1 } END { exit !f }' "$1"
}

lint() { # FILE: promtool finds no problem, every family is declared
	local f
	promtool check metrics <"$1" >"$T/promtool.out" 2>&1 ||
		fail "promtool check metrics: $(cat "$T/promtool.out")"
	[ ! -s "$T/promtool.out" ] || fail "promtool check metrics: $(cat "$T/promtool.out")"
	for f in $2; do
		grep -q "^# HELP virtioforwarder_$f " "$1" || fail "family virtioforwarder_$f missing"
		grep -q "^# TYPE virtioforwarder_$f " "$1" || fail "TYPE of virtioforwarder_$f missing"
	done
}

daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1" --zmq-stats-ep "ipc://$EP/stats" \
	--zmq-config-ep "ipc://$EP/config"
vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
relay_up d 1 "$nsvf" "$nsvm"

exporter_start exp --stats-ep "ipc://$EP/stats" --config-ep "ipc://$EP/config" --timeout 1000
scrape "$URL_exp" "$T/s1"
lint "$T/s1" "$FAMILIES"
grep -qi '^content-type: text/plain; version=0.0.4' "$T/s1.headers" ||
	fail "content type: $(grep -i content-type "$T/s1.headers")"
[ "$(val "$T/s1" virtioforwarder_up)" = 1 ] || fail "virtioforwarder_up is not 1"
[ "$(val "$T/s1" 'virtioforwarder_relay_vm_connected{relay="1"}')" = 1 ] || fail "VM not connected"
[ "$(val "$T/s1" 'virtioforwarder_relay_active{relay="1"}')" = 1 ] || fail "relay 1 not active"
[ "$(val "$T/s1" 'virtioforwarder_relay_worker_cpu{relay="1",direction="vf_to_vm"}')" = 1 ] ||
	fail "relay 1 VF->VM not on worker CPU 1"
[ "$(val "$T/s1" 'virtioforwarder_relay_assigned_cpu{relay="1",direction="vm_to_vf"}')" = 1 ] ||
	fail "config: relay 1 VM->VF not assigned CPU 1"
grep -q '^virtioforwarder_relay_info{relay="1",vf="net_tap0",' "$T/s1" ||
	fail "relay_info: $(grep "^virtioforwarder_relay_info" "$T/s1")"
log "first scrape: $(grep -vc "^#" "$T/s1") series, promtool: no problem"

log "sending $N frames each way"
both_ways "$nsvf" vf0 "$nsvm" vm0 "$N" exporter
sleep 0.5
scrape "$URL_exp" "$T/s2"
lint "$T/s2" "$FAMILIES"
bytes=$($FRAMES expect x "$N")
moved() { # NAME LABELS: how far the series moved between the scrapes, in $MOVED
	local a b
	a=$(val "$T/s2" "virtioforwarder_$1{$2}") || fail "second scrape: no series $1{$2}"
	b=$(val "$T/s1" "virtioforwarder_$1{$2}") || fail "first scrape: no series $1{$2}"
	MOVED=$((a - b))
}
for dir in vf_to_vm vm_to_vf; do
	l="relay=\"1\",direction=\"$dir\""
	for c in "relay_received_packets_total $N" "relay_sent_packets_total $N" \
		"relay_received_bytes_total $bytes" "relay_sent_bytes_total $bytes"; do
		set -- $c
		moved "$1" "$l"
		[ "$MOVED" -ge "$2" ] || fail "$1{$l} moved by $MOVED, expected at least $2"
		got="${got:-}$1 +$MOVED; "
	done
	for cause in queue_full not_connected too_long; do
		moved relay_dropped_packets_total "$l,cause=\"$cause\""
		[ "$MOVED" = 0 ] || fail "relay_dropped_packets_total{$l,cause=\"$cause\"} moved by $MOVED"
	done
	moved relay_busy_polls_total "$l"
	[ "$MOVED" -ge 1 ] || fail "relay_busy_polls_total{$l} moved by $MOVED"
	log "$dir: ${got}relay_busy_polls_total +$MOVED (sent: $N frames, $bytes bytes)"
	got=
done
moved worker_packets_total 'cpu="1"'
[ "$MOVED" -ge $((2 * N)) ] || fail "worker_packets_total{cpu=\"1\"} moved by $MOVED, expected >= $((2 * N))"
moved worker_cycles_total 'cpu="1",state="busy"'
[ "$MOVED" -gt 0 ] || fail "no busy cycles counted on worker CPU 1"
log "example scrape, relay 1 and worker 1:"
grep -E '^virtioforwarder_(up|build_info)|relay="1"|cpu="1"' "$T/s2" | grep -v ' 0$' | head -40

# Only /metrics, only GET/HEAD.
code() { curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@"; }
for path in / /metric /metrics/ /metricsx /favicon.ico '/%2e%2e/metrics'; do
	c=$(code "$URL_exp$path")
	[ "$c" = 404 ] || fail "GET $path: HTTP $c, expected 404"
done
c=$(code -X POST --data x "$URL_exp/metrics")
[ "$c" = 405 ] || fail "POST /metrics: HTTP $c, expected 405"
c=$(code -I "$URL_exp/metrics")
[ "$c" = 200 ] || fail "HEAD /metrics: HTTP $c, expected 200"
c=$(code "$URL_exp/metrics?x=1")
[ "$c" = 200 ] || fail "GET /metrics?x=1: HTTP $c, expected 200"
log "other paths: 404; POST: 405; HEAD: 200"

# Endpoints from the configuration file (the way the other tools find them).
cat >"$T/virtioforwarder.conf" <<EOF
VIRTIOFWD_ZMQ_STATS_EP=ipc://$EP/stats
VIRTIOFWD_ZMQ_CONFIG_EP=
EOF
exporter_start expconf --config "$T/virtioforwarder.conf"
scrape "$URL_expconf" "$T/s3"
lint "$T/s3" "${FAMILIES/relay_assigned_cpu/}"
[ "$(val "$T/s3" virtioforwarder_up)" = 1 ] || fail "exporter with --config: not up"
! grep -q relay_assigned_cpu "$T/s3" || fail "config service queried although disabled in the file"
grep -q "from ipc://$EP/stats$" "$T/expconf.log" || fail "expconf: $(cat "$T/expconf.log")"
stop_name expconf
log "endpoints from --config: ok"

# Bad options are refused with exit 2.
for bad in "--listen=127.0.0.1:0" "--listen=localhost" "--stats-ep=tcp://127.0.0.1:1" \
	"--timeout=5" "--config=$T/none"; do
	rc=0
	"$EXPORTER" "$bad" >"$T/bad.out" 2>&1 || rc=$?
	[ $rc = 2 ] || fail "$bad: exit $rc, expected 2: $(cat "$T/bad.out")"
done
log "bad options: exit 2, e.g. $(head -1 "$T/bad.out")"

# Daemon stopped: still 200, up 0.
stop_name vm
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
scrape "$URL_exp" "$T/s4"
lint "$T/s4" "up build_info"
[ "$(val "$T/s4" virtioforwarder_up)" = 0 ] || fail "virtioforwarder_up is not 0 with the daemon stopped"
! grep -q '^virtioforwarder_relay' "$T/s4" || fail "relay series without a daemon"
log "daemon stopped: HTTP 200, virtioforwarder_up 0"
wait_log "$T/exp.log" "does not answer" 5 || fail "the exporter did not log that the daemon is gone"
# ... once: more scrapes while it stays down add no line to the log.
lines=$(wc -l <"$T/exp.log")
for i in 1 2 3; do scrape "$URL_exp" "$T/s5"; done
[ "$(wc -l <"$T/exp.log")" = "$lines" ] || fail "scrapes of a stopped daemon log: $(tail -3 "$T/exp.log")"

stop_and_reap exp TERM
[ "$EXIT_CODE" = 0 ] || fail "exporter exit status $EXIT_CODE after SIGTERM"
log "exporter: exit 0 on SIGTERM"
