#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Send and check numbered Ethernet frames over a kernel interface (AF_PACKET).

Frame i of a stream is fully determined by (stream tag, i): length 60..1514
bytes, EtherType 0x88B5 (local experimental), payload = tag, sequence number
and SHA-256-derived bytes.  The receiver checks every frame byte for byte,
that all arrive, in order, with no duplicates, and prints a JSON summary.

  frames.py send IFACE TAG COUNT [--dst MAC] [--burst N] [--gap-ms MS] [--rate FPS] [--flows N]
  frames.py recv IFACE TAG COUNT --timeout S --out FILE [--flows N] [--idle S] [--rcvbuf BYTES]
  frames.py flood IFACE[,IFACE...] --seconds S  (background load, unchecked;
                                          survives interfaces that come and go)
  frames.py expect TAG COUNT [--flows N]  (prints the expected total bytes;
                                          with --deliverable: "frames bytes")
--max-len L (all three) makes frames 60..L bytes long instead of 60..1514;
--deliverable D (recv, expect) expects only the frames of at most D bytes
and fails if a longer one arrives (a path that must drop oversized frames).
--rate FPS (send) paces the frames at FPS a second (instead of a --gap-ms
pause every --burst frames).  --idle S (recv) stops S seconds after the last
frame once one has arrived (besides --timeout); --rcvbuf BYTES sets the
socket's receive buffer with SO_RCVBUFFORCE, past net.core.rmem_max (root).
The receiver's JSON also splits "out_of_order_or_dup" into "duplicates" and
"reordered" (arrived after a later frame; a gap left by a lost frame is only
"missing"), and gives "seconds" from the first frame to the last; the
sender's gives "seconds" too.

