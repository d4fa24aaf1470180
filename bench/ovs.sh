# SPDX-License-Identifier: BSD-3-Clause
# shellcheck shell=bash
# Open vSwitch with DPDK as a second reference forwarder: sourced by bench/run
# (after tests/system/lib.sh: $T, $SOCKDIR, $TAG, PID, PREFIXES, log, fail).
#
# A private instance: its own database, sockets, pid files and logs under
# $T/NAME; the system's OVS (if any) is neither used nor touched.  Relay i is
# a dpdkvhostuserclient port vhost<i> (OVS is the vhost-user client of the
# generator's server socket $SOCKDIR/ovs<i>.sock) and a dpdk port null<i>
# (net_null<i>), joined by two OpenFlow flows; one PMD thread on CPU 1.
#
#   ovs_install                      the Debian package, if missing
#   ovs_start NAME N NULLARGS        N relays; NULLARGS e.g. ",no-rx=1"
#   ovs_pmd_clear / ovs_pmd_stats    "PKTS BUSY_CYCLES IDLE_CYCLES" of the PMD
#   ovs_stop NAME
#
# OVS_HUGE=1: DPDK memory from hugepages (hugetlbfs mounted and
# $OVS_SOCKET_MEM MB reserved by the caller) instead of --no-huge.

# The DPDK build of vswitchd: Debian installs it as an alternative of
# /usr/sbin/ovs-vswitchd; called by path so the alternative's setting (and a
# plain vswitchd, which rejects dpdk-init) does not matter.
OVS_VSWITCHD=/usr/lib/openvswitch-switch-dpdk/ovs-vswitchd-dpdk
OVS_SCHEMA=/usr/share/openvswitch/vswitch.ovsschema
OVS_SOCKET_MEM=${OVS_SOCKET_MEM:-1024}
OVS_DIR=

ovs_install() {
	# scripts/install-deps.sh installs the package (with the system's OVS
	# services kept from starting); here only for a machine set up before
	# OVS was one of our packages.
	[ -x "$OVS_VSWITCHD" ] && return 0
	log "installing openvswitch-switch-dpdk (scripts/install-deps.sh)"
	"$VIO_TOP/scripts/install-deps.sh" >"$T/ovs-install.log" 2>&1 ||
		{ tail -20 "$T/ovs-install.log"; fail "scripts/install-deps.sh failed"; }
	[ -x "$OVS_VSWITCHD" ] || fail "$OVS_VSWITCHD missing after the install"
}

# Tools of the private instance: every call names its database or control
# socket, so none falls back to the system's /var/run/openvswitch.
ovs_vsctl() { ovs-vsctl --db="unix:$OVS_DIR/db.sock" --timeout=30 "$@"; }
ovs_appctl() { ovs-appctl -t "$OVS_DIR/vswitchd.ctl" "$@"; }

ovs_pid() { cat "$OVS_DIR/$1.pid" 2>/dev/null; } # ovsdb-server|ovs-vswitchd

