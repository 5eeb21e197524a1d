#!/usr/bin/env bash
# Adopting a running Sidero Metal installation (docs/migrating-from-sidero.md), with the page's
# ```sh blocks run as written. Sidero's state is made the way Sidero v0.6.13 leaves it: its own
# CRD manifests (testdata/sidero-v0.6.13, created with kubectl as clusterctl does), objects in
# v1alpha1 and v1alpha2 with Sidero-only fields (hardware totals as strings), a ServerBinding
# and MetalMachines shaped as caps-controller-manager writes them (one moved by clusterctl, its
# metalMachineRef.uid stale), installed Servers, the Secret default/siderolink, and a node whose
# WireGuard tunnel Sidero configured (wireguard-go in its own network namespace).
# Then: Ferrum's CRDs replace Sidero's and every object reads back unchanged in the version it
# was written in; Ferrum's daemons start on Sidero's Secret; the Secret is not rewritten, the
# node's tunnel works again without a Provision, a Provision keeps its address, nothing is
# powered, wiped or re-bound, and the rendered config names Sidero's link endpoints.
# Usage: sidero_adoption_test.sh LINK_NODE_CLIENT
source "$(dirname "$0")/../lib.sh"
HERE=$(cd "$(dirname "$0")" && pwd)
CLIENT=$1
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root for network namespaces"; exit 77; fi
for t in wireguard-go wg ip jq busybox kubectl; do
  command -v $t >/dev/null || { echo "FAIL: $t missing (scripts/setup installs it)"; exit 1; }
done

# --- Outside: two network namespaces joined by a veth; the test itself runs in "mgmt", where
# the daemons listen on their default ports (nothing else runs there).
if [[ -z ${SIDERO_ADOPTION_MG:-} ]]; then
  MG=fsa-m$$ ND=fsa-n$$
  ip netns add "$MG" && ip netns add "$ND" || exit 1
  trap 'ip netns del "$MG" 2>/dev/null; ip netns del "$ND" 2>/dev/null; rm -f /var/run/wireguard/fsa*$$.sock' EXIT
  ip -n "$MG" link set lo up; ip -n "$ND" link set lo up
  ip link add "vm$$" netns "$MG" type veth peer name "vn$$" netns "$ND"
  ip -n "$MG" addr add 10.202.0.1/24 dev "vm$$"; ip -n "$MG" link set "vm$$" up
  ip -n "$ND" addr add 10.202.0.2/24 dev "vn$$"; ip -n "$ND" link set "vn$$" up
  ip netns exec "$MG" env SIDERO_ADOPTION_MG="$MG" SIDERO_ADOPTION_ND="$ND" \
    SIDERO_ADOPTION_TAG=$$ bash "$0" "$@"
  exit
fi
ND=$SIDERO_ADOPTION_ND TAG=$SIDERO_ADOPTION_TAG
N() { ip netns exec "$ND" "$@"; }
setup_tmp
echo "     - temporary directory: $TMP"
# kubectl's discovery cache is keyed by host:port; 127.0.0.1:6443 is every network-namespace
# test's API server, with other CRDs: this test's cache is its own.
export KUBECACHEDIR=$TMP/kube-cache
WORK=$TMP/work
mkdir -p "$WORK" && ln -s "$FERRUM_ROOT/charts" "$WORK/charts"
cd "$WORK" || exit 1

# --- Sidero's installation ------------------------------------------------------------------
# The API server without Ferrum's CRDs: Sidero's and Cluster API's are what a Sidero
# management cluster has.
mkdir -p "$TMP/api"
"$FERRUM_BIN/ferrum-apiserver" --listen 127.0.0.1:6443 --admin-listen 127.0.0.1:9400 \
  --data-dir "$TMP/api" --log-level warn >>"$TMP/api/log" 2>&1 &
