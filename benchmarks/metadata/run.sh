#!/usr/bin/env bash
# ferrum-metadata benchmark: a ~20 KB machine config, a ServerClass with 5 patches, 1,000
# allocated Servers with 5 patches each, in ferrum-apiserver. wrk (64 connections, 2
# threads) requests /configdata for all 1,000 uuids in turn: ferrum-metadata with its
# render cache, with --render-cache-entries 0 (every request renders), with no cache at all
# (every request also parses the YAML), then nginx serving one rendered config as a static
# file, in the same run on the same machine.
# Prints requests/s and p50/p99 latency per target, as a Markdown table.
#
# Usage: benchmarks/metadata/run.sh [--build DIR] [--seconds S] [--servers N] [--threads T]
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
set -uo pipefail
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=$root_dir/build
seconds=10
servers=1000
threads=2
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
need=()
command -v wrk >/dev/null || need+=(wrk)
[[ -x /usr/sbin/nginx ]] || need+=(nginx-light)
if ((${#need[@]})); then
  echo "run.sh: installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >/dev/null
fi
# nginx's package starts a system instance on port 80; ours runs on its own port and config.
systemctl stop nginx >/dev/null 2>&1 || true

export FERRUM_BIN=$build/bin FERRUM_ROOT=$root_dir
source "$root_dir/tests/integration/lib.sh"
setup_tmp
start_apiserver api --log-level error
here=$(cd "$(dirname "$0")" && pwd)
"$PY" "$here/make_fixtures.py" "$TMP" "$servers"
echo "bootstrap config: $(wc -c <"$TMP/bootstrap.yaml") bytes; creating $servers allocated servers..."
kubectl create -f "$TMP/base.yaml" >/dev/null || { echo "creating base objects failed"; exit 1; }
kubectl get machines -n default -o json >"$TMP/machines.json"
"$PY" "$here/make_fixtures.py" "$TMP" "$servers" --bindings "$TMP/machines.json"
kubectl create -f "$TMP/bindings.yaml" >/dev/null || { echo "creating bindings failed"; exit 1; }
kubectl create namespace ferrum-system >/dev/null
kubectl create secret generic -n ferrum-system siderolink --from-literal=installation-id=bench >/dev/null

cat >"$TMP/uuids.lua" <<LUA
local n = $servers
local i = 0
request = function()
  i = (i + 1) % n
  return wrk.format("GET", string.format("/configdata?uuid=4c4c4544-0000-4000-8000-%012d", i))
end
LUA

results=()
# run_wrk NAME PORT: wrk against 127.0.0.1:PORT, appends a table row.
run_wrk() {
  local name=$1 port=$2 out rps p50 p99 non2xx
  out=$(wrk -t2 -c64 -d"${seconds}s" --latency -s "$TMP/uuids.lua" "http://127.0.0.1:$port" 2>&1)
  echo "$out" | sed "s/^/  [$name] /"
  rps=$(echo "$out" | awk '/^Requests\/sec/ {print $2}')
  p50=$(echo "$out" | awk '$1 == "50%" {print $2}')
  p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
  non2xx=$(echo "$out" | awk '/Non-2xx/ {print $NF}')
  results+=("| $name | ${rps:-?} | ${p50:-?} | ${p99:-?} | ${non2xx:-0} |")
}

start_metadata() {
  "$FERRUM_BIN/ferrum-metadata" --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --kubeconfig "$KUBECONFIG" \
    --link-api-endpoint 10.5.0.1:50110 --link-secret ferrum-system/siderolink --threads "$threads" \
    --log-level warn "$@" >"$TMP/metadata.log" 2>&1 &
  MD_PID=$!
  track_pid "$MD_PID"
  wait_until 20 bash -c "grep -q 'admin server listening' '$TMP/metadata.log'" || true
}
ready_port() {
  local p
  for p in $(ss -ltnp | awk -v pid="pid=$MD_PID," '$0 ~ pid {print $4}' | sed 's/.*://'); do
    if curl -sf "http://127.0.0.1:$p/readyz" >/dev/null 2>&1; then ADMIN=$p; else PORT=$p; fi
  done
}
stop_metadata() { kill -TERM "$MD_PID"; wait "$MD_PID" 2>/dev/null; }

# 1. cached
start_metadata
sleep 0.5; ready_port
wait_until 30 curl -sf "http://127.0.0.1:$ADMIN/readyz" || { echo "metadata not ready"; cat "$TMP/metadata.log"; exit 1; }
curl -s "http://127.0.0.1:$PORT/configdata?uuid=4c4c4544-0000-4000-8000-000000000001" >"$TMP/rendered.yaml"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/configdata?uuid=4c4c4544-0000-4000-8000-000000000001")
[[ $code == 200 ]] || { echo "sample request answered $code:"; cat "$TMP/rendered.yaml"; exit 1; }
echo "rendered config: $(wc -c <"$TMP/rendered.yaml") bytes"
# Warm the cache: one request per uuid.
for i in $(seq 0 $((servers - 1))); do printf 'url = "http://127.0.0.1:%s/configdata?uuid=4c4c4544-0000-4000-8000-%012d"\noutput = /dev/null\n' "$PORT" "$i"; done >"$TMP/warm.curl"
curl -s -K "$TMP/warm.curl"
run_wrk "ferrum-metadata, cached" "$PORT"
curl -s "http://127.0.0.1:$ADMIN/metrics" | grep -E '^ferrum_metadata_(requests_total|render_cache_hits_total)' | sed 's/^/  /'
stop_metadata

# 2. uncached: every request renders (patches, label, SideroLink, YAML out); the parsed
#    bootstrap config comes from the parse cache (all 1,000 configs are identical bytes)
start_metadata --render-cache-entries 0
sleep 0.5; ready_port
wait_until 30 curl -sf "http://127.0.0.1:$ADMIN/readyz" || { echo "metadata not ready"; exit 1; }
run_wrk "ferrum-metadata, render cache off (--render-cache-entries 0)" "$PORT"
curl -s "http://127.0.0.1:$ADMIN/metrics" | grep -E '^ferrum_metadata_(requests_total|render_seconds_(sum|count))' | sed 's/^/  /'
stop_metadata

# 3. nothing cached: no render cache, no parsed-config cache (YAML parsing on every request)
start_metadata --render-cache-entries 0 --parsed-config-cache-entries 0
sleep 0.5; ready_port
wait_until 30 curl -sf "http://127.0.0.1:$ADMIN/readyz" || { echo "metadata not ready"; exit 1; }
run_wrk "ferrum-metadata, nothing cached (also --parsed-config-cache-entries 0)" "$PORT"
stop_metadata

# 4. nginx serving the rendered file statically
mkdir -p "$TMP/nginx/html"
cp "$TMP/rendered.yaml" "$TMP/nginx/html/configdata"
chmod 755 "$TMP" "$TMP/nginx" "$TMP/nginx/html"  # nginx workers run unprivileged
chmod 644 "$TMP/nginx/html/configdata"
nport=$((20000 + RANDOM % 20000))
cat >"$TMP/nginx/nginx.conf" <<CONF
worker_processes $threads;
daemon off;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/yaml;
  client_body_temp_path $TMP/nginx;
  proxy_temp_path $TMP/nginx;
  fastcgi_temp_path $TMP/nginx;
  uwsgi_temp_path $TMP/nginx;
  scgi_temp_path $TMP/nginx;
  server {
    listen 127.0.0.1:$nport;
    root $TMP/nginx/html;
    location = /configdata { try_files /configdata =404; }
  }
}
CONF
/usr/sbin/nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" &
track_pid $!
wait_until 10 curl -sf "http://127.0.0.1:$nport/configdata?uuid=x" || { echo "nginx did not start"; cat "$TMP/nginx/error.log"; exit 1; }
run_wrk "nginx, static file (same rendered config)" "$nport"

echo
echo "$(nproc) cores, wrk -t2 -c64 -d${seconds}s, $servers allocated servers, config $(wc -c <"$TMP/bootstrap.yaml") B in, $(wc -c <"$TMP/rendered.yaml") B out"
echo "| target | requests/s | p50 | p99 | non-2xx |"
echo "|---|---|---|---|---|"
printf '%s\n' "${results[@]}"
