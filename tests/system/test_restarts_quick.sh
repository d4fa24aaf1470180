# SPDX-License-Identifier: BSD-3-Clause
# bench/restarts --quick: 3 daemon restarts under a running VM (client mode),
# 3 VM restarts under a client-mode daemon and 3 under a server-mode daemon;
# traffic must cross both ways again after each (within 20 s), and the
# summary must be produced.  No threshold on the times (shared machines).
set -u
out=$(mktemp /tmp/vio-restartsq.XXXXXX)
trap 'rm -f "$out"' EXIT
"$VIO_TOP/bench/restarts" --quick --out "$out"
rc=$?
if [ $rc != 0 ]; then
	echo "FAIL: bench/restarts --quick exited $rc (its FAILED lines above say which restart)"
	exit 1
fi
for sc in daemon vm-client vm-server; do
	grep -q "^restarts:   $sc: traffic again both ways .*: median [0-9]* ms" "$out" ||
		{ echo "FAIL: bench/restarts --quick: no figures for $sc in $out:"; cat "$out"; exit 1; }
done
n=$(grep -c ': 3 runs, 0 failures' "$out")
[ "$n" = 3 ] || { echo "FAIL: bench/restarts --quick: expected 3 scenarios of 3 runs without failure:"; cat "$out"; exit 1; }
echo "quick restarts: every restart brought traffic back both ways"
