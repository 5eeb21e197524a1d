#!/usr/bin/env bash
# ferrum-apiserver benchmark. Starts ferrum-apiserver on loopback (free ports) with a fresh
# temporary --data-dir and the CRDs, then drives it with apiserver_load (Ferrum's own client
# library: RestClient over libcurl, Informer) and prints a markdown table:
#   1. durable creates/s of N Servers with C concurrent clients (own RestClient each), p50/p99
#      create latency, and the server's durable commits (ferrum_apiserver_commits on its
#      --admin-listen /metrics) so the group-commit batch size shows;
#   2. list latency of all N Servers, whole and paged (limit=500), over R runs;
#   3. watch delivery latency with W watchers while one writer merge-patches Servers at Q/s;
#   4. Informer memory per cached Server (RSS delta of apiserver_load holding the Informer);
#   5. ferrum-apiserver RSS (VmRSS and process_resident_memory_bytes) empty and with N Servers.
# Everything it starts is stopped by PID; the data directory is removed at the end.
# No peer API server runs here: no kube-apiserver can be installed on these machines.
#
# Usage: benchmarks/apiserver/run.sh [--build DIR] [--count N] [--clients C] [--runs R]
#          [--watchers W] [--rate Q] [--seconds S] [--threads T] [--raw FILE]
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=$root_dir/build
count=10000
clients=16
runs=10
watchers=10
rate=100
seconds=10
threads=
raw=
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --count) count=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --watchers) watchers=$2; shift 2 ;;
    --rate) rate=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --raw) raw=$2; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
load=$build/bin/apiserver_load
apiserver=$build/bin/ferrum-apiserver
[[ -x $load && -x $apiserver ]] || { echo "run.sh: build apiserver_load and ferrum-apiserver first (scripts/build)" >&2; exit 1; }
command -v jq >/dev/null || { echo "run.sh: needs jq" >&2; exit 1; }

work=$(mktemp -d /tmp/ferrum-apiserver-bench.XXXXXX)
results=$work/results.jsonl
server_pid=
cleanup() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  [[ -n $raw ]] && cp "$results" "$raw" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

# --- start ferrum-apiserver on free loopback ports, read both ports from its log
"$apiserver" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --data-dir "$work/data" \
  --crd-dir "$root_dir/charts/ferrum/crds" --crd-dir "$root_dir/charts/ferrum/crds-capi" \
  ${threads:+--threads "$threads"} --log-level info >"$work/log" 2>&1 &
server_pid=$!
kubeconfig=$work/data/kubeconfig
admin_port=
for _ in $(seq 1 200); do
  kill -0 "$server_pid" 2>/dev/null || { echo "ferrum-apiserver exited:"; cat "$work/log"; exit 1; }
  admin_port=$(jq -r 'select(.msg == "admin server listening") | .port' "$work/log" 2>/dev/null | head -1 || true)
  if [[ -n $admin_port && -f $kubeconfig ]] && curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1; then
    break
  fi
  sleep 0.1
done
curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null || { echo "ferrum-apiserver not ready:"; cat "$work/log"; exit 1; }

metric() {  # metric NAME: the value of an unlabelled metric on the admin endpoint
  curl -fsS "http://127.0.0.1:$admin_port/metrics" | awk -v m="$1" '$1 == m && !done { print $2; done = 1 }'
}
vmrss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$server_pid/status"; }
record() { jq -c "$1" >>"$results"; }

echo "ferrum-apiserver pid $server_pid, admin :$admin_port, data $work/data" >&2
record "{test: \"server_empty\", vmrss_kib: $(vmrss_kib), resident_bytes: $(metric process_resident_memory_bytes)}" <<<'{}'

# --- 1. durable creates
commits0=$(metric ferrum_apiserver_commits)
cpu0=$(metric process_cpu_seconds_total)
echo "create: $count Servers, $clients clients" >&2
"$load" create --kubeconfig "$kubeconfig" --clients "$clients" --count "$count" >"$work/create.json"
commits1=$(metric ferrum_apiserver_commits)
cpu1=$(metric process_cpu_seconds_total)
jq -c --argjson c0 "$commits0" --argjson c1 "$commits1" --argjson u0 "$cpu0" --argjson u1 "$cpu1" \
  '. + {commits: ($c1 - $c0), server_cpu_seconds: ($u1 - $u0)}' "$work/create.json" >>"$results"
