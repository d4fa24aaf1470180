# SPDX-License-Identifier: BSD-3-Clause
# Shared helpers of the system tests: sourced by tests/system/test_*.sh.
#
# Topology used by most tests (all on one host, 2 CPUs):
#   ns "vf" side: a net_tap "VF" (kernel interface vf0) owned by the daemon
#   daemon <-> vhost-user socket <-> dpdk-testpmd "VM" (net_virtio_user)
#   ns "vm" side: testpmd forwards virtio-user <-> a net_tap (kernel vm0)
# CPU 0: daemon main thread + testpmd forwarding lcore; CPU 1: daemon worker +
# testpmd main thread.  Everything started here is killed by PID on exit.
set -eu
: "${VIO_BIN:?VIO_BIN must point at the virtio-forwarder binary}"
: "${VIO_TOP:?VIO_TOP must point at the repository}"

T=$(mktemp -d /tmp/vio-test.XXXXXX)
SOCKDIR=$T/sock
mkdir -p "$SOCKDIR"
TAG=$$
declare -A PID=()
NSS=()
PREFIXES=()
AT_EXIT=()   # commands cleanup() runs last (e.g. restoring a system setting)

log() { echo "[$(date +%T.%3N)] $*"; }

dump_logs() {
	for f in "$T"/*.log; do
		[ -f "$f" ] || continue
		echo "----- $(basename "$f") (last 25 lines)"
		grep -v '^VHOST_CONFIG\|^Port statistics\|^  [A-Z]\|^  #\|^ *$\|^  *#' "$f" | tail -25 || true
	done
}

# A test may define on_fail() to print what tells where a failure happened
# (counters, interface statistics); it runs once, before the logs are dumped.
fail() {
	echo "FAIL: $*"
	if declare -F on_fail >/dev/null && [ -z "${IN_ON_FAIL:-}" ]; then
		IN_ON_FAIL=1
		on_fail || true
	fi
	dump_logs
	exit 1
}

stop_name() { # NAME [SIGNAL]: stop a process started here and forget it
	local name=$1 sig=${2:-TERM} pid=${PID[$1]:-}
	[ -n "$pid" ] || return 0
	kill -"$sig" "$pid" 2>/dev/null || true
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		log "$name (pid $pid) ignored SIG$sig for 10 s: killing"
		kill -KILL "$pid" 2>/dev/null || true
		# wait reaps children only: a detached daemon (OVS) is watched
		for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
	fi
	wait "$pid" 2>/dev/null || true
	unset "PID[$name]"
}

EXIT_CODE=
stop_and_reap() { # NAME [SIGNAL]: stop it, wait for it, exit status in $EXIT_CODE
	local name=$1 sig=${2:-TERM} pid=${PID[$1]}
	EXIT_CODE=0
	kill -"$sig" "$pid" 2>/dev/null || true
	wait "$pid" || EXIT_CODE=$?
	unset "PID[$name]"
}

cleanup() {
	local rc=$?
	for name in "${!PID[@]}"; do stop_name "$name" TERM; done
	for ns in "${NSS[@]}" $(cat "$T/netns" 2>/dev/null); do ip netns del "$ns" 2>/dev/null || true; done
	# DPDK's runtime files, and the hugepage files of a process killed
	# before it could remove them ("<prefix>map_<n>" in a hugetlbfs mount)
	for p in "${PREFIXES[@]}"; do
		rm -rf "/var/run/dpdk/$p"
		for m in $(awk '$3 == "hugetlbfs" {print $2}' /proc/mounts); do rm -f "$m/$p"map_*; done
	done
	for hook in "${AT_EXIT[@]}"; do eval "$hook" || true; done
	# VIO_KEEP_LOGS=DIR: the test's logs kept for a post-mortem
	if [ -n "${VIO_KEEP_LOGS:-}" ] && mkdir -p "$VIO_KEEP_LOGS"; then
		cp "$T"/*.log "$T"/*.txt "$VIO_KEEP_LOGS"/ 2>/dev/null || true
	fi
	rm -rf "$T"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ns_add NAME: a namespace with lo up and IPv6 off (no stray traffic).
# Called as ns=$(ns_add NAME), in a subshell: NSS+= would be lost there, so
# the name is also recorded in $T/netns for cleanup.  A namespace of that
# name can only be a leftover of a dead test that had our PID: replaced.
ns_add() {
	local ns="vio$TAG$1"
	ip netns del "$ns" 2>/dev/null || true
	ip netns add "$ns" || return 1
	echo "$ns" >>"$T/netns"
	NSS+=("$ns")
	ip netns exec "$ns" ip link set lo up
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.default.disable_ipv6=1
	echo "$ns"
}

wait_log() { # FILE PATTERN SECONDS
	local i
	for i in $(seq 1 $(($3 * 10))); do
		grep -q -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

wait_iface() { # NS IFACE SECONDS
	local i
	for i in $(seq 1 $(($3 * 10))); do
		ip netns exec "$1" ip link show "$2" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

# daemon_start NAME NS ARGS...: the forwarder in the foreground inside NS,
# worker CPU 1, main CPU 0, sockets in $SOCKDIR, shared memory.  A second
# daemon needs its own socket directory: DAEMON_SOCKDIR=DIR daemon_start ...
# (created here; the EAL file prefix and the pid directory, $T/run-NAME,
# already differ by NAME).
daemon_start() {
	local name=$1 ns=$2 sockdir=${DAEMON_SOCKDIR:-$SOCKDIR}
	shift 2
	local prefix="vio-$name-$TAG"
	PREFIXES+=("$prefix")
	mkdir -p "$sockdir" "$T/run-$name"
	: >"$T/$name.log"
	ip netns exec "$ns" "$VIO_BIN" --config /dev/null --nodaemon --file-prefix "$prefix" \
		-M 0 -C 1 -V "$sockdir" -u '' -g '' --hugepages=no --memory 256 \
		--pid-dir "$T/run-$name" "$@" \
		>>"$T/$name.log" 2>&1 &
	PID[$name]=$!
	wait_log "$T/$name.log" "NOTICE main: ready" 30 || fail "$name did not start"
}

# testpmd NS ARGS...: dpdk-testpmd ARGS in network namespace NS ("": this
# one), its stdout and stderr line-buffered by stdbuf.  testpmd writes with
# printf: into a file or pipe that is block-buffered, so a line a test waits
# for ("io packet forwarding - ports", statistics) would reach the log only
# when testpmd exits.  The same rule holds for any child whose output is read
# while it runs: stdbuf -oL -eL (or the tool's own line-buffered mode, like
# tcpdump -l).  Start it in the background only, `testpmd NS ... >LOG 2>&1 &`:
# the function execs (and so do ip netns exec and stdbuf), so $! is testpmd's
# PID.  TESTPMD_TIMEOUT=SECONDS runs it under timeout(1) ($! is then
# timeout's, which passes SIGTERM on).  TESTPMD_BIN: another testpmd (the
# one of scripts/build-dpdk.sh's DPDK, which has more than 32 ports; not
# with TESTPMD_TIMEOUT).
testpmd() {
	local ns=$1
	shift
	[ "$BASHPID" != "$$" ] || fail "testpmd: start it in the background: testpmd NS ARGS... &"
	if [ -n "${TESTPMD_BIN:-}" ]; then
		[ -z "$ns" ] || exec ip netns exec "$ns" stdbuf -oL -eL "$TESTPMD_BIN" "$@"
		exec stdbuf -oL -eL "$TESTPMD_BIN" "$@"
	fi
	if [ -z "${TESTPMD_TIMEOUT:-}" ]; then
		[ -z "$ns" ] || exec ip netns exec "$ns" stdbuf -oL -eL dpdk-testpmd "$@"
		exec stdbuf -oL -eL dpdk-testpmd "$@"
	fi
	[ -z "$ns" ] || exec ip netns exec "$ns" timeout "$TESTPMD_TIMEOUT" stdbuf -oL -eL dpdk-testpmd "$@"
	exec timeout "$TESTPMD_TIMEOUT" stdbuf -oL -eL dpdk-testpmd "$@"
}

# vm_start NAME NS SOCKET [EXTRA_VDEV_ARGS [EXTRA_TESTPMD_ARGS]]: dpdk-testpmd
# as the VM, forwarding between its virtio-user port and a tap "vm0" in NS
# ($VM_PORT1: another device string in place of the tap, on an existing vm0).
vm_start() {
	local name=$1 ns=$2 sock=$3 extra=${4:-} pmdargs=() port1=${VM_PORT1:-net_tap1,iface=vm0}
	read -r -a pmdargs <<<"${5:-}"
	local prefix="vio-$name-$TAG"
	PREFIXES+=("$prefix")
	: >"$T/$name.log"
	testpmd "$ns" -l 0,1 --main-lcore 1 --no-huge -m 512 --no-pci \
		--file-prefix "$prefix" \
		--vdev "net_virtio_user0,path=$sock,queues=1$extra" \
		--vdev "$port1" \
		-- --forward-mode=io --nb-cores=1 --stats-period 3600 --total-num-mbufs=8192 \
		--disable-link-check "${pmdargs[@]}" >>"$T/$name.log" 2>&1 &
	PID[$name]=$!
	wait_iface "$ns" vm0 30 || fail "$name: vm0 did not appear"
}

ip_up() { # NS IFACE ADDR/PREFIX: wait for the interface, address it, bring it up
	wait_iface "$1" "$2" 30 || fail "$2 did not appear in $1"
	ip netns exec "$1" ip addr replace "$3" dev "$2"
	ip netns exec "$1" ip link set "$2" up
}

ping_until() { # NS ADDR SECONDS: true once a ping gets an answer
	local end=$((SECONDS + $3))
	while [ $SECONDS -lt $end ]; do
		ip netns exec "$1" ping -c 1 -W 1 "$2" >/dev/null 2>&1 && return 0
	done
	return 1
}

# relay_stats NAME RELAY: ask the daemon (SIGUSR1) for its counters and print
# the relay's key=value pairs, one per line (e.g. vf_to_vm.rx=pkts/bytes).
relay_stats() {
	local name=$1 relay=$2 before
	before=$(grep -c "NOTICE stats: relay $relay:" "$T/$name.log" || true)
	kill -USR1 "${PID[$name]}"
	for _ in $(seq 1 50); do
		[ "$(grep -c "NOTICE stats: relay $relay:" "$T/$name.log" || true)" -gt "$before" ] && break
		sleep 0.1
	done
	grep "NOTICE stats: relay $relay:" "$T/$name.log" | tail -1 | tr ' ' '\n' | grep '='
}

# worker_stats NAME: the key=value pairs of the last worker line of the
# daemon's last SIGUSR1 dump (call relay_stats or resources first; one
# worker, -C 1, as daemon_start runs it).
worker_stats() {
	grep "NOTICE stats: worker cpu " "$T/$1.log" | tail -1 | tr ' ' '\n' | grep '='
}

resources() { # NAME: "ports=N mempools=N heap_bytes=N" from a SIGUSR1 dump
	local name=$1 before
	before=$(grep -c "NOTICE stats: resources:" "$T/$name.log" || true)
	kill -USR1 "${PID[$name]}"
	for _ in $(seq 1 50); do
		[ "$(grep -c "NOTICE stats: resources:" "$T/$name.log" || true)" -gt "$before" ] && break
		sleep 0.1
	done
	grep "NOTICE stats: resources:" "$T/$name.log" | tail -1 | sed 's/.*resources: //'
}
stat_of() { # STATS_TEXT KEY FIELD(1=pkts 2=bytes)
	printf '%s\n' "$1" | sed -n "s/^$2=//p" | cut -d/ -f"$3"
}

FRAMES="python3 $VIO_TOP/tests/tools/frames.py"
TOOLS=${VIO_TOOLS:-$(dirname "$VIO_BIN")/../tools}
ZMQ_RAW=$(dirname "$VIO_BIN")/../tests/zmq_raw

# relay_up DAEMON RELAY NSVF NSVM [SECONDS]: the tests' topology up, once
# daemon_start and vm_start ran: relay RELAY's VM connected, the tap "VF"
# vf0 in NSVF and the VM's tap vm0 in NSVM up, a frame across each way.
relay_up() {
	local nsvf=$3 nsvm=$4
	wait_log "$T/$1.log" "relay $2: VM connected" "${5:-20}" || fail "VM did not connect"
	wait_iface "$nsvf" vf0 20 || fail "vf0 missing"
	wait_iface "$nsvm" vm0 20 || fail "vm0 missing"
	ip netns exec "$nsvf" ip link set vf0 up
	ip netns exec "$nsvm" ip link set vm0 up
	path_ready "$nsvf" vf0 "$nsvm" vm0 30 || fail "no frame crosses VF->VM"
	path_ready "$nsvm" vm0 "$nsvf" vf0 30 || fail "no frame crosses VM->VF"
}

# path_ready NS_SRC IF_SRC NS_DST IF_DST SECONDS: send probe frames until one
# crosses (the VM's driver may still be posting its buffers after connecting).
path_ready() {
	local end=$((SECONDS + $5)) n=0
	while [ $SECONDS -lt $end ]; do
		n=$((n + 1))
		ip netns exec "$3" $FRAMES recv "$4" PROB 1 --timeout 1 --out "$T/probe.json" \
			>/dev/null 2>&1 &
		local rp=$!
		for _ in $(seq 1 20); do [ -e "$T/probe.json.ready" ] && break; sleep 0.05; done
		ip netns exec "$1" $FRAMES send "$2" PROB 1 >/dev/null
		if wait $rp; then
			rm -f "$T/probe.json" "$T/probe.json.ready"
			return 0
		fi
		rm -f "$T/probe.json" "$T/probe.json.ready"
	done
	return 1
}

# both_ways NS_VF IF_VF NS_VM IF_VM COUNT LABEL [FRAMES_ARGS...]: COUNT frames
# each way at once (tags VF2VM and VM2VF), every frame checked by the
# receivers (results in $T/vf2vm.json and $T/vm2vf.json, logged); fails the
# test unless all arrive intact and in order (with BOTH_WAYS_RETURN=1 it
# returns 1 instead, for a caller that tells where they went; the receivers'
# results are in $BOTH_WAYS_RESULT).  $RECV_ARGS and $SEND_ARGS add options
# to one side only.
both_ways() {
	local nsa=$1 ifa=$2 nsb=$3 ifb=$4 n=$5 label=$6 r1 r2 s1 s2 ok=1
	shift 6
	ip netns exec "$nsb" $FRAMES recv "$ifb" VF2VM "$n" "$@" ${RECV_ARGS:-} --timeout 60 \
		--out "$T/vf2vm.json" >/dev/null &
	r1=$!
	ip netns exec "$nsa" $FRAMES recv "$ifa" VM2VF "$n" "$@" ${RECV_ARGS:-} --timeout 60 \
		--out "$T/vm2vf.json" >/dev/null &
	r2=$!
	for f in vf2vm vm2vf; do
		for _ in $(seq 1 100); do [ -e "$T/$f.json.ready" ] && break; sleep 0.1; done
	done
	ip netns exec "$nsa" $FRAMES send "$ifa" VF2VM "$n" "$@" ${SEND_ARGS:-} >/dev/null &
	s1=$!
	ip netns exec "$nsb" $FRAMES send "$ifb" VM2VF "$n" "$@" ${SEND_ARGS:-} >/dev/null &
	s2=$!
	wait $s1 || fail "sender VF->VM failed"
	wait $s2 || fail "sender VM->VF failed"
	wait $r1 || ok=0
	wait $r2 || ok=0
	log "$label VF->VM: $(cat "$T/vf2vm.json")"
	log "$label VM->VF: $(cat "$T/vm2vf.json")"
	BOTH_WAYS_RESULT="VF->VM $(cat "$T/vf2vm.json") VM->VF $(cat "$T/vm2vf.json")"
	rm -f "$T"/vf2vm.json* "$T"/vm2vf.json*
	[ $ok = 1 ] && return 0
	[ -n "${BOTH_WAYS_RETURN:-}" ] && return 1
	fail "$label: frames lost, corrupted, reordered or oversized: $BOTH_WAYS_RESULT"
}

# ring_used NAME RELAY NRINGS: "ring=used" for the first NRINGS guest rings of
# RELAY, from the ring dump a daemon started with --loglevel=7 logs on SIGUSR1
# (used = descriptors returned to the guest: packets, one buffer each).
ring_used() {
	local name=$1 relay=$2 before
	before=$(grep -c "DEBUG stats: relay $relay ring 0:" "$T/$name.log" || true)
	kill -USR1 "${PID[$name]}"
	for _ in $(seq 1 50); do
		[ "$(grep -c "DEBUG stats: relay $relay ring 0:" "$T/$name.log" || true)" -gt "$before" ] &&
			break
		sleep 0.1
	done
	sleep 0.2
	grep "DEBUG stats: relay $relay ring " "$T/$name.log" | tail -n "$3" |
		sed -E 's/.* ring ([0-9]+): .* used=([0-9]+) .*/\1=\2/'
}
