# SPDX-License-Identifier: BSD-3-Clause
# The Debian package (issue 16): built from a copy of the tree with
# dpkg-buildpackage, lintian-clean (no E: or W:), with the files `meson
# install` lays down, the units in /lib/systemd/system and
# /etc/default/virtioforwarder as a conffile; installed, its units accepted
# by systemd-analyze and enabled the Debian way, the installed daemon started
# with its unit's ExecStart reading the installed configuration (edited for
# this machine), upgraded with the edit kept, removed (the conffile stays)
# and purged (nothing left).  The machine's own virtio-forwarder package, if
# any, is not touched: the test says SKIP.
. "$(dirname "$0")/lib.sh"

PKG=virtio-forwarder
CONF=/etc/default/virtioforwarder
UNITS=/lib/systemd/system
# This test's mark on an installation it made: its PID (a leftover of a
# killed run is purged by the next one).
MARK=/var/tmp/vio-test-package.owner

pkg_status() { dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null || true; }

st=$(pkg_status)
if [ -n "$st" ] && [ "$st" != not-installed ]; then
	if [ -f "$MARK" ] && ! kill -0 "$(cat "$MARK")" 2>/dev/null; then
		log "purging $PKG ($st), left by an earlier run of this test (pid $(cat "$MARK"))"
		dpkg -P "$PKG" >"$T/old-purge.log" 2>&1 || fail "could not purge the leftover: $(tail -3 "$T/old-purge.log")"
		rm -f "$MARK"
	else
		echo "SKIP: a $PKG package ($(dpkg-query -W -f='${Version}' "$PKG"), $st) is on this" \
			"machine and not this test's: not replaced or purged"
		exit 0
	fi
fi
# What the package's purge removes must not be there before (a `ninja
# install` with the prefix /usr, units enabled by hand).
units_left() {
	find /etc/systemd/system /var/lib/systemd/deb-systemd-helper-enabled \
		/var/lib/systemd/deb-systemd-helper-masked \
		\( -name 'virtio-forwarder*' -o -name 'vio4wd*' -o -name 'virtioforwarder*' \) 2>/dev/null || true
}
if [ -e "$CONF" ] || [ -n "$(units_left)" ]; then
	echo "SKIP: $CONF or units of ours under /etc/systemd/system exist (not from a package):" \
		"the test would install over them and purge them"
	exit 0
fi

# The tree as git sees it (tracked and untracked files, not ignored ones such
# as build directories), so that dpkg-buildpackage's ../ is $T.
src=$T/src
mkdir -p "$src"
(
	cd "$VIO_TOP"
	git ls-files -co --exclude-standard -z |
		while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done |
		xargs -0 cp -a --parents -t "$src"
) || fail "could not copy the tree"
start=$SECONDS
(cd "$src" && dpkg-buildpackage -b -us -uc -J) >"$T/build.log" 2>&1 ||
	fail "dpkg-buildpackage failed: $(grep -m 5 -E 'error|ERROR' "$T/build.log")"
log "dpkg-buildpackage: $((SECONDS - start)) s"
deb=$(ls "$T"/${PKG}_*.deb)
changes=$(ls "$T"/${PKG}_*.changes)
ver=$(dpkg-deb -f "$deb" Version)

start=$SECONDS
lintian -I --pedantic "$changes" >"$T/lintian.out" 2>&1 || true
log "lintian: $((SECONDS - start)) s, $(wc -l <"$T/lintian.out") lines"
cat "$T/lintian.out"
! grep -qE '^[EW]: ' "$T/lintian.out" || fail "lintian: $(grep -E '^[EW]: ' "$T/lintian.out" | head -5 | tr '\n' ';')"

# Contents: every file meson installs (man pages compressed), the tools'
# aliases, the units where debhelper and lintian expect them, the conffile.
# (files and links in $T/files; directories, shared with other packages, not)
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { p = $6; sub(/^\./, "", p); print p }' | sort >"$T/files"
meson introspect "$src/debian/build" --installed |
	python3 -c 'import json,sys; print("\n".join(json.load(sys.stdin).values()))' >"$T/meson-files"
[ -s "$T/meson-files" ] || fail "no meson install list"
while read -r f; do
	grep -qxF "$f" "$T/files" || grep -qxF "$f.gz" "$T/files" || fail "$f (meson install) is not in the package"
done <"$T/meson-files"
libdir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
for f in /usr/sbin/virtio-forwarder /usr/sbin/vio4wd_core_scheduler $CONF \
	$UNITS/virtio-forwarder.service $UNITS/vio4wd_core_scheduler.service \
	$libdir/virtio-forwarder/virtioforwarder_stats $libdir/virtio-forwarder/virtioforwarder_stats.py \
	/usr/share/doc/$PKG/copyright /usr/share/doc/$PKG/README.Debian; do
	grep -qxF "$f" "$T/files" || fail "$f is not in the package"
