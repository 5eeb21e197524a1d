#!/usr/bin/env bash
# TFTP peer benchmark: ferrum-tftpd vs tftpd-hpa, atftpd and dnsmasq, same machine, same 1 MiB
# file, loopback inside a network namespace this script creates (every server on
# 127.0.0.1:69 in turn), driven by tftp_load (OVMF-like: tsize 0, blksize 1468, windowsize W)
# with C concurrent clients. Reports transfers/s, MB/s, p50/p99 transfer time, server CPU
# seconds and peak RSS (summed over the server's processes, sampled every 0.2 s), plus
# ferrum-tftpd's memory per active transfer (RSS growth with N stalled transfers / N).
#
# tftpd-hpa and atftpd conflict (both provide in.tftpd): each is installed for its turn; at
# the end packages are put back as they were (nothing scripts/setup installs is removed).
#
# Usage (root): benchmarks/tftp/run.sh [--build DIR] [--seconds S] [--clients "1 16 64 256"]
#               [--windows "1 4 16"] [--out FILE]
#               [--servers "ferrum ferrum-single-port tftpd-hpa atftpd dnsmasq"]
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
set -euo pipefail
root_dir=$(cd "$(dirname "$0")/../.." && pwd)
build=$root_dir/build
seconds=10
clients="1 16 64 256"
windows="1 4 16"
servers="ferrum ferrum-single-port tftpd-hpa atftpd dnsmasq"
out=
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --clients) clients=$2; shift 2 ;;
    --windows) windows=$2; shift 2 ;;
    --servers) servers=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    -h | --help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ $(id -u) -eq 0 ]] || { echo "run.sh: needs root (namespace, packages, port 69)" >&2; exit 1; }
load=$build/bin/tftp_load
tftpd=$build/bin/ferrum-tftpd
[[ -x $load && -x $tftpd ]] || { echo "run.sh: build tftp_load and ferrum-tftpd first (scripts/build)" >&2; exit 1; }

ns=ferrum-tftp-bench-$$
work=$(mktemp -d /tmp/ferrum-tftp-bench.XXXXXX)
chmod 755 "$work"
mkdir -m 755 "$work/root"
head -c $((1024 * 1024)) /dev/urandom >"$work/root/bench.bin"
chmod 644 "$work/root/bench.bin"
results=$work/results.jsonl
server_pid=

# One load generator on one address plays thousands of clients, and the memory probe stalls
# transfers on purpose: the per-source limits (docs/security.md) are off here.
per_source=(--max-transfers-per-source 0 --request-rate-per-source 0 --unacked-retransmissions-per-source 0)
installed_before() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed$'; }
had_hpa=0; installed_before tftpd-hpa && had_hpa=1
had_atftpd=0; installed_before atftpd && had_atftpd=1
apt_install() { DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; }
apt_remove() { DEBIAN_FRONTEND=noninteractive apt-get remove -y -q "$@" >/dev/null; }

stop_server() {
  if [[ -n $server_pid ]]; then
    kill -TERM "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
  fi
}
cleanup() {
  stop_server
  ip netns del "$ns" 2>/dev/null || true
  if [[ -n $cg ]]; then rmdir "$cg" 2>/dev/null || true; fi
  # Put the conflicting servers back as they were.
  if ((had_hpa)) && ! installed_before tftpd-hpa; then apt_install tftpd-hpa || true; fi
  if ((!had_hpa)) && installed_before tftpd-hpa; then apt_remove tftpd-hpa || true; fi
  if ((had_atftpd)) && ! installed_before atftpd; then apt_install atftpd || true; fi
  if ((!had_atftpd)) && installed_before atftpd; then apt_remove atftpd || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

ip netns add "$ns"
ip -n "$ns" link set lo up
# A non-loopback address (on a port-less bridge): tftpd-hpa resolves -a with AI_ADDRCONFIG,
# which fails when the namespace has only loopback.
ip -n "$ns" link add br-bench type bridge
ip -n "$ns" addr add 10.250.0.1/24 dev br-bench
ip -n "$ns" link set br-bench up
# Foreground only: `in_ns cmd &` would background a subshell whose PID is not the server's.
in_ns() { ip netns exec "$ns" "$@"; }

# The server's processes (itself and its children).
tree_pids() { echo "$1"; pgrep -P "$1" || true; }
# Server CPU: a cpuacct cgroup holding the server (forked children included, reaped or not);
# without one, /proc utime+stime+cutime+cstime of the process tree.
cg=/sys/fs/cgroup/cpuacct/ferrum-tftp-bench-$$
mkdir "$cg" 2>/dev/null || cg=
cpu_ns() {
  if [[ -n $cg ]]; then cat "$cg/cpuacct.usage"; return; fi
  local t=0 p v
  for p in $(tree_pids "$1"); do
    v=$(awk '{ print $14 + $15 + $16 + $17 }' "/proc/$p/stat" 2>/dev/null || true)
    t=$((t + ${v:-0}))
  done
  echo $((t * 10000000))
}
rss_kb() {  # summed VmRSS of the server's processes (zombies have none)
  local s=0 p v
  for p in $(tree_pids "$1"); do
    v=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null || true)
    s=$((s + ${v:-0}))
  done
  echo "$s"
}

