#!/usr/bin/env bash
# ferrum-registry against ferrum-apiserver with a real gRPC agent client, checked with
# kubectl: registration (accepted or not, clean or dirty answers), re-registration with
# changed hardware (Event), bad UUIDs, heartbeat and wipe conditions, addresses, BMC Secret
# and spec.bmc, metrics, health, SIGTERM. Usage: agent_api_test.sh AGENT_CLIENT
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/registry_lib.sh"
AGENT_CLIENT=$1
setup_tmp
start_apiserver api
kubectl create namespace bmc-creds >/dev/null

help=$("$FERRUM_BIN/ferrum-registry" --help 2>&1)
for f in listen kubeconfig auto-accept-servers insecure-wipe auto-bmc-setup server-reboot-timeout \
  bmc-secret-namespace workers max-pending-calls max-message-bytes call-timeout admin-listen; do
  contains "--help explains --$f" "$help" "--$f"
done
out=$(FERRUM_BMC_SECRET_NAMESPACE=Bad_NS "$FERRUM_BIN/ferrum-registry" --kubeconfig "$KUBECONFIG" 2>&1)
equals "bad flag from the environment: exit 2" "$?" "2"
contains "bad flag named" "$out" "--bmc-secret-namespace"

# --- not auto-accepted ---------------------------------------------------------------
start_registry --bmc-secret-namespace bmc-creds --server-reboot-timeout 10m
equals "health: SERVING" "$(ac health)" "SERVING"
U1=4C4C4544-0042-3510-8051-C4C04F4E4B32
u1=${U1,,}
equals "new server, not accepted: empty answer" "$(ac register $U1 --hostname node-a --mem-mb 16384 --disk-bytes 68719476736)" \
  "OK wipe=0 insecure_wipe=0 setup_bmc=0 reboot_timeout=0"
s=$(kubectl get server "$u1" -o json)
equals "named by the lower-case UUID" "$(jq -r .metadata.name <<<"$s")" "$u1"
equals "accepted=false" "$(jq -r .spec.accepted <<<"$s")" "false"
equals "hostname" "$(jq -r .spec.hostname <<<"$s")" "node-a"
equals "memory totalSize as Sidero writes it" "$(jq -r .spec.hardware.memory.totalSize <<<"$s")" "16 GB"
equals "storage totalSize" "$(jq -r .spec.hardware.storage.totalSize <<<"$s")" "64 GB"
equals "storage device type name" "$(jq -r '.spec.hardware.storage.devices[0].type' <<<"$s")" "HDD"
equals "system manufacturer" "$(jq -r .spec.hardware.system.manufacturer <<<"$s")" "QEMU"
equals "mac" "$(jq -r '.spec.hardware.network.interfaces[0].mac' <<<"$s")" "52:54:00:00:00:01"
equals "kubectl columns: Accepted false" "$(kubectl get server "$u1" --no-headers | awk '{print $3}')" "false"
wait_until 5 bash -c "kubectl get events -n default -o json | jq -e '.items[] | select(.involvedObject.name==\"$u1\" and .reason==\"ServerRegistration\")'"
equals "Event ServerRegistration" "$?" "0"

rv=$(kubectl get server "$u1" -o jsonpath='{.metadata.resourceVersion}')
equals "same inventory again: still not accepted" "$(ac register $U1 --hostname node-a --mem-mb 16384 --disk-bytes 68719476736)" \
  "OK wipe=0 insecure_wipe=0 setup_bmc=0 reboot_timeout=0"
equals "same inventory: nothing written" "$(kubectl get server "$u1" -o jsonpath='{.metadata.resourceVersion}')" "$rv"

kubectl patch server "$u1" --type merge -p '{"spec":{"accepted":true}}' >/dev/null
equals "accepted, dirty: wipe, BMC set-up, reboot timeout" "$(ac register $U1 --mem-mb 16384 --disk-bytes 68719476736)" \
  "OK wipe=1 insecure_wipe=1 setup_bmc=1 reboot_timeout=600"

equals "changed hardware: answered" "$(ac register $U1 --mem-mb 32768 --disk-bytes 68719476736)" \
  "OK wipe=1 insecure_wipe=1 setup_bmc=1 reboot_timeout=600"
equals "changed hardware written" "$(kubectl get server "$u1" -o jsonpath='{.spec.hardware.memory.totalSize}')" "32 GB"
equals "accepted kept" "$(kubectl get server "$u1" -o jsonpath='{.spec.accepted}')" "true"
equals "hostname kept" "$(kubectl get server "$u1" -o jsonpath='{.spec.hostname}')" "node-a"
wait_until 5 bash -c "kubectl get events -n default -o json | jq -e '.items[] | select(.involvedObject.name==\"$u1\" and .reason==\"HardwareChanged\")'"
equals "Event HardwareChanged" "$?" "0"

