#!/usr/bin/env python3
"""Idle TCP connects against ferrum-apiserver (issue 17): no TLS, no token, just connections
holding the handshake deadline. Usage: handshake_flood.py KUBECONFIG FLOOD HANDSHAKE_TIMEOUT_S
PER_ADDRESS PENDING_ROOM. Prints one JSON object with what it saw."""
import base64
import http.client
import json
import select
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import yaml

kubeconfig, flood, hs_timeout, per_addr, pending_room = (sys.argv[1], int(sys.argv[2]),
                                                          float(sys.argv[3]), int(sys.argv[4]),
                                                          int(sys.argv[5]))
cfg = yaml.safe_load(open(kubeconfig))
server = cfg["clusters"][0]["cluster"]["server"]
ca = base64.b64decode(cfg["clusters"][0]["cluster"]["certificate-authority-data"])
token = cfg["users"][0]["user"]["token"]
host, port = server[len("https://"):].rsplit(":", 1)
port = int(port)
with tempfile.NamedTemporaryFile(delete=False) as f:
    f.write(ca)
ctx = ssl.create_default_context(cafile=f.name)


def api(conn, path="/api/v1/namespaces"):
    conn.request("GET", path, headers={"Authorization": "Bearer " + token})
    r = conn.getresponse()
    r.read()
    return r.status


def connect(src):
    s = socket.socket()
    s.bind((src, 0))
    s.connect((host, port))
    return s


def closed(s, wait):
    s.settimeout(wait)
    try:
        return s.recv(1) == b""
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def open_ones(socks):
    """The sockets the server has not closed (a closed one reads as EOF or a reset)."""
    p = select.poll()
    by_fd = {s.fileno(): s for s in socks}
    for fd in by_fd:
        p.register(fd, select.POLLIN)
    gone = {by_fd[fd] for fd, _ in p.poll(0) if closed(by_fd[fd], 0.001)}
    return [s for s in socks if s not in gone]


def fresh_client():
    """One attempt of a new TLS client (no retries, unlike kubectl): status, or 0."""
    try:
        c = http.client.HTTPSConnection(host, port, context=ctx, timeout=5)
        status = api(c)
        c.close()
        return status
    except OSError:
        return 0


def kubectl():
    r = subprocess.run(["kubectl", "--kubeconfig", kubeconfig, "get", "namespaces", "-o", "name"],
                       capture_output=True, text=True, timeout=30)
    return r.returncode


out = {}
# A client that completed TLS before the flood, kept alive.
established = http.client.HTTPSConnection(host, port, context=ctx, timeout=10)
out["established_before"] = api(established)

# 1. One address opens FLOOD idle connects.
held = []
flood_start = time.monotonic()
for _ in range(flood):
    try:
        held.append(connect("127.0.0.3"))
    except OSError:
        break
time.sleep(0.5)
still = open_ones(held)
out["one_address_held"] = len(still)
out["new_client_during_one_address_flood"] = fresh_client()
out["kubectl_during_one_address_flood"] = kubectl()
out["established_during_one_address_flood"] = api(established)

# 2. Many addresses fill the room connections in a handshake may use.
many = []
addr = 10
while len(many) < pending_room + per_addr * 4 and addr < 250:
    for _ in range(per_addr):
        try:
            many.append(connect(f"127.0.0.{addr}"))
        except OSError:
            pass
    addr += 1
time.sleep(0.5)
out["established_during_many_address_flood"] = api(established)

# 3. Every idle connect is closed at the handshake deadline (counted from the flood's start).
deadline = flood_start + hs_timeout + 1
ok = bool(still) and closed(still[0], max(0.01, deadline - time.monotonic()))
out["idle_closed_by_deadline"] = ok
# The rest were accepted a little later (the server takes the flood off its accept queue under
# load): each has its own deadline from its accept. Wait for them, bounded well below the
# 10 s default deadline the flags replace.
limit = flood_start + 2 * hs_timeout + 2
left = open_ones(still)
while left and time.monotonic() < limit:
    time.sleep(0.1)
    left = open_ones(left)
out["idle_left_open"] = len(left)
for s in held + many:
    s.close()
out["kubectl_after"] = kubectl()
print(json.dumps(out))
