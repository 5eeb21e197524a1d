#!/usr/bin/env bash
# Two ferrum-reconciler replicas with leader election (Lease ferrum-reconciler) against
# ferrum-apiserver, the real ferrum-registry, ferrum-bmcd and an ipmi_sim BMC: one leads and
# does the work, the other stands by; the leader is killed with SIGKILL right after it power
# cycled a Server; the standby takes over, does not cycle it again (the intent was written
# before the cycle), and powers it off once it is wiped. Nothing is done twice.
# Usage: leader_test.sh AGENT_CLIENT
source "$(dirname "$0")/reconciler_lib.sh"
reconciler_test_init "$1"
start_apiserver api
start_peers a
PA=${BMC_PORT[a]}
le=(--leader-elect=true --leader-election-lease-duration 3s --leader-election-renew-deadline 2s
  --leader-election-retry-period 500ms --server-reboot-timeout 60s --power-check-period 2s)
start_reconciler r1 "${le[@]}"
P1=$RECONCILER_PID; A1=$RECONCILER_ADMIN
check "r1 leads" wait_until 10 grep -q '"controllers starting"' "$TMP/r1.log"
start_reconciler r2 "${le[@]}"
P2=$RECONCILER_PID; A2=$RECONCILER_ADMIN
check "r2 ready as a standby (caches synced)" wait_until 10 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' http://$A2/readyz) == 200 ]]"
equals "r2 stands by" "$(grep -c '"controllers starting"' "$TMP/r2.log")" "0"
holder=$(kubectl get lease ferrum-reconciler -n default -o jsonpath='{.spec.holderIdentity}')
contains "Lease held by r1" "$(grep '"starting"' "$TMP/r1.log")" "$holder"
contains "leader metric r1" "$(curl -s http://$A1/metrics)" "ferrum_reconciler_leader 1"
contains "leader metric r2" "$(curl -s http://$A2/metrics)" "ferrum_reconciler_leader 0"

UA=4c4c4544-0042-3510-8051-c4c04f4e0c01
ac register $UA --hostname node-a >/dev/null
ac bmc $UA 127.0.0.1 "$PA" admin password >/dev/null
kubectl patch server $UA --type=merge -p '{"spec":{"accepted":true}}' >/dev/null
check "the leader power cycles A" wait_until 10 grep -q "power 1" "$TMP/bmc-a/state/calls"
check "status shows the cycle in progress" wait_until 5 bash -c "[[ \$(cond 'server $UA' PowerCycle reason) == InProgress ]]"
kill -KILL "$P1"
wait "$P1" 2>/dev/null
check "r2 takes over" wait_until 15 grep -q '"controllers starting"' "$TMP/r2.log"
contains "Lease now held by r2" "$(grep '"starting"' "$TMP/r2.log")" "$(kubectl get lease ferrum-reconciler -n default -o jsonpath='{.spec.holderIdentity}')"
check "several power checks of r2" wait_reconciled "$A2" 3
equals "after takeover: the wipe in progress is not cycled again" "$(calls a)" "boot pxe power 1 "
ac heartbeat $UA >/dev/null
ac wiped $UA >/dev/null
check "r2 powers the wiped A off" wait_until 10 grep -q "power 0" "$TMP/bmc-a/state/calls"
check "power checks of the clean A" wait_reconciled "$A2"
equals "BMC calls over both leaders: one cycle, one off" "$(calls a)" "boot pxe power 1 power 0 "
equals "PowerCycled reported once" "$(event_count $UA PowerCycled)" "1"
equals "PoweredOff reported once" "$(event_count $UA PoweredOff)" "1"
check "A ready, clean, off" bash -c "[[ \$(kubectl get server $UA -o json | jq -r '\"\(.status.ready)/\(.status.isClean)/\(.status.power)\"') == true/true/off ]]"

kill -TERM "$P2"
wait "$P2"
equals "r2 SIGTERM: exit 0" "$?" "0"
equals "released on exit: Lease holder cleared" "$(kubectl get lease ferrum-reconciler -n default -o jsonpath='{.spec.holderIdentity}')" ""
finish
