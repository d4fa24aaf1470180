#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Ping across a migration: what was lost, and which path carried the replies.

    pinggap.py PING_OUT [TCPDUMP_OUT T_START T_DONE PORT...]

PING_OUT is the output of `ping -D` (one "[time] N bytes from ...
icmp_seq=N" line per reply; its error lines are not replies).  Prints one line of key=value pairs:

  sent, replies, lost       requests sent (ping's summary, else the highest
                            sequence number answered), answered, not
  maxrun                    the longest run of consecutive unanswered sequence numbers
  gap                       the longest time between two replies, seconds
  tail_ok                   1 when the 10 requests before the last were all answered

With the text of `tcpdump -i any -n -tt 'icmp[icmptype] == icmp-echoreply'`
taken on the bridge's namespace, and the bridge ports to tell apart, it also
prints, on a second line, the path of each reply as runs of sequence numbers
("1-35:pria 36-46:lost 47-81:prib") and, on a third, how many replies
entered the bridge on each port before T_START, between T_START and T_DONE,
and after T_DONE ("before=pria:35,vfa:0 during=... after=...").
"""
import re
import sys


def main():
    seqs = {}
    for line in open(sys.argv[1]):
        # replies only: "[t] 64 bytes from ...: icmp_seq=N ...", not the
        # "[t] From 10.0.0.1 icmp_seq=N Destination Host Unreachable" errors
        m = re.match(r"\[(\d+\.\d+)\] \d+ bytes from .*icmp_seq=(\d+) ", line)
        if m:
            seqs[int(m.group(2))] = float(m.group(1))
    if not seqs:
        print("sent=0 replies=0 lost=0 maxrun=0 gap=0 tail_ok=0")
        return
    hi = max(seqs)
    for line in open(sys.argv[1]):  # the summary, when ping was stopped by SIGINT
        m = re.match(r"(\d+) packets transmitted", line)
        if m:
            hi = max(hi, int(m.group(1)))
    lost = [s for s in range(1, hi + 1) if s not in seqs]
    run = best = 0
    for s in range(1, hi + 1):
        run = run + 1 if s not in seqs else 0
        best = max(best, run)
    ts = sorted(seqs.values())
    gap = max([b - a for a, b in zip(ts, ts[1:])] or [0])
    # the last request may still be in flight when ping is stopped
    tail_ok = all(s in seqs for s in range(max(1, hi - 10), hi))
    print("sent=%d replies=%d lost=%d maxrun=%d gap=%.2f tail_ok=%d"
          % (hi, len(seqs), len(lost), best, gap, tail_ok))
    if len(sys.argv) < 6:
        return
    t_start, t_done = float(sys.argv[3]), float(sys.argv[4])
    ports = sys.argv[5:]
    via = {}
    phase = {p: {port: 0 for port in ports} for p in ("before", "during", "after")}
    for line in open(sys.argv[2]):
        m = re.match(r"(\d+\.\d+) (\S+) +\S+ +IP \S+ > \S+: ICMP echo reply, id \d+, seq (\d+)",
                     line)
        if not m or m.group(2) not in ports:
            continue
        t, port, seq = float(m.group(1)), m.group(2), int(m.group(3))
        via.setdefault(seq, port)
        p = "before" if t < t_start else "during" if t < t_done else "after"
        phase[p][port] += 1
    runs = []
    for s in range(1, hi + 1):
        what = via.get(s, "?") if s in seqs else "lost"
        if runs and runs[-1][2] == what:
            runs[-1][1] = s
        else:
            runs.append([s, s, what])
    print(" ".join("%d%s:%s" % (a, "" if a == b else "-%d" % b, w) for a, b, w in runs))
    print(" ".join("%s=%s" % (p, ",".join("%s:%d" % (port, n) for port, n in phase[p].items()))
                   for p in ("before", "during", "after")))


main()
