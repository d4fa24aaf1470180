#!/usr/bin/env python3
"""Send and check numbered Ethernet frames over a kernel interface (AF_PACKET).

Frame i of a stream is fully determined by (stream tag, i): length 60..1514
bytes, EtherType 0x88B5 (local experimental), payload = tag, sequence number
and SHA-256-derived bytes.  The receiver checks every frame byte for byte,
that all arrive, in order, with no duplicates, and prints a JSON summary.

  frames.py send IFACE TAG COUNT [--dst MAC] [--burst N] [--gap-ms MS]
  frames.py recv IFACE TAG COUNT --timeout S --out FILE
  frames.py expect TAG COUNT      (prints the expected total bytes)
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


def make_frame(tag, i, dst=b"\xff" * 6, src=b"\x02\x00\x00\x00\x00\x01"):
    n = frame_len(i)
    head = dst + src + struct.pack("!H", ETHERTYPE) + tag.encode()[:4].ljust(4, b"_") + struct.pack("!I", i)
    body = b""
    block = 0
    while len(head) + len(body) < n:
        body += hashlib.sha256(b"%s:%d:%d" % (tag.encode(), i, block)).digest()
        block += 1
    return (head + body)[:n]


def parse_mac(s):
    return bytes(int(x, 16) for x in s.split(":"))


def cmd_send(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    s.bind((a.iface, 0))
    dst = parse_mac(a.dst) if a.dst else b"\xff" * 6
    sent = 0
    for i in range(a.count):
        f = make_frame(a.tag, i, dst)
        while True:
            try:
                s.send(f)
                break
            except OSError:  # ENOBUFS: the queue is full, let it drain
                time.sleep(0.001)
        sent += 1
        if sent % a.burst == 0:
            time.sleep(a.gap_ms / 1000.0)
    print(json.dumps({"sent": sent, "bytes": sum(frame_len(i) for i in range(a.count))}))


def cmd_recv(a):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024 * 1024)
    s.bind((a.iface, 0))
    s.settimeout(0.2)
    tagb = a.tag.encode()[:4].ljust(4, b"_")
    got = 0
    nbytes = 0
    bad = 0
    dup_or_reorder = 0
    next_seq = 0
    seen = set()
    first_bad = None
    deadline = time.time() + a.timeout
    # Ready marker for the caller: the socket is bound.
    open(a.out + ".ready", "w").close()
    while got < a.count and time.time() < deadline:
        try:
            data, addr = s.recvfrom(65535)
        except socket.timeout:
            continue
        if addr[2] == PACKET_OUTGOING or len(data) < 22:
            continue
        if struct.unpack("!H", data[12:14])[0] != ETHERTYPE or data[14:18] != tagb:
            continue
        seq = struct.unpack("!I", data[18:22])[0]
        if seq in seen:
            dup_or_reorder += 1
            continue
        seen.add(seq)
        if seq != next_seq:
            dup_or_reorder += 1
        next_seq = seq + 1
        exp = make_frame(a.tag, seq, data[0:6], data[6:12])
        if data != exp:
            bad += 1
            if first_bad is None:
                first_bad = {"seq": seq, "len": len(data), "expected_len": len(exp)}
        got += 1
        nbytes += len(data)
    res = {"received": got, "bytes": nbytes, "corrupt": bad, "out_of_order_or_dup": dup_or_reorder,
           "missing": a.count - len(seen), "first_corrupt": first_bad}
    with open(a.out, "w") as f:
        json.dump(res, f)
    print(json.dumps(res))
    return 0 if (got == a.count and bad == 0 and dup_or_reorder == 0) else 1


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
    pr = sub.add_parser("recv")
    pr.add_argument("iface")
    pr.add_argument("tag")
    pr.add_argument("count", type=int)
    pr.add_argument("--timeout", type=float, default=30)
    pr.add_argument("--out", required=True)
    pe = sub.add_parser("expect")
    pe.add_argument("tag")
    pe.add_argument("count", type=int)
    a = p.parse_args()
    if a.cmd == "send":
        return cmd_send(a)
    if a.cmd == "recv":
        return cmd_recv(a)
    print(sum(frame_len(i) for i in range(a.count)))
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