track_pid $!
export KUBECONFIG=$TMP/api/kubeconfig
wait_until 20 kubectl get --raw /readyz || { echo "apiserver not ready"; cat "$TMP/api/log"; exit 1; }
kubectl create -f "$HERE/testdata/sidero-v0.6.13/crds/" >/dev/null || exit 1
kubectl create -f "$FERRUM_ROOT/charts/ferrum/crds-capi/" >/dev/null || exit 1
# Served a moment after the create: wait for every kind and version the objects below use.
for r in {servers,serverclasses,environments}.{v1alpha1,v1alpha2}.metal.sidero.dev \
  {serverbindings,metalmachines,metalclusters,metalmachinetemplates}.v1alpha3.infrastructure.cluster.x-k8s.io \
  {clusters,machines}.v1beta1.cluster.x-k8s.io; do
  wait_until 10 kubectl get "$r" -A || { echo "$r not served"; exit 1; }
done

# Sidero's SideroLink state (internal/siderolink/config.go: default/siderolink, the
# clusterctl move label, installation-id = a WireGuard key string). Fixed keys: test data.
INSTALLATION_ID=wMm3ioaN0lGWmtdVgKKk3R5PZ3cAsjjlzHPddaK8a3Q=
SERVER_PRIV=kJjE++KBtNhVFTRntz6SCcDHM8vyb7ysyBHw0i1+1FI=
SERVER_PUB=YSu6jIqg5ROZ8DtliS0aic+E8Ru6nZJOFI5tsulBbw0=
NODE_PRIV=sO09KpITKNcVeV87nZmIvJnYYWDn7bAZUr6OXErQ4Uw=
NODE_PUB=u7pzn94XpI4l7ffLsLxHahqsGDeELID/N7hxpld1qzA=
E_PUB=8vzRYfYnmqH9FFitQpVdeybpAdMckGO3hw7ZDLeZCVs=
# Sidero's addresses for that installation-id (wireguard.NetworkPrefix; the node's low 64 bits
# are random in Sidero, fixed here): the unit test siderolink_address_test has the same vector.
PREFIX=fd17:f051:d64e:4003 LINK_SERVER=fd17:f051:d64e:4003::1
A_ADDR=$PREFIX:9c4e:1a22:b0f0:7d31/64 E_ADDR=$PREFIX:0:1:2:3/64
kubectl create -f - >/dev/null <<YAML || exit 1
apiVersion: v1
kind: Secret
metadata:
  name: siderolink
  namespace: default
  labels: {clusterctl.cluster.x-k8s.io/move: ""}
data:
  installation-id: $(printf %s "$INSTALLATION_ID" | base64 -w0)
  private-key: $(printf %s "$SERVER_PRIV" | base64 -w0)
YAML

# Power: Sidero's "api" management endpoints for the Servers (ferrum-bmcd's test server).
python3 "$FERRUM_ROOT/tests/integration/bmcd/api_server.py" "$TMP/api.port" "$TMP/power.calls" &
track_pid $!
wait_until 10 test -s "$TMP/api.port" || { echo "api power server did not start"; exit 1; }
PWR=127.0.0.1:$(cat "$TMP/api.port")
curl -sf -X POST "http://$PWR/a/poweron" >/dev/null && curl -sf -X POST "http://$PWR/e/poweron" >/dev/null
: >"$TMP/power.calls"

A=4c4c4544-0042-3510-8051-c4c04f4e0a01  # installed, bound, its node's tunnel is up
B=4c4c4544-0042-3510-8051-c4c04f4e0b01  # v1alpha1, accepted, clean, free, off
C=4c4c4544-0042-3510-8051-c4c04f4e0c01  # discovered, not accepted
E=4c4c4544-0042-3510-8051-c4c04f4e0e01  # installed, its binding moved by clusterctl

# Objects as Sidero users have them: v1alpha1 and v1alpha2 of metal.sidero.dev,
# v1alpha3 of infrastructure, with Sidero-only shapes (totals as strings, v1alpha1 cpu/system,
# qualifiers.cpu/systemInformation). Status is what Sidero's controllers leave.
cat >sidero-v1alpha1.yaml <<YAML
apiVersion: metal.sidero.dev/v1alpha1
kind: Server
metadata:
  name: $B
  labels: {rack: r2}
  finalizers: [storage.finalizers.server.k8s.io]
