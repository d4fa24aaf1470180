# SPDX-License-Identifier: BSD-3-Clause
# Dependencies (issue 12): every command the project's scripts run and every
# python module its python code imports comes from a package that
# scripts/install-deps.sh lists, or from one Debian always installs
# (Essential: yes, Priority: required).  tests/tools/deps_check.py does the
# check; its table (command -> package) is printed here.  Two negative
# controls show the check can fail: the same tree with iproute2 taken out of
# the list must fail naming `ip`, and one with a script that calls a command
# this machine lacks must fail naming it and its line.
. "$(dirname "$0")/lib.sh"

CHECK="python3 $VIO_TOP/tests/tools/deps_check.py"

rc=0
$CHECK --verbose >"$T/deps.out" 2>&1 || rc=$?
cat "$T/deps.out"
[ $rc = 0 ] || fail "dependencies not provided by scripts/install-deps.sh: $(grep -m 3 'deps_check: FAIL' "$T/deps.out" |
	sed 's/^deps_check: FAIL //' | tr '\n' ';')"
grep -q "^command  *dpdk-testpmd  *dpdk" "$T/deps.out" || fail "dpdk-testpmd was not checked"
grep -q "^command  *tcpdump  *tcpdump  *listed" "$T/deps.out" || fail "tcpdump was not checked"

# A copy of the tree (links) whose scripts/ and tests/system/ are our own.
root=$T/root
mkdir -p "$root/scripts" "$root/tests/system"
for e in "$VIO_TOP"/* "$VIO_TOP"/.ci; do
	case "${e##*/}" in scripts | tests | build*) ;; *) ln -s "$e" "$root/" ;; esac
done
for e in "$VIO_TOP"/tests/*; do
	[ "${e##*/}" = system ] || ln -s "$e" "$root/tests/"
done
for e in "$VIO_TOP"/tests/system/* "$VIO_TOP"/scripts/*; do
	ln -s "$e" "$root/${e#"$VIO_TOP"/}"
done

# Control 1: iproute2 unlisted.
rm "$root/scripts/install-deps.sh"
sed 's/\biproute2 //' "$VIO_TOP/scripts/install-deps.sh" >"$root/scripts/install-deps.sh"
! grep -qw iproute2 "$root/scripts/install-deps.sh" || fail "could not take iproute2 out of the list"
rc=0
$CHECK --root "$root" >"$T/control1.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "FAIL .*: command ip: package iproute2 is not in" "$T/control1.out" ||
	fail "with iproute2 unlisted the check did not fail on ip (exit $rc): $(tail -5 "$T/control1.out")"
log "control: iproute2 unlisted -> $(grep -c 'deps_check: FAIL' "$T/control1.out") failures, e.g." \
	"$(grep -m 1 'command ip:' "$T/control1.out")"

# Control 2: a command nobody installs, behind a prefix and in a substitution.
cp "$VIO_TOP/scripts/install-deps.sh" "$root/scripts/install-deps.sh"
printf '%s\n' '. "$(dirname "$0")/lib.sh"' 'x=$(ip netns exec "$ns" stdbuf -oL vio-no-such-tool --x)' \
	>"$root/tests/system/test_zz_control.sh"
rc=0
$CHECK --root "$root" >"$T/control2.out" 2>&1 || rc=$?
[ $rc = 1 ] && grep -q "FAIL tests/system/test_zz_control.sh:2: command vio-no-such-tool: not found" \
	"$T/control2.out" ||
	fail "a missing command was not reported (exit $rc): $(tail -5 "$T/control2.out")"
[ "$(grep -c 'deps_check: FAIL' "$T/control2.out")" = 1 ] ||
	fail "control 2 reported more than the missing command: $(grep 'deps_check: FAIL' "$T/control2.out")"
log "control: $(grep -m 1 'vio-no-such-tool' "$T/control2.out")"
log "dependencies complete: $(tail -1 "$T/deps.out")"
