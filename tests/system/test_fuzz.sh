#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Coverage-guided fuzzing (tests/fuzz/, scripts/fuzz.sh): the seven libFuzzer
# harnesses (the four control services against the fake relay table, the
# configuration file, the command line, the value parsers) each run
# $VIO_FUZZ_SECS (15) seconds from their seed corpus, $VIO_FUZZ_JOBS (2) at a
# time, built with clang, AddressSanitizer and UBSan in $VIO_FUZZ_BUILD
# (build-fuzz/, configured on first use).  Fails on any crash, sanitizer
# report, harness check, leak, timeout or out-of-memory; the inputs that did
# it and the logs stay in the /tmp/vio-fuzz-test.* directory the FAIL line
# names.  Passes with a SKIP line when clang's libFuzzer is not installed.
# About 75 s on 2 cores, a first build of build-fuzz/ (about 10 s) included.
. "$(dirname "$0")/lib.sh"

SECS=${VIO_FUZZ_SECS:-15}
JOBS=${VIO_FUZZ_JOBS:-2}
BUILD=${VIO_FUZZ_BUILD:-$VIO_TOP/build-fuzz}

if ! command -v clang >/dev/null ||
	! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a >/dev/null 2>&1; then
	echo "SKIP: clang with libFuzzer is not installed (scripts/install-deps.sh: clang libclang-rt-14-dev)"
	exit 0
fi

work=$(mktemp -d /tmp/vio-fuzz-test.XXXXXX)
log "fuzzing every harness ${SECS} s, ${JOBS} at a time (build: $BUILD, work: $work)"
rc=0
"$VIO_TOP/scripts/fuzz.sh" --seconds "$SECS" --jobs "$JOBS" --build-dir "$BUILD" \
	--work "$work" >"$T/fuzz.out" 2>&1 || rc=$?
cat "$T/fuzz.out"
case "$rc" in
0)
	rm -rf "$work"
	log "no crash"
	;;
1)
	fail "harness(es) crashed:" \
		"$(awk '/^[a-z_]+ .* CRASH/ { printf "%s%s", sep, $1; sep = ", " }' "$T/fuzz.out");" \
		"inputs and logs in $work"
	;;
*)
	rm -rf "$work"
	fail "scripts/fuzz.sh could not build or run the harnesses (exit $rc)"
	;;
esac