# --- bad UUIDs ---------------------------------------------------------------------------
n_before=$(kubectl get servers -o name | wc -l)
out=$(ac register 00000000-0000-0000-0000-000000000000 --mac 52:54:00:aa:bb:cc)
contains "all-zero UUID: INVALID_ARGUMENT naming it" "$out" 'INVALID_ARGUMENT hardware.system.uuid "00000000-0000-0000-0000-000000000000"'
contains "all-F UUID refused" "$(ac register FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF)" "INVALID_ARGUMENT hardware.system.uuid \"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF\""
contains "malformed UUID refused" "$(ac register not-a-uuid)" 'INVALID_ARGUMENT hardware.system.uuid "not-a-uuid": not an SMBIOS UUID'
equals "bad UUIDs: no Server created" "$(kubectl get servers -o name | wc -l)" "$n_before"
contains "bad UUID logged with the MAC" "$(grep '"registration refused"' "$REGISTRY_LOG")" "52:54:00:aa:bb:cc"
contains "heartbeat with a bad uuid" "$(ac heartbeat 1234)" 'INVALID_ARGUMENT uuid "1234"'
contains "heartbeat for an unknown server" "$(ac heartbeat 11111111-2222-3333-4444-555555555555)" "NOT_FOUND"

# --- heartbeat and wipe ------------------------------------------------------------------
equals "heartbeat" "$(ac heartbeat $U1)" "OK"
cond() { kubectl get server "$u1" -o json | jq -r ".status.conditions[] | select(.type==\"PowerCycle\") | $1"; }
equals "PowerCycle False" "$(cond .status)" "False"
equals "PowerCycle reason InProgress" "$(cond .reason)" "InProgress"
t1=$(cond .lastTransitionTime)
sleep 1.1
ac heartbeat $U1 >/dev/null
t2=$(cond .lastTransitionTime)
check "heartbeat refreshes lastTransitionTime ($t1 -> $t2)" test "$t2" \> "$t1"
equals "one PowerCycle condition" "$(kubectl get server "$u1" -o json | jq '[.status.conditions[] | select(.type=="PowerCycle")] | length')" "1"
equals "wiped" "$(ac wiped $U1)" "OK"
equals "isClean" "$(kubectl get server "$u1" -o jsonpath='{.status.isClean}')" "true"
equals "PowerCycle ended (True)" "$(cond .status)" "True"
equals "accepted, clean: no wipe, BMC set-up still offered" "$(ac register $U1 --mem-mb 32768 --disk-bytes 68719476736)" \
  "OK wipe=0 insecure_wipe=0 setup_bmc=1 reboot_timeout=0"

# --- addresses -------------------------------------------------------------------------
equals "addresses" "$(ac addresses $U1 InternalIP=10.0.0.5 Hostname=node-a)" "OK"
equals "status.addresses" "$(kubectl get server "$u1" -o json | jq -c '.status.addresses')" \
  '[{"address":"10.0.0.5","type":"InternalIP"},{"address":"node-a","type":"Hostname"}]'
equals "addresses: new InternalIP, Hostname kept" "$(ac addresses $U1 InternalIP=10.0.0.6)" "OK"
equals "status.addresses merged" "$(kubectl get server "$u1" -o json | jq -c '.status.addresses')" \
  '[{"address":"10.0.0.6","type":"InternalIP"},{"address":"node-a","type":"Hostname"}]'
rv=$(kubectl get server "$u1" -o jsonpath='{.metadata.resourceVersion}')
contains "bad address type named" "$(ac addresses $U1 Internal=10.0.0.7)" 'INVALID_ARGUMENT address[0].type "Internal"'
equals "bad addresses: nothing written" "$(kubectl get server "$u1" -o jsonpath='{.metadata.resourceVersion}')" "$rv"

# --- BMC ---------------------------------------------------------------------------------
equals "bmc info" "$(ac bmc $U1 10.0.0.9 0 ferrum s3cr3t-pass)" "OK"
sec=$(kubectl get secret -n bmc-creds "$u1-bmc" -o json)
equals "secret user" "$(jq -r .data.user <<<"$sec" | base64 -d)" "ferrum"
equals "secret pass" "$(jq -r .data.pass <<<"$sec" | base64 -d)" "s3cr3t-pass"
uid=$(kubectl get server "$u1" -o jsonpath='{.metadata.uid}')
equals "secret owned by the Server" "$(jq -r '.metadata.ownerReferences[0] | "\(.kind)/\(.name)/\(.uid)/\(.controller)"' <<<"$sec")" "Server/$u1/$uid/true"
bmc=$(kubectl get server "$u1" -o json | jq -c .spec.bmc)
equals "spec.bmc" "$(jq -c '{endpoint,port,userFrom,passFrom}' <<<"$bmc")" \
  "{\"endpoint\":\"10.0.0.9\",\"port\":623,\"userFrom\":{\"secretKeyRef\":{\"key\":\"user\",\"name\":\"$u1-bmc\",\"namespace\":\"bmc-creds\"}},\"passFrom\":{\"secretKeyRef\":{\"key\":\"pass\",\"name\":\"$u1-bmc\",\"namespace\":\"bmc-creds\"}}}"
