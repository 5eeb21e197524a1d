# shellcheck shell=bash
# Shared set-up for the e2e scripts (source it; bash). Every test runs in a network
# namespace it creates and removes: a bridge br0 (10.77.0.1/24, fd77::1/64) with one tap
# (tap0) per VM, the daemons bound to the bridge or the namespace's own loopback. Every
# process is tracked by PID and stopped on exit.
#   e2e_init NAME          sets ns (NAME-<pid>), work (a temp dir, kept when FERRUM_E2E_KEEP is
#                          set), pids; traps e2e_cleanup
#   e2e_netns [TAPS]       creates the namespace, br0 and TAPS taps (tap0..; default 1)
#   nsx CMD...             runs CMD inside the namespace (foreground only: a function started
#                          with & leaves $! naming a subshell, not the process)
#   e2e_start_apiserver BIN REPO   ferrum-apiserver on the namespace's 127.0.0.1:6443 with the
#                          CRDs; exports KUBECONFIG and waits for /readyz
#   e2e_start_boot_services, e2e_pattern_disk, e2e_fast_wiped: see below
#   pass / fail / equals   ok/FAIL lines; $failures counts the FAILs
# Hooks: define e2e_cleanup_extra to stop things that are not in pids (it runs first).

e2e_init() {
  ns=$1-$$
  work=$(mktemp -d "/tmp/$1.XXXXXX")
  pids=()
  failures=0
  trap e2e_cleanup EXIT
}

e2e_cleanup() {
  local p
  if declare -F e2e_cleanup_extra >/dev/null; then e2e_cleanup_extra || true; fi
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
  ip netns del "$ns" 2>/dev/null || true
  if [[ -n ${FERRUM_E2E_KEEP:-} ]]; then echo "e2e: kept $work (FERRUM_E2E_KEEP)"; else rm -rf "$work"; fi
}

nsx() { ip netns exec "$ns" "$@"; }

e2e_netns() {
  local taps=${1:-1} i
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip -n "$ns" link add br0 type bridge
  ip -n "$ns" addr add 10.77.0.1/24 dev br0
  ip -n "$ns" addr add fd77::1/64 dev br0 nodad
  ip -n "$ns" link set br0 up
  for ((i = 0; i < taps; i++)); do
    ip -n "$ns" tuntap add dev "tap$i" mode tap
    ip -n "$ns" link set "tap$i" master br0 up
  done
}

e2e_start_apiserver() {
  local bin=$1 repo=$2
  mkdir -p "$work/api"
  ip netns exec "$ns" "$bin/ferrum-apiserver" --listen 127.0.0.1:6443 --admin-listen 127.0.0.1:9400 \
    --data-dir "$work/api" --crd-dir "$repo/charts/ferrum/crds" --crd-dir "$repo/charts/ferrum/crds-capi" \
    --log-level warn >"$work/api.log" 2>&1 &
  pids+=($!)
  export KUBECONFIG=$work/api/kubeconfig
  for _ in $(seq 100); do
    [[ -f $KUBECONFIG ]] && nsx kubectl get --raw /readyz >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  echo "e2e: ferrum-apiserver did not become ready:" >&2
  tail -20 "$work/api.log" >&2
  return 1
}

