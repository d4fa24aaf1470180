#!/usr/bin/env bash
# Configure (once) and build into ./build with warnings fatal.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
[ -f "$top/build/build.ninja" ] || meson setup "$top/build" "$top" -Dwerror=true >/dev/null
ninja -C "$top/build" >/dev/null
echo "build: $top/build/src/virtio-forwarder"
