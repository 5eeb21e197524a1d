#!/usr/bin/env bash
# The peer image against the real ferrum-linkd, without iPXE: QEMU boots OUT/vmlinuz +
# OUT/initramfs.xz directly inside a network namespace that runs ferrum-apiserver, ferrum-linkd
# (wireguard-go backend) and a static HTTP server with the machine config; the VM's user-mode
# network reaches them at 10.0.2.2 (IPv4 only: with IPv6, slirp would carry the node's connections
# to the tunnel address itself before the tunnel is up). Checks: Provision + tunnel (ServerBinding siderolink
# fields), the three Talos conditions True from the install events, AddressEvent addresses and
# hostname, enriched kmsg lines, the install image on the disk (after a first boot that Talos'
# KSPP check refuses); booted again, the installed node
# skips the install; then a config Talos rejects gives TalosConfigLoaded=False with Talos'
# message and nothing on the disk.
# Usage: linkd_boot.sh BIN_DIR IMAGE_DIR   (BIN_DIR holds ferrum-apiserver, ferrum-linkd)
set -uo pipefail
bin=$1 img=$2
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../lib.sh
source "$repo/tests/e2e/lib.sh"
[[ $(id -u) -eq 0 ]] || { echo "SKIP: needs root"; exit 77; }
for t in qemu-system-x86_64 wireguard-go jq kubectl; do
  command -v $t >/dev/null || { echo "SKIP: $t missing"; exit 77; }
done
e2e_init talos-peer
sif=tps$$
e2e_cleanup_extra() { rm -f "/var/run/wireguard/$sif.sock"; }
ip netns add "$ns"
ip -n "$ns" link set lo up
e2e_start_apiserver "$bin" "$repo"

U=4c4c4544-0000-1111-2222-333344445555
nsx kubectl apply -f - >/dev/null <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: ServerBinding
metadata: {name: $U, labels: {cluster.x-k8s.io/cluster-name: c1}}
spec: {metalMachineRef: {kind: MetalMachine, namespace: default, name: mm-1}}
---
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: mm-1
  namespace: default
  ownerReferences: [{apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: m-1, uid: 11111111-2222-3333-4444-555555555555}]
spec: {}
YAML
ip netns exec "$ns" "$bin/ferrum-linkd" --wireguard-endpoint 10.0.2.2 --wireguard-backend userspace \
  --interface "$sif" --api-listen 127.0.0.1:50110 --admin-listen 127.0.0.1:9410 \
  --log-output "$work/nodes.log" --kubeconfig "$KUBECONFIG" --peer-check-period 1s >"$work/linkd.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do nsx curl -sf http://127.0.0.1:9410/readyz >/dev/null && break; sleep 0.1; done
saddr=$(nsx ip -6 -o addr show dev "$sif" scope global | awk '{print $4}' | cut -d/ -f1 | head -1)
[[ -n $saddr ]] || { fail "linkd has no tunnel address"; cat "$work/linkd.log"; exit 1; }

mkdir -p "$work/www"
write_config() {
  cat >"$work/www/config.yaml" <<YAML
version: v1alpha1
machine:
  type: worker
  install: {disk: $1}
  kubelet: {extraArgs: {node-labels: metal.sidero.dev/uuid=$U}}
cluster: {clusterName: c1}
---
apiVersion: v1alpha1
kind: SideroLinkConfig
apiUrl: grpc://10.0.2.2:50110
---
apiVersion: v1alpha1
kind: EventSinkConfig
endpoint: '[$saddr]:4002'
---
apiVersion: v1alpha1
kind: KmsgLogConfig
name: remote-log
url: tcp://[$saddr]:4001
YAML
}
ip netns exec "$ns" /usr/bin/python3 -m http.server 18091 --bind 127.0.0.1 --directory "$work/www" \
  >"$work/http.log" 2>&1 &
