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
