#!/usr/bin/env bash
# build.sh produces vmlinuz and initramfs.xz, and the initramfs holds /init, the peer,
# wireguard-go, busybox's udhcpc, the lease hook and the tun and virtio modules.
# Usage: check_image.sh BUILD_SH PEER_BINARY WORKDIR   (WORKDIR/dl caches the kernel package)
set -euo pipefail
build_sh=$1 peer=$2 work=$3
out=$work/out
bash "$build_sh" "$peer" "$out" "$work/dl"
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -s $out/vmlinuz ]] || fail "no vmlinuz"
[[ -s $out/initramfs.xz ]] || fail "no initramfs.xz"
file -b "$out/vmlinuz" 2>/dev/null | grep -qi 'linux kernel' || head -c 600 "$out/vmlinuz" | grep -qa 'HdrS' ||
  fail "vmlinuz is not a Linux kernel"
list=$(xz -dc "$out/initramfs.xz" | cpio -t --quiet)
for f in init bin/talos-node-peer bin/wireguard-go bin/busybox bin/udhcpc etc/udhcpc.script \
  etc/modules.order; do
  grep -qx "$f" <<<"$list" || fail "initramfs has no /$f"
done
grep -q '/tun\.ko' <<<"$list" || fail "initramfs has no tun module"
grep -q '/virtio_net\.ko' <<<"$list" || fail "initramfs has no virtio_net module"
# A second run with the same inputs is a cache hit.
bash "$build_sh" "$peer" "$out" "$work/dl" | grep -q 'up to date' || fail "second build was not cached"
echo "OK: $(xz -dc "$out/initramfs.xz" | cpio -t --quiet | wc -l) entries"
