#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Unix socket peers that a faulty QEMU or a hostile local user would be.

    unix_listener.py flap PATH SECONDS   listen, accept one connection (or wait
                                         2 s), close, remove the file, again
    unix_listener.py full PATH SECONDS   a listener whose backlog is full: it
                                         never accepts, connects block
    unix_listener.py dgram PATH SECONDS  a datagram socket (like /dev/log)
    unix_listener.py squat PATH SECONDS  a stream listener that records what a
                                         connecting vhost-user front end sends
                                         and replies to (prints one JSON line
                                         at the end: connections, bytes_in)

Each writes PATH.ready once it listens, and exits after SECONDS.
"""
import json
import os
import socket
import stat
import sys
import time


def ready(path):
    with open(path + ".ready", "w"):
        pass


def flap(path, end):
    ready(path)
    while time.time() < end:
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.bind(path)
        s.listen(4)
        s.settimeout(2)
        try:
            c, _ = s.accept()
            c.close()
        except socket.timeout:
            pass
        s.close()
        try:
            os.unlink(path)
        except FileNotFoundError:
            pass
        time.sleep(0.15)


def full(path, end):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(0)
    # With backlog 0 one pending connection fills the queue.
    fillers = []
    for _ in range(2):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        c.setblocking(False)
        try:
            c.connect(path)
        except BlockingIOError:
            pass
        fillers.append(c)
    ready(path)
    time.sleep(max(0, end - time.time()))


def dgram(path, end):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    ready(path)
    time.sleep(max(0, end - time.time()))


def squat(path, end):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(8)
    s.settimeout(0.2)
    ready(path)
    conns, bytes_in = 0, 0
    peers = []
    while time.time() < end:
        try:
            c, _ = s.accept()
        except socket.timeout:
            continue
        conns += 1
        # Ask what a vhost-user back end answers to GET_FEATURES (1) and
        # SET_OWNER (3): a refused connection is closed before anything.
        c.settimeout(1)
        try:
            c.sendall(bytes([1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))
            c.sendall(bytes([3, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0]))
            while True:
                d = c.recv(4096)
                if not d:
                    break
                bytes_in += len(d)
        except (socket.timeout, OSError):
            pass
        c.close()
    print(json.dumps({"connections": conns, "bytes_in": bytes_in}), flush=True)


def swap(path, end, target):
    tmp = path + ".lnk"
    swaps = 0
    ready(path)
    while time.time() < end:
        try:
            os.symlink(target, tmp)
        except FileExistsError:
            pass
        while time.time() < end:
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue
            if stat.S_ISSOCK(st.st_mode):
                try:
                    os.rename(tmp, path)
                    swaps += 1
                except OSError:
                    pass
                break
            time.sleep(0.0005)
    print(json.dumps({"swaps": swaps}), flush=True)


def main():
    mode, path, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
    end = time.time() + secs
    if mode == "swap":
        swap(path, end, sys.argv[4])
        return
    {"flap": flap, "full": full, "dgram": dgram, "squat": squat}[mode](path, end)


if __name__ == "__main__":
    main()
