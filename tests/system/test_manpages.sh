# SPDX-License-Identifier: BSD-3-Clause
# Manual pages (issue 16): docs/man/<name>.<section>.scd, made into roff by
# docs/man/meson.build (scdoc) in <build>/docs/man/.  Checks:
# - every .scd is built (so listed in docs/man/meson.build);
# - for each program page (sections 1 and 8), everything `PROGRAM --help`
#   prints is in the rendered page: each option (a short option as the pair
#   "-X, --long" the help shows), operation, the variable an option sets,
#   and each exit status as an entry of EXIT STATUS (tests/tools/man_check.py,
#   which says how the three help layouts are parsed); and NAME names it;
# - every configuration variable (the daemon's table in src/config.c, the
#   shipped conf/virtioforwarder, the balancer's tools/core_scheduler.c and
#   tools/sched_settings.c) is
#   in virtioforwarder.5;
# - each page renders without a warning (man --warnings as lintian runs it,
#   groff -ww).
# Pages are rendered with man -l (man-db), else groff, else read as roff
# with the escapes undone.  Negative controls: pages made from a copy of a
# source with one option, one short option, one exit status or one variable
# taken out must fail naming exactly that, and a page with a roff error must
# draw a warning.
. "$(dirname "$0")/lib.sh"

CHECK="python3 $VIO_TOP/tests/tools/man_check.py"
build=$(cd "$(dirname "$VIO_BIN")/.." && pwd)
mandir=$build/docs/man
src=$VIO_TOP/docs/man
command -v scdoc >/dev/null ||
	fail "scdoc is not installed (scripts/install-deps.sh lists it): the pages are not built"

render() { # ROFF TEXT: the page as text
	if command -v man >/dev/null; then
		LC_ALL=C.UTF-8 MANWIDTH=80 man -E UTF-8 -l "$1" >"$2"
	elif command -v groff >/dev/null; then
		LC_ALL=C.UTF-8 groff -man -Tutf8 "$1" >"$2"
	else
		$CHECK text "$1" >"$2"
	fi
}
warnings() { # ROFF: what the formatters say about it (nothing when clean)
	if command -v man >/dev/null; then
		LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$1" 2>&1 >/dev/null
	fi
	if command -v groff >/dev/null; then
		LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$1" 2>&1
	fi
}
if command -v man >/dev/null; then
	log "rendering with man-db's man -l; warnings from man --warnings and groff -ww"
elif command -v groff >/dev/null; then
	echo "SKIP: man-db not installed: rendering with groff only"
else
	echo "SKIP: neither man-db nor groff installed: roff source read as text, no warning check"
fi

# The pages of the issue, and any other .scd (each must be built).
for p in virtio-forwarder.8 vio4wd_core_scheduler.8 virtioforwarder.5 virtioforwarder_port_control.1 \
	virtioforwarder_stats.1 virtioforwarder_core_pinner.1 virtioforwarder_monitor_load.1 \
	virtioforwarder_config.1; do
	[ -f "$src/$p.scd" ] || fail "docs/man/$p.scd is missing"
