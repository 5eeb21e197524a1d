#!/usr/bin/env bash
# ferrum-registry's bounds on what an agent reports (issue 17 item 6), over real gRPC against
# ferrum-apiserver: the review's reproductions (10,000 disks, 2,000 NICs, a 900 KB string, a
# control character in the hostname, invalid UTF-8) are refused with INVALID_ARGUMENT naming
# the field and nothing is written; the refusals are counted; a large real server registers;
# the flags raise the bounds. Usage: limits_test.sh AGENT_CLIENT
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../lib.sh"
source "$here/registry_lib.sh"
AGENT_CLIENT=$1
setup_tmp
start_apiserver api
start_registry --auto-accept-servers

U=4c4c4544-0042-3510-8051-c4c04f4e4b32
servers() { kubectl get servers -o name | wc -l; }
refused() {
  curl -sf "http://$REGISTRY_ADMIN/metrics" |
    awk '$1 == "registry_registrations_total{result=\"refused\"}" { print $2; f=1 } END { if (!f) print 0 }'
}

contains "10,000 disks refused" "$(ac register $U --disks 10000)" \
  "INVALID_ARGUMENT hardware.storage.devices: 10000 entries, at most 256 (--max-storage-devices)"
contains "2,000 NICs refused" "$(ac register $U --nics 2000)" \
  "INVALID_ARGUMENT hardware.network.interfaces: 2000 entries, at most 128 (--max-network-interfaces)"
contains "a 900 KB string refused" "$(ac register $U --string-bytes 921600)" \
  "INVALID_ARGUMENT hardware.system.manufacturer: 921600 bytes, at most 1024 (--max-string-bytes)"
contains "a control character in the hostname refused" "$(ac register $U --hostname $'node\ba')" \
  "INVALID_ARGUMENT hostname: control character U+0008 at byte 4"
contains "a newline in the hostname refused" "$(ac register $U --hostname $'node\nx')" \
  "INVALID_ARGUMENT hostname: control character U+000A at byte 4"
contains "an escape sequence in a manufacturer refused" "$(ac register $U --manufacturer $'\e[2J')" \
  "INVALID_ARGUMENT hardware.system.manufacturer: control character U+001B at byte 0"
# Invalid UTF-8 in a proto3 string: protobuf's parser refuses the request before the registry
# sees it, and gRPC answers a request that does not parse with UNIMPLEMENTED (no message). The
# registry's own check (INVALID_ARGUMENT naming the field) is for protobuf builds that let it
# through. Either way the call fails and nothing is written.
out=$(ac register $U --hostname $'\xff\xfe' 2>/dev/null)
want_refused=6
if [[ $out == "INVALID_ARGUMENT hostname: not valid UTF-8" ]]; then
  want_refused=7
  pass "invalid UTF-8 in the hostname refused by the registry ($out)"
elif [[ $out == UNIMPLEMENTED* ]]; then
  pass "invalid UTF-8 in the hostname refused by protobuf's parser ($out)"
else
  fail "invalid UTF-8 in the hostname refused: $out"
fi
equals "nothing was written for the refused registrations" "$(servers)" "0"
equals "refusals counted (registry_registrations_total{result=refused})" "$(refused)" "$want_refused"
contains "refusal logged naming the field" "$(grep '"registration refused"' "$REGISTRY_LOG")" \
  "hardware.storage.devices: 10000 entries"

equals "a large real server (256 disks, 128 NICs) registers" \
  "$(ac register $U --disks 256 --nics 128 --hostname node-a)" \
  "OK wipe=1 insecure_wipe=1 setup_bmc=1 reboot_timeout=1200"
equals "its 256 disks are stored" "$(kubectl get server $U -o json | jq '.spec.hardware.storage.devices | length')" "256"
equals "a non-ASCII manufacturer is fine" \
  "$(ac register $U --disks 256 --nics 128 --hostname node-a --manufacturer 'Société Générale')" \
  "OK wipe=1 insecure_wipe=1 setup_bmc=1 reboot_timeout=1200"
equals "stored as sent" "$(kubectl get server $U -o jsonpath='{.spec.hardware.system.manufacturer}')" "Société Générale"
addrs=()
for i in $(seq 65); do addrs+=("InternalIP=10.0.0.$i"); done
contains "addresses beyond --max-addresses refused" "$(ac addresses $U "${addrs[@]}")" \
  "INVALID_ARGUMENT address: 65 entries, at most 64 (--max-addresses)"
contains "a control character in bmc_info.user refused" "$(ac bmc $U 10.0.0.9 623 $'ad\tmin' secret)" \
  "INVALID_ARGUMENT bmc_info.user: control character U+0009 at byte 2"
stop_registry
equals "SIGTERM: exit 0" "$REGISTRY_RC" "0"

# The flags move the bounds; the total size still holds when every part is within its own.
start_registry --auto-accept-servers --max-storage-devices 2000 --max-inventory-bytes 65536
U2=a0a0a0a0-0000-4000-8000-000000000002
contains "--max-storage-devices 2000: 1,000 disks pass the count, not --max-inventory-bytes" \
  "$(ac register $U2 --disks 1000)" "INVALID_ARGUMENT hardware: "
contains "... naming the flag" "$(ac register $U2 --disks 1000)" "at most 65536 (--max-inventory-bytes)"
equals "--max-storage-devices 2000: 300 disks register" "$(ac register $U2 --disks 300)" \
  "OK wipe=1 insecure_wipe=1 setup_bmc=1 reboot_timeout=1200"
out=$("$FERRUM_BIN/ferrum-registry" --kubeconfig "$KUBECONFIG" --max-storage-devices 0 2>&1)
equals "--max-storage-devices 0: exit 2" "$?" "2"
contains "... naming the flag" "$out" "--max-storage-devices"
stop_registry
equals "SIGTERM: exit 0" "$REGISTRY_RC" "0"
finish