spec:
  accepted: true
  hostname: node-b
  cpu: {manufacturer: Intel(R) Corporation, version: Intel(R) Xeon(R) CPU E5-2650 v4}
  system: {manufacturer: Dell Inc., productName: PowerEdge R630, serialNumber: 7XQ9R42, family: PowerEdge}
  managementApi: {endpoint: "http://$PWR/b"}
  configPatches:
  - {op: add, path: /machine/install/disk, value: /dev/sdb}
  pxeMode: bios
---
apiVersion: metal.sidero.dev/v1alpha1
kind: ServerClass
metadata:
  name: dell-r630
spec:
  qualifiers:
    cpu:
    - {manufacturer: Intel(R) Corporation, version: Intel(R) Xeon(R) CPU E5-2650 v4}
    systemInformation:
    - {manufacturer: Dell Inc., productName: PowerEdge R630}
    labelSelectors:
    - {rack: r2}
  configPatches:
  - {op: replace, path: /machine/install/disk, value: /dev/nvme0n1}
  bootFromDiskMethod: http-404
---
apiVersion: metal.sidero.dev/v1alpha1
kind: Environment
metadata:
  name: talos-v1-6
spec:
  kernel:
    url: http://mirror.example/talos/v1.6.7/vmlinuz-amd64
    sha512: ""
    args: [console=tty0, console=ttyS1,115200n8, talos.platform=metal, slab_nomerge, pti=on]
  initrd:
    url: http://mirror.example/talos/v1.6.7/initramfs-amd64.xz
YAML
cat >sidero-v1alpha2.yaml <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: $A
  labels: {rack: r1}
  finalizers: [storage.finalizers.server.k8s.io]
spec:
  accepted: true
  hostname: node-a
  environmentRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: Environment, name: default}
  managementApi: {endpoint: "http://$PWR/a"}
  bootFromDiskMethod: ipxe-exit
  strategicPatches: ["machine:\n  network:\n    hostname: node-a\n"]
  hardware:
    system: {uuid: $A, manufacturer: Supermicro, productName: SYS-5019C-MR, serialNumber: S1234, skuNumber: "", version: "0123456789", family: SMC X11}
    compute:
      totalCoreCount: 8
      totalThreadCount: 16
      processorCount: 1
      processors:
      - {manufacturer: Intel(R) Corporation, productName: Intel(R) Xeon(R) E-2278G CPU @ 3.40GHz, serialNumber: "", speed: 3400, coreCount: 8, threadCount: 16}
    memory:
      totalSize: 64 GB
      moduleCount: 4
      modules:
      - {manufacturer: Samsung, productName: M391A2K43DB1-CVF, serialNumber: 35E1D2A1, type: DDR4, size: 16384, speed: 2933}
    storage:
      totalSize: 960 GB
      deviceCount: 2
      devices:
      - {type: SSD, size: 480103981056, productName: SAMSUNG MZ7LH480, serialNumber: S45NNE0M, name: sda, deviceName: /dev/sda, uuid: "", wwid: naa.5002538e40d4a5b1}
      - {type: NVMe, size: 480103981056, productName: INTEL SSDPE2KX010T8, serialNumber: PHLJ9, name: nvme0n1, deviceName: /dev/nvme0n1, wwid: eui.01000000010000005cd2e4}
    network:
      interfaceCount: 2
      interfaces:
      - {index: 1, name: lo, flags: up|loopback, mtu: 65536, mac: "", addresses: [127.0.0.1/8]}
      - {index: 2, name: eno1, flags: up|broadcast|multicast, mtu: 1500, mac: "3c:ec:ef:01:02:03", addresses: [10.0.0.5/24]}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: $C
spec:
  accepted: false
  hardware:
    system: {uuid: $C, manufacturer: QEMU}
    memory: {totalSize: 2 GB, moduleCount: 1}
    storage: {totalSize: 10 GB, deviceCount: 1}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: $E
  labels: {rack: r1}
  finalizers: [storage.finalizers.server.k8s.io]
spec:
  accepted: true
  hostname: node-e
  managementApi: {endpoint: "http://$PWR/e"}
  hardware:
    memory: {totalSize: 32 GB, moduleCount: 2}
    storage: {totalSize: 240 GB, deviceCount: 1}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: any
spec:
  qualifiers: {}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: r1-64g
