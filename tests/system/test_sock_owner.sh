# SPDX-License-Identifier: BSD-3-Clause
# The socket owner and group (VIRTIOFWD_SOCKET_OWNER/GROUP, -u/-g; issue 17,
# point 6) with a user and a group made for the test (removed on exit), and
# "VMs" that run as them: dpdk-testpmd with virtio-user ports under setpriv.
# What a testpmd needs to run as an ordinary user: --no-huge (its memory is
# then a memfd, which vhost-user can share), --no-pci, and a runtime
# directory of its own (XDG_RUNTIME_DIR; --in-memory is refused with
# --no-huge).
#
# Server mode: the socket directory the daemon creates is root:<group> 0750,
# every relay socket <user>:<group> 0660 (docs/guests.md, "Sockets,
# permissions and who may connect"); a process of another user cannot
# connect; a VM running as the user and group connects to two relays and
# frames cross both ways through it (vf1 -> relay 1 -> VM -> relay 2 -> vf2).
#
# Client mode, in a directory anyone may write (so that the daemon's peer
# check, not the file modes, decides): VMs listen as the owner (with another
# group), as another user whose group is the socket group, and as another
# user in the socket group through a supplementary group (as libvirt starts
# QEMU: initgroups); each is served; frames cross the first.  A VM running
# as nobody:nogroup is refused (logged, retried) and never connected.
. "$(dirname "$0")/lib.sh"

U=viot${TAG}u
G=viot${TAG}g
# Names with our PID: a user or group of that name is a leftover of a dead
# test that had our PID.
userdel "$U" 2>/dev/null || true
groupdel "$G" 2>/dev/null || true
groupadd -r "$G" || fail "groupadd $G failed"
AT_EXIT+=("groupdel $G")
useradd -r -M -N -g "$G" -s /usr/sbin/nologin "$U" || fail "useradd $U failed"
AT_EXIT=("userdel $U" "${AT_EXIT[@]}") # before its group
uid=$(id -u "$U")
gid=$(getent group "$G" | cut -d: -f3)
chmod o+x "$T" # the VMs reach their sockets below it
ns=$(ns_add vf)

# vm_as NAME USER GROUP SUPPLEMENTARY ARGS...: dpdk-testpmd ARGS... (EAL and
# application arguments) as USER:GROUP with the supplementary groups
# SUPPLEMENTARY ("": none), in the background, stdin from $VM_STDIN
# (default /dev/null; opened there, so a FIFO does not block us).
vm_as() {
	local name=$1 user=$2 group=$3 groups=$4 gopt=(--clear-groups)
	shift 4
	[ -z "$groups" ] || gopt=(--groups "$groups")
	PREFIXES+=("vio-$name-$TAG")
	install -d -o "$user" -g "$group" -m 0700 "$T/rt-$name"
	: >"$T/$name.log"
	env XDG_RUNTIME_DIR="$T/rt-$name" setpriv --reuid "$user" --regid "$group" "${gopt[@]}" \
		stdbuf -oL -eL dpdk-testpmd --no-huge --no-pci --file-prefix "vio-$name-$TAG" "$@" \
		<"${VM_STDIN:-/dev/null}" >>"$T/$name.log" 2>&1 &
	PID[$name]=$!
}
creds() { # NAME: "uid gid groups" of the process
	awk '/^Uid:/ { u = $2 } /^Gid:/ { g = $2 } /^Groups:/ { $1 = ""; s = $0 }
		END { print u, g, (s ~ /[0-9]/ ? s : " -") }' "/proc/${PID[$1]}/status" | tr -s ' '
}
connect_as() { # USER GROUP PATH: true when a unix stream connection to PATH succeeds
	setpriv --reuid "$1" --regid "$2" --clear-groups /usr/bin/python3 -c \
		'import socket, sys; socket.socket(socket.AF_UNIX).connect(sys.argv[1])' "$3" 2>"$T/connect.err"
}

# ---------------------------------------------------------------- server mode
SD=$T/srv/sockets # absent: the daemon creates it
daemon_start s "$ns" -V "$SD" -u "$U" -g "$G" -P "net_tap1,iface=vf1=1" -P "net_tap2,iface=vf2=2"
[ "$(stat -c '%U:%G %a' "$SD")" = "root:$G 750" ] ||
	fail "socket directory created as $(stat -c '%U:%G %a' "$SD"), expected root:$G 750"
