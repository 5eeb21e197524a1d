#!/usr/bin/env bash
# ferrum-agent (the real binary) against ferrum-registry and ferrum-apiserver on loopback.
# The machine is a fake root: sys/firmware/dmi/tables from a QEMU SMBIOS dump, sys/block/vda
# whose dev/vda is a 64 MiB file filled with a pattern, a NIC in sys/class/net, proc files.
# Not accepted: registers, touches nothing. Accepted: fast-wipes exactly the planned ranges,
# status.isClean becomes true. Clean: no wipe. Bad command line, registry down, --help.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/../registry/registry_lib.sh"
setup_tmp
start_apiserver api
start_registry --server-reboot-timeout 90s

help=$("$FERRUM_BIN/ferrum-agent" --help 2>&1)
for f in root cmdline-file ipmi-device dhcp-command bmc-user max-attempts retry-initial retry-max \
  call-timeout reboot; do
  contains "--help explains --$f" "$help" "--$f"
done

root=$TMP/root
data=$FERRUM_ROOT/tests/unit/agent/data
mkdir -p "$root/sys/firmware/dmi/tables" "$root/sys/block/vda/queue" "$root/sys/class/net/enp0s2" \
  "$root/proc/sys/kernel" "$root/dev"
cp "$data/qemu_seabios_DMI" "$root/sys/firmware/dmi/tables/DMI"
cp "$data/qemu_seabios_smbios_entry_point" "$root/sys/firmware/dmi/tables/smbios_entry_point"
echo 131072 >"$root/sys/block/vda/size"
echo 0 >"$root/sys/block/vda/ro"
echo 0 >"$root/sys/block/vda/removable"
echo 1 >"$root/sys/block/vda/queue/rotational"
echo ferrum-it-disk >"$root/sys/block/vda/serial"
echo 2 >"$root/sys/class/net/enp0s2/ifindex"
echo 52:54:00:aa:bb:01 >"$root/sys/class/net/enp0s2/address"
echo 1500 >"$root/sys/class/net/enp0s2/mtu"
echo 0x1003 >"$root/sys/class/net/enp0s2/flags"
printf 'processor : 0\nvendor_id : AuthenticAMD\nmodel name : QEMU Virtual CPU\n\n' >"$root/proc/cpuinfo"
echo 'MemTotal: 500000 kB' >"$root/proc/meminfo"
echo agent-it >"$root/proc/sys/kernel/hostname"
python3 - "$root/dev/vda" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(bytes((0xA5 ^ (i & 0xFF)) or 1 for i in range(4096)) * (64 * 256))
PY
cp "$root/dev/vda" "$TMP/vda.orig"
echo "console=ttyS0 initrd=initramfs.xz ip=dhcp ferrum.mac=52:54:00:AA:BB:01 ferrum.endpoint=$REGISTRY_ADDR" \
  >"$TMP/cmdline"
uuid=4c4c4544-0042-3510-8052-b4c04f564d32
agent() {
  "$FERRUM_BIN/ferrum-agent" --root "$root" --cmdline-file "$TMP/cmdline" --reboot=false \
    --ipmi-device "$TMP/no-ipmi0" --max-attempts 3 --retry-initial 100ms "$@" 2>&1
}

# --- not accepted -----------------------------------------------------------------------
out=$(agent); rc=$?
equals "not accepted: exit 0" "$rc" "0"
contains "logs with the [ferrum] prefix" "$out" "[ferrum] ferrum-agent starting"
contains "logs the SMBIOS system" "$out" "[ferrum] system uuid=$uuid manufacturer=\"FerrumLabs\" product=\"QEMU-Agent-Box\""
contains "logs the disk" "$out" "[ferrum] disk vda HDD 67108864 bytes"
contains "says it is not accepted" "$out" "[ferrum] server not accepted yet"
s=$(kubectl get server "$uuid" -o json)
equals "Server named by the SMBIOS UUID" "$(jq -r .metadata.name <<<"$s")" "$uuid"
equals "manufacturer" "$(jq -r .spec.hardware.system.manufacturer <<<"$s")" "FerrumLabs"
equals "product" "$(jq -r .spec.hardware.system.productName <<<"$s")" "QEMU-Agent-Box"
equals "serial" "$(jq -r .spec.hardware.system.serialNumber <<<"$s")" "SN-E2E-0001"
equals "disk size" "$(jq -r '.spec.hardware.storage.devices[0].size' <<<"$s")" "67108864"
equals "disk serial" "$(jq -r '.spec.hardware.storage.devices[0].serialNumber' <<<"$s")" "ferrum-it-disk"
equals "cores from SMBIOS" "$(jq -r .spec.hardware.compute.totalCoreCount <<<"$s")" "2"
equals "memory module" "$(jq -r '.spec.hardware.memory.modules[0].sizeMiB // .spec.hardware.memory.modules[0].size' <<<"$s")" "512"
equals "nic mac" "$(jq -r '.spec.hardware.network.interfaces[0].mac' <<<"$s")" "52:54:00:aa:bb:01"
equals "hostname" "$(jq -r .spec.hostname <<<"$s")" "agent-it"
equals "not accepted" "$(jq -r .spec.accepted <<<"$s")" "false"
check "disk untouched while not accepted" cmp "$root/dev/vda" "$TMP/vda.orig"

