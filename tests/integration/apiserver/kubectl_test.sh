#!/usr/bin/env bash
# ferrum-apiserver against the real kubectl: discovery, apply in both metal.sidero.dev
# versions, printer columns, patches, finalizers, watches, secrets, and error answers.
source "$(dirname "$0")/../lib.sh"
setup_tmp
D=$(cd "$(dirname "$0")/testdata" && pwd)
start_apiserver api

# Discovery
out=$(kubectl api-resources 2>&1)
contains "api-resources lists servers" "$out" "servers"
contains "api-resources lists serverbindings" "$out" "serverbindings"
contains "api-resources lists leases" "$out" "leases"
out=$(kubectl api-versions 2>&1)
contains "api-versions has v1alpha1" "$out" "metal.sidero.dev/v1alpha1"
contains "api-versions has v1alpha2" "$out" "metal.sidero.dev/v1alpha2"

# Apply the documentation's v1alpha1 manifests and their v1alpha2 equivalents.
for f in server-v1alpha1 serverclass-v1alpha1 environment-v1alpha1 server-v1alpha2 serverclass-v1alpha2 environment-v1alpha2; do
  check "kubectl apply $f" kubectl apply -f "$D/$f.yaml"
done
S1=00000000-0000-0000-0000-d05099d33360
S2=4c4c4544-0035-5a10-8050-b4c04f4a4c32

# Read back in both versions.
equals "v1alpha1 server read as v1alpha2 has hardware.system" \
  "$(kubectl get servers.v1alpha2.metal.sidero.dev $S1 -o jsonpath='{.spec.hardware.system.productName}')" \
  "Standard PC (Q35 + ICH9, 2009)"
equals "v1alpha1 server read back as v1alpha1 keeps spec.cpu" \
  "$(kubectl get servers.v1alpha1.metal.sidero.dev $S1 -o jsonpath='{.spec.cpu.version}')" "pc-q35-5.2"
equals "v1alpha2 server read as v1alpha1 has spec.system" \
  "$(kubectl get servers.v1alpha1.metal.sidero.dev $S2 -o jsonpath='{.spec.system.manufacturer}')" "Dell Inc."
equals "v1alpha1 serverclass read as v1alpha2 has hardware qualifiers" \
  "$(kubectl get serverclasses.v1alpha2.metal.sidero.dev serverclass-sample -o jsonpath='{.spec.qualifiers.hardware[1].compute.processors[0].manufacturer}')" \
  "Advanced Micro Devices, Inc."
equals "environment in v1alpha1" \
  "$(kubectl get environments.v1alpha1.metal.sidero.dev example -o jsonpath='{.spec.kernel.args[0]}')" "console=tty0"

# Printer columns
out=$(kubectl get servers -o wide 2>&1)
header=$(echo "$out" | head -1)
for col in NAME HOSTNAME "BMC IP" ACCEPTED CORDONED ALLOCATED CLEAN POWER AGE; do
  contains "get servers -o wide shows $col" "$header" "$col"
done
contains "wide output shows the BMC IP" "$out" "10.0.0.21"
contains "wide output shows the hostname" "$out" "node-1"
out=$(kubectl get servers 2>&1 | head -1)
if [[ $out == *"BMC IP"* ]]; then fail "BMC IP is a wide-only column"; else pass "BMC IP is a wide-only column"; fi
out=$(kubectl get serverclasses 2>&1 | head -1)
contains "serverclass columns" "$out" "AVAILABLE"
out=$(kubectl get environments 2>&1 | head -1)
contains "environment columns" "$out" "KERNEL"

# Patches
check "json patch accepts a server" kubectl patch server $S1 --type=json -p '[{"op":"replace","path":"/spec/accepted","value":true}]'
equals "accepted is true" "$(kubectl get server $S1 -o jsonpath='{.spec.accepted}')" "true"
out=$(kubectl get server $S1 2>&1)
contains "ACCEPTED column shows true" "$out" "true"
check "merge patch sets cordoned" kubectl patch server $S2 --type=merge -p '{"spec":{"cordoned":true}}'
equals "cordoned is true" "$(kubectl get server $S2 -o jsonpath='{.spec.cordoned}')" "true"
out=$(kubectl patch server $S1 --type=json -p '[{"op":"replace","path":"/spec/nope/x","value":1}]' 2>&1 || true)
contains "a failing json patch names the path" "$out" "/spec/nope/x"
gen_before=$(kubectl get server $S2 -o jsonpath='{.metadata.generation}')
kubectl patch server $S2 --type=merge -p '{"spec":{"hostname":"node-1b"}}' >/dev/null
gen_after=$(kubectl get server $S2 -o jsonpath='{.metadata.generation}')
equals "generation bumps on spec change" "$gen_after" "$((gen_before + 1))"

# Apply twice: the second is unchanged.
out=$(kubectl apply -f "$D/environment-v1alpha2.yaml" 2>&1)
contains "second apply is unchanged" "$out" "unchanged"

