#!/usr/bin/env bash
# One machine from power-on to an installed, linked node and back, on real firmware, in a
# network namespace this script creates and removes. The machine and the agent-side stack are
# lifecycle.sh's (machine.sh); added here: ferrum-metadata, ferrum-linkd (wireguard-go), a
# plain HTTP server for the Talos-like node image (tests/e2e/talos_node/build.sh), and the
# Cluster API objects as CAPI and CABPT create them.
#   1-2 discovery, acceptance, wipe, powered off (machine_discover_accept_wipe).
#   3 allocation: Cluster, MetalCluster, Machine (owned by the Cluster), the bootstrap Secret
#     (type cluster.x-k8s.io/secret, key value), MetalMachine with serverClassRef -> a
#     ServerBinding; the reconciler sets PXE and powers on through bmcd; /ipxe boots the
#     ServerClass's Environment (the node image, KSPP args, talos.platform=metal); the node
#     fetches /configdata (the ServerClass's JSON patch sets the install disk, the Server's
#     strategic patch the hostname, the node label), calls Provision on ferrum-linkd, brings
#     its tunnel up, streams kmsg and publishes its install events, writes its image to the
#     disk and reboots. Checked: log lines enriched with server/cluster/machine at linkd,
#     TalosConfigLoaded/Validated/Installed on binding and MetalMachine, PXEBooted, the disk
#     byte for byte, and the boot-from-disk answer of /ipxe for each bootFromDiskMethod.
#   4 release: the MetalMachine is deleted -> binding gone -> dirty -> PXE + power cycle ->
#     the agent wipes (disk checked) -> clean, off, back in serversAvailable.
#   5 a broken Server patch: /configdata answers 500 naming it; allocated again, the node
#     reports ConfigLoadErrorEvent, which shows as TalosConfigLoaded=False on the binding and
#     the MetalMachine.
# Usage: provision.sh BIN_DIR AGENT_IMAGE_CACHE_DIR NODE_PEER_BINARY NODE_IMAGE_CACHE_DIR
set -euo pipefail
usage="usage: provision.sh BIN_DIR AGENT_IMAGE_CACHE_DIR NODE_PEER_BINARY NODE_IMAGE_CACHE_DIR"
bin=${1:?$usage}
cache=${2:?$usage}
peer=${3:?$usage}
node_cache=${4:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

if [[ $(id -u) -ne 0 ]]; then echo "e2e: needs root (network namespaces, tap)" >&2; exit 1; fi
for tool in qemu-system-x86_64 dnsmasq ip kubectl jq ipmi_sim ipmitool python3 setsid wireguard-go; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool missing (run scripts/setup)" >&2; exit 1; }
done

bash "$repo/agent/image/build.sh" "$bin/ferrum-agent" "$cache/out" "$cache/dl"
bash "$repo/tests/e2e/talos_node/build.sh" "$peer" "$node_cache/out" "$node_cache/dl"

source "$here/../lib.sh"
source "$here/machine.sh"
e2e_init ferrum-provision-e2e
wgif=fprov$$
machine_cleanup_extra() { rm -f "/var/run/wireguard/$wgif.sock"; }
e2e_netns 1
e2e_start_apiserver "$bin" "$repo"
machine_start_stack "$bin" "$cache/out"

# The link server: its installation Secret is where ferrum-ipxe-http and ferrum-metadata
# derive the tunnel address from.
ip netns exec "$ns" "$bin/ferrum-linkd" --wireguard-endpoint 10.77.0.1 --wireguard-backend userspace \
  --interface "$wgif" --api-listen 10.77.0.1:50110 --admin-listen 127.0.0.1:9430 \
  --log-output "$work/nodes.log" --kubeconfig "$KUBECONFIG" --peer-check-period 1s \
  --shutdown-timeout 5s >"$work/linkd.log" 2>&1 &
pids+=($!)
ip netns exec "$ns" "$bin/ferrum-metadata" --listen 10.77.0.1:9091 --admin-listen 127.0.0.1:9491 \
  --kubeconfig "$KUBECONFIG" --link-api-endpoint 10.77.0.1:50110 >"$work/metadata.log" 2>&1 &
pids+=($!)
# The node image, served the way a rack mirror would serve Talos' kernel and initramfs.
ip netns exec "$ns" python3 -m http.server --bind 127.0.0.1 --directory "$node_cache/out" 8090 \
  >"$work/images.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  nsx curl -sf http://127.0.0.1:9430/readyz >/dev/null && nsx curl -sf http://127.0.0.1:9491/readyz >/dev/null &&
    nsx curl -sf -o /dev/null http://127.0.0.1:8090/vmlinuz && break
  sleep 0.2
done

# Resources an operator writes before any machine arrives: the target Environment and the
# ServerClass that points at it (with the install-disk patch).
kspp="init_on_alloc=1 slab_nomerge= pti=on consoleblank=0 nvme_core.io_timeout=4294967295 printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512"
args_json=$(jq -cn --arg a "$kspp console=ttyS0 initrd=initramfs.xz talos.platform=metal" '$a | split(" ")')
nsx kubectl apply -f - >/dev/null <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: Environment
metadata:
  name: provision-e2e
spec:
  kernel:
    url: http://127.0.0.1:8090/vmlinuz
    sha512: $(sha512sum "$node_cache/out/vmlinuz" | cut -d' ' -f1)
    args: $args_json
  initrd:
    url: http://127.0.0.1:8090/initramfs.xz
    sha512: $(sha512sum "$node_cache/out/initramfs.xz" | cut -d' ' -f1)
---
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: e2e-boxes
spec:
  environmentRef: {name: provision-e2e}
  qualifiers:
    hardware:
    - system: {productName: E2E-Lifecycle-Box}
  configPatches:
  - {op: replace, path: /machine/install/disk, value: /dev/vda}
YAML

machine_create
start=$SECONDS

# --- helpers ------------------------------------------------------------------------------
K() { nsx kubectl "$@"; }
# shellcheck disable=SC2086 # obj 'KIND NAME -n NS' JQ: the words are kubectl's arguments
obj() { K get $1 -o json 2>/dev/null | jq -r "$2"; }
bnd() { K get serverbinding "$uuid" -o json 2>/dev/null | jq -r "$1"; }
mm() { K get metalmachine "$1" -n default -o json 2>/dev/null | jq -r "$2"; }
# bcond TYPE / mcond MACHINE TYPE: "status/reason" of a binding's / MetalMachine's condition
bcond() { bnd "[.status.conditions[]? | select(.type==\"$1\") | .status + \"/\" + (.reason // \"\")][0] // \"none\""; }
mcond() { mm "$1" "[.status.conditions[]? | select(.type==\"$2\") | .status + \"/\" + (.reason // \"\")][0] // \"none\""; }
bound() { K get serverbinding "$uuid" >/dev/null 2>&1; }
unbound() { ! bound; }
bcond_is() { [[ $(bcond "$1") == "$2" ]]; }
mcond_is() { [[ $(mcond "$1" "$2") == "$3" ]]; }
available() { [[ $(K get serverclass e2e-boxes -o json | jq -c .status.serversAvailable) == "[\"$uuid\"]" ]]; }
env_ready() { [[ $(K get environment provision-e2e -o json | jq -r '[.status.conditions[]? | select(.type=="Ready") | .status] | length > 0 and all(. == "True")') == true ]]; }
configdata() { nsx curl -s -o "$work/configdata" -w '%{http_code}' "http://10.77.0.1:9091/configdata?uuid=$uuid"; }
ipxe_answer() { # the /ipxe answer for the machine: "<status> <body>"
  local code
  code=$(nsx curl -s -o "$work/ipxe" -w '%{http_code}' \
    "http://10.77.0.1:8081/ipxe?uuid=$uuid&mac=${machine_mac//:/-}&arch=x86_64")
  echo "$code $(tr '\n' ';' <"$work/ipxe")"
}
ipxe_has() { [[ $(ipxe_answer) == *"$1"* ]]; }
log_has() { grep -q "$1" "$work/nodes.log" 2>/dev/null; }
# node_image_ok DISK BEFORE: DISK holds, byte for byte, what talos-node-peer's install writes
# (tests/e2e/talos_node/install_image.hpp: a 4 KiB header naming the UUID, install disk and
# node labels, then byte i = i % 251 up to 1 MiB), and past that MiB exactly BEFORE.
node_image_ok() {
  python3 - "$1" "$2" "$uuid" <<'PY2'
import sys
d = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read(); u = sys.argv[3]
M = 1 << 20
head = ("FERRUM-TALOS-NODE-PEER v1\nuuid=%s\ndisk=/dev/vda\nlabels=metal.sidero.dev/uuid=%s\n" % (u, u)).encode()
want = bytearray(M); want[:len(head)] = head
for i in range(4096, M): want[i] = i % 251
assert len(d) == len(b), "size changed"
assert d[:4096] == bytes(want[:4096]), "header: %r" % d[:200]
assert d[4096:M] == bytes(want[4096:]), "image body differs"
assert d[M:] == b[M:], "bytes past the image changed"
PY2
}
machine_dump_extra() {
  echo "--- linkd"; tail -15 "$work/linkd.log"
  echo "--- metadata"; tail -8 "$work/metadata.log"
  echo "--- ipxe-http"; grep -v '"level":"debug"' "$work/ipxe.log" | tail -10
  echo "--- node lines at linkd"; tail -5 "$work/nodes.log" 2>/dev/null
  echo "--- serial (last lines)"; tr -d '\r' <"$work/serial.log" | grep -av '^\s*$' | tail -30
  echo "--- ServerBinding"; K get serverbinding -o yaml 2>/dev/null | sed -n '/^  status:/,$p' | head -40
  echo "--- MetalMachines"; K get metalmachines -A -o yaml 2>/dev/null | grep -A30 '  status:' | head -40
}
# operator_view TITLE: what `kubectl get` shows at this step (for the operator guide).
operator_view() {
  echo "--- operator view: $1"
  K get servers -o wide 2>&1 | sed 's/^/    /'
  K get serverbindings -o wide 2>&1 | sed 's/^/    /'
  K get metalmachines -A -o wide 2>&1 | sed 's/^/    /'
  K get serverbindings,metalmachines -A -o json | jq -r '.items[] | "    \(.kind) \(.metadata.name): " +
    ([.status.conditions[]? | "\(.type)=\(.status)\(if (.reason // "") != "" then "/" + .reason else "" end)"] | join(" "))'
}
events_view() {
  K get events -A --sort-by=.lastTimestamp -o custom-columns='TYPE:.type,REASON:.reason,KIND:.involvedObject.kind,OBJECT:.involvedObject.name,COUNT:.count,MESSAGE:.message' 2>&1 | sed 's/^/    /'
}

# --- 1-2 discovery, acceptance, wipe -----------------------------------------------------
machine_discovered_hook() { operator_view "registered, not accepted"; }
machine_discover_accept_wipe || finish provision
wait_for 30 "ServerClass e2e-boxes lists the clean Server" available
wait_for 60 "Environment provision-e2e ready (assets downloaded, sha512 checked)" env_ready
operator_view "accepted, wiped, off"
echo "--- $((SECONDS - start)) s so far"

# --- 3 allocation, install, link --------------------------------------------------------
# Cluster API objects the way CAPI and CABPT create them: the Cluster with its infrastructure
# ready, MetalCluster owned by it, a Machine owned by the Cluster and labelled with its name,
# whose bootstrap data Secret is CABPT's (type cluster.x-k8s.io/secret, key value), and the
# MetalMachine owned by the Machine.
bootstrap_config() { # bootstrap_config MACHINE
  cat <<YAML
version: v1alpha1
debug: false
persist: true
machine:
  type: worker
  token: e2etok.0123456789abcdef
  install:
    disk: /dev/sda
    image: ghcr.io/siderolabs/installer:v1.7.6
    wipe: false
  kubelet:
    extraArgs:
      rotate-server-certificates: "true"
cluster:
  clusterName: c1
  controlPlane:
    endpoint: https://10.77.0.1:6443
  network:
    dnsDomain: cluster.local
YAML
}
K apply -f - >/dev/null <<YAML
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: c1
  namespace: default
spec:
  controlPlaneEndpoint: {host: 10.77.0.1, port: 6443}
  infrastructureRef:
    apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
    kind: MetalCluster
    name: c1
    namespace: default
YAML
K patch cluster c1 -n default --subresource=status --type=merge -p '{"status":{"infrastructureReady":true}}' >/dev/null
cuid=$(obj 'cluster c1 -n default' .metadata.uid)
[[ -n $cuid ]] || fail "Cluster c1 has a uid"
K apply -f - >/dev/null <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalCluster
metadata:
  name: c1
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: c1, uid: $cuid}
spec:
  controlPlaneEndpoint: {host: 10.77.0.1, port: 6443}
