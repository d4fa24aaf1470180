# SPDX-License-Identifier: BSD-3-Clause
# An idle relay must not burn a core: with a VM connected and no traffic the
# daemon uses a small fraction of one CPU (a busy-polling worker uses all of
# it), and traffic after an idle spell still crosses at once.
. "$(dirname "$0")/lib.sh"

nsvf=$(ns_add vf)
nsvm=$(ns_add vm)
daemon_start d "$nsvf" -P "net_tap0,iface=vf0=1"
vm_start vm "$nsvm" "$SOCKDIR/virtio-forwarder1.sock"
ip_up "$nsvf" vf0 10.0.0.1/24
ip_up "$nsvm" vm0 10.0.0.2/24
ping_until "$nsvf" 10.0.0.2 20 || fail "no traffic"
sleep 1

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
pid=${PID[d]}
hz=$(getconf CLK_TCK)
t0=$(cpu_ticks "$pid")
sleep 5
t1=$(cpu_ticks "$pid")
pct=$(( (t1 - t0) * 100 / (5 * hz) ))
log "daemon CPU while idle for 5 s: $((t1 - t0)) ticks at $hz/s = ${pct}% of one core"
[ "$pct" -lt 25 ] || fail "an idle relay costs ${pct}% of a core"

# After the idle spell, each ping must be answered (the worker wakes up).
for i in 1 2 3; do
	sleep 1
	ip netns exec "$nsvf" ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "ping $i after idle lost"
	ip netns exec "$nsvm" ping -c 1 -W 1 10.0.0.1 >/dev/null || fail "reverse ping $i after idle lost"
done
log "traffic after idle spells crosses both ways"