# ovs_start NAME N NULLARGS: NAME "ovs" gives $T/ovs and the EAL file prefix
# vio-bench-ovs-$TAG.  The generator (vhost-user server, sockets
# $SOCKDIR/ovs<i>.sock) may be started before or after: OVS's vhost client
# retries every second.  DPDK 22.11's virtio-user server=1 blocks in its probe
# until a client connects, one device after the other: so a caller waits for
# ovs0.sock only, not for the last socket, before calling this.
ovs_start() {
	local name=$1 n=$2 nullargs=$3 i p extra mem
	local prefix="vio-bench-$name-$TAG"
	OVS_DIR=$T/$name
	rm -rf "$OVS_DIR"
	mkdir -p "$OVS_DIR"
	[ -x "$OVS_VSWITCHD" ] || fail "$OVS_VSWITCHD missing: call ovs_install first"
	# Anything an OVS tool would look up by default stays in here too.
	export OVS_RUNDIR=$OVS_DIR OVS_LOGDIR=$OVS_DIR OVS_DBDIR=$OVS_DIR \
		OVS_SYSCONFDIR=$OVS_DIR OVS_PKGDATADIR=/usr/share/openvswitch
	PREFIXES+=("$prefix")
	# The vswitchd log also as $T/NAME.log: lib.sh's fail() shows it.
	ln -sfn "$name/ovs-vswitchd.log" "$T/$name.log"

	ovsdb-tool create "$OVS_DIR/conf.db" "$OVS_SCHEMA" ||
		fail "$name: ovsdb-tool create failed"
	ovsdb-server "$OVS_DIR/conf.db" --remote="punix:$OVS_DIR/db.sock" \
		--unixctl="$OVS_DIR/ovsdb-server.ctl" --pidfile="$OVS_DIR/ovsdb-server.pid" \
		--log-file="$OVS_DIR/ovsdb-server.log" --no-chdir --detach ||
		fail "$name: ovsdb-server did not start ($(tail -3 "$OVS_DIR/ovsdb-server.log" 2>/dev/null))"
	# Detached, so not our child: lib.sh's cleanup stops it by PID all the same.
	PID["$name-db"]=$(ovs_pid ovsdb-server)
	ovs_vsctl --no-wait init

	# EAL: the net_null "VFs" are created here; no PCI scan; a file prefix
	# of our own.  --no-huge: --legacy-mem keeps OVS from adding
	# --in-memory, which --no-huge refuses.  Hugepages: OVS adds
	# --in-memory itself (no files in hugetlbfs) and passes dpdk-socket-mem
	# as --socket-mem (preallocated; -m would conflict with it).
	extra="--no-pci --file-prefix $prefix"
	for i in $(seq 0 $((n - 1))); do extra+=" --vdev net_null$i$nullargs"; done
	if [ "${OVS_HUGE:-0}" = 1 ]; then
		mem=(other_config:dpdk-socket-mem="$OVS_SOCKET_MEM")
	else
		extra="--no-huge --legacy-mem -m 1024 $extra"
		mem=()
	fi
	# dpdk-lcore-mask: the main (non-PMD) DPDK thread on CPU 0;
	# pmd-cpu-mask: the one PMD thread on CPU 1, like our worker.
	ovs_vsctl --no-wait set Open_vSwitch . other_config:dpdk-init=true \
		other_config:dpdk-lcore-mask=0x1 other_config:pmd-cpu-mask=0x2 \
		other_config:dpdk-extra="$extra" "${mem[@]}"

	"$OVS_VSWITCHD" "unix:$OVS_DIR/db.sock" --pidfile="$OVS_DIR/ovs-vswitchd.pid" \
		--unixctl="$OVS_DIR/vswitchd.ctl" --log-file="$OVS_DIR/ovs-vswitchd.log" \
		--no-chdir --detach >>"$OVS_DIR/ovs-vswitchd.out" 2>&1 ||
		fail "$name: ovs-vswitchd did not start: $(grep -h 'EMER\|ERR' "$OVS_DIR/ovs-vswitchd.log" "$OVS_DIR/ovs-vswitchd.out" | head -3)"
	PID["$name-vswitchd"]=$(ovs_pid ovs-vswitchd)
	# --detach returns once the child has initialised DPDK (a failed
	# init kills it, and the parent fails); checked all the same.
	local ok=0
	for _ in $(seq 1 300); do
		if [ "$(ovs_vsctl get Open_vSwitch . dpdk_initialized 2>/dev/null)" = true ]; then
			ok=1
			break
		fi
		kill -0 "${PID["$name-vswitchd"]}" 2>/dev/null || break
		sleep 0.1
	done
	[ $ok = 1 ] || fail "$name: DPDK did not initialise in ovs-vswitchd (see $name.log)"

	local cmd=(-- add-br br0 -- set bridge br0 datapath_type=netdev)
	for i in $(seq 0 $((n - 1))); do
		cmd+=(-- add-port br0 "null$i" -- set Interface "null$i" type=dpdk
			options:dpdk-devargs="net_null$i" ofport_request=$((2 * i + 1))
			-- add-port br0 "vhost$i" -- set Interface "vhost$i" type=dpdkvhostuserclient
			options:vhost-server-path="$SOCKDIR/ovs$i.sock" ofport_request=$((2 * i + 2)))
	done
	ovs_vsctl "${cmd[@]}" || fail "$name: adding the bridge and ports failed"
	local err
	for i in $(seq 0 $((n - 1))); do
		for p in null$i vhost$i; do
			err=$(ovs_vsctl get Interface "$p" error 2>/dev/null || true)
			[ -z "$err" ] || [ "$err" = '[]' ] || fail "$name: port $p: $err"
		done
	done
	# Only our flows: no NORMAL (learning, flooding) action behind them.
	{
		for i in $(seq 0 $((n - 1))); do
			echo "in_port=$((2 * i + 2)),actions=output:$((2 * i + 1))"
			echo "in_port=$((2 * i + 1)),actions=output:$((2 * i + 2))"
		done
	} >"$OVS_DIR/flows"
	ovs-ofctl del-flows "unix:$OVS_DIR/br0.mgmt" ||
		fail "$name: ovs-ofctl del-flows failed"
	ovs-ofctl add-flows "unix:$OVS_DIR/br0.mgmt" "$OVS_DIR/flows" ||
		fail "$name: ovs-ofctl add-flows failed"

	# The vhost ports come up once the generator's virtio-user device has
	# accepted the connection and enabled its rings (OVS reconnects by
	# itself while the server socket is not there yet).
	local down
	for _ in $(seq 1 300); do
		down=
		for i in $(seq 0 $((n - 1))); do
			for p in null$i vhost$i; do
				[ "$(ovs_vsctl get Interface "$p" link_state 2>/dev/null)" = up ] ||
					down+=" $p"
			done
		done
		[ -n "$down" ] || break
		kill -0 "${PID["$name-vswitchd"]}" 2>/dev/null || fail "$name: ovs-vswitchd died"
		sleep 0.1
	done
	[ -z "$down" ] || fail "$name: ports not up after 30 s:$down"
	log "$name: OVS up, $n relays ($( [ "${OVS_HUGE:-0}" = 1 ] && echo hugepages || echo no-huge))"
}