kinds=$(stat -c '%U:%G %a %F' "$SD"/* | sort | uniq -c | sed 's/^ *//')
n=$(find "$SD" -mindepth 1 | wc -l)
[ "$kinds" = "$n $U:$G 660 socket" ] && [ "$n" -ge 2 ] ||
	fail "relay sockets: $kinds (expected all $n $U:$G 660 sockets)"
log "server mode: $SD root:$G 750, its $n relay sockets $U:$G 660"
# Who can reach them: a process of the group can, nobody cannot (the
# directory keeps it out).  Relay 3's socket has no VF: nothing else uses it.
connect_as "$U" "$G" "$SD/virtio-forwarder3.sock" || fail "$U:$G cannot connect: $(cat "$T/connect.err")"
! connect_as nobody nogroup "$SD/virtio-forwarder3.sock" || fail "nobody could connect to a relay socket"
grep -q PermissionError "$T/connect.err" || fail "nobody's connect failed otherwise: $(cat "$T/connect.err")"

vm_as vms "$U" "$G" "" -l 0,1 --main-lcore 1 -m 512 \
	--vdev "net_virtio_user0,path=$SD/virtio-forwarder1.sock,queues=1" \
	--vdev "net_virtio_user1,path=$SD/virtio-forwarder2.sock,queues=1" \
	-- --forward-mode=io --nb-cores=1 --stats-period 3600 --total-num-mbufs=8192 --disable-link-check
for r in 1 2; do
	wait_log "$T/s.log" "relay $r: VM connected" 30 || fail "relay $r: the VM running as $U:$G did not connect"
	wait_iface "$ns" "vf$r" 10 || fail "vf$r missing"
	ip netns exec "$ns" ip link set "vf$r" up
done
[ "$(creds vms)" = "$uid $gid -" ] || fail "the VM runs as $(creds vms), expected $uid $gid and no groups"
path_ready "$ns" vf1 "$ns" vf2 30 || fail "no frame crosses vf1 -> vf2"
path_ready "$ns" vf2 "$ns" vf1 30 || fail "no frame crosses vf2 -> vf1"
both_ways "$ns" vf1 "$ns" vf2 1000 "server mode, VM as $U:$G"
stop_name vms
stop_and_reap s TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"

# ---------------------------------------------------------------- client mode
PUB=$T/pub
mkdir -p "$PUB"
chmod 1777 "$PUB"
# The daemon first: a virtio-user server port waits in accept() for the
# daemon's connection before the next port is made (DPDK 22.11).
DAEMON_SOCKDIR=$PUB daemon_start c "$ns" -i -u "$U" -g "$G" \
	-P "net_tap1,iface=vf1=1" -P "net_tap2,iface=vf2=2" -P "net_tap3,iface=vf3=3"
grep -q "socket directory $PUB is writable by every user (sticky).*only peers running as root, the socket owner or in the socket group" "$T/c.log" ||
	fail "no warning about the shared socket directory"
vm_as vmc "$U" nogroup "" -l 0,1 --main-lcore 1 -m 512 \
	--vdev "net_virtio_user0,path=$PUB/virtio-forwarder1.sock,server=1,queues=1" \
	--vdev "net_virtio_user1,path=$PUB/virtio-forwarder2.sock,server=1,queues=1" \
	-- --forward-mode=io --nb-cores=1 --stats-period 3600 --total-num-mbufs=8192 --disable-link-check
# The others are interactive testpmds fed through FIFOs that never start
# forwarding: their ports are up (vhost-user needs no forwarding), no CPU
# spent polling.
idle_vm() { # NAME USER GROUP SUPPLEMENTARY RELAY
	mkfifo "$T/$1.cmd"
	VM_STDIN=$T/$1.cmd vm_as "$1" "$2" "$3" "$4" -l 0,1 --main-lcore 1 -m 256 \
		--vdev "net_virtio_user0,path=$PUB/virtio-forwarder$5.sock,server=1,queues=1" \
		-- -i --total-num-mbufs=2048 --disable-link-check
}
idle_vm vmg nobody "$G" "" 3
exec 7>"$T/vmg.cmd"
idle_vm vmx nobody nogroup "$G" 4
exec 8>"$T/vmx.cmd"
idle_vm vmn nobody nogroup "" 5
exec 9>"$T/vmn.cmd"
for r in 1 2 3 4; do
	wait_log "$T/c.log" "relay $r: VM connected" 30 || fail "relay $r: the VM was not served"
done
log "client mode: served the VMs running as (uid gid groups) $(creds vmc) (relays 1, 2), $(creds vmg) (3), $(creds vmx) (4)"
# Refused, and refused again a second later (the daemon retries).
for _ in $(seq 1 50); do
	[ "$(grep -c "relay 5: refusing the connection to $PUB/virtio-forwarder5.sock: the listener (pid ${PID[vmn]}, uid 65534, gid 65534)" "$T/c.log")" -ge 2 ] && break
	sleep 0.1
done
[ "$(grep -c "relay 5: refusing the connection" "$T/c.log")" -ge 2 ] ||
	fail "nobody:nogroup's VM was not refused (twice): $(grep 'relay 5' "$T/c.log" | head -3)"
! grep -q "relay 5: VM connected\|relay 5: vhost-user connection" "$T/c.log" || fail "nobody:nogroup's VM was served"
log "refused the VM running as $(creds vmn) (relay 5): $(grep -c "relay 5: refusing the connection" "$T/c.log") times"
for r in 1 2 3; do
	wait_iface "$ns" "vf$r" 10 || fail "vf$r missing"
	ip netns exec "$ns" ip link set "vf$r" up
done
path_ready "$ns" vf1 "$ns" vf2 30 || fail "no frame crosses vf1 -> vf2"
path_ready "$ns" vf2 "$ns" vf1 30 || fail "no frame crosses vf2 -> vf1"
both_ways "$ns" vf1 "$ns" vf2 1000 "client mode, VM as $U:nogroup"
# The group's VM (not forwarding) receives what vf3 sends into its ring.
before=$(relay_stats c 3)
ip netns exec "$ns" $FRAMES send vf3 TOVMG 100 >/dev/null
sleep 0.5
after=$(relay_stats c 3)
moved=$(($(stat_of "$after" vf_to_vm.tx 1) - $(stat_of "$before" vf_to_vm.tx 1)))
[ "$moved" = 100 ] || fail "relay 3 delivered $moved of 100 frames to the VM running as nobody:$G"
stop_and_reap c TERM
[ "$EXIT_CODE" = 0 ] || fail "daemon exit status $EXIT_CODE"
log "PASS: server mode sockets $U:$G 0660 in root:$G 0750, the VM as $U:$G served; client mode serves the owner, the group (primary and supplementary), refuses nobody:nogroup"