# --- accepted: fast wipe ----------------------------------------------------------------
kubectl patch server "$uuid" --type=merge -p '{"spec":{"accepted":true}}' >/dev/null
out=$(agent); rc=$?
equals "accepted: exit 0" "$rc" "0"
contains "told to wipe" "$out" "wipe=yes insecure_wipe=yes"
contains "plan logged" "$out" "[ferrum] wipe: plan vda (64 MiB): [0+1048576] [66060288+1048576]"
contains "progress logged" "$out" "[ferrum] wipe: vda 100%"
contains "write fallback on a file" "$out" "zeroed by write"
contains "marked as wiped" "$out" "[ferrum] marked as wiped"
contains "no BMC device: skipped quietly" "$out" "[ferrum] bmc: no $TMP/no-ipmi0, skipping BMC setup"
check "zero exactly in the first and last MiB, pattern elsewhere" python3 - "$root/dev/vda" "$TMP/vda.orig" <<'PY'
import sys
d = open(sys.argv[1], "rb").read(); o = open(sys.argv[2], "rb").read()
M = 1 << 20
assert len(d) == 64 * M, len(d)
assert d[:M] == bytes(M) and d[-M:] == bytes(M), "ends not zero"
assert d[M:-M] == o[M:-M], "pattern changed outside the plan"
assert o[:M] != bytes(M)
PY
equals "status.isClean true" "$(kubectl get server "$uuid" -o jsonpath='{.status.isClean}')" "true"

# --- clean: no wipe ---------------------------------------------------------------------
cp "$TMP/vda.orig" "$root/dev/vda"
out=$(agent)
contains "clean: told not to wipe" "$out" "wipe=no"
contains "clean: says so" "$out" "[ferrum] server is clean: no wipe"
check "clean: disk untouched" cmp "$root/dev/vda" "$TMP/vda.orig"

# --- a second machine without SMBIOS tables, auto-accepted, full wipe ----------------------
stop_registry
start_registry --auto-accept-servers --insecure-wipe=false --server-reboot-timeout 90s
echo "console=ttyS0 ferrum.mac=52:54:00:aa:bb:01 ferrum.endpoint=$REGISTRY_ADDR ferrum.wipe_parallel=2" >"$TMP/cmdline"
rm -rf "$root/sys/firmware"
mkdir -p "$root/sys/class/dmi/id"
echo 0C3A1B2D-1111-4222-8333-444455556666 >"$root/sys/class/dmi/id/product_uuid"
echo Supermicro >"$root/sys/class/dmi/id/sys_vendor"
out=$(agent); rc=$?
equals "second machine: exit 0" "$rc" "0"
contains "no tables: says so" "$out" "(using dmi/id)"
contains "full wipe" "$out" "[ferrum] wipe: mode full, 1 disk(s), 2 at once"
contains "full plan" "$out" "[ferrum] wipe: plan vda (64 MiB): [0+67108864]"
check "full wipe: every byte zero" python3 -c "import sys; d=open(sys.argv[1],'rb').read(); sys.exit(0 if len(d)==64<<20 and d.count(0)==len(d) else 1)" "$root/dev/vda"
u2=0c3a1b2d-1111-4222-8333-444455556666
equals "dmi/id manufacturer" "$(kubectl get server "$u2" -o jsonpath='{.spec.hardware.system.manufacturer}')" "Supermicro"
equals "auto-accepted and clean" "$(kubectl get server "$u2" -o jsonpath='{.spec.accepted}/{.status.isClean}')" "true/true"

# --- failures ---------------------------------------------------------------------------
echo "console=ttyS0 ferrum.endpoint=$REGISTRY_ADDR" >"$TMP/bad-cmdline"
out=$(agent --cmdline-file "$TMP/bad-cmdline"); rc=$?
equals "no ferrum.mac: exit 1" "$rc" "1"
contains "no ferrum.mac: named" "$out" "[ferrum] bad kernel command line: ferrum.mac: missing"
stop_registry
out=$(agent); rc=$?
equals "registry down: exit 1 after the attempts" "$rc" "1"
contains "registry down: retries logged" "$out" "[ferrum] CreateServer failed (attempt 2)"
contains "registry down: gives up" "$out" "[ferrum] CreateServer gave up"
out=$("$FERRUM_BIN/ferrum-agent" --bmc-user waytoolongusername1 2>&1); rc=$?
equals "bad --bmc-user: exit 2" "$rc" "2"
contains "bad --bmc-user named" "$out" "--bmc-user"
finish