# Status subresource: spec changes through /status are ignored, status changes through the main resource too.
kubectl patch server $S2 --subresource=status --type=merge -p '{"status":{"power":"on"},"spec":{"hostname":"ignored"}}' >/dev/null
equals "status written through /status" "$(kubectl get server $S2 -o jsonpath='{.status.power}')" "on"
equals "spec not written through /status" "$(kubectl get server $S2 -o jsonpath='{.spec.hostname}')" "node-1b"
kubectl patch server $S2 --type=merge -p '{"status":{"power":"off"}}' >/dev/null
equals "status not written through the main resource" "$(kubectl get server $S2 -o jsonpath='{.status.power}')" "on"

# Watch sees a change.
kubectl get servers -w --output-watch-events >"$TMP/watch.out" 2>&1 &
WPID=$!
track_pid $WPID
sleep 1
kubectl patch server $S2 --type=merge -p '{"spec":{"hostname":"node-1c"}}' >/dev/null
check "kubectl get -w sees the change" wait_until 10 grep -q "MODIFIED.*$S2" "$TMP/watch.out"
kill $WPID 2>/dev/null || true

# Delete with a finalizer waits until the finalizer is removed.
kubectl patch server $S1 --type=merge -p '{"metadata":{"finalizers":["storage.finalizers.ferrum.dev"]}}' >/dev/null
kubectl delete server $S1 --timeout=60s >"$TMP/delete.out" 2>&1 &
DPID=$!
track_pid $DPID
check "deletionTimestamp set" wait_until 10 bash -c "kubectl get server $S1 -o jsonpath='{.metadata.deletionTimestamp}' | grep -q T"
sleep 1
if kill -0 $DPID 2>/dev/null; then pass "kubectl delete waits for the finalizer"; else fail "kubectl delete waits for the finalizer"; fi
kubectl patch server $S1 --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null
if wait $DPID; then pass "kubectl delete finishes once the finalizer is gone"; else fail "kubectl delete finishes once the finalizer is gone"; cat "$TMP/delete.out"; fi
out=$(kubectl get server $S1 2>&1 || true)
contains "server is gone" "$out" "NotFound"

# Deleting an owner removes its dependents in the background.
owner_uid=$(kubectl get server $S2 -o jsonpath='{.metadata.uid}')
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Secret
metadata:
  name: $S2-bmc
  namespace: default
  ownerReferences:
    - apiVersion: metal.sidero.dev/v1alpha2
      kind: Server
      name: $S2
      uid: $owner_uid
stringData:
  user: admin
YAML
check "dependent exists" kubectl get secret $S2-bmc
check "owner deleted" kubectl delete server $S2 --wait=false
check "dependent collected after its owner is deleted" wait_until 10 bash -c "! kubectl get secret $S2-bmc"

# Secrets
check "kubectl create secret generic" kubectl create secret generic bmc-creds --from-literal=user=admin --from-literal=pass='s3cr=t'
equals "secret data is base64" "$(kubectl get secret bmc-creds -o jsonpath='{.data.pass}' | base64 -d)" "s3cr=t"

# Errors name the field.
cat >"$TMP/bad-type.yaml" <<'YAML'
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: 11111111-2222-3333-4444-555555555555
spec:
  accepted: "yes"
YAML
out=$(kubectl apply -f "$TMP/bad-type.yaml" 2>&1 || true)
contains "type mismatch names the field" "$out" "spec.accepted"
cat >"$TMP/unknown.yaml" <<'YAML'
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: 11111111-2222-3333-4444-555555555555
spec:
  accepted: false
  acceptd: true
YAML
out=$(kubectl apply -f "$TMP/unknown.yaml" 2>&1 || true)
contains "unknown field is refused by strict validation" "$out" "acceptd"
out=$(kubectl get server 11111111-2222-3333-4444-555555555555 2>&1 || true)
contains "nothing was created by the bad applies" "$out" "NotFound"
check "without validation the unknown field is accepted" kubectl apply --validate=false -f "$TMP/unknown.yaml"
out=$(kubectl get server 11111111-2222-3333-4444-555555555555 -o jsonpath='{.spec}')
if [[ $out == *acceptd* ]]; then fail "the unknown field is pruned as Kubernetes does"; else pass "the unknown field is pruned as Kubernetes does"; fi
out=$(echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"big"},"data":{"x":"'"$(head -c 3200000 /dev/zero | tr '\0' a)"'"}}' | kubectl create -f - 2>&1 || true)
contains "a body over --max-body-bytes is refused" "$out" "larger than --max-body-bytes"
out=$(kubectl get --raw '/api/v1/namespaces/default/configmaps?labelSelector=a%20in%20(' 2>&1 || true)
contains "a bad labelSelector is a 400 naming the parameter" "$out" "labelSelector"
out=$(kubectl get --raw '/api/v1/namespaces/default/configmaps?fieldSelector=spec.x=1' 2>&1 || true)
contains "an unsupported fieldSelector names the field" "$out" "field label not supported: spec.x"
out=$(kubectl get --raw '/apis/metal.sidero.dev/v1alpha2/nothings' 2>&1 || true)
contains "an unknown resource is 404" "$out" "NotFound"
out=$(kubectl apply --server-side -f "$D/environment-v1alpha2.yaml" 2>&1 || true)
contains "server-side apply says to use client-side apply" "$out" "client-side apply"

