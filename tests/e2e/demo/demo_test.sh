#!/usr/bin/env bash
# scripts/demo as a newcomer runs it, in a network namespace this test creates and removes (the
# demo's fixed 127.0.0.1 ports are then its own), against the binaries of BUILD_DIR:
#   daemons  --vms 0: every daemon starts and is ready, the demo exits 0 with
#            --exit-when-done and leaves no process behind
#   story    --vms 1: the whole story (discovery, cluster, install over SideroLink, boot from
#            disk, release) ends with "the story is done", exit 0, no process left
# Usage: demo_test.sh daemons|story BUILD_DIR
set -euo pipefail
mode=${1:?usage: demo_test.sh daemons|story BUILD_DIR}
build=${2:?usage: demo_test.sh daemons|story BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../.." && pwd)
if [[ $(id -u) -ne 0 ]]; then echo "demo test: needs root (network namespace)"; exit 77; fi

source "$here/../lib.sh"
e2e_init "ferrum-demo-$mode"
ip netns add "$ns"
ip -n "$ns" link set lo up

case $mode in
  daemons) args=(--vms 0) ;;
  story) args=(--vms 1 --stage-timeout 300) ;;
  *) echo "demo test: unknown mode $mode" >&2; exit 2 ;;
esac
rc=0
ip netns exec "$ns" env FERRUM_BUILD_DIR="$build" HOME="$work" bash "$repo/scripts/demo" --no-build \
  --exit-when-done --state-dir "$work/state" "${args[@]}" >"$work/demo.out" 2>&1 || rc=$?
cat "$work/demo.out"
echo "--- checks"

equals "exit status" "$rc" 0
contains() { # contains WHAT TEXT
  if grep -qF -- "$2" "$work/demo.out"; then pass "$1"; else fail "$1 (no line with: $2)"; fi
}
contains "every daemon ready" "demo: every daemon is ready"
contains "stopped everything" "demo: stopped"
for d in ferrum-apiserver ferrum-tftpd ferrum-ipxe-http ferrum-bmcd ferrum-metadata ferrum-registry ferrum-linkd ferrum-reconciler; do
  contains "$d started" "  $d "
done
if [[ $mode == story ]]; then
  contains "stage 1 done" "done: every machine registered, wiped and powered off"
  contains "stage 3 done" "done: every machine installed and PXEBooted"
  contains "node log lines through SideroLink" "[talos] config: loaded; install disk /dev/vda"
  contains "told to boot from disk after the install" "is PXEBooted, boot from disk"
  contains "stage 4 done" "done: vm 1 released, wiped, off and available"
  contains "the end" "demo: the story is done"
  if grep -q STUCK "$work/demo.out"; then fail "nothing stuck"; else pass "nothing stuck"; fi
fi
# Every process the demo printed a pid for is gone, and no VM of its state directory runs.
left=""
for p in $(grep -o 'pid [0-9]\+' "$work/demo.out" | cut -d' ' -f2); do
  kill -0 "$p" 2>/dev/null && left+=" $p($(tr '\0' ' ' <"/proc/$p/cmdline" | cut -c1-40))"
done
for f in "$work"/state/vms/*/qemu.pid; do
  [[ -f $f ]] && p=$(cat "$f") && [[ -n $p ]] && kill -0 "$p" 2>/dev/null && left+=" qemu:$p"
done
equals "no process left behind" "${left:-none}" none
if ((failures)); then
  for f in "$work"/state/logs/ferrum-*.log; do echo "--- $f"; tail -n 5 "$f"; done
  echo "demo test $mode: FAILED ($failures)"
  exit 1
fi
echo "demo test $mode: ok"
