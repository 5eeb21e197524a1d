#!/usr/bin/env bash
# Prepares the e2e guest in CACHE (kept between runs so the kernel is downloaded once):
#   CACHE/vmlinuz         Debian's kernel (apt-get download linux-image-<abi>-amd64, unpacked,
#                         never installed)
#   CACHE/initramfs.img   busybox + an /init that prints "<MARKER> cmdline: <kernel cmdline>"
#                         on the serial console and reboots (QEMU runs with -no-reboot).
# Usage: guest.sh CACHE MARKER
set -euo pipefail
cache=${1:?usage: guest.sh CACHE MARKER}
marker=${2:?usage: guest.sh CACHE MARKER}
mkdir -p "$cache"
if [[ ! -s $cache/vmlinuz ]]; then
  pkg=$(apt-cache depends linux-image-amd64 | grep -o 'linux-image-6[^ ]*-amd64' | head -1)
  [[ -n $pkg ]] || { echo "guest: no linux-image package known to apt (apt-get update?)" >&2; exit 1; }
  tmp=$(mktemp -d "$cache/dl.XXXXXX")
  (cd "$tmp" && apt-get download -q "$pkg" >/dev/null)
  dpkg-deb --fsys-tarfile "$tmp"/*.deb | tar -x -C "$tmp" --wildcards './boot/vmlinuz-*'
  mv "$tmp"/boot/vmlinuz-* "$cache/vmlinuz.tmp" && mv "$cache/vmlinuz.tmp" "$cache/vmlinuz"
  rm -rf "$tmp"
fi
root=$(mktemp -d "$cache/initramfs.XXXXXX")
mkdir -p "$root/bin" "$root/proc" "$root/dev"
cp /bin/busybox "$root/bin/busybox"
cat >"$root/init" <<INIT
#!/bin/busybox sh
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t devtmpfs dev /dev 2>/dev/null
echo "$marker cmdline: \$(/bin/busybox cat /proc/cmdline)" >/dev/console
echo "$marker cmdline: \$(/bin/busybox cat /proc/cmdline)" >/dev/ttyS0 2>/dev/null
/bin/busybox sleep 1
/bin/busybox reboot -f
INIT
chmod +x "$root/init"
(cd "$root" && find . | cpio -o -H newc --quiet | gzip -1) >"$cache/initramfs.img"
rm -rf "$root"
