#pragma once
// The peer's boot, in Talos' order: KSPP check, machine values, SideroLink from the kernel
// command line (Provision, wireguard-go, kmsg stream, event sink), config download, load and
// validation, install, reboot. All the I/O lives here; the rules are in the pure files.

#include <string>

namespace ferrum::talos_node {

struct NodeSettings {
  std::string cmdline_path = "/proc/cmdline";
  std::string dmi_dir = "/sys/class/dmi/id";
  std::string net_dir = "/sys/class/net";
  std::string wireguard_go = "/bin/wireguard-go";
  std::string ip_command = "/bin/ip";
  // Run with the first NIC's name appended until it exits 0 (the image's busybox udhcpc).
  std::string dhcp_command = "/bin/udhcpc -q -t 5 -T 2 -s /etc/udhcpc.script -i";
  // The Talos release whose behaviour the peer follows; sent as ProvisionRequest.talos_version.
  std::string talos_version = "v1.8.4";
  bool reboot = true;  // false: return instead of rebooting / halting (debugging)
};

// Returns only when settings.reboot is false or rebooting failed.
int run_node(const NodeSettings& settings);

}  // namespace ferrum::talos_node
