#!/usr/bin/env bash
# Watch memory (watch_memory.py): stalled watches keep ferrum-apiserver's RSS bounded, a
# watcher that falls behind --watch-buffer-bytes is closed, and the Python client relists.
source "$(dirname "$0")/../lib.sh"
setup_tmp
mkdir -p "$TMP/api"
# Started by hand rather than with start_apiserver: the test reads /metrics, whose port is
# only logged at info level.
start_daemon ferrum-apiserver "$TMP/api/log" "serving" "$FERRUM_BIN/ferrum-apiserver" \
  --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$TMP/api" \
  --crd-dir "$FERRUM_ROOT/charts/ferrum/crds" --watch-buffer-bytes $((2 * 1024 * 1024))
export KUBECONFIG=$TMP/api/kubeconfig
PYTHONPATH="$(dirname "$0")" "$PY" "$(dirname "$0")/watch_memory.py" "$KUBECONFIG" "$DAEMON_PID" "$DAEMON_ADMIN"
rc=$?
if kill -0 "$DAEMON_PID" 2>/dev/null; then pass "ferrum-apiserver is still running"; else fail "ferrum-apiserver died"; fi
[[ $rc == 0 ]] && pass "watch_memory.py" || fail "watch_memory.py"
finish
