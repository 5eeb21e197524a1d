#!/bin/sh
# ipmi_sim's chassis_control program for a QEMU machine (lan.conf: chassis_control
# "vm_power.sh DIR"): the machine's power and boot-device circuitry. DIR/vm.sh starts the VM
# (it must exec QEMU after writing its PID to DIR/qemu.pid); the VM's in-band BMC interface
# is ipmi_sim itself through QEMU's ipmi-bmc-extern. Why a program and not ipmi_sim's own
# startcmd: with no chassis_control ipmi_sim refuses Set System Boot Options (bmc_chassis.c),
# and Ferrum sets PXE before every power cycle; with one, ipmi_sim sends every power request
# here. Every setter call is appended to DIR/calls (and, timed, to DIR/power.log).
#   vm_power.sh DIR get power|boot...   -> power:1 while QEMU runs; boot:<device>
#   vm_power.sh DIR set power 1|0 | set reset 1 | set shutdown 1 | set boot pxe|default|...
dir=$1
cmd=$2
shift 2
[ -d "$dir" ] || exit 1

running() {
  p=$(cat "$dir/qemu.pid" 2>/dev/null) || return 1
  [ -n "$p" ] && kill -0 "$p" 2>/dev/null
}
power_on() {
  running && return 0
  rm -f "$dir/qemu.pid"
  # Detached: ipmi_sim waits for this program's output to end.
  setsid "$dir/vm.sh" </dev/null >/dev/null 2>&1 &
  i=0
  while [ $i -lt 100 ]; do
    running && return 0
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}
power_off() {
  running || return 0
  # SIGTERM: QEMU stops the guest at once, like pulling the power.
  kill -TERM "$p"
  i=0
  while [ $i -lt 100 ]; do
    running || return 0
    sleep 0.1
    i=$((i + 1))
  done
  kill -KILL "$p"
  sleep 0.2
  ! running
}

case $cmd in
get)
  for name in "$@"; do
    case $name in
    power) if running; then echo power:1; else echo power:0; fi ;;
    boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
    *) exit 1 ;;
    esac
  done
  ;;
set)
  while [ $# -ge 2 ]; do
    echo "$1 $2" >>"$dir/calls"
    t0=$(date +%s.%N)
    case $1 in
    power) if [ "$2" = 1 ]; then power_on || exit 1; else power_off || exit 1; fi ;;
    reset | shutdown) power_off || exit 1; [ "$1" = reset ] && { power_on || exit 1; } ;;
    boot) echo "$2" >"$dir/boot" ;;
    *) exit 1 ;;
    esac
    echo "$1 $2 at $t0 took $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s" >>"$dir/power.log"
    shift 2
  done
  ;;
*) exit 1 ;;
esac
exit 0