# e2e_start_boot_services BIN AGENT_DIR [REGISTRY_FLAGS...]: what a UEFI machine needs to
# PXE-boot the agent: ferrum-registry (10.77.0.1:50100, admin 127.0.0.1:9410), ferrum-tftpd
# (snponly.efi), ferrum-ipxe-http (10.77.0.1:8081, the agent environment from AGENT_DIR, console
# on ttyS0) and dnsmasq (OVMF PXE -> snponly.efi -> iPXE -> /boot.ipxe); waits for readiness.
# dnsmasq's router advertisements (they spare iPXE a long IPv6 wait) carry router lifetime 0:
# the namespace is not the machines' IPv6 router, so a node reaches ferrum-linkd's tunnel
# address (local to the namespace) only through its tunnel, never straight over br0, where
# linkd could not tell which node is speaking.
e2e_start_boot_services() {
  local bin=$1 agent_dir=$2
  shift 2
  ip netns exec "$ns" "$bin/ferrum-registry" --listen 10.77.0.1:50100 --admin-listen 127.0.0.1:9410 \
    --kubeconfig "$KUBECONFIG" "$@" >"$work/registry.log" 2>&1 &
  pids+=($!)
  mkdir -p "$work/tftp"
  cp /usr/lib/ipxe/snponly.efi "$work/tftp/"
  ip netns exec "$ns" "$bin/ferrum-tftpd" --listen 10.77.0.1:69 --root "$work/tftp" \
    --admin-listen 127.0.0.1:9401 >"$work/tftpd.log" 2>&1 &
  pids+=($!)
  ip netns exec "$ns" "$bin/ferrum-ipxe-http" --listen 10.77.0.1:8081 --admin-listen 127.0.0.1:9481 \
    --api-endpoint 10.77.0.1 --tftp-root "$work/tftp" --asset-dir "$work/assets" --agent-dir "$agent_dir" \
    --extra-agent-kernel-args "console=ttyS0 quiet" --kubeconfig "$KUBECONFIG" >"$work/ipxe.log" 2>&1 &
  pids+=($!)
  ip netns exec "$ns" dnsmasq --keep-in-foreground --conf-file=/dev/null --port=0 \
    --interface=br0 --bind-interfaces --dhcp-range=10.77.0.100,10.77.0.200,255.255.255.0,1h \
    --dhcp-userclass=set:ipxe,iPXE --dhcp-boot=tag:ipxe,http://10.77.0.1:8081/boot.ipxe \
    --dhcp-match=set:efi64,option:client-arch,7 --dhcp-boot=tag:efi64,tag:!ipxe,snponly.efi,,10.77.0.1 \
    --no-ping --enable-ra --ra-param=br0,10,0 --dhcp-range=fd77::,ra-only --dhcp-option=encap:175,176,1b \
    --dhcp-leasefile="$work/leases" --pid-file="$work/dnsmasq.pid" --log-dhcp \
    2>"$work/dnsmasq.log" &
  pids+=($!)
  for _ in $(seq 100); do
    nsx curl -sf http://127.0.0.1:9481/readyz >/dev/null && nsx curl -sf http://127.0.0.1:9410/readyz >/dev/null && return 0
    sleep 0.1
  done
  echo "e2e: ferrum-ipxe-http or ferrum-registry did not become ready" >&2
  return 1
}

# e2e_pattern_disk FILE: 64 MiB of a pattern with no zero byte (so any zeroed byte is the
# agent's), and a copy in FILE.orig.
e2e_pattern_disk() {
  python3 - "$1" <<'PY'
import sys
with open(sys.argv[1], "wb") as f:
    f.write(bytes(((0xA5 ^ (i & 0xFF)) or 1) for i in range(4096)) * (64 * 256))
PY
  cp "$1" "$1.orig"
}

# e2e_fast_wiped FILE: succeeds when exactly the first and last MiB of FILE are zero and the
# rest still matches FILE.orig (the agent's fast wipe of a disk without partitions).
e2e_fast_wiped() {
  python3 - "$1" "$1.orig" <<'PY'
import sys
d = open(sys.argv[1], "rb").read(); o = open(sys.argv[2], "rb").read()
M = 1 << 20
assert len(d) == 64 * M, "size changed"
assert d[:M] == bytes(M), "first MiB not zero"
assert d[-M:] == bytes(M), "last MiB not zero"
assert d[M:-M] == o[M:-M], "pattern changed outside the plan"
PY
}

pass() { echo "ok   - $*"; }
fail() {
  echo "FAIL - $*"
  failures=$((failures + 1))
}
equals() {
  if [[ $2 == "$3" ]]; then
    pass "$1"
  else
    fail "$1"
    echo "       want: $3"
    echo "       got:  $2"
  fi
}
