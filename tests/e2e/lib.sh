# Shared set-up for the e2e scripts (source it; bash). Every test runs in a network
# namespace it creates and removes: a bridge br0 (10.77.0.1/24, fd77::1/64) with one tap
# (tap0) per VM, the daemons bound to the bridge or the namespace's own loopback. Every
# process is tracked by PID and stopped on exit.
#   e2e_init NAME          sets ns (NAME-<pid>), work (a temp dir), pids; traps e2e_cleanup
#   e2e_netns [TAPS]       creates the namespace, br0 and TAPS taps (tap0..; default 1)
#   nsx CMD...             runs CMD inside the namespace (foreground only: a function started
#                          with & leaves $! naming a subshell, not the process)
#   e2e_start_apiserver BIN REPO   ferrum-apiserver on the namespace's 127.0.0.1:6443 with the
#                          CRDs; exports KUBECONFIG and waits for /readyz
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
  rm -rf "$work"
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
