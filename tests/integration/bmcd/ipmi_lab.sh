# Helpers to run ipmi_sim BMCs on loopback (LAB.md recipe). Source after lib.sh (needs $TMP,
# track_pid). Every BMC listens on 127.0.0.1:<port> with user admin / password "password".

IPMI_LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# free_udp_ports N: prints N distinct free UDP ports on 127.0.0.1, one per line.
free_udp_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
for s in socks:
    print(s.getsockname()[1])
PY
}

# start_bmc NAME PORT [PASSWORD]: starts ipmi_sim for BMC NAME; its machine state is in
# $TMP/bmc-NAME/state (power, boot, calls). Sets BMC_PID.
start_bmc() {
  local name=$1 port=$2 pass=${3:-password}
  local dir=$TMP/bmc-$name
  mkdir -p "$dir/state" "$dir/sim"
  echo 0 >"$dir/state/power"
  echo default >"$dir/state/boot"
  local guid
  guid=$(printf '%032x' "$port")
  cat >"$dir/lan.conf" <<CONF
name "$name"
set_working_mc 0x20
  startlan 1
    addr 127.0.0.1 $port
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid $guid
  endlan
  chassis_control "$IPMI_LAB_DIR/chassis_control.sh $dir/state"
user 2 true "admin" "$pass" admin 10 none md2 md5 straight
CONF
  cat >"$dir/bmc.emu" <<EMU
mc_setbmc 0x20
mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr
sel_enable 0x20 1000 0x0a
sensor_add 0x20 0 0 35 0x6f event-only
mc_enable 0x20
EMU
  ipmi_sim -c "$dir/lan.conf" -f "$dir/bmc.emu" -s "$dir/sim" -n </dev/null >>"$dir/log" 2>&1 &
  BMC_PID=$!
  track_pid "$BMC_PID"
  echo "$BMC_PID" >"$dir/pid"
}

# bmc_state NAME FILE: the content of a BMC's state file (power, boot, calls).
bmc_state() { cat "$TMP/bmc-$1/state/$2" 2>/dev/null; }

# ipmitool_bmc PORT ARGS...: ipmitool against a lab BMC (-C 3: see LAB.md).
ipmitool_bmc() {
  local port=$1; shift
  ipmitool -I lanplus -H 127.0.0.1 -p "$port" -U admin -P password -C 3 -N 1 -R 2 "$@"
}