# Values Sidero accepts and refuses (its CRDs and the Server webhook,
# app/sidero-controller-manager/api/v1alpha2/server_webhook.go).
cat >"$TMP/sidero-values.yaml" <<'YAML'
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: 22222222-2222-3333-4444-555555555555
spec:
  accepted: false
  bootFromDiskMethod: ""
  pxeMode: ""
---
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: any-method
spec:
  bootFromDiskMethod: chainload-something
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: mm
  namespace: default
spec: {}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalCluster
metadata:
  name: mc
  namespace: default
spec:
  controlPlaneEndpoint: {host: 10.0.0.1, port: 6443}
YAML
check "empty Server bootFromDiskMethod/pxeMode and any ServerClass method are accepted" \
  kubectl apply -f "$TMP/sidero-values.yaml"
out=$(kubectl patch server 22222222-2222-3333-4444-555555555555 --type=merge -p '{"spec":{"pxeMode":"pxe"}}' 2>&1 || true)
contains "a Server pxeMode outside Sidero's values is refused" "$out" "spec.pxeMode"
out=$(kubectl -n default patch metalmachine mm --subresource=status --type=merge \
  -p '{"status":{"ready":false,"addresses":[{"type":"Bogus","address":"10.0.0.9"}]}}' 2>&1 || true)
contains "a MetalMachine address type outside Cluster API's is refused" "$out" "status.addresses[0].type"
check "a MetalMachine InternalIP address is accepted" kubectl -n default patch metalmachine mm \
  --subresource=status --type=merge \
  -p '{"status":{"ready":false,"addresses":[{"type":"InternalIP","address":"10.0.0.9"}]}}'
out=$(kubectl -n default patch metalcluster mc --subresource=status --type=merge -p '{"status":{}}' 2>&1 || true)
contains "a MetalCluster status without ready is refused" "$out" "status.ready"
check "a MetalCluster status with ready is accepted" kubectl -n default patch metalcluster mc \
  --subresource=status --type=merge -p '{"status":{"ready":true}}'

# Strictness as kube-apiserver's (services/apiserver/write_strategy.hpp, object_meta_validation.hpp,
# strategic_merge.hpp). kubectl apply on a built-in kind sends a strategic merge patch with
# directives; they are applied, never stored.
cat >"$TMP/cm-v1.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: smp
  namespace: default
  finalizers: [example.com/a, example.com/b]
data: {one: "1"}
YAML
sed -e 's|\[example.com/a, example.com/b\]|[example.com/b, example.com/c]|' "$TMP/cm-v1.yaml" >"$TMP/cm-v2.yaml"
check "kubectl apply a ConfigMap" kubectl apply -f "$TMP/cm-v1.yaml"
check "kubectl apply it changed (a strategic merge patch)" kubectl apply -f "$TMP/cm-v2.yaml"
equals "finalizers merged by the patch's directives" \
  "$(kubectl get configmap smp -o jsonpath='{.metadata.finalizers}')" '["example.com/b","example.com/c"]'
out=$(kubectl get configmap smp -o json)
if [[ $out == *'$setElementOrder'* || $out == *'$deleteFromPrimitiveList'* ]]; then
  fail "no strategic merge directive is stored"
else
  pass "no strategic merge directive is stored"
fi
kubectl patch configmap smp --type=json -p '[{"op":"remove","path":"/metadata/finalizers"}]' >/dev/null
out=$(kubectl patch server 22222222-2222-3333-4444-555555555555 -p '{"spec":{"cordoned":true}}' 2>&1 || true)
contains "a strategic merge patch on a custom resource is refused as kube-apiserver does" "$out" \
  "application/merge-patch+json"
out=$(kubectl patch configmap smp --type=merge -p '{"metadata":{"labels":{"tier":"not valid"}}}' 2>&1 || true)
contains "a label value with a space is refused naming metadata.labels" "$out" "metadata.labels"
out=$(kubectl create configmap Bad_Name 2>&1 || true)
contains "an object name that is no DNS-1123 subdomain is refused" "$out" "RFC 1123 subdomain"
check "kubectl create secret generic typed" kubectl create secret generic typed --from-literal=k=v
out=$(kubectl patch secret typed -p '{"type":"kubernetes.io/basic-auth"}' 2>&1 || true)
contains "a Secret's type is immutable" "$out" "field is immutable"
out=$(kubectl get --raw '/api/v1/namespaces/default/configmaps?resourceVersion=abc' 2>&1 || true)
contains "a malformed list resourceVersion is a 400" "$out" "invalid resource version"

finish
