#!/usr/bin/env bash
# Durability: 16 concurrent writers create ConfigMaps; ferrum-apiserver is killed with SIGKILL
# midway and restarted. Every create that was answered 201 must be there, and SQLite's
# integrity check must pass.
source "$(dirname "$0")/../lib.sh"
setup_tmp
start_apiserver api
"$PY" "$(dirname "$0")/durability.py" "$KUBECONFIG" "$TMP/acked" 16 &
track_pid $!
WRITERS=$!
check "writers got some creates acknowledged" wait_until 30 bash -c "[[ \$(wc -l <'$TMP/acked') -ge 300 ]]"
kill -KILL "$APISERVER_PID"
wait "$WRITERS" 2>/dev/null || true
acked=$(sort -u "$TMP/acked" | wc -l)
echo "       $acked creates acknowledged before SIGKILL"
equals "integrity_check after SIGKILL" "$(sqlite3 "$TMP/api/ferrum.db" 'PRAGMA integrity_check')" "ok"
start_apiserver api
kubectl get configmaps -n default -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}' | sort -u >"$TMP/present"
missing=$(comm -23 <(sort -u "$TMP/acked") "$TMP/present" | wc -l)
equals "every acknowledged create survived the crash" "$missing" "0"
finish
