#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# A DPDK with ports enough for 64 relays, made from Debian's own source
# package of the DPDK version this machine has (libdpdk-dev), and installed
# under a private prefix; prints that prefix.
#
#   scripts/build-dpdk.sh            build once, then print the cached prefix
#   VIO_DPDK_PORTS=N                 RTE_MAX_ETHPORTS (default 128)
#   VIO_DPDK_CACHE=DIR               where builds are kept (default
#                                    /var/cache/virtio-forwarder)
#
# Every relay's VF is an ethdev port, and Debian builds DPDK with 32 of
# them.  The build here differs from Debian's only in:
#  - max_ethports (128: 64 relays, and room for bonded VFs' member ports);
#  - the drivers: the buses, mempools and PMDs a forwarder uses (PCI and
#    vdev buses; the VF-capable PMDs of Debian's build whose dependencies
#    are met here; tap, af_packet, pcap, null, ring, vhost, virtio, bonding);
#  - static libraries only, so that the daemon built against it cannot load
#    Debian's 32-port shared libraries by accident (docs/operation.md, "64 relays");
#  - dpdk-testpmd is the only application (tests run it with more than 32
#    ports), no tests, no docs, no examples.
# Platform "generic" as Debian's (a binary that runs on any x86-64 with
# SSE4.2), and Debian's patches, which `apt-get source` applies.
#
# Idempotent: a finished build has PREFIX/.complete and is reused.  The
# source comes from the machine's own Debian archive, through a private apt
# configuration (deb-src entries made from the system's deb entries) that
# leaves the system's sources and package lists as they are.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PORTS=${VIO_DPDK_PORTS:-128}
CACHE=${VIO_DPDK_CACHE:-/var/cache/virtio-forwarder}

say() { echo "build-dpdk: $*" >&2; }
die() { say "$*"; exit 1; }

case $PORTS in '' | *[!0-9]*) die "VIO_DPDK_PORTS must be a number" ;; esac
[ "$PORTS" -ge 64 ] && [ "$PORTS" -le 1024 ] || die "VIO_DPDK_PORTS must be 64-1024"
ver=$(dpkg-query -W -f='${Version}' libdpdk-dev 2>/dev/null) ||
	die "libdpdk-dev is not installed (scripts/install-deps.sh)"
# The cache key: the Debian version, the port count and this script's
# commands (its comments may change without a rebuild).
key="dpdk-$ver-p$PORTS-$(grep -v '^[[:space:]]*#' "$0" | sha1sum | cut -c1-8)"
PREFIX=$CACHE/$key
# One build at a time (tests/run and bench/run may both ask): the second
# waits and then finds the first one's result.
mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9
if [ -f "$PREFIX/.complete" ]; then
	echo "$PREFIX"
	exit 0
fi

DRIVERS=bus/pci,bus/vdev,bus/auxiliary,mempool/ring,mempool/stack,common/iavf,common/mlx5
DRIVERS+=,net/tap,net/af_packet,net/pcap,net/null,net/ring,net/vhost,net/virtio,net/bonding
DRIVERS+=,net/iavf,net/i40e,net/ice,net/ixgbe,net/e1000,net/nfp,net/bnxt,net/enic,net/qede
DRIVERS+=,net/mlx5,net/hns3,net/txgbe,net/ngbe,net/thunderx
# Optional libraries neither the forwarder, its PMDs nor testpmd's core
# need (a driver whose dependency is disabled would be left out: checked
# after the build).
NOLIBS=flow_classify,kni,acl,bbdev,compressdev,distributor,efd,fib,graph,node,ipsec
NOLIBS+=,jobstats,lpm,member,pipeline,port,table,rawdev,regexdev,rib,gpudev,eventdev
NOLIBS+=,reorder,power
NEEDED="null vhost virtio tap af_packet pcap ring bond iavf i40e ice ixgbe e1000"

# kept when the build fails, for its logs; a later run starts afresh
trap 'if [ $? = 0 ]; then rm -rf "$work"; else say "logs kept in $work"; fi' EXIT
rm -rf "$CACHE"/.build.*/ 2>/dev/null || true
work=$(mktemp -d "$CACHE/.build.XXXXXX")
start=$(date +%s)