done
! grep -q '^/usr/lib/systemd/system/' "$T/files" || fail "units in /usr/lib/systemd/system (bookworm: /lib)"
[ "$(dpkg-deb -I "$deb" conffiles)" = "$CONF" ] || fail "conffiles: $(dpkg-deb -I "$deb" conffiles)"
dpkg-deb -f "$deb" Depends | grep -q 'librte-mempool-ring[0-9]' || fail "no DPDK mempool driver in Depends"
# NIC drivers recommended, as the guide's packages did (section 5.2)
dpkg-deb -f "$deb" Recommends | grep -q 'librte-net-iavf[0-9]' || fail "no VF drivers in Recommends"
# (librte-net-bond is linked, for bonded VFs: a dependency of the binary)
! dpkg-deb -f "$deb" Depends | tr ',' '\n' | grep 'librte-net-' | grep -qv 'librte-net-bond' ||
	fail "NIC drivers in Depends: $(dpkg-deb -f "$deb" Depends)"
# Enabled, not started at installation; restarted on upgrade only if running;
# stopped on removal.
dpkg-deb -I "$deb" postinst >"$T/postinst"
dpkg-deb -I "$deb" prerm >"$T/prerm"
grep -q 'deb-systemd-helper enable .virtio-forwarder.service' "$T/postinst" || fail "postinst does not enable the service"
! grep -qE 'deb-systemd-invoke (start|\$_dh_action)' "$T/postinst" || fail "postinst starts a service"
grep -q 'deb-systemd-invoke try-restart' "$T/postinst" || fail "postinst does not try-restart on upgrade"
! { dpkg-deb -I "$deb" preinst 2>/dev/null || true; } | grep -q 'deb-systemd-invoke stop' ||
	fail "preinst stops the services on upgrade"
grep -q 'deb-systemd-invoke stop .*virtio-forwarder.service' "$T/prerm" || fail "prerm does not stop the service"
! grep -q '#UNITS#' "$T/prerm" || fail "prerm: #UNITS# not substituted"
log "package $ver: $(wc -l <"$T/files") paths, conffile $CONF, units in $UNITS"

# Nothing of the package may be on disk before: dpkg would take such files
# over and the purge remove them.
while read -r f; do
	if [ -e "$f" ] || [ -L "$f" ]; then
		echo "SKIP: $f exists (not from a package): not installing over it"
		exit 0
	fi
done <"$T/files"

echo $$ >"$MARK"
AT_EXIT+=("[ \"\$(cat $MARK 2>/dev/null)\" != $$ ] || { dpkg -P $PKG >/dev/null 2>&1; rm -f $MARK; }")
dpkg -i "$deb" </dev/null >"$T/install.log" 2>&1 || fail "dpkg -i: $(tail -5 "$T/install.log")"
[ "$(pkg_status)" = installed ] || fail "after dpkg -i: status $(pkg_status)"
while read -r f; do
	[ -e "$f" ] || [ -L "$f" ] || fail "$f not installed"
done <"$T/files"
mapfile -t units < <(grep "^$UNITS/.*\.service$" "$T/files")
systemd-analyze verify "${units[@]}" >"$T/verify.out" 2>&1 ||
	fail "systemd-analyze verify: $(cat "$T/verify.out")"
[ -L /etc/systemd/system/multi-user.target.wants/virtio-forwarder.service ] ||
	fail "virtio-forwarder.service not enabled"
log "installed; units verified: ${units[*]##*/}"

# The installed daemon, started as its unit starts it, on this machine's
# CPUs, with sockets and control endpoints under $T (no static VFs).
prefix="vio-pkg-$TAG"
PREFIXES+=("$prefix")
sed -i -e "s#^VIRTIOFWD_CPU_MASK=.*#VIRTIOFWD_CPU_MASK=1#" \
	-e "s#^VIRTIOFWD_MASTER_LCORE=.*#VIRTIOFWD_MASTER_LCORE=0#" \
	-e "s#^VIRTIOFWD_HUGEPAGES=.*#VIRTIOFWD_HUGEPAGES=no#" \
	-e "s#^VIRTIOFWD_SOCKET_DIR=.*#VIRTIOFWD_SOCKET_DIR=$SOCKDIR#" \
	-e "s#^VIRTIOFWD_VHOST_CLIENT=.*#VIRTIOFWD_VHOST_CLIENT=false#" \
	-e "s#^VIRTIOFWD_ZMQ_\([A-Z_]*\)_EP=ipc:///var/run/virtio-forwarder/#VIRTIOFWD_ZMQ_\1_EP=ipc://$T/#" \
	-e "s#^VIRTIOFWD_PID_DIR=.*#VIRTIOFWD_PID_DIR=$T#" "$CONF"
