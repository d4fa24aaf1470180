# SPDX-License-Identifier: BSD-3-Clause
# The benchmark's quick mode: every case runs for a few seconds and every
# figure must be produced (no threshold on speed: these machines are shared).
set -eu
out=$(mktemp -d /tmp/vio-benchq.XXXXXX)
trap 'rm -rf "$out"' EXIT
BENCH_OUT=$out "$VIO_TOP/bench/run" --quick
for f in performance.md perf/throughput.png perf/cycles.png perf/relays.png perf-results.tsv; do
	[ -s "$out/$f" ] || { echo "FAIL: $f not produced"; exit 1; }
done
# every run of every forwarder has its cost (a number, not "NA")
awk -F'\t' '$1 == "tput" && $6 == "NA" {print; bad = 1} END {exit bad}' \
	"$out/perf-results.tsv" || { echo "FAIL: runs without cycles per packet"; exit 1; }
# The command lines are shown readable: placeholders for what only this run
# has (its directories, this checkout's path), code lines of at most 100
# characters, a table row per case.  Control: the same check must fail on a
# copy with one long command line of this run in it.
cmds_ok() { # REPORT
	local sect
	sect=$(sed -n '/^## Command lines/,$p' "$1")
	[ -n "$sect" ] || { echo "no Command lines section"; return 1; }
	if grep -nE "/tmp/|$VIO_TOP" <<<"$sect"; then echo "a path of this machine"; return 1; fi
	awk '/^```/ {code = !code; next} code && length($0) > 100 {print "long line: " $0; bad = 1}
		END {exit bad}' <<<"$sect" || return 1
	grep -q '^| VM->VF, 64 B | 1 |' <<<"$sect" || { echo "no row for VM->VF, 64 B"; return 1; }
}
cmds_ok "$out/performance.md" || { echo "FAIL: the command lines are not readable"; exit 1; }
sed "/^<testpmd>/a $(printf 'dpdk-testpmd --vdev net_virtio_user0,path=%s/sock/x.sock%0120d' "$out" 0)" \
	"$out/performance.md" >"$out/control.md"
! cmds_ok "$out/control.md" >/dev/null || { echo "FAIL: the control passed"; exit 1; }
echo "quick benchmark: all figures produced, command lines readable"