spec:
  environmentRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: Environment, name: default}
  qualifiers:
    hardware:
    - memory: {totalSize: 64 GB}
      system: {manufacturer: Supermicro}
    labelSelectors:
    - {rack: r1}
  selector:
    matchExpressions:
    - {key: rack, operator: In, values: [r1]}
  configPatches:
  - {op: add, path: /cluster/allowSchedulingOnControlPlanes, value: true}
  strategicPatches: ["machine:\n  kubelet:\n    extraArgs:\n      max-pods: \"250\"\n"]
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Environment
metadata:
  name: default
spec:
  kernel:
    url: https://github.com/siderolabs/talos/releases/download/v1.7.6/vmlinuz-amd64
    sha512: ""
    args: [console=tty0, console=ttyS0, consoleblank=0, earlyprintk=ttyS0, ima_appraise=fix, ima_hash=sha512, ima_template=ima-ng, init_on_alloc=1, initrd=initramfs.xz, nvme_core.io_timeout=4294967295, printk.devkmsg=on, pti=on, slab_nomerge=, talos.platform=metal]
  initrd:
    url: https://github.com/siderolabs/talos/releases/download/v1.7.6/initramfs-amd64.xz
    sha512: ""
YAML
kubectl create -f sidero-v1alpha1.yaml -f sidero-v1alpha2.yaml >/dev/null || exit 1
status() {  # status KIND NAME JSON: what Sidero's controllers wrote into status.
  kubectl patch "$1" "$2" --subresource=status --type=merge -p "{\"status\":$3}" >/dev/null || exit 1
}
T0=2024-05-02T10:00:00Z T1=2024-05-02T10:20:00Z
status server.v1alpha2.metal.sidero.dev "$A" '{"ready":true,"inUse":true,"isClean":false,"power":"on","addresses":[{"type":"InternalIP","address":"10.0.0.5"}],"conditions":[{"type":"PowerCycle","status":"True","lastTransitionTime":"'$T0'"},{"type":"PXEBooted","status":"True","lastTransitionTime":"'$T1'"}]}'
status server.v1alpha2.metal.sidero.dev "$E" '{"ready":true,"inUse":true,"isClean":false,"power":"on","conditions":[{"type":"PXEBooted","status":"True","lastTransitionTime":"'$T1'"}]}'
status server.v1alpha1.metal.sidero.dev "$B" '{"ready":true,"inUse":false,"isClean":true,"power":"off"}'
status server.v1alpha2.metal.sidero.dev "$C" '{"ready":false,"inUse":false,"isClean":false,"power":"off"}'
status serverclass.v1alpha2.metal.sidero.dev any '{"serversAvailable":["'$B'"],"serversInUse":["'$A'","'$E'"]}'
status environment.v1alpha2.metal.sidero.dev default '{"conditions":[{"url":"https://github.com/siderolabs/talos/releases/download/v1.7.6/vmlinuz-amd64","sha512":"","status":"True","type":"Ready"},{"url":"https://github.com/siderolabs/talos/releases/download/v1.7.6/initramfs-amd64.xz","sha512":"","status":"True","type":"Ready"}]}'

# Cluster API objects and Sidero's infrastructure objects, owner references with real uids.
kubectl create -f - >/dev/null <<YAML || exit 1
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata: {name: c1, namespace: default}
spec:
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalCluster, name: c1, namespace: default}
YAML
kubectl patch cluster c1 -n default --subresource=status --type=merge -p '{"status":{"infrastructureReady":true}}' >/dev/null
CUID=$(kubectl get cluster c1 -n default -o jsonpath='{.metadata.uid}')
machine() {  # machine NAME METAL_MACHINE
  kubectl create -f - >/dev/null <<YAML || exit 1
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: $1
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
spec:
  clusterName: c1
  bootstrap: {dataSecretName: $1-bootstrap}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalMachine, name: $2, namespace: default}
