#!/usr/bin/env python3
"""Slowloris against an HTTP server on loopback (issue 17): many connections from one address
that trickle a request head one byte at a time, a legitimate client from a second loopback
address, and the connection cap filled from several addresses.

Usage: slowloris.py PORT ADMIN_PORT HEAD_TIMEOUT_S PER_CLIENT MAX_CONNECTIONS
Prints one JSON object with what it saw; the calling test judges it.
"""
import json
import socket
import sys
import time
import urllib.request

port, admin, head_timeout, per_client, max_conns = (int(sys.argv[1]), int(sys.argv[2]),
                                                     float(sys.argv[3]), int(sys.argv[4]),
                                                     int(sys.argv[5]))


def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect(("127.0.0.1", port))
    return s


def is_closed(s, wait):
    """True when the server closed s (EOF or reset) within `wait` seconds."""
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def get(src, path):
    s = connect(src)
    s.settimeout(10)
    s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    return int(data[9:12]) if data.startswith(b"HTTP/1.1 ") else 0


out = {}
# 1. Slowloris from 127.0.0.1: four times its share, each trickling a head.
slow = []
for _ in range(per_client * 4):
    try:
        s = connect("127.0.0.1")
        s.sendall(b"GET /boot.ipxe HTTP/1.1\r\n")
        slow.append(s)
    except OSError:
        pass
time.sleep(0.3)  # let the server accept (or refuse) them all
alive = []
for s in slow:
    if is_closed(s, 0.01):
        s.close()
    else:
        alive.append(s)
out["slow_held"] = len(alive)
# 2. A legitimate client from another address is served meanwhile.
out["legit_status"] = get("127.0.0.2", "/boot.ipxe")
# 3. The held connections trickle a byte every head_timeout/5 s; they must still be closed at
#    the total deadline (partial reads do not extend it).
start = time.monotonic()
closed_at = None
while time.monotonic() - start < head_timeout * 4:
    for s in list(alive):
        try:
            s.sendall(b"X")
        except OSError:
            pass
    if is_closed(alive[0], head_timeout / 5):
        closed_at = time.monotonic() - start
        break
out["slow_closed_after_s"] = closed_at
for s in alive:
    s.close()
# 4. Fill the cap from several addresses: /readyz says not ready while it is full.
filler = []
addr = 3
while len(filler) < max_conns and addr < 250:
    for _ in range(per_client):
        if len(filler) >= max_conns:
            break
        filler.append(connect(f"127.0.0.{addr}"))
    addr += 1
time.sleep(0.2)
try:
    urllib.request.urlopen(f"http://127.0.0.1:{admin}/readyz", timeout=5)
    out["readyz_full"] = 200
except urllib.error.HTTPError as e:
    out["readyz_full"] = e.code
    out["readyz_full_body"] = e.read().decode()
for s in filler:
    s.close()
print(json.dumps(out))
