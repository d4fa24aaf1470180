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
"$P/$libdir/virtio-forwarder/virtioforwarder_stats.py" --help | grep -q "usage" ||
	fail "the .py alias does not run the tool"
[ -f "$P/etc/default/virtioforwarder" ] || [ -f "$root/etc/default/virtioforwarder" ] ||
	fail "the configuration file is not installed"
units=$P/lib/systemd/system
for u in virtio-forwarder vio4wd_core_scheduler; do
	[ -f "$units/$u.service" ] || fail "$u.service not installed"
	grep -q "^ExecStart=$prefix/sbin/" "$units/$u.service" || fail "$u.service: ExecStart $(grep ExecStart "$units/$u.service")"
	# systemd checks that ExecStart exists: point it into the staging root
	sed "s#^ExecStart=$prefix#ExecStart=$P#" "$units/$u.service" >"$T/$u.service"
done
if command -v systemd-analyze >/dev/null; then
	systemd-analyze verify "$T/virtio-forwarder.service" "$T/vio4wd_core_scheduler.service" \
		>"$T/verify.out" 2>&1 || fail "systemd-analyze verify: $(cat "$T/verify.out")"
	log "systemd-analyze verify: both units accepted"
else
	log "systemd-analyze not installed: units checked for ExecStart only"
fi
log "install layout: ok"
