#!/bin/sh
# ipmi_sim's lan_config_program (lan.conf: lan_config_program "lan_control.sh ADDR"): answers
# the LAN configuration parameters a BMC takes from its network interface, so Get LAN
# Configuration Parameters (in-band over KCS, or over LAN) reports the address the simulator's
# LAN channel really listens on instead of 0.0.0.0. ipmi_sim runs it as
#   lan_control.sh ADDR get PARM...        -> one "PARM:VALUE" line per PARM
#   lan_control.sh ADDR set|check PARM VAL  -> refused: the address is the listen address
addr=$1
op=$2
shift 2
case $op in
get)
  for parm in "$@"; do
    case $parm in
    ip_addr) echo "ip_addr:$addr" ;;
    ip_addr_src) echo "ip_addr_src:static" ;;
    subnet_mask) echo "subnet_mask:255.0.0.0" ;;
    mac_addr) echo "mac_addr:02:00:$(echo "$addr" | awk -F. '{printf "%02x:%02x:%02x:%02x", $1, $2, $3, $4}')" ;;
    default_gw_ip_addr | backup_gw_ip_addr) echo "$parm:0.0.0.0" ;;
    default_gw_mac_addr | backup_gw_mac_addr) echo "$parm:00:00:00:00:00:00" ;;
    *) echo "unknown parameter $parm"; exit 1 ;;
    esac
  done
  ;;
*)
  echo "the LAN address is ipmi_sim's listen address (lan.conf addr); it cannot be set over IPMI"
  exit 1
  ;;
esac
exit 0
