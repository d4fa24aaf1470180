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
echo "quick benchmark: all figures produced"