YAML
allocate() { # allocate MACHINE: Machine, bootstrap Secret, MetalMachine of the class
  local m=$1 muid
  K apply -f - >/dev/null <<YAML
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: $m
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: c1, uid: $cuid}
spec:
  clusterName: c1
  bootstrap: {dataSecretName: $m-bootstrap-data}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalMachine, namespace: default, name: $m}
---
apiVersion: v1
kind: Secret
metadata:
  name: $m-bootstrap-data
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
type: cluster.x-k8s.io/secret
data:
  value: $(bootstrap_config | base64 -w0)
  format: $(printf yaml | base64 -w0)
YAML
  muid=$(obj "machine $m -n default" .metadata.uid)
  [[ -n $muid ]] || fail "Machine $m has a uid"
  K apply -f - >/dev/null <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: $m
  namespace: default
  labels: {cluster.x-k8s.io/cluster-name: c1}
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: $m, uid: $muid}
spec:
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: e2e-boxes}
YAML
}
# The Server's own patch, strategic: the hostname.
K patch server "$uuid" --type=merge -p '{"spec":{"strategicPatches":["machine:\n  network:\n    hostname: e2e-node-1\n"]}}' >/dev/null
: >"$work/bmc/calls"
cp "$work/disk.img" "$work/disk.before-install"
allocate m1
wait_for 30 "MetalMachine m1 bound its Server (ServerBinding $uuid)" bound || finish provision
equals "binding: the MetalMachine" "$(bnd '.spec.metalMachineRef.namespace + "/" + .spec.metalMachineRef.name')" "default/m1"
equals "binding: the ServerClass" "$(bnd .spec.serverClassRef.name)" "e2e-boxes"
wait_for 15 "m1: providerID sidero://<uuid>" bash -c "[[ \$(ip netns exec $ns kubectl get metalmachine m1 -n default -o jsonpath='{.spec.providerID}') == sidero://$uuid ]]"
wait_for 30 "allocated: the reconciler set PXE and powered on through bmcd" calls_have "power 1"
equals "BMC calls: boot device PXE, then power on" "$(calls)" "boot pxe power 1"

