# SPDX-License-Identifier: BSD-3-Clause
# Client mode survives restarts on either side: the daemon is killed and
# restarted five times under a running "VM" (alternating SIGTERM and
# SIGKILL), then the VM is killed and restarted five times under a running
# daemon; traffic (ping) resumes every time.
. "$(dirname "$0")/lib.sh"

ROUNDS=${VIO_RECONNECT_ROUNDS:-5}
nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
sock=$SOCKDIR/vm1.sock

start_daemon() {
	daemon_start d "$nsvf" -i --vhost-socket 'vm%u.sock' -P "net_tap0,iface=vf0=1"
	ip_up "$nsvf" vf0 10.0.0.1/24
}
start_vm() {
	rm -f "$sock" # a killed VM leaves its socket file; QEMU unlinks it too
	vm_start vm "$nsvm" "$sock" ",server=1"
	ip_up "$nsvm" vm0 10.0.0.2/24
}
traffic_resumes() { # what
	local t0=$SECONDS
	ping_until "$nsvf" 10.0.0.2 30 || fail "$1: no traffic within 30 s"
	ip netns exec "$nsvm" ping -c 2 -i 0.2 -W 2 10.0.0.1 >/dev/null || fail "$1: reverse ping failed"
	log "$1: traffic resumed after $((SECONDS - t0)) s"
}

start_daemon
start_vm
traffic_resumes "initial"

for i in $(seq 1 "$ROUNDS"); do
	sig=TERM
	[ $((i % 2)) = 0 ] && sig=KILL
	stop_and_reap d $sig 2>/dev/null
	if [ $sig = TERM ] && [ "$EXIT_CODE" != 0 ]; then
		fail "daemon round $i: exit status $EXIT_CODE after SIGTERM"
	fi
	start_daemon
	traffic_resumes "daemon restart $i (SIG$sig)"
done

for i in $(seq 1 "$ROUNDS"); do
	stop_name vm KILL 2>/dev/null
	start_vm
	traffic_resumes "VM restart $i"
done

st=$(relay_stats d 1)
[ "$(stat_of "$st" vm_to_vf.tx 1)" -gt 0 ] || fail "no VM->VF traffic counted"
stop_name vm KILL 2>/dev/null
stop_and_reap d TERM

# Server mode (the default): the VM restarts under a running daemon.
daemon_start ds "$nsvf" -P "net_tap0,iface=vf0=1"
ip_up "$nsvf" vf0 10.0.0.1/24
for i in $(seq 1 "$ROUNDS"); do
	vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
	ip_up "$nsvm" vm0 10.0.0.2/24
	traffic_resumes "server mode, VM start $i"
	stop_name vm KILL 2>/dev/null
done
log "ok"
