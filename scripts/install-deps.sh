#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Install what virtio-forwarder needs to build, test and run on Debian 12.
# Idempotent: does nothing when every package is already there.
set -eu
pkgs=(
	build-essential pkgconf meson ninja-build      # toolchain (pkgconf: Debian 12's pkg-config)
	dpdk dpdk-dev libdpdk-dev                      # DPDK 22.11: libraries, PMDs; dpdk-dev: dpdk-testpmd
	libcmocka-dev                                  # unit tests
	python3-pyelftools libsystemd-dev              # scripts/build-dpdk.sh: DPDK's build (pmdinfogen); static link (libpcap -> libdbus -> libsystemd)
	protobuf-c-compiler libprotobuf-c-dev libzmq3-dev          # control protocol (proto/)
	iproute2 iputils-ping ethtool procps           # system tests: namespaces, ping, sysctl
	tcpdump bc gdb                                 # system tests: capture, arithmetic, hang backtraces
	clang libclang-rt-14-dev                       # scripts/fuzz.sh: libFuzzer, sanitizer runtimes
	clang-format                                   # scripts/check-format.sh (tests/run lint): git clang-format
	python3 python3-matplotlib                     # system tests (frames, HTTP); benchmark plots
	openvswitch-switch-dpdk                        # benchmark: OVS-DPDK as a second reference
	qemu-system-x86 busybox-static cpio xz-utils   # system tests: a real Linux guest
	libmicrohttpd-dev                              # virtioforwarder_exporter: the /metrics HTTP server
	prometheus curl                                # test_exporter: promtool check metrics, scrapes
	scdoc man-db groff-base                        # manual pages (docs/man): build; test_manpages renders them
	debhelper dpkg-dev lintian git systemd         # Debian package (debian/): build, check; test_package: tree copy, systemd-analyze, systemd.pc
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
# Open vSwitch's maintainer scripts would start the system's OVS: a vswitchd
# nobody asked for on a host that may have its own plans for it.  The
# benchmark runs a private instance (bench/ovs.sh), so the package is
# installed with service starts refused (a policy-rc.d answering 101, unless
# the machine has its own) and, under systemd, its units left disabled when
# this script is what brought them.  The same holds for prometheus, wanted
# only for promtool: its scripts would start a Prometheus server scraping
# the host.
prc=/usr/sbin/policy-rc.d
ours_prc=0
new_ovs=0
new_prom=0
for p in "${missing[@]}"; do
	[ "$p" != openvswitch-switch-dpdk ] || new_ovs=1
	[ "$p" != prometheus ] || new_prom=1
done
if [ $((new_ovs + new_prom)) -gt 0 ] && [ ! -e $prc ]; then
	printf '#!/bin/sh\nexit 101\n' >$prc
	chmod 755 $prc
	ours_prc=1
fi
rc=0
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || rc=$?
[ $ours_prc = 0 ] || rm -f $prc
[ $rc = 0 ] || exit $rc
if [ $new_ovs = 1 ] && [ -d /run/systemd/system ]; then
	systemctl disable --now openvswitch-switch.service ovs-vswitchd.service \
		ovsdb-server.service >/dev/null 2>&1 || true
fi
if [ $new_prom = 1 ] && [ -d /run/systemd/system ]; then
	systemctl disable --now prometheus.service >/dev/null 2>&1 || true
fi
echo "install-deps: done"
