#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Build a tiny Linux guest for the QEMU tests: Debian's cloud kernel (taken
# from the archive with apt-get download, not installed) and a busybox
# initramfs whose /init loads the virtio-net driver, configures eth0 from the
# kernel command line and runs the test of tests/tools/guest-init.sh.
#
#   mkguest.sh DIR     -> DIR/vmlinuz, DIR/initramfs.cpio.gz (cached)
set -eu
out=$1
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
if [ -s "$out/vmlinuz" ] && [ -s "$out/initramfs.cpio.gz" ] &&
	[ "$out/initramfs.cpio.gz" -nt "$here/guest-init.sh" ] &&
	[ "$out/initramfs.cpio.gz" -nt "$here/setchannels.c" ] &&
	[ "$out/initramfs.cpio.gz" -nt "$here/mkguest.sh" ]; then
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pkg=$(apt-cache depends linux-image-cloud-amd64 2>/dev/null | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
if [ -z "$pkg" ]; then
	apt-get update -qq
	pkg=$(apt-cache depends linux-image-cloud-amd64 | sed -n 's/.*Depends: \(linux-image-[0-9].*\)/\1/p' | head -1)
fi
[ -n "$pkg" ] || { echo "mkguest: no cloud kernel package found"; exit 1; }
(cd "$work" && apt-get download "$pkg" >/dev/null 2>&1) || { echo "mkguest: cannot download $pkg"; exit 1; }
dpkg-deb -x "$work"/linux-image-*.deb "$work/k"
cp "$work"/k/boot/vmlinuz-* "$out/vmlinuz"
root=$work/root
mkdir -p "$root"/{bin,lib,proc,sys,dev,tmp,etc}
cp /bin/busybox "$root/bin/busybox"
# vmxnet3: the hot-pluggable primary NIC of the failover test (the cloud
# kernel has no e1000/e1000e); only vio.mode=failover loads it.
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci failover \
	net_failover virtio_net vmxnet3; do
	f=$(find "$work/k/lib/modules" -name "$m.ko*" | head -1)
	[ -n "$f" ] || { echo "mkguest: module $m missing"; exit 1; }
	case "$f" in
	*.xz) xz -dc "$f" >"$root/lib/$m.ko" ;;
	*) cp "$f" "$root/lib/$m.ko" ;;
	esac
done
# busybox has no ethtool: a static helper sets the channel count
cc -static -O2 -o "$root/bin/setchannels" "$here/setchannels.c" ||
	{ echo "mkguest: cannot build setchannels"; exit 1; }
cp "$here/guest-init.sh" "$root/init"
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1 >"$out/initramfs.cpio.gz")
echo "mkguest: $pkg guest in $out"
