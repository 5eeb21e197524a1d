#!/usr/bin/env bash
# ferrum-linkd end to end over a real WireGuard tunnel: two network namespaces joined by a
# veth; "mgmt" runs ferrum-apiserver and ferrum-linkd (userspace backend, wireguard-go);
# "node" runs its own wireguard-go configured from the Provision answer, pings the server
# through the tunnel, sends kmsg lines and Talos events through it. Checks the enriched log
# lines, ServerBinding conditions/addresses, restart stability, --join-token and peer removal.
source "$(dirname "$0")/../lib.sh"
CLIENT=$1
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root for network namespaces"; exit 0; fi
for t in wireguard-go wg ip jq busybox; do
  command -v $t >/dev/null || { echo "FAIL: $t missing (scripts/setup installs it)"; exit 1; }
done
setup_tmp
MG=flk-m$$ ND=flk-n$$ SIF=flks$$ NIF=flkn$$
netns_cleanup() {
  _cleanup
  ip netns del "$MG" 2>/dev/null
  ip netns del "$ND" 2>/dev/null
  rm -f "/var/run/wireguard/$SIF.sock" "/var/run/wireguard/$NIF.sock"
}
trap netns_cleanup EXIT
ip netns add "$MG"; ip netns add "$ND"
ip -n "$MG" link set lo up; ip -n "$ND" link set lo up
ip link add "vm$$" netns "$MG" type veth peer name "vn$$" netns "$ND"
ip -n "$MG" addr add 10.201.0.1/24 dev "vm$$"; ip -n "$MG" link set "vm$$" up
ip -n "$ND" addr add 10.201.0.2/24 dev "vn$$"; ip -n "$ND" link set "vn$$" up
M() { ip netns exec "$MG" "$@"; }
N() { ip netns exec "$ND" "$@"; }

# ferrum-apiserver inside mgmt (linkd reaches it on that namespace's loopback).
mkdir -p "$TMP/api"
# (started with `ip netns exec` directly, not through a function: $! must be the daemon)
ip netns exec "$MG" "$FERRUM_BIN/ferrum-apiserver" --listen 127.0.0.1:6443 --admin-listen 127.0.0.1:9400 \
  --data-dir "$TMP/api" --crd-dir "$FERRUM_ROOT/charts/ferrum/crds" \
  --crd-dir "$FERRUM_ROOT/charts/ferrum/crds-capi" --log-level warn >>"$TMP/api/log" 2>&1 &
track_pid $!
export KUBECONFIG=$TMP/api/kubeconfig
K() { M kubectl "$@"; }
wait_until 20 K get --raw /readyz || { echo "apiserver not ready"; cat "$TMP/api/log"; exit 1; }

U1=4c4c4544-0042-3510-8051-c4c04f4e4b32
U2=4c4c4544-0042-3510-8051-c4c04f4e4b99
K apply -f - >/dev/null <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata:
  name: $U1
  labels: {cluster.x-k8s.io/cluster-name: c1}
spec:
  metalMachineRef: {kind: MetalMachine, namespace: default, name: mm-1}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: mm-1
  namespace: default
  ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: m-1, uid: 11111111-2222-3333-4444-555555555555}]
spec: {}
YAML

LOGOUT=$TMP/nodes.log
start_linkd() {
  ip netns exec "$MG" "$FERRUM_BIN/ferrum-linkd" --wireguard-endpoint 10.201.0.1 --wireguard-backend userspace \
    --interface "$SIF" --api-listen 10.201.0.1:50110 --admin-listen 127.0.0.1:9410 \
    --log-output "$LOGOUT" --kubeconfig "$KUBECONFIG" --negative-address-filter 172.16.0.0/12 \
    --peer-check-period 1s --shutdown-timeout 5s "$@" >>"$TMP/linkd.log" 2>&1 &
  LINKD_PID=$!
  track_pid $LINKD_PID
  wait_until 20 M curl -sf http://127.0.0.1:9410/readyz || { echo "linkd not ready"; cat "$TMP/linkd.log"; exit 1; }
}
start_linkd
pass "ferrum-linkd ready with wireguard-go"

# The installation Secret, created on first start.
SEC=$(K get secret -n ferrum-system siderolink -o json)
SPRIV=$(jq -r '.data["private-key"]' <<<"$SEC" | base64 -d)
SPUB=$(wg pubkey <<<"$SPRIV")
check "Secret ferrum-system/siderolink has installation-id" test -n "$(jq -r '.data["installation-id"]' <<<"$SEC")"

