#!/usr/bin/env bash
# The whole Server lifecycle on real firmware, in a network namespace this script creates and
# removes: ferrum-apiserver, ferrum-tftpd, ferrum-ipxe-http (agent environment from
# agent/image/build.sh), ferrum-registry, ferrum-bmcd, ferrum-reconciler, dnsmasq, and one
# UEFI QEMU VM whose BMC is ipmi_sim (machine.sh, shared with provision.sh).
#   1 discovery: the BMC powers the VM on; OVMF PXE -> iPXE -> agent registers; not accepted:
#     the reconciler does nothing, the agent reboots (the VM resets itself).
#   2 accepted: no BMC yet (Event NoBMC); the agent's next boot wipes (MarkServerAsWiped ->
#     status.isClean) and creates BMC user `ferrum` in-band; the BMC reports 127.0.0.2 as its
#     LAN address, so spec.bmc is usable as is; the reconciler powers the clean, free machine
#     off through ferrum-bmcd: the QEMU process is gone and the BMC says off.
#   3 dirty again (status.isClean=false, what a release does): the reconciler sets PXE and
#     powers the machine on through ferrum-bmcd (PowerCycle=False/InProgress, Event
#     PowerCycled); the agent wipes again; clean; powered off again.
# Usage: lifecycle.sh BIN_DIR IMAGE_CACHE_DIR
set -euo pipefail
bin=${1:?usage: lifecycle.sh BIN_DIR IMAGE_CACHE_DIR}
cache=${2:?usage: lifecycle.sh BIN_DIR IMAGE_CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)

if [[ $(id -u) -ne 0 ]]; then echo "e2e: needs root (network namespaces, tap)" >&2; exit 1; fi
for tool in qemu-system-x86_64 dnsmasq ip kubectl jq ipmi_sim ipmitool python3 setsid; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool missing (run scripts/setup)" >&2; exit 1; }
done

bash "$repo/agent/image/build.sh" "$bin/ferrum-agent" "$cache/out" "$cache/dl"

source "$here/../lib.sh"
source "$here/machine.sh"
e2e_init ferrum-lifecycle-e2e
e2e_netns 1
e2e_start_apiserver "$bin" "$repo"
machine_start_stack "$bin" "$cache/out"
machine_create

start=$SECONDS
machine_discover_accept_wipe || finish lifecycle
echo "--- $((SECONDS - start)) s so far"

# --- 3 dirty again: PXE + power on through bmcd, wipe, off ------------------------------------
e2e_pattern_disk "$work/disk.img"
: >"$work/bmc/calls"
off_before=$(events PoweredOff)
nsx kubectl patch server "$uuid" --subresource=status --type=merge -p '{"status":{"isClean":false}}' >/dev/null
wait_for 30 "dirty: the reconciler set PXE and powered on through bmcd" calls_have "power 1"
equals "BMC calls: boot device PXE, then power on" "$(calls)" "boot pxe power 1"
vm_running && pass "QEMU runs again (pid $(vm_pid))" || fail "QEMU runs again"
equals "dirty: PowerCycle=False/InProgress" "$(cond PowerCycle)" "False/InProgress"
wait_for 10 "Event PowerCycled" has_event PowerCycled
equals "dirty: not ready" "$(srv '.status.ready // false')" "false"
wait_for "$((budget * 2))" "boot 3: the agent wiped again (status.isClean)" is_clean || finish
wait_for 60 "clean: powered off again (one more PoweredOff, QEMU exited)" powered_off_n $((off_before + 1))
sleep 1
equals "BMC calls: PXE, on, off" "$(calls)" "boot pxe power 1 power 0"
equals "the BMC says off" "$(chassis)" "Chassis Power is off"
e2e_fast_wiped "$work/disk.img" && pass "disk wiped again" || fail "disk wiped again"
equals "PowerCycle=True/Wiped" "$(cond PowerCycle)" "True/Wiped"
wait_for 15 "status.power=off, ready" field_is '"\(.status.power)/\(.status.ready)"' off/true
equals "one PowerCycled Event" "$(events PowerCycled)" "1"
equals "PoweredOff Events: one per clean" "$(events PoweredOff)" "$((off_before + 1))"
equals "no PowerFailed Events" "$(events PowerFailed)" "0"
echo "--- BMC setter calls as ipmi_sim ran them (with timing: $work/bmc/power.log)"
cat "$work/bmc/power.log"
echo "--- the agent's story"
tr -d '\r' <"$work/serial.log" | grep -a '\[ferrum\] \(registered\|marked\|bmc:\|wipe: plan\)\|=== power' | sed 's/^.*\(\[ferrum\]\)/\1/'
echo "--- $((SECONDS - start)) s"
finish lifecycle
