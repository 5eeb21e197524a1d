#!/usr/bin/env bash
# The `default` Environment as the real ferrum-reconciler creates it against ferrum-apiserver:
# Sidero's args (Talos' kernel defaults plus consoles, initrd=initramfs.xz, talos.platform=
# metal, sorted as Sidero's EnvironmentDefaultSpec sorts them), which the real
# ferrum-ipxe-http finds bootable (no TalosKernelArgs condition); the args of older Ferrum
# releases (no slab_nomerge, no pti=on) get TalosKernelArgs=False and a Warning Event.
source "$(dirname "$0")/../lib.sh"
setup_tmp
start_apiserver api

start_daemon ferrum-reconciler "$TMP/rec.log" "admin server listening" "$FERRUM_BIN/ferrum-reconciler" \
  --kubeconfig "$KUBECONFIG" --bmcd-endpoint 127.0.0.1:1 --admin-listen 127.0.0.1:0 \
  --leader-elect=false --default-environment-kernel-url http://127.0.0.1:1/vmlinuz \
  --default-environment-initrd-url http://127.0.0.1:1/initramfs.xz
check "Environment default created" wait_until 10 kubectl get environment default
args=$(kubectl get environment default -o jsonpath='{range .spec.kernel.args[*]}{@} {end}')
# Sidero app/sidero-controller-manager/api/v1alpha2/environment_types.go (sort.Strings of
# talos pkg/machinery/kernel/kernel.go DefaultArgs + Sidero's five).
equals "default args are Sidero's, in Sidero's order" "$args" \
  "console=tty0 console=ttyS0 consoleblank=0 earlyprintk=ttyS0 ima_appraise=fix ima_hash=sha512 ima_template=ima-ng init_on_alloc=1 initrd=initramfs.xz nvme_core.io_timeout=4294967295 printk.devkmsg=on pti=on slab_nomerge= talos.platform=metal "
for a in init_on_alloc=1 slab_nomerge= pti=on consoleblank=0 nvme_core.io_timeout=4294967295 \
  printk.devkmsg=on ima_template=ima-ng ima_appraise=fix ima_hash=sha512 console=tty0 console=ttyS0 \
  earlyprintk=ttyS0 initrd=initramfs.xz talos.platform=metal; do
  contains "default has $a" " $args" " $a "
done

mkdir -p "$TMP/tftp" "$TMP/agent"
start_daemon ferrum-ipxe-http "$TMP/ipxe.log" serving "$FERRUM_BIN/ferrum-ipxe-http" \
  --listen 127.0.0.1:0 --admin-listen 127.0.0.1:0 --api-endpoint 127.0.0.1 \
  --tftp-root "$TMP/tftp" --asset-dir "$TMP/assets" --agent-dir "$TMP/agent" \
  --kubeconfig "$KUBECONFIG" --lease-namespace default --asset-download-attempts 1
# The assets cannot download (nothing listens on port 1): the Ready conditions are written,
# and in the same write a TalosKernelArgs condition would be.
check "ipxe-http writes default's conditions" wait_until 30 bash -c \
  "kubectl get environment default -o jsonpath='{.status.conditions[*].type}' | grep -q Ready"
equals "Sidero's args boot Talos: no TalosKernelArgs condition" \
  "$(kubectl get environment default -o jsonpath='{.status.conditions[?(@.type=="TalosKernelArgs")].status}')" ""

# The default of older Ferrum releases: Talos stops at KSPP (talos pkg/kernel/kspp/kspp.go).
check "old args" kubectl patch environment default --type=merge \
  -p '{"spec":{"kernel":{"args":["console=tty0","console=ttyS0","printk.devkmsg=on","talos.platform=metal"]}}}'
check "old args: TalosKernelArgs=False" wait_until 30 bash -c \
  "kubectl get environment default -o jsonpath='{.status.conditions[?(@.type==\"TalosKernelArgs\")].status}' | grep -qx False"
contains "... naming slab_nomerge" \
  "$(kubectl get environment default -o jsonpath='{.status.conditions[?(@.type=="TalosKernelArgs")].message}')" \
  "KSPP kernel parameter slab_nomerge is required"
check "... and a Warning Event" wait_until 20 bash -c \
  "kubectl get events -n default -o jsonpath='{range .items[*]}{.involvedObject.name}:{.type}:{.reason} {end}' | grep -q 'default:Warning:KSPPRequirementsNotMet'"
# The documented fix (docs/reconciler.md).
check "the runbook's patch" kubectl patch environment default --type=json \
  -p '[{"op":"add","path":"/spec/kernel/args/-","value":"slab_nomerge"},{"op":"add","path":"/spec/kernel/args/-","value":"pti=on"}]'
check "... clears the condition" wait_until 30 bash -c \
  "! kubectl get environment default -o jsonpath='{.status.conditions[*].type}' | grep -q TalosKernelArgs"
finish