# /configdata as the node will get it.
code=$(configdata)
equals "/configdata: 200" "$code" "200"
grep -q '^    disk: /dev/vda' "$work/configdata" && pass "/configdata: the ServerClass's JSON patch set the install disk" || fail "/configdata: install disk /dev/vda"
grep -q 'hostname: e2e-node-1' "$work/configdata" && pass "/configdata: the Server's strategic patch set the hostname" || fail "/configdata: hostname e2e-node-1"
grep -q "metal.sidero.dev/uuid=$uuid" "$work/configdata" && pass "/configdata: the node label" || fail "/configdata: node label"
grep -q 'rotate-server-certificates' "$work/configdata" && pass "/configdata: the bootstrap config's own kubelet args kept" || fail "/configdata: kubelet args kept"
grep -q 'apiUrl: grpc://10.77.0.1:50110' "$work/configdata" && pass "/configdata: SideroLinkConfig apiUrl" || fail "/configdata: SideroLinkConfig"
grep -q 'kind: EventSinkConfig' "$work/configdata" && grep -q 'kind: KmsgLogConfig' "$work/configdata" &&
  pass "/configdata: EventSinkConfig and KmsgLogConfig" || fail "/configdata: event sink and kmsg log documents"
cp "$work/configdata" "$work/configdata.m1"

