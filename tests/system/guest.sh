# The real-guest rig shared by the QEMU tests (source after lib.sh): the
# guest built by tests/tools/mkguest.sh (cached) and its QEMU command line.
G=${VIO_GUEST_DIR:-/var/cache/virtio-forwarder-tests/guest}
"$VIO_TOP/tests/tools/mkguest.sh" "$G" >/dev/null || fail "cannot build the test guest"
command -v qemu-system-x86_64 >/dev/null || fail "qemu-system-x86_64 missing (scripts/install-deps.sh)"

# guest_start NAME SOCKET QEMU_IS_SERVER LEGACY [QUEUES [KERNEL_ARGS]]
# Extra QEMU arguments (a monitor, -incoming for a migration target) go in
# the array GUEST_QEMU_ARGS, e.g. GUEST_QEMU_ARGS=(-incoming defer).
GUEST_QEMU_ARGS=()
guest_start() {
	local name=$1 chardev="socket,id=c0,path=$2" extra=() q=${5:-1} netq="" devq=""
	[ "$3" = 1 ] && chardev="$chardev,server=on,wait=off"
	[ "$4" = 1 ] && extra=(-global virtio-pci.disable-modern=on)
	if [ "$q" -gt 1 ]; then
		netq=",queues=$q"
		devq=",mq=on"
	fi
	: >"$T/$name.log"
	# vectors=0: QEMU 7.2 under TCG crashes with vhost-user and MSI-X.
	taskset -c 0 qemu-system-x86_64 -accel tcg -smp 1 -m 256 -nographic -no-reboot \
		-kernel "$G/vmlinuz" -initrd "$G/initramfs.cpio.gz" \
		-append "console=ttyS0 quiet panic=-1 vio.ip=10.0.0.2/24 vio.peer=10.0.0.1 ${6:-}" \
		-object memory-backend-memfd,id=mem,size=256M,share=on -numa node,memdev=mem \
		-chardev "$chardev" -netdev "vhost-user,id=n0,chardev=c0$netq" \
		-device "virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,romfile=,vectors=0$devq" \
		"${extra[@]}" ${GUEST_QEMU_ARGS[@]+"${GUEST_QEMU_ARGS[@]}"} </dev/null >>"$T/$name.log" 2>&1 &
	PID[$name]=$!
}

guest_value() { # NAME KEY: the value the guest printed as "GUEST: KEY value"
	sed -n "s/.*GUEST: $2 \([^ ]*\).*/\1/p" "$T/$1.log" | tr -d '\r' | tail -1
}

# hmp SOCKET COMMAND: run a human-monitor command on a QEMU started with
# -monitor unix:SOCKET,server=on,wait=off and print its output.
hmp() {
	python3 - "$1" "$2" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(20)
def until_prompt():
    buf = b""
    while not buf.rstrip().endswith(b"(qemu)"):
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf
until_prompt()
s.sendall(sys.argv[2].encode() + b"\n")
out = until_prompt().decode(errors="replace").replace("\r", "")
lines = out.split("\n")
# drop the echoed command (with its escape sequences) and the prompt
print("\n".join(l for l in lines[1:] if not l.startswith("(qemu)")))
PY
}
