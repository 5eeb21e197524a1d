#!/usr/bin/env bash
# ferrum-linkd benchmark (root; everything inside one network namespace the script creates):
#  1. 1,000 ServerBindings; 1,000 nodes call Provision (8 in parallel): p50/p99 latency.
#  2. peer sync: linkd restarted, time until its wireguard-go device holds all 1,000 peers
#     (informer list -> one batched UAPI write); peer: `wg syncconf` of the same 1,000 peers
#     into a second wireguard-go.
#  3. kmsg ingestion over loopback with enrichment: N connections from node tunnel addresses
#     (bound on lo) send L JSON lines each; lines/s until all are in --log-output; peer:
#     busybox nc writing the same bytes to a file unparsed (the plumbing's ceiling).
#  4. linkd's RSS after all that.
# Usage: benchmarks/linkd/run.sh [--build DIR] [--nodes 1000] [--lines 200000] [--conns 4]
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$root/build nodes=1000 lines=200000 conns=4
while (($#)); do
  case $1 in
    --build) build=$2; shift 2 ;; --nodes) nodes=$2; shift 2 ;;
    --lines) lines=$2; shift 2 ;; --conns) conns=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
bin=$build/bin client=$build/bin/link_node_client
NS=flk-bench$$ SIF=flkb$$ PIF=flkp$$
tmp=$(mktemp -d /tmp/ferrum-linkd-bench.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  ip netns del "$NS" 2>/dev/null
  rm -rf "$tmp" "/var/run/wireguard/$SIF.sock" "/var/run/wireguard/$PIF.sock"
}
trap cleanup EXIT
ip netns add "$NS"; ip -n "$NS" link set lo up
X() { ip netns exec "$NS" "$@"; }
ip netns exec "$NS" "$bin/ferrum-apiserver" --listen 127.0.0.1:6443 --admin-listen 127.0.0.1:9400 \
  --data-dir "$tmp/api" --crd-dir "$root/charts/ferrum/crds" --crd-dir "$root/charts/ferrum/crds-capi" \
  --log-level warn >"$tmp/api.log" 2>&1 &
pids+=($!)
export KUBECONFIG=$tmp/api/kubeconfig
for _ in $(seq 100); do X kubectl get --raw /readyz >/dev/null 2>&1 && break; sleep 0.1; done
/usr/bin/python3 - "$nodes" >"$tmp/bindings.yaml" <<'PY'
import sys
for i in range(int(sys.argv[1])):
    print(f"""---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata: {{name: 00000000-0000-0000-0000-{i:012d}, labels: {{cluster.x-k8s.io/cluster-name: bench}}}}
spec: {{metalMachineRef: {{kind: MetalMachine, namespace: default, name: mm-{i}}}}}""")
PY
X kubectl apply -f "$tmp/bindings.yaml" >/dev/null
echo "bindings: $(X kubectl get serverbindings --no-headers | wc -l)"

start_linkd() {
  ip netns exec "$NS" "$bin/ferrum-linkd" --wireguard-endpoint 127.0.0.1 --wireguard-backend userspace \
    --interface "$SIF" --api-listen 127.0.0.1:50110 --admin-listen 127.0.0.1:9410 \
    --log-output "$tmp/nodes.log" --kubeconfig "$KUBECONFIG" --log-level warn >>"$tmp/linkd.log" 2>&1 &
  LINKD=$!
  pids+=($LINKD)
  for _ in $(seq 200); do X curl -sf http://127.0.0.1:9410/readyz >/dev/null 2>&1 && return; sleep 0.05; done
  echo "linkd not ready"; cat "$tmp/linkd.log"; exit 1
}
start_linkd
echo "== Provision, $nodes nodes, 8 parallel"
X "$client" provision-many 127.0.0.1:50110 "$nodes" 8
t0=$(date +%s.%N)
until [[ $(X wg show "$SIF" peers | wc -l) -ge $nodes ]]; do sleep 0.01; done
echo "last Provision answer to all $nodes peers on the device: $(echo "$(date +%s.%N) - $t0" | bc) s"

