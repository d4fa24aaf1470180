#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Coverage-guided fuzzing with libFuzzer (tests/fuzz/, docs/testing.md "Fuzzing").
#
#   scripts/fuzz.sh [--seconds N | --runs N] [--only NAME[,NAME...]] [--jobs N]
#                   [--grow-corpus] [--work DIR] [--build-dir DIR] [-- LIBFUZZER-FLAGS...]
#
# Configures (once) and builds build-fuzz/ with clang, AddressSanitizer, UBSan
# and coverage instrumentation, then runs each harness for N seconds (default
# 30) or N inputs, from a scratch copy of its seed corpus
# (tests/fuzz/corpus/NAME) with its dictionary (tests/fuzz/dict/NAME.dict).
# Prints per harness: executions, exec/s, seconds, final cov/ft, corpus size,
# and any crash with the path of the input that caused it.  Exits 1 when a
# harness crashed (or timed out, ran out of memory, leaked), 2 on a usage or
# build error.
#
#   --seconds N     fuzz each harness N seconds (-max_total_time)
#   --runs N        fuzz each harness for N inputs (-runs); with --seconds, whichever ends first
#   --only LIST     only these harnesses (comma-separated names, see below)
#   --jobs N        run N harnesses at a time (default 1; the machine's cores are the limit)
#   --grow-corpus   afterwards, merge the inputs that added coverage into
#                   tests/fuzz/corpus/NAME (libFuzzer -merge=1); never done otherwise
#   --work DIR      scratch directory (default: a new /tmp/vio-fuzz.XXXXXX, removed
#                   when nothing crashed; kept, with the crash inputs, otherwise)
#   --build-dir DIR build directory (default build-fuzz)
#   --list          print the harness names and exit
#   -- FLAGS        extra libFuzzer flags for every harness (-max_len=..., -only_ascii=1...)
#
# Harnesses: ctl_port ctl_stats ctl_core_sched ctl_config conffile cmdline parse
# Reproduce a crash:  build-fuzz/tests/fuzz/fuzz_NAME CRASH-FILE
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
all=(ctl_port ctl_stats ctl_core_sched ctl_config conffile cmdline parse)

seconds=
runs=
only=
jobs=1
grow=0
work=
build=$top/build-fuzz
extra=()

usage() { sed -n '2,/^set -u/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2; }
need() { [ $# -ge 2 ] && [ -n "$2" ] || { echo "fuzz.sh: $1 needs a value" >&2; exit 2; }; }
while [ $# -gt 0 ]; do
	case "$1" in
	--seconds) need "$@"; seconds=$2; shift 2 ;;
	--seconds=*) seconds=${1#*=}; shift ;;
	--runs) need "$@"; runs=$2; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--only) need "$@"; only=$2; shift 2 ;;
	--only=*) only=${1#*=}; shift ;;
	--jobs) need "$@"; jobs=$2; shift 2 ;;
	--jobs=*) jobs=${1#*=}; shift ;;
	--grow-corpus) grow=1; shift ;;
	--work) need "$@"; work=$2; shift 2 ;;
	--work=*) work=${1#*=}; shift ;;
	--build-dir) need "$@"; build=$2; shift 2 ;;
	--build-dir=*) build=${1#*=}; shift ;;
	--list) printf '%s\n' "${all[@]}"; exit 0 ;;
	--) shift; extra=("$@"); break ;;
	-h|--help) usage ;;
	*) echo "fuzz.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
for v in "$seconds" "$runs" "$jobs"; do
	case "$v" in ''|*[!0-9]*) [ -z "$v" ] || { echo "fuzz.sh: not a number: $v" >&2; exit 2; } ;; esac
done
[ -n "$runs" ] || [ -n "$seconds" ] || seconds=30
[ "$jobs" -ge 1 ] 2>/dev/null || jobs=1

harnesses=()
if [ -n "$only" ]; then
	IFS=, read -r -a want <<<"$only"
	for w in "${want[@]}"; do
		w=${w#fuzz_}
		case " ${all[*]} " in
		*" $w "*) harnesses+=("$w") ;;
		*) echo "fuzz.sh: no harness $w (have: ${all[*]})" >&2; exit 2 ;;
		esac
	done
else
	harnesses=("${all[@]}")
fi

# ---- build ----------------------------------------------------------------------------
if ! command -v clang >/dev/null; then
	echo "fuzz.sh: clang not found (scripts/install-deps.sh installs clang and libclang-rt-14-dev)" >&2
	exit 2
fi
if [ ! -f "$build/build.ninja" ]; then
	echo "fuzz.sh: configuring $build"
	if ! CC=clang meson setup "$build" "$top" -Dfuzz=true -Db_sanitize=address,undefined \
		-Db_lundef=false >"${TMPDIR:-/tmp}/vio-fuzz-setup.$$.log" 2>&1; then
		tail -20 "${TMPDIR:-/tmp}/vio-fuzz-setup.$$.log"
		rm -f "${TMPDIR:-/tmp}/vio-fuzz-setup.$$.log"
		echo "fuzz.sh: meson setup failed" >&2
		exit 2
	fi
	rm -f "${TMPDIR:-/tmp}/vio-fuzz-setup.$$.log"
fi
targets=()
for h in "${harnesses[@]}"; do targets+=("tests/fuzz/fuzz_$h"); done
if ! ninja -C "$build" -t targets all 2>/dev/null | grep -q '^tests/fuzz/fuzz_parse:'; then
	echo "fuzz.sh: $build was not configured with -Dfuzz=true; remove it or run" >&2
	echo "  meson configure $build -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false" >&2
	exit 2
