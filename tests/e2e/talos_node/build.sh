#!/usr/bin/env bash
# Builds the Talos node test peer's boot image for amd64 from Debian packages only:
#   OUT/vmlinuz        the kernel of linux-image-<abi>-amd64 (the agent image's kernel code,
#                      agent/image/debian_kernel.sh: apt-get download, dpkg-deb, never installed)
#   OUT/initramfs.xz   busybox-static, talos-node-peer, wireguard-go (package wireguard-go) and
#                      the shared libraries ldd lists, NIC / disk / tun modules, and an /init that
#                      loads them and runs the peer (which does DHCP itself, after its KSPP check).
# Boot it with a target Environment's args (talos.config=, siderolink.api=, talos.logging.kernel=,
# talos.events.sink=, and Talos' slab_nomerge pti=on). Cached: the kernel package in CACHE; OUT is
# rebuilt only when an input's content changed (not its path). Usage:
#   build.sh PEER_BINARY OUT CACHE
set -euo pipefail
usage="usage: build.sh PEER_BINARY OUT CACHE"
peer=${1:?$usage}
out=${2:?$usage}
cache=${3:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
agent_image=$(cd "$here/../../../agent/image" && pwd)
tag="talos node image"
modules=(virtio_pci virtio_net e1000 e1000e virtio_blk virtio_scsi sd_mod nvme ahci tun)
for tool in apt-get dpkg-deb depmod cpio xz strip ldd /bin/busybox /usr/bin/wireguard-go; do
  command -v "$tool" >/dev/null || { echo "$tag: $tool missing (apt-get install busybox-static wireguard-go ...)" >&2; exit 1; }
done
mkdir -p "$cache" "$out"

source "$agent_image/debian_kernel.sh"
deb=$(debian_kernel_deb "$cache" "$tag")

key=$( { sha256sum "$here/build.sh" "$here/init" "$agent_image/debian_kernel.sh" \
  "$agent_image/udhcpc.script" "$peer" /bin/busybox /usr/bin/wireguard-go
  basename "$deb"; } | cut -d' ' -f1 | sha256sum | cut -d' ' -f1)
if [[ -s $out/vmlinuz && -s $out/initramfs.xz && $(cat "$out/inputs" 2>/dev/null) == "$key" ]]; then
  echo "$tag: up to date ($out)"
  exit 0
fi
echo "$tag: building from $(basename "$deb")"

work=$(mktemp -d "$cache/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
kroot=$work/kernel
kver=$(debian_kernel_unpack "$deb" "$kroot")

root=$work/root
mkdir -p "$root"/{bin,dev,etc,proc,sys,tmp,run,var/run/wireguard,lib/modules}
cp /bin/busybox "$root/bin/busybox"
for applet in sh mount insmod ip udhcpc sleep cat echo reboot poweroff ls grep mkdir setsid \
  cttyhack dmesg hostname; do
  ln -s busybox "$root/bin/$applet"
done
install -m 0755 "$peer" "$root/bin/talos-node-peer"
strip --strip-unneeded "$root/bin/talos-node-peer"
install -m 0755 /usr/bin/wireguard-go "$root/bin/wireguard-go"
copy_shared_libs "$peer" "$root"
copy_shared_libs /usr/bin/wireguard-go "$root"
debian_kernel_modules "$tag" "$kroot" "$kver" "$root" "${modules[@]}"
install -m 0755 "$here/init" "$root/init"
# The agent's lease hook: address, default route, resolv.conf.
install -m 0755 "$agent_image/udhcpc.script" "$root/etc/udhcpc.script"
echo "$kver" >"$root/etc/kernel-version"

# The kernel only unpacks xz initramfs with CRC32 checks.
(cd "$root" && find . | sort | cpio -o -H newc --quiet -R 0:0 | xz -T0 --check=crc32 -3) >"$work/initramfs.xz"
cp "$kroot"/boot/vmlinuz-* "$work/vmlinuz"
mv "$work/vmlinuz" "$out/vmlinuz"
mv "$work/initramfs.xz" "$out/initramfs.xz"
echo "$key" >"$out/inputs"
echo "$tag: $out (kernel $kver, $(wc -l <"$root/etc/modules.order") modules, initramfs $(du -h "$out/initramfs.xz" | cut -f1))"
