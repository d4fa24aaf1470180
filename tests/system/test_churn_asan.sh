# SPDX-License-Identifier: BSD-3-Clause
# Churn under traffic with AddressSanitizer and UBSan: the daemon is built with
# -fsanitize=address,undefined and its three relays (dynamic sockets, net_tap
# VFs, one testpmd "VM" with three virtio-user ports) are churned for
# $VIO_CHURN_CYCLES (1000) cycles while frames flood both ways: each cycle,
# on three different relays at once, one VM disconnects and reconnects
# (its virtio-user port closed, detached and attached again: the vhost-user
# connection goes and comes, destroy_device/new_device), one VF is detached
# and attached again (port control), one relay's directions swap CPUs (core
# pinner).  Passes when: no sanitizer report and a clean exit on SIGTERM;
# every relay forwards both ways after the churn; with every VM disconnected,
# each relay's pool has exactly the free buffers it had before the churn
# (SIGUSR1 pool_free=free/size: all buffers back except the VF's posted RX
# buffers), and ports and mempools are what they were after the first 20
# cycles, DPDK heap bytes within 4 KiB of it.
. "$(dirname "$0")/lib.sh"

CYCLES=${VIO_CHURN_CYCLES:-1000}
ASAN_BUILD=${VIO_ASAN_BUILD:-$VIO_TOP/build-asan}
if [ ! -f "$ASAN_BUILD/build.ninja" ]; then
	meson setup "$ASAN_BUILD" "$VIO_TOP" -Db_sanitize=address,undefined -Db_lundef=false \
		-Dwerror=true >"$T/asan-build.log" 2>&1 || fail "meson setup (ASan): $(tail -5 "$T/asan-build.log")"
fi
ninja -C "$ASAN_BUILD" src/virtio-forwarder >"$T/asan-build.log" 2>&1 ||
	fail "ASan build failed: $(tail -20 "$T/asan-build.log")"
VIO_BIN=$ASAN_BUILD/src/virtio-forwarder
export ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:abort_on_error=0
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export VIO_TOOL_TIMEOUT_MS=20000 # requests wait for each other under the sanitizers

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
EP=$T/ctl
PC="$TOOLS/virtioforwarder_port_control --zmq_ep=ipc://$EP/port_control"
PIN="$TOOLS/virtioforwarder_core_pinner --stats-ep=ipc://$EP/stats --sched-ep=ipc://$EP/core_sched"

daemon_start d "$nsvf" -C 0,1 --dynamic-sockets \
	--zmq-port-control-ep "ipc://$EP/port_control" --zmq-port-control-drivers net_tap,net_null --zmq-stats-ep "ipc://$EP/stats" \
	--zmq-core-sched-ep "ipc://$EP/core_sched"
for i in 0 1 2; do
	$PC add_sock --vhost-path="$SOCKDIR/vm$i.sock" --device="net_tap$i,iface=vf$i" ||
		fail "add_sock $i failed"
done

# The VM: interactive testpmd fed through a FIFO.  Ports: virtio-user i is
# port 2i, its tap (vm<i>) port 2i+1; io forwarding pairs them.
vdevs=()
for i in 0 1 2; do
	vdevs+=(--vdev "net_virtio_user$i,path=$SOCKDIR/vm$i.sock,queues=1" --vdev "net_tap$i,iface=vm$i")
done
mkfifo "$T/vm.cmd"
PREFIXES+=("vio-vm-$TAG")
testpmd "$nsvm" -l 0,1 --main-lcore 1 --no-huge -m 1024 --no-pci \
	--file-prefix "vio-vm-$TAG" "${vdevs[@]}" -- -i --forward-mode=io --nb-cores=1 \
	--total-num-mbufs=16384 --disable-link-check <"$T/vm.cmd" >"$T/vm.log" 2>&1 &
PID[vm]=$!
exec 3>"$T/vm.cmd"
vm() { echo "$*" >&3; }
connected() { grep -c "relay $1: VM connected" "$T/d.log" || true; }
wait_connected() { # RELAY COUNT: until the relay has connected more than COUNT times
	local end=$((SECONDS + 20))
	while [ "$(connected "$1")" -le "$2" ]; do
		[ $SECONDS -lt $end ] || return 1
		sleep 0.02
	done
}
for i in 0 1 2; do wait_connected $i 0 || fail "VM port $i did not connect"; done
vm start