pids+=($!)
truncate -s 64M "$work/disk.img"
boot() {  # boot LIMIT_SECONDS [UNTIL_COMMAND]: one VM run, until it reboots (-no-reboot),
          # UNTIL_COMMAND succeeds, or the limit
  local args="console=ttyS0 ${first_args:-} slab_nomerge pti=on printk.devkmsg=on talos.platform=metal"
  args+=" talos.config=http://10.0.2.2:18091/config.yaml?uuid= siderolink.api=grpc://10.0.2.2:50110"
  args+=" talos.events.sink=[$saddr]:4002 talos.logging.kernel=tcp://[$saddr]:4001"
  : >"$work/console.log"
  ip netns exec "$ns" timeout "$1" qemu-system-x86_64 -accel tcg -machine q35 -m 512 -nographic -no-reboot \
    -kernel "$img/vmlinuz" -initrd "$img/initramfs.xz" -append "$args" \
    -netdev user,id=n0,ipv6=off -device virtio-net-pci,netdev=n0,mac=52:54:00:12:34:56 \
    -drive "file=$work/disk.img,format=raw,if=virtio" -smbios "type=1,uuid=$U,serial=SER123" \
    >"$work/console.log" 2>&1 &
  local vm=$!
  while kill -0 $vm 2>/dev/null; do
    if [[ -n ${2:-} ]] && eval "$2"; then
      kill -TERM $vm
      break
    fi
    sleep 1
  done
  wait $vm 2>/dev/null
  cat "$work/console.log" >>"$work/consoles.log"
}
cond() { nsx kubectl get serverbinding $U -o jsonpath="{.status.conditions[?(@.type==\"$1\")].$2}"; }

write_config /dev/vda
# KSPP: the first pti= is off, so Talos refuses to boot: its messages, a countdown, a reboot.
first_args="pti=off" boot 90
equals "KSPP refusal" "$(grep -a 'KSPP kernel parameter' "$work/console.log" | head -1 | tr -d '\r' | sed 's/^.*\t\* //')" \
  "KSPP kernel parameter pti was found with value off, expected on"
equals "then a reboot after the countdown" "$(grep -ac 'rebooting in 0 seconds' "$work/console.log")" "1"
equals "no Provision without KSPP" "$(nsx kubectl get serverbinding $U -o jsonpath='{.spec.siderolink.publicKey}')" ""

boot 240
equals "the peer rebooted after its install" "$(grep -ac 'install: done, rebooting' "$work/console.log")" "1"
equals "Provision wrote the node's key" "$(nsx kubectl get serverbinding $U -o jsonpath='{.spec.siderolink.publicKey}' | wc -c)" "44"
equals "TalosConfigLoaded" "$(cond TalosConfigLoaded status)" "True"
equals "TalosConfigValidated" "$(cond TalosConfigValidated status)" "True"
equals "TalosInstalled" "$(cond TalosInstalled status)" "True"
equals "AddressEvent: addresses" "$(nsx kubectl get serverbinding $U -o jsonpath='{.spec.addresses}')" '["10.0.2.15"]'
equals "AddressEvent: hostname" "$(nsx kubectl get serverbinding $U -o jsonpath='{.spec.hostname}')" "talos-123456"
line=$(grep -a 'Linux version' "$work/nodes.log" | head -1)
equals "kmsg line through the tunnel, enriched" "$(jq -r '[.server_uuid, .facility, .["talos-level"]] | join(" ")' <<<"$line")" "$U kern info"
equals "install image header" "$(head -c 200 "$work/disk.img" | head -n 3 | tr '\n' ' ')" "FERRUM-TALOS-NODE-PEER v1 uuid=$U disk=/dev/vda "

# Booted again with its disk installed: the peer skips the install (Sequencer.Install has no
# phases) and stays up; the conditions stay True.
boot 120 "grep -aq 'boot: the node is up' '$work/console.log' && sleep 3"
equals "installed node boots instead of installing" "$(grep -ac 'boot: the node is up' "$work/console.log")" "1"
equals "no second install" "$(grep -ac 'install: wrote' "$work/console.log")" "0"
equals "TalosInstalled still True" "$(cond TalosInstalled status)" "True"

# A config Talos rejects: the node reports it and does not install.
truncate -s 0 "$work/disk.img"; truncate -s 64M "$work/disk.img"
write_config /dev/sdz
boot 120 '[[ $(cond TalosConfigLoaded status) == False ]]'
want='failed to validate config acquired via platform metal: 1 error occurred:
	* specified install disk does not exist: "/dev/sdz"'
equals "TalosConfigLoaded False" "$(cond TalosConfigLoaded status)/$(cond TalosConfigLoaded reason)" "False/TalosConfigLoadFailed"
equals "with Talos' message" "$(cond TalosConfigLoaded message | head -2)" "$want"
equals "nothing installed" "$(head -c 16 "$work/disk.img" | tr -d '\0' | wc -c)" "0"
if [[ $failures -ne 0 ]]; then
  grep -a '\[talos' "$work/consoles.log" | tail -60
  tail -20 "$work/linkd.log"
fi
exit $((failures > 0))
