#!/usr/bin/env bash
# Install what virtio-forwarder needs to build, test and run on Debian 12.
# Idempotent: does nothing when every package is already there.
set -eu
pkgs=(
	build-essential pkgconf meson ninja-build      # toolchain (pkgconf: Debian 12's pkg-config)
	dpdk dpdk-dev libdpdk-dev                      # DPDK 22.11: libraries, PMDs; dpdk-dev: dpdk-testpmd
	libcmocka-dev                                  # unit tests
	protobuf-c-compiler libprotobuf-c-dev libzmq3-dev          # control protocol (proto/)
	iproute2 iputils-ping ethtool procps           # system tests: namespaces, ping, sysctl
	tcpdump bc gdb                                 # system tests: capture, arithmetic, hang backtraces
	clang libclang-rt-14-dev                       # scripts/fuzz.sh: libFuzzer, sanitizer runtimes
	python3 python3-matplotlib                     # system tests (frames, HTTP); benchmark plots
	qemu-system-x86 busybox-static cpio xz-utils   # system tests: a real Linux guest
)
missing=()
for p in "${pkgs[@]}"; do
	[ "${p#\#}" = "$p" ] || continue
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
	echo "install-deps: all packages present"
	exit 0
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps: done"
