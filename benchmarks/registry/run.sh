#!/usr/bin/env bash
# ferrum-registry: registrations per second with AGENTS concurrent simulated agents (gRPC
# CreateServer of distinct new machines, back to back) against ferrum-registry and
# ferrum-apiserver on loopback; CPU seconds of each process during the run (where the time
# goes), the registry's peak RSS, latency percentiles.
# Usage: benchmarks/registry/run.sh [BUILD_DIR]   (AGENTS=64 SECONDS_=10 by default)
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
export FERRUM_ROOT=$root FERRUM_BIN=$build/bin
source "$root/tests/integration/lib.sh"
source "$root/tests/integration/registry/registry_lib.sh"
AGENT_CLIENT=$build/bin/registry_agent_client
AGENTS=${AGENTS:-64}
DURATION=${SECONDS_:-10}
setup_tmp
start_apiserver api
start_registry ${REGISTRY_FLAGS:-}
ac health >/dev/null || { echo "registry not serving" >&2; exit 1; }

cpu() {  # utime+stime of PID in seconds
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' "/proc/$1/stat"
}
r0=$(cpu "$REGISTRY_PID"); a0=$(cpu "$APISERVER_PID")
out=$(ac bench "$AGENTS" "$DURATION")
r1=$(cpu "$REGISTRY_PID"); a1=$(cpu "$APISERVER_PID")
rss=$(awk '/VmHWM/ {print $2}' "/proc/$REGISTRY_PID/status")
servers=$(kubectl get servers -o name | wc -l)
read -r _ n _ errs _ rate _ p50 _ p99 <<<"$out"
echo "| agents | seconds | registrations | errors | per second | p50 ms | p99 ms | registry CPU s | apiserver CPU s | registry peak RSS MiB | Servers stored |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
awk -v a="$AGENTS" -v d="$DURATION" -v n="$n" -v e="$errs" -v r="$rate" -v p50="$p50" -v p99="$p99" \
  -v r0="$r0" -v r1="$r1" -v a0="$a0" -v a1="$a1" -v rss="$rss" -v s="$servers" \
  'BEGIN {printf "| %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %.1f | %s |\n", a, d, n, e, r, p50, p99, r1 - r0, a1 - a0, rss / 1024, s}'
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
m=$(curl -sf "http://$REGISTRY_ADMIN/metrics")
echo "events dropped (queue full): $(grep '^ferrum_events_dropped_total' <<<"$m" | awk '{print $2}')"
echo "write conflicts redone: $(grep '^registry_write_conflicts_total' <<<"$m" | awk '{print $2}')"
