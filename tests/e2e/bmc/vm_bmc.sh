# shellcheck shell=bash
# A QEMU machine's BMC: ipmi_sim with its LAN channel on ADDR:623 (reported as the LAN
# address through lan_control.sh, so in-band setup finds the real address), the VM's KCS
# interface on 127.0.0.1:SERIAL_PORT (QEMU: -chardev socket,...,port=SERIAL_PORT,reconnect=N
# -device ipmi-bmc-extern -device isa-ipmi-kcs), power and boot device through vm_power.sh
# acting on the QEMU process DIR/vm.sh starts. Source it (bash).
#   vm_bmc_write DIR NAME ADDR SERIAL_PORT   writes DIR/lan.conf and DIR/bmc.emu; the BMC
#                                            has user 2 admin/password (the factory account)
#   then: ipmi_sim -c DIR/lan.conf -f DIR/bmc.emu -s DIR/sim -n
vm_bmc_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

vm_bmc_write() {
  local dir=$1 name=$2 addr=$3 serial_port=$4
  mkdir -p "$dir/sim"
  cat >"$dir/lan.conf" <<CONF
name "$name"
set_working_mc 0x20
  startlan 1
    addr $addr 623
    priv_limit admin
    allowed_auths_callback none md2 md5 straight
    allowed_auths_user none md2 md5 straight
    allowed_auths_operator none md2 md5 straight
    allowed_auths_admin none md2 md5 straight
    guid $(printf '%s' "$name" | md5sum | cut -c1-32)
    lan_config_program "$vm_bmc_dir/lan_control.sh $addr"
  endlan
  serial 15 127.0.0.1 $serial_port codec VM
  chassis_control "$vm_bmc_dir/vm_power.sh $dir"
  user 2 true "admin" "password" admin 10 none md2 md5 straight
CONF
  printf '%s\n' 'mc_setbmc 0x20' 'mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr' \
    'sel_enable 0x20 1000 0x0a' 'mc_enable 0x20' >"$dir/bmc.emu"
}
