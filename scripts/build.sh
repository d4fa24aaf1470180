#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Configure (once) and build with warnings fatal.
#
#   scripts/build.sh            ./build, against Debian's DPDK (relay ids 0-31:
#                               Debian builds DPDK with 32 ports)
#   scripts/build.sh --dpdk64   ./build-64, against the DPDK of
#                               scripts/build-dpdk.sh (built once, cached),
#                               linked statically: relay ids 0-63
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
if [ "${1:-}" = --dpdk64 ]; then
	prefix=$("$top/scripts/build-dpdk.sh")
	dir=$top/build-64
	# a build dir made against another DPDK build (older cache) is remade
	if [ -f "$dir/build.ninja" ] && ! grep -qF "$prefix/lib/pkgconfig" "$dir/meson-info/intro-buildoptions.json" 2>/dev/null; then
		rm -rf "$dir"
	fi
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$top" -Dwerror=true -Dtests=false \
		-Ddpdk_static=true -Dpkg_config_path="$prefix/lib/pkgconfig" >/dev/null
else
	dir=$top/build
	[ -f "$dir/build.ninja" ] || meson setup "$dir" "$top" -Dwerror=true >/dev/null
fi
ninja -C "$dir" >/dev/null
echo "build: $dir/src/virtio-forwarder"
