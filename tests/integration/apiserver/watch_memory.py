"""Watch memory (issue 17): watches whose clients never read must not each pin a copy of the
collection, and a watcher that falls more than --watch-buffer-bytes behind is closed (as
kube-apiserver's cacher closes unresponsive watchers) while the official Python client
relists and carries on. Memory is measured (RSS from /proc), not timed.
Before the fix 100 stalled watches of a 4 MiB collection grew RSS by about 400 MiB."""
import json
import ssl
import sys
import threading
import time

from kubernetes import client, config, watch

from apiclient import Api, Checks, rss_bytes

kubeconfig, pid, admin = sys.argv[1], int(sys.argv[2]), sys.argv[3]
api = Api(kubeconfig)
c = Checks()
CM = "/api/v1/namespaces/default/configmaps"
OBJECTS, BLOB, WATCHERS = 64, 64 * 1024, 100
COLLECTION = OBJECTS * BLOB


def configmap(i, gen=0):
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": f"big-{i:03d}"},
            "data": {"gen": str(gen), "blob": chr(ord("a") + i % 26) * BLOB}}


def wait_until(what, cond, limit=120):
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.05)  # polling a condition, not waiting for time to pass
    c.check(what, False, "(condition not reached)")
    return False


def gauge(name):
    return api.metrics(admin).get(name, 0.0)


for i in range(OBJECTS):
    status, _ = api.json("POST", CM, configmap(i))
    assert status == 201, status
status, _, listed = api.request("GET", CM)
c.check("the collection is about 4 MiB", status == 200 and len(listed) > COLLECTION, len(listed))
before = rss_bytes(pid)

# ---- stalled watchers ----
stalled = []
headers_ok = 0
for _ in range(WATCHERS):
    s = api.stalled_watch(CM + "?watch=true")
    # Read the response header and the first body bytes: the server has started sending the
    # initial state (before the fix it had encoded all of it into one string by then).
    got = b""
    while b"\r\n\r\n" not in got or len(got) < got.index(b"\r\n\r\n") + 64:
        got += s.recv(1024)
    headers_ok += got.startswith(b"HTTP/1.1 200")
    stalled.append(s)
c.check("every stalled watch was answered 200", headers_ok == WATCHERS, headers_ok)
wait_until("all watches registered", lambda: gauge("ferrum_apiserver_watchers") >= WATCHERS)
grown = rss_bytes(pid) - before
print(f"       RSS {before / 2**20:.0f} MiB -> {(before + grown) / 2**20:.0f} MiB with {WATCHERS} stalled "
      f"watches of a {COLLECTION / 2**20:.0f} MiB collection", flush=True)
# One copy of the collection per watcher would be 400 MiB; a chunk per watcher is ~7 MiB.
c.check("stalled watches do not pin a copy of the collection each", grown < WATCHERS * COLLECTION / 8,
        f"grew {grown / 2**20:.0f} MiB")

# ---- a normal watcher keeps up, a paused one is dropped and relists ----
config.load_kube_config(config_file=kubeconfig)
core = client.CoreV1Api()
listed = core.list_namespaced_config_map("default")
rv = listed.metadata.resource_version
UPDATES = 400  # 25 MiB of events: more than a client's and the server's socket buffers plus
# --watch-buffer-bytes (2 MiB here), so a client that stops reading falls behind for sure

keeper_seen = []
keeper_error = []


def keeper():
    try:
        for ev in watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=rv,
                                       timeout_seconds=120):
            keeper_seen.append(ev["object"].data["gen"])
            if len(keeper_seen) == UPDATES:
                return
    except Exception as e:  # noqa: BLE001 - reported as a check below
        keeper_error.append(repr(e))


paused_stream = watch.Watch().stream(core.list_namespaced_config_map, "default", resource_version=rv,
                                     timeout_seconds=120)
keeper_thread = threading.Thread(target=keeper)
keeper_thread.start()
# Registered before the updates start, so it is never more than a buffer behind.
wait_until("the keeping-up watch is registered", lambda: gauge("ferrum_apiserver_watchers") >= WATCHERS + 1)
terminated_before = gauge("ferrum_apiserver_watchers_terminated_total")
for n in range(UPDATES):
    i = n % OBJECTS
    status, body = api.json("PATCH", f"{CM}/big-{i:03d}", {"data": {"gen": str(n + 1)}},
                            "application/merge-patch+json")
    assert status == 200, (status, body)
    if n == 0:
        first = next(paused_stream)  # the paused client reads one event, then stops reading
keeper_thread.join()
c.check("a watcher that keeps up sees every update", len(keeper_seen) == UPDATES and not keeper_error,
        f"{len(keeper_seen)} {keeper_error}")
c.check("the stalled and the paused watchers were dropped",
        wait_until("watchers dropped", lambda: gauge("ferrum_apiserver_watchers_terminated_total") >=
                   terminated_before + WATCHERS + 1))

closed = 0
for s in stalled:
    s.settimeout(30)
    try:
        while s.recv(65536):
            pass
        closed += 1
    except (ssl.SSLError, ConnectionError):
        closed += 1
    except TimeoutError:
        pass
    s.close()
c.check("every stalled watch's connection was closed by the server", closed == WATCHERS, closed)

# The paused client resumes: it gets what was sent before the drop, then the stream ends
# (cut off), and, as an informer does, it relists and watches again.
resumed = 0
try:
    for _ in paused_stream:
        resumed += 1
except Exception:  # noqa: BLE001 - the server cut the stream: that is the point
    pass
c.check("the paused watch ended before seeing every update", resumed + 1 < UPDATES, resumed)
relisted = core.list_namespaced_config_map("default")
gens = sorted(int(item.data["gen"]) for item in relisted.items)
c.check("the relist has every object at its latest state", len(relisted.items) == OBJECTS and
        gens[-1] == UPDATES, gens[-3:])
new_events = []


def rewatch():
    for ev in watch.Watch().stream(core.list_namespaced_config_map, "default",
                                   resource_version=relisted.metadata.resource_version, timeout_seconds=60):
        new_events.append((ev["type"], ev["object"].metadata.name))
        return


t = threading.Thread(target=rewatch)
t.start()
wait_until("the new watch is registered", lambda: gauge("ferrum_apiserver_watchers") >= 1)
api.json("POST", CM, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "after-relist"}})
t.join()
c.check("the watch after the relist sees new events", new_events == [("ADDED", "after-relist")], new_events)
after = rss_bytes(pid)
print(f"       RSS after the updates and drops: {after / 2**20:.0f} MiB", flush=True)
c.check("memory stays bounded through the drops", after - before < WATCHERS * COLLECTION / 8,
        f"{(after - before) / 2**20:.0f} MiB")
sys.exit(c.finish())
