#!/usr/bin/env bash
# ferrum-apiserver against hostile input (hostile_input.py): invalid UTF-8 and nesting past
# Kubernetes' limit are answered, never fatal; nesting up to the limit works end to end.
source "$(dirname "$0")/../lib.sh"
setup_tmp
start_apiserver api
PYTHONPATH="$(dirname "$0")" "$PY" "$(dirname "$0")/hostile_input.py" "$KUBECONFIG"
rc=$?
if kill -0 "$APISERVER_PID" 2>/dev/null; then pass "ferrum-apiserver is still running"; else fail "ferrum-apiserver died"; cat "$TMP/api/log"; fi
[[ $rc == 0 ]] && pass "hostile_input.py" || fail "hostile_input.py"
finish
