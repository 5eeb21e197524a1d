#pragma once
// ferrum-registry's settings: every flag with its default, declared once.

#include <chrono>
#include <cstdint>
#include <string>

#include "ferrum/flags.hpp"
#include "inventory_limits.hpp"

namespace ferrum::registry {

struct Settings {
  std::string listen;
  std::string kubeconfig;
  bool auto_accept_servers = false;
  bool insecure_wipe = true;
  bool auto_bmc_setup = true;
  std::chrono::milliseconds server_reboot_timeout{20 * 60 * 1000};
  std::string bmc_secret_namespace;
  std::chrono::milliseconds call_timeout{30000};
  std::chrono::milliseconds kube_timeout{10000};
  std::int64_t kube_qps = 2000;
  std::int64_t kube_burst = 4000;
  std::int64_t workers = 16;
  std::int64_t max_pending_calls = 1024;
  std::int64_t max_message_bytes = 1 << 20;
  std::int64_t conflict_retries = 8;
  InventoryLimits inventory;
};

void add_flags(flags::FlagSet& flags, Settings& s);

// Checks what the flag table cannot (ranges of durations, the listen address, the
// namespace); the message names the flag.
std::string validate(const Settings& s);

}  // namespace ferrum::registry
