#!/usr/bin/env bash
# Builds the agent environment for amd64 from Debian packages only:
#   OUT/amd64/vmlinuz        the kernel of linux-image-<abi>-amd64 (apt-get download, unpacked
#                            with dpkg-deb, never installed)
#   OUT/amd64/initramfs.xz   busybox-static, ferrum-agent and the shared libraries ldd lists,
#                            NIC / storage / IPMI kernel modules with their modules.dep
#                            dependencies, and an /init that loads them and runs the agent.
# ferrum-ipxe-http serves OUT as --agent-dir (environment agent-amd64).
# The kernel download, module and library copying are agent/image/debian_kernel.sh, shared with
# tests/e2e/talos_node/build.sh. Cached: the kernel package in CACHE, and OUT is rebuilt only when an input changed (this
# script, init, the agent binary, busybox, the kernel package). Usage:
#   build.sh AGENT_BINARY OUT CACHE
set -euo pipefail
agent=${1:?usage: build.sh AGENT_BINARY OUT CACHE}
out=${2:?usage: build.sh AGENT_BINARY OUT CACHE}
cache=${3:?usage: build.sh AGENT_BINARY OUT CACHE}
here=$(cd "$(dirname "$0")" && pwd)
modules=(virtio_pci virtio_net e1000 e1000e igb ixgbe i40e bnxt_en mlx5_core
  virtio_blk nvme ahci sd_mod ipmi_si ipmi_devintf)
for tool in apt-get dpkg-deb depmod cpio xz strip ldd /bin/busybox; do
  command -v "$tool" >/dev/null || { echo "agent image: $tool missing (run scripts/setup)" >&2; exit 1; }
done
mkdir -p "$cache" "$out/amd64"

source "$here/debian_kernel.sh"
deb=$(debian_kernel_deb "$cache" "agent image")

key=$( { sha256sum "$here/build.sh" "$here/debian_kernel.sh" "$here/init" "$here/udhcpc.script" "$agent" /bin/busybox
  basename "$deb"; } | sha256sum | cut -d' ' -f1)
if [[ -s $out/amd64/vmlinuz && -s $out/amd64/initramfs.xz && $(cat "$out/inputs" 2>/dev/null) == "$key" ]]; then
  echo "agent image: up to date ($out/amd64)"
  exit 0
fi
echo "agent image: building from $(basename "$deb")"

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
kroot=$work/kernel
kver=$(debian_kernel_unpack "$deb" "$kroot")

root=$work/root
mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,run,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for applet in sh mount insmod ip udhcpc sleep cat echo reboot ls grep mkdir setsid cttyhack; do
  ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$agent" "$root/bin/ferrum-agent"
strip --strip-unneeded "$root/bin/ferrum-agent"
copy_shared_libs "$agent" "$root"
# Modules in load order: each module's dependencies (modules.dep, deepest last) before it.
debian_kernel_modules "agent image" "$kroot" "$kver" "$root" "${modules[@]}"
install -m 0755 "$here/init" "$root/init"
install -m 0755 "$here/udhcpc.script" "$root/etc/udhcpc.script"
echo "$kver" >"$root/etc/kernel-version"

# The kernel only unpacks xz initramfs with CRC32 checks.
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0 | xz -T0 --check=crc32 -3) >"$work/initramfs.xz"
cp "$kroot"/boot/vmlinuz-* "$work/vmlinuz"
mv "$work/vmlinuz" "$out/amd64/vmlinuz"
mv "$work/initramfs.xz" "$out/amd64/initramfs.xz"
echo "$key" >"$out/inputs"
echo "agent image: $out/amd64 (kernel $kver, $(wc -l <"$root/etc/modules.order") modules, initramfs $(du -h "$out/amd64/initramfs.xz" | cut -f1))"
