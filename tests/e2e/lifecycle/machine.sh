# shellcheck shell=bash
# One BMC-powered UEFI machine and the management stack around it, shared by lifecycle.sh and
# provision.sh (source it after lib.sh; bash; the caller has run e2e_init, e2e_netns and
# e2e_start_apiserver). The VM's BMC is ipmi_sim: LAN on the namespace's 127.0.0.2:623, the
# VM's KCS interface through ipmi-bmc-extern, power and boot device through
# tests/e2e/bmc/vm_power.sh (it starts and stops the QEMU process; see there why not
# ipmi_sim's startcmd).
#   machine_start_stack BIN AGENT_DIR [RECONCILER_FLAGS...]
#                     ferrum-registry, -tftpd, -ipxe-http, dnsmasq (e2e_start_boot_services),
#                     ferrum-bmcd and ferrum-reconciler
#   machine_create    the disk ($work/disk.img, a pattern), the BMC and vm.sh; waits until the
#                     reconciler, bmcd and the BMC answer
#   machine_discover_accept_wipe
#                     boot 1: the BMC powers the VM on, the agent registers it, not accepted:
#                     nothing happens; accepted: NoBMC, boot 2 wipes and sets up the BMC
#                     in-band, the reconciler powers the clean, free machine off
#   helpers: srv cond events calls vm_pid vm_running chassis wait_for dump finish and the
#   predicates below. Hooks: machine_dump_extra adds to dump's output; machine_discovered_hook
#   runs once the registered, not accepted Server has been checked.
# After machine_create a failed check is counted (set +e), not fatal: finish reports them all.

machine_uuid=3c1f5e2a-7b4d-4e6f-9a08-b1c2d3e4f5a6
machine_mac=52:54:00:fe:10:01
uuid=$machine_uuid
budget=${FERRUM_E2E_BOOT_TIMEOUT:-240} # seconds for one boot to reach its result (TCG)
_machine_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
source "$_machine_dir/../bmc/vm_bmc.sh"

