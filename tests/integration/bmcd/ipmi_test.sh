#!/usr/bin/env bash
# ferrum-bmcd against real ipmi_sim BMCs on loopback: power on/off/cycle/state round trips,
# boot device pxe/disk read back with ipmitool and ipmi-chassis, credentials from a Secret,
# wrong password, a BMC that stops answering and one killed, 50 BMCs in parallel, metrics,
# clean SIGTERM. Usage: ipmi_test.sh POWER_CLIENT
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/ipmi_lab.sh"
source "$here/bmcd_lib.sh"
POWER_CLIENT=$1
setup_tmp
start_apiserver api

mapfile -t ports < <(free_udp_ports 54)
P1=${ports[0]} P2=${ports[1]} P3=${ports[2]} DEAD=${ports[3]}
start_bmc one "$P1"
start_bmc two "$P2" "sekrit"
start_bmc three "$P3"
PID3=$BMC_PID

start_bmcd --ipmi-timeout 1s --ipmi-retries 1 --retry-backoff 100ms --max-concurrent-bmcs 64 --log-level debug
wait_until 5 ipmitool_bmc "$P1" power status

ipmi_server s-one "$P1" admin password
ipmi_server s-wrongpass "$P1" admin wrong
ipmi_server s-three "$P3" admin password
ipmi_server s-dead "$DEAD" admin password
kubectl create secret generic bmc-two -n default --from-literal=username=admin --from-literal=password=sekrit >/dev/null
kubectl apply -f - >/dev/null <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: s-two
spec:
  accepted: true
  bmc:
    endpoint: 127.0.0.1
    port: $P2
    userFrom: {secretKeyRef: {namespace: default, name: bmc-two, key: username}}
    passFrom: {secretKeyRef: {namespace: default, name: bmc-two, key: password}}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: s-missing-secret
spec:
  accepted: true
  bmc:
    endpoint: 127.0.0.1
    port: $P2
    user: admin
    passFrom: {secretKeyRef: {namespace: default, name: no-such-secret, key: password}}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata:
  name: s-nobmc
spec:
  accepted: true
YAML

check "health service says SERVING" "$POWER_CLIENT" "$BMCD_ADDR" health

# --- power round trips, cross-checked with ipmitool and the machine's state file
equals "state of a machine that is off" "$(pc state s-one)" "s-one OK off"
equals "power on" "$(pc on s-one)" "s-one OK"
equals "machine is on (chassis_control)" "$(bmc_state one power)" "1"
contains "ipmitool agrees: on" "$(ipmitool_bmc "$P1" power status)" "is on"
equals "state reads on" "$(pc state s-one)" "s-one OK on"
calls_before=$(bmc_state one calls | wc -l)
equals "power on when on" "$(pc on s-one)" "s-one OK"
equals "nothing sent when already on" "$(bmc_state one calls | wc -l)" "$calls_before"
equals "power off" "$(pc off s-one)" "s-one OK"
equals "machine is off" "$(bmc_state one power)" "0"
contains "ipmitool agrees: off" "$(ipmitool_bmc "$P1" power status)" "is off"
equals "cycle when off powers on" "$(pc cycle s-one)" "s-one OK from_off"
equals "machine is on after cycle-from-off" "$(bmc_state one power)" "1"
: >"$TMP/bmc-one/state/calls"
equals "cycle when on" "$(pc cycle s-one)" "s-one OK"
wait_until 5 grep -q "power 1" "$TMP/bmc-one/state/calls"
equals "the BMC cycled (off, then on)" "$(tr '\n' ' ' <"$TMP/bmc-one/state/calls")" "power 0 power 1 "

# --- boot device, read back by two other clients
equals "boot pxe uefi" "$(pc boot s-one --device pxe --mode uefi)" "s-one OK"
equals "BMC keeps pxe" "$(bmc_state one boot)" "pxe"
contains "ipmitool bootparam get 5: PXE" "$(ipmitool_bmc "$P1" chassis bootparam get 5)" "Force PXE"
contains "ipmi-chassis --get-boot-flags: PXE" \
  "$(ipmi-chassis -h 127.0.0.1:"$P1" -u admin -p password -l admin --get-boot-flags 2>&1)" "Force PXE"
equals "boot disk bios" "$(pc boot s-one --device disk --mode bios)" "s-one OK"
equals "BMC keeps disk (ipmi_sim calls it default)" "$(bmc_state one boot)" "default"
contains "ipmi-chassis --get-boot-flags: hard drive" \
  "$(ipmi-chassis -h 127.0.0.1:"$P1" -u admin -p password -l admin --get-boot-flags 2>&1)" "Force boot from default Hard drive"
contains "unspecified device rejected" "$(pc boot s-one --device floppy)" "INVALID_ARGUMENT device"

# --- credentials and resolution errors
equals "credentials from a Secret" "$(pc on s-two)" "s-two OK"
equals "Secret BMC is on" "$(bmc_state two power)" "1"
out=$(pc state s-wrongpass)
contains "wrong password: UNAUTHENTICATED" "$out" "s-wrongpass UNAUTHENTICATED"
contains "wrong password names the endpoint" "$out" "ipmi 127.0.0.1:$P1"
contains "missing Secret: FAILED_PRECONDITION naming it" "$(pc state s-missing-secret)" \
  "FAILED_PRECONDITION spec.bmc.passFrom.secretKeyRef: secret default/no-such-secret not found"
