# shellcheck shell=bash
# The story scripts/demo tells with QEMU machines (sourced by scripts/demo; bash). Uses its
# variables: root, build, bin, state, vms, keep, stage_timeout, node_image, linkd_running, pids, and
# its start_cmd. Each machine i (1..N): SMBIOS UUID 5eed0000-0000-4000-8000-0000000000<ii>,
# MAC 52:54:00:de:00:<ii>, a 64 MiB disk, serial console in $state/logs/vm-<i>.log, and a BMC
# (ipmi_sim, tests/e2e/bmc/vm_bmc.sh) on 127.0.0.(10+i):623 whose power switch starts and stops
# its QEMU process (tests/e2e/bmc/vm_power.sh).
#   demo_build_node_image OUT LOG   builds the Talos-like node image into OUT/{vmlinuz,
#                                   initramfs.xz}; on failure prints one line saying why
#   demo_story N                    runs the stages; 0 when every stage finished
#   demo_stop_vms                   stops the QEMU processes by the PID each wrote

demo_uuid() { printf '5eed0000-0000-4000-8000-0000000000%02x' "$1"; }
demo_machine() { printf 'demo-worker-%d' "$1"; }
demo_cluster=demo
demo_ns=default
demo_class=demo-workers
demo_env=talos-demo
demo_node_log_filter='select(.server_uuid == $u and (.msg | test("^\\[talos\\] (node|siderolink|kmsg|event sink|fetching|config|install)"))) | .["talos-time"][11:19] + " " + .msg'
demo_mm_columns='NAME:.metadata.name,PROVIDERID:.spec.providerID,CONDITIONS:.status.conditions[*].type,STATUS:.status.conditions[*].status'
demo_event_columns=LAST:.lastTimestamp,TYPE:.type,REASON:.reason,KIND:.involvedObject.kind,NAME:.involvedObject.name,MESSAGE:.message

demo_build_node_image() {
  local out=$1 log=$2 builder=$root/tests/e2e/talos_node/build.sh peer f dir
  if [[ ! -f $builder ]]; then
    echo "no Talos-like node image in this tree (tests/e2e/talos_node/build.sh): the story stops once the machines are allocated and powered on"
    return 1
  fi
  peer=$bin/talos-node-peer
  if [[ ! -x $peer ]]; then
    echo "the node peer ($peer) is not built (scripts/build): the story stops once the machines are allocated and powered on"
    return 1
  fi
  if ! bash "$builder" "$peer" "$build/talos-node-image/out" "$build/talos-node-image/dl" >"$log" 2>&1; then
    echo "the Talos-like node image could not be built ($(tail -n 1 "$log")); see $log; the story stops once the machines are allocated and powered on"
    return 1
  fi
  dir=$build/talos-node-image/out
  if [[ ! -s $dir/vmlinuz || ! -s $dir/initramfs.xz ]]; then
    echo "tests/e2e/talos_node/build.sh made no vmlinuz + initramfs.xz in $dir; see $log"
    return 1
  fi
  mkdir -p "$out"
  for f in vmlinuz initramfs.xz; do cp -f "$dir/$f" "$out/$f"; done
}

