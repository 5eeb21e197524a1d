"""Reconciler benchmark driver: talks to ferrum-apiserver directly (TLS + bearer token from the
kubeconfig). Subcommands:
  populate KUBECONFIG N CLASSES SIM_PORT   N accepted Servers (managementApi on the simulator,
                                           status.isClean=true, label class=c<i % CLASSES>) and
                                           CLASSES ServerClasses selecting them
  converge KUBECONFIG N CLASSES TIMEOUT    blocks until every Server has ready=true, power=off
                                           and every class lists its N/CLASSES Servers; prints
                                           the seconds it took
  latency KUBECONFIG K                     K times: un-accept one Server, time until the watch
                                           shows its status.ready=false; prints p50/p99 ms"""
import base64
import http.client
import json
import ssl
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import yaml

GROUP = "/apis/metal.sidero.dev/v1alpha2"


class Api:
    def __init__(self, kubeconfig):
        cfg = yaml.safe_load(open(kubeconfig))
        cluster = cfg["clusters"][0]["cluster"]
        user = cfg["users"][0]["user"]
        url = cluster["server"].removeprefix("https://")
        self.host, self.port = url.rsplit(":", 1)
        ca = tempfile.NamedTemporaryFile("wb", delete=False)
        ca.write(base64.b64decode(cluster["certificate-authority-data"]))
        ca.close()
        self.ctx = ssl.create_default_context(cafile=ca.name)
        self.ctx.check_hostname = False
        self.token = user["token"]
        self.local = threading.local()

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = http.client.HTTPSConnection(self.host, int(self.port), context=self.ctx, timeout=120)
            self.local.c = c
        return c

    def call(self, method, path, body=None, ctype="application/json"):
        for attempt in range(3):
            c = self.conn()
            try:
                headers = {"Authorization": "Bearer " + self.token, "Accept": "application/json"}
                data = None
                if body is not None:
                    data = json.dumps(body).encode()
                    headers["Content-Type"] = ctype
                c.request(method, path, body=data, headers=headers)
                r = c.getresponse()
                payload = r.read()
                if r.status >= 300:
                    raise RuntimeError(f"{method} {path}: {r.status} {payload[:200]!r}")
                return json.loads(payload)
            except (http.client.HTTPException, ConnectionError):
                self.local.c = None
                if attempt == 2:
                    raise


def uuid(i):
    return "00000000-0000-0000-0000-%012d" % i


def populate(api, n, classes, sim_port):
    def one(i):
        name = uuid(i)
        api.call("POST", GROUP + "/servers", {
            "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
            "metadata": {"name": name, "labels": {"class": "c%d" % (i % classes)}},
            "spec": {"accepted": True,
                     "managementApi": {"endpoint": "http://127.0.0.1:%d/m%d" % (sim_port, i)}}})
        api.call("PATCH", GROUP + "/servers/%s/status" % name, {"status": {"isClean": True}},
                 "application/merge-patch+json")
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(one, range(n)))
    for c in range(classes):
        api.call("POST", GROUP + "/serverclasses", {
            "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass",
            "metadata": {"name": "c%d" % c},
            "spec": {"selector": {"matchLabels": {"class": "c%d" % c}}}})


def converge(api, n, classes, timeout):
    start = time.monotonic()
    per_class = n // classes
    while time.monotonic() - start < timeout:
        servers = api.call("GET", GROUP + "/servers")["items"]
        done = sum(1 for s in servers
                   if s.get("status", {}).get("ready") and s.get("status", {}).get("power") == "off")
        if done == n:
            cls = api.call("GET", GROUP + "/serverclasses")["items"]
            full = sum(1 for c in cls if c["metadata"]["name"] != "any" and
                       len(c.get("status", {}).get("serversAvailable") or []) == per_class)
            if full == classes:
                print("%.2f" % (time.monotonic() - start))
                return
        time.sleep(0.2)
    print("timeout: %d of %d servers converged" % (done, n), file=sys.stderr)
    sys.exit(1)


def latency(api, k):
    samples = []
    for i in range(k):
        name = uuid(i)
        # The collection's current version (the object's own may be thousands of events back).
        rv = api.call("GET", GROUP + "/servers?limit=1")["metadata"]["resourceVersion"]
        # Watch this one Server from its current version, then change it.
        w = http.client.HTTPSConnection(api.host, int(api.port), context=api.ctx, timeout=30)
        w.request("GET", GROUP + "/servers?watch=1&fieldSelector=metadata.name%3D" + name +
                  "&resourceVersion=" + rv, headers={"Authorization": "Bearer " + api.token})
        resp = w.getresponse()
        t0 = time.monotonic()
        api.call("PATCH", GROUP + "/servers/" + name, {"spec": {"accepted": False}},
                 "application/merge-patch+json")
        while True:
            line = resp.readline()
            if not line:
                raise RuntimeError("watch ended")
            line = line.strip()
            if not line or line.isalnum():  # chunk sizes if the reader sees them
                continue
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            if ev.get("type") == "ERROR":
                raise RuntimeError("watch error: %s" % ev)
            st = ev.get("object", {}).get("status", {})
            if st.get("ready") is False or (ev.get("type") == "MODIFIED" and "ready" in st and not st["ready"]):
                samples.append((time.monotonic() - t0) * 1000)
                break
        w.close()
    samples.sort()
    p = lambda q: samples[min(len(samples) - 1, int(q * len(samples)))]
    print("%.1f %.1f %.1f" % (p(0.5), p(0.99), samples[-1]))


if __name__ == "__main__":
    cmd, kc = sys.argv[1], sys.argv[2]
    api = Api(kc)
    if cmd == "populate":
        populate(api, int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif cmd == "converge":
        converge(api, int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5]))
    elif cmd == "latency":
        latency(api, int(sys.argv[3]))