NPRIV=$(wg genkey); NPUB=$(wg pubkey <<<"$NPRIV")
out=$(N "$CLIENT" provision 10.201.0.1:50110 "$U2" "$NPUB")
contains "Provision without a ServerBinding is NOT_FOUND" "$out" "ERROR NOT_FOUND"
out=$(N "$CLIENT" provision 10.201.0.1:50110 "$U1" "not-a-key")
contains "Provision with a bad key is INVALID_ARGUMENT naming node_public_key" "$out" "ERROR INVALID_ARGUMENT: node_public_key"
check "a refused Provision wrote nothing" test -z "$(K get serverbinding $U1 -o jsonpath='{.spec.siderolink}')"

ans=$(N "$CLIENT" provision 10.201.0.1:50110 "${U1^^}" "$NPUB")
echo "       answer: $ans"
NADDR=$(jq -r .node_address_prefix <<<"$ans"); SADDR=$(jq -r .server_address <<<"$ans")
equals "endpoint" "$(jq -r '.server_endpoint[0]' <<<"$ans")" "10.201.0.1:51821"
equals "server key is the Secret's" "$(jq -r .server_public_key <<<"$ans")" "$SPUB"
contains "server address is prefix::1" "$SADDR" "::1"
equals "node address is in the server's /64" "$(cut -d: -f1-4 <<<"$NADDR")" "$(cut -d: -f1-4 <<<"$SADDR")"
equals "spec.siderolink.address written" "$(K get serverbinding $U1 -o jsonpath='{.spec.siderolink.address}')" "$NADDR"
equals "spec.siderolink.publicKey written" "$(K get serverbinding $U1 -o jsonpath='{.spec.siderolink.publicKey}')" "$NPUB"
check "server device has the node as a peer" wait_until 5 bash -c "wg show $SIF peers | grep -qF '$NPUB'"
equals "peer allowed IP is the node /128" "$(wg show "$SIF" allowed-ips | awk '{print $2}')" "${NADDR%/64}/128"

# The node's own wireguard-go, configured from the answer.
ip netns exec "$ND" env WG_PROCESS_FOREGROUND=1 wireguard-go "$NIF" >>"$TMP/node-wg.log" 2>&1 &
track_pid $!
wait_until 5 test -S "/var/run/wireguard/$NIF.sock" || { echo "node wireguard-go did not start"; cat "$TMP/node-wg.log"; exit 1; }
echo "$NPRIV" >"$TMP/node.key"
N wg set "$NIF" private-key "$TMP/node.key" peer "$SPUB" endpoint 10.201.0.1:51821 \
  allowed-ips "$SADDR/128" persistent-keepalive 1
N ip addr add "$NADDR" dev "$NIF" nodad
N ip link set "$NIF" up
check "node pings the server address through the tunnel" wait_until 10 N busybox ping -6 -c 1 -W 1 "$SADDR"
check "a handshake happened" test "$(wg show "$SIF" latest-handshakes | awk '{print $2}')" -gt 0

# kmsg lines through the tunnel.
N /usr/bin/python3 - "$SADDR" <<'PY'
import socket, sys, time
s = socket.create_connection((sys.argv[1], 4001), timeout=5)
lines = [b'{"msg":"[talos] hello from the node","talos-level":"info","facility":"kern","seq":1}',
         b'{"msg": broken json',
         b'{"msg":"' + b'x' * 20000 + b'"}',
         b'{"msg":"second line","seq":2}']
