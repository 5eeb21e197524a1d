#!/usr/bin/env bash
# ferrum-linkd's kernel backend for real, where the kernel has WireGuard: creates the
# interface over rtnetlink/generic netlink in a namespace and checks it with `wg show`.
# Exits 77 (ctest: skipped) with the reason where the kernel has no WireGuard.
source "$(dirname "$0")/../lib.sh"
if [[ $(id -u) -ne 0 ]]; then echo "SKIP: needs root"; exit 77; fi
NS=flk-k$$
ip netns add "$NS"
trap '_cleanup; ip netns del "$NS" 2>/dev/null' EXIT
ip -n "$NS" link set lo up
if ! ip -n "$NS" link add probe$$ type wireguard 2>/dev/null; then
  echo "SKIP: this kernel has no WireGuard (CONFIG_WIREGUARD not set, no wireguard module);"
  echo "      the kernel backend's netlink messages are covered by linkd_netlink_messages_test"
  exit 77
fi
ip -n "$NS" link del probe$$
setup_tmp
mkdir -p "$TMP/api"
ip netns exec "$NS" "$FERRUM_BIN/ferrum-apiserver" --listen 127.0.0.1:6443 --admin-listen 127.0.0.1:9400 \
  --data-dir "$TMP/api" --crd-dir "$FERRUM_ROOT/charts/ferrum/crds" \
  --crd-dir "$FERRUM_ROOT/charts/ferrum/crds-capi" --log-level warn >>"$TMP/api/log" 2>&1 &
track_pid $!
export KUBECONFIG=$TMP/api/kubeconfig
wait_until 20 ip netns exec "$NS" kubectl get --raw /readyz || exit 1
ip netns exec "$NS" "$FERRUM_BIN/ferrum-linkd" --wireguard-endpoint 10.0.0.1 --wireguard-backend kernel \
  --interface flkk$$ --admin-listen 127.0.0.1:9410 --kubeconfig "$KUBECONFIG" >>"$TMP/linkd.log" 2>&1 &
track_pid $!
check "linkd ready with the kernel backend" wait_until 20 ip netns exec "$NS" curl -sf http://127.0.0.1:9410/readyz
equals "listen port set over netlink" "$(ip netns exec "$NS" wg show flkk$$ listen-port)" "51821"
finish
