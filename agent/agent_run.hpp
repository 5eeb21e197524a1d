#pragma once
// The agent's run, start to end: arguments from the kernel command line, the boot NIC up
// with an address, inventory, CreateServer (retried with backoff), addresses, the wipe with
// heartbeats, MarkServerAsWiped, BMC setup, and the verdict for the caller (reboot or not).
#include <chrono>
#include <filesystem>
#include <string>

#include "console.hpp"

namespace ferrum::agent {

struct RunSettings {
  std::filesystem::path root = "/";  // where /sys, /proc and /dev are read
  std::string cmdline_file = "/proc/cmdline";
  std::string ipmi_device = "/dev/ipmi0";
  std::string dhcp_command;  // run with the boot NIC's name appended; empty: none
  std::string bmc_user = "ferrum";
  std::int64_t max_attempts = 0;  // per registry call; 0 = keep trying
  std::chrono::milliseconds retry_initial{1000}, retry_max{30000}, call_timeout{10000};
};

enum class RunOutcome { kDone, kFailed };

struct RunResult {
  RunOutcome outcome = RunOutcome::kFailed;
  bool reboot = true;  // ferrum.reboot from the command line
};

RunResult run_agent(const RunSettings& settings, Console& console);

}  // namespace ferrum::agent