contains "no BMC" "$(pc on s-nobmc)" "s-nobmc FAILED_PRECONDITION server has no BMC"
contains "unknown server" "$(pc on nope)" "nope NOT_FOUND"
contains "empty name" "$(pc on "''")" "INVALID_ARGUMENT server_name"
out=$(pc state s-dead)
if [[ $out == *"UNAVAILABLE"* || $out == *"DEADLINE_EXCEEDED"* ]]; then pass "nothing listening: $out"; else fail "nothing listening: $out"; fi
contains "short caller deadline: DEADLINE_EXCEEDED" "$(pc state s-dead --deadline-ms 500)" "DEADLINE_EXCEEDED"

# --- a BMC that stops answering (SIGSTOP) and one killed: errors, then recovery
equals "three reachable" "$(pc state s-three)" "s-three OK off"
kill -STOP "$PID3"
out=$(pc on s-three)
if [[ $out == *"UNAVAILABLE"* || $out == *"DEADLINE_EXCEEDED"* ]]; then pass "stopped BMC: $out"; else fail "stopped BMC: $out"; fi
kill -CONT "$PID3"
equals "BMC answers again" "$(pc on s-three)" "s-three OK"
kill -KILL "$PID3"
wait "$PID3" 2>/dev/null
out=$(pc off s-three)
if [[ $out == *"UNAVAILABLE"* || $out == *"DEADLINE_EXCEEDED"* ]]; then pass "killed BMC: $out"; else fail "killed BMC: $out"; fi
equals "killed BMC: state not guessed" "$(bmc_state three power)" "1"
start_bmc three "$P3"
wait_until 5 ipmitool_bmc "$P3" power status
equals "restarted BMC (fresh state) works" "$(pc state s-three)" "s-three OK off"

# --- 50 BMCs in parallel
names=()
for i in $(seq 1 50); do
  port=${ports[$((3 + i))]}
  start_bmc "p$i" "$port"
  names+=("s-p$i")
done
for i in $(seq 1 50); do
  port=${ports[$((3 + i))]}
  printf -- '---\napiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: s-p%s}\nspec:\n  accepted: true\n  bmc: {endpoint: 127.0.0.1, port: %s, user: admin, pass: password}\n' "$i" "$port"
done | kubectl apply -f - >/dev/null
# Every simulated BMC answers before the parallel call: 50 ipmi_sim processes starting at
# once on 2 cores are not all listening when the last one is.
for i in $(seq 1 50); do wait_until 10 ipmitool_bmc "${ports[$((3 + i))]}" power status; done
# The 1 s IPMI timeout above keeps the dead-BMC checks short; 50 RMCP+ handshakes at once
# against 50 simulators on 2 cores need more. A second ferrum-bmcd with an operator's timeout
# takes this part; the first keeps its metrics for the checks below.
first=("$BMCD_LOG" "$BMCD_PID" "$BMCD_ADMIN" "$BMCD_ADDR")
BMCD_LOG_FILE=$TMP/bmcd2.log start_bmcd --ipmi-timeout 10s --ipmi-retries 2 --retry-backoff 100ms \
  --max-concurrent-bmcs 64
out=$("$POWER_CLIENT" "$BMCD_ADDR" on "${names[@]}")
equals "50 BMCs powered on in parallel" "$(grep -c ' OK$' <<<"$out")" "50"
on=0
for i in $(seq 1 50); do [[ $(bmc_state "p$i" power) == 1 ]] && on=$((on + 1)); done
equals "50 machines are on" "$on" "50"
out=$("$POWER_CLIENT" "$BMCD_ADDR" state "${names[@]}")
equals "50 states read on" "$(grep -c ' OK on$' <<<"$out")" "50"
kill -TERM "$BMCD_PID"
wait "$BMCD_PID"
equals "second bmcd: SIGTERM exit 0" "$?" "0"
BMCD_LOG=${first[0]} BMCD_PID=${first[1]} BMCD_ADMIN=${first[2]} BMCD_ADDR=${first[3]}

# --- metrics and shutdown
m=$(curl -sf "http://$BMCD_ADMIN/metrics")
contains "metrics: operations" "$m" 'bmcd_operations_total{backend="ipmi",op="power_on",result="OK"}'
contains "metrics: auth failures" "$m" 'result="UNAUTHENTICATED"'
contains "metrics: latency" "$m" 'bmcd_operation_duration_seconds_bucket{backend="ipmi",op="power_state"'
contains "metrics: sessions" "$m" 'bmcd_ipmi_sessions_open'
check "readyz" curl -sf "http://$BMCD_ADMIN/readyz"
kill -TERM "$BMCD_PID"
wait "$BMCD_PID"
equals "SIGTERM: exit 0" "$?" "0"
contains "stopped logged" "$(cat "$BMCD_LOG")" '"stopped"'
finish
