#!/usr/bin/env bash
# ferrum-reconciler at scale: N Servers (default 10,000) whose BMCs use Sidero's "api" method
# against a fast in-test HTTP simulator (bmc_sim.py), and CLASSES ServerClasses (default 100),
# on ferrum-apiserver and ferrum-bmcd. Measures: time from reconciler start to every Server
# status and ServerClass list converged; p50/p99 latency from a Server change (un-accepting
# it) to its reconciled status, seen through a watch; the reconciler's peak RSS; API requests
# the reconciler issued per Server (its own counter) and BMC requests per Server.
# Usage: benchmarks/reconciler/run.sh [BUILD_DIR]   (N=10000 CLASSES=100 K=200)
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
here=$root/benchmarks/reconciler
build=${1:-$root/build}
export FERRUM_ROOT=$root FERRUM_BIN=$build/bin
source "$root/tests/integration/lib.sh"
source "$root/tests/integration/bmcd/bmcd_lib.sh"
N=${N:-10000}
CLASSES=${CLASSES:-100}
K=${K:-200}
setup_tmp
start_apiserver api
python3 "$here/bmc_sim.py" "$TMP/sim.port" &
SIM_PID=$!
track_pid "$SIM_PID"
wait_until 5 test -f "$TMP/sim.port"
t0=$SECONDS
python3 "$here/bench.py" populate "$KUBECONFIG" "$N" "$CLASSES" "$(cat "$TMP/sim.port")" || exit 1
echo "populated $N Servers and $CLASSES ServerClasses in $((SECONDS - t0)) s" >&2
start_bmcd --max-concurrent-bmcs 256
REC_LOG=$TMP/reconciler.log
"$FERRUM_BIN/ferrum-reconciler" --kubeconfig "$KUBECONFIG" --bmcd-endpoint "$BMCD_ADDR" \
  --admin-listen 127.0.0.1:0 --leader-elect=false --workers 16 \
  ${RECONCILER_FLAGS:-} >"$REC_LOG" 2>&1 &
REC_PID=$!
track_pid "$REC_PID"
converge=$(python3 "$here/bench.py" converge "$KUBECONFIG" "$N" "$CLASSES" 300) || { tail "$REC_LOG" >&2; exit 1; }
admin=127.0.0.1:$(grep '"admin server listening"' "$REC_LOG" | grep -o '"port":[0-9]*' | cut -d: -f2)
metrics=$(curl -s "http://$admin/metrics")
api_requests=$(awk '/^ferrum_reconciler_api_requests_total/ {s += $2} END {print s}' <<<"$metrics")
rss_converged=$(awk '/VmHWM/ {print $2}' "/proc/$REC_PID/status")
read -r p50 p99 pmax <<<"$(python3 "$here/bench.py" latency "$KUBECONFIG" "$K")"
rss=$(awk '/VmHWM/ {print $2}' "/proc/$REC_PID/status")
kill -TERM "$SIM_PID"; wait "$SIM_PID"
bmc_requests=$(cat "$TMP/sim.port.count")
errors=$(curl -s "http://$admin/metrics" | awk '/^ferrum_reconcile_total\{.*result="error"/ {s += $2} END {print s + 0}')
echo "| Servers | ServerClasses | converge s | change->status p50 ms | p99 ms | max ms | reconciler peak RSS MiB | API requests per Server (to convergence) | BMC requests per Server | reconcile errors |"
echo "|---|---|---|---|---|---|---|---|---|---|"
python3 -c "print('| $N | $CLASSES | $converge | $p50 | $p99 | $pmax | %.0f | %.2f | %.2f | $errors |' % ($rss / 1024, $api_requests / $N, $bmc_requests / $N))"
echo "(peak RSS at convergence: $((rss_converged / 1024)) MiB; API requests by verb:" \
  "$(grep '^ferrum_reconciler_api_requests_total' <<<"$metrics" | sed 's/ferrum_reconciler_api_requests_total//' | tr '\n' ' '))"
