#!/usr/bin/env bash
# Discovery on real firmware, in a network namespace this script creates and removes:
# dnsmasq (DHCP), ferrum-tftpd, ferrum-ipxe-http (--agent-dir = the image agent/image/build.sh
# makes), ferrum-registry, ferrum-apiserver, ipmi_sim as the VM's BMC, and a UEFI QEMU VM
# (OVMF native PXE -> TFTP snponly.efi -> iPXE -> /boot.ipxe -> agent environment) with
# -smbios type=1 values, a 64 MiB virtio disk filled with a pattern, and an in-band KCS BMC
# (ipmi-bmc-extern + isa-ipmi-kcs) backed by ipmi_sim.
#   boot 1: the agent registers; the Server carries the SMBIOS values and the disk size; not
#           accepted, so nothing is written; the VM reboots (QEMU -no-reboot exits).
#   the test accepts the Server.
#   boot 2: the agent fast-wipes (first and last MiB: the disk has no partitions), heartbeats,
#           MarkServerAsWiped => status.isClean; creates BMC user `ferrum` in-band, reports
#           it => Secret <uuid>-bmc + spec.bmc; the credentials work over IPMI LAN; reboot.
# Usage: discovery.sh BIN_DIR IMAGE_CACHE_DIR
set -euo pipefail
bin=${1:?usage: discovery.sh BIN_DIR IMAGE_CACHE_DIR}
cache=${2:?usage: discovery.sh BIN_DIR IMAGE_CACHE_DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
budget=${FERRUM_E2E_BOOT_TIMEOUT:-180}

if [[ $(id -u) -ne 0 ]]; then echo "e2e: needs root (network namespaces, tap)" >&2; exit 1; fi
for tool in qemu-system-x86_64 dnsmasq ip kubectl jq ipmi_sim ipmitool python3; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool missing (run scripts/setup)" >&2; exit 1; }
done

bash "$repo/agent/image/build.sh" "$bin/ferrum-agent" "$cache/out" "$cache/dl"

source "$here/../lib.sh"
e2e_init ferrum-agent-e2e
e2e_netns 1
e2e_start_apiserver "$bin" "$repo"

e2e_start_boot_services "$bin" "$cache/out" --server-reboot-timeout 90s

# The VM's BMC: LAN on the namespace's loopback, the VM's KCS interface on a socket.
mkdir -p "$work/bmc"
cat >"$work/bmc/lan.conf" <<CONF
name "agent-e2e"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 9001
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid 0f0e0d0c0b0a09080706050403020100
  endlan
  serial 15 127.0.0.1 9002 codec VM
  user 2 true "admin" "password" admin 10 none md2 md5 straight
CONF
printf 'mc_setbmc 0x20\nmc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr\nsel_enable 0x20 1000 0x0a\nmc_enable 0x20\n' \
  >"$work/bmc/bmc.emu"
ip netns exec "$ns" ipmi_sim -c "$work/bmc/lan.conf" -f "$work/bmc/bmc.emu" -s "$work/bmc" -n >"$work/bmc.log" 2>&1 &
pids+=($!)

# The disk: any zeroed byte is the agent's.
e2e_pattern_disk "$work/disk.img"

uuid=7e4f0a12-3b5c-4d6e-8f70-a1b2c3d4e5f6
mac=52:54:00:fe:00:01
boot() {  # boot N: one power-on until the VM reboots (QEMU exits); serial log in serial-N.log
  local log=$work/serial-$1.log
  ip netns exec "$ns" qemu-system-x86_64 -accel tcg -machine q35 -m 512 -nographic -no-reboot \
    -bios /usr/share/ovmf/OVMF.fd \
    -smbios type=1,uuid=$uuid,manufacturer=FerrumLabs,product=E2E-Discovery-Box,serial=SN-AGENT-E2E \
    -netdev tap,id=n0,ifname=tap0,script=no,downscript=no \
    -device virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1 \
    -drive file="$work/disk.img",format=raw,if=none,id=d0 -device virtio-blk-pci,drive=d0 \
    -chardev socket,id=ipmi0,host=127.0.0.1,port=9002,reconnect=10 \
    -device ipmi-bmc-extern,id=bmc0,chardev=ipmi0 -device isa-ipmi-kcs,bmc=bmc0 \
    </dev/null >"$log" 2>&1 &
  local qpid=$!
  pids+=("$qpid")
  local start=$SECONDS
  while kill -0 "$qpid" 2>/dev/null; do
    if ((SECONDS - start > budget)); then
      kill -TERM "$qpid"; wait "$qpid" || true
      echo "e2e: boot $1 did not finish in ${budget}s; serial console:"
      tr -d '\r\033' <"$log" | grep -a . | tail -40
      echo "--- ipxe-http"; tail -5 "$work/ipxe.log"; echo "--- registry"; tail -5 "$work/registry.log"
      return 1
    fi
    sleep 0.5
  done
  wait "$qpid" || true
  echo "--- boot $1 ($((SECONDS - start)) s), agent lines:"
  tr -d '\r' <"$log" | grep -a '\[ferrum\]' | sed 's/^.*\[ferrum\]/[ferrum]/'
}

# --- boot 1: discovery -------------------------------------------------------------------
boot 1
s=$(nsx kubectl get server "$uuid" -o json 2>/dev/null || echo '{}')
equals "Server named by the SMBIOS UUID" "$(jq -r .metadata.name <<<"$s")" "$uuid"
equals "manufacturer from SMBIOS" "$(jq -r .spec.hardware.system.manufacturer <<<"$s")" "FerrumLabs"
equals "product from SMBIOS" "$(jq -r .spec.hardware.system.productName <<<"$s")" "E2E-Discovery-Box"
equals "serial from SMBIOS" "$(jq -r .spec.hardware.system.serialNumber <<<"$s")" "SN-AGENT-E2E"
equals "disk size" "$(jq -r '[.spec.hardware.storage.devices[] | select(.name=="vda") | .size][0]' <<<"$s")" "67108864"
equals "boot NIC" "$(jq -r '.spec.hardware.network.interfaces[0].mac' <<<"$s")" "$mac"
equals "not accepted" "$(jq -r .spec.accepted <<<"$s")" "false"
addr=$(jq -r '.status.addresses[]? | select(.type=="InternalIP") | .address' <<<"$s")
[[ $addr == 10.77.0.* ]] && pass "DHCP address reported ($addr)" || fail "DHCP address reported (got '$addr')"
grep -qa '\[ferrum\] rebooting' "$work/serial-1.log" && pass "boot 1 ends with a reboot" || fail "boot 1 ends with a reboot"
cmp -s "$work/disk.img" "$work/disk.img.orig" && pass "not accepted: disk untouched" || fail "not accepted: disk untouched"

# --- boot 2: accepted => wipe + BMC ---------------------------------------------------------
nsx kubectl patch server "$uuid" --type=json -p '[{"op":"replace","path":"/spec/accepted","value":true}]' >/dev/null
boot 2
serial2=$(tr -d '\r' <"$work/serial-2.log")
grep -qa '\[ferrum\] wipe: plan vda (64 MiB): \[0+1048576\] \[66060288+1048576\]' <<<"$serial2" \
  && pass "wipe plan: first and last MiB of vda" || fail "wipe plan: first and last MiB of vda"
grep -qa '\[ferrum\] marked as wiped' <<<"$serial2" && pass "marked as wiped" || fail "marked as wiped"
grep -qa '\[ferrum\] rebooting' <<<"$serial2" && pass "boot 2 ends with a reboot" || fail "boot 2 ends with a reboot"
if e2e_fast_wiped "$work/disk.img"
then pass "disk: zero exactly in the planned ranges, pattern elsewhere"; else fail "disk: zero exactly in the planned ranges"; fi
equals "status.isClean" "$(nsx kubectl get server "$uuid" -o jsonpath='{.status.isClean}')" "true"

# BMC: the agent created user ferrum in-band; the registry stored it in a Secret.
bmc=$(nsx kubectl get server "$uuid" -o json | jq -c .spec.bmc)
logged_ip=$(grep -ao '\[ferrum\] bmc: user ferrum .*, address [0-9.]*' <<<"$serial2" | grep -o '[0-9.]*$' || true)
equals "spec.bmc.endpoint is the address the BMC reported in-band" "$(jq -r .endpoint <<<"$bmc")" "${logged_ip:-none logged}"
equals "spec.bmc user from the Secret" "$(jq -r .userFrom.secretKeyRef.name <<<"$bmc")" "$uuid-bmc"
equals "spec.bmc pass from the Secret" "$(jq -r .passFrom.secretKeyRef.name <<<"$bmc")" "$uuid-bmc"
sec=$(nsx kubectl get secret "$uuid-bmc" -o json 2>/dev/null || echo '{}')
user=$(jq -r '.data.user // empty' <<<"$sec" | base64 -d)
pass=$(jq -r '.data.pass // empty' <<<"$sec" | base64 -d)
equals "Secret user" "$user" "ferrum"
equals "password length" "${#pass}" "16"
if out=$(nsx ipmitool -I lanplus -H 127.0.0.1 -p 9001 -U "$user" -P "$pass" -C 3 -L ADMINISTRATOR \
  chassis power status 2>&1); then
  pass "the agent's BMC credentials log in over IPMI LAN as administrator ($out)"
else
  fail "the agent's BMC credentials log in over IPMI LAN"; echo "       $out"
fi

if ((failures)); then
  echo "--- registry log"; tail -20 "$work/registry.log"
  echo "--- serial 2 (last 40)"; tr -d '\r\033' <"$work/serial-2.log" | grep -a . | tail -40
  echo "e2e agent discovery: FAILED ($failures)"; exit 1
fi
echo "e2e agent discovery: ok"
