#!/usr/bin/env bash
# Real firmware through ferrum-ipxe-http, in a network namespace this script creates and
# removes (ferrum-apiserver, ferrum-ipxe-http, an asset server and dnsmasq all run inside it):
#   bios: a BIOS VM's iPXE option ROM DHCPs, gets http://10.77.0.1:8081/boot.ipxe, chains to
#         /ipxe; its SMBIOS UUID names a bound Server, so it boots Environment `default`
#         (downloaded by ferrum-ipxe-http from the asset server, sha512-checked) from
#         /env/default/: Debian's kernel and a tiny initramfs that prints a marker with
#         /proc/cmdline, which must carry talos.config=, siderolink.api= and the log/event sinks.
#   ovmf: a UEFI VM (OVMF, no iPXE ROM) HTTP-boots snponly.efi from /tftp/, which then does
#         the same; its UUID is unknown, so it boots the agent environment (ferrum.mac=...).
# Usage: boot.sh bios|ovmf BIN_DIR CACHE_DIR
set -euo pipefail
kind=${1:?usage: boot.sh bios|ovmf BIN_DIR CACHE_DIR}
bin=${2:?}
cache=${3:?}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
budget=${FERRUM_E2E_BOOT_TIMEOUT:-150}

if [[ $(id -u) -ne 0 ]]; then echo "e2e: needs root (network namespaces, tap)" >&2; exit 1; fi
for tool in qemu-system-x86_64 dnsmasq ip cpio kubectl /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool missing (run scripts/setup)" >&2; exit 1; }
done

source "$here/../lib.sh"
e2e_init ferrum-ipxe-$kind

marker="FERRUM-IPXE-E2E-$RANDOM$RANDOM"
"$here/guest.sh" "$cache" "$marker"

e2e_netns 1
# The API server, inside the namespace (its own loopback).
e2e_start_apiserver "$bin" "$repo"

# The Environment's upstream: a plain HTTP server with the kernel and initramfs.
mkdir -p "$work/www" "$work/tftp" "$work/agent/amd64"
cp "$cache/vmlinuz" "$work/www/vmlinuz"
cp "$cache/initramfs.img" "$work/www/initramfs"
cp "$cache/vmlinuz" "$work/agent/amd64/vmlinuz"
cp "$cache/initramfs.img" "$work/agent/amd64/initramfs.xz"
cp /usr/lib/ipxe/snponly.efi /usr/lib/ipxe/undionly.kpxe "$work/tftp/"
(cd "$work/www" && exec ip netns exec "$ns" /usr/bin/python3 -m http.server --bind 127.0.0.1 8000) \
  >"$work/www.log" 2>&1 &
pids+=($!)