fi
if ! out=$(ninja -C "$build" "${targets[@]}" 2>&1); then
	printf '%s\n' "$out" | grep -v '^\[' | tail -30
	echo "fuzz.sh: build failed" >&2
	exit 2
fi

# ---- run ------------------------------------------------------------------------------
if [ -n "$work" ]; then
	mkdir -p "$work" || exit 2
	work=$(cd "$work" && pwd)
	own_work=0
else
	work=$(mktemp -d /tmp/vio-fuzz.XXXXXX)
	own_work=1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:symbolize=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# run_one NAME: fuzz one harness into $work/NAME/ (log, corpus/, artifacts/, seconds).
run_one() {
	local h=$1 dir=$work/$1 flags t0 t1 rc=0
	rm -rf "$dir"
	mkdir -p "$dir/corpus" "$dir/artifacts"
	cp -r "$top/tests/fuzz/corpus/$h/." "$dir/corpus/" 2>/dev/null || true
	flags=(-print_final_stats=1 -timeout=30 -rss_limit_mb=2560 -artifact_prefix="$dir/artifacts/")
	[ -z "$seconds" ] || flags+=(-max_total_time="$seconds")
	[ -z "$runs" ] || flags+=(-runs="$runs")
	[ ! -f "$top/tests/fuzz/dict/$h.dict" ] || flags+=(-dict="$top/tests/fuzz/dict/$h.dict")
	t0=$(date +%s.%N)
	"$build/tests/fuzz/fuzz_$h" "${flags[@]}" "${extra[@]}" "$dir/corpus" \
		>"$dir/log" 2>&1 </dev/null || rc=$?
	t1=$(date +%s.%N)
	echo "$rc" >"$dir/rc"
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f\n", b - a }' >"$dir/seconds"
}

echo "fuzz.sh: ${#harnesses[@]} harness(es), ${seconds:+$seconds s}${seconds:+${runs:+ or }}${runs:+$runs runs} each, $jobs at a time, in $work"
running=0
for h in "${harnesses[@]}"; do
	run_one "$h" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

# ---- report ---------------------------------------------------------------------------
crashed=0
printf '%-15s %12s %9s %8s %6s %7s %7s  %s\n' harness execs exec/s seconds cov ft corpus result
for h in "${harnesses[@]}"; do
	dir=$work/$h
	log=$dir/log
	rc=$(cat "$dir/rc")
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
	# the last status line ("#N DONE cov: C ft: F corp: U/Sb ..." or the last pulse/NEW)
	status=$(grep -a -E '^#[0-9]+' "$log" | grep ' cov: ' | tail -1)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$status")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$status")
	corp=$(sed -n 's/.* corp: \([0-9]*\)\/.*/\1/p' <<<"$status")
	if [ -z "$execs" ]; then
		execs=$(sed -n 's/^#\([0-9]*\).*/\1/p' <<<"$status")
	fi
	# crash-, timeout-, oom-, leak- inputs (not slow-unit-, which is only a note)
	artifacts=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | grep -v '/slow-unit-' || true)
	if [ "$rc" = 0 ] && [ -z "$artifacts" ]; then
		result=ok
	else
		crashed=$((crashed + 1))
		kind=$(grep -a -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|libFuzzer): [a-z-]+( [a-z-]+)?|runtime error: .*|check failed: .*' "$log" | cut -c1-100)
		result="CRASH (exit $rc${kind:+: $kind})"
	fi
	printf '%-15s %12s %9s %8s %6s %7s %7s  %s\n' "$h" "${execs:-?}" "${rate:-?}" \
		"$(cat "$dir/seconds")" "${cov:-?}" "${ft:-?}" "${corp:-?}" "$result"
	if [ "$result" != ok ]; then
		for a in $artifacts; do echo "    input: $a"; done
		grep -a -m1 -E '^SUMMARY:' "$log" | sed 's/^/    /'
		grep -a -m1 -E 'check failed: ' "$log" | cut -c1-300 | sed 's/^/    /'
		# the top frames of the first stack after the report, libFuzzer's and libc's left out
		awk '/ERROR: |runtime error: / { on = 1 } on && /^ +#[0-9]+ 0x/ { print; n++; next }
			on && n > 0 { exit }' "$log" | grep -a ' in ' |
			grep -v -E ' in (fuzzer::|__sanitizer|__interceptor|abort|raise|__pthread_kill|__libc_start|_start|main )' |
			head -5 | sed 's/^ */    /'
		echo "    log: $log"
		echo "    reproduce: $build/tests/fuzz/fuzz_$h ${artifacts%% *}"
	fi
done

if [ "$grow" = 1 ]; then
	for h in "${harnesses[@]}"; do
		before=$(find "$top/tests/fuzz/corpus/$h" -type f | wc -l)
		"$build/tests/fuzz/fuzz_$h" -merge=1 "$top/tests/fuzz/corpus/$h" "$work/$h/corpus" \
			>"$work/$h/merge.log" 2>&1 </dev/null ||
			echo "fuzz.sh: merge into tests/fuzz/corpus/$h failed: $work/$h/merge.log"
		after=$(find "$top/tests/fuzz/corpus/$h" -type f | wc -l)
		echo "fuzz.sh: tests/fuzz/corpus/$h: $before -> $after inputs"
	done
fi

if [ "$crashed" -ne 0 ]; then
	echo "fuzz.sh: $crashed harness(es) crashed; inputs and logs kept in $work"
	exit 1
fi
[ "$own_work" = 0 ] || rm -rf "$work"
echo "fuzz.sh: no crash"
exit 0
