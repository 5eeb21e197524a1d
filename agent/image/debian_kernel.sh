# shellcheck shell=bash
# Shared by the image builds (agent/image/build.sh, tests/e2e/talos_node/build.sh); source it.
# Debian's kernel, never installed: the linux-image-<abi>-amd64 package apt-get downloads into
# a cache, unpacked with dpkg-deb; modules copied with their modules.dep dependencies; a
# binary's shared libraries copied at the paths ldd resolves.

# debian_kernel_deb CACHE TAG: prints the cached kernel package, downloading the one
# linux-image-amd64 depends on when the cache holds another (or none).
debian_kernel_deb() {
  local cache=$1 tag=$2 pkg deb tmp
  pkg=$(apt-cache depends linux-image-amd64 2>/dev/null | grep -o 'linux-image-6[^ ]*-amd64' | head -1 || true)
  deb=$(ls "$cache"/linux-image-*-amd64_*.deb 2>/dev/null | head -1 || true)
  if [[ -n $pkg && ( -z $deb || $deb != */${pkg}_* ) ]]; then
    echo "$tag: downloading $pkg" >&2
    tmp=$(mktemp -d "$cache/dl.XXXXXX")
    (cd "$tmp" && apt-get download -q "$pkg" >/dev/null 2>&1)
    rm -f "$cache"/linux-image-*-amd64_*.deb
    mv "$tmp"/*.deb "$cache/"
    rm -rf "$tmp"
    deb=$(ls "$cache"/linux-image-*-amd64_*.deb | head -1)
  fi
  [[ -n $deb ]] || { echo "$tag: no linux-image package known to apt (apt-get update?)" >&2; return 1; }
  echo "$deb"
}

# debian_kernel_unpack DEB KROOT: unpacks /boot/vmlinuz-* and /lib/modules into KROOT and
# prints the kernel version. The package ships no modules.dep (the postinst runs depmod).
debian_kernel_unpack() {
  local deb=$1 kroot=$2 kver
  mkdir -p "$kroot"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kroot" --wildcards './boot/vmlinuz-*' './lib/modules/*'
  kver=$(ls "$kroot/lib/modules" | head -1)
  depmod -b "$kroot" "$kver"
  echo "$kver"
}

# debian_kernel_modules TAG KROOT KVER ROOT MODULE...: copies the modules into ROOT/lib/modules
# and writes ROOT/etc/modules.order, each module's dependencies before it.
debian_kernel_modules() {
  local tag=$1 kroot=$2 kver=$3 root=$4
  shift 4
  local moddir=$kroot/lib/modules/$kver m path
  local -A seen=()
  local -a order=()
  _dk_add() {
    local p=$1 dep
    [[ -n ${seen[$p]:-} ]] && return 0
    seen[$p]=1
    for dep in $(grep "^$p:" "$moddir/modules.dep" | cut -d: -f2); do _dk_add "$dep"; done
    order+=("$p")
  }
  for m in "$@"; do
    path=$(grep -E "/${m//_/[_-]}\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -1 | cut -d: -f1 || true)
    [[ -n $path ]] || { echo "$tag: module $m not in $kver" >&2; return 1; }
    _dk_add "$path"
  done
  mkdir -p "$root/etc"
  for path in "${order[@]}"; do
    mkdir -p "$root/lib/modules/$(dirname "$path")"
    cp "$moddir/$path" "$root/lib/modules/$path"
    echo "$path"
  done >"$root/etc/modules.order"
}

# copy_shared_libs BINARY ROOT: the libraries ldd lists and the dynamic loader, stripped.
copy_shared_libs() {
  local bin=$1 root=$2 lib
  ldd "$bin" | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}' | sort -u | while read -r lib; do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
    strip --strip-unneeded "$root$lib" 2>/dev/null || true
  done
}
