#!/usr/bin/env bash
# Real firmware against ferrum-tftpd, in a network namespace this script creates and removes:
#   ovmf: a UEFI VM (OVMF) with its native PXE (no iPXE option ROM) gets snponly.efi from
#         ferrum-tftpd and runs it: iPXE's banner appears on the serial console.
#   bios: a BIOS VM with the iPXE option ROM gets a script from ferrum-tftpd over TFTP and
#         runs it: the script echoes a marker to the console, then reboots (QEMU exits).
# DHCP is dnsmasq (DHCP only, no DNS, no TFTP). Every process is stopped by PID.
# Usage: firmware_boot.sh ovmf|bios path/to/ferrum-tftpd [single-port]
set -euo pipefail
kind=${1:?usage: firmware_boot.sh ovmf|bios path/to/ferrum-tftpd [single-port]}
bin=${2:?usage: firmware_boot.sh ovmf|bios path/to/ferrum-tftpd [single-port]}
port_mode=${3:-classic}
budget=${FERRUM_E2E_BOOT_TIMEOUT:-150}  # seconds for the VM to show the marker (TCG, shared CPU)

# Exit 77 (ctest: skipped, with the reason) where namespaces and taps cannot exist at all;
# anything that fails after that is a real failure.
skip() { echo "e2e: SKIPPED: $*" >&2; exit 77; }
[[ $(id -u) -eq 0 ]] || skip "needs root (network namespaces, tap devices)"
[[ -c /dev/net/tun ]] || skip "no /dev/net/tun"
for tool in qemu-system-x86_64 dnsmasq ip; do
  command -v "$tool" >/dev/null || { echo "e2e: $tool missing (run scripts/setup)" >&2; exit 1; }
done
for f in /usr/lib/ipxe/snponly.efi /usr/share/ovmf/OVMF.fd; do
  [[ -f $f ]] || { echo "e2e: $f missing (run scripts/setup)" >&2; exit 1; }
done

source "$(cd "$(dirname "$0")" && pwd)/../lib.sh"
e2e_init ferrum-tftp-$kind
e2e_netns 1

root=$work/tftp
mkdir -p "$root"
cp /usr/lib/ipxe/snponly.efi /usr/lib/ipxe/undionly.kpxe "$root/"
marker="FERRUM-TFTP-E2E-$RANDOM$RANDOM"
printf '#!ipxe\necho %s\nsleep 2\nreboot\n' "$marker" >"$root/boot.ipxe"

extra=()
[[ $port_mode == single-port ]] && extra+=(--single-port)
ip netns exec "$ns" "$bin" --listen 10.77.0.1:69 --root "$root" --admin-listen 127.0.0.1:9401 \
  --log-format json "${extra[@]}" 2>"$work/tftpd.log" &
pids+=($!)

# DHCP: UEFI x86-64 (arch 7) gets snponly.efi; iPXE (user class) gets the script over TFTP.
ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
  --interface=br0 --bind-interfaces --dhcp-range=10.77.0.100,10.77.0.200,255.255.255.0,1h \
  --dhcp-userclass=set:ipxe,iPXE --dhcp-boot=tag:ipxe,boot.ipxe,,10.77.0.1 \
  --dhcp-match=set:efi64,option:client-arch,7 \
  --dhcp-boot=tag:efi64,tag:!ipxe,snponly.efi,,10.77.0.1 \
  --dhcp-boot=tag:!efi64,tag:!ipxe,undionly.kpxe,,10.77.0.1 --no-ping --enable-ra \
  --dhcp-range=fd77::,ra-only --dhcp-option=encap:175,176,1b \
  --dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" --log-dhcp \
  2>"$work/dnsmasq.log" &
pids+=($!)

qemu=(qemu-system-x86_64 -accel tcg -machine q35 -m 512 -nographic -no-reboot
  -netdev tap,id=n0,ifname=tap0,script=no,downscript=no)
if [[ $kind == ovmf ]]; then
  # romfile= (empty): no iPXE option ROM on the NIC, so OVMF's own PXE client boots.
  qemu+=(-bios /usr/share/ovmf/OVMF.fd
    -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56,romfile=,bootindex=1)
  want='iPXE'
  want2='Open Source Network Boot Firmware'
  file=snponly.efi
else
  qemu+=(-device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:57 -boot n)
  want=$marker
  want2=$marker
  file=boot.ipxe
fi
ip netns exec "$ns" "${qemu[@]}" </dev/null >"$work/serial.log" 2>&1 &
qemu_pid=$!
pids+=("$qemu_pid")

ok=0
for _ in $(seq $((budget * 5))); do
  if grep -qa -- "$want" "$work/serial.log" && grep -qa -- "$want2" "$work/serial.log" &&
    grep -q "\"msg\":\"transfer finished\".*\"file\":\"[/]*$file\".*\"result\":\"ok\"" "$work/tftpd.log"; then
    ok=1
    break
  fi
  kill -0 "$qemu_pid" 2>/dev/null || { sleep 0.5; grep -qa -- "$want2" "$work/serial.log" && ok=1; break; }
  sleep 0.2
done

echo "--- ferrum-tftpd log"
cat "$work/tftpd.log"
if ((ok)); then
  echo "e2e $kind ($port_mode): ok: firmware fetched $file from ferrum-tftpd and ran it"
  exit 0
fi
echo "--- serial console (last 60 lines)"
tr -d '\033' <"$work/serial.log" | tail -60
echo "--- dnsmasq"
tail -30 "$work/dnsmasq.log"
echo "e2e $kind ($port_mode): FAILED: no '$want2' on the console or no ok transfer of $file" >&2
exit 1
