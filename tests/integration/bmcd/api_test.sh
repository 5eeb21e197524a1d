#!/usr/bin/env bash
# ferrum-bmcd's "api" method against a small HTTP server this test starts: power round trips,
# pxeboot, an endpoint without scheme, HTTP 500 (not retried), timeouts (retried, then
# UNAVAILABLE), a body that is not JSON. Usage: api_test.sh POWER_CLIENT
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/bmcd_lib.sh"
POWER_CLIENT=$1
setup_tmp
start_apiserver api
"$PY" "$here/api_server.py" "$TMP/api.port" "$TMP/calls" 2>>"$TMP/api_server.log" &
track_pid $!
wait_until 5 test -f "$TMP/api.port"
PORT=$(cat "$TMP/api.port")
start_bmcd --ipmi-timeout 1s --ipmi-retries 1 --retry-backoff 100ms

for m in vm1 broken slow garbage; do
  printf -- '---\napiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: s-%s}\nspec:\n  accepted: true\n  managementApi: {endpoint: "http://127.0.0.1:%s/%s"}\n' "$m" "$PORT" "$m"
done | kubectl apply -f - >/dev/null
printf -- 'apiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: s-vm2}\nspec:\n  accepted: true\n  managementApi: {endpoint: "127.0.0.1:%s/vm2/"}\n' "$PORT" |
  kubectl apply -f - >/dev/null

equals "state off" "$(pc state s-vm1)" "s-vm1 OK off"
equals "power on" "$(pc on s-vm1)" "s-vm1 OK"
equals "state on" "$(pc state s-vm1)" "s-vm1 OK on"
contains "POST /vm1/poweron reached the server" "$(cat "$TMP/calls")" "POST /vm1/poweron"
equals "pxe boot" "$(pc boot s-vm1 --device pxe --mode uefi)" "s-vm1 OK"
contains "POST /vm1/pxeboot reached the server" "$(cat "$TMP/calls")" "POST /vm1/pxeboot"
equals "cycle when on" "$(pc cycle s-vm1)" "s-vm1 OK"
contains "POST /vm1/reboot reached the server" "$(cat "$TMP/calls")" "POST /vm1/reboot"
equals "power off" "$(pc off s-vm1)" "s-vm1 OK"
equals "state off again" "$(pc state s-vm1)" "s-vm1 OK off"
equals "endpoint without scheme, trailing slash" "$(pc cycle s-vm2)" "s-vm2 OK from_off"
contains "vm2 powered on via /poweron" "$(cat "$TMP/calls")" "POST /vm2/poweron"

: >"$TMP/calls"
out=$(pc on s-broken)
contains "HTTP 500: INTERNAL" "$out" "s-broken INTERNAL"
contains "HTTP 500 named with the endpoint" "$out" "api http://127.0.0.1:$PORT/broken: GET /status: answered HTTP 500"
equals "HTTP 500 not retried" "$(grep -c broken "$TMP/calls")" "1"

: >"$TMP/calls"
out=$(pc state s-slow)
contains "timeout: UNAVAILABLE" "$out" "s-slow UNAVAILABLE"
equals "timeout retried once (--ipmi-retries 1)" "$(grep -c slow "$TMP/calls")" "2"
contains "short caller deadline: DEADLINE_EXCEEDED" "$(pc state s-slow --deadline-ms 1500)" "DEADLINE_EXCEEDED"
contains "non-JSON status: INTERNAL" "$(pc state s-garbage)" "s-garbage INTERNAL api http://127.0.0.1:$PORT/garbage: GET /status: body is not JSON"

m=$(curl -sf "http://$BMCD_ADMIN/metrics")
contains "metrics: api operations" "$m" 'bmcd_operations_total{backend="api",op="power_on",result="OK"}'
contains "metrics: api failures" "$m" 'bmcd_operations_total{backend="api",op="power_on",result="INTERNAL"}'
kill -TERM "$BMCD_PID"
wait "$BMCD_PID"
equals "SIGTERM: exit 0" "$?" "0"
finish
