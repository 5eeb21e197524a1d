#!/usr/bin/env bash
# templates/cluster-template.yaml as `clusterctl generate cluster --from` would use it: the
# variables substituted with clusterctl's rules (clusterctl_subst.py, which says where they come
# from), the result applied with kubectl to ferrum-apiserver loaded with Ferrum's CRDs, and
# every object read back with the values given. The Cluster API kinds Ferrum does not ship
# (MachineDeployment, TalosControlPlane, TalosConfigTemplate) come from testdata/.
source "$(dirname "$0")/../lib.sh"
here=$(cd "$(dirname "$0")" && pwd)
template=$FERRUM_ROOT/templates/cluster-template.yaml
subst() { "$PY" "$here/clusterctl_subst.py" "$@"; }
setup_tmp

check "substitution rules (self-test)" subst --self-test

# The variables clusterctl sets itself (client/config.go templateOptionsToVariables) and the
# ones the template documents. CONTROL_PLANE_PORT is left unset: it has a default.
vars=(
  CLUSTER_NAME=rack1 NAMESPACE=tenant-a CONTROL_PLANE_MACHINE_COUNT=3 WORKER_MACHINE_COUNT=2
  KUBERNETES_VERSION=v1.30.3 TALOS_VERSION=1.7 CONTROL_PLANE_ENDPOINT=10.10.0.100
  CONTROL_PLANE_SERVERCLASS=masters WORKER_SERVERCLASS=workers
)

# Every variable without a default is required: dropping two names exactly those two.
partial=()
for v in "${vars[@]}"; do
  case $v in TALOS_VERSION=* | WORKER_SERVERCLASS=*) ;; *) partial+=("$v") ;; esac
done
out=$(env -i "${partial[@]}" "$PY" "$here/clusterctl_subst.py" "$template" 2>&1 >/dev/null)
rc=$?
equals "missing variables are an error" "$rc" 1
contains "the error names them, sorted" "$out" "value for variables [TALOS_VERSION, WORKER_SERVERCLASS] is not set"
unset_port=$(env -i "${vars[@]}" CONTROL_PLANE_PORT= "$PY" "$here/clusterctl_subst.py" "$template")
contains "an empty CONTROL_PLANE_PORT takes the default" "$unset_port" "port: 6443"
custom_port=$(env -i "${vars[@]}" CONTROL_PLANE_PORT=7443 "$PY" "$here/clusterctl_subst.py" "$template")
contains "CONTROL_PLANE_PORT overrides the default" "$custom_port" "port: 7443"

env -i "${vars[@]}" "$PY" "$here/clusterctl_subst.py" "$template" >"$TMP/cluster.yaml"
check "the template substitutes with the documented variables" test -s "$TMP/cluster.yaml"
no_dollar() { ! grep -n '\$' "$1"; }
check "nothing is left unsubstituted" no_dollar "$TMP/cluster.yaml"

start_apiserver api --crd-dir "$here/testdata"
# Cluster API finds an infrastructure kind's apiVersion in these CRD labels
# (internal/contract/version.go): they must survive ferrum-apiserver's loading.
for crd in metalclusters metalmachines metalmachinetemplates serverbindings; do
  labels=$(kubectl get crd "$crd.infrastructure.cluster.x-k8s.io" -o jsonpath='{.metadata.labels}')
  contains "CRD $crd carries the v1beta1 contract label" "$labels" '"cluster.x-k8s.io/v1beta1":"v1alpha3"'
done
labels=$(kubectl get crd servers.metal.sidero.dev -o jsonpath='{.metadata.labels}')
contains "CRD servers carries clusterctl's move label" "$labels" '"clusterctl.cluster.x-k8s.io/move":""'

check "namespace tenant-a" kubectl create namespace tenant-a
applied=$(kubectl apply -f "$TMP/cluster.yaml" 2>&1)
echo "$applied" | sed 's/^/       /'
count=$(grep -c ' created$' <<<"$applied")
equals "kubectl apply creates all seven objects" "$count" 7

get() { kubectl -n tenant-a get "$1" "$2" -o "jsonpath=$3" 2>&1; }
mmt=metalmachinetemplates.infrastructure.cluster.x-k8s.io
equals "Cluster infrastructureRef" \
  "$(get clusters.cluster.x-k8s.io rack1 '{.spec.infrastructureRef.kind}/{.spec.infrastructureRef.namespace}/{.spec.infrastructureRef.name}')" \
  "MetalCluster/tenant-a/rack1"
equals "Cluster controlPlaneRef" \
  "$(get clusters.cluster.x-k8s.io rack1 '{.spec.controlPlaneRef.kind}/{.spec.controlPlaneRef.name}')" \
  "TalosControlPlane/rack1-cp"
equals "MetalCluster endpoint (port defaulted, an integer)" \
  "$(kubectl -n tenant-a get metalcluster rack1 -o json | "$PY" -c 'import json,sys; e=json.load(sys.stdin)["spec"]["controlPlaneEndpoint"]; print(e["host"], repr(e["port"]))')" \
  "10.10.0.100 6443"
equals "control plane MetalMachineTemplate serverClassRef" \
  "$(get $mmt rack1-cp '{.spec.template.spec.serverClassRef.kind}/{.spec.template.spec.serverClassRef.name}')" \
  "ServerClass/masters"
equals "worker MetalMachineTemplate serverClassRef" \
  "$(get $mmt rack1-workers '{.spec.template.spec.serverClassRef.kind}/{.spec.template.spec.serverClassRef.name}')" \
  "ServerClass/workers"
tcp=$(kubectl -n tenant-a get taloscontrolplane rack1-cp -o json)
equals "TalosControlPlane version, replicas, template, talosVersion" \
  "$("$PY" -c 'import json,sys; s=json.load(sys.stdin)["spec"]; print(s["version"], repr(s["replicas"]), s["infrastructureTemplate"]["name"], repr(s["controlPlaneConfig"]["controlplane"]["talosVersion"]), s["controlPlaneConfig"]["controlplane"]["generateType"])' <<<"$tcp")" \
  "v1.30.3 3 rack1-cp '1.7' controlplane"
equals "TalosConfigTemplate joins with the Talos version as a string" \
  "$(kubectl -n tenant-a get talosconfigtemplate rack1-workers -o json | "$PY" -c 'import json,sys; s=json.load(sys.stdin)["spec"]["template"]["spec"]; print(s["generateType"], repr(s["talosVersion"]))')" \
  "join '1.7'"
md=$(kubectl -n tenant-a get machinedeployment rack1-workers -o json)
equals "MachineDeployment cluster, replicas, version, bootstrap and infrastructure" \
  "$("$PY" -c 'import json,sys; s=json.load(sys.stdin)["spec"]; t=s["template"]["spec"]; print(s["clusterName"], repr(s["replicas"]), t["version"], t["bootstrap"]["configRef"]["kind"], t["bootstrap"]["configRef"]["name"], t["infrastructureRef"]["kind"], t["infrastructureRef"]["name"])' <<<"$md")" \
  "rack1 2 v1.30.3 TalosConfigTemplate rack1-workers MetalMachineTemplate rack1-workers"

# Sidero's printer columns on the new MetalCluster (infrastructure.cluster.x-k8s.io_metalclusters.yaml).
header=$(kubectl -n tenant-a get metalcluster rack1 -o wide | head -1)
equals "MetalCluster columns" "$(echo $header)" "NAME CLUSTER READY ENDPOINT AGE"

finish