demo_stop_vms() {
  local f p
  for f in "$state"/vms/*/qemu.pid; do
    [[ -f $f ]] || continue
    p=$(cat "$f" 2>/dev/null) && [[ -n $p ]] && kill -TERM "$p" 2>/dev/null || true
  done
}

# --- what an operator looks at ---------------------------------------------------------------
demo_indent() { sed 's/^/    /'; }
demo_cmd() { # demo_cmd CMD...: prints "$ CMD" (quoted as one would type it) and its output
  local a shown=""
  for a in "$@"; do
    if [[ $a =~ ^[][A-Za-z0-9_./:=,@%+-]+$ ]]; then shown+=" $a"; else shown+=" '$a'"; fi
  done
  echo "  \$${shown}"
  "$@" 2>&1 | demo_indent
}
# demo_show [UUID]: Servers, bindings and MetalMachines, recent Events, UUID's node log lines.
demo_show() {
  local uuid=${1:-} lines
  demo_cmd kubectl get servers -o wide
  if [[ -n $(kubectl get serverbindings,metalmachines -A -o name 2>/dev/null) ]]; then
    demo_cmd kubectl get serverbindings,metalmachines -A -o wide
  fi
  echo "  \$ kubectl get events -A --sort-by=.lastTimestamp -o custom-columns=$demo_event_columns | tail -n 8"
  kubectl get events -A --sort-by=.lastTimestamp -o "custom-columns=$demo_event_columns" 2>&1 |
    { read -r h; echo "$h"; tail -n 8; } | cut -c1-200 | demo_indent
  if [[ -n $uuid && -s $state/logs/node-logs.jsonl ]]; then
    # The node's own milestones among its kernel log lines (Talos prefixes them "[talos]").
    lines=$(jq -r --arg u "$uuid" "$demo_node_log_filter" "$state/logs/node-logs.jsonl" 2>/dev/null | tail -n 10)
    if [[ -n $lines ]]; then
      echo "  \$ jq -r '$demo_node_log_filter' --arg u $uuid $state/logs/node-logs.jsonl | tail -n 10"
      echo "$lines" | cut -c1-160 | demo_indent
    fi
  fi
}

# --- waiting ---------------------------------------------------------------------------------------
# demo_snapshot: one read of every Server and ServerBinding into $demo_snap.
demo_snapshot() {
  demo_snap=$(kubectl get servers,serverbindings -o json 2>/dev/null) || demo_snap='{"items":[]}'
}
# demo_facts UUID: tab-separated: server? accepted clean power binding? linkaddr
# TalosConfigLoaded TalosInstalled PXEBooted ready (from $demo_snap).
demo_facts() {
  jq -r --arg u "$1" '
    def cond($o; $t): ([$o.status.conditions[]? | select(.type == $t) | .status][0] // "-");
    (.items | map(select(.kind == "Server" and .metadata.name == $u)) | .[0]) as $s
    | (.items | map(select(.kind == "ServerBinding" and .metadata.name == $u)) | .[0]) as $b
    | [ (if $s then "yes" else "no" end), ($s.spec.accepted // false), ($s.status.isClean // false),
        ($s.status.power // "unknown"), (if $b then "yes" else "no" end), ($b.spec.siderolink.address // "-"),
        cond($b; "TalosConfigLoaded"), cond($b; "TalosInstalled"), cond($s; "PXEBooted"),
        ($s.status.ready // false) ] | @tsv' <<<"$demo_snap"
}
# Each stage's where-function: demo_where_<stage> I UUID prints "done" or "<state>|<logs to read>".
demo_where_discovery() {
  local i=$1 l=$state/logs has acc clean power
  IFS=$'\t' read -r has acc clean power _ <<<"$(demo_facts "$2")"
  if [[ $has != yes ]]; then echo "PXE-booting the agent, not registered yet|$l/vm-$i.log (serial), $l/ferrum-ipxe-http.log, $l/ferrum-registry.log"
  elif [[ $acc != true ]]; then echo "registered, not accepted|$l/ferrum-registry.log"
  elif [[ $clean != true ]]; then echo "registered, wiping|$l/vm-$i.log ([ferrum] lines), $l/ferrum-registry.log"
  elif [[ $power != off ]]; then echo "wiped, waiting to be powered off|$l/ferrum-reconciler.log, $l/ferrum-bmcd.log"
  else echo "done"; fi
}
demo_where_allocated() { # without a node image: allocated and powered on is as far as it goes
  local i=$1 l=$state/logs power bound
  IFS=$'\t' read -r _ _ _ power bound _ <<<"$(demo_facts "$2")"
  if [[ $bound != yes ]]; then echo "not allocated|$l/ferrum-reconciler.log (kubectl describe metalmachine -n $demo_ns $(demo_machine "$i"))"
  elif [[ $power != on ]]; then echo "allocated, waiting for power on|$l/ferrum-reconciler.log, $l/ferrum-bmcd.log"
  else echo "done"; fi
}
demo_where_install() {
  local i=$1 u=$2 l=$state/logs power bound link loaded installed pxebooted
  IFS=$'\t' read -r _ _ _ power bound link loaded installed pxebooted _ <<<"$(demo_facts "$u")"
  if [[ $bound != yes ]]; then echo "not allocated|$l/ferrum-reconciler.log (kubectl describe metalmachine -n $demo_ns $(demo_machine "$i"))"
  elif [[ $pxebooted == True ]]; then echo "done"
  elif [[ $installed == True ]]; then echo "installed, waiting for PXEBooted|$l/ferrum-reconciler.log"
  elif [[ $power != on && $link == - ]]; then echo "allocated, waiting for power on|$l/ferrum-reconciler.log, $l/ferrum-bmcd.log"
  elif [[ $link == - ]]; then echo "powered on, PXE-booting its Environment (no SideroLink tunnel yet)|$l/vm-$i.log (serial), $l/ferrum-ipxe-http.log, $l/ferrum-metadata.log, $l/ferrum-linkd.log (grep $u)"
  elif [[ $loaded != True ]]; then echo "tunnel provisioned, config not reported loaded yet|$l/node-logs.jsonl, $l/ferrum-linkd.log, $l/vm-$i.log"
  else echo "config loaded, installing|$l/node-logs.jsonl, $l/ferrum-linkd.log, $l/vm-$i.log"; fi
}
demo_where_release() {
  local i=$1 l=$state/logs clean power bound ready
  IFS=$'\t' read -r _ _ clean power bound _ _ _ _ ready <<<"$(demo_facts "$2")"
  if [[ $bound == yes ]]; then echo "still bound|$l/ferrum-reconciler.log (kubectl describe metalmachine -n $demo_ns $(demo_machine "$i"))"
  elif [[ $clean != true && $power != on ]]; then echo "released, dirty, waiting to be powered on for the wipe|$l/ferrum-reconciler.log, $l/ferrum-bmcd.log"
  elif [[ $clean != true ]]; then echo "released, wiping|$l/vm-$i.log ([ferrum] lines), $l/ferrum-registry.log"
  elif [[ $power != off ]]; then echo "wiped, waiting to be powered off|$l/ferrum-reconciler.log, $l/ferrum-bmcd.log"
  elif [[ $ready != true ]]; then echo "clean and off, not ready yet|$l/ferrum-reconciler.log"
  else echo "done"; fi
}

# demo_wait TITLE WHERE_FN MACHINE...: polls until WHERE_FN says done for every machine, with
# one progress line (rewritten in place on a terminal, else printed when it changes or every
# 30 s). After $stage_timeout s names the machines that are stuck, where, and which logs to read.
demo_wait() {
  local title=$1 fn=$2 start=$SECONDS last_print=-1000 last_states="" line el i w n_done cols
  shift 2
  local -a ids=("$@") where=()
  while :; do
    demo_snapshot
    n_done=0
    line=""
    for i in "${ids[@]}"; do
      w=$("$fn" "$i" "$(demo_uuid "$i")")
      where[i]=$w
      if [[ $w == "done" ]]; then n_done=$((n_done + 1)); line+="vm$i done; "; else line+="vm$i ${w%%|*}; "; fi
    done
    el=$((SECONDS - start))
    if ((n_done == ${#ids[@]})); then
      [[ -t 1 ]] && printf '\r\033[K'
      echo "  done: $title (${el} s)"
      return 0
    fi
    if ((el > stage_timeout)); then
      [[ -t 1 ]] && printf '\r\033[K'
      echo
      echo "demo: STUCK: $title did not happen within $stage_timeout s (--stage-timeout)"
      for i in "${ids[@]}"; do
        w=${where[i]}
        [[ $w == "done" ]] && continue
        echo "  vm $i ($(demo_uuid "$i")) is stuck at: ${w%%|*}"
        echo "      read: ${w#*|}"
        echo "      its serial console ends: $(tail -c 4000 "$state/logs/vm-$i.log" 2>/dev/null | tr -d '\r\b' | grep -av '^[[:space:]]*$' | tail -n 1 | cut -c1-120)"
      done
      return 1
    fi
    if [[ -t 1 ]]; then
      cols=$(tput cols 2>/dev/null || echo 120)
      line="  waiting ${el}s for $title: ${line%; }"
      printf '\r\033[K%s' "${line:0:cols-1}"
    elif [[ $line != "$last_states" ]] || ((el - last_print >= 30)); then
      echo "  waiting ${el}s for $title: ${line%; }"
      last_print=$el
      last_states=$line
    fi
    sleep 2
  done
}

demo_stage() { # demo_stage N TITLE
  echo
  echo "=== stage $1: $2 ==="
}

# --- the machines ------------------------------------------------------------------------------------
demo_start_vms() {
  local n=$1 i uuid hex dir addr
  source "$root/tests/e2e/bmc/vm_bmc.sh"
  mkdir -p "$state/vms"
  for i in $(seq 1 "$n"); do
    hex=$(printf '%02x' "$i")
    uuid=$(demo_uuid "$i")
    dir=$state/vms/$i
    addr=127.0.0.$((10 + i))
    vm_bmc_write "$dir" "demo-vm-$i" "$addr" $((9700 + i))
    truncate -s 64M "$dir/disk.img"
    # BIOS machine, iPXE option ROM, QEMU user networking (10.0.2.2 is this host's 127.0.0.1;
    # its DHCP names /boot.ipxe). TCG: KVM under nested virtualisation is not dependable.
    # ipv6=off: with it, user networking would carry a node's connections to linkd's tunnel
    # address (prefix::1, local on this host) outside the tunnel until WireGuard is up, and
    # linkd refuses events from that source (no binding has it), as a rack's network would not.
    cat >"$dir/vm.sh" <<VM
#!/bin/sh
echo "=== power on \$(date -u +%H:%M:%S)" >>"$state/logs/vm-$i.log"
echo \$\$ >"$dir/qemu.pid"
exec qemu-system-x86_64 -accel tcg -machine q35 -m 512 -nographic \\
  -smbios "type=1,uuid=$uuid,manufacturer=Ferrum Demo,product=Demo VM $i,serial=DEMO-$i" \\
  -netdev "user,id=n0,ipv6=off,bootfile=http://10.0.2.2:8081/boot.ipxe" \\
  -device "virtio-net-pci,netdev=n0,mac=52:54:00:de:00:$hex" -boot n \\
  -drive "file=$dir/disk.img,format=raw,if=virtio" \\
  -chardev socket,id=ipmi0,host=127.0.0.1,port=$((9700 + i)),reconnect=2 \\
  -device ipmi-bmc-extern,id=bmc0,chardev=ipmi0 -device isa-ipmi-kcs,bmc=bmc0 \\
  </dev/null >>"$state/logs/vm-$i.log" 2>&1
VM
    chmod +x "$dir/vm.sh"
    start_cmd "bmc-$i" ipmi_sim -c "$dir/lan.conf" -f "$dir/bmc.emu" -s "$dir/sim" -n
    printf '  vm %-2s uuid %s  BMC %s:623 (ipmi_sim pid %s)  serial console %s\n' "$i" "$uuid" "$addr" "${pids[-1]}" "$state/logs/vm-$i.log"
  done
  for i in $(seq 1 "$n"); do
    addr=127.0.0.$((10 + i))
    for _ in $(seq 50); do
      ipmitool -I lanplus -H "$addr" -U admin -P password -C 3 chassis power status >/dev/null 2>&1 && break
      sleep 0.1
    done
    echo "  \$ ipmitool -I lanplus -H $addr -U admin -P password -C 3 chassis power on"
    ipmitool -I lanplus -H "$addr" -U admin -P password -C 3 chassis power on 2>&1 | demo_indent
  done
}

# --- the Cluster API cluster -------------------------------------------------------------------------
# demo_bootstrap_config MACHINE: a small Talos v1alpha1 worker config, what CABPT's
# generateType "join" makes (secrets here are fresh random ones, the CA a fresh self-signed one).
demo_bootstrap_config() {
  local ca tok
  ca=$(openssl req -x509 -newkey ed25519 -nodes -keyout /dev/null -days 3650 -subj "/O=talos" 2>/dev/null | base64 -w0)
  tok="$(openssl rand -hex 3).$(openssl rand -hex 8)"
  cat <<YAML
version: v1alpha1
debug: false
persist: true
machine:
  type: worker
  token: $tok
  ca:
    crt: $ca
    key: ""
  certSANs: []
  kubelet:
    image: ghcr.io/siderolabs/kubelet:v1.30.3
  network:
    hostname: $1
  install:
    disk: /dev/sda
    image: ghcr.io/siderolabs/installer:v1.7.6
    wipe: false
cluster:
  id: $(openssl rand -base64 32)
  secret: $(openssl rand -base64 32)
  controlPlane:
    endpoint: https://10.5.0.10:6443
  clusterName: $demo_cluster
  network:
    dnsDomain: cluster.local
    podSubnets: [10.244.0.0/16]
    serviceSubnets: [10.96.0.0/12]
  token: $(openssl rand -hex 3).$(openssl rand -hex 8)
  ca:
    crt: $ca
    key: ""
YAML
}

# demo_create_cluster N: writes $state/cluster/*.yaml and applies them in the order Cluster API
# creates the objects (owners first: the ownerReferences carry their UIDs).
demo_create_cluster() {
  local n=$1 dir=$state/cluster i m muid cuid sha_k sha_i
  mkdir -p "$dir"
  if [[ -n $node_image ]]; then
    sha_k=$(sha512sum "$node_image/vmlinuz" | cut -d' ' -f1)
    sha_i=$(sha512sum "$node_image/initramfs.xz" | cut -d' ' -f1)
    # Talos' kernel defaults with its KSPP requirements (slab_nomerge, pti=on), as Sidero's
    # default Environment has them; ferrum-ipxe-http adds talos.config=, siderolink.api=,
    # talos.logging.kernel= and talos.events.sink=.
    cat >"$dir/environment.yaml" <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: Environment
metadata:
  name: $demo_env
spec:
  kernel:
    url: http://127.0.0.1:8099/talos/vmlinuz
    sha512: $sha_k
    args: [init_on_alloc=1, slab_nomerge=, pti=on, consoleblank=0, nvme_core.io_timeout=4294967295,
      printk.devkmsg=on, ima_template=ima-ng, ima_appraise=fix, ima_hash=sha512, console=tty0,
      console=ttyS0, earlyprintk=ttyS0, initrd=initramfs.xz, talos.platform=metal]
  initrd:
    url: http://127.0.0.1:8099/talos/initramfs.xz
    sha512: $sha_i
YAML
    demo_cmd kubectl apply -f "$dir/environment.yaml"
  fi
  # The demo's machines by their SMBIOS manufacturer; their disk is virtio (/dev/vda).
  cat >"$dir/serverclass.yaml" <<YAML
apiVersion: metal.sidero.dev/v1alpha2
kind: ServerClass
metadata:
  name: $demo_class
spec:
$(if [[ -n $node_image ]]; then printf "  environmentRef:\n    name: %s\n" "$demo_env"; fi)
  qualifiers:
    hardware:
    - system:
        manufacturer: Ferrum Demo
  configPatches:
  - op: replace
    path: /machine/install/disk
    value: /dev/vda
YAML
  demo_cmd kubectl apply -f "$dir/serverclass.yaml"
  cat >"$dir/cluster.yaml" <<YAML
apiVersion: cluster.x-k8s.io/v1beta1
kind: Cluster
metadata:
  name: $demo_cluster
  namespace: $demo_ns
spec:
  clusterNetwork:
    pods: {cidrBlocks: [10.244.0.0/16]}
    services: {cidrBlocks: [10.96.0.0/12]}
  controlPlaneEndpoint: {host: 10.5.0.10, port: 6443}
  infrastructureRef:
    apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
    kind: MetalCluster
    name: $demo_cluster
    namespace: $demo_ns
YAML
  demo_cmd kubectl apply -f "$dir/cluster.yaml"
  cuid=$(kubectl get cluster -n "$demo_ns" "$demo_cluster" -o jsonpath='{.metadata.uid}')
  cat >"$dir/metalcluster.yaml" <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalCluster
metadata:
  name: $demo_cluster
  namespace: $demo_ns
  labels: {cluster.x-k8s.io/cluster-name: $demo_cluster}
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Cluster, name: $demo_cluster, uid: $cuid}
spec:
  controlPlaneEndpoint: {host: 10.5.0.10, port: 6443}
YAML
  demo_cmd kubectl apply -f "$dir/metalcluster.yaml"
  for _ in $(seq 50); do
    [[ $(kubectl get metalcluster -n "$demo_ns" "$demo_cluster" -o jsonpath='{.status.ready}' 2>/dev/null) == true ]] && break
    sleep 0.2
  done
  # Cluster API's Cluster controller copies the MetalCluster's readiness into the Cluster.
  echo "  (as Cluster API does once the MetalCluster is ready)"
  demo_cmd kubectl patch cluster -n "$demo_ns" "$demo_cluster" --subresource=status --type=merge \
    -p '{"status":{"infrastructureReady":true}}'
  for i in $(seq 1 "$n"); do
    m=$(demo_machine "$i")
    # CABPT (controllers/secrets.go, writeBootstrapData): "<machine>-bootstrap-data", key
    # `value`, labelled with the cluster name. Its owner, the TalosConfig, is not part of the demo.
    demo_bootstrap_config "$m" >"$dir/$m.talos.yaml"
    kubectl create secret generic -n "$demo_ns" "$m-bootstrap-data" --type=cluster.x-k8s.io/secret \
      --from-file=value="$dir/$m.talos.yaml" --dry-run=client -o yaml |
      kubectl label --local -f - "cluster.x-k8s.io/cluster-name=$demo_cluster" -o yaml >"$dir/$m.secret.yaml"
    cat >"$dir/$m.machine.yaml" <<YAML
apiVersion: cluster.x-k8s.io/v1beta1
kind: Machine
metadata:
  name: $m
  namespace: $demo_ns
  labels: {cluster.x-k8s.io/cluster-name: $demo_cluster}
spec:
  clusterName: $demo_cluster
  version: v1.30.3
  bootstrap: {dataSecretName: $m-bootstrap-data}
  infrastructureRef: {apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3, kind: MetalMachine, namespace: $demo_ns, name: $m}
YAML
    demo_cmd kubectl apply -f "$dir/$m.secret.yaml" -f "$dir/$m.machine.yaml"
    muid=$(kubectl get machine -n "$demo_ns" "$m" -o jsonpath='{.metadata.uid}')
    cat >"$dir/$m.metalmachine.yaml" <<YAML
apiVersion: infrastructure.cluster.x-k8s.io/v1alpha3
kind: MetalMachine
metadata:
  name: $m
  namespace: $demo_ns
  labels: {cluster.x-k8s.io/cluster-name: $demo_cluster}
  ownerReferences:
  - {apiVersion: cluster.x-k8s.io/v1beta1, kind: Machine, name: $m, uid: $muid}
spec:
  serverClassRef: {apiVersion: metal.sidero.dev/v1alpha2, kind: ServerClass, name: $demo_class}
YAML
    demo_cmd kubectl apply -f "$dir/$m.metalmachine.yaml"
  done
}

# demo_boot_from_disk I: waits (up to 90 s) for machine I to reboot after its install and be
# told to boot from disk, and prints that part of its serial console.
demo_boot_from_disk() {
  local i=$1 log=$state/logs/vm-$1.log
  echo "  vm $i reboots after its install; its next PXE boot is told to boot from disk:"
  for _ in $(seq 45); do
    grep -aq "No bootable device\|Booting from Hard Disk" "$log" 2>/dev/null &&
      grep -aq "is PXEBooted, boot from disk" "$log" && break
    sleep 2
  done
  if ! grep -aq "is PXEBooted, boot from disk" "$log"; then
    echo "  (not within 90 s; ask ferrum-ipxe-http what it would answer:)"
    demo_cmd curl -s "http://127.0.0.1:8081/ipxe?uuid=$(demo_uuid "$i")&mac=52-54-00-de-00-$(printf '%02x' "$i")"
    return 0
  fi
  echo "  \$ grep -a -A12 'is PXEBooted, boot from disk' $log   # its serial console"
  tr -d '\r\b' <"$log" | awk '/is PXEBooted, boot from disk/ { n = 1 } n && NF { print; if (/No bootable device|Boot failed: not a bootable disk/) exit }' |
    sed 's/^Press Ctrl-B for the iPXE command line\.\.\.//; s/^[[:space:]]*//' | head -n 12 | demo_indent
  echo "  (the node image \"installs\" a marker image, not a boot loader, so the firmware finds nothing"
  echo "   to boot on the disk; a Talos install boots from here)"
}

