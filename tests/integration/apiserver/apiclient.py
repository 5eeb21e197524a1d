"""Raw HTTPS requests to ferrum-apiserver from its kubeconfig: bytes in, status/headers/body
out, for requests no client library would send (invalid UTF-8, hostile nesting, stalled
readers)."""
import base64
import http.client
import json
import os
import socket
import ssl
import tempfile

import yaml


class Api:
    def __init__(self, kubeconfig):
        cfg = yaml.safe_load(open(kubeconfig))
        server = cfg["clusters"][0]["cluster"]["server"]
        self.token = cfg["users"][0]["user"]["token"]
        ca = base64.b64decode(cfg["clusters"][0]["cluster"]["certificate-authority-data"])
        fd, self.ca_file = tempfile.mkstemp(suffix=".crt")
        os.write(fd, ca)
        os.close(fd)
        self.ctx = ssl.create_default_context(cafile=self.ca_file)
        host, port = server[len("https://"):].rsplit(":", 1)
        self.host, self.port = host.strip("[]"), int(port)

    def request(self, method, path, body=None, content_type="application/json", headers=None):
        """One request on a fresh connection; returns (status, headers, body bytes)."""
        conn = http.client.HTTPSConnection(self.host, self.port, context=self.ctx, timeout=60)
        h = {"Authorization": "Bearer " + self.token}
        if body is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        if isinstance(body, str):
            body = body.encode()
        conn.request(method, path, body, h)
        resp = conn.getresponse()
        data = resp.read()
        conn.close()
        return resp.status, resp.getheaders(), data

    def json(self, method, path, obj=None, content_type="application/json"):
        status, _, data = self.request(method, path, None if obj is None else json.dumps(obj), content_type)
        return status, json.loads(data) if data else None

    def stalled_watch(self, path, rcvbuf=4096):
        """A watch whose client never reads: a TLS socket with a small receive buffer that has
        sent the request. Returns the socket (close it to end the watch)."""
        raw = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM)
        raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        raw.settimeout(30)
        raw.connect((self.host, self.port))
        s = self.ctx.wrap_socket(raw, server_hostname=self.host)
        s.sendall((f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAuthorization: Bearer {self.token}\r\n"
                   "Accept: application/json\r\n\r\n").encode())
        return s

    def metrics(self, admin):
        conn = http.client.HTTPConnection(admin, timeout=10)
        conn.request("GET", "/metrics")
        text = conn.getresponse().read().decode()
        conn.close()
        out = {}
        for line in text.splitlines():
            if line and not line.startswith("#"):
                name, _, value = line.rpartition(" ")
                out[name] = float(value)
        return out


def rss_bytes(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS")


class Checks:
    def __init__(self):
        self.passes = 0
        self.failures = 0

    def check(self, what, ok, detail=""):
        if ok:
            self.passes += 1
            print(f"ok   - {what}", flush=True)
        else:
            self.failures += 1
            print(f"FAIL - {what} {detail}", flush=True)

    def finish(self):
        print(f"{self.passes} passed, {self.failures} failed")
        return 1 if self.failures else 0
