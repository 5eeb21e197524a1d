#!/usr/bin/env bash
# ferrum-reconciler as the Cluster API infrastructure provider, against ferrum-apiserver, the
# real ferrum-registry, ferrum-bmcd and ipmi_sim: two MetalMachines racing for one Server of a
# ServerClass (exactly one wins, the other waits), power on + PXE for the allocated Server,
# TalosInstalled -> PXEBooted, ProviderSet on a second ferrum-apiserver playing the workload
# cluster, release (MetalMachine deleted) -> binding gone -> dirty -> wiped again -> the
# waiting MetalMachine gets it, serverRef allocation, cordon.
# Usage: capi_test.sh AGENT_CLIENT
source "$(dirname "$0")/reconciler_lib.sh"
reconciler_test_init "$1"
start_apiserver workload
WORKLOAD_KUBECONFIG=$KUBECONFIG
start_apiserver api
start_peers a d
PA=${BMC_PORT[a]} PD=${BMC_PORT[d]}
start_reconciler rec --leader-elect=false --server-reboot-timeout 30s --power-check-period 2s \
  --provider-set-retry 1s

UA=4c4c4544-0042-3510-8051-c4c04f4e0b01  # rack r1, BMC a
UC=4c4c4544-0042-3510-8051-c4c04f4e0b03  # no BMC, for serverRef
UD=4c4c4544-0042-3510-8051-c4c04f4e0b04  # rack r1, BMC d, cordoned

# clean_server UUID BMC PORT [RACK]: registered, BMC reported, labelled, accepted, wiped
# once (clean, off).
clean_server() {
  ac register "$1" --hostname "host-${1: -2}" >/dev/null
  [[ -n $2 ]] && ac bmc "$1" 127.0.0.1 "$3" admin password >/dev/null
  [[ -n ${4:-} ]] && kubectl label server "$1" rack="$4" >/dev/null
  kubectl patch server "$1" --type=merge -p '{"spec":{"accepted":true}}' >/dev/null
  if [[ -n $2 ]]; then wait_until 10 grep -q "power 1" "$TMP/bmc-$2/state/calls"; fi
  ac wiped "$1" >/dev/null
  wait_until 10 bash -c "[[ \$(kubectl get server $1 -o jsonpath='{.status.ready}') == true ]]"
}
clean_server $UA a "$PA" r1
check "A clean and off" wait_until 10 bash -c "[[ \$(bmc_state a power) == 0 ]]"
: >"$TMP/bmc-a/state/calls"

kubectl apply -f - >/dev/null <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: rack-r1
spec:
  selector:
    matchLabels:
      rack: r1
---
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: c1
  namespace: default
spec:
  infrastructureRef:
    apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
    kind: MetalCluster
    name: c1
    namespace: default
YAML
kubectl patch cluster c1 -n default --subresource=status --type=merge -p '{"status":{"infrastructureReady":true}}' >/dev/null
cuid=$(kubectl get cluster c1 -n default -o jsonpath='{.metadata.uid}')
kubectl apply -f - >/dev/null <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalCluster
metadata:
  name: c1
  namespace: default
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: c1, uid: $cuid}
spec:
  controlPlaneEndpoint: {host: 10.5.0.1, port: 6443}
YAML
check "MetalCluster ready (owned by its Cluster)" wait_until 10 bash -c "[[ \$(kubectl get metalcluster c1 -n default -o jsonpath='{.status.ready}') == true ]]"
check "ServerClass rack-r1 lists A available" wait_until 10 bash -c "[[ \$(kubectl get serverclass rack-r1 -o json | jq -c .status.serversAvailable) == '[\"$UA\"]' ]]"

# machine NAME SPEC-YAML: a Machine of cluster c1 and its MetalMachine (spec given).
machine() {
  kubectl apply -f - >/dev/null <<YAML
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: $1
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
spec:
  clusterName: c1
  bootstrap: {dataSecretName: $1-bootstrap}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalMachine, namespace: default, name: $1}
YAML
  local muid
  muid=$(kubectl get machine -n default "$1" -o jsonpath='{.metadata.uid}')
  cat >"$TMP/mm-$1.yaml" <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: $1
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: $1, uid: $muid}
spec:
$2
YAML
}
class_spec='  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: rack-r1}'
machine m1 "$class_spec"
machine m2 "$class_spec"
# Both MetalMachines appear in one request: they race for the one Server.
cat "$TMP/mm-m1.yaml" <(echo ---) "$TMP/mm-m2.yaml" | kubectl apply -f - >/dev/null

