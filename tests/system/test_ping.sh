# SPDX-License-Identifier: BSD-3-Clause
# Ping between two namespaces through the forwarder, in server mode and in
# client mode: ns vf: vf0 10.0.0.1 -- daemon -- socket -- testpmd -- ns vm: vm0 10.0.0.2
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)

for mode in server client; do
	log "== $mode mode"
	sock=$SOCKDIR/virtio-forwarder1.sock
	if [ $mode = server ]; then
		daemon_start d-$mode "$nsvf" -P "net_tap0,iface=vf0=1"
		vm_start vm-$mode "$nsvm" "$sock"
	else
		# The VM owns the socket; testpmd's server-mode virtio-user waits
		# for the daemon, which retries until the socket exists.
		daemon_start d-$mode "$nsvf" -i -P "net_tap0,iface=vf0=1"
		vm_start vm-$mode "$nsvm" "$sock" ",server=1"
	fi
	ip_up "$nsvf" vf0 10.0.0.1/24
	ip_up "$nsvm" vm0 10.0.0.2/24
	ping_until "$nsvf" 10.0.0.2 20 || fail "$mode: no ping reply through the forwarder"
	out=$(ip netns exec "$nsvf" ping -c 5 -i 0.2 -W 2 10.0.0.2) || fail "$mode: ping lost packets: $out"
	echo "$out" | tail -2
	ip netns exec "$nsvm" ping -c 3 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "$mode: reverse ping failed"
	if [ $mode = server ]; then
		# A second VM on the same socket is refused; the first keeps working.
		prefix2="vio-vm2-$TAG"
		PREFIXES+=("$prefix2")
		TESTPMD_TIMEOUT=20 testpmd "" -l 0,1 --main-lcore 1 --no-huge -m 256 --no-pci \
			--file-prefix "$prefix2" --vdev "net_virtio_user0,path=$sock,queues=1" \
			-- --stats-period 1 --total-num-mbufs=2048 </dev/null >"$T/vm2.log" 2>&1 &
		PID[vm2]=$!
		wait_log "$T/d-$mode.log" "refusing a second connection" 20 ||
			fail "a second connection on the socket was not refused"
		stop_name vm2 # TERM: timeout passes it on (KILL would orphan testpmd)
		ip netns exec "$nsvf" ping -c 3 -i 0.2 -W 2 10.0.0.2 >/dev/null ||
			fail "the first VM lost traffic after a second connection attempt"
		log "second connection refused, first VM unaffected"
	fi
	st=$(relay_stats d-$mode 1)
	echo "$st" | tr '\n' ' '; echo
	[ "$(stat_of "$st" vf_to_vm.tx 1)" -ge 8 ] || fail "$mode: VF->VM counter too low"
	[ "$(stat_of "$st" vm_to_vf.tx 1)" -ge 8 ] || fail "$mode: VM->VF counter too low"
	stop_name vm-$mode
	stop_and_reap d-$mode TERM
	[ "$EXIT_CODE" = 0 ] || fail "$mode: daemon exited with $EXIT_CODE on SIGTERM"
	if [ $mode = server ]; then
		[ ! -e "$sock" ] || fail "server mode: socket $sock left behind"
	fi
	log "$mode mode: ok"
done
