"""Writers doing concurrent creates against ferrum-apiserver until it is killed; prints the
names whose create got 201 (one per line) to the file given. Used by durability_test.sh."""
import http.client
import json
import ssl
import sys
import threading

import yaml

kubeconfig, out_path, writers = sys.argv[1], sys.argv[2], int(sys.argv[3])
cfg = yaml.safe_load(open(kubeconfig))
server = cfg["clusters"][0]["cluster"]["server"]
token = cfg["users"][0]["user"]["token"]
ca = cfg["clusters"][0]["cluster"]["certificate-authority-data"]
import base64
import tempfile

ca_file = tempfile.NamedTemporaryFile(delete=False, suffix=".crt")
ca_file.write(base64.b64decode(ca))
ca_file.close()
ctx = ssl.create_default_context(cafile=ca_file.name)
host, port = server[len("https://"):].rsplit(":", 1)
host = host.strip("[]")

lock = threading.Lock()
acked = open(out_path, "w")


def writer(n):
    conn = http.client.HTTPSConnection(host, int(port), context=ctx, timeout=10)
    i = 0
    while True:
        name = f"w{n:02d}-{i:06d}"
        body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name},
                           "data": {"i": str(i)}})
        try:
            conn.request("POST", "/api/v1/namespaces/default/configmaps", body,
                         {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
            resp = conn.getresponse()
            resp.read()
        except Exception:
            return  # the server is gone
        if resp.status == 201:
            with lock:
                acked.write(name + "\n")
                acked.flush()
        i += 1


threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
for t in threads:
    t.start()
for t in threads:
    t.join()