ovs_pmd_clear() { ovs_appctl dpif-netdev/pmd-stats-clear >/dev/null; }

# ovs_pmd_stats: "PKTS BUSY_CYCLES IDLE_CYCLES" of the PMD thread on core 1
# since the last ovs_pmd_clear.  OVS 3.1 prints, per PMD:
#   pmd thread numa_id 0 core_id 1:
#     packets received: 123
#     ...
#     idle cycles: 456 (30.00%)
#     processing cycles: 789 (70.00%)
# then a "main thread:" section (the non-PMD thread, no cycle lines); the
# header lines are the only unindented ones.
ovs_pmd_stats() {
	ovs_appctl dpif-netdev/pmd-stats-show | awk '
		/^[^ \t]/ { sec = ($0 ~ /^pmd thread .*core_id 1:/) }
		!sec { next }
		/^[ \t]*packets received:/ { p = $NF }
		/^[ \t]*idle cycles:/ { i = $3 }
		/^[ \t]*processing cycles:/ { b = $3 }
		END {
			if (p !~ /^[0-9]+$/ || b !~ /^[0-9]+$/ || i !~ /^[0-9]+$/) exit 1
			print p, b, i
		}' && return 0
	# on stderr: a caller reads the numbers with read < <(ovs_pmd_stats)
	echo "ovs_pmd_stats: no PMD on core 1 in pmd-stats-show" >&2
	return 1
}

ovs_stop() { # NAME
	local name=$1
	local prefix="vio-bench-$name-$TAG"
	OVS_DIR=$T/$name
	# both detached, their PIDs recorded by ovs_start
	stop_name "$name-vswitchd"
	stop_name "$name-db"
	rm -rf "$OVS_DIR" "$T/$name.log" "/var/run/dpdk/$prefix"
	unset OVS_RUNDIR OVS_LOGDIR OVS_DBDIR OVS_SYSCONFDIR OVS_PKGDATADIR
	# --in-memory leaves no hugepage files; this is for a KILLed vswitchd.
	rm -f /dev/hugepages/"$prefix"* /mnt/huge/"$prefix"*
}