s.sendall(b'\n'.join(lines) + b'\n')
time.sleep(0.5)
s.sendall(b'{"msg":"after the bad ones","seq":3}\n')
time.sleep(0.5)
s.close()
PY
wait_until 5 grep -q "after the bad ones" "$LOGOUT"
first=$(grep "hello from the node" "$LOGOUT")
echo "       log line: $first"
equals "log line enriched with server_uuid" "$(jq -r .server_uuid <<<"$first")" "$U1"
equals "log line enriched with namespace" "$(jq -r .namespace <<<"$first")" "default"
equals "log line enriched with cluster" "$(jq -r .cluster <<<"$first")" "c1"
equals "log line enriched with metal_machine" "$(jq -r .metal_machine <<<"$first")" "mm-1"
equals "log line enriched with machine" "$(jq -r .machine <<<"$first")" "m-1"
equals "log line keeps the node's fields" "$(jq -r '.["talos-level"]' <<<"$first")" "info"
equals "three good lines written, bad ones skipped" "$(wc -l <"$LOGOUT")" "3"
metrics=$(M curl -s http://127.0.0.1:9410/metrics)
contains "bad JSON counted" "$metrics" 'linkd_log_bad_lines_total{reason="bad_json"} 1'
contains "too long line counted" "$metrics" 'linkd_log_bad_lines_total{reason="too_long"} 1'
contains "lines counted by server" "$metrics" "linkd_log_lines_total{server=\"$U1\"} 3"

# Events through the tunnel.
EV="[$SADDR]:4002"
NIP=${NADDR%/64}
check "AddressEvent accepted" N "$CLIENT" publish "$EV" address talos-node-1 "10.201.0.2,172.17.0.5,$NIP,2001:db8::7"
equals "spec.addresses: tunnel and filtered addresses dropped" \
  "$(K get serverbinding $U1 -o jsonpath='{.spec.addresses}')" '["10.201.0.2","2001:db8::7"]'
equals "spec.hostname" "$(K get serverbinding $U1 -o jsonpath='{.spec.hostname}')" "talos-node-1"
cond() { K get serverbinding $U1 -o jsonpath="{.status.conditions[?(@.type==\"$1\")].$2}"; }
check "ConfigLoadErrorEvent accepted" N "$CLIENT" publish "$EV" config-load "fetch failed: 404"
equals "TalosConfigLoaded False" "$(cond TalosConfigLoaded status)/$(cond TalosConfigLoaded reason)" "False/TalosConfigLoadFailed"
equals "its message" "$(cond TalosConfigLoaded message)" "fetch failed: 404"
check "ConfigValidationErrorEvent accepted" N "$CLIENT" publish "$EV" config-validation "bad disk"
equals "TalosConfigValidated False" "$(cond TalosConfigValidated status)" "False"
check "PhaseEvent saveConfig accepted" N "$CLIENT" publish "$EV" phase saveConfig start
equals "TalosConfigLoaded True" "$(cond TalosConfigLoaded status)" "True"
equals "TalosConfigValidated True" "$(cond TalosConfigValidated status)" "True"
check "PhaseEvent install accepted" N "$CLIENT" publish "$EV" phase install start
equals "TalosInstalled in progress" "$(cond TalosInstalled status)/$(cond TalosInstalled reason)" "False/TalosInstallationInProgress"
check "SequenceEvent install reboot accepted" N "$CLIENT" publish "$EV" sequence install noop "unix.Reboot: restart"
equals "TalosInstalled True" "$(cond TalosInstalled status)" "True"
check "unknown event type acknowledged" N "$CLIENT" publish "$EV" unknown
out=$(N "$CLIENT" publish 10.201.0.1:4002 unknown 2>&1)
contains "event sink listens only on the tunnel address" "$out" "ERROR UNAVAILABLE"
metrics=$(M curl -s http://127.0.0.1:9410/metrics)
contains "events counted by type" "$metrics" 'linkd_events_total{type="AddressEvent"} 1'
contains "unknown events counted" "$metrics" 'linkd_events_total{type="unknown"} 1'
contains "provisions counted" "$metrics" 'linkd_provisions_total{result="provisioned"} 1'

# Restart with --join-token: same key and prefix from the Secret, peer rebuilt from the binding.
kill -TERM "$LINKD_PID"; wait "$LINKD_PID"; rc=$?
equals "SIGTERM exits 0" "$rc" "0"
check "wireguard-go stopped with linkd" wait_until 5 bash -c "! test -S /var/run/wireguard/$SIF.sock"
start_linkd --join-token s3cret
check "peer re-added from the ServerBinding" wait_until 5 bash -c "wg show $SIF peers | grep -qF '$NPUB'"
equals "same server key after restart" "$(wg show "$SIF" public-key)" "$SPUB"
out=$(N "$CLIENT" provision 10.201.0.1:50110 "$U1" "$NPUB")
contains "missing join token refused" "$out" "ERROR PERMISSION_DENIED"
out=$(N "$CLIENT" provision 10.201.0.1:50110 "$U1" "$NPUB" wrong)
contains "wrong join token refused" "$out" "ERROR PERMISSION_DENIED: join_token is wrong"
ans=$(N "$CLIENT" provision 10.201.0.1:50110 "$U1" "$NPUB" s3cret)
equals "right token: same address as before" "$(jq -r .node_address_prefix <<<"$ans")" "$NADDR"
check "tunnel works again after the restart (node re-handshakes within ~20 s)" wait_until 40 N busybox ping -6 -c 1 -W 1 "$SADDR"

K delete serverbinding "$U1" >/dev/null
check "deleting the ServerBinding removes the peer" wait_until 5 bash -c "! wg show $SIF peers | grep -qF '$NPUB'"
finish
