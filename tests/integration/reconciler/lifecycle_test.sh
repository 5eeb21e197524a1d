#!/usr/bin/env bash
# ferrum-reconciler's Server lifecycle against ferrum-apiserver, the real ferrum-registry (the
# agent's gRPC calls), the real ferrum-bmcd and ipmi_sim BMCs whose chassis_control records
# every power and boot-device call: registration -> not accepted: nothing -> accepted: PXE +
# power cycle -> heartbeats keep the wipe alive -> wiped -> clean -> powered off; missed
# heartbeats -> cycled again after the reboot timeout; no BMC: one Event; finalizer.
# Usage: lifecycle_test.sh AGENT_CLIENT
source "$(dirname "$0")/reconciler_lib.sh"
reconciler_test_init "$1"
start_apiserver api

help=$("$FERRUM_BIN/ferrum-reconciler" --help 2>&1)
for f in kubeconfig bmcd-endpoint ipmi-pxe-method server-reboot-timeout power-check-period workers \
  leader-elect default-environment-kernel-url default-environment-initrd-url default-environment-args \
  admin-listen log-format; do
  contains "--help explains --$f" "$help" "--$f"
done
out=$(FERRUM_IPMI_PXE_METHOD=efi "$FERRUM_BIN/ferrum-reconciler" --kubeconfig "$KUBECONFIG" 2>&1)
equals "bad flag from the environment: exit 2" "$?" "2"
contains "bad flag named" "$out" "ipmi-pxe-method"
out=$("$FERRUM_BIN/ferrum-reconciler" --kubeconfig "$KUBECONFIG" --bmcd-endpoint nope 2>&1)
contains "bad --bmcd-endpoint named" "$out" "--bmcd-endpoint"

start_peers a b
PA=${BMC_PORT[a]} PB=${BMC_PORT[b]}
start_reconciler rec --leader-elect=false --server-reboot-timeout 10s --power-check-period 2s \
  --ipmi-pxe-method bios

# Kept present: the `any` ServerClass and the `default` Environment.
check "ServerClass any created" wait_until 10 kubectl get serverclass any
check "Environment default created" wait_until 10 kubectl get environment default
kubectl delete serverclass any >/dev/null
check "ServerClass any re-created after delete" wait_until 10 kubectl get serverclass any

# --- registration, not accepted: nothing ----------------------------------------------
UA=4c4c4544-0042-3510-8051-c4c04f4e0a01
UB=4c4c4544-0042-3510-8051-c4c04f4e0a02
equals "register A" "$(ac register $UA --hostname node-a | cut -d' ' -f1)" "OK"
equals "A's BMC reported" "$(ac bmc $UA 127.0.0.1 "$PA" admin password)" "OK"
# The one write the reconciler makes to an unaccepted Server is Sidero's "neither ready nor
# clean": set ready by hand and wait for it to be put back. The reconcile that did it saw the
# BMC; what it (did not) ask of the BMC happened before its write.
kubectl patch server $UA --subresource=status --type=merge -p '{"status":{"ready":true}}' >/dev/null
check "not accepted: status.ready put back to false" wait_until 10 bash -c "[[ \$(kubectl get server $UA -o jsonpath='{.status.ready}') == false ]]"
equals "not accepted: the BMC was not touched" "$(calls a)" ""
equals "not accepted: no finalizer" "$(srv $UA '.metadata.finalizers // [] | length')" "0"
equals "not accepted: no power field" "$(srv $UA '.status.power // "none"')" "none"
equals "not accepted: not ready" "$(srv $UA '.status.ready // false')" "false"
equals "not accepted: in ServerClass any? no" "$(kubectl get serverclass any -o json | jq -r '.status.serversAvailable | index("'$UA'") // "no"')" "no"

# --- accepted: PXE + power cycle (on from off) ----------------------------------------
kubectl patch server $UA --type=json -p '[{"op":"replace","path":"/spec/accepted","value":true}]' >/dev/null
check "accepted: PXE boot set and powered on" wait_until 10 grep -q "power 1" "$TMP/bmc-a/state/calls"
equals "accepted: the BMC got PXE then power on" "$(calls a)" "boot pxe power 1 "
equals "machine is on" "$(bmc_state a power)" "1"
check "PowerCycle=False InProgress" wait_until 5 bash -c "[[ \$(kubectl get server $UA -o json | jq -r '.status.conditions[]|select(.type==\"PowerCycle\")|.status+\"/\"+.reason') == False/InProgress ]]"
check "status.power on" wait_until 5 bash -c "[[ \$(kubectl get server $UA -o jsonpath='{.status.power}') == on ]]"
equals "dirty: not ready" "$(srv $UA '.status.ready')" "false"
equals "finalizer added" "$(srv $UA '.metadata.finalizers | join(",")')" "storage.finalizers.server.k8s.io"
check "Event PowerCycled" wait_until 5 has_event $UA PowerCycled
check "ServerClass any lists A as available" wait_until 5 bash -c "kubectl get serverclass any -o json | jq -e '.status.serversAvailable | index(\"$UA\")'"

# Heartbeats keep the wipe alive past the 10 s reboot timeout: no second cycle. Each round
# waits until the reconciler has looked at A again after the heartbeat (it does on the
# heartbeat's write and on every 2 s power check), until the first cycle is 14 s old.
since_cycle=$SECONDS
while ((SECONDS < since_cycle + 14)); do
  ac heartbeat $UA >/dev/null
  check "reconciled after a heartbeat" wait_reconciled "$RECONCILER_ADMIN"