start_server() {  # start_server NAME
  case $1 in
    ferrum)
      ip netns exec "$ns" "$tftpd" --listen 127.0.0.1:69 --root "$work/root" --admin-listen 127.0.0.1:9401 \
        --log-level warn --max-windowsize 64 --max-transfers 8192 "${per_source[@]}" 2>"$work/ferrum.log" &
      ;;
    ferrum-single-port)
      ip netns exec "$ns" "$tftpd" --listen 127.0.0.1:69 --root "$work/root" --admin-listen 127.0.0.1:9401 \
        --log-level warn --max-windowsize 64 --max-transfers 8192 "${per_source[@]}" --single-port 2>"$work/ferrum.log" &
      ;;
    tftpd-hpa)
      ip netns exec "$ns" /usr/sbin/in.tftpd -L -a 127.0.0.1:69 -s "$work/root" 2>/dev/null &
      ;;
    atftpd)
      ip netns exec "$ns" /usr/sbin/atftpd --daemon --no-fork --port 69 --bind-address 127.0.0.1 \
        --maxthread 2000 --logfile /dev/null "$work/root" &
      ;;
    dnsmasq)
      ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 --enable-tftp \
        --tftp-root="$work/root" --listen-address=127.0.0.1 --bind-interfaces --tftp-max=4096 \
        --pid-file="$work/dnsmasq.pid" --log-facility=/dev/null &
      ;;
  esac
  server_pid=$!
  if [[ -n $cg ]]; then echo "$server_pid" >"$cg/cgroup.procs"; fi
  # Ready when a transfer works.
  for _ in $(seq 50); do
    if in_ns "$load" --server 127.0.0.1:69 --file bench.bin --clients 1 --windowsize 1 --duration 0.3 \
      2>/dev/null | grep -q '"transfers":[1-9]'; then
      return 0
    fi
    sleep 0.2
  done
  echo "run.sh: $1 did not start" >&2
  exit 1
}

bench_server() {  # bench_server NAME
  local name=$1 c w
  case $name in
    tftpd-hpa) apt_install tftpd-hpa ;;
    atftpd) apt_install atftpd ;;
  esac
  start_server "$name"
  local version
  case $name in
    ferrum*) version=$("$tftpd" --version | head -1) ;;
    tftpd-hpa) version="tftpd-hpa $(dpkg-query -W -f='${Version}' tftpd-hpa)" ;;
    atftpd) version="atftpd $(dpkg-query -W -f='${Version}' atftpd)" ;;
    dnsmasq) version="dnsmasq $(dpkg-query -W -f='${Version}' dnsmasq)" ;;
  esac
  for c in $clients; do
    for w in $windows; do
      local t0 t1 peak=0 r alive=true
      if ! kill -0 "$server_pid" 2>/dev/null; then
        echo "run.sh: $name had exited (crashed); restarting it for C=$c W=$w" >&2
        wait "$server_pid" 2>/dev/null || true
        start_server "$name"
      fi
      t0=$(cpu_ns "$server_pid")
      ip netns exec "$ns" "$load" --server 127.0.0.1:69 --file bench.bin --clients "$c" --windowsize "$w" \
        --duration "$seconds" --verify "$work/root/bench.bin" >"$work/run.json" &
      local lp=$!
      while kill -0 "$lp" 2>/dev/null; do
        r=$(rss_kb "$server_pid")
        ((r > peak)) && peak=$r
        sleep 0.2
      done
      wait "$lp" || echo "run.sh: $name C=$c W=$w: tftp_load reported corrupt transfers" >&2
      t1=$(cpu_ns "$server_pid")
      kill -0 "$server_pid" 2>/dev/null || alive=false
      python3 -c 'import json,sys; d=json.loads(open(sys.argv[1]).read()); d.update(server=sys.argv[2], version=sys.argv[3], cpu_s=round(int(sys.argv[4])/1e9, 3), peak_rss_kb=int(sys.argv[5]), server_survived=sys.argv[6]=="true"); print(json.dumps(d))' \
        "$work/run.json" "$name" "$version" $((t1 - t0)) "$peak" "$alive" | tee -a "$results"
    done
  done
  if [[ $name == ferrum ]]; then
    # Memory per active transfer: RSS growth while N transfers are held open (OACK acked,
    # no DATA acked; the server keeps each until its retries run out).
    local n=4000 before during
    stop_server
    ip netns exec "$ns" "$tftpd" --listen 127.0.0.1:69 --root "$work/root" --admin-listen 127.0.0.1:9401 \
      --log-level error --timeout 30s --max-transfers 8192 "${per_source[@]}" 2>/dev/null &
    server_pid=$!
    sleep 0.5
    in_ns "$load" --server 127.0.0.1:69 --file bench.bin --clients 1 --windowsize 1 --duration 0.5 >/dev/null
    before=$(rss_kb "$server_pid")
    ip netns exec "$ns" "$load" --server 127.0.0.1:69 --file bench.bin --clients $n --windowsize 16 --duration 4 --stall >"$work/stall.json" &
    local sp=$!
    sleep 3
    during=$(rss_kb "$server_pid")
    wait "$sp" || true
    python3 -c 'import json,sys; print(json.dumps({"server":"ferrum","memory_probe":True,"stalled":json.load(open(sys.argv[1]))["stalled_transfers"],"rss_before_kb":int(sys.argv[2]),"rss_during_kb":int(sys.argv[3])}))' \
      "$work/stall.json" "$before" "$during" | tee -a "$results"
  fi
  stop_server
}

for s in $servers; do bench_server "$s"; done
[[ -n $out ]] && cp "$results" "$out"
echo "run.sh: results in ${out:-$results (deleted on exit; use --out)}"