pool_line() { relay_stats d "$1" | sed -n 's/^pool_free=//p'; }
vm_close() { # RELAY: its virtio-user port stopped and detached (forwarding stopped)
	vm stop
	vm port stop $((2 * $1))
	vm port detach $((2 * $1))
}
vm_open() { # RELAY: attached again (it gets its old port id back), started
	vm port attach "net_virtio_user$1,path=$SOCKDIR/vm$1.sock,queues=1"
	vm port start $((2 * $1))
	vm set portlist 0,1,2,3,4,5
	vm start
}
all_vms() { # stop|start: every virtio-user port
	if [ "$1" = stop ]; then
		local before=$(grep -c "VM disconnected" "$T/d.log" || true)
		for i in 0 1 2; do vm_close $i; done
		for _ in $(seq 1 500); do
			[ "$(grep -c "VM disconnected" "$T/d.log" || true)" -ge $((before + 3)) ] && return 0
			sleep 0.02
		done
		return 1
	fi
	local c0=$(connected 0) c1=$(connected 1) c2=$(connected 2)
	for i in 0 1 2; do vm_open $i; done
	wait_connected 0 "$c0" && wait_connected 1 "$c1" && wait_connected 2 "$c2"
}
snapshot() { # with every VM disconnected: resources and each relay's pool
	all_vms stop || fail "VMs did not disconnect"
	res=$(resources d)
	pools=$(for i in 0 1 2; do pool_line $i; done | tr '\n' ' ')
	all_vms start || fail "VMs did not reconnect"
}

for i in 0 1 2; do
	ip netns exec "$nsvf" ip link set "vf$i" up
	ip netns exec "$nsvm" ip link set "vm$i" up
done
secs=$((CYCLES / 3 + 120))
ip netns exec "$nsvf" $FRAMES flood vf0,vf1,vf2 --seconds $secs --gap-ms 2 >"$T/flood-vf.json" 2>&1 &
PID[flood_vf]=$!
ip netns exec "$nsvm" $FRAMES flood vm0,vm1,vm2 --seconds $secs --gap-ms 2 >"$T/flood-vm.json" 2>&1 &
PID[flood_vm]=$!

cycle() { # C: one cycle on three relays at once
	local c=$1 mv=$(($1 % 3)) vf=$((($1 + 1) % 3)) vmr=$((($1 + 2) % 3)) n p1 p2
	$PIN --virtio-cpu=$mv:$((c % 2)),$((1 - c % 2)) >"$T/pin.out" 2>&1 &
	p1=$!
	( $PC remove --virtio-id=$vf && $PC add --virtio-id=$vf --device="net_tap$vf,iface=vf$vf" ) \
		>"$T/pc.out" 2>&1 &
	p2=$!
	n=$(connected $vmr)
	vm_close $vmr
	vm_open $vmr
	wait_connected $vmr "$n" || fail "cycle $c: VM $vmr did not reconnect"
	wait $p1 || fail "cycle $c: move of relay $mv failed: $(cat "$T/pin.out")"
	wait $p2 || fail "cycle $c: VF cycle of relay $vf failed: $(cat "$T/pc.out")"
	ip netns exec "$nsvf" ip link set "vf$vf" up 2>/dev/null || true
	kill -0 "${PID[d]}" 2>/dev/null || fail "cycle $c: the daemon died"
}

# A first few cycles, then the reference: DPDK and librte_vhost allocate
# some things once, on first use.
WARM=20
for c in $(seq 0 $((WARM - 1))); do cycle "$c"; done
snapshot
base_res=$res base_pools=$pools
log "after $WARM cycles: $base_res; pools $base_pools"
start=$SECONDS
for c in $(seq $WARM $((CYCLES - 1))); do
	cycle "$c"
	[ $((c % 200)) = 199 ] && log "$((c + 1)) cycles ($((SECONDS - start)) s)"
done
log "$CYCLES cycles ($((CYCLES - WARM)) in $((SECONDS - start)) s)"
stop_name flood_vf
stop_name flood_vm

# Every relay still forwards both ways.
for i in 0 1 2; do
	ip netns exec "$nsvf" ip link set "vf$i" up
	path_ready "$nsvf" "vf$i" "$nsvm" "vm$i" 30 || fail "relay $i: nothing crosses VF->VM after the churn"
	path_ready "$nsvm" "vm$i" "$nsvf" "vf$i" 30 || fail "relay $i: nothing crosses VM->VF after the churn"
done
log "every relay forwards both ways after the churn"

snapshot
log "after $CYCLES cycles: $res; pools $pools"
# Ports and pools exactly; heap bytes within 4 KiB: where a pool's memory
# lands changes the heap's alignment padding by a few hundred bytes, while a
# leak of even one small element a cycle would be over 60 KiB here.
[ "${res% heap_bytes=*}" = "${base_res% heap_bytes=*}" ] ||
	fail "ports or mempools changed: after $WARM cycles $base_res, at the end $res"
growth=$((${res##*heap_bytes=} - ${base_res##*heap_bytes=}))
[ "$growth" -lt 4096 ] || fail "DPDK heap grew by $growth bytes: after $WARM cycles $base_res, at the end $res"
[ "$pools" = "$base_pools" ] || fail "pools: after $WARM cycles $base_pools, at the end $pools"
for p in $pools; do
	[ "${p%/*}" = 896 ] || fail "a pool has ${p%/*} buffers free, expected 896 (1408 - 512 posted RX)"
done
vm quit
exec 3>&-
stop_and_reap d TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
if grep -E "AddressSanitizer|LeakSanitizer|runtime error:" "$T/d.log"; then
	fail "sanitizer report"
fi
log "no sanitizer report; clean exit"