check "no plain-text password in the Server" bash -c "! kubectl get server $u1 -o json | grep -q s3cr3t-pass"
equals "kubectl wide: BMC IP column" "$(kubectl get server "$u1" -o wide --no-headers | grep -c 10.0.0.9)" "1"
equals "new password" "$(ac bmc $U1 10.0.0.9 6230 ferrum n3w-pass)" "OK"
equals "secret updated" "$(kubectl get secret -n bmc-creds "$u1-bmc" -o jsonpath='{.data.pass}' | base64 -d)" "n3w-pass"
equals "port updated" "$(kubectl get server "$u1" -o jsonpath='{.spec.bmc.port}')" "6230"
equals "BMC configured: no more BMC set-up" "$(ac register $U1 --mem-mb 32768 --disk-bytes 68719476736)" \
  "OK wipe=0 insecure_wipe=0 setup_bmc=0 reboot_timeout=0"
contains "user without pass refused" "$(ac bmc $U1 10.0.0.9 623 ferrum '')" "INVALID_ARGUMENT bmc_info.user and bmc_info.pass"
contains "bmc for an unknown server" "$(ac bmc 11111111-2222-3333-4444-555555555555 10.0.0.9 623 a b)" "NOT_FOUND"
check "no Secret for the unknown server" bash -c "! kubectl get secret -n bmc-creds 11111111-2222-3333-4444-555555555555-bmc"

m=$(curl -sf "http://$REGISTRY_ADMIN/metrics")
contains "metrics: calls by rpc and code" "$m" 'registry_calls_total{rpc="CreateServer",code="INVALID_ARGUMENT"}'
contains "metrics: heartbeat OK" "$m" 'registry_calls_total{rpc="Heartbeat",code="OK"}'
contains "metrics: latency" "$m" 'registry_call_duration_seconds_bucket{rpc="UpdateBMCInfo"'
stop_registry
equals "SIGTERM: exit 0" "$REGISTRY_RC" "0"

# --- auto-accept, secure wipe, no BMC set-up, concurrent registration ------------------------
start_registry --auto-accept-servers --insecure-wipe=false --auto-bmc-setup=false
U2=0f0e0d0c-0b0a-0908-0706-050403020100
equals "auto-accepted, dirty: secure wipe, no BMC" "$(ac register $U2)" \
  "OK wipe=1 insecure_wipe=0 setup_bmc=0 reboot_timeout=1200"
equals "accepted=true" "$(kubectl get server $U2 -o jsonpath='{.spec.accepted}')" "true"
U3=a0a0a0a0-0000-4000-8000-000000000003
racers=()
for i in 1 2 3 4 5 6; do
  ac register $U3 --mem-mb $((i * 1024)) >"$TMP/race.$i" &
  racers+=($!)
done
wait "${racers[@]}"  # not a bare `wait`: that would wait for the daemons too
equals "6 concurrent registrations of one machine: all OK" "$(cat "$TMP"/race.* | grep -c '^OK wipe=1')" "6"
equals "one Server" "$(kubectl get servers -o name | grep -c $U3)" "1"
stop_registry
equals "SIGTERM: exit 0" "$REGISTRY_RC" "0"

# --- the concurrency bound: one worker, one waiting call, 32 agents at once --------------
start_registry --workers 1 --max-pending-calls 1
ac bench 32 1 >"$TMP/bench.out" 2>"$TMP/bench.err"
contains "calls beyond --max-pending-calls: RESOURCE_EXHAUSTED" "$(cat "$TMP/bench.err")" \
  "RESOURCE_EXHAUSTED too many calls waiting (--max-pending-calls=1)"
contains "metrics count them" "$(curl -sf "http://$REGISTRY_ADMIN/metrics")" \
  'registry_calls_total{rpc="CreateServer",code="RESOURCE_EXHAUSTED"}'
equals "health still SERVING" "$(ac health)" "SERVING"
stop_registry
equals "SIGTERM: exit 0" "$REGISTRY_RC" "0"
finish
