# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Helpers for bench/vhost_cycles.c (an LD_PRELOAD shim for dpdk-testpmd that
# accounts its forwarding lcore's cycles like our worker does).  Source it:
#
#   . bench/vhost_cycles.sh
#   shim_build "$T"                                  # -> $T/vhost_cycles.so
#   LD_PRELOAD=$T/vhost_cycles.so VIO_SHIM_OUT=$T/shim.txt \
#       stdbuf -oL -eL dpdk-testpmd ... </dev/null &
#   pid=$!                 # the pid that receives SIGUSR2: testpmd's own
#   a=$(shim_read $pid $T/shim.txt); sleep 5; b=$(shim_read $pid $T/shim.txt)
#   shim_delta "$a" "$b"   # cycles_per_pkt=.. busy_share=.. mpps=.. ...
#
# The file holds one line of cumulative totals:
#   busy_cycles=N idle_cycles=N pkts=N busy_calls=N tsc_hz=N
# stdbuf (and timeout) exec the program, so $! is testpmd's pid in the end;
# wrappers that stay as parent processes must not be signalled: SIGUSR2
# kills a process that has not loaded the shim.

_shim_src=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/vhost_cycles.c

# shim_build OUTDIR: compiles OUTDIR/vhost_cycles.so
shim_build() {
	local out=${1:?shim_build OUTDIR}
	mkdir -p "$out"
	# shellcheck disable=SC2046 # pkg-config prints several words
	cc -O2 -Wall -Wextra -shared -fPIC -o "$out/vhost_cycles.so" "$_shim_src" \
		$(pkg-config --cflags libdpdk) -ldl
}

_shim_state() { # FILE: identity of the current version of FILE (or nothing)
	stat -c '%i %.9Y %s' "$1" 2>/dev/null && cat "$1" 2>/dev/null
}

# shim_read PID FILE: asks PID for fresh totals (SIGUSR2), waits until FILE
# is replaced (up to 2 s) and prints its line.  Fails if PID is gone or
# nothing was written in time.
shim_read() {
	local pid=${1:?shim_read PID FILE} f=${2:?shim_read PID FILE} before _
	before=$(_shim_state "$f")
	kill -USR2 "$pid" || return 1
	for _ in $(seq 100); do
		if [ -s "$f" ] && [ "$(_shim_state "$f")" != "$before" ]; then
			head -n1 "$f"
			return 0
		fi
		sleep 0.02
	done
	echo "shim_read: $f not updated by pid $pid within 2 s" >&2
	return 1
}

# shim_delta LINE_BEFORE LINE_AFTER: the figures between two reads.
#   cycles_per_pkt  busy cycles / packets
#   busy_share      busy / (busy + idle) cycles
#   mpps            packets / elapsed (elapsed = (busy + idle) / tsc_hz)
shim_delta() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		n = split(a, x, /[ =]/); for (i = 1; i < n; i += 2) A[x[i]] = x[i + 1]
		n = split(b, x, /[ =]/); for (i = 1; i < n; i += 2) B[x[i]] = x[i + 1]
		bc = B["busy_cycles"] - A["busy_cycles"]; ic = B["idle_cycles"] - A["idle_cycles"]
		p = B["pkts"] - A["pkts"]; c = B["busy_calls"] - A["busy_calls"]; hz = B["tsc_hz"]
		printf "cycles_per_pkt=%.1f busy_share=%.3f mpps=%.3f pkts=%.0f busy_calls=%.0f pkts_per_call=%.1f secs=%.2f\n",
			p ? bc / p : 0, bc + ic ? bc / (bc + ic) : 0,
			hz && bc + ic ? p / ((bc + ic) / hz) / 1e6 : 0, p, c, c ? p / c : 0,
			hz ? (bc + ic) / hz : 0
	}'
}
