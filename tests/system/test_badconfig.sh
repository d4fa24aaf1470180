#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Bad configurations must stop the real daemon at startup: it exits non-zero
# and its stderr names the variable (or option) and the offending value.  One
# good configuration must start ("ready") and stop cleanly on SIGTERM.
#
# Environment (set by tests/run): VIO_BIN = daemon binary, VIO_TOP = repo root.
# Needs root (DPDK EAL).  Prints "ok - <case>" / "not ok - <case>: <reason>".
set -eu

VIO_BIN=${VIO_BIN:-${VIO_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/build/src/virtio-forwarder}
if [ ! -x "$VIO_BIN" ]; then
	echo "not ok - setup: daemon binary $VIO_BIN not found"
	exit 1
fi

tmp=$(mktemp -d /tmp/vio-badcfg-XXXXXX)
daemon_pids=()
failures=0
run_no=0

cleanup() {
	local p
	for p in "${daemon_pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
	rm -rf /var/run/dpdk/vio-badcfg-$$-*
}
trap cleanup EXIT

ok() { echo "ok - $1"; }
not_ok() {
	echo "not ok - $1: $2"
	failures=$((failures + 1))
}

# A unique DPDK file prefix per daemon run.
next_prefix() {
	run_no=$((run_no + 1))
	prefix="vio-badcfg-$$-$run_no"
}

# A configuration that starts on this host (2+ CPUs, no hugepages needed).
GOOD='VIRTIOFWD_CPU_MASK=1
VIRTIOFWD_MASTER_LCORE=0
VIRTIOFWD_DYNAMIC_SOCKETS=true
VIRTIOFWD_HUGEPAGES=no
'

# expect_fail CASE CONFIG-FILE "needle1|needle2|..." [daemon options...]
# Runs the daemon on CONFIG-FILE; it must exit non-zero (not time out) and
# every needle must appear in its stderr.
expect_fail() {
	local name=$1 conf=$2 needles=$3 rc=0 needle missing=""
	shift 3
	next_prefix
	local out="$tmp/$run_no.out" err="$tmp/$run_no.err"

	timeout 20 "$VIO_BIN" --config "$conf" --nodaemon --file-prefix "$prefix" --pid-dir "$tmp" "$@" \
		>"$out" 2>"$err" </dev/null || rc=$?
	if [ "$rc" -eq 0 ]; then
		not_ok "$name" "daemon exited 0"
		return 0
	fi
	if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
		not_ok "$name" "daemon was still running after 20 s (it accepted the configuration)"
		return 0
	fi
	IFS='|' read -r -a list <<<"$needles"
	for needle in "${list[@]}"; do
		grep -qF -- "$needle" "$err" || missing="$missing \"$needle\""
	done
	if [ -n "$missing" ]; then
		not_ok "$name" "exit $rc, but stderr lacks$missing: $(head -c 300 "$err" | tr '\n' ' ')"
		return 0
	fi
	ok "$name"
}

# bad_conf CASE "file body" "needles" [options...]: the good configuration
# plus the given lines.
bad_conf() {
	local name=$1 body=$2 needles=$3
	shift 3
	local conf="$tmp/conf.$((run_no + 1))"

	printf '%s%s\n' "$GOOD" "$body" >"$conf"
	expect_fail "$name" "$conf" "$needles" "$@"
}

# ---- the good configuration starts and stops -------------------------------------

good_case() {
	local name="good configuration starts and stops on SIGTERM"
	local conf="$tmp/good.conf" rc=0 pid i
	next_prefix
	local out="$tmp/good.out" err="$tmp/good.err"

	printf '%s' "$GOOD" >"$conf"
	: >"$out"
	: >"$err"
	"$VIO_BIN" --config "$conf" --nodaemon --file-prefix "$prefix" --pid-dir "$tmp" >"$out" 2>"$err" \
		</dev/null &
	pid=$!
	daemon_pids+=("$pid")
	for i in $(seq 1 150); do
		grep -qE '(^|[[:space:]])ready$' "$err" && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if ! grep -qE '(^|[[:space:]])ready$' "$err"; then
		if kill -0 "$pid" 2>/dev/null; then
			not_ok "$name" "no \"ready\" within 15 s: $(tail -c 300 "$err" | tr '\n' ' ')"
			kill -KILL "$pid" 2>/dev/null || true
		else
			wait "$pid" || rc=$?
			not_ok "$name" "daemon exited ($rc) before ready: $(tail -c 300 "$err" | tr '\n' ' ')"
		fi
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	kill -TERM "$pid"
	for i in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		not_ok "$name" "still running 10 s after SIGTERM"
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		return 0
	fi
	wait "$pid" || rc=$?
	if [ "$rc" -ne 0 ]; then
		not_ok "$name" "exit status $rc after SIGTERM: $(tail -c 300 "$err" | tr '\n' ' ')"
		return 0
	fi
	ok "$name"
}

good_case

# ---- the configuration file itself --------------------------------------------------

bad_conf "unknown variable" 'VIRTIOFWD_NO_SUCH_VARIABLE=1' \
	"VIRTIOFWD_NO_SUCH_VARIABLE|unknown variable"

expect_fail "missing configuration file" "$tmp/does-not-exist.conf" \
	"$tmp/does-not-exist.conf"

mkdir "$tmp/a-directory"
expect_fail "unreadable configuration file (a directory)" "$tmp/a-directory" \
	"$tmp/a-directory"

conf="$tmp/unterminated.conf"
printf 'VIRTIOFWD_CPU_MASK=1\nVIRTIOFWD_MASTER_LCORE=0\nVIRTIOFWD_SOCKET_DIR="/tmp\nVIRTIOFWD_LOG_LEVEL=6\n' >"$conf"
expect_fail "unterminated quote (line number)" "$conf" "$conf|line 3|unterminated"

# ---- CPUs ---------------------------------------------------------------------------

bad_conf "malformed CPU mask" 'VIRTIOFWD_CPU_MASK=1-x' "VIRTIOFWD_CPU_MASK|1-x"
bad_conf "malformed hex CPU mask" 'VIRTIOFWD_CPU_MASK=0xZZ' "VIRTIOFWD_CPU_MASK|0xZZ"
bad_conf "CPU not online" 'VIRTIOFWD_CPU_MASK=127' "VIRTIOFWD_CPU_MASK|127|online"
bad_conf "tcp control endpoint (open to every local user)" \
	'VIRTIOFWD_ZMQ_STATS_EP=tcp://127.0.0.1:5555' "VIRTIOFWD_ZMQ_STATS_EP|tcp endpoints are refused"
bad_conf "pin outside the worker mask" 'VIRTIOFWD_CPU_PINS=0:0' \
	"VIRTIOFWD_CPU_PINS|0:0|CPU 0"
bad_conf "pin with relay id out of range" 'VIRTIOFWD_CPU_PINS=99:1' \
	"VIRTIOFWD_CPU_PINS|99:1"

# ---- static VFs -----------------------------------------------------------------------

bad_conf "malformed PCI address in static VFs" 'VIRTIOFWD_DYNAMIC_SOCKETS=false
VIRTIOFWD_STATIC_VFS=(0000:05:08=1)' "VIRTIOFWD_STATIC_VFS|0000:05:08"
bad_conf "PCI address out of range in static VFs" 'VIRTIOFWD_DYNAMIC_SOCKETS=false
VIRTIOFWD_STATIC_VFS=(0000:05:20.1=1)' "VIRTIOFWD_STATIC_VFS|0000:05:20.1"
bad_conf "duplicate relay id in static VFs" 'VIRTIOFWD_DYNAMIC_SOCKETS=false
VIRTIOFWD_STATIC_VFS=(0000:05:08.1=1 0000:05:08.2=1)' \
	"VIRTIOFWD_STATIC_VFS|0000:05:08.2=1|relay id 1"
bad_conf "relay id 32 (limit 32)" 'VIRTIOFWD_DYNAMIC_SOCKETS=false
VIRTIOFWD_STATIC_VFS=0000:05:08.1=32' "VIRTIOFWD_STATIC_VFS|0000:05:08.1=32"
bad_conf "relay id 64" 'VIRTIOFWD_DYNAMIC_SOCKETS=false
VIRTIOFWD_STATIC_VFS=(0000:05:08.1=64)' "VIRTIOFWD_STATIC_VFS|0000:05:08.1=64"

# ---- other variables --------------------------------------------------------------------

bad_conf "log level 9" 'VIRTIOFWD_LOG_LEVEL=9' "VIRTIOFWD_LOG_LEVEL|9"
bad_conf "bad boolean" 'VIRTIOFWD_VHOST_CLIENT=maybe' "VIRTIOFWD_VHOST_CLIENT|maybe"
bad_conf "socket pattern without %u" 'VIRTIOFWD_SOCKET_FNAME_PATTERN=vf.sock' \
	"VIRTIOFWD_SOCKET_FNAME_PATTERN|vf.sock"
bad_conf "nonexistent socket owner" 'VIRTIOFWD_SOCKET_OWNER=vio-no-such-user-4711' \
	"VIRTIOFWD_SOCKET_OWNER|vio-no-such-user-4711"
bad_conf "bad VFIO token" 'VIRTIOFWD_VFIO_VF_TOKEN=1234-abcd' \
	"VIRTIOFWD_VFIO_VF_TOKEN|1234-abcd"

# ---- the command line --------------------------------------------------------------------

printf '%s' "$GOOD" >"$tmp/good-for-options.conf"
expect_fail "unknown command-line option" "$tmp/good-for-options.conf" \
	"--no-such-option" --no-such-option
expect_fail "bad command-line value" "$tmp/good-for-options.conf" \
	"--loglevel|9" --loglevel=9
expect_fail "bad command-line CPU list" "$tmp/good-for-options.conf" \
	"--cpus|abc" -C abc

if [ "$failures" -ne 0 ]; then
	echo "$failures case(s) failed"
	exit 1
fi
echo "all cases passed"