# --- the story -------------------------------------------------------------------------------------------
demo_story() {
  local n=$1 ids i u1 rc=0 last m
  mapfile -t ids < <(seq 1 "$n")
  u1=$(demo_uuid 1)
  echo
  echo "demo: $n machine(s); QEMU TCG is slow: a stage takes minutes. Follow along in another shell:"
  echo "  export KUBECONFIG=$KUBECONFIG; kubectl get servers -o wide -w"

  demo_stage 1 "discovery: power on, register (auto-accepted), wipe, power off"
  demo_start_vms "$n"
  demo_wait "every machine registered, wiped and powered off" demo_where_discovery "${ids[@]}" || rc=1
  demo_show
  ((rc == 0)) || return "$rc"

  demo_stage 2 "a Cluster API cluster \"$demo_cluster\" with $n worker Machine(s) of ServerClass $demo_class"
  if [[ -z $node_image ]]; then
    echo "  (no node image: the ServerClass names no Environment, so machines would boot \`default\`, whose files are missing)"
  fi
  demo_create_cluster "$n"
  echo "  manifests: $state/cluster/"

  if [[ -n $node_image ]]; then
    demo_stage 3 "allocation and install: power on, PXE-boot $demo_env, config, SideroLink, TalosInstalled, PXEBooted"
    demo_wait "every machine installed and PXEBooted" demo_where_install "${ids[@]}" || rc=1
    demo_show "$u1"
    echo "  \$ kubectl get metalmachines -A -o custom-columns=$demo_mm_columns"
    kubectl get metalmachines -A -o "custom-columns=$demo_mm_columns" 2>&1 | demo_indent
    echo "  (ProviderSet stays False, reason KubeconfigMissing: the node image runs no Kubernetes, so"
    echo "   there is no workload cluster Secret $demo_cluster-kubeconfig nor a Node to give the providerID)"
    if ((rc == 0)); then
      demo_boot_from_disk 1
    fi
  else
    demo_stage 3 "allocation: power on (no node image, so no install)"
    demo_wait "every machine allocated and powered on" demo_where_allocated "${ids[@]}" || rc=1
    demo_show
    echo "demo: the story stops here for these machines: $node_image_why"
    echo "  what vm 1 is told when it PXE-boots:"
    demo_cmd curl -s -w '\n(HTTP %{http_code})\n' "http://127.0.0.1:8081/ipxe?uuid=$u1&mac=52-54-00-de-00-01"
  fi
  ((rc == 0)) || return "$rc"

  if ((keep)); then
    echo
    echo "demo: --keep: the machines stay allocated"
  else
    last=$n
    m=$(demo_machine "$last")
    demo_stage 4 "release: Machine $m goes; its Server is wiped and available again"
    echo "  (as Cluster API does when a Machine is deleted: its MetalMachine and bootstrap data go too)"
    demo_cmd kubectl delete -n "$demo_ns" machine "$m" --wait=false
    demo_cmd kubectl delete -n "$demo_ns" metalmachine "$m" --ignore-not-found --wait=false
    demo_cmd kubectl delete -n "$demo_ns" secret "$m-bootstrap-data" --ignore-not-found --wait=false
    demo_wait "vm $last released, wiped, off and available" demo_where_release "$last" || rc=1
    demo_show
    demo_cmd kubectl get serverclass "$demo_class"
    ((rc == 0)) || return "$rc"
  fi

  echo
  echo "demo: the story is done. One machine's whole story:"
  echo "  kubectl describe server $u1"
  echo "  kubectl get events -A --field-selector involvedObject.name=$u1"
  echo "  grep -a '\[ferrum\]\|\[talos\]' $state/logs/vm-1.log   # the agent, then the node, on its serial console"
  if ((linkd_running)); then
    echo "  jq -c 'select(.server_uuid==\"$u1\")' $state/logs/node-logs.jsonl   # its logs through SideroLink"
  fi
  if ((keep || n > 1)); then
    echo "  curl 'http://127.0.0.1:9091/configdata?uuid=$u1'   # its machine config, with the ServerClass patch"
    echo "  kubectl delete machine -n $demo_ns $(demo_machine 1)   # release it: wiped, off, available"
  fi
  return 0
}