check "A bound" wait_until 10 kubectl get serverbinding $UA
winner=$(kubectl get serverbinding $UA -o jsonpath='{.spec.metalMachineRef.name}')
loser=m2; [[ $winner == m2 ]] && loser=m1
check "winner is m1 or m2" test "$winner" = m1 -o "$winner" = m2
# The loser's attempt has ended once it says there is no Server for it.
check "loser: Event NoServerAvailable" wait_until 5 has_event $loser NoServerAvailable
equals "exactly one binding" "$(kubectl get serverbindings -o name | wc -l)" "1"
check "winner: providerID sidero://A" wait_until 10 bash -c "[[ \$(kubectl get metalmachine $winner -n default -o jsonpath='{.spec.providerID}') == sidero://$UA ]]"
check "winner: ready" wait_until 5 bash -c "[[ \$(kubectl get metalmachine $winner -n default -o jsonpath='{.status.ready}') == true ]]"
equals "loser: no providerID" "$(kubectl get metalmachine $loser -n default -o jsonpath='{.spec.providerID}')" ""
equals "loser: not ready" "$(kubectl get metalmachine $loser -n default -o jsonpath='{.status.ready}')" ""
check "winner: Event ServerAllocated" has_event $winner ServerAllocated
check "binding ready" wait_until 5 bash -c "[[ \$(kubectl get serverbinding $UA -o jsonpath='{.status.ready}') == true ]]"
equals "binding's class" "$(kubectl get serverbinding $UA -o jsonpath='{.spec.serverClassRef.name}')" "rack-r1"
check "A in use, dirty" wait_until 5 bash -c "[[ \$(kubectl get server $UA -o json | jq -r '\"\(.status.inUse)/\(.status.isClean)\"') == true/false ]]"
check "Event Allocated on A" wait_until 5 has_event $UA Allocated
check "allocated A: PXE + power on" wait_until 10 grep -q "power 1" "$TMP/bmc-a/state/calls"
equals "allocated A: BMC calls" "$(calls a)" "boot pxe power 1 "
check "Event PoweredOn" wait_until 5 has_event $UA PoweredOn
check "ServerClass: A in use" wait_until 5 bash -c "[[ \$(kubectl get serverclass rack-r1 -o json | jq -c '[.status.serversAvailable,.status.serversInUse]') == '[[],[\"$UA\"]]' ]]"

# --- ProviderSet on the workload cluster -------------------------------------------------
check "ProviderSet=False NodeNotFound (no Secret yet)" wait_until 5 bash -c "[[ \$(cond 'metalmachine $winner -n default' ProviderSet reason) == KubeconfigMissing ]]"
kubectl create secret generic c1-kubeconfig -n default --from-file=value="$WORKLOAD_KUBECONFIG" >/dev/null
check "ProviderSet=False NodeNotFound" wait_until 10 bash -c "[[ \$(cond 'metalmachine $winner -n default' ProviderSet reason) == NodeNotFound ]]"
KUBECONFIG=$WORKLOAD_KUBECONFIG kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Node
metadata:
  name: worker-a
  labels: {metal.sidero.dev/uuid: $UA}
spec: {}
YAML
check "ProviderSet=True" wait_until 10 bash -c "[[ \$(cond 'metalmachine $winner -n default' ProviderSet status) == True ]]"
equals "workload Node got providerID" "$(KUBECONFIG=$WORKLOAD_KUBECONFIG kubectl get node worker-a -o jsonpath='{.spec.providerID}')" "sidero://$UA"
check "Event ProviderSet" wait_until 5 has_event $winner ProviderSet

# --- install reported -> PXEBooted ---------------------------------------------------------
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
kubectl patch serverbinding $UA --subresource=status --type=merge -p "{\"status\":{\"conditions\":[{\"type\":\"TalosInstalled\",\"status\":\"True\",\"lastTransitionTime\":\"$now\"}]}}" >/dev/null
kubectl patch serverbinding $UA --type=merge -p '{"spec":{"addresses":["10.5.0.11"],"hostname":"worker-a"}}' >/dev/null
check "A: PXEBooted=True" wait_until 10 bash -c "[[ \$(cond 'server $UA' PXEBooted status) == True ]]"
check "Event PXEBooted" wait_until 5 has_event $UA PXEBooted
check "MetalMachine: TalosInstalled copied" wait_until 10 bash -c "[[ \$(cond 'metalmachine $winner -n default' TalosInstalled status) == True ]]"
check "MetalMachine: addresses copied" wait_until 10 bash -c "[[ \$(kubectl get metalmachine $winner -n default -o json | jq -c .status.addresses) == '[{\"address\":\"10.5.0.11\",\"type\":\"InternalIP\"},{\"address\":\"worker-a\",\"type\":\"Hostname\"}]' ]]"