YAML
  kubectl get machine "$1" -n default -o jsonpath='{.metadata.uid}'
}
MA=$(machine m-cp-0 c1-cp-0) ME=$(machine m-worker-0 c1-worker-0)
kubectl create -f - >/dev/null <<YAML || exit 1
apiVersion: v1
kind: Secret
metadata:
  name: m-cp-0-bootstrap
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
type: cluster.x-k8s.io/secret
stringData:
  value: |
    version: v1alpha1
    machine:
      type: controlplane
      install: {disk: /dev/sda}
      kubelet: {extraArgs: {rotate-server-certificates: "true"}}
    cluster:
      clusterName: c1
      controlPlane: {endpoint: "https://10.5.0.1:6443"}
YAML
cat >sidero-v1alpha3.yaml <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalCluster
metadata:
  name: c1
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
  finalizers: [metalcluster.infrastructure.cluster.x-k8s.io]
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: c1, uid: $CUID, controller: true, blockOwnerDeletion: true}
spec:
  controlPlaneEndpoint: {host: 10.5.0.1, port: 6443}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachineTemplate
metadata:
  name: c1-workers
  namespace: default
spec:
  template:
    spec:
      serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: r1-64g}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: c1-cp-0
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1, cluster.x-k8s.io/control-plane: ""}
  finalizers: [metalmachine.infrastructure.cluster.x-k8s.io]
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: m-cp-0, uid: $MA, controller: true, blockOwnerDeletion: true}
spec:
  providerID: sidero://$A
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: any}
  serverRef: {kind: Server, name: $A}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: c1-worker-0
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1, cluster.x-k8s.io/deployment-name: c1-workers}
  finalizers: [metalmachine.infrastructure.cluster.x-k8s.io]
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: m-worker-0, uid: $ME, controller: true, blockOwnerDeletion: true}
spec:
  providerID: sidero://$E
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: r1-64g}
  serverRef: {kind: Server, name: $E}
YAML
kubectl create -f sidero-v1alpha3.yaml >/dev/null || exit 1
MMA=$(kubectl get metalmachine c1-cp-0 -n default -o jsonpath='{.metadata.uid}')
# caps-controller-manager's createServerBinding: metalMachineRef without apiVersion, the
# MetalMachine's labels copied, no finalizers or owners. E's uid is from before a
# `clusterctl move` (the MetalMachine got a new one).
cat >sidero-bindings.yaml <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata:
  name: $A
  labels: {cluster.x-k8s.io/cluster-name: c1, cluster.x-k8s.io/control-plane: ""}
spec:
  metalMachineRef: {kind: MetalMachine, uid: $MMA, namespace: default, name: c1-cp-0}
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: any}
  siderolink: {address: "$A_ADDR", publicKey: $NODE_PUB}
  addresses: [10.0.0.5]
  hostname: node-a
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata:
  name: $E
  labels: {cluster.x-k8s.io/cluster-name: c1, cluster.x-k8s.io/deployment-name: c1-workers}
spec:
  metalMachineRef: {kind: MetalMachine, uid: 0d6f2ab6-5c1e-4d0e-9a40-000000000001, namespace: default, name: c1-worker-0}
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: r1-64g}
  siderolink: {address: "$E_ADDR", publicKey: $E_PUB}
  addresses: [10.0.0.9]
  hostname: node-e
YAML
kubectl create -f sidero-bindings.yaml >/dev/null || exit 1
TALOS='[{"type":"TalosConfigLoaded","status":"True","lastTransitionTime":"'$T0'"},{"type":"TalosConfigValidated","status":"True","lastTransitionTime":"'$T0'"},{"type":"TalosInstalled","status":"True","lastTransitionTime":"'$T1'"}]'
status serverbinding "$A" '{"ready":true,"conditions":'"$TALOS"'}'
status serverbinding "$E" '{"ready":true,"conditions":'"$TALOS"'}'
PSET='{"type":"ProviderSet","status":"True","lastTransitionTime":"'$T1'"}'
kubectl patch metalmachine c1-cp-0 -n default --subresource=status --type=merge -p '{"status":{"ready":true,"addresses":[{"type":"InternalIP","address":"10.0.0.5"},{"type":"Hostname","address":"node-a"}],"conditions":'"${TALOS%]},$PSET]"'}}' >/dev/null
kubectl patch metalmachine c1-worker-0 -n default --subresource=status --type=merge -p '{"status":{"ready":true,"addresses":[{"type":"InternalIP","address":"10.0.0.9"},{"type":"Hostname","address":"node-e"}],"conditions":'"${TALOS%]},$PSET]"'}}' >/dev/null
kubectl patch metalcluster c1 -n default --subresource=status --type=merge -p '{"status":{"ready":true}}' >/dev/null

