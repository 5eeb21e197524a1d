#!/usr/bin/env bash
# ferrum-ipxe-http vs nginx on this machine, same run:
#   1. /ipxe boot decisions with 10,000 Servers cached (every other one bound, so each request
#      renders the `default` Environment script) vs nginx serving a static file of the same
#      size: wrk, 64 connections, requests/s and p99.
#   2. 32 concurrent downloads of an 8 MB kernel: /env/default/vmlinuz vs nginx, MB/s.
#   3. RSS of both after the runs.
# Both servers get 2 worker threads/processes; everything runs on loopback.
# Usage: benchmarks/ipxe-http/run.sh [BIN_DIR]   (prints a Markdown table)
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${1:-$root/build/bin}
duration=${DURATION:-10}
servers=${SERVERS:-10000}
export FERRUM_BIN=$bin FERRUM_ROOT=$root
source "$root/tests/integration/lib.sh"
setup_tmp
start_apiserver api

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
mkdir -p "$TMP/www" "$TMP/tftp" "$TMP/nginx/html"
head -c $((8 << 20)) /dev/urandom >"$TMP/www/vmlinuz"
head -c 100000 /dev/urandom >"$TMP/www/initramfs"
wport=$(free_port)
(cd "$TMP/www" && exec $PY -m http.server --bind 127.0.0.1 "$wport" >/dev/null 2>&1) &
track_pid $!
wait_until 10 curl -sf "http://127.0.0.1:$wport/initramfs" -o /dev/null
t0=$SECONDS
$PY "$here/populate.py" "$servers" "http://127.0.0.1:$wport" "$(sha512sum "$TMP/www/vmlinuz" | cut -d' ' -f1)"
echo "populated $servers Servers in $((SECONDS - t0)) s" >&2

iport=$(free_port)
"$bin/ferrum-ipxe-http" --listen 127.0.0.1:$iport --admin-listen 127.0.0.1:0 --api-endpoint 127.0.0.1 \
  --tftp-root "$TMP/tftp" --asset-dir "$TMP/assets" --agent-dir "$TMP/agent" --kubeconfig "$KUBECONFIG" \
  --workers 2 --log-level warn >"$TMP/ipxe.log" 2>&1 &
ipid=$!
track_pid $ipid
wait_until 60 bash -c "curl -sf 'http://127.0.0.1:$iport/ipxe?uuid=be000000-0000-4000-8000-000000000000' -o /dev/null" ||
  { echo "ferrum-ipxe-http not ready"; cat "$TMP/ipxe.log"; exit 1; }
curl -s "http://127.0.0.1:$iport/ipxe?uuid=be000000-0000-4000-8000-000000000002&mac=52-54-00-12-34-56&arch=x86_64" >"$TMP/nginx/html/script"
size=$(stat -c %s "$TMP/nginx/html/script")
cp "$TMP/www/vmlinuz" "$TMP/nginx/html/vmlinuz"

nport=$(free_port)
cat >"$TMP/nginx/nginx.conf" <<CONF
daemon off;
user root;  # workers must read the 0700 temporary directory
worker_processes 2;
pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $TMP/nginx/tmp;
  server { listen 127.0.0.1:$nport reuseport; root $TMP/nginx/html; }
}
CONF
mkdir -p "$TMP/nginx/tmp"
nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" &
npid=$!
track_pid $npid
wait_until 10 curl -sf "http://127.0.0.1:$nport/script" -o /dev/null

run_wrk() { # conns url [env...]
  local c=$1 url=$2; shift 2
  env "$@" wrk -t2 -c"$c" -d"${duration}s" --latency -s "$here/pick.lua" "$url"
}
rps() { grep 'Requests/sec' | awk '{print $2}'; }
p99() { grep -E '^ +99%' | awk '{print $2}'; }
tps() { grep 'Transfer/sec' | awk '{print $2}'; }
mb() { # wrk's Transfer/sec ("850.12MB", "1.20GB") in MB/s
  local v=$1
  case $v in *GB) awk -v x="${v%GB}" 'BEGIN{printf "%.0f", x*1024}' ;; *MB) awk -v x="${v%MB}" 'BEGIN{printf "%.0f", x}' ;; *KB) awk -v x="${v%KB}" 'BEGIN{printf "%.1f", x/1024}' ;; esac
}

out_i=$(run_wrk 64 "http://127.0.0.1:$iport" SERVERS=$servers)
out_n=$(run_wrk 64 "http://127.0.0.1:$nport" STATIC=/script)
ai=$(run_wrk 32 "http://127.0.0.1:$iport" STATIC=/env/default/vmlinuz)
an=$(run_wrk 32 "http://127.0.0.1:$nport" STATIC=/vmlinuz)
rss() { awk '/VmRSS/{printf "%.1f", $2/1024}' /proc/$1/status; }
nginx_rss=0
for p in $(pgrep -P $npid) $npid; do nginx_rss=$(awk -v a=$nginx_rss -v b="$(rss $p)" 'BEGIN{print a+b}'); done

ri=$(rps <<<"$out_i"); rn=$(rps <<<"$out_n")
mi=$(mb "$(tps <<<"$ai")"); mn=$(mb "$(tps <<<"$an")")
errs=$(grep -E 'Non-2xx|Socket errors' <<<"$out_i$ai" || true)
echo "| measure | ferrum-ipxe-http | nginx 1.22 (static file) | ratio |"
echo "|---|---|---|---|"
echo "| /ipxe decisions, $servers Servers cached, 64 conns: requests/s | $ri | $rn (same $size-byte body) | $(awk -v a=$ri -v b=$rn 'BEGIN{printf "%.2f", a/b}') |"
echo "| /ipxe p99 latency | $(p99 <<<"$out_i") | $(p99 <<<"$out_n") | |"
echo "| 8 MB kernel, 32 concurrent downloads: MB/s | $mi | $mn | $(awk -v a=$mi -v b=$mn 'BEGIN{printf "%.2f", a/b}') |"
echo "| RSS after the runs (MiB) | $(rss $ipid) | $nginx_rss (master + 2 workers) | |"
[[ -z $errs ]] || echo "errors: $errs" >&2