# --- serverRef allocation (a Server without BMC) -------------------------------------------
clean_server $UC "" "" none
machine m3 "  serverRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: Server, name: $UC}"
kubectl apply -f "$TMP/mm-m3.yaml" >/dev/null
check "serverRef: C bound to m3" wait_until 10 bash -c "[[ \$(kubectl get serverbinding $UC -o jsonpath='{.spec.metalMachineRef.name}') == m3 ]]"
check "m3 providerID" wait_until 10 bash -c "[[ \$(kubectl get metalmachine m3 -n default -o jsonpath='{.spec.providerID}') == sidero://$UC ]]"
check "C in use" wait_until 5 bash -c "[[ \$(kubectl get server $UC -o jsonpath='{.status.inUse}') == true ]]"
equals "$loser still waits (C was not in its class)" "$(kubectl get metalmachine $loser -n default -o jsonpath='{.spec.providerID}')" ""

# --- deletion of an allocated Server waits ----------------------------------------------
kubectl delete server $UC --wait=false >/dev/null
# The reconciler has seen the deletion once it says why it waits.
check "Event DeletionBlocked" wait_until 5 has_event $UC DeletionBlocked
check "allocated Server not deleted while bound" kubectl get server $UC
kubectl delete metalmachine m3 -n default --wait=false >/dev/null
check "released: deletion of C completes" wait_until 10 bash -c "! kubectl get server $UC"
check "m3 gone (finalizer dropped)" wait_until 10 bash -c "! kubectl get metalmachine m3 -n default"

# --- release: MetalMachine deleted -> binding gone -> dirty -> wipe -------------------------
: >"$TMP/bmc-a/state/calls"
kubectl delete metalmachine $winner -n default --wait=false >/dev/null
check "release: binding deleted" wait_until 10 bash -c "! kubectl get serverbinding $UA"
check "release: $winner gone" wait_until 10 bash -c "! kubectl get metalmachine $winner -n default"
check "Event ServerReleased" wait_until 5 has_event $winner ServerReleased
check "A: not in use, dirty" wait_until 10 bash -c "[[ \$(kubectl get server $UA -o json | jq -r '\"\(.status.inUse)/\(.status.isClean)\"') == false/false ]]"
check "A: PXEBooted dropped" wait_until 5 bash -c "[[ -z \$(cond 'server $UA' PXEBooted status) ]]"
check "Event Released" wait_until 5 has_event $UA Released
check "A: wipe cycle" wait_until 10 grep -q "power 1" "$TMP/bmc-a/state/calls"
equals "A: PXE + cycle (off, on)" "$(calls a)" "boot pxe power 0 power 1 "
equals "$loser waits while A is dirty" "$(kubectl get serverbinding $UA -o name 2>/dev/null)" ""
ac wiped $UA >/dev/null
check "wiped A goes to the waiting $loser" wait_until 10 bash -c "[[ \$(kubectl get serverbinding $UA -o jsonpath='{.spec.metalMachineRef.name}') == $loser ]]"
check "$loser providerID" wait_until 10 bash -c "[[ \$(kubectl get metalmachine $loser -n default -o jsonpath='{.spec.providerID}') == sidero://$UA ]]"
check "A on for $loser" wait_until 10 bash -c "[[ \$(bmc_state a power) == 1 ]]"

# --- cordon: never picked ------------------------------------------------------------------
ac register $UD --hostname host-d4 >/dev/null
kubectl patch server $UD --type=merge -p '{"spec":{"cordoned":true}}' >/dev/null
clean_server $UD d "$PD" r1
check "cordoned D not available in the class" wait_until 10 bash -c "[[ \$(kubectl get serverclass rack-r1 -o json | jq -c .status.serversAvailable) == '[]' ]]"
machine m4 "$class_spec"
kubectl apply -f "$TMP/mm-m4.yaml" >/dev/null
check "m4: Event NoServerAvailable" wait_until 10 has_event m4 NoServerAvailable
equals "cordoned D not bound" "$(kubectl get serverbinding $UD -o name 2>/dev/null)" ""
kubectl patch server $UD --type=merge -p '{"spec":{"cordoned":false}}' >/dev/null
check "uncordoned D goes to m4" wait_until 10 bash -c "[[ \$(kubectl get serverbinding $UD -o jsonpath='{.spec.metalMachineRef.name}') == m4 ]]"

errors=$(curl -s "http://$RECONCILER_ADMIN/metrics" | grep 'ferrum_reconcile_total{controller="metalmachine",result="error"}' | awk '{print $2}')
equals "no MetalMachine reconcile errors" "${errors:-0}" "0"
finish