# The node Sidero provisioned: its wireguard-go as Talos set it up from Sidero's answer.
NIF=fsan$TAG
N env WG_PROCESS_FOREGROUND=1 wireguard-go "$NIF" >>"$TMP/node-wg.log" 2>&1 &
track_pid $!
wait_until 5 test -S "/var/run/wireguard/$NIF.sock" || { echo "node wireguard-go did not start"; cat "$TMP/node-wg.log"; exit 1; }
echo "$NODE_PRIV" >"$TMP/node.key"
N wg set "$NIF" private-key "$TMP/node.key" peer "$SERVER_PUB" endpoint 10.202.0.1:51821 \
  allowed-ips "$LINK_SERVER/128" persistent-keepalive 1
N ip addr add "$A_ADDR" dev "$NIF" nodad
N ip link set "$NIF" up

# Every object as written, read back in the version it was written in (after the CRDs change).
# python: each field of the manifest equals the field read (metadata: labels, finalizers,
# ownerReferences; status as patched is compared separately through the backup diff).
same_as_written() {
  local file=$1
  python3 - "$file" <<'PY'
import json, subprocess, sys, yaml
bad = 0
for doc in yaml.safe_load_all(open(sys.argv[1])):
    kind, (group, version) = doc["kind"], doc["apiVersion"].split("/")
    md = doc["metadata"]
    args = ["kubectl", "get", f"{kind.lower()}.{version}.{group}", md["name"], "-o", "json"]
    if "namespace" in md:
        args += ["-n", md["namespace"]]
    got = json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)
    want = {"apiVersion": doc["apiVersion"], "kind": kind, "spec": doc.get("spec"),
            "metadata": {k: md[k] for k in ("name", "namespace", "labels", "finalizers") if k in md}}
    have = {"apiVersion": got["apiVersion"], "kind": got["kind"], "spec": got.get("spec"),
            "metadata": {k: got["metadata"].get(k) for k in want["metadata"]}}
    if "ownerReferences" in md:
        want["metadata"]["ownerReferences"] = md["ownerReferences"]
        have["metadata"]["ownerReferences"] = got["metadata"].get("ownerReferences")
    if want != have:
        bad += 1
        print(f"{kind} {md['name']} ({doc['apiVersion']}) differs:\n  want {json.dumps(want, sort_keys=True)}\n  got  {json.dumps(have, sort_keys=True)}")
sys.exit(1 if bad else 0)
PY
}
check "Sidero's objects read back as written (before Ferrum)" same_as_written sidero-v1alpha2.yaml
SECRET_RV=$(kubectl -n default get secret siderolink -o jsonpath='{.metadata.resourceVersion}')
rv_of() { kubectl get "$@" -o jsonpath='{.metadata.resourceVersion}'; }
RV_BA=$(rv_of serverbinding "$A") RV_BE=$(rv_of serverbinding "$E")
# Servers: spec, finalizers and status as Sidero left them. (Not the resourceVersion: when
# ferrum-bmcd answers later than the reconciler's first look, status.power reads "unknown"
# for a moment, as it did under Sidero; nothing is powered then.)
server_state() { kubectl get server "$1" -o json | jq -S '{spec, finalizers: .metadata.finalizers, status}'; }
same_server_state() { server_state "$1" | diff -q "$TMP/server-$1.json" - >/dev/null; }
for s in $A $E $B $C; do server_state "$s" >"$TMP/server-$s.json"; done
RV_MA=$(rv_of metalmachine c1-cp-0 -n default) RV_ME=$(rv_of metalmachine c1-worker-0 -n default)

