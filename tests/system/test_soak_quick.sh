# SPDX-License-Identifier: BSD-3-Clause
# bench/soak --quick: 20,000 frames each way at once through one relay, every
# byte checked: none lost, corrupted, reordered or duplicated, the receivers
# kept up (no socket drops) and the relay counted 20,000 in and out each way
# with no drop.
set -u
out=$(mktemp /tmp/vio-soakq.XXXXXX)
trap 'rm -f "$out"' EXIT
"$VIO_TOP/bench/soak" --quick --out "$out"
rc=$?
if [ $rc != 0 ]; then
	echo "FAIL: bench/soak --quick exited $rc: $(grep -m 1 -E 'missing|did not keep up|^soak: FAIL' "$out" 2>/dev/null)"
	exit 1
fi
grep -q '^soak: PASS' "$out" || { echo "FAIL: bench/soak --quick: no PASS line:"; cat "$out"; exit 1; }
echo "quick soak: $(grep -c 'received 20000, corrupted 0, lost 0' "$out") directions intact"
