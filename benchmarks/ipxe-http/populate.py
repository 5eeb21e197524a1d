#!/usr/bin/python3
"""Creates N Servers (half of them bound) and a `default` Environment in a Kubernetes API, fast
(a thread pool over the python kubernetes client). Usage: populate.py N ASSET_URL SHA512"""
import concurrent.futures
import sys

from kubernetes import client, config

n, asset_url, sha = int(sys.argv[1]), sys.argv[2], sys.argv[3]
config.load_kube_config()
api = client.CustomObjectsApi()


def uuid(i):
    return "%08x-0000-4000-8000-%012x" % (0xbe000000, i)


def create(i):
    api.create_cluster_custom_object("metal.sidero.dev", "v1alpha2", "servers", {
        "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server",
        "metadata": {"name": uuid(i)}, "spec": {"accepted": True}})
    if i % 2 == 0:
        api.create_cluster_custom_object("infrastructure.cluster.x-k8s.io", "v1alpha3", "serverbindings", {
            "apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha3", "kind": "ServerBinding",
            "metadata": {"name": uuid(i)},
            "spec": {"metalMachineRef": {"kind": "MetalMachine", "namespace": "default", "name": "m%d" % i}}})


api.create_cluster_custom_object("metal.sidero.dev", "v1alpha2", "environments", {
    "apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Environment", "metadata": {"name": "default"},
    "spec": {"kernel": {"url": asset_url + "/vmlinuz", "sha512": sha, "args": ["console=ttyS0"]},
             "initrd": {"url": asset_url + "/initramfs"}}})
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(create, range(n)))
print("created %d servers" % n)