# --- The page, as written ---------------------------------------------------------------------
eval "$(python3 "$HERE/run_doc_steps.py" "$FERRUM_ROOT/docs/migrating-from-sidero.md")" || exit 1
# What this test does for each step: run it, or (needs a real cluster) the stand-in named.
declare -A INSTEAD=(
  [stop-sidero]="nothing: Sidero's Deployments and webhooks do not exist on ferrum-apiserver; no Sidero controller runs here"
  [start-helm]="start-binaries below: no Helm and no cluster here"
)
EXPECTED=(variables inventory stop-sidero backup replace-crds check-objects start-helm start-binaries verify)
equals "the page's steps are the ones this test knows" "${DOC_STEPS[*]}" "${EXPECTED[*]}"
export SIDERO_API_ENDPOINT=10.202.0.1 SIDERO_API_PORT=8081
export PATH=$FERRUM_BIN:$PATH
export FERRUM_INTERFACE=fsas$TAG  # linkd's interface: a name of this test's own
export FERRUM_LOG_LEVEL=debug
for step in "${DOC_STEPS[@]}"; do
  fn=doc_step_${step//-/_}
  if [[ -n ${INSTEAD[$step]:-} ]]; then
    echo "     - step $step: ${INSTEAD[$step]}"
    continue
  fi
  case $step in
    variables) $fn ;;
    start-binaries)
      $fn
      for pid in $(jobs -p); do track_pid "$pid"; done
      wait_until 20 curl -sf http://127.0.0.1:9410/readyz || { echo "linkd not ready"; cat ferrum-linkd.log; exit 1; }
      wait_until 20 curl -sf http://127.0.0.1:9422/readyz || { echo "reconciler not ready"; cat ferrum-reconciler.log; exit 1; }
      wait_until 20 curl -sf http://127.0.0.1:9403/readyz || { echo "metadata not ready"; cat ferrum-metadata.log; exit 1; }
      ;;
    verify)
      # Waits first for what the verification is about: every Server, binding and
      # MetalMachine reconciled at least once (their writes, if any, are then made).
      reconciled() {  # reconciled CONTROLLER=MIN...: reconcile counts at least MIN
        local m; m=$(curl -s http://127.0.0.1:9422/metrics)
        local c n
        for c in "$@"; do
          n=$(grep "^ferrum_reconcile_total{.*controller=\"${c%=*}\"" <<<"$m" | awk '{s+=$2} END {print s+0}')
          (( n >= ${c#*=} )) || return 1
        done
      }
      if wait_until 60 reconciled server=4 serverbinding=2 metalmachine=2 metalcluster=1; then
        pass "reconciler has reconciled every object"
      else
        fail "reconciler has reconciled every object"
        curl -s http://127.0.0.1:9422/metrics | grep -E '^ferrum_reconcile_total|leader' | sed 's/^/       /'
        tail -n 30 ferrum-reconciler.log | sed 's/^/       /'
      fi
      check "step $step (as written)" bash -c "set -e -o pipefail; $(declare -f $fn); $fn"
      ;;
    *) check "step $step (as written)" bash -c "set -e -o pipefail; $(declare -f $fn); $fn" ;;
  esac
done

# --- What the page promises, checked -----------------------------------------------------------
check "Sidero's objects read back as written, v1alpha1" same_as_written sidero-v1alpha1.yaml
check "Sidero's objects read back as written, v1alpha2" same_as_written sidero-v1alpha2.yaml
check "Sidero's objects read back as written, v1alpha3" same_as_written sidero-v1alpha3.yaml
check "Sidero's ServerBindings read back as written" same_as_written sidero-bindings.yaml
equals "v1alpha2 memory total stays a string" "$(kubectl get server "$A" -o jsonpath='{.spec.hardware.memory.totalSize}')" "64 GB"
equals "v1alpha1 cpu stays" "$(kubectl get server.v1alpha1.metal.sidero.dev "$B" -o jsonpath='{.spec.cpu.version}')" "Intel(R) Xeon(R) CPU E5-2650 v4"

inst=$(grep '"msg":"installation"' ferrum-linkd.log)
contains "linkd adopted Sidero's Secret (created false)" "$inst" '"created":false'
contains "linkd's prefix is Sidero's" "$inst" "\"prefix\":\"$PREFIX::/64\""
contains "linkd's server address is Sidero's" "$inst" "\"server_address\":\"$LINK_SERVER\""
contains "linkd's server key is Sidero's" "$inst" "\"public_key\":\"$SERVER_PUB\""
equals "the Secret was not written" "$(kubectl -n default get secret siderolink -o jsonpath='{.metadata.resourceVersion}')" "$SECRET_RV"
check "every binding is a peer from the start (A)" wait_until 10 bash -c "wg show $FERRUM_INTERFACE allowed-ips | grep -qF '$NODE_PUB	${A_ADDR%/64}/128'"
check "every binding is a peer from the start (E)" bash -c "wg show $FERRUM_INTERFACE allowed-ips | grep -qF '$E_PUB	${E_ADDR%/64}/128'"
check "Sidero's node reaches the link server again, without a Provision" \
  wait_until 15 N busybox ping -6 -c 1 -W 1 "$LINK_SERVER"

ans=$(N "$CLIENT" provision "$SIDERO_API_ENDPOINT:$SIDERO_API_PORT" "$A" "$NODE_PUB")
echo "       Provision at Sidero's apiUrl: $ans"
equals "a Provision keeps the node's address" "$(jq -r .node_address_prefix <<<"$ans")" "$A_ADDR"
equals "a Provision answers Sidero's server key" "$(jq -r .server_public_key <<<"$ans")" "$SERVER_PUB"
equals "a Provision answers Sidero's server address" "$(jq -r .server_address <<<"$ans")" "$LINK_SERVER"

out=$(N "$CLIENT" publish "[$LINK_SERVER]:4002" address node-a 10.0.0.5)
equals "the adopted node's events are accepted" "$out" "OK"
check "and attributed to its Server" grep -q "\"msg\":\"event\".*\"server\":\"$A\"" ferrum-linkd.log
out=$("$CLIENT" publish "[$LINK_SERVER]:4002" phase install start 2>&1)
contains "an event from an address without a binding is refused (Talos resends)" "$out" "ERROR UNKNOWN: failed to find ServerBindings for ip $LINK_SERVER"

cfg=$(curl -s "http://127.0.0.1:9091/configdata?uuid=$A")
contains "configdata keeps Sidero's SideroLink apiUrl" "$cfg" "apiUrl: grpc://$SIDERO_API_ENDPOINT:$SIDERO_API_PORT"
contains "configdata names Sidero's event sink" "$cfg" "[$LINK_SERVER]:4002"
contains "configdata's KmsgLogConfig is Sidero's remote-log" "$cfg" "name: remote-log"
contains "configdata's log URL is Sidero's" "$cfg" "tcp://[$LINK_SERVER]:4001"

check "Server B's power was read (the reconciler got to it)" wait_until 10 grep -q "GET /b/status" "$TMP/power.calls"
check "installed Servers' power was read" wait_until 10 bash -c "grep -q 'GET /a/status' '$TMP/power.calls' && grep -q 'GET /e/status' '$TMP/power.calls'"
equals "nothing was powered on, off or cycled" "$(grep -c '^POST' "$TMP/power.calls")" "0"
equals "binding A untouched" "$(rv_of serverbinding "$A")" "$RV_BA"
equals "binding E (moved by clusterctl, stale uid) untouched" "$(rv_of serverbinding "$E")" "$RV_BE"
equals "no binding created or deleted" "$(kubectl get serverbindings -o jsonpath='{.items[*].metadata.name}')" "$A $E"
for s in A E B C; do
  if wait_until 15 same_server_state "${!s}"; then
    pass "Server $s as Sidero left it (spec, finalizers, status)"
  else
    fail "Server $s as Sidero left it (spec, finalizers, status)"
    server_state "${!s}" | diff "$TMP/server-${!s}.json" - | sed 's/^/       /'
  fi
done
equals "MetalMachine c1-cp-0 untouched" "$(rv_of metalmachine c1-cp-0 -n default)" "$RV_MA"
equals "MetalMachine c1-worker-0 untouched" "$(rv_of metalmachine c1-worker-0 -n default)" "$RV_ME"
check "no Server was released" bash -c "! kubectl get events -A -o json | jq -e '[.items[] | select(.reason==\"Released\" or .reason==\"ServerReleased\" or .reason==\"ServerAllocated\")] | length > 0'"
finish
