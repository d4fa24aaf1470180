#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""A stand-in for systemd's notification socket (sd_notify, Type=notify).

notify_listener.py SOCKET OUT [PATH...]: binds a datagram socket at SOCKET
and appends each message received to OUT, one line per assignment, as
"<seconds since start> <assignment>".  When a message holds READY=1, it
checks at that moment that every PATH exists and appends
"<t> check <PATH> present|MISSING" for each: what the daemon promised to
have done before it says it is ready.  Runs until killed.
"""
import os
import socket
import sys
import time

sock_path, out_path, paths = sys.argv[1], sys.argv[2], sys.argv[3:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
t0 = time.monotonic()
with open(out_path, "a", buffering=1) as out:
    out.write("%.3f listening\n" % 0.0)
    while True:
        msg = s.recv(4096).decode(errors="replace")
        t = time.monotonic() - t0
        for line in msg.split("\n"):
            if line:
                out.write("%.3f %s\n" % (t, line))
        if "READY=1" in msg.split("\n"):
            for p in paths:
                out.write("%.3f check %s %s\n" % (t, p, "present" if os.path.exists(p) else "MISSING"))
