#!/usr/bin/env bash
# ferrum-bmcd vs freeipmi's ipmipower and ipmitool, same run, same 50 ipmi_sim BMCs on loopback.
#  1. 50 BMCs: power on, state, off on all (bmcd: one gRPC call per server, all in parallel;
#     ipmipower: one invocation with the 50 hosts as a host list) -- wall time per step.
#  2. single-call latency of a power state read: bmcd (warm, pooled session) vs
#     `ipmitool -C 3 power status` (new session each time, as every ipmitool call) -- median of N.
# Usage: benchmarks/bmcd/run.sh [BUILD_DIR]   (prints a Markdown table)
# Nothing this benchmark starts may outlive it (scripts/lib/run_guard.sh).
source "$(dirname "$0")/../../scripts/lib/run_guard.sh"
run_guard "$@"
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$root/build}
export FERRUM_ROOT=$root FERRUM_BIN=$build/bin
source "$root/tests/integration/lib.sh"
source "$root/tests/integration/bmcd/ipmi_lab.sh"
source "$root/tests/integration/bmcd/bmcd_lib.sh"
POWER_CLIENT=$build/bin/bmcd_power_client
N=50
REPEAT=${REPEAT:-20}
setup_tmp
start_apiserver api
mapfile -t ports < <(free_udp_ports $N)
names=()
hosts=()
# The BMCs start in this shell, not in the pipeline below (a subshell): their PIDs must reach
# lib.sh's cleanup, and names/hosts must be set here.
for i in $(seq 1 $N); do
  start_bmc "b$i" "${ports[$((i - 1))]}"
  names+=("s$i")
  hosts+=("127.0.0.1:${ports[$((i - 1))]}")
done
for i in $(seq 1 $N); do
  printf -- '---\napiVersion: metal.sidero.dev/v1alpha2\nkind: Server\nmetadata: {name: s%s}\nspec:\n  accepted: true\n  bmc: {endpoint: 127.0.0.1, port: %s, user: admin, pass: password}\n' "$i" "${ports[$((i - 1))]}"
done | kubectl apply -f - >/dev/null
start_bmcd --max-concurrent-bmcs 64
wait_until 5 ipmitool_bmc "${ports[$((N - 1))]}" power status
hostlist=$(IFS=,; echo "${hosts[*]}")

ms() { python3 -c "import time; print(time.monotonic_ns() // 1000000)"; }
all_in() {  # all_in VALUE: every BMC's power file says VALUE
  local i
  for i in $(seq 1 $N); do [[ $(bmc_state "b$i" power) == "$1" ]] || return 1; done
}
bmcd_step() {  # prints wall ms of one bmcd step over all servers
  local t0 t1
  t0=$(ms); "$POWER_CLIENT" "$BMCD_ADDR" "$1" "${names[@]}" >"$TMP/out" || { echo "bmcd $1 failed" >&2; cat "$TMP/out" >&2; }
  t1=$(ms); echo $((t1 - t0))
}
ipmipower_step() {
  local t0 t1
  t0=$(ms); ipmipower -D LAN_2_0 -h "$hostlist" -u admin -p password -W opensesspriv "$1" >"$TMP/out" 2>&1
  t1=$(ms); echo $((t1 - t0))
}

# bmcd first, then ipmipower, on the same BMCs; each ends with everything off.
b_on=$(bmcd_step on); wait_until 10 all_in 1 || echo "bmcd: not all on" >&2
b_stat=$(bmcd_step state)
b_off=$(bmcd_step off); wait_until 10 all_in 0 || echo "bmcd: not all off" >&2
i_on=$(ipmipower_step --on); wait_until 10 all_in 1 || echo "ipmipower: not all on" >&2
i_stat=$(ipmipower_step --stat)
i_off=$(ipmipower_step --off); wait_until 10 all_in 0 || echo "ipmipower: not all off" >&2

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
for _ in $(seq 1 "$REPEAT"); do
  t0=$(ms); "$POWER_CLIENT" "$BMCD_ADDR" state s1 >/dev/null; t1=$(ms); echo $((t1 - t0))
done | median >"$TMP/b_single"
for _ in $(seq 1 "$REPEAT"); do
  t0=$(ms); ipmitool_bmc "${ports[0]}" power status >/dev/null; t1=$(ms); echo $((t1 - t0))
done | median >"$TMP/i_single"

ratio() { python3 -c "print(f'{$1/$2:.2f}x')"; }
echo "| step | ferrum-bmcd (ms) | peer (ms) | bmcd/peer |"
echo "|---|---|---|---|"
echo "| 50 BMCs power on (peer: ipmipower --on) | $b_on | $i_on | $(ratio "$b_on" "$i_on") |"
echo "| 50 BMCs power state (peer: ipmipower --stat) | $b_stat | $i_stat | $(ratio "$b_stat" "$i_stat") |"
echo "| 50 BMCs power off (peer: ipmipower --off) | $b_off | $i_off | $(ratio "$b_off" "$i_off") |"
echo "| 50 BMCs on+state+off total | $((b_on + b_stat + b_off)) | $((i_on + i_stat + i_off)) | $(ratio $((b_on + b_stat + b_off)) $((i_on + i_stat + i_off))) |"
echo "| single power-state call, median of $REPEAT (peer: ipmitool -C 3) | $(cat "$TMP/b_single") | $(cat "$TMP/i_single") | $(ratio "$(cat "$TMP/b_single")" "$(cat "$TMP/i_single")") |"
kill -TERM "$BMCD_PID"