echo "== peer sync after restart ($nodes peers from the informer)"
kill -TERM "$LINKD"; wait "$LINKD"
t0=$(date +%s.%N)
start_linkd
until [[ $(X wg show "$SIF" peers 2>/dev/null | wc -l) -ge $nodes ]]; do sleep 0.01; done
t1=$(date +%s.%N)
echo "linkd: start to $nodes peers on the device: $(echo "$t1 - $t0" | bc) s"
X curl -s http://127.0.0.1:9410/metrics | grep -E '^linkd_peer_sync_duration_seconds_(sum|count)'
# Peer: the same peers written by wg(8) into a second wireguard-go.
X env WG_PROCESS_FOREGROUND=1 wireguard-go "$PIF" >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 100); do [[ -S /var/run/wireguard/$PIF.sock ]] && break; sleep 0.05; done
X wg showconf "$SIF" | sed "s/^ListenPort.*/ListenPort = 51999/" >"$tmp/peer.conf"
t0=$(date +%s.%N); X wg syncconf "$PIF" "$tmp/peer.conf"; t1=$(date +%s.%N)
echo "wg syncconf: $nodes peers: $(echo "$t1 - $t0" | bc) s ($(X wg show "$PIF" peers | wc -l) peers)"

echo "== kmsg ingestion: $conns connections x $lines lines, enrichment on"
SADDR=$(X ip -6 addr show dev "$SIF" | awk '/inet6 fd/ {print $2}' | cut -d/ -f1)
mapfile -t NODE_ADDRS < <(X kubectl get serverbindings -o jsonpath='{range .items[*]}{.spec.siderolink.address}{"\n"}{end}' | head -n "$conns" | cut -d/ -f1)
for a in "${NODE_ADDRS[@]}"; do X ip addr add "$a/128" dev lo nodad; done
cat >"$tmp/load.py" <<'PY'
import socket, sys, threading, time
server, port, n, srcs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4:]
line = b'{"msg":"[   12.345678] virtio_net virtio0 enp0s2: renamed from eth0","talos-level":"info","talos-time":"2026-11-21T02:00:00.123456Z","facility":"kern","seq":%d,"clock":12345678,"priority":6}\n'
payload = b"".join(line % i for i in range(n))
def send(src):
    s = socket.socket(socket.AF_INET6 if ":" in server else socket.AF_INET, socket.SOCK_STREAM)
    s.bind((src, 0)); s.connect((server, port)); s.sendall(payload); s.close()
t = [threading.Thread(target=send, args=(a,)) for a in srcs]
t0 = time.time(); [x.start() for x in t]; [x.join() for x in t]
print(f"sent {len(srcs)*n} lines ({len(srcs)*len(payload)/1e6:.0f} MB) in {time.time()-t0:.2f} s", flush=True)
PY
total=$((lines * conns))
: >"$tmp/nodes.log"
cpu0=$(awk '{print $14+$15}' /proc/$LINKD/stat)
t0=$(date +%s.%N)
X /usr/bin/python3 "$tmp/load.py" "$SADDR" 4001 "$lines" "${NODE_ADDRS[@]}"
until [[ $(wc -l <"$tmp/nodes.log") -ge $total ]]; do sleep 0.05; done
t1=$(date +%s.%N)
cpu1=$(awk '{print $14+$15}' /proc/$LINKD/stat)
secs=$(echo "$t1 - $t0" | bc)
echo "linkd: $total lines enriched in $secs s = $(echo "$total / $secs" | bc) lines/s, linkd CPU $(echo "($cpu1 - $cpu0)/100" | bc -l | cut -c1-5) s"
tail -n 1 "$tmp/nodes.log" | cut -c1-400
# Peer: busybox nc, unparsed bytes to a file.
X busybox nc -l -p 4011 >"$tmp/nc.out" &
ncpid=$!; pids+=($ncpid)
sleep 0.3
t0=$(date +%s.%N)
X /usr/bin/python3 "$tmp/load.py" 127.0.0.1 4011 $((lines * conns)) 127.0.0.1
wait $ncpid
t1=$(date +%s.%N)
echo "busybox nc (1 connection, no parsing): $total lines in $(echo "$t1 - $t0" | bc) s = $(echo "$total / ($t1 - $t0)" | bc) lines/s"

echo "== memory"
grep -E 'VmRSS|VmHWM' /proc/$LINKD/status
X curl -s http://127.0.0.1:9410/metrics | grep -E '^linkd_(peers|log_lines_total|log_bad)' | head -8