uuid=5a7c1e2d-0000-4000-8000-00000000e2e1
ksha=$(sha512sum "$work/www/vmlinuz" | cut -d' ' -f1)
isha=$(sha512sum "$work/www/initramfs" | cut -d' ' -f1)
nsx kubectl apply -f - >/dev/null <<Y
apiVersion: metal.sidero.dev/v1alpha2
kind: Environment
metadata: {name: default}
spec:
  kernel:
    url: http://127.0.0.1:8000/vmlinuz
    sha512: $ksha
    args: [console=ttyS0, initrd=initramfs.xz, quiet, panic=5]
  initrd: {url: http://127.0.0.1:8000/initramfs, sha512: $isha}
---
apiVersion: metal.sidero.dev/v1alpha2
kind: Server
metadata: {name: $uuid}
spec: {accepted: true}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata: {name: $uuid}
spec:
  metalMachineRef: {kind: MetalMachine, namespace: default, name: m1}
Y

ip netns exec "$ns" "$bin/ferrum-ipxe-http" --listen 10.77.0.1:8081 --admin-listen 127.0.0.1:9481 \
  --api-endpoint 10.77.0.1 --tftp-root "$work/tftp" --asset-dir "$work/assets" --agent-dir "$work/agent" \
  --link-server-address fd77::1 --extra-agent-kernel-args "console=ttyS0 quiet panic=5" \
  --kubeconfig "$KUBECONFIG" >"$work/ipxe.log" 2>&1 &
pids+=($!)
for _ in $(seq 300); do
  nsx kubectl get environment default -o jsonpath='{.status.conditions[*].status}' 2>/dev/null | grep -qx 'True True' && break
  sleep 0.1
done

ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
  --interface=br0 --bind-interfaces --dhcp-range=10.77.0.100,10.77.0.200,255.255.255.0,1h \
  --dhcp-userclass=set:ipxe,iPXE --dhcp-boot=tag:ipxe,http://10.77.0.1:8081/boot.ipxe \
  --dhcp-vendorclass=set:http,HTTPClient \
  --dhcp-boot=tag:http,tag:!ipxe,http://10.77.0.1:8081/tftp/snponly.efi \
  --dhcp-option-force=tag:http,tag:!ipxe,60,HTTPClient \
  --no-ping --enable-ra --dhcp-range=fd77::,ra-only --dhcp-option=encap:175,176,1b \
  --dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" --log-dhcp \
  2>"$work/dnsmasq.log" &
pids+=($!)

qemu=(qemu-system-x86_64 -accel tcg -machine q35 -m 512 -nographic -no-reboot
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no)
if [[ $kind == ovmf ]]; then
  mac=52:54:00:12:34:58
  qemu+=(-bios /usr/share/ovmf/OVMF.fd
    -fw_cfg name=opt/org.tianocore/IPv4PXESupport,string=n
    -fw_cfg name=opt/org.tianocore/IPv6PXESupport,string=n
    -device virtio-net-pci,netdev=n0,mac=$mac,romfile=,bootindex=1)
  want=("ferrum.mac=$mac" "ferrum.endpoint=10.77.0.1:50100" "initrd=initramfs.xz")
else
  mac=52:54:00:12:34:57
  qemu+=(-uuid "$uuid" -device virtio-net-pci,netdev=n0,mac=$mac -boot n)
  want=("talos.config=http://10.77.0.1:9091/configdata?uuid=" "siderolink.api=10.77.0.1:50110"
    "talos.logging.kernel=tcp://[fd77::1]:4001" "talos.events.sink=[fd77::1]:4002")
fi
ip netns exec "$ns" "${qemu[@]}" </dev/null >"$work/serial.log" 2>&1 &
qemu_pid=$!
pids+=("$qemu_pid")

ok=0
for _ in $(seq $((budget * 5))); do
  if grep -qa "$marker cmdline:" "$work/serial.log"; then ok=1; break; fi
  kill -0 "$qemu_pid" 2>/dev/null || { sleep 0.5; grep -qa "$marker cmdline:" "$work/serial.log" && ok=1; break; }
  sleep 0.2
done
line=$(grep -a "$marker cmdline:" "$work/serial.log" | head -1 | tr -d "\r" || true)
for w in "${want[@]}"; do
  [[ $line == *"$w"* ]] || { echo "e2e $kind: cmdline lacks $w"; ok=0; }
done
if [[ $kind == ovmf ]]; then
  # The firmware's HTTP boot must have fetched snponly.efi from /tftp/.
  tftp_ok=$(nsx curl -s http://127.0.0.1:9481/metrics | grep 'route="tftp",decision="200"' | awk '{print $2}' || true)
  [[ ${tftp_ok:-0} != 0 ]] || { echo "e2e ovmf: no /tftp/ download counted"; ok=0; }
fi
echo "--- ferrum-ipxe-http log (boot decisions)"
grep -E '"boot decision"|"asset' "$work/ipxe.log" || true
if ((ok)); then
  echo "e2e $kind: ok: $line"
  exit 0
fi
echo "--- serial console (last 60 lines)"
tr -d '\033' <"$work/serial.log" | tail -60
echo "--- ferrum-ipxe-http log"
tail -30 "$work/ipxe.log"
echo "--- dnsmasq"
tail -30 "$work/dnsmasq.log"
echo "e2e $kind: FAILED: no kernel command line with '$marker' and the expected args" >&2
exit 1