curl -fsS "http://127.0.0.1:$admin_port/metrics" | grep '^ferrum_apiserver_request_duration_seconds.*verb="create"' \
  >"$work/create_histogram.txt" || true

# --- 5. server RSS with the Servers loaded
record "{test: \"server_loaded\", objects: $(metric ferrum_apiserver_objects), vmrss_kib: $(vmrss_kib), resident_bytes: $(metric process_resident_memory_bytes)}" <<<'{}'

# --- 2. list latency
echo "list: whole and paged, $runs runs each" >&2
"$load" list --kubeconfig "$kubeconfig" --runs "$runs" --limit 0 --expect "$count" >>"$results"
"$load" list --kubeconfig "$kubeconfig" --runs "$runs" --limit 500 --expect "$count" >>"$results"

# --- 3. watch delivery latency
echo "watch: $watchers watchers, $rate writes/s for ${seconds}s" >&2
"$load" watch --kubeconfig "$kubeconfig" --watchers "$watchers" --count "$count" --rate "$rate" \
  --seconds "$seconds" >>"$results"

# --- 4. informer memory
echo "informer over $count Servers" >&2
"$load" informer --kubeconfig "$kubeconfig" --count "$count" >>"$results"
record "{test: \"server_after\", vmrss_kib: $(vmrss_kib), resident_bytes: $(metric process_resident_memory_bytes)}" <<<'{}'

# --- the table
r() { jq -r "select(.test == \"$1\") | $2" "$results" | head -1; }
f1() { printf '%.1f' "$1"; }
cat <<EOF

| Measurement (ferrum-apiserver, loopback, $(nproc) cores) | Result |
|---|---|
| Durable creates/s, $clients clients, $count Servers ($(r create .bytes_per_object) B each) | $(f1 "$(r create .per_sec)")/s ($(r create .ok) ok, $(r create .errors) errors, $(f1 "$(r create .seconds)") s) |
| Create latency p50 / p99 / max | $(f1 "$(r create .latency.p50_ms)") / $(f1 "$(r create .latency.p99_ms)") / $(f1 "$(r create .latency.max_ms)") ms |
| Server commits during the creates (writes per commit) | $(r create .commits) ($(f1 "$(jq -r 'select(.test=="create") | .ok / .commits' "$results")") per commit); server CPU $(f1 "$(r create .server_cpu_seconds)") s |
| List all $count Servers, whole: p50 / p99 ($runs runs) | $(f1 "$(r list '.latency.p50_ms' | head -1)") / $(f1 "$(jq -r 'select(.test=="list" and .limit==0) | .latency.p99_ms' "$results")") ms |
| List all $count Servers, paged limit=500: p50 / p99 ($runs runs) | $(f1 "$(jq -r 'select(.test=="list" and .limit==500) | .latency.p50_ms' "$results")") / $(f1 "$(jq -r 'select(.test=="list" and .limit==500) | .latency.p99_ms' "$results")") ms |
| Watch delivery from send, $watchers watchers, $rate writes/s: p50 / p99 / max | $(f1 "$(r watch .delivery_from_send.p50_ms)") / $(f1 "$(r watch .delivery_from_send.p99_ms)") / $(f1 "$(r watch .delivery_from_send.max_ms)") ms ($(r watch .delivery_from_send.n) deliveries, $(r watch .missed) missed) |
| Watch delivery from ack: p50 / p99 | $(f1 "$(r watch .delivery_from_ack.p50_ms)") / $(f1 "$(r watch .delivery_from_ack.p99_ms)") ms ($(r watch .events_before_ack) events arrived before the writer's ack) |
| Write ack (merge patch) during the watch test: p50 / p99 | $(f1 "$(r watch .write_ack.p50_ms)") / $(f1 "$(r watch .write_ack.p99_ms)") ms |
| Informer memory per cached Server ($(r informer .objects) objects, sync $(f1 "$(r informer .sync_ms)") ms) | $(f1 "$(r informer .bytes_per_object)") B (JSON $(f1 "$(r informer .json_bytes_per_object)") B) |
| ferrum-apiserver RSS: empty / $count Servers / after the runs | $(( $(r server_empty .vmrss_kib) / 1024 )) / $(( $(r server_loaded .vmrss_kib) / 1024 )) / $(( $(r server_after .vmrss_kib) / 1024 )) MiB (VmRSS) |
EOF