done
pages=()
for s in "$src"/*.scd; do
	p=$(basename "$s" .scd)
	pages+=("$p")
	[ -s "$mandir/$p" ] || fail "$p: not built in $mandir (docs/man/$p.scd not listed in docs/man/meson.build?)"
	head -20 "$mandir/$p" | grep -q '^\.TH ' || fail "$p: no .TH line: not a roff page"
done
log "${#pages[@]} pages built: ${pages[*]}"

# Each page renders without warnings.
for p in "${pages[@]}"; do
	w=$(warnings "$mandir/$p")
	[ -z "$w" ] || fail "$p: rendering warnings: $w"
done

# Program pages against --help.
checked=0
for p in "${pages[@]}"; do
	case $p in *.1 | *.8) ;; *) continue ;; esac
	prog=${p%.*}
	bin=
	for d in src tools; do
		[ -x "$build/$d/$prog" ] && bin=$build/$d/$prog && break
	done
	[ -n "$bin" ] || fail "$p: no program $prog in $build/src or $build/tools"
	"$bin" --help >"$T/$prog.help" 2>&1 || fail "$prog --help failed: $(cat "$T/$prog.help")"
	$CHECK items "$T/$prog.help" >"$T/$prog.items"
	[ -s "$T/$prog.items" ] || fail "$prog --help: nothing extracted from: $(cat "$T/$prog.help")"
	render "$mandir/$p" "$T/$p.txt"
	rc=0
	$CHECK check "$T/$prog.help" "$T/$p.txt" "$prog" >"$T/$p.check" || rc=$?
	[ $rc = 0 ] || fail "$p does not document what $prog --help prints: $(tr '\n' ';' <"$T/$p.check")"
	log "$(cat "$T/$p.check")"
	# the same from the roff source (the fallback without a renderer:
	# \fB, \- and the like undone)
	$CHECK text "$mandir/$p" >"$T/$p.roff.txt"
	$CHECK check "$T/$prog.help" "$T/$p.roff.txt" "$prog" >"$T/$p.roff.check" ||
		fail "$p read as roff source: $(tr '\n' ';' <"$T/$p.roff.check")"
	checked=$((checked + 1))
done
[ $checked -ge 7 ] || fail "only $checked program pages checked"

# The extraction copes with each layout (a failure here is the parser's).
expect_item() { # PROG KIND ITEM
	grep -qxF "$2	$3" "$T/$1.items" ||
		fail "$1 --help: '$2 $3' not extracted; got: $(tr '\t\n' ' ;' <"$T/$1.items")"
}
expect_item virtio-forwarder pair "-n, --nodaemon"                       # -X, --long[=VALUE]
expect_item virtio-forwarder option --zmq-port-control-drivers            # one space before the text
expect_item virtio-forwarder option --hugepages                           # long only, aligned
expect_item virtio-forwarder variable VIRTIOFWD_CPU_MASK                  # [VARIABLE] at the end
expect_item virtioforwarder_config option --config-ep                     # only in the usage line
expect_item virtioforwarder_port_control operation query_pci              # {operations}
expect_item virtioforwarder_stats pair "-z, --suppress-zero"
expect_item vio4wd_core_scheduler exit 3                                  # "exit: 0 ok, 1 ..."
n=$(grep -c -E '^(pair|option)' "$T/virtio-forwarder.items")
n_help=$(grep -c '^ *-' "$T/virtio-forwarder.help")
[ "$n" = "$n_help" ] || fail "virtio-forwarder --help: $n options extracted from $n_help option lines"

# Every configuration variable in virtioforwarder.5.
render "$mandir/virtioforwarder.5" "$T/virtioforwarder.5.txt"
varsrc=("$VIO_TOP/src/config.c" "$VIO_TOP/conf/virtioforwarder" "$VIO_TOP/tools/core_scheduler.c"
	"$VIO_TOP/tools/sched_settings.c")
rc=0
$CHECK vars "$T/virtioforwarder.5.txt" "${varsrc[@]}" >"$T/vars.check" || rc=$?
[ $rc = 0 ] || fail "virtioforwarder.5 lacks variables: $(tr '\n' ';' <"$T/vars.check")"
grep -q "all [3-9][0-9] variables documented: VIRTIOFWD_CPU_MASK .*VIRTIOFWD_BIND_VFIO_PCI" "$T/vars.check" ||
	fail "the variable table was not read: $(cat "$T/vars.check")"
log "virtioforwarder.5: $(cut -d: -f2 "$T/vars.check" | cut -c1-60)..."

# Negative controls: a page from a modified source must fail, naming
# exactly what was taken out.
control() { # NAME SCD_SOURCE SED_SCRIPT PROGRAM|vars EXPECTED_LINE
	local name=$1 scd=$2 script=$3 what=$4 expected=$5 rc=0 sect
	sect=${scd%.scd}
	sect=${sect##*.}
	sed "$script" "$src/$scd" >"$T/$name.scd"
	! cmp -s "$src/$scd" "$T/$name.scd" || fail "control $name: sed '$script' changed nothing in $scd"
	"$src/scdoc-roff.sh" scdoc "$T/$name.scd" "$T/$name.$sect" || fail "control $name: scdoc failed"
	render "$T/$name.$sect" "$T/$name.txt"
	if [ "$what" = vars ]; then
		$CHECK vars "$T/$name.txt" "${varsrc[@]}" >"$T/$name.out" || rc=$?
	else
		$CHECK check "$T/$what.help" "$T/$name.txt" "$what" >"$T/$name.out" || rc=$?
	fi
	[ $rc = 1 ] || fail "control $name: the check did not fail (exit $rc): $(cat "$T/$name.out")"
	[ "$(grep -c MISSING "$T/$name.out")" = 1 ] && grep -qxF "man_check: MISSING $expected" "$T/$name.out" ||
		fail "control $name: expected only 'MISSING $expected', got: $(tr '\n' ';' <"$T/$name.out")"
	log "control $name: $(cat "$T/$name.out")"
}
control no-tso virtio-forwarder.8.scd '/--enable-tso/d' virtio-forwarder "pair -T, --enable-tso"
control no-hugepages virtio-forwarder.8.scd '/--hugepages/d' virtio-forwarder "option --hugepages"
control no-short-J virtio-forwarder.8.scd 's/^\*-J\*, \*--jumbo\*$/*--jumbo*/' virtio-forwarder "pair -J, --jumbo"
control no-exit-3 virtioforwarder_stats.1.scd '/^\*3\*$/d' virtioforwarder_stats "exit status 3"
control no-zmq-group virtioforwarder.5.scd '/VIRTIOFWD_ZMQ_GROUP/d' vars "variable VIRTIOFWD_ZMQ_GROUP"

# A roff error must show in the warning check.
if command -v man >/dev/null || command -v groff >/dev/null; then
	cp "$mandir/virtioforwarder_config.1" "$T/bad.1"
	printf '.XY undefined macro\n' >>"$T/bad.1"
	w=$(warnings "$T/bad.1")
	[ -n "$w" ] || fail "control bad-roff: an undefined macro drew no warning"
	log "control bad-roff: $(printf '%s' "$w" | head -1)"
fi
log "manual pages: ok"