With --flows N, frame i belongs to flow i % N and is a UDP datagram of that
flow (source port 10000 + flow): flows cycle through IPv4, IPv6, VLAN-tagged
IPv4 and VLAN-tagged IPv6, so that a flow hash has something to spread.  The
receiver then checks order within each flow (flows may interleave freely).
"""
import argparse
import hashlib
import json
import socket
import struct
import sys
import time

ETHERTYPE = 0x88B5
ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4
MIN_LEN, MAX_LEN = 60, 1514


def frame_len(i):
    return MIN_LEN + (i * 7919) % (MAX_LEN - MIN_LEN + 1)


def deliverable(i, flows, limit):
    return (flow_frame_len(i) if flows else frame_len(i)) <= limit


def fill(head, tag, i, n):
    """head followed by bytes derived from (tag, i), n bytes in all."""
    body = b""
    block = 0
    while len(head) + len(body) < n:
        body += hashlib.sha256(b"%s:%d:%d" % (tag.encode(), i, block)).digest()
        block += 1
    return (head + body)[:n]


def make_frame(tag, i, dst=b"\xff" * 6, src=b"\x02\x00\x00\x00\x00\x01"):
    n = frame_len(i)
    head = dst + src + struct.pack("!H", ETHERTYPE) + tag.encode()[:4].ljust(4, b"_") + struct.pack("!I", i)
    return fill(head, tag, i, n)


FLOW_MIN_LEN = 96


def flow_frame_len(i):
    return max(FLOW_MIN_LEN, frame_len(i))


def make_flow_frame(tag, i, flows, dst=b"\xff" * 6, src=b"\x02\x00\x00\x00\x00\x01"):
    f = i % flows
    kind = f % 4
    n = flow_frame_len(i)
    head = dst + src
    if kind >= 2:
        head += struct.pack("!HH", 0x8100, 100 + f % 50)
    v6 = kind % 2 == 1
    head += struct.pack("!H", 0x86DD if v6 else 0x0800)
    l3_len = n - len(head)
    udp_len = l3_len - (40 if v6 else 20)
    if v6:
        head += struct.pack("!IHBB", 0x60000000, udp_len, 17, 64)
        head += b"\xfd" + b"\x00" * 13 + struct.pack("!H", f) + b"\xfd" + b"\x00" * 13 + b"\xff\xff"
    else:
        ip = struct.pack("!BBHHHBBH", 0x45, 0, l3_len, i & 0xFFFF, 0x4000, 64, 17, 0)
        ip += bytes([10, (f >> 8) & 255, f & 255, 1, 10, 255, 0, 2])
        head += ip[:10] + struct.pack("!H", ip_checksum(ip)) + ip[12:]
    head += struct.pack("!HHHH", 10000 + f, 4789, udp_len, 0)
    head += tag.encode()[:4].ljust(4, b"_") + struct.pack("!II", i, f)
    return fill(head, tag, i, n)


def ip_checksum(h):
    s = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def flow_seq(data, tagb):
    """(seq, flow) of a flow frame carrying tagb, or None."""
    off = 12
    et = struct.unpack("!H", data[off:off + 2])[0]
    if et == 0x8100:
        off += 4
        et = struct.unpack("!H", data[off:off + 2])[0]
    off += 2
    if et == 0x0800:
        off += 20
    elif et == 0x86DD:
        off += 40
    else:
        return None
    off += 8
    if data[off:off + 4] != tagb or len(data) < off + 12:
        return None
    return struct.unpack("!II", data[off + 4:off + 12])


def total_bytes(count, flows, limit=None):
    lens = (flow_frame_len(i) if flows else frame_len(i) for i in range(count))
    return sum(n for n in lens if limit is None or n <= limit)


def parse_mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def cmd_send(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    dst = parse_mac(a.dst) if a.dst else b"\xff" * 6
    sent = 0
    start = time.monotonic()
    for i in range(a.count):
        f = make_flow_frame(a.tag, i, a.flows, dst) if a.flows else make_frame(a.tag, i, dst)
        while True:
            try:
                s.send(f)
                break
            except OSError:  # ENOBUFS: the queue is full, let it drain
                time.sleep(0.001)
        sent += 1
        if a.rate:
            ahead = start + sent / a.rate - time.monotonic()
            if ahead > 0.0005:
                time.sleep(ahead)
        elif sent % a.burst == 0:
            time.sleep(a.gap_ms / 1000.0)
    print(json.dumps({"sent": sent, "bytes": total_bytes(a.count, a.flows),
                      "seconds": round(time.monotonic() - start, 3)}))


def cmd_flood(a):
    """Frames round robin on every interface for S seconds; an interface
    that disappears (a VF detached under churn) is re-opened when back."""
    socks = {}
    frames = [make_frame("LOAD", i) for i in range(64)]
    sent = rounds = 0
    end = time.time() + a.seconds
    while time.time() < end:
        rounds += 1
        for iface in a.ifaces.split(","):
            try:
                if iface not in socks:
                    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
                    s.bind((iface, 0))
                    socks[iface] = s
                socks[iface].send(frames[sent % len(frames)])
                sent += 1
            except OSError:
                socks.pop(iface, None)
        if rounds % 16 == 0:
            time.sleep(a.gap_ms / 1000.0)
    print(json.dumps({"sent": sent}))


SOL_PACKET = 263
SO_RCVBUFFORCE = 33
PACKET_AUXDATA = 8
PACKET_STATISTICS = 6
TP_STATUS_VLAN_VALID = 0x10
TP_STATUS_VLAN_TPID_VALID = 0x40


def with_vlan(data, anc):
    """The kernel strips a received frame's VLAN tag into the auxiliary
    data: put it back where it was."""
    for level, typ, val in anc:
        if level != SOL_PACKET or typ != PACKET_AUXDATA or len(val) < 20:
            continue
        status, _, _, _, _, tci, tpid = struct.unpack("IIIHHHH", val[:20])
        if status & TP_STATUS_VLAN_VALID:
            if not status & TP_STATUS_VLAN_TPID_VALID:
                tpid = 0x8100
            return data[:12] + struct.pack("!HH", tpid, tci) + data[12:]
    return data


def cmd_recv(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    if a.rcvbuf:
        try:
            s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, a.rcvbuf)
        except OSError:  # not root: as far as net.core.rmem_max allows
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, a.rcvbuf)
    else:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024 * 1024)
    s.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
    s.bind((a.iface, 0))
    s.settimeout(0.2)
    tagb = a.tag.encode()[:4].ljust(4, b"_")
    limit = a.deliverable
    want = sum(1 for i in range(a.count) if limit is None or deliverable(i, a.flows, limit))

    def next_wanted(k):
        while limit is not None and k < a.count and not deliverable(k, a.flows, limit):
            k += 1
        return k

    got = 0
    nbytes = 0
    bad = 0
    oversize = 0
    dup_or_reorder = 0
    dups = reordered = 0
    highest = -1
    first_t = last_t = None
    next_seq = next_wanted(0)
    flow_next = {}
    seen = set()
    first_bad = None
    deadline = time.time() + a.timeout
    # Ready marker for the caller: the socket is bound.
    open(a.out + ".ready", "w").close()
    while got < want and time.time() < deadline:
        if a.idle and last_t is not None and time.time() - last_t > a.idle:
            break
        try:
            data, anc, _, addr = s.recvmsg(65535, socket.CMSG_SPACE(32))
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING or len(data) < 22:
            continue
        data = with_vlan(data, anc)
        if a.flows:
            sf = flow_seq(data, tagb)
            if sf is None:
                continue
            seq, flow = sf
            if seq in seen or seq < flow_next.get(flow, 0) or seq % a.flows != flow:
                dup_or_reorder += 1
                if seq in seen:
                    dups += 1
                elif seq < flow_next.get(flow, 0):
                    reordered += 1
                continue
            seen.add(seq)
            flow_next[flow] = seq + 1
            exp = make_flow_frame(a.tag, seq, a.flows, data[0:6], data[6:12])
        else:
            if struct.unpack("!H", data[12:14])[0] != ETHERTYPE or data[14:18] != tagb:
                continue
            seq = struct.unpack("!I", data[18:22])[0]
            if seq in seen:
                dup_or_reorder += 1
                dups += 1
                continue
            seen.add(seq)
            if seq != next_seq:
                dup_or_reorder += 1
            if seq < highest:
                reordered += 1
            highest = max(highest, seq)
            next_seq = next_wanted(seq + 1)
            exp = make_frame(a.tag, seq, data[0:6], data[6:12])
        if limit is not None and len(exp) > limit:
            oversize += 1  # should have been dropped on the way
        if data != exp:
            bad += 1
            if first_bad is None:
                first_bad = {"seq": seq, "len": len(data), "expected_len": len(exp)}
        got += 1
        nbytes += len(data)
        last_t = time.time()
        if first_t is None:
            first_t = last_t
    res = {"received": got, "bytes": nbytes, "corrupt": bad, "out_of_order_or_dup": dup_or_reorder,
           "missing": want - len(seen), "first_corrupt": first_bad,
           "duplicates": dups, "reordered": reordered,
           "seconds": round(last_t - first_t, 3) if first_t is not None else 0}
    if limit is not None:
        res["oversize_arrived"] = oversize
    # Frames the kernel dropped because this socket's buffer was full: a
    # loss here is the test rig's, not the relay's.
    res["socket_drops"] = struct.unpack("II", s.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))[1]
    with open(a.out, "w") as f:
        json.dump(res, f)
    print(json.dumps(res))
    return 0 if (got == want and bad == 0 and dup_or_reorder == 0 and oversize == 0) else 1


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    ps = sub.add_parser("send")
    ps.add_argument("iface")
    ps.add_argument("tag")
    ps.add_argument("count", type=int)
    ps.add_argument("--dst")
    ps.add_argument("--burst", type=int, default=32)
    ps.add_argument("--gap-ms", type=float, default=1.0)
    ps.add_argument("--flows", type=int, default=0)
    ps.add_argument("--rate", type=float, default=0)
    pr = sub.add_parser("recv")
    pr.add_argument("iface")
    pr.add_argument("tag")
    pr.add_argument("count", type=int)
    pr.add_argument("--timeout", type=float, default=30)
    pr.add_argument("--out", required=True)
    pr.add_argument("--flows", type=int, default=0)
    pr.add_argument("--deliverable", type=int)
    pr.add_argument("--idle", type=float, default=0)
    pr.add_argument("--rcvbuf", type=int, default=0)
    pf = sub.add_parser("flood")
    pf.add_argument("ifaces")
    pf.add_argument("--seconds", type=float, required=True)
    pf.add_argument("--gap-ms", type=float, default=1.0)
    pe = sub.add_parser("expect")
    pe.add_argument("tag")
    pe.add_argument("count", type=int)
    pe.add_argument("--flows", type=int, default=0)
    pe.add_argument("--deliverable", type=int)
    for sp in (ps, pr, pe, pf):
        sp.add_argument("--max-len", type=int, default=1514)
    a = p.parse_args()
    global MAX_LEN
    MAX_LEN = a.max_len
    if a.cmd == "send":
        return cmd_send(a)
    if a.cmd == "recv":
        return cmd_recv(a)
    if a.cmd == "flood":
        return cmd_flood(a)
    if a.deliverable is None:
        print(total_bytes(a.count, a.flows))
    else:  # how many frames are deliverable, and their bytes
        n = sum(1 for i in range(a.count) if deliverable(i, a.flows, a.deliverable))
        print(n, total_bytes(a.count, a.flows, a.deliverable))
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
