"""ferrum-apiserver against the official Python Kubernetes client (Debian's python3-kubernetes):
list and watch Servers through CustomObjectsApi, read a Secret through CoreV1Api."""
import sys
import threading
import time

from kubernetes import client, config, watch

config.load_kube_config(config_file=sys.argv[1])
api = client.CustomObjectsApi()
core = client.CoreV1Api()
G, V, P = "metal.sidero.dev", "v1alpha2", "servers"
failures = 0
passes = 0


def check(what, ok, detail=""):
    global failures, passes
    if ok:
        passes += 1
        print(f"ok   - {what}")
    else:
        failures += 1
        print(f"FAIL - {what} {detail}")


def server(name, accepted=False):
    return {"apiVersion": f"{G}/{V}", "kind": "Server", "metadata": {"name": name},
            "spec": {"accepted": accepted, "hostname": name[:8]}}


for i in range(3):
    api.create_cluster_custom_object(G, V, P, server(f"aaaaaaaa-0000-0000-0000-00000000000{i}"))
listed = api.list_cluster_custom_object(G, V, P)
names = sorted(o["metadata"]["name"] for o in listed["items"])
check("list returns the three servers", len(names) == 3, names)
rv = listed["metadata"]["resourceVersion"]
check("list has a resourceVersion", rv.isdigit(), rv)

page = api.list_cluster_custom_object(G, V, P, limit=2)
check("limit=2 returns two", len(page["items"]) == 2)
cont = page["metadata"].get("_continue") or page["metadata"].get("continue")
check("limit sets continue", bool(cont))
rest = api.list_cluster_custom_object(G, V, P, limit=2, _continue=cont)
check("continue returns the rest", len(rest["items"]) == 1 and rest["items"][0]["metadata"]["name"] == names[2])

events = []


def writer():
    time.sleep(0.5)
    api.create_cluster_custom_object(G, V, P, server("bbbbbbbb-0000-0000-0000-000000000001"))
    api.patch_cluster_custom_object(G, V, P, "bbbbbbbb-0000-0000-0000-000000000001", {"spec": {"accepted": True}})
    api.delete_cluster_custom_object(G, V, P, "bbbbbbbb-0000-0000-0000-000000000001")


t = threading.Thread(target=writer)
t.start()
w = watch.Watch()
for ev in w.stream(api.list_cluster_custom_object, G, V, P, resource_version=rv, timeout_seconds=10):
    if ev["object"]["metadata"]["name"].startswith("bbbbbbbb"):
        events.append((ev["type"], ev["object"]["spec"].get("accepted")))
    if len(events) == 3:
        w.stop()
t.join()
check("watch sees ADDED, MODIFIED, DELETED in order",
      events == [("ADDED", False), ("MODIFIED", True), ("DELETED", True)], events)

core.create_namespaced_secret("default", client.V1Secret(metadata=client.V1ObjectMeta(name="py"), string_data={"k": "v"}))
sec = core.read_namespaced_secret("py", "default")
check("secret stringData became data", sec.data == {"k": "dg=="}, sec.data)

try:
    api.get_cluster_custom_object(G, V, P, "does-not-exist")
    check("missing server is 404", False)
except client.exceptions.ApiException as e:
    check("missing server is 404", e.status == 404, e.status)

print(f"{passes} passed, {failures} failed")
sys.exit(1 if failures else 0)