# ---- the source, through a private apt configuration ------------------------
apt=$work/apt
mkdir -p "$apt/lists/partial" "$apt/sources.list.d"
# deb822 files: a stanza's "Types: deb" becomes deb-src; one-line files:
# "deb " lines become "deb-src ".  Disabled files (other names) are skipped.
for f in /etc/apt/sources.list.d/*.sources; do
	[ -f "$f" ] || continue
	sed -E 's/^Types:.*/Types: deb-src/' "$f" >"$apt/sources.list.d/$(basename "$f")"
done
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
	[ -f "$f" ] || continue
	sed -nE 's/^deb[[:space:]]+/deb-src /p' "$f" >"$apt/sources.list.d/$(basename "$f" .list)-src.list"
done
aptopt=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt/sources.list.d"
	-o "Dir::State::Lists=$apt/lists" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=")
say "fetching the source of dpdk $ver (Debian's deb-src, private apt configuration)"
apt-get "${aptopt[@]}" -qq update >"$work/apt.log" 2>&1 ||
	{ tail -5 "$work/apt.log" >&2; die "apt-get update (deb-src) failed"; }
(cd "$work" && apt-get "${aptopt[@]}" -qq source "dpdk=$ver") >>"$work/apt.log" 2>&1 ||
	{ tail -5 "$work/apt.log" >&2; die "apt-get source dpdk=$ver failed"; }
src=$(find "$work" -mindepth 1 -maxdepth 1 -type d -name 'dpdk*' | head -1)
[ -n "$src" ] && [ -f "$src/meson.build" ] || die "no DPDK source tree in $work"

# ---- configure, build, install ------------------------------------------------
say "building $(basename "$src") with max_ethports=$PORTS into $PREFIX"
meson setup "$work/build" "$src" --prefix="$PREFIX" --libdir=lib --buildtype=release \
	-Ddefault_library=static -Dplatform=generic -Dmax_ethports="$PORTS" \
	-Denable_drivers="$DRIVERS" -Ddisable_libs="$NOLIBS" -Denable_apps=test-pmd \
	-Dtests=false -Denable_docs=false -Dexamples= -Denable_kmods=false \
	>"$work/meson.log" 2>&1 || { tail -20 "$work/meson.log" >&2; die "meson setup failed"; }
ninja -C "$work/build" >"$work/ninja.log" 2>&1 ||
	{ grep -A 12 'FAILED:' "$work/ninja.log" | head -40 >&2 || true; die "the DPDK build failed"; }
rm -rf "$PREFIX"
ninja -C "$work/build" install >"$work/install.log" 2>&1 ||
	{ tail -10 "$work/install.log" >&2; die "the DPDK install failed"; }
grep -q "RTE_MAX_ETHPORTS $PORTS\$" "$PREFIX/include/rte_build_config.h" ||
	die "the installed DPDK does not have RTE_MAX_ETHPORTS $PORTS"
for d in $NEEDED; do
	[ -f "$PREFIX/lib/librte_net_$d.a" ] || die "driver net/$d was not built (see $work/meson.log)"
done
# what the build made, for the docs and the logs
{
	echo "debian_version=$ver"
	echo "max_ethports=$PORTS"
	echo "build_seconds=$(($(date +%s) - start))"
	echo "net_drivers=$(cd "$PREFIX/lib" && ls librte_net_*.a | sed 's/librte_net_//; s/\.a$//' | tr '\n' ' ')"
} >"$PREFIX/build-info"
echo "size_mb=$(du -sm "$PREFIX" | cut -f1)" >>"$PREFIX/build-info"
touch "$PREFIX/.complete"
# older builds of this cache (another version, port count or script)
for old in "$CACHE"/dpdk-*; do
	[ "$old" = "$PREFIX" ] || rm -rf "$old"
done
say "done in $(($(date +%s) - start)) s: $(tr '\n' ' ' <"$PREFIX/build-info")"
echo "$PREFIX"
