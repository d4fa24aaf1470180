# SPDX-License-Identifier: BSD-3-Clause
# What `ninja install` lays down (guide sections 6, 7, 9): the daemon, the
# balancer and the tools in their directories, the tools again under the
# original's names (and .py aliases) in <libdir>/virtio-forwarder/, the
# configuration file, and two systemd units that systemd accepts.
. "$(dirname "$0")/lib.sh"

build=$(cd "$(dirname "$VIO_BIN")/.." && pwd)
root=$T/root
meson install -C "$build" --no-rebuild --destdir "$root" >"$T/install.log" 2>&1 ||
	fail "meson install failed: $(tail -5 "$T/install.log")"
prefix=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="prefix"][0])')
libdir=$(meson introspect "$build" --buildoptions |
	python3 -c 'import json,sys; print([o["value"] for o in json.load(sys.stdin) if o["name"]=="libdir"][0])')
P=$root$prefix
for f in sbin/virtio-forwarder sbin/vio4wd_core_scheduler; do
	[ -x "$P/$f" ] || fail "$f not installed"
done
for t in port_control stats core_pinner monitor_load config; do
	[ -x "$P/bin/virtioforwarder_$t" ] || fail "bin/virtioforwarder_$t not installed"
	for n in "virtioforwarder_$t" "virtioforwarder_$t.py"; do
		l=$P/$libdir/virtio-forwarder/$n
		[ -L "$l" ] && [ -x "$l" ] || fail "$libdir/virtio-forwarder/$n missing or dangling"
	done
done
[ -x "$P/bin/virtioforwarder_exporter" ] || fail "bin/virtioforwarder_exporter not installed"
"$P/$libdir/virtio-forwarder/virtioforwarder_stats.py" --help | grep -q "usage" ||
	fail "the .py alias does not run the tool"
# The configuration file goes where the installed daemon and balancer read
# it (<sysconfdir>/default: /etc/default for the prefix /usr), and an
# existing one, an operator's edit, is never overwritten.
conf=$("$P/sbin/virtio-forwarder" --help | sed -n 's/.*configuration file (\(.*\) by default).*/\1/p')
[ -n "$conf" ] || fail "the daemon's --help does not name its configuration file"
[ -f "$root$conf" ] || fail "the daemon reads $conf, but install put nothing there"
cmp -s "$root$conf" "$VIO_TOP/conf/virtioforwarder" || fail "$conf is not the shipped file"
"$P/sbin/vio4wd_core_scheduler" --help | grep -q "default $conf" ||
	fail "the balancer does not read $conf: $("$P/sbin/vio4wd_core_scheduler" --help | grep -- --config)"
echo "VIRTIOFWD_LOG_LEVEL=7 # edited" >>"$root$conf"
edited=$(md5sum <"$root$conf")
meson install -C "$build" --no-rebuild --destdir "$root" >"$T/install2.log" 2>&1 ||
	fail "second meson install failed: $(tail -5 "$T/install2.log")"
[ "$(md5sum <"$root$conf")" = "$edited" ] || fail "a second install overwrote the edited $conf"
log "configuration: $conf (read by daemon and balancer), kept on reinstall"
units=$P/lib/systemd/system
for u in virtio-forwarder vio4wd_core_scheduler virtioforwarder-exporter; do
	[ -f "$units/$u.service" ] || fail "$u.service not installed"
	grep -q "^ExecStart=$prefix/s\?bin/" "$units/$u.service" || fail "$u.service: ExecStart $(grep ExecStart "$units/$u.service")"
	# systemd checks that ExecStart exists: point it into the staging root
	sed "s#^ExecStart=$prefix#ExecStart=$P#" "$units/$u.service" >"$T/$u.service"
done
u=$units/virtio-forwarder.service
for want in '^Type=notify$' '^RuntimeDirectory=virtio-forwarder$' '^RuntimeDirectoryPreserve=yes$'; do
	grep -q "$want" "$u" || fail "virtio-forwarder.service lacks $want"
done
nofile=$(sed -n 's/^LimitNOFILE=//p' "$u")
[ "${nofile:-0}" -ge $((64 * 32 * 2 * 2 + 1024)) ] || fail "LimitNOFILE=$nofile: 64 relays x 32 queue pairs need more"
for want in '^After=virtio-forwarder.service$' '^PartOf=virtio-forwarder.service$'; do
	grep -q "$want" "$units/vio4wd_core_scheduler.service" || fail "vio4wd_core_scheduler.service lacks $want"
done
if command -v systemd-analyze >/dev/null; then
	# --man=no: the pages are installed under the staging root, where man
	# cannot find them (test_manpages checks them).
	systemd-analyze verify --man=no "$T/virtio-forwarder.service" "$T/vio4wd_core_scheduler.service" \
		"$T/virtioforwarder-exporter.service" >"$T/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.out")"
	log "systemd-analyze verify: the three units accepted"
else
	log "systemd-analyze not installed: units checked for ExecStart only"
fi
# Manual pages (docs/man; their content: test_manpages): each
# docs/man/<name>.<section>.scd as <prefix>/share/man/man<section>/<name>.<section>,
# uncompressed (the Debian packaging compresses them).
n=0
for s in "$VIO_TOP"/docs/man/*.scd; do
	p=$(basename "$s" .scd)
	f=$P/share/man/man${p##*.}/$p
	[ -s "$f" ] || fail "manual page $p not installed as ${f#"$root"}"
	grep -q '^\.TH ' "$f" || fail "${f#"$root"} is not a roff page"
	n=$((n + 1))
done
for d in man1 man5 man8; do
	ls "$P/share/man/$d/"* >/dev/null 2>&1 || fail "no manual page in $prefix/share/man/$d"
done
log "manual pages: $n in $prefix/share/man/man{1,5,8}"
log "install layout: ok"