wait_for "$budget" "boot 3: the node called Provision (binding spec.siderolink)" \
  bash -c "[[ -n \$(ip netns exec $ns kubectl get serverbinding $uuid -o jsonpath='{.spec.siderolink.address}') ]]" || finish provision
node_addr=$(bnd .spec.siderolink.address)
node_addr=${node_addr%/*}
wait_for 60 "kmsg lines reach linkd, enriched with server_uuid, cluster and machine" \
  log_has "\"server_uuid\":\"$uuid\""
line=$(grep -m1 "\"server_uuid\":\"$uuid\"" "$work/nodes.log")
equals "log line: cluster" "$(jq -r .cluster <<<"$line")" "c1"
equals "log line: machine" "$(jq -r .machine <<<"$line")" "m1"
equals "log line: metal_machine" "$(jq -r .metal_machine <<<"$line")" "m1"
equals "log line: namespace" "$(jq -r .namespace <<<"$line")" "default"
equals "log line: came from the node's tunnel address" "$(jq -r .node <<<"$line")" "$node_addr"
wait_for "$budget" "binding: TalosInstalled=True" bcond_is TalosInstalled "True/" || finish provision
equals "binding: TalosConfigLoaded" "$(bcond TalosConfigLoaded)" "True/"
equals "binding: TalosConfigValidated" "$(bcond TalosConfigValidated)" "True/"
wait_for 30 "m1: TalosInstalled=True (copied from the binding)" mcond_is m1 TalosInstalled "True/"
equals "m1: TalosConfigLoaded" "$(mcond m1 TalosConfigLoaded)" "True/"
equals "m1: TalosConfigValidated" "$(mcond m1 TalosConfigValidated)" "True/"
equals "m1: ready" "$(mm m1 .status.ready)" "true"
wait_for 30 "Server: PXEBooted=True" bash -c "[[ \$(ip netns exec $ns kubectl get server $uuid -o json | jq -r '[.status.conditions[]? | select(.type==\"PXEBooted\") | .status][0]') == True ]]"
operator_view "installed"
echo "--- one enriched log line at linkd"
echo "    $line"

# The disk: the node's image, byte for byte.
node_image_ok "$work/disk.img" "$work/disk.before-install" && pass "disk: the node's image with its UUID, byte for byte" || fail "disk: the node's image"

# The node rebooted; the machine's own next PXE boot is told to boot from disk (iPXE echoes
# ferrum-ipxe-http's note on the console, then exits to the firmware).
serial_has() { tr -d '\r' <"$work/serial.log" | grep -aq "$1"; }
wait_for 90 "the machine's next PXE boot: told to boot from disk (ipxe-exit)" \
  serial_has "ferrum: Server $uuid is PXEBooted, boot from disk (ipxe-exit"
# And the answer for each method, as iPXE gets it.
wait_for 30 "/ipxe: installed -> boot from disk (default ipxe-exit)" ipxe_has "200 #!ipxe;"
ipxe_has ";exit;" && pass "/ipxe: the script exits to the firmware" || fail "/ipxe exit: $(ipxe_answer)"
K patch server "$uuid" --type=merge -p '{"spec":{"bootFromDiskMethod":"http-404"}}' >/dev/null
wait_for 15 "/ipxe: bootFromDiskMethod http-404 -> 404" ipxe_has "404 "
K patch server "$uuid" --type=merge -p '{"spec":{"bootFromDiskMethod":"ipxe-sanboot"}}' >/dev/null
wait_for 15 "/ipxe: bootFromDiskMethod ipxe-sanboot -> sanboot" ipxe_has "sanboot --no-describe --drive 0x80"
K patch server "$uuid" --type=merge -p '{"spec":{"bootFromDiskMethod":"ipxe-exit"}}' >/dev/null
wait_for 15 "/ipxe: bootFromDiskMethod ipxe-exit -> exit" ipxe_has ";exit;"
echo "--- $((SECONDS - start)) s so far"

# --- 4 release: wipe, back in the class ------------------------------------------------------
: >"$work/bmc/calls"
off_before=$(events PoweredOff)
K delete metalmachine m1 -n default --wait=false >/dev/null
wait_for 30 "m1 deleted: the binding is gone" unbound
wait_for 30 "released: the Server is dirty" field_is '.status.isClean // false' false
wait_for 30 "released: PXE and a power cycle through bmcd" calls_have "boot pxe"
wait_for "$((budget * 2))" "boot 4: the agent wiped (status.isClean)" is_clean || finish provision
wait_for 60 "clean and free: powered off" powered_off_n $((off_before + 1))
wait_for 30 "back in ServerClass e2e-boxes serversAvailable" available
wait_for 30 "m1 gone (finalizer dropped)" bash -c "! ip netns exec $ns kubectl get metalmachine m1 -n default >/dev/null 2>&1"
# The image lives in the first MiB, the agent zeroes the first and last (no partitions), and
# the pattern between is still the one the test wrote before boot 1.
e2e_fast_wiped "$work/disk.img" && pass "disk: the node's image and the last MiB zeroed, pattern elsewhere" || fail "disk: wiped after release"
operator_view "released and wiped"
echo "--- $((SECONDS - start)) s so far"

# --- 5 broken patches ---------------------------------------------------------------------
# One that cannot apply: /configdata answers 500 naming it, and the node keeps retrying the
# download (as Talos does). Then one that applies but gives a config the node rejects (its
# install disk does not exist): ConfigLoadErrorEvent -> TalosConfigLoaded=False.
K patch server "$uuid" --type=merge -p '{"spec":{"configPatches":[{"op":"replace","path":"/machine/nosuch/field","value":"x"}]}}' >/dev/null
: >"$work/bmc/calls"
allocate m2
wait_for 30 "m2 bound the Server" bash -c "[[ \$(ip netns exec $ns kubectl get serverbinding $uuid -o jsonpath='{.spec.metalMachineRef.name}') == m2 ]]" || finish provision
code=$(configdata)
equals "/configdata with a patch that cannot apply: 500" "$code" "500"
body=$(cat "$work/configdata")
echo "    body: $body"
[[ $body == *"Server $uuid"*"configPatches"*"/machine/nosuch/field"* ]] && pass "/configdata 500 names the Server, its configPatches and the path" || fail "/configdata 500 body"
wait_for 30 "allocated again: PXE and power on" calls_have "power 1"
wait_for "$budget" "boot 5: the node's console shows the 500 and retries" serial_has "failed to download config.*status code 500" || finish provision
K patch server "$uuid" --type=merge -p '{"spec":{"configPatches":[{"op":"replace","path":"/machine/install/disk","value":"/dev/nosuch"}]}}' >/dev/null
wait_for 60 "boot 5: the node's ConfigLoadErrorEvent -> binding TalosConfigLoaded=False" \
  bcond_is TalosConfigLoaded "False/TalosConfigLoadFailed" || finish provision
msg=$(bnd '[.status.conditions[]? | select(.type=="TalosConfigLoaded") | .message][0]')
echo "    message: $msg"
[[ $msg == *'specified install disk does not exist: "/dev/nosuch"'* ]] && pass "the condition's message is the node's error" || fail "condition message: $msg"
wait_for 30 "m2: TalosConfigLoaded=False (copied)" mcond_is m2 TalosConfigLoaded "False/TalosConfigLoadFailed"
equals "m2: TalosInstalled not True" "$(mcond m2 TalosInstalled)" "none"
operator_view "broken patch"
echo "--- Events"
events_view
echo "--- $((SECONDS - start)) s"
finish provision
