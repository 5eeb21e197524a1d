#pragma once
// The agent's settings from the kernel command line, as ferrum-ipxe-http writes them
// (services/ipxe-http/boot_decision.cpp agent_args): ferrum.mac=<aa:bb:..> (the NIC the
// machine PXE-booted from, lower-case colon form) and ferrum.endpoint=<host:port> of
// ferrum-registry. Operators may add, through --extra-agent-kernel-args:
//   ferrum.wipe_parallel=<1..64>  disks wiped at once (default 4)
//   ferrum.reboot=0               stay up after the run instead of rebooting (debugging)
// A later occurrence of a key replaces an earlier one, as the kernel's own parameters do.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ferrum/expected.hpp"

namespace ferrum::agent {

// Splits a command line into key/value pairs; double quotes group spaces ("a=b c"), a word
// without '=' has an empty value.
std::vector<std::pair<std::string, std::string>> split_cmdline(std::string_view cmdline);

// Lower-case colon form of a MAC in colon, dash or bare-hex form; empty when malformed.
std::string normalize_mac(std::string_view mac);

struct AgentArgs {
  std::string mac;       // normalized
  std::string endpoint;  // host:port or [v6]:port
  int wipe_parallel = 4;
  bool reboot = true;
};

// Errors name the parameter: "ferrum.endpoint: missing", "ferrum.mac \"zz\": not a MAC".
Expected<AgentArgs, std::string> parse_agent_args(std::string_view cmdline);

}  // namespace ferrum::agent
