#!/usr/bin/env python3
"""Writes the metadata benchmark's fixtures into DIR:
  bootstrap.yaml   a ~20 KB Talos v1alpha1 machine config
  base.yaml        ServerClass `bench` (5 patches), Machines m0..mN-1, bootstrap Secrets, Servers
                   (5 patches each)
  Usage: make_fixtures.py DIR N
After the Machines exist, `make_fixtures.py DIR N --bindings machines.json` writes
bindings.yaml: MetalMachines owned by those Machines (real uids) and ServerBindings."""
import base64
import json
import sys

import yaml


def uuid_of(i):
    return "4c4c4544-0000-4000-8000-%012d" % i


def bootstrap():
    files = []
    for i in range(52):
        files.append({"path": "/var/etc/bench/file-%02d.conf" % i, "permissions": 0o644, "op": "create",
                      "content": ("# generated file %d\n" % i) + ("key%d = value-%d-abcdefghijklmnopqrstuvwxyz\n" % (i, i)) * 4})
    cfg = {
        "version": "v1alpha1", "debug": False, "persist": True,
        "machine": {
            "type": "worker", "token": "7x1vhd.q2r1v0c0a2bpd3kq",
            "ca": {"crt": "LS0tLS1CRUdJTi" + "A" * 600, "key": ""},
            "certSANs": ["node-%d.example.com" % i for i in range(20)],
            "kubelet": {"image": "ghcr.io/siderolabs/kubelet:v1.30.3", "defaultRuntimeSeccompProfileEnabled": True,
                        "extraArgs": {"node-labels": "rack=r1"}},
            "network": {}, "install": {"disk": "/dev/sda", "image": "ghcr.io/siderolabs/installer:v1.7.6", "wipe": False},
            "files": files,
            "sysctls": {"net.core.somaxconn": "65535", "vm.max_map_count": "262144"},
            "features": {"rbac": True, "stableHostname": True, "apidCheckExtKeyUsage": True},
        },
        "cluster": {
            "id": "abc", "secret": "def", "clusterName": "bench",
            "controlPlane": {"endpoint": "https://10.5.0.2:6443"},
            "network": {"dnsDomain": "cluster.local", "podSubnets": ["10.244.0.0/16"], "serviceSubnets": ["10.96.0.0/12"]},
            "token": "x" * 23, "ca": {"crt": "LS0t" + "B" * 1200, "key": ""},
            "discovery": {"enabled": True},
        },
    }
    text = yaml.safe_dump(cfg, sort_keys=False)
    return text


def main():
    d, n = sys.argv[1], int(sys.argv[2])
    if len(sys.argv) > 3 and sys.argv[3] == "--bindings":
        machines = {m["metadata"]["name"]: m["metadata"]["uid"] for m in json.load(open(sys.argv[4]))["items"]}
        docs = []
        for i in range(n):
            docs.append({"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha3", "kind": "MetalMachine",
                         "metadata": {"name": "mm%d" % i, "namespace": "default",
                                      "ownerReferences": [{"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine",
                                                           "name": "m%d" % i, "uid": machines["m%d" % i]}]},
                         "spec": {"serverClassRef": {"kind": "ServerClass", "name": "bench"}}})
            docs.append({"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha3", "kind": "ServerBinding",
                         "metadata": {"name": uuid_of(i)},
                         "spec": {"metalMachineRef": {"kind": "MetalMachine", "namespace": "default", "name": "mm%d" % i},
                                  "serverClassRef": {"kind": "ServerClass", "name": "bench"}}})
        yaml.safe_dump_all(docs, open(d + "/bindings.yaml", "w"))
        return
    text = bootstrap()
    open(d + "/bootstrap.yaml", "w").write(text)
    value = base64.b64encode(text.encode()).decode()
    docs = [{"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "ServerClass", "metadata": {"name": "bench"},
             "spec": {"configPatches": [
                 {"op": "add", "path": "/machine/install/extraKernelArgs", "value": ["console=ttyS0"]},
                 {"op": "replace", "path": "/machine/install/wipe", "value": True},
                 {"op": "add", "path": "/machine/network/nameservers", "value": ["10.0.0.53"]},
                 {"op": "add", "path": "/machine/sysctls/net.ipv4.ip_forward", "value": "1"},
                 {"op": "remove", "path": "/machine/features/apidCheckExtKeyUsage"}]}}]
    for i in range(n):
        docs.append({"apiVersion": "cluster.x-k8s.io/v1beta1", "kind": "Machine",
                     "metadata": {"name": "m%d" % i, "namespace": "default", "labels": {"cluster.x-k8s.io/cluster-name": "bench"}},
                     "spec": {"clusterName": "bench", "bootstrap": {"dataSecretName": "m%d-bootstrap" % i},
                              "infrastructureRef": {"apiVersion": "infrastructure.cluster.x-k8s.io/v1alpha3",
                                                    "kind": "MetalMachine", "namespace": "default", "name": "mm%d" % i}}})
        docs.append({"apiVersion": "v1", "kind": "Secret",
                     "metadata": {"name": "m%d-bootstrap" % i, "namespace": "default",
                                  "labels": {"cluster.x-k8s.io/cluster-name": "bench"}},
                     "type": "cluster.x-k8s.io/secret", "data": {"value": value}})
        docs.append({"apiVersion": "metal.sidero.dev/v1alpha2", "kind": "Server", "metadata": {"name": uuid_of(i)},
                     "spec": {"accepted": True, "configPatches": [
                         {"op": "add", "path": "/machine/install/extraKernelArgs/-", "value": "net.ifnames=0"},
                         {"op": "replace", "path": "/machine/install/disk", "value": "/dev/nvme0n1"},
                         {"op": "add", "path": "/machine/network/hostname", "value": "node-%d" % i},
                         {"op": "copy", "from": "/machine/install/image", "path": "/machine/installImageCopy"},
                         {"op": "test", "path": "/machine/type", "value": "worker"}]}})
    yaml.safe_dump_all(docs, open(d + "/base.yaml", "w"))


main()
