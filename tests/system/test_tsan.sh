# SPDX-License-Identifier: BSD-3-Clause
# ThreadSanitizer (issue 13): the daemon built with -fsanitize=thread (in
# build-tsan/) through two control churns: test_adv_churn's add/remove
# churn next to reconnecting listeners (${VIO_TSAN_SECS:-20} s: the callback
# threads, the reconnect thread, the control thread and the main thread's
# housekeeping at once) and test_control_churn's attach/detach cycles under
# traffic (${VIO_TSAN_CYCLES:-100}: workers, RCU hand-offs, VF events).
# Fails on any report not covered by tests/tsan.supp, whose entries are only
# what TSan cannot see through (uninstrumented DPDK and libzmq
# synchronisation, the descriptor scan of sockfile.c), each with its reason.
. "$(dirname "$0")/lib.sh"

TSAN_BUILD=${VIO_TSAN_BUILD:-$VIO_TOP/build-tsan}
if [ ! -f "$TSAN_BUILD/build.ninja" ]; then
	meson setup "$TSAN_BUILD" "$VIO_TOP" -Db_sanitize=thread -Db_lundef=false -Dwerror=true \
		>"$T/tsan-build.log" 2>&1 || fail "meson setup (TSan): $(tail -5 "$T/tsan-build.log")"
fi
ninja -C "$TSAN_BUILD" src/virtio-forwarder >"$T/tsan-build.log" 2>&1 ||
	fail "TSan build failed: $(tail -20 "$T/tsan-build.log")"
mkdir -p "$T/reports"
export TSAN_OPTIONS="suppressions=$VIO_TOP/tests/tsan.supp log_path=$T/reports/tsan history_size=4"
export VIO_TOOLS=$TOOLS VIO_TEST_TOOLS=$(dirname "$VIO_BIN")/../tests
export VIO_ADV_CHURN_SECS=${VIO_TSAN_SECS:-20} VIO_CHURN_CYCLES=${VIO_TSAN_CYCLES:-100}
export VIO_CHURN_RSS_KB=65536 # TSan's shadow memory grows with what it has seen
for t in test_adv_churn test_control_churn; do
	VIO_BIN=$TSAN_BUILD/src/virtio-forwarder bash "$VIO_TOP/tests/system/$t.sh" >"$T/$t.log" 2>&1 ||
		fail "$t under TSan: $(grep -m1 '^FAIL' "$T/$t.log")"
	log "$t under TSan: $(grep -m1 'PASS\|no growth' "$T/$t.log" | cut -c1-150)"
done
if ls "$T/reports"/tsan.* >/dev/null 2>&1; then
	for f in "$T/reports"/tsan.*; do
		grep -E 'WARNING: ThreadSanitizer|^    #[0-4] ' "$f" | head -40
	done
	fail "ThreadSanitizer reports: $(grep -h -c 'WARNING: ThreadSanitizer' "$T/reports"/tsan.* | paste -sd+ | bc) (above)"
fi
log "PASS: no ThreadSanitizer report"