printf '%s\n' "VIRTIOFWD_SOCKET_OWNER=" "VIRTIOFWD_SOCKET_GROUP=" "VIRTIOFWD_MEMORY_MB=256" \
	"VIRTIOFWD_FILE_PREFIX=$prefix" >>"$CONF"
cp -p "$CONF" "$T/conf.edited"
grep -q "^VIRTIOFWD_ZMQ_STATS_EP=ipc://$T/stats$" "$CONF" || fail "could not edit $CONF: $(cat "$CONF")"
exec_start=$(sed -n 's/^ExecStart=[-@:+!]*//p' $UNITS/virtio-forwarder.service)
read -r -a argv <<<"$exec_start"
[ "${argv[0]}" = /usr/sbin/virtio-forwarder ] || fail "ExecStart: $exec_start"
log "starting: ${argv[*]}"
"${argv[@]}" >"$T/daemon.log" 2>&1 &
PID[daemon]=$!
ok=0
for _ in $(seq 1 60); do
	kill -0 "${PID[daemon]}" 2>/dev/null || break
	if /usr/bin/virtioforwarder_stats --stats-ep="ipc://$T/stats" >"$T/stats.out" 2>&1; then ok=1; break; fi
	sleep 0.5
done
if [ $ok = 0 ]; then
	# it logs to syslog: run it once more on stderr to say why
	stop_name daemon
	timeout 10 /usr/sbin/virtio-forwarder --nodaemon >"$T/daemon-stderr.log" 2>&1 || true
	fail "the installed daemon did not serve its stats endpoint (ipc://$T/stats)"
fi
[ -S "$SOCKDIR/virtio-forwarder1.sock" ] || fail "no vhost-user sockets in $SOCKDIR: $(ls "$SOCKDIR")"
/usr/bin/virtioforwarder_config --config-ep="ipc://$T/config" >"$T/config.out" 2>&1 ||
	fail "virtioforwarder_config: $(cat "$T/config.out")"
log "installed daemon: stats served, $(ls "$SOCKDIR" | grep -c '\.sock$') sockets in $SOCKDIR"
stop_and_reap daemon
[ "$EXIT_CODE" = 0 ] || fail "the daemon exited $EXIT_CODE on SIGTERM"

# Upgrade to the same package under a higher version: the edited conffile
# stays as it is, the service stays enabled.
up=$T/up
dpkg-deb -R "$deb" "$up"
sed -i "s/^Version: .*/Version: $ver+upgrade1/" "$up/DEBIAN/control"
dpkg-deb --root-owner-group -b "$up" "$T/up.deb" >/dev/null
dpkg -i "$T/up.deb" </dev/null >"$T/upgrade.log" 2>&1 || fail "upgrade: $(tail -5 "$T/upgrade.log")"
[ "$(dpkg-query -W -f='${Version}' $PKG)" = "$ver+upgrade1" ] || fail "upgrade: version $(dpkg-query -W -f='${Version}' $PKG)"
cmp -s "$CONF" "$T/conf.edited" || fail "the upgrade changed $CONF: $(diff "$T/conf.edited" "$CONF" | head -5)"
! ls "$CONF".dpkg-* >/dev/null 2>&1 || fail "the upgrade left $(ls "$CONF".dpkg-*)"
[ -L /etc/systemd/system/multi-user.target.wants/virtio-forwarder.service ] ||
	fail "virtio-forwarder.service no longer enabled after the upgrade"
log "upgraded to $ver+upgrade1: $CONF kept"

dpkg -r $PKG >"$T/remove.log" 2>&1 || fail "dpkg -r: $(tail -5 "$T/remove.log")"
[ "$(pkg_status)" = config-files ] || fail "after dpkg -r: status $(pkg_status)"
cmp -s "$CONF" "$T/conf.edited" || fail "dpkg -r changed or removed $CONF"
[ ! -e /usr/sbin/virtio-forwarder ] || fail "dpkg -r left /usr/sbin/virtio-forwarder"
dpkg -P $PKG >"$T/purge.log" 2>&1 || fail "dpkg -P: $(tail -5 "$T/purge.log")"
rm -f "$MARK"
st=$(pkg_status)
[ -z "$st" ] || [ "$st" = not-installed ] || fail "after dpkg -P: status $st"
while read -r f; do
	[ ! -e "$f" ] && [ ! -L "$f" ] || fail "dpkg -P left $f"
done <"$T/files"
for d in /usr/lib/virtio-forwarder "$libdir/virtio-forwarder" /usr/share/doc/$PKG; do
	[ ! -e "$d" ] || fail "dpkg -P left $d"
done
left=$(units_left)
[ -z "$left" ] || fail "dpkg -P left $left"
log "removed (conffile kept), purged: nothing left"