# The VM is started by the BMC, not by the test: stop it by the PID it wrote.
e2e_cleanup_extra() {
  local p
  if declare -F machine_cleanup_extra >/dev/null; then machine_cleanup_extra || true; fi
  p=$(cat "$work/bmc/qemu.pid" 2>/dev/null) || return 0
  [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true
}

machine_start_stack() {
  local bin=$1 agent_dir=$2
  shift 2
  e2e_start_boot_services "$bin" "$agent_dir" --server-reboot-timeout 90s
  ip netns exec "$ns" "$bin/ferrum-bmcd" --listen 127.0.0.1:50120 --admin-listen 127.0.0.1:9420 \
    --kubeconfig "$KUBECONFIG" >"$work/bmcd.log" 2>&1 &
  pids+=($!)
  # The reboot timeout outlasts a TCG boot to the agent (whose heartbeats then keep the wipe
  # alive); power is re-read every 5 s. The `default` Environment points at a local port
  # nothing serves: these tests download nothing.
  ip netns exec "$ns" "$bin/ferrum-reconciler" --admin-listen 127.0.0.1:9422 --kubeconfig "$KUBECONFIG" \
    --bmcd-endpoint 127.0.0.1:50120 --leader-elect=false --server-reboot-timeout 180s \
    --power-check-period 5s --default-environment-kernel-url http://127.0.0.1:1/vmlinuz \
    --default-environment-initrd-url http://127.0.0.1:1/initramfs.xz "$@" >"$work/reconciler.log" 2>&1 &
  pids+=($!)
}

admin=(ipmitool -I lanplus -H 127.0.0.2 -p 623 -U admin -P password -C 3)

machine_create() {
  # The disk: any zeroed byte is the agent's.
  e2e_pattern_disk "$work/disk.img"
  ip -n "$ns" addr add 127.0.0.2/8 dev lo 2>/dev/null || true # 127/8 is local already; explicit
  vm_bmc_write "$work/bmc" lifecycle-e2e 127.0.0.2 9002
  cat >"$work/bmc/vm.sh" <<VM
#!/bin/sh
echo "=== power on \$(date +%s)" >>"$work/serial.log"
echo \$\$ >"$work/bmc/qemu.pid"
exec qemu-system-x86_64 -accel tcg -machine q35 -m 512 -nographic -bios /usr/share/ovmf/OVMF.fd \\
  -smbios type=1,uuid=$uuid,manufacturer=FerrumLabs,product=E2E-Lifecycle-Box,serial=SN-LIFECYCLE \\
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \\
  -device virtio-net-pci,netdev=n0,mac=$machine_mac,romfile=,bootindex=1 \\
  -drive file="$work/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0 \\
  -chardev socket,id=ipmi0,host=127.0.0.1,port=9002,reconnect=2 \\
  -device ipmi-bmc-extern,id=bmc0,chardev=ipmi0 -device isa-ipmi-kcs,bmc=bmc0 \\
  </dev/null >>"$work/serial.log" 2>&1
VM
  chmod +x "$work/bmc/vm.sh"
  ip netns exec "$ns" ipmi_sim -c "$work/bmc/lan.conf" -f "$work/bmc/bmc.emu" -s "$work/bmc/sim" -n </dev/null \
    >"$work/bmc.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 100); do
    nsx curl -sf http://127.0.0.1:9422/readyz >/dev/null && nsx curl -sf http://127.0.0.1:9420/readyz >/dev/null &&
      nsx "${admin[@]}" chassis power status >/dev/null 2>&1 && break
    sleep 0.2
  done
  set +e
}

# --- helpers ------------------------------------------------------------------------------
srv() { nsx kubectl get server "$uuid" -o json 2>/dev/null | jq -r "$1"; }
cond() { srv "[.status.conditions[]? | select(.type==\"$1\") | .status + \"/\" + .reason][0] // \"none\""; }
events() { # events REASON: how many times REASON was reported for the Server
  nsx kubectl get events -A -o json | jq --arg u "$uuid" --arg r "$1" \
    '[.items[] | select(.involvedObject.name == $u and .reason == $r) | (.count // 1)] | add // 0'
}
# The BMC's setter calls, repeats squeezed: ipmi_sim runs vm_power.sh synchronously, and a
# client that retransmits a request while QEMU is stopping gets it executed twice (the
# reconciler's own calls are counted by its Events).
calls() { uniq "$work/bmc/calls" 2>/dev/null | tr '\n' ' ' | sed 's/ $//'; }
vm_pid() { cat "$work/bmc/qemu.pid" 2>/dev/null; }
vm_running() { local p; p=$(vm_pid) && [[ -n $p ]] && kill -0 "$p" 2>/dev/null; }
chassis() { nsx "${admin[@]}" chassis power status 2>&1; }
wait_for() { # wait_for SECONDS WHAT CMD...: polls CMD every second
  local limit=$1 what=$2 start=$SECONDS
  shift 2
  until "$@"; do
    if ((SECONDS - start > limit)); then
      fail "$what (not within ${limit}s)"
      return 1
    fi
    sleep 1
  done
  pass "$what ($((SECONDS - start)) s)"
}
dump() {
  echo "--- reconciler"; grep -v '"level":"debug"' "$work/reconciler.log" | tail -15
  echo "--- bmcd"; tail -8 "$work/bmcd.log"
  echo "--- registry"; tail -8 "$work/registry.log"
  echo "--- BMC calls: $(calls)"; tail -5 "$work/bmc.log"
  echo "--- serial (agent lines)"; tr -d '\r' <"$work/serial.log" | grep -a '\[ferrum\]\|=== power' | tail -40
  if declare -F machine_dump_extra >/dev/null; then machine_dump_extra; fi
  echo "--- Server"; nsx kubectl get server "$uuid" -o yaml 2>/dev/null | sed -n '/^status:/,$p'
  echo "--- Events"; nsx kubectl get events -A 2>/dev/null | tail -20
}
finish() { # finish NAME
  if ((failures)); then
    dump
    echo "e2e $1: FAILED ($failures)"
    exit 1
  fi
  echo "e2e $1: ok"
  exit 0
}
server_exists() { nsx kubectl get server "$uuid" >/dev/null 2>&1; }
is_clean() { [[ $(srv '.status.isClean // false') == true ]]; }
bmc_reported() { [[ $(srv '.spec.bmc.endpoint // ""') != "" ]]; }
powered_off_n() { (($(events PoweredOff) >= $1)) && ! vm_running; }
has_event() { (($(events "$1") >= 1)); }
field_is() { [[ $(srv "$1") == "$2" ]]; }
calls_have() { [[ " $(calls) " == *" $1 "* ]]; }

machine_discover_accept_wipe() {
  local out user passwd
  # --- 1 discovery --------------------------------------------------------------------------
  out=$(nsx "${admin[@]}" chassis power on 2>&1) || true
  equals "the BMC powers the VM on" "$out" "Chassis Power Control: Up/On"
  vm_running && pass "QEMU runs (pid $(vm_pid))" || fail "QEMU runs"
  wait_for "$budget" "boot 1: the agent registered the Server" server_exists || return 1
  equals "Server from SMBIOS" "$(srv .spec.hardware.system.productName)" "E2E-Lifecycle-Box"
  equals "not accepted" "$(srv .spec.accepted)" "false"
  sleep 3
  equals "not accepted: the reconciler left the BMC alone" "$(calls)" "power 1"
  equals "not accepted: no finalizer" "$(srv '.metadata.finalizers // [] | length')" "0"
  equals "not accepted: no spec.bmc" "$(srv '.spec.bmc // "none"')" "none"
  if declare -F machine_discovered_hook >/dev/null; then machine_discovered_hook; fi

  # --- 2 accepted: wipe, in-band BMC, powered off ------------------------------------------
  nsx kubectl patch server "$uuid" --type=json -p '[{"op":"replace","path":"/spec/accepted","value":true}]' >/dev/null
  wait_for 30 "accepted without a BMC: Event NoBMC" has_event NoBMC
  wait_for 30 "accepted: finalizer" field_is '.metadata.finalizers[0]' storage.finalizers.server.k8s.io
  wait_for "$((budget * 2))" "boot 2: the agent wiped (status.isClean)" is_clean || return 1
  wait_for 60 "boot 2: the agent reported the BMC it set up in-band" bmc_reported || return 1
  equals "spec.bmc.endpoint: the address the BMC's LAN channel listens on" "$(srv .spec.bmc.endpoint)" "127.0.0.2"
  equals "spec.bmc.port" "$(srv '.spec.bmc.port // 623')" "623"
  equals "spec.bmc credentials in Secret <uuid>-bmc" "$(srv .spec.bmc.userFrom.secretKeyRef.name)" "$uuid-bmc"
  equals "PowerCycle=True/Wiped" "$(cond PowerCycle)" "True/Wiped"
  wait_for 60 "clean and free: the reconciler powered it off (Event PoweredOff, QEMU exited)" powered_off_n 1
  sleep 1
  equals "BMC calls: the test's power on, the reconciler's power off" "$(calls)" "power 1 power 0"
  equals "one PoweredOff Event" "$(events PoweredOff)" "1"
  e2e_fast_wiped "$work/disk.img" && pass "disk: first and last MiB zeroed, pattern elsewhere" || fail "disk wiped as planned"
  user=$(nsx kubectl get secret "$uuid-bmc" -o jsonpath='{.data.user}' | base64 -d)
  passwd=$(nsx kubectl get secret "$uuid-bmc" -o jsonpath='{.data.pass}' | base64 -d)
  out=$(nsx ipmitool -I lanplus -H 127.0.0.2 -p 623 -U "$user" -P "$passwd" -C 3 -L ADMINISTRATOR chassis power status 2>&1 || true)
  equals "the BMC, asked with the agent's credentials, says off" "$out" "Chassis Power is off"
  wait_for 15 "status.power=off" field_is .status.power off
  equals "clean and free: ready" "$(srv .status.ready)" "true"
}
