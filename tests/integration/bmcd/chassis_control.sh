#!/bin/sh
# ipmi_sim's chassis_control program (LAB.md): keeps a simulated machine's power and boot device
# in files under STATEDIR, and appends every setter call to STATEDIR/calls so tests can see
# exactly what the BMC was asked to do.
#   chassis_control.sh STATEDIR get power boot  -> "power:0" / "boot:pxe"
#   chassis_control.sh STATEDIR set power 1 | set boot pxe | set reset 1 | set shutdown 1
dir=$1
shift
[ -d "$dir" ] || exit 1
cmd=$1
shift
case $cmd in
get)
  for name in "$@"; do
    case $name in
    power) echo "power:$(cat "$dir/power" 2>/dev/null || echo 0)" ;;
    boot) echo "boot:$(cat "$dir/boot" 2>/dev/null || echo default)" ;;
    *) exit 1 ;;
    esac
  done
  ;;
set)
  while [ $# -ge 2 ]; do
    echo "$1 $2" >>"$dir/calls"
    case $1 in
    power) echo "$2" >"$dir/power" ;;
    boot) echo "$2" >"$dir/boot" ;;
    reset) echo "$(( $(cat "$dir/resets" 2>/dev/null || echo 0) + 1 ))" >"$dir/resets" ;;
    shutdown) echo 0 >"$dir/power" ;;
    *) exit 1 ;;
    esac
    shift 2
  done
  ;;
*) exit 1 ;;
esac
exit 0