done
equals "heartbeats: no second cycle in 14 s" "$(calls a)" "boot pxe power 1 "

# --- wiped: clean, powered off, ready ---------------------------------------------------
equals "wiped" "$(ac wiped $UA)" "OK"
check "clean: powered off" wait_until 10 grep -q "power 0" "$TMP/bmc-a/state/calls"
equals "BMC calls: one cycle, one off" "$(calls a)" "boot pxe power 1 power 0 "
check "status ready + power off" wait_until 5 bash -c "[[ \$(kubectl get server $UA -o json | jq -r '\"\(.status.ready)/\(.status.power)/\(.status.isClean)\"') == true/off/true ]]"
check "Event PoweredOff" wait_until 5 has_event $UA PoweredOff
check "power checks of the clean machine" wait_reconciled "$RECONCILER_ADMIN"
equals "clean and off: nothing more sent (power checks only read)" "$(calls a)" "boot pxe power 1 power 0 "

# BMCs misreport: someone powers the clean machine on by hand; the power check turns it off.
ipmitool_bmc "$PA" chassis power on >/dev/null 2>&1
check "power check: powered off again" wait_until 10 bash -c "[[ \$(bmc_state a power) == 0 ]]"
equals "BMC calls after the check" "$(calls a)" "boot pxe power 1 power 0 power 1 power 0 "

# --- missed heartbeats: cycled again after the reboot timeout ---------------------------
equals "register B" "$(ac register $UB --hostname node-b | cut -d' ' -f1)" "OK"
equals "B's BMC reported" "$(ac bmc $UB 127.0.0.1 "$PB" admin password)" "OK"
kubectl patch server $UB --type=merge -p '{"spec":{"accepted":true}}' >/dev/null
check "B: first cycle" wait_until 10 grep -q "power 1" "$TMP/bmc-b/state/calls"
first=$(srv $UB '.status.conditions[]|select(.type=="PowerCycle")|.lastTransitionTime')
check "power checks of A and B" wait_reconciled "$RECONCILER_ADMIN" 4
equals "B: within the timeout, one cycle only" "$(calls b)" "boot pxe power 1 "
check "B: cycled again after 10 s without heartbeat" wait_until 20 bash -c "[[ \$(grep -c 'boot pxe' $TMP/bmc-b/state/calls) -ge 2 && \$(grep -c 'power 1' $TMP/bmc-b/state/calls) -ge 2 ]]"
contains "B: the second cycle is a real cycle (off, on)" "$(calls b)" "boot pxe power 1 boot pxe power 0 power 1"
check "Event WipeTimedOut" wait_until 5 has_event $UB WipeTimedOut
second=$(srv $UB '.status.conditions[]|select(.type=="PowerCycle")|.lastTransitionTime')
check "B: PowerCycle condition restamped" test "$first" != "$second"

# --- no BMC: one Event, no error loop ---------------------------------------------------
UC=4c4c4544-0042-3510-8051-c4c04f4e0a03
equals "register C (no BMC)" "$(ac register $UC --hostname node-c | cut -d' ' -f1)" "OK"
kubectl patch server $UC --type=merge -p '{"spec":{"accepted":true}}' >/dev/null
check "Event NoBMC" wait_until 10 has_event $UC NoBMC
check "C: power unknown" wait_until 5 bash -c "[[ \$(kubectl get server $UC -o jsonpath='{.status.power}') == unknown ]]"
kubectl label server $UC touched=1 >/dev/null
check "C reconciled after the change" wait_reconciled "$RECONCILER_ADMIN" 4
equals "NoBMC reported once despite changes" "$(event_count $UC NoBMC)" "1"
errors=$(curl -s "http://$RECONCILER_ADMIN/metrics" | grep 'ferrum_reconcile_total{controller="server",result="error"}' | awk '{print $2}')
equals "no reconcile errors for the BMC-less Server" "${errors:-0}" "0"

# --- deletion: the finalizer goes once the Server is not allocated ----------------------
kubectl delete server $UC --wait=false >/dev/null
check "unallocated Server deleted (finalizer removed)" wait_until 10 bash -c "! kubectl get server $UC"

# --- metrics and health -----------------------------------------------------------------
m=$(curl -s "http://$RECONCILER_ADMIN/metrics")
contains "metric: reconciles by controller and result" "$m" 'ferrum_reconcile_total{controller="server",result="success"}'
contains "metric: reconcile durations" "$m" 'ferrum_reconcile_duration_seconds_bucket{controller="server"'
contains "metric: queue depth" "$m" 'ferrum_workqueue_depth{name="server"}'
contains "metric: power operations" "$m" 'ferrum_reconciler_power_operations_total{operation="power-cycle",result="ok"}'
contains "metric: leader" "$m" 'ferrum_reconciler_leader 1'
equals "readyz" "$(curl -s -o /dev/null -w '%{http_code}' "http://$RECONCILER_ADMIN/readyz")" "200"

kill -TERM "$RECONCILER_PID"
wait "$RECONCILER_PID"
equals "SIGTERM: exit 0" "$?" "0"
finish
